"""The pipeline on the anthropic backend, end to end: real gRPC, a real ESCO subset in SQLite, and
the real ``anthropic`` SDK pointed at the local stub of the API (tests/anthropic_stub.py).

Stage-1 answers refer to the dictionary hits by number, so each test first asks the core for the
hints it will send (``stage1_model_input``, the code the run itself uses) and scripts the answer
against them. Costs are checked against the shipped price table.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc import aio

from anthropic_stub import AnthropicStub, api_error, message_json, ok
from grpc_harness import copy_sqlite, detail_of, running_server
from jdlens.v1 import common_pb2, parsed_jd_pb2, pipeline_service_pb2, run_pb2, run_service_pb2
from jdlens_server import batch, cli
from jdlens_server.app import Runtime, build_runtime, embedded_server
from jdlens_server.grpc_api.server import ServerConfig
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import EscoPack, esco_subset, read_esco
from jdlens_server.llm import AnthropicBackend, AnthropicConfig, LlmConfigError, load_prices
from jdlens_server.llm.backend import LlmFallback
from jdlens_server.llm.breaker import BreakerConfig, CircuitBreaker
from jdlens_server.llm.config import BatchPolicy, RetryPolicy
from jdlens_server.llm.provider import LlmProvider
from jdlens_server.llm.quotes import QuoteIndex
from jdlens_server.llm.schema import EXTRACTION_SCHEMA_WITH_FACTS
from jdlens_server.nlp.embedder import load_embedder
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.pipeline import extract as extract_module
from jdlens_server.pipeline.core import stage1_model_input
from jdlens_server.pipeline.llm_stage import Prefetched, model_input
from jdlens_server.pipeline.parsed_proto import enum_value
from jdlens_server.store.db import migrate
from pipeline_runtime import DATA_SCIENTIST, REFERENCE_JD, esco_part

KEY = "sk-ant-test-pipeline-0123456789SECRET"
PRICES = load_prices()
ANTHROPIC = common_pb2.BACKEND_ANTHROPIC
OFFLINE = common_pb2.BACKEND_OFFLINE
# The twin library's JD: a data JD under a title that is no role's alias.
TWIN_TITLE = "Insights Modeller"
TWIN_JD = REFERENCE_JD.replace("Senior Data Engineer", TWIN_TITLE)


def haiku(inp: int, out: int, write: int = 0, read: int = 0, *, batch: bool = False) -> float:
    usd = PRICES.cost(
        "claude-haiku-4-5",
        input_tokens=inp,
        output_tokens=out,
        cache_write_5m_tokens=write,
        cache_read_tokens=read,
    )
    return usd * PRICES.batch_discount if batch else usd


# ------------------------------------------------------------------------------------- fixtures


def _import(path: Path, pack: EscoPack) -> Path:
    url = f"sqlite:///{path}"
    migrate(url)
    import_pack(url, "esco", contents=pack, embedder=load_embedder(), progress=False)
    return path


def _twin_pack() -> EscoPack:
    """ESCO's data scientist and an exact twin under another URI: every signal ties, so a JD of
    theirs is a close call (case D) whatever the embedder."""
    pack = esco_subset(read_esco(), occupation_uris=[DATA_SCIENTIST])
    occ = next(o for o in pack.occupations if o.uri == DATA_SCIENTIST)
    twin = dataclasses.replace(occ, uri=occ.uri + "-twin", code=occ.code + ".9")
    return dataclasses.replace(
        pack,
        occupations=[*pack.occupations, twin],
        occupation_skills=[
            *pack.occupation_skills,
            *(
                dataclasses.replace(r, occupation_uri=twin.uri)
                for r in pack.occupation_skills
                if r.occupation_uri == occ.uri
            ),
        ],
        occupation_broader=[
            *pack.occupation_broader,
            *(dataclasses.replace(r, uri=twin.uri) for r in pack.occupation_broader if r.uri == occ.uri),
        ],
    )


@pytest.fixture(scope="module")
def esco_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _import(tmp_path_factory.mktemp("esco") / "lib.sqlite", esco_part())


@pytest.fixture(scope="module")
def twin_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _import(tmp_path_factory.mktemp("twin") / "lib.sqlite", _twin_pack())


@pytest.fixture(scope="module")
def shared_backend(shared_stub: AnthropicStub) -> Iterator[AnthropicBackend]:
    config = AnthropicConfig(
        base_url=shared_stub.url,
        timeout_s=5.0,
        retry=RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.005, deadline_s=20.0),
        breaker=BreakerConfig(failure_threshold=5, cooldown_s=60.0),
        batch=BatchPolicy(poll_initial_s=0.001, poll_max_s=0.004),
    )
    made = AnthropicBackend(config, prices=PRICES, environ={"ANTHROPIC_API_KEY": KEY})
    yield made
    made.close()


@pytest.fixture
def backend(stub: AnthropicStub, shared_backend: AnthropicBackend) -> AnthropicBackend:
    shared_backend.breaker = CircuitBreaker(shared_backend.config.breaker)
    return shared_backend


@contextlib.contextmanager
def _library_runtime(
    template: Path, directory: Path, backend: AnthropicBackend
) -> Iterator[tuple[str, Runtime]]:
    """A fresh copy of ``template`` and a runtime over it whose anthropic backend is ``backend``."""
    url = copy_sqlite(template, directory)
    runtime = build_runtime(url, llm=LlmProvider.of(backend))
    try:
        yield url, runtime
    finally:
        runtime.close()


@pytest.fixture
def esco(esco_template: Path, tmp_path: Path, backend: AnthropicBackend) -> Iterator[tuple[str, Runtime]]:
    with _library_runtime(esco_template, tmp_path, backend) as made:
        yield made


@pytest.fixture
def twin(twin_template: Path, tmp_path: Path, backend: AnthropicBackend) -> Iterator[tuple[str, Runtime]]:
    with _library_runtime(twin_template, tmp_path, backend) as made:
        yield made


# ------------------------------------------------------------------------------------- helpers


def hints_of(runtime: Runtime, text: str, title: str = "") -> list[str]:
    request = stage1_model_input(runtime.library.current(), text, title)
    assert request is not None
    return list(request.hints)


def stage1_answer(
    hints: Sequence[str], primary: Sequence[str] = (), secondary: Sequence[str] = (), **changes: Any
) -> dict[str, object]:
    at = {h: i for i, h in enumerate(hints)}
    answer: dict[str, object] = {
        "reject": "",
        "titles": ["Senior Data Engineer", "Data Engineer", "Big Data Engineer"],
        "family": "Data",
        "company": "Index Exchange",
        "domains": ["Ad Tech"],
        "core": [at[h] for h in primary],
        "extra": [at[h] for h in secondary],
        "new_core": [],
        "new_extra": [],
    }
    answer.update(changes)
    return answer


def meta_entry(name: str, nature: str, category: str) -> dict[str, object]:
    return {
        "name": name,
        "category": category,
        "sub_category": "general",
        "nature": nature,
        "volatility": "high",
        "typical_lifespan": "multi_year",
        "version_strategy": "major_versions",
        "confidence": 0.9,
        "reasoning": f"{name} is a {nature}.",
    }


def metrics_of(run: run_pb2.Run, stage: run_pb2.Stage.ValueType) -> run_pb2.StageMetrics:
    (found,) = [m for m in run.stage_metrics if m.stage == stage]
    return found


def analyze_request(
    text: str, *, backend: common_pb2.Backend.ValueType = ANTHROPIC, title: str = "", **options: Any
) -> pipeline_service_pb2.AnalyzeJdRequest:
    return pipeline_service_pb2.AnalyzeJdRequest(
        jd=pipeline_service_pb2.JdInput(text=text, title=title),
        options=run_pb2.RunOptions(backend=backend, **options),
    )


def extract_request(text: str, **options: Any) -> pipeline_service_pb2.ExtractFromJdRequest:
    """Stage 1 alone: the JD and options ``analyze_request`` builds."""
    whole = analyze_request(text, **options)
    return pipeline_service_pb2.ExtractFromJdRequest(jd=whole.jd, options=whole.options)


def _usage(u: common_pb2.Usage) -> tuple[int, int, int, int, int]:
    return (
        u.input_tokens,
        u.output_tokens,
        u.cache_creation_input_tokens,
        u.cache_read_input_tokens,
        u.model_calls,
    )


# ------------------------------------------------------------------------------------- stage 1-3


async def test_analyze_jd_on_anthropic_records_model_skills_usage_and_cost(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    url, runtime = esco
    hints = hints_of(runtime, REFERENCE_JD)
    primary = ["Hadoop", "Scala", "Java", "Python", "SQL"]
    secondary = ["Bash"]
    assert set(primary + secondary) < set(hints), hints
    false_hits = [h for h in hints if h not in primary + secondary]
    assert false_hits, "the JD has dictionary hits for the model to turn down"
    answer = stage1_answer(
        hints,
        primary,
        secondary,
        # Kafka and StarRocks are in the JD; "Rust" is not (an invented skill: dropped, counted).
        new_core=["Kafka", "StarRocks"],
        new_extra=["Kubernetes", "Rust"],
    )
    stub.queue.append(
        ok(
            answer,
            input_tokens=2400,
            output_tokens=180,
            cache_creation_input_tokens=0,
            cache_read_input_tokens=3000,
        )
    )
    # Stage 2 asks for the metadata of the skills the library lacks; StarRocks is left out of the
    # answer, so it keeps the rules' metadata.
    stub.queue.append(
        ok(
            {
                "skills": [
                    meta_entry("Kafka", "platform", "Data Streaming"),
                    meta_entry("Kubernetes", "tool", "Containers"),
                ]
            },
            input_tokens=400,
            output_tokens=250,
            cache_creation_input_tokens=900,
        )
    )

    async with running_server(url, pipeline=runtime.core) as h:
        response = await h.pipeline.AnalyzeJd(analyze_request(REFERENCE_JD))
        run = response.run
        stored = await h.runs.GetRun(run_service_pb2.GetRunRequest(name=run.name))

    assert run.status == run_pb2.RUN_STATUS_COMPLETED and run.backend == ANTHROPIC
    assert stored.total_usage == run.total_usage and stored.stage_metrics == run.stage_metrics

    # Stage 1: one model call, priced with its cache tokens.
    extract = metrics_of(run, run_pb2.STAGE_EXTRACT)
    assert extract.backend == ANTHROPIC and extract.model == "claude-haiku-4-5-20251001"
    assert not extract.fallback_reason
    assert _usage(extract.usage) == (2400, 180, 0, 3000, 1) and extract.usage.service_tier == "standard"
    assert extract.usage.cost_usd == pytest.approx(haiku(2400, 180, read=3000))

    # The model's fields fill the parse; the request carried the hints and the JD's plain text.
    parsed = run.extraction.parsed
    assert parsed.company_name == "Index Exchange" and parsed.domain.primary.name == "Ad Tech"
    assert (
        list(parsed.role_aliases) == ["Data Engineer", "Big Data Engineer"]
        and parsed.role_archetype == "Data"
    )
    assert parsed.seniority == parsed_jd_pb2.SENIORITY_SENIOR  # the offline rule over the model's title
    # Work mode and employment type are the offline parser's unless the facts are asked for.
    offline_parse = parse_jd(REFERENCE_JD)
    assert parsed.employment_type == enum_value(
        parsed_jd_pb2.EmploymentType, "EMPLOYMENT_TYPE", offline_parse.employment_type
    )
    first = stub.message_requests()[0].body
    assert isinstance(first, dict)
    user = first["messages"][0]["content"]
    assert all(f"{i} {h}\n" in user for i, h in enumerate(hints))
    assert "Here's What You Need" in user and "<jd>" in user
    assert "recent scams directed toward candidates" not in user  # boilerplate is not sent

    # Skills: the confirmed hits (as the model ranked them), the added ones with located evidence;
    # the turned-down hits and the invented skill are gone, and the drop is counted in a warning.
    skills = {s.skill_name: s for s in run.extraction.skills}
    by_hint = {
        s.evidence[0].text: s for s in run.extraction.skills if s.source == run_pb2.SKILL_SOURCE_DICTIONARY
    }
    assert set(by_hint) == set(primary + secondary)
    assert all(by_hint[h].is_primary for h in primary) and not by_hint["Bash"].is_primary
    for name, is_primary in (("Kafka", True), ("StarRocks", True), ("Kubernetes", False)):
        skill = skills[name]
        assert skill.source == run_pb2.SKILL_SOURCE_LLM and skill.is_new and skill.is_primary == is_primary
        (evidence,) = skill.evidence
        assert run.jd_text[evidence.span.start : evidence.span.end] == name == evidence.text
    assert "Rust" not in skills
    assert any("1 quote(s) not found in the JD were dropped" in w for w in run.warnings), run.warnings
    assert any(f"{len(false_hits)} dictionary hit(s) read as false matches" in w for w in run.warnings)

    # Stage 2: the model's metadata for the new skills it answered for, the rules' for the other.
    details = {d.input_skill: d for d in run.details.skills_detail}
    kafka = details["Kafka"].new_skill_meta
    assert kafka.placement == run_pb2.PLACEMENT_KEEP_NEW
    assert (
        kafka.derived.nature == common_pb2.SKILL_NATURE_PLATFORM
        and kafka.derived.category == "Data Streaming"
    )
    assert (
        kafka.derived.volatility == common_pb2.VOLATILITY_HIGH
        and kafka.derived.confidence == pytest.approx(0.9)
    )
    starrocks = details["StarRocks"].new_skill_meta
    assert starrocks.derived.category != "Data Streaming"
    assert any("offline rules (the model gave no entry" in line for line in starrocks.keep_log)
    ask = stub.message_requests()[1].body
    assert isinstance(ask, dict) and '"StarRocks"' in ask["messages"][0]["content"]
    stage2 = metrics_of(run, run_pb2.STAGE_DETAILS)
    assert stage2.backend == ANTHROPIC and "kept the offline metadata" in stage2.fallback_reason
    assert _usage(stage2.usage) == (400, 250, 900, 0, 1)
    assert stage2.usage.cost_usd == pytest.approx(haiku(400, 250, write=900))

    # Stage 3 calls no model; the run's total is the sum of its stages.
    assert metrics_of(run, run_pb2.STAGE_FINAL_ROLE).usage.model_calls == 0
    assert _usage(run.total_usage) == (2800, 430, 900, 3000, 2)
    assert run.total_usage.cost_usd == pytest.approx(haiku(2400, 180, read=3000) + haiku(400, 250, write=900))
    assert len(stub.message_requests()) == 2
    assert KEY.encode() not in run.SerializeToString()


async def test_invalid_output_twice_falls_back_to_offline_and_says_so(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    url, runtime = esco
    stub.queue.extend([ok("this is not JSON"), ok({"reject": ""})])  # invalid, then invalid again
    async with running_server(url, pipeline=runtime.core) as h:
        run = (await h.pipeline.ExtractFromJd(extract_request(REFERENCE_JD))).run
        stored = await h.runs.GetRun(run_service_pb2.GetRunRequest(name=run.name))
    offline, _ = runtime.core.extract_from_jd(extract_request(REFERENCE_JD, backend=OFFLINE, dry_run=True))

    assert run.status == run_pb2.RUN_STATUS_EXTRACTED and stored.run_id == run.run_id
    assert run.backend == ANTHROPIC  # asked for; the stage says what it really used
    extract = metrics_of(run, run_pb2.STAGE_EXTRACT)
    assert extract.backend == OFFLINE and extract.model.startswith("offline rules")
    assert extract.fallback_reason.startswith("invalid output after one repair: $: missing required")
    # Both attempts were billed, and the run says so.
    assert _usage(extract.usage) == (2400, 600, 0, 0, 2)
    assert extract.usage.cost_usd == pytest.approx(2 * haiku(1200, 300))
    assert run.total_usage == extract.usage
    assert any(w.startswith("stage 1 fell back to the offline backend") for w in run.warnings)
    # The offline rules ran in full: the same skills and decision as an offline run.
    assert [(s.skill_name, s.is_primary, s.source) for s in run.extraction.skills] == [
        (s.skill_name, s.is_primary, s.source) for s in offline.extraction.skills
    ]
    assert run.extraction.decision.chosen_role == offline.extraction.decision.chosen_role


def test_a_jd_the_model_rejects_is_a_rejected_run_with_its_cost(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    _, runtime = esco
    stub.queue.append(ok(stage1_answer([], reject="not_a_jd")))

    run, _ = runtime.core.extract_from_jd(extract_request(REFERENCE_JD))

    assert run.status == run_pb2.RUN_STATUS_REJECTED and run.extraction.rejected
    assert run.extraction.parsed.reject_reason == parsed_jd_pb2.REJECT_REASON_NOT_A_JD
    assert run.extraction.decision.decision_case == run_pb2.DECISION_CASE_REJECTED
    assert "the model read it as not a jd" in run.extraction.decision.reasoning
    assert not run.extraction.skills and not run.extraction.updates.new_skills_attached
    extract = metrics_of(run, run_pb2.STAGE_EXTRACT)
    assert extract.backend == ANTHROPIC and extract.usage.cost_usd == pytest.approx(haiku(1200, 300))
    assert run.total_usage.model_calls == 1


def test_new_skill_metadata_is_asked_once_per_process(esco: tuple[str, Runtime], stub: AnthropicStub) -> None:
    _, runtime = esco
    hints = hints_of(runtime, REFERENCE_JD)
    stub.queue.append(ok(stage1_answer(hints, hints[:2], new_core=["Kafka"])))
    stub.queue.append(ok({"skills": [meta_entry("Kafka", "platform", "Data Streaming")]}))
    stub.queue.append(ok(stage1_answer(hints, hints[:2], new_core=["Kafka"])))  # the second JD: stage 1 only

    first, _ = runtime.core.analyze_jd(analyze_request(REFERENCE_JD, dry_run=True))
    second, _ = runtime.core.analyze_jd(analyze_request(REFERENCE_JD + "\nReference: 2", dry_run=True))

    assert len(stub.message_requests()) == 3 and not stub.queue
    for run in (first, second):
        (kafka,) = [d.new_skill_meta for d in run.details.skills_detail if d.input_skill == "Kafka"]
        assert (
            kafka.derived.category == "Data Streaming"
            and kafka.derived.nature == common_pb2.SKILL_NATURE_PLATFORM
        )
    assert any(
        "asked by an earlier run" in line
        for d in second.details.skills_detail
        for line in d.new_skill_meta.keep_log
    )
    stage2 = metrics_of(second, run_pb2.STAGE_DETAILS)
    assert stage2.backend == ANTHROPIC and stage2.usage.model_calls == 0 and stage2.usage.cost_usd == 0
    assert metrics_of(first, run_pb2.STAGE_DETAILS).usage.model_calls == 1


def test_boilerplate_is_cut_from_the_model_text_and_quotes_map_back() -> None:
    jd = parse_jd(REFERENCE_JD)
    request = model_input(jd, [])
    assert len(request.text) < len(jd.plain_text) - 1500
    assert "equal employment opportunities" not in request.text and "Kubernetes and Docker" in request.text
    index = QuoteIndex(request.text)
    # Before the cut boilerplate, between two cuts (a heading) and after the last one.
    for quote in (
        "Kubernetes and Docker",
        "Equal employment opportunity",
        "Our corporate headquarters are in Toronto",
    ):
        hit = index.find(quote)
        assert hit is not None, quote
        start, end = request.to_plain(hit.start, hit.end)
        assert jd.plain_text[start:end] == quote


# ------------------------------------------------------------------------------------- tie-break


def _twin_slugs(runtime: Runtime) -> tuple[str, str]:
    first, second = sorted(r.slug for r in runtime.library.current().snapshot.roles.values())
    return first, second


def _queue_twin_stage1(runtime: Runtime, stub: AnthropicStub) -> None:
    hints = hints_of(runtime, TWIN_JD)
    stub.queue.append(ok(stage1_answer(hints, hints[:3], titles=[TWIN_TITLE])))


async def test_tie_break_on_a_close_call_is_the_models_choice(
    twin: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    url, runtime = twin
    offline, _ = runtime.core.extract_from_jd(extract_request(TWIN_JD, backend=OFFLINE, dry_run=True))
    rule = offline.extraction.decision
    assert rule.case_letter == "D" and rule.tie_break_is_rule and rule.llm2_fired
    # The model picks the role the rule did not.
    other = next(s for s in _twin_slugs(runtime) if s != rule.chosen_role.slug)
    _queue_twin_stage1(runtime, stub)
    reasoning = "The JD's pipelines and big-data tools fit the twin's KRAs better."
    stub.queue.append(
        ok({"choice": other, "reasoning": reasoning, "confidence": 0.8}, input_tokens=600, output_tokens=60)
    )

    async with running_server(url, pipeline=runtime.core) as h:
        run = (await h.pipeline.ExtractFromJd(extract_request(TWIN_JD))).run

    decision = run.extraction.decision
    assert decision.case_letter == "D" and decision.decision_case == run_pb2.DECISION_CASE_TIE_BREAK
    assert decision.chosen_role.slug == other
    assert decision.llm2_fired and not decision.tie_break_is_rule and decision.llm2_reasoning == reasoning
    assert "settled by the model tie-break" in decision.reasoning
    tie = metrics_of(run, run_pb2.STAGE_TIE_BREAK)
    assert tie.backend == ANTHROPIC and _usage(tie.usage) == (600, 60, 0, 0, 1)
    assert tie.usage.cost_usd == pytest.approx(haiku(600, 60))
    assert run.total_usage.model_calls == 2
    assert run.total_usage.cost_usd == pytest.approx(haiku(1200, 300) + haiku(600, 60))
    # The model saw both candidates with their aliases and best KRA matches.
    ask = stub.message_requests()[1].body
    assert isinstance(ask, dict)
    content = ask["messages"][0]["content"]
    assert all(f"[{slug}]" in content for slug in _twin_slugs(runtime))
    assert "aliases: " in content and 'KRA "' in content and f"Title: {TWIN_TITLE}" in content


def test_tie_break_none_proposes_a_new_role(twin: tuple[str, Runtime], stub: AnthropicStub) -> None:
    _, runtime = twin
    _queue_twin_stage1(runtime, stub)
    stub.queue.append(ok({"choice": "none", "reasoning": "Neither role models insights.", "confidence": 0.7}))

    run, _ = runtime.core.extract_from_jd(extract_request(TWIN_JD))

    decision = run.extraction.decision
    assert decision.case_letter == "E" and decision.is_new_role and not decision.chosen_role.name
    assert decision.new_role.slug == "insights-modeller" and decision.chosen_role.source == "proposed"
    assert decision.llm2_fired and not decision.tie_break_is_rule
    assert decision.llm2_reasoning == "Neither role models insights."
    assert decision.queued and run.extraction.updates.new_role_review_item.startswith("reviewItems/")
    assert metrics_of(run, run_pb2.STAGE_TIE_BREAK).backend == ANTHROPIC


def test_tie_break_failure_keeps_the_rule_and_records_why(
    twin: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    _, runtime = twin
    _queue_twin_stage1(runtime, stub)
    stub.queue.append(api_error(400, "invalid_request_error", "bad request"))

    run, _ = runtime.core.extract_from_jd(extract_request(TWIN_JD, dry_run=True))

    decision = run.extraction.decision
    assert decision.case_letter == "D" and decision.tie_break_is_rule
    assert decision.llm2_reasoning.startswith("Offline tie-break rule:")
    assert "(model tie-break fell back: API error (400, invalid_request_error))" in decision.llm2_reasoning
    tie = metrics_of(run, run_pb2.STAGE_TIE_BREAK)
    assert tie.backend == OFFLINE and tie.fallback_reason == "API error (400, invalid_request_error)"
    assert metrics_of(run, run_pb2.STAGE_EXTRACT).backend == ANTHROPIC  # stage 1 itself was fine
    assert any(w.startswith("tie-break fell back to the offline rule") for w in run.warnings)


# ------------------------------------------------------------------------------------- facts


def test_extract_facts_from_the_environment_reach_the_run(
    esco_template: Path, tmp_path: Path, stub: AnthropicStub
) -> None:
    """JDLENS_LLM_EXTRACT_FACTS=1, read from the environment as a server does: stage 1 asks for the
    facts, and the model's (work mode, employment type, experience, education, places) replace the
    parser's in the run, each with its quote located in the JD's own text (across the cut
    boilerplate, a straight apostrophe for the JD's curly one); a fact whose quote the JD does not
    contain is left out and counted."""
    url = copy_sqlite(esco_template, tmp_path)
    environ = {
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_BASE_URL": stub.url,
        "JDLENS_LLM_EXTRACT_FACTS": "1",
    }
    offline = parse_jd(REFERENCE_JD)
    assert offline.experience is not None and offline.experience.min_years == 8
    assert offline.work_mode.value == offline.employment_type.value == "UNSPECIFIED"
    runtime = build_runtime(url, backend="anthropic", environ=environ)
    try:
        hints = hints_of(runtime, REFERENCE_JD)
        facts: dict[str, object] = {
            "mode": "remote",
            "emp": "full_time",
            "exp": {"min": 5, "max": None, "q": "5+ years of work experience designing"},
            "edu": [
                {"level": "Master's", "field": "Computer Science", "req": "preferred", "q": "Master's Degree"}
            ],
            "certs": [{"name": "AWS Certified", "req": "preferred", "q": "AWS Certified Data Engineer"}],
            "pay": None,
            "places": [{"city": "Toronto", "state": "", "country": "Canada", "mode": "remote"}],
        }
        stub.queue.append(ok(stage1_answer(hints, hints[:2]) | facts))
        run, _ = runtime.core.extract_from_jd(
            extract_request(REFERENCE_JD, backend=common_pb2.BACKEND_UNSPECIFIED, dry_run=True)
        )
        with pytest.raises(LlmConfigError, match="JDLENS_LLM_EXTRACT_FACTS"):
            build_runtime(url, backend="anthropic", environ={**environ, "JDLENS_LLM_EXTRACT_FACTS": "maybe"})
    finally:
        runtime.close()

    (sent,) = stub.message_requests()
    assert isinstance(sent.body, dict)
    assert sent.body["output_config"]["format"]["schema"] == EXTRACTION_SCHEMA_WITH_FACTS
    assert "Facts;" in sent.body["system"][0]["text"]
    assert metrics_of(run, run_pb2.STAGE_EXTRACT).backend == ANTHROPIC
    parsed = run.extraction.parsed
    assert parsed.work_mode == parsed_jd_pb2.WORK_MODE_REMOTE
    assert parsed.employment_type == parsed_jd_pb2.EMPLOYMENT_TYPE_FULL_TIME
    exp = parsed.experience
    assert (exp.min_years, exp.min_months) == (5, 60) and not exp.HasField("max_years")
    assert run.jd_text[exp.span.start : exp.span.end] == exp.raw == "5+ years of work experience designing"
    (edu,) = parsed.education
    assert edu.level == "Master's" and edu.requirement == parsed_jd_pb2.REQUIREMENT_PREFERRED
    assert run.jd_text[edu.span.start : edu.span.end] == edu.raw == "Master\u2019s Degree"
    assert not parsed.certifications  # its quote is not in the JD: left out, the parser had none
    assert any("1 quote(s) not found in the JD were dropped" in w for w in run.warnings), run.warnings
    (place,) = parsed.job_locations
    assert (place.city, place.country, place.work_mode) == (
        "Toronto",
        "Canada",
        parsed_jd_pb2.WORK_MODE_REMOTE,
    )
    toronto = offline.locations[0]
    assert (place.span.start, place.span.end) == (toronto.start, toronto.end)  # the parser's offsets


# ------------------------------------------------------------------------------------- configuration


def test_analyze_says_what_the_server_needs_for_anthropic(
    esco_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jdlens analyze --server X --backend anthropic` against a server without a key: the error
    printed carries the server's PreconditionFailure (the key goes in *its* environment)."""
    from jdlens_server import render

    url = copy_sqlite(esco_template, tmp_path)
    runtime = build_runtime(url, environ={"JDLENS_BACKEND": "offline"})
    try:
        with embedded_server(runtime) as target:
            status = render.analyze_files(
                target, [("jd.txt", REFERENCE_JD)], title="", as_json=False, dry_run=True, backend=ANTHROPIC
            )
    finally:
        runtime.close()
    err = capsys.readouterr().err
    assert status == 1
    assert "jd.txt: FAILED_PRECONDITION: " in err
    assert "  anthropic: set ANTHROPIC_API_KEY in the server's environment" in err


async def test_anthropic_without_a_key_is_failed_precondition(esco_template: Path, tmp_path: Path) -> None:
    url = copy_sqlite(esco_template, tmp_path)
    with pytest.raises(LlmConfigError, match="ANTHROPIC_API_KEY is not set"):
        build_runtime(url, backend="anthropic", environ={})
    runtime = build_runtime(url, environ={"JDLENS_BACKEND": "offline"})
    try:
        async with running_server(url, pipeline=runtime.core) as h:
            with pytest.raises(aio.AioRpcError) as caught:
                await h.pipeline.AnalyzeJd(analyze_request(REFERENCE_JD))
            error = caught.value
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "ANTHROPIC_API_KEY is not set" in (error.details() or "")
            (violation,) = detail_of(error, error_details_pb2.PreconditionFailure).violations
            assert violation.type == "BACKEND" and violation.subject == "anthropic"
            # The default (offline) still serves, and so does an explicit offline request.
            for backend in (common_pb2.BACKEND_UNSPECIFIED, OFFLINE):
                run = (await h.pipeline.ExtractFromJd(extract_request(REFERENCE_JD, backend=backend))).run
                assert run.backend == OFFLINE and metrics_of(run, run_pb2.STAGE_EXTRACT).backend == OFFLINE
    finally:
        runtime.close()


def test_server_default_backend_applies_to_requests_that_name_none(
    esco_template: Path, tmp_path: Path, backend: AnthropicBackend, stub: AnthropicStub
) -> None:
    url = copy_sqlite(esco_template, tmp_path)
    runtime = build_runtime(url, backend="anthropic", llm=LlmProvider.of(backend))
    try:
        stub.queue.append(ok(stage1_answer(hints_of(runtime, REFERENCE_JD))))
        run, _ = runtime.core.extract_from_jd(
            extract_request(REFERENCE_JD, backend=common_pb2.BACKEND_UNSPECIFIED)
        )
        assert run.backend == ANTHROPIC and run.options.backend == ANTHROPIC
        assert metrics_of(run, run_pb2.STAGE_EXTRACT).backend == ANTHROPIC
    finally:
        runtime.close()


# ------------------------------------------------------------------------------------- ListRuns


async def test_list_runs_page_usage_sums_the_pages_runs(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    url, runtime = esco
    hints = hints_of(runtime, REFERENCE_JD)
    stub.queue.append(
        ok(stage1_answer(hints), input_tokens=2000, output_tokens=200, cache_read_input_tokens=4000)
    )
    stub.queue.extend([ok("{"), ok("{")])  # the second JD's answers are invalid: a fallback run
    async with running_server(url, pipeline=runtime.core) as h:
        texts = [REFERENCE_JD, REFERENCE_JD + "\nReference: B-2", REFERENCE_JD + "\nReference: C-3"]
        runs = []
        for text, backend in zip(texts, (ANTHROPIC, ANTHROPIC, OFFLINE), strict=True):
            runs.append((await h.pipeline.ExtractFromJd(extract_request(text, backend=backend))).run)
            time.sleep(0.002)  # distinct create times: the page order is by time
        whole = await h.runs.ListRuns(run_service_pb2.ListRunsRequest(page_size=10))
        newest_two = await h.runs.ListRuns(run_service_pb2.ListRunsRequest(page_size=2))

    model, fallback, offline = runs
    assert model.total_usage.model_calls == 1 and fallback.total_usage.model_calls == 2
    assert offline.total_usage.model_calls == 0 and offline.total_usage.cost_usd == 0
    assert [r.name for r in whole.runs] == [r.name for r in reversed(runs)]
    assert _usage(whole.page_usage) == (2000 + 2400, 200 + 600, 0, 4000, 3)
    assert whole.page_usage.cost_usd == pytest.approx(haiku(2000, 200, read=4000) + 2 * haiku(1200, 300))
    assert whole.page_usage.service_tier == "standard"
    assert whole.runs[0].total_usage == offline.total_usage  # the summary mask keeps total_usage
    assert _usage(newest_two.page_usage) == (2400, 600, 0, 0, 2)
    assert newest_two.page_usage.cost_usd == pytest.approx(2 * haiku(1200, 300))


# ------------------------------------------------------------------------------------- batches


COMPANIES = ["Alpha Ads", "Beta Bids", "Gamma Media"]


def test_stream_with_message_batches_goes_through_the_batch_api(
    esco: tuple[str, Runtime], stub: AnthropicStub, tmp_path: Path
) -> None:
    """`jdlens batch --llm-batch` over AnalyzeJdStream: the stream's stage-1 calls go out as one
    Message Batch; each run gets its own answer back by custom id; the errored entry is retried
    alone at the standard price."""
    _, runtime = esco
    texts = [REFERENCE_JD.replace("Index Exchange", company) for company in COMPANIES]
    hints = hints_of(runtime, texts[0])
    assert all(hints_of(runtime, t) == hints for t in texts)

    def answer_for(content: str) -> dict[str, object]:
        company = next(c for c in COMPANIES if c in content)
        return stage1_answer(hints, hints[:2], company=company)

    def outcome(custom_id: str, params: Mapping[str, object]) -> dict[str, object]:
        messages = params["messages"]
        assert isinstance(messages, list)
        content = str(messages[0]["content"])
        if "Beta Bids" in content:
            error = {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
            return {"type": "errored", "error": error}
        return {"type": "succeeded", "message": message_json(answer_for(content), service_tier="batch")}

    stub.batch_outcome = outcome
    stub.queue.append(ok(answer_for("Beta Bids")))  # the errored item, retried alone
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": c, "text": t}) + "\n" for c, t in zip(COMPANIES, texts, strict=True))
    )
    out = tmp_path / "out.jsonl"
    args = cli.build_parser().parse_args(
        ["batch", str(source), "--out", str(out), "--llm-batch", "--concurrency", "3", "--no-progress"]
    )
    config = ServerConfig(address="127.0.0.1:0", stream_concurrency=3, batch_window_seconds=5.0)
    with embedded_server(runtime, config) as target:
        args.server = target
        assert batch.cmd_batch(args) == 0

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    runs: dict[str, dict[str, Any]] = {line["id"]: line["run"] for line in lines}
    assert set(runs) == set(COMPANIES)
    assert stub.count("POST", "/v1/messages/batches") == 1
    created = next(r for r in stub.requests if r.path == "/v1/messages/batches")
    assert isinstance(created.body, dict) and len(created.body["requests"]) == 3
    assert len(stub.message_requests()) == 1 and not stub.queue  # the retry; no stage-2 call (no new skills)
    for company, run in runs.items():
        assert run["backend"] == "BACKEND_ANTHROPIC" and run["options"]["useMessageBatches"] is True
        assert run["extraction"]["parsed"]["companyName"] == company
        extract = next(m for m in run["stageMetrics"] if m["stage"] == "STAGE_EXTRACT")
        assert extract["backend"] == "BACKEND_ANTHROPIC" and extract["fallbackReason"] == ""
        tier = extract["usage"]["serviceTier"]
        if company == "Beta Bids":
            assert tier == "standard" and extract["usage"]["costUsd"] == pytest.approx(haiku(1200, 300))
        else:
            assert tier == "batch" and extract["usage"]["costUsd"] == pytest.approx(
                haiku(1200, 300, batch=True)
            )


async def _until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def _stream_items(
    texts: Sequence[str], **options: Any
) -> AsyncIterator[pipeline_service_pb2.AnalyzeJdStreamRequest]:
    async def items() -> AsyncIterator[pipeline_service_pb2.AnalyzeJdStreamRequest]:
        for n, text in enumerate(texts):
            yield pipeline_service_pb2.AnalyzeJdStreamRequest(
                request_id=f"item-{n}",
                jd=pipeline_service_pb2.JdInput(text=text),
                options=run_pb2.RunOptions(**options),
            )

    return items()


async def test_cancelled_stream_stops_polling_its_batch_and_cancels_it(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    """The stream's cancel hook: a client that cancels AnalyzeJdStream while its Message Batch is
    out stops the polling (no pool thread waits on the batch for up to a day) and the batch is
    cancelled at the API. One worker thread, so a later call proves that thread was freed."""
    url, runtime = esco
    stub.batch_polls = 10**9  # the batch never ends on its own
    texts = [REFERENCE_JD.replace("Index Exchange", company) for company in COMPANIES[:2]]
    config = ServerConfig(max_workers=1, stream_concurrency=2, batch_window_seconds=0.05)
    async with running_server(url, config, pipeline=runtime.core) as h:
        call = h.pipeline.AnalyzeJdStream(
            _stream_items(texts, backend=ANTHROPIC, use_message_batches=True, dry_run=True)
        )
        await _until(lambda: any(r.path.startswith("/v1/messages/batches/") for r in list(stub.requests)))
        (batch_id,) = {
            r.path.split("/")[4] for r in stub.requests if r.path.startswith("/v1/messages/batches/")
        }
        poll, cancel = f"/v1/messages/batches/{batch_id}", f"/v1/messages/batches/{batch_id}/cancel"
        await _until(lambda: stub.count("GET", poll) >= 3)

        call.cancel()

        await _until(lambda: stub.count("POST", cancel) == 1)
        polls = stub.count("GET", poll)
        await asyncio.sleep(0.2)  # ~50 poll intervals
        assert stub.count("GET", poll) == polls, "polling stopped"
        assert await call.code() == grpc.StatusCode.CANCELLED
        # The one worker thread is free again: an offline call is served at once.
        began = time.perf_counter()
        run = (
            await h.pipeline.ExtractFromJd(extract_request(REFERENCE_JD, backend=OFFLINE, dry_run=True))
        ).run
        assert run.status == run_pb2.RUN_STATUS_EXTRACTED and time.perf_counter() - began < 10
    created = next(r for r in stub.requests if r.path == "/v1/messages/batches")
    assert isinstance(created.body, dict) and len(created.body["requests"]) == 2
    assert stub.count("POST", cancel) == 1 and not stub.message_requests()


async def test_message_batches_on_an_offline_run_only_add_a_warning(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    """use_message_batches on an item that runs offline (the server's default backend, the item
    naming none): the run is the offline run plus a warning, and no model or batch call is made.
    Naming the offline backend explicitly with it is a contradiction: INVALID_ARGUMENT."""
    url, runtime = esco
    assert runtime.core.default_backend == OFFLINE
    async with running_server(url, pipeline=runtime.core) as h:
        replies = [
            r
            async for r in h.pipeline.AnalyzeJdStream(
                _stream_items([REFERENCE_JD], use_message_batches=True, dry_run=True)
            )
        ]
        unary = (
            await h.pipeline.AnalyzeJd(
                analyze_request(
                    REFERENCE_JD,
                    backend=common_pb2.BACKEND_UNSPECIFIED,
                    use_message_batches=True,
                    dry_run=True,
                )
            )
        ).run
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(
                analyze_request(REFERENCE_JD, backend=OFFLINE, use_message_batches=True)
            )
    offline, _ = runtime.core.analyze_jd(analyze_request(REFERENCE_JD, backend=OFFLINE, dry_run=True))

    (reply,) = replies
    assert reply.HasField("run"), reply
    warning = "use_message_batches has no effect: the run used the offline backend"
    for run in (reply.run, unary):
        assert run.backend == OFFLINE and run.status == run_pb2.RUN_STATUS_COMPLETED
        assert warning in run.warnings and warning not in offline.warnings
        assert [w for w in run.warnings if w != warning] == list(offline.warnings)
        assert {m.stage: m.backend for m in run.stage_metrics} == {
            m.stage: OFFLINE for m in run.stage_metrics
        }
        assert run.total_usage.model_calls == 0 and run.total_usage.cost_usd == 0
        assert [(s.skill_name, s.is_primary) for s in run.extraction.skills] == [
            (s.skill_name, s.is_primary) for s in offline.extraction.skills
        ]
    assert not stub.requests  # no model call, no batch
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "options.use_message_batches" in {
        v.field for v in detail_of(caught.value, error_details_pb2.BadRequest).field_violations
    }


# ------------------------------------------------------------------------------------- eval


def test_eval_takes_the_anthropic_backend(
    esco_template: Path,
    tmp_path: Path,
    stub: AnthropicStub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = copy_sqlite(esco_template, tmp_path)
    labelled = tmp_path / "jobads.csv"
    labelled.write_text(
        "title,description,esco_code\n"
        f'Data Engineer,"{REFERENCE_JD.replace(chr(34), chr(39))}",2511.4\n'
        f'Data Scientist,"{REFERENCE_JD.replace(chr(34), chr(39))} Ref 2",2511.4\n'
    )
    # Configured from the environment, as in production: the key, the stub's URL, the default model.
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", stub.url)
    stub.queue.extend(ok(stage1_answer([], titles=[t])) for t in ("Data Engineer", "Data Scientist"))

    code = cli.main(["eval", "jobads", str(labelled), "--db", url, "--backend", "anthropic", "--json"])

    assert code == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["model_calls"] == 2 and metrics["runs_with_fallback"] == 0
    assert metrics["cost_usd"] == pytest.approx(2 * haiku(1200, 300), abs=1e-6)
    assert all(
        r.body["model"] == "claude-haiku-4-5" for r in stub.message_requests() if isinstance(r.body, dict)
    )


# ------------------------------------------------------------------------------------- latency


def test_added_server_latency_of_the_model_path_is_small(
    esco: tuple[str, Runtime], stub: AnthropicStub
) -> None:
    """Stage 1 on the anthropic backend against a stub that answers at once, minus the same stage
    offline: what the model path adds on the server (request building, the SDK, localhost HTTP,
    validation, quote location, skill resolution), model time excluded."""
    _, runtime = esco
    hints = hints_of(runtime, REFERENCE_JD)
    answer = stage1_answer(
        hints, hints[:6], hints[6:], new_core=["Kafka", "StarRocks"], new_extra=["Kubernetes"]
    )
    rounds = 9
    stub.queue.extend(ok(answer) for _ in range(rounds + 2))
    model_ms: list[float] = []
    offline_ms: list[float] = []

    def timed(backend: common_pb2.Backend.ValueType) -> float:
        began = time.perf_counter()
        runtime.core.extract_from_jd(extract_request(REFERENCE_JD, backend=backend, dry_run=True))
        return (time.perf_counter() - began) * 1000

    for _ in range(2):  # warm up: connections, caches
        timed(ANTHROPIC)
        timed(OFFLINE)
    for _ in range(rounds):
        model_ms.append(timed(ANTHROPIC))
        offline_ms.append(timed(OFFLINE))
    assert not stub.queue, "every anthropic round made its model call"
    added = statistics.median(model_ms) - statistics.median(offline_ms)
    print(
        f"\nstage 1 on a {len(REFERENCE_JD)}-char JD: anthropic (stub) median {statistics.median(model_ms):.1f} ms, "
        f"offline {statistics.median(offline_ms):.1f} ms, added {added:.1f} ms"
    )
    # The figure is the printed measurement (README "Added latency"); timings are the benchmarks'
    # business, so the bound only catches a pathological regression, not a slow machine.
    assert added <= 500.0


def test_a_batched_run_reuses_the_parse_its_model_request_was_prepared_from(
    esco: tuple[str, Runtime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch path parses and matches a JD once: preparing its model call, not again in the run."""
    _, runtime = esco
    request = analyze_request(REFERENCE_JD, use_message_batches=True, dry_run=True)
    wanted = runtime.core.model_request(request)
    assert wanted is not None
    parses: list[str] = []

    def counted(text: str, **kwargs: Any) -> Any:
        parses.append(text)
        return parse_jd(text, **kwargs)

    monkeypatch.setattr(extract_module, "parse_jd", counted)
    # A batch entry that failed: stage 1 falls back to its offline reading of the same parse.
    prefetched = Prefetched(wanted.hints, LlmFallback("batch entry errored"), wanted.prepared)
    run, _ = runtime.core.analyze_jd(request, prefetched)
    assert parses == []
    assert run.extraction.parsed.company_name == "Index Exchange"
    assert {s.skill_name for s in run.extraction.skills} == {c.name for c in wanted.prepared.candidates}
