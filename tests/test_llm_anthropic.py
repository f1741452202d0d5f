"""The anthropic backend, end to end through the real SDK against a local stub of the API.

Nothing here reaches the network: the SDK's ``base_url`` is the stub (tests/anthropic_stub.py),
served over HTTP from this process. Backoff and polling settings are tiny so the suite stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from anthropic.lib._parse._transform import transform_schema

from anthropic_stub import AnthropicStub, StubResponse, api_error, message_json, ok, overloaded
from jdlens.v1 import common_pb2
from jdlens_server.bench import shipped_jds
from jdlens_server.llm import (
    AnthropicBackend,
    AnthropicConfig,
    BatchLlmBackend,
    LlmBackend,
    LlmConfigError,
    LlmExtraction,
    LlmFallback,
    StageModels,
    TieBreakCandidate,
    TieBreakKra,
    load_prices,
    locate_quotes,
)
from jdlens_server.llm.anthropic_backend import extraction_request
from jdlens_server.llm.backend import Outcome
from jdlens_server.llm.breaker import BreakerConfig, BreakerState, CircuitBreaker
from jdlens_server.llm.cancel import Cancellation
from jdlens_server.llm.config import BatchPolicy, RetryPolicy
from jdlens_server.llm.jsoncheck import validate
from jdlens_server.llm.prices import PriceError, PriceTable, parse_prices
from jdlens_server.llm.schema import (
    EXTRACTION_SCHEMA,
    EXTRACTION_SCHEMA_WITH_FACTS,
    SKILL_META_SCHEMA,
    TIE_BREAK_SCHEMA,
)
from jdlens_server.nlp.parsed import EmploymentType, JdType, PayPeriod, Requirement, Seniority, WorkMode
from jdlens_server.pipeline import llm_budget
from jdlens_server.pipeline.llm_budget import estimate, recorded_inputs, typical_answer

KEY = "sk-ant-test-0123456789abcdefSECRET"


def _unwrap(source: str) -> str:
    """Join wrapped lines back into paragraphs; a bullet or a line after a blank starts a new line."""
    out: list[str] = []
    for line in source.strip("\n").split("\n"):
        if out and line and not line.startswith("•") and out[-1]:
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out) + "\n"


# A made-up 2.9k-character JD: curly apostrophes, bullets, an en dash, "Go" as a verb and a skill.
JD = _unwrap("""
Senior Data Engineer

Northwind Analytics is a retail analytics company helping grocery chains understand demand.
We\u2019re looking for a Senior Data Engineer to join our platform team in Lisbon, Portugal (hybrid,
three days a week in the office).

About the role

You will design, build and run the pipelines that move point-of-sale and loyalty data from
hundreds of stores into our lakehouse, and make that data available to analysts, data scientists
and customers. Things move fast here and you will often be on the go between teams, so clear
communication matters.

What you\u2019ll do

• Design, implement and maintain batch and streaming data pipelines with Apache Spark and Kafka
• Orchestrate workflows in Airflow and keep them observable and cheap to run
• Model data for analytics in dbt and Snowflake, with tests and documentation
• Improve the performance and reliability of our ingestion services, written in Python and Go
• Review code, mentor two junior engineers and help shape our engineering practices
• Work with product managers to turn customer questions into data products

What you bring

• 5+ years of experience building data pipelines in production
• Strong SQL and Python; experience with Scala is a plus
• Hands-on experience with Apache Spark, Kafka and a cloud data warehouse (Snowflake, BigQuery
or Redshift)
• Experience with infrastructure as code (Terraform) and containers (Docker, Kubernetes)
• Familiarity with data quality tooling such as Great Expectations
• A degree in Computer Science, Engineering or a related field, or equivalent experience
• AWS Certified Data Engineer \u2013 Associate is nice to have

What we offer

• Salary between €65,000 and €80,000 per year, plus an annual bonus
• Private health insurance and a yearly learning budget
• 25 days of paid holiday
• A modern office near Cais do Sodré with free lunch on Tuesdays

This is a full-time, permanent position. Northwind Analytics is an equal opportunity employer. We
welcome applications from people of every background, and we do not discriminate on the basis of
race, religion, gender, sexual orientation, age or disability. If you need an accommodation during
the recruitment process, please tell your recruiter.

Our hiring process has four steps: a 30-minute call with the recruiter, a technical conversation
with two engineers about a pipeline you have built, a short take-home exercise that we pay for, and
a final meeting with the head of data. We aim to give you an answer within two weeks of your first
call, and we give feedback at every stage.

Please note that Northwind Analytics will never ask candidates for payment or bank details during
the hiring process, and all our emails come from the northwind-analytics.com domain. Our
engineering blog is at https://blog.northwind-analytics.com and our code of conduct is published
on Google Docs for everyone to read.
""")

# Dictionary hits as the offline matcher would pass them ("Google Docs" is a false hit).
HINTS = [
    "Python",
    "SQL",
    "Apache Spark",
    "Apache Kafka",
    "Airflow",
    "dbt",
    "Snowflake",
    "Go",
    "Scala",
    "Terraform",
    "Docker",
    "Kubernetes",
    "Google Docs",
]


def answer(**changes: object) -> dict[str, object]:
    """A schema-valid stage-1 answer for JD, as a careful model would give it."""
    base: dict[str, object] = {
        "reject": "",
        "titles": ["Senior Data Engineer", "Data Engineer", "Big Data Engineer"],
        "family": "Data",
        "company": "Northwind Analytics",
        "domains": ["Retail Analytics"],
        "core": [0, 1, 2, 3, 4, 5, 6],
        "extra": [7, 8, 9, 10, 11, 7],
        # Added skills in the JD's words: case and spacing may differ ("mentor two junior  engineers");
        # "Rust" is invented (not in the JD) and gets dropped.
        "new_core": ["data pipelines"],
        "new_extra": ["Great Expectations", "Mentor two junior  engineers", "BigQuery", "Rust", "Scala"],
    }
    base.update(changes)
    return base


def answer_with_facts(**changes: object) -> dict[str, object]:
    facts: dict[str, object] = {
        "mode": "hybrid",
        "emp": "full_time",
        "exp": {"min": 5, "max": None, "q": "5+ years of experience building data pipelines"},
        "edu": [
            {
                "level": "Bachelor's",
                "field": "Computer Science, Engineering or a related field",
                "req": "required",
                "q": "A degree in Computer Science",
            }
        ],
        # The JD has an en dash; models often write a hyphen.
        "certs": [
            {
                "name": "AWS Certified Data Engineer",
                "req": "preferred",
                "q": "AWS Certified Data Engineer - Associate",
            }
        ],
        "pay": {
            "min": 65000,
            "max": 80000,
            "cur": "eur",
            "per": "year",
            "q": "between €65,000 and €80,000 per year",
        },
        "places": [{"city": "Lisbon", "state": "", "country": "Portugal", "mode": "hybrid"}],
    }
    return answer(**(facts | changes))


# A price table for the tests (so they do not move when the shipped table is updated).
PRICES: PriceTable = parse_prices(
    {
        "meta": {"as_of": "2026-01-01", "source": "test", "batch_discount": 0.5},
        "models": {
            "claude-haiku-4-5": {
                "input": 1.0,
                "output": 5.0,
                "cache_write_5m": 1.25,
                "cache_write_1h": 2.0,
                "cache_read": 0.1,
                "aliases": ["claude-haiku-4-5-20251001"],
            },
            "claude-sonnet-4-6": {
                "input": 3.0,
                "output": 15.0,
                "cache_write_5m": 3.75,
                "cache_write_1h": 6.0,
                "cache_read": 0.3,
            },
        },
    }
)


def haiku_cost(inp: int, out: int, write: int = 0, read: int = 0) -> float:
    return (inp * 1.0 + out * 5.0 + write * 1.25 + read * 0.1) / 1e6


def make_backend(stub: AnthropicStub, **changes: Any) -> AnthropicBackend:
    config = AnthropicConfig(
        base_url=stub.url,
        timeout_s=2.0,
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.005, deadline_s=10.0),
        breaker=BreakerConfig(failure_threshold=2, cooldown_s=60.0),
        batch=BatchPolicy(poll_initial_s=0.001, poll_max_s=0.004),
    )
    return AnthropicBackend(replace(config, **changes), prices=PRICES, environ={"ANTHROPIC_API_KEY": KEY})


@pytest.fixture(scope="module")
def shared_backend(shared_stub: AnthropicStub) -> Iterator[AnthropicBackend]:
    # One SDK client for the module: building one loads TLS settings, ~0.1-0.3 s each.
    made = make_backend(shared_stub)
    yield made
    made.close()


@pytest.fixture
def backend(stub: AnthropicStub, shared_backend: AnthropicBackend) -> AnthropicBackend:
    shared_backend.breaker = CircuitBreaker(shared_backend.config.breaker)  # a fresh breaker per test
    return shared_backend


def _span_text(text: str, start: int, end: int) -> str:
    return text[start:end]


# ------------------------------------------------------------------------------------- stage 1


def test_extract_success_usage_cost_and_request_shape(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(
        ok(
            answer(),
            input_tokens=700,
            output_tokens=310,
            cache_creation_input_tokens=1000,
            cache_read_input_tokens=3000,
        )
    )
    as_protocol: LlmBackend = backend
    result = as_protocol.extract(JD, hints=HINTS)

    u = result.usage
    assert (u.input_tokens, u.output_tokens) == (700, 310)
    assert (u.cache_creation_input_tokens, u.cache_read_input_tokens) == (1000, 3000)
    assert u.service_tier == "standard" and u.model_calls == 1
    assert u.cost_usd == pytest.approx(haiku_cost(700, 310, write=1000, read=3000))
    assert u.model == "claude-haiku-4-5-20251001"
    assert u.latency_ms >= u.model_ms > 0
    assert result.fallback_reason is None
    proto = u.to_proto()
    assert proto.cache_read_input_tokens == 3000 and proto.cost_usd == pytest.approx(u.cost_usd)

    # The request: default model, cacheable fixed instructions, the schema as structured output.
    (sent,) = stub.message_requests()
    body = sent.body
    assert isinstance(body, dict)
    assert body["model"] == "claude-haiku-4-5"
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": EXTRACTION_SCHEMA}}
    user = body["messages"][0]["content"]
    assert JD in user and all(f"{i} {h}\n" in user for i, h in enumerate(HINTS))
    assert KEY in (
        sent.headers.get("x-api-key"),
        sent.headers.get("authorization", "").removeprefix("Bearer "),
    )
    assert sent.headers.get("x-stainless-retry-count", "0") == "0"

    # The fields.
    assert result.jd_type is JdType.PASS and result.reject_reason is None
    assert result.role_title == "Senior Data Engineer"
    assert result.role_aliases == ("Data Engineer", "Big Data Engineer")
    assert result.seniority is Seniority.SENIOR  # not asked: the offline rule over the model's title
    assert result.role_archetype == "Data" and result.company_name == "Northwind Analytics"
    assert result.primary_domain == "Retail Analytics" and result.secondary_domain is None
    # Work mode and employment type are facts: the offline parser's unless the facts are asked for.
    assert result.work_mode is WorkMode.UNSPECIFIED and result.employment_type is EmploymentType.UNSPECIFIED
    assert not result.facts_included and result.experience is None and result.locations == ()

    # Skills: hits confirmed as primary/secondary (a duplicate kept once), the false hit rejected,
    # added skills located in the JD, the invented one dropped.
    by_name = {s.name: s for s in result.skills}
    assert [s.name for s in result.skills if s.is_primary and s.hint_index is not None] == HINTS[:7]
    assert {n for n, s in by_name.items() if s.hint_index is not None and not s.is_primary} == set(
        HINTS[7:12]
    )
    assert result.rejected_hints == ("Google Docs",)
    assert (
        by_name["Go"].evidence
        and _span_text(JD, by_name["Go"].evidence[0].start, by_name["Go"].evidence[0].end) == "Go"
    )
    assert "Rust" not in by_name and result.dropped_skills == 1 and result.dropped_quotes == 1
    assert by_name["Scala"].hint_index == 8  # a hit repeated as an added skill stays the hit
    added = [s for s in result.skills if s.hint_index is None]
    assert [(s.name, s.is_primary) for s in added] == [
        ("data pipelines", True),
        ("Great Expectations", False),
        ("Mentor two junior  engineers", False),
        ("BigQuery", False),
    ]
    assert [_span_text(JD, s.evidence[0].start, s.evidence[0].end) for s in added] == [
        "data pipelines",
        "Great Expectations",
        "mentor two junior engineers",
        "BigQuery",
    ]


def test_extract_with_facts_locates_their_quotes(stub: AnthropicStub) -> None:
    backend = make_backend(stub, extract_facts=True)
    stub.queue.append(ok(answer_with_facts()))

    result = backend.extract(JD, hints=HINTS)

    (sent,) = stub.message_requests()
    assert isinstance(sent.body, dict)
    assert sent.body["output_config"]["format"]["schema"] == EXTRACTION_SCHEMA_WITH_FACTS
    assert "Facts;" in sent.body["system"][0]["text"]
    assert result.facts_included
    assert result.work_mode is WorkMode.HYBRID and result.employment_type is EmploymentType.FULL_TIME
    assert result.experience is not None and result.experience.min_years == 5
    assert result.experience.span is not None
    assert _span_text(JD, result.experience.span.start, result.experience.span.end) == result.experience.quote
    (cert,) = result.certifications
    assert cert.requirement is Requirement.PREFERRED and cert.span is not None
    assert _span_text(JD, cert.span.start, cert.span.end) == "AWS Certified Data Engineer \u2013 Associate"
    assert result.compensation is not None
    assert result.compensation.period is PayPeriod.YEAR and result.compensation.currency == "EUR"
    assert result.compensation.span is not None
    assert result.locations[0].city == "Lisbon" and result.locations[0].work_mode is WorkMode.HYBRID
    assert result.dropped_quotes == 1  # only the invented skill, as in the lean answer
    backend.close()


def test_invalid_output_is_repaired_with_the_errors(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(ok(answer(core=[0, 42]), input_tokens=900, output_tokens=200))
    stub.queue.append(ok(answer(), input_tokens=1200, output_tokens=300))

    result = backend.extract(JD, hints=HINTS)

    assert result.usage.model_calls == 2
    assert result.usage.input_tokens == 2100 and result.usage.output_tokens == 500
    assert result.usage.cost_usd == pytest.approx(haiku_cost(2100, 500))
    first, second = stub.message_requests()
    assert isinstance(first.body, dict) and isinstance(second.body, dict)
    turns = second.body["messages"]
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[0] == first.body["messages"][0]
    assert json.loads(turns[1]["content"])["core"] == [0, 42]
    assert "$.core[1]: 42 is not a hit number (0..12)" in turns[2]["content"]


def test_invalid_twice_falls_back_with_the_cost_spent(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    broken = {k: v for k, v in answer().items() if k != "new_core"}
    stub.queue.append(ok(broken, input_tokens=1000, output_tokens=250))
    stub.queue.append(ok("{not json", input_tokens=1100, output_tokens=10))

    with pytest.raises(LlmFallback) as caught:
        backend.extract(JD, hints=HINTS)

    assert caught.value.reason.startswith("invalid output after one repair: not valid JSON")
    assert caught.value.usage.model_calls == 2
    assert caught.value.usage.cost_usd == pytest.approx(haiku_cost(2100, 260))
    repair = stub.message_requests()[1].body
    assert isinstance(repair, dict)
    assert "$: missing required property 'new_core'" in repair["messages"][2]["content"]
    assert backend.breaker.state is BreakerState.CLOSED  # the API answered: not an outage


def test_truncated_answer_falls_back_without_a_repair(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(ok('{"reject": "", "tit', stop_reason="max_tokens"))
    with pytest.raises(LlmFallback, match="truncated at max_tokens"):
        backend.extract(JD, hints=HINTS)
    assert len(stub.message_requests()) == 1


def test_rate_limited_then_success(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(api_error(429, "rate_limit_error", "Number of request tokens has exceeded your limit"))
    stub.queue.append(ok(answer()))

    result = backend.extract(JD, hints=HINTS)

    assert len(stub.message_requests()) == 2
    assert result.usage.model_calls == 1  # a 429 is not billed
    assert result.role_title == "Senior Data Engineer"


def test_overloaded_beyond_retry_budget_falls_back_and_opens_breaker(
    stub: AnthropicStub, backend: AnthropicBackend
) -> None:
    for _ in range(6):
        stub.queue.append(overloaded())

    for _ in range(2):  # failure_threshold=2 consecutive failed calls, 3 attempts each
        with pytest.raises(LlmFallback) as caught:
            backend.extract(JD, hints=HINTS)
        assert caught.value.reason == "overloaded (529, overloaded_error) after 3 attempts"
    assert len(stub.message_requests()) == 6
    assert backend.breaker.state is BreakerState.OPEN

    began = time.perf_counter()
    with pytest.raises(LlmFallback, match=r"^circuit open$"):
        backend.extract(JD, hints=HINTS)
    assert len(stub.message_requests()) == 6  # failed fast: the stub saw nothing
    assert time.perf_counter() - began < 0.05


def test_non_retryable_error_is_not_retried(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(
        api_error(400, "invalid_request_error", "messages: text content blocks must be non-empty")
    )
    with pytest.raises(LlmFallback, match=r"^API error \(400, invalid_request_error\)$"):
        backend.extract(JD, hints=HINTS)
    assert len(stub.message_requests()) == 1


def test_slow_response_beyond_timeout_falls_back(stub: AnthropicStub) -> None:
    fast = make_backend(
        stub, timeout_s=0.2, retry=RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.001)
    )
    slow = message_json(answer())
    stub.queue.extend([StubResponse(200, slow, delay_s=1.0), StubResponse(200, slow, delay_s=1.0)])

    began = time.perf_counter()
    with pytest.raises(LlmFallback) as caught:
        fast.extract(JD, hints=HINTS)
    elapsed = time.perf_counter() - began

    assert caught.value.reason == "timeout after 0.2s after 2 attempts"
    assert elapsed < 0.9  # two 0.2 s timeouts, not the stub's 1 s answers
    assert caught.value.usage.model_calls == 0 and caught.value.usage.cost_usd == 0
    fast.close()


def test_retry_deadline_bounds_a_stage(stub: AnthropicStub) -> None:
    # A retry that could not finish inside the deadline is not started.
    tight = make_backend(
        stub,
        timeout_s=0.5,
        retry=RetryPolicy(max_attempts=5, base_delay_s=0.001, max_delay_s=0.001, deadline_s=0.4),
    )
    stub.queue.extend([overloaded() for _ in range(5)])
    with pytest.raises(LlmFallback, match=r"^overloaded \(529, overloaded_error\)$"):
        tight.extract(JD, hints=HINTS)
    assert len(stub.message_requests()) == 1
    tight.close()


# ------------------------------------------------------------------------------------- breaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call, so mypy does not carry narrowing across clock changes


def test_breaker_opens_half_opens_and_closes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(BreakerConfig(failure_threshold=3, cooldown_s=10.0), clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # not consecutive any more
    for _ in range(3):
        assert breaker.allow()
        breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN and not breaker.allow()

    clock.now = 10.0
    assert state(breaker) is BreakerState.HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one probe at a time
    breaker.record_failure()  # the probe failed: open for another cool-down
    assert state(breaker) is BreakerState.OPEN
    clock.now = 15.0
    assert not breaker.allow()
    clock.now = 20.0
    assert breaker.allow()
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED and breaker.allow() and breaker.allow()


# ------------------------------------------------------------------------------------- batches


def test_batch_lifecycle_with_errored_and_expired_items_retried_alone(
    stub: AnthropicStub, backend: AnthropicBackend
) -> None:
    stub.batch_polls = 2

    def outcome(custom_id: str, params: Mapping[str, object]) -> dict[str, object]:
        if custom_id == "jd-1":
            error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            return {"type": "errored", "error": error}
        if custom_id == "jd-2":
            return {"type": "expired"}
        return {"type": "succeeded", "message": message_json(answer(), service_tier="batch")}

    stub.batch_outcome = outcome
    three_hints = answer(titles=["Data Engineer"], core=[0, 1, 2], extra=[])

    def retried(body: Mapping[str, object]) -> StubResponse:  # the two retries run concurrently
        content = json.dumps(body["messages"])
        return ok(answer(titles=["Platform Engineer"]) if "12 Google Docs" in content else three_hints)

    stub.respond = retried
    items = [
        ("first/jd", JD, HINTS),
        ("second jd", JD, HINTS[:3]),
        ("third", JD, HINTS),
        ("fourth", JD, HINTS),
    ]

    batching: BatchLlmBackend = backend
    results = batching.submit_extractions(items)

    assert list(results) == ["first/jd", "second jd", "third", "fourth"]
    assert all(isinstance(r, LlmExtraction) for r in results.values())
    first, second, third, fourth = (r for r in results.values() if isinstance(r, LlmExtraction))
    assert first.usage.service_tier == "batch" and first.usage.model_calls == 1
    assert first.usage.cost_usd == pytest.approx(haiku_cost(1200, 300) / 2)  # half price
    assert fourth.usage.service_tier == "batch"
    # Retried alone at standard price; each matched back to its own item.
    assert second.role_title == "Data Engineer" and second.usage.service_tier == "standard"
    assert second.usage.cost_usd == pytest.approx(haiku_cost(1200, 300))
    assert third.role_title == "Platform Engineer"
    assert [s.name for s in second.skills if s.hint_index is not None] == HINTS[:3]  # its own hints

    assert stub.count("POST", "/v1/messages/batches") == 1
    (batch_id,) = {r.path.split("/")[4] for r in stub.requests if r.path.startswith("/v1/messages/batches/")}
    # Polls: in_progress, in_progress, ended; then the SDK's results() reads the results URL.
    assert stub.count("GET", f"/v1/messages/batches/{batch_id}") == 4
    assert stub.count("GET", f"/v1/messages/batches/{batch_id}/results") == 1
    assert len(stub.message_requests()) == 2
    created = next(r for r in stub.requests if r.path == "/v1/messages/batches")
    assert isinstance(created.body, dict)
    sent = created.body["requests"]
    assert [r["custom_id"] for r in sent] == ["jd-0", "jd-1", "jd-2", "jd-3"]
    assert sent[0]["params"]["output_config"]["format"]["schema"] == EXTRACTION_SCHEMA
    assert sent[0]["params"]["system"][0]["cache_control"] == {"type": "ephemeral"}


def test_batch_item_retry_that_fails_is_a_fallback(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.batch_polls = 0
    stub.batch_outcome = lambda cid, params: (
        {"type": "succeeded", "message": message_json(answer(), service_tier="batch")}
        if cid == "jd-0"
        else {"type": "canceled"}
    )
    stub.queue.append(api_error(400, "invalid_request_error", "bad"))

    results = backend.submit_extractions([("a", JD, HINTS), ("b", JD, HINTS)])

    assert isinstance(results["a"], LlmExtraction)
    fallback = results["b"]
    assert isinstance(fallback, LlmFallback)
    assert fallback.reason == "batch item canceled; retried alone: API error (400, invalid_request_error)"


def test_batch_submit_failure_falls_back_every_item(stub: AnthropicStub) -> None:
    backend = make_backend(stub, base_url=stub.url + "/nowhere")
    results = backend.submit_extractions([("a", JD, HINTS), ("b", JD, [])])
    assert {k: type(v) for k, v in results.items()} == {"a": LlmFallback, "b": LlmFallback}
    assert all(
        isinstance(v, LlmFallback) and v.reason.startswith("batch submit failed") for v in results.values()
    )
    with pytest.raises(ValueError, match="distinct custom ids"):
        backend.submit_extractions([("a", JD, HINTS), ("a", JD, HINTS)])
    backend.close()


def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def _polled_batch(stub: AnthropicStub, polls: int) -> tuple[str, str]:
    """Once the one batch has been polled ``polls`` times: its retrieve and cancel paths."""
    _until(lambda: any(r.path.startswith("/v1/messages/batches/") for r in list(stub.requests)))
    (batch_id,) = {r.path.split("/")[4] for r in stub.requests if r.path.startswith("/v1/messages/batches/")}
    poll = f"/v1/messages/batches/{batch_id}"
    _until(lambda: stub.count("GET", poll) >= polls)
    return poll, f"{poll}/cancel"


def _submit_in_thread(
    backend: AnthropicBackend, items: list[tuple[str, str, list[str]]], cancel: Cancellation | None = None
) -> tuple[threading.Thread, dict[str, Outcome]]:
    got: dict[str, Outcome] = {}
    thread = threading.Thread(target=lambda: got.update(backend.submit_extractions(items, cancel=cancel)))
    thread.start()
    return thread, got


def test_batch_cancelled_while_polling_stops_and_is_cancelled_at_the_api(
    stub: AnthropicStub, backend: AnthropicBackend
) -> None:
    stub.batch_polls = 10**9  # never ends on its own
    cancel = Cancellation()
    thread, got = _submit_in_thread(backend, [("a", JD, HINTS), ("b", JD, HINTS)], cancel)
    poll, cancel_path = _polled_batch(stub, 3)  # submitted, and polling

    cancel.cancel()
    thread.join(timeout=5)

    assert not thread.is_alive(), "the waiting thread was released"
    assert {k: v.reason for k, v in got.items() if isinstance(v, LlmFallback)} == {
        "a": "batch cancelled",
        "b": "batch cancelled",
    }
    _until(lambda: stub.count("POST", cancel_path) == 1)  # the batch is cancelled at the API
    polls = stub.count("GET", poll)
    time.sleep(0.1)  # ~25 poll intervals
    assert stub.count("GET", poll) == polls, "polling stopped"
    assert stub.count("POST", cancel_path) == 1 and not stub.message_requests()
    assert backend.breaker.state is BreakerState.CLOSED  # a cancel is no API failure


def test_closing_the_backend_cancels_a_batch_in_flight_and_later_calls_fall_back(
    stub: AnthropicStub,
) -> None:
    closing_backend = make_backend(stub)
    stub.batch_polls = 10**9
    thread, got = _submit_in_thread(closing_backend, [("a", JD, HINTS)])
    _, cancel_path = _polled_batch(stub, 1)

    closing_backend.close()
    thread.join(timeout=5)

    assert not thread.is_alive() and isinstance(got["a"], LlmFallback)
    assert stub.count("POST", cancel_path) == 1  # cancelled before the client closed
    loop = closing_backend.loop_thread.thread
    assert loop is not None and not loop.is_alive()
    with pytest.raises(LlmFallback, match=r"^the anthropic backend is closed$"):
        closing_backend.extract(JD, hints=HINTS)
    closing_backend.close()  # idempotent


def test_calls_from_many_threads_overlap_on_the_one_loop(
    stub: AnthropicStub, backend: AnthropicBackend
) -> None:
    """The pipeline's pool threads each block on their own call; the calls themselves overlap on
    the backend's one event loop (async client), they are not serialised."""
    n, delay_s = 4, 0.3
    stub.queue.extend(StubResponse(200, message_json(answer()), delay_s=delay_s) for _ in range(n))
    results: list[LlmExtraction] = []
    threads = [
        threading.Thread(target=lambda: results.append(backend.extract(JD, hints=HINTS))) for _ in range(n)
    ]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    elapsed = time.perf_counter() - began

    assert len(results) == n and all(r.role_title == "Senior Data Engineer" for r in results)
    assert elapsed < n * delay_s * 0.75, f"{elapsed:.2f}s: the calls ran one after another"
    loop = backend.loop_thread.thread
    assert loop is not None and loop.is_alive() and loop not in threads


def test_a_stage_past_its_budget_is_cancelled_and_falls_back(stub: AnthropicStub) -> None:
    """The wait for a stage is bounded (AnthropicConfig.stage_budget_s) even when the request's
    own limits do not end it: here a backoff sleep that overruns. The coroutine is cancelled."""
    cancelled = threading.Event()

    async def stuck_sleep(_: float) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            cancelled.set()

    config = AnthropicConfig(
        base_url=stub.url,
        timeout_s=0.1,
        connect_timeout_s=0.1,
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.001, max_delay_s=0.001, deadline_s=0.3),
    )
    assert config.stage_budget_s == pytest.approx(1.6)
    slow = AnthropicBackend(config, prices=PRICES, environ={"ANTHROPIC_API_KEY": KEY}, sleep=stuck_sleep)
    stub.queue.append(overloaded())

    began = time.perf_counter()
    with pytest.raises(LlmFallback, match=r"^no answer within the stage budget \(1\.6s\)$"):
        slow.extract(JD, hints=HINTS)

    assert 1.5 < time.perf_counter() - began < 3.0
    assert cancelled.wait(2), "the stuck coroutine was cancelled on the loop"
    assert len(stub.message_requests()) == 1
    slow.close()


# ------------------------------------------------------------------------------------- stages 2 and 3


CANDIDATES = [
    TieBreakCandidate(
        "data-engineer",
        "Data Engineer",
        ("Big Data Engineer", "ETL Engineer"),
        (
            TieBreakKra(
                "Builds data ingestion pipelines", "Design, implement and maintain batch and streaming", 0.63
            ),
        ),
        0.52,
    ),
    TieBreakCandidate("analytics-engineer", "Analytics Engineer", ("dbt Developer",), (), 0.51),
]


def test_tie_break_chooses_a_candidate_after_a_repair(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(ok({"choice": "ml-engineer", "reasoning": "ML", "confidence": 0.7}))
    stub.queue.append(ok({"choice": "Data-Engineer", "reasoning": "Builds pipelines.", "confidence": 1.4}))

    result = backend.tie_break("Senior Data Engineer building Spark and Kafka pipelines", CANDIDATES)

    assert result.choice == "data-engineer" and result.reasoning == "Builds pipelines."
    assert result.confidence == 1.0 and result.usage.model_calls == 2
    first, second = stub.message_requests()
    assert isinstance(first.body, dict) and isinstance(second.body, dict)
    assert first.body["output_config"]["format"]["schema"] == TIE_BREAK_SCHEMA
    assert "[data-engineer] Data Engineer" in first.body["messages"][0]["content"]
    assert '"ml-engineer" is not a candidate id' in second.body["messages"][2]["content"]


def test_tie_break_none_means_new_role(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    stub.queue.append(ok({"choice": "none", "reasoning": "A store manager job.", "confidence": 0.8}))
    result = backend.tie_break("Store manager for a grocery chain", CANDIDATES)
    assert result.choice is None and result.reasoning == "A store manager job."


def test_skill_metadata_validated_against_our_enums(stub: AnthropicStub) -> None:
    backend = make_backend(stub, models=StageModels(skill_meta="claude-sonnet-4-6"))
    entry = {
        "category": "Data Engineering Tools",
        "sub_category": "data quality",
        "nature": "tool",
        "volatility": "high",
        "typical_lifespan": "multi_year",
        "version_strategy": "major_versions",
        "confidence": 0.9,
        "reasoning": "An open-source Python library.",
    }
    stub.queue.append(
        ok(
            {"skills": [{"name": "great expectations", **entry}, {"name": "Unasked", **entry}]},
            model="claude-sonnet-4-6",
        )
    )

    result = backend.skill_metadata(["Great Expectations", "Data Mesh", "Great Expectations"])

    assert list(result.suggestions) == ["Great Expectations"]  # matched by name; "Data Mesh" skipped
    meta = result.suggestions["Great Expectations"].to_proto()
    assert meta.nature == common_pb2.SKILL_NATURE_TOOL
    assert meta.volatility == common_pb2.VOLATILITY_HIGH
    assert meta.typical_lifespan == common_pb2.TYPICAL_LIFESPAN_MULTI_YEAR
    assert meta.version_strategy == common_pb2.VERSION_STRATEGY_MAJOR_VERSIONS
    assert result.usage.cost_usd == pytest.approx((1200 * 3.0 + 300 * 15.0) / 1e6)  # the stage's model
    (sent,) = stub.message_requests()
    assert isinstance(sent.body, dict) and sent.body["model"] == "claude-sonnet-4-6"
    assert sent.body["output_config"]["format"]["schema"] == SKILL_META_SCHEMA
    backend.close()


# ------------------------------------------------------------------------------------- quotes


def test_locate_quotes_finds_what_the_jd_says_and_drops_the_rest() -> None:
    found, dropped = locate_quotes(
        JD,
        [
            "Apache Spark and Kafka",  # exact
            "we're looking for a senior data engineer",  # case and a curly apostrophe
            "Design, implement and maintain batch and streaming data pipelines with Apache Spark",
            "AWS Certified Data Engineer - Associate",  # hyphen for an en dash
            "Kafka Orchestrate workflows in Airflow",  # across a line break and a bullet
            "10 years of Rust",  # invented
            "Goo",  # only inside "Google": not a word of the JD
            "",  # nothing to find
        ],
    )
    assert dropped == 3
    assert [JD[f.start : f.end] for f in found] == [
        "Apache Spark and Kafka",
        "We\u2019re looking for a Senior Data Engineer",
        "Design, implement and maintain batch and streaming data pipelines with Apache Spark",
        "AWS Certified Data Engineer \u2013 Associate",
        "Kafka\n\u2022 Orchestrate workflows in Airflow",
    ]


def test_locate_quotes_across_a_bullet_and_line_break() -> None:
    text = "Requirements:\n• Python\n•   SQL and dbt"
    found, dropped = locate_quotes(text, ["python sql and dbt", "Go"])
    assert dropped == 1 and text[found[0].start : found[0].end] == "Python\n•   SQL and dbt"


# ------------------------------------------------------------------------------------- key, config, prices


def test_api_key_never_logged(stub: AnthropicStub, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("anthropic", "httpx2", "httpcore2", "jdlens_server"):
        caplog.set_level(logging.DEBUG, logger=name)
    backend = make_backend(stub)
    stub.queue.extend(
        [
            ok(answer()),
            api_error(401, "authentication_error", "invalid x-api-key"),
            overloaded(),
            overloaded(),
            overloaded(),
        ]
    )
    backend.extract(JD, hints=HINTS)
    texts = [repr(backend), repr(backend.config)]
    for _ in range(2):
        with pytest.raises(LlmFallback) as caught:
            backend.extract(JD, hints=HINTS)
        texts += [str(caught.value), repr(caught.value), caught.value.reason]
    backend.close()

    assert all(KEY in str(r.headers) for r in stub.message_requests())  # it was sent...
    assert caplog.records, "the SDK's debug logging ran"
    assert KEY not in caplog.text  # ...and never logged
    assert all(KEY not in t for t in texts)
    assert "sk-ant" not in caplog.text


def test_backend_needs_a_key_and_priced_models(stub: AnthropicStub) -> None:
    with pytest.raises(LlmConfigError, match="ANTHROPIC_API_KEY is not set"):
        AnthropicBackend(AnthropicConfig(base_url=stub.url), prices=PRICES, environ={})
    with pytest.raises(LlmConfigError, match="claude-unknown-9"):
        AnthropicBackend(
            AnthropicConfig(models=StageModels(tie_break="claude-unknown-9")),
            prices=PRICES,
            environ={"ANTHROPIC_API_KEY": KEY},
        )
    config = AnthropicConfig.from_env(
        {"JDLENS_LLM_MODEL": "claude-sonnet-4-6", "JDLENS_LLM_MODEL_EXTRACT": "claude-haiku-4-5"}
    )
    assert config.models == StageModels("claude-haiku-4-5", "claude-sonnet-4-6", "claude-sonnet-4-6")
    assert AnthropicConfig.from_env({}).models == StageModels()


def test_shipped_price_table_is_dated_valid_and_prices_the_default_model() -> None:
    table = load_prices()
    assert table.as_of.year >= 2025 and table.source.startswith("https://")
    assert table.batch_discount == 0.5
    haiku = table.price("claude-haiku-4-5")
    assert table.price("claude-haiku-4-5-20251001") == haiku  # a dated snapshot
    assert haiku.cache_read < haiku.input < haiku.cache_write_5m < haiku.cache_write_1h
    assert table.cost("claude-haiku-4-5", input_tokens=1000, output_tokens=1000, batch=True) == pytest.approx(
        table.cost("claude-haiku-4-5", input_tokens=1000, output_tokens=1000) / 2
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"input": -1.0}, "negative price"),
        ({"cache_read": 10.0}, "cache_read <= input"),
        ({"output": "5"}, "expected a number"),
        ({"surprise": 1.0}, "unknown keys"),
    ],
)
def test_price_table_rejects_typos(change: dict[str, object], message: str) -> None:
    model = {"input": 1.0, "output": 5.0, "cache_write_5m": 1.25, "cache_write_1h": 2.0, "cache_read": 0.1}
    doc = {
        "meta": {"as_of": "2026-01-01", "source": "x", "batch_discount": 0.5},
        "models": {"m": model | change},
    }
    with pytest.raises(PriceError, match=message):
        parse_prices(doc)
    with pytest.raises(PriceError, match="as_of"):
        parse_prices(
            {"meta": {"as_of": "soon", "source": "x", "batch_discount": 0.5}, "models": {"m": model}}
        )


# ------------------------------------------------------------------------------------- schema


def test_schemas_use_only_what_structured_outputs_accept() -> None:
    for schema in (EXTRACTION_SCHEMA, EXTRACTION_SCHEMA_WITH_FACTS, TIE_BREAK_SCHEMA, SKILL_META_SCHEMA):
        assert transform_schema(schema) == schema  # the SDK's own normalisation leaves them unchanged


def test_validator_reports_paths() -> None:
    assert validate(answer(), EXTRACTION_SCHEMA) == []
    assert validate(answer_with_facts(), EXTRACTION_SCHEMA_WITH_FACTS) == []
    assert validate(answer_with_facts(), EXTRACTION_SCHEMA) == [
        f"$: unexpected property {key!r}" for key in ("mode", "emp", "exp", "edu", "certs", "pay", "places")
    ]
    bad = answer_with_facts(reject="spam", exp={"min": "five", "max": None, "q": ""}, x=1)
    errors = validate(bad, EXTRACTION_SCHEMA_WITH_FACTS)
    assert "$: unexpected property 'x'" in errors
    assert '$.reject: "spam" is not one of ["", "not_a_jd"]' in errors
    assert "$.exp.min: expected integer or null, got string" in errors
    assert validate(answer(core=[True]), EXTRACTION_SCHEMA) == ["$.core[0]: expected integer, got boolean"]


# ------------------------------------------------------------------------------------- token budget

BUDGET_INPUTS = Path(__file__).parent / "data" / "stage1_budget_inputs.json"


def test_stage1_cost_of_the_bench_jds_is_under_the_targets(
    stub: AnthropicStub, backend: AnthropicBackend
) -> None:
    """The issue's targets for a typical 2-3k-character JD on claude-haiku-4-5: <= $0.002 at
    standard prices, <= $0.001 in a batch. Estimated (pipeline/llm_budget.py: 3.5 characters per
    token of prose, 2.5 of JSON) over the 40 bench JDs, from the request the backend builds with
    the hints the full ESCO library gives them (recorded in tests/data), with a margin: the median
    JD <= $0.0018 / $0.0009, and nine JDs in ten within the targets."""
    items = recorded_inputs(BUDGET_INPUTS)
    assert len(items) == 40 and all(2000 <= len(jd.text) <= 3000 for jd in shipped_jds())
    budget = estimate(items, prices=load_prices())
    standard, batch = budget.costs(), budget.costs(batch=True)
    print(f"\n{budget.summary()}")

    assert statistics.median(standard) <= 0.0018 and statistics.median(batch) <= 0.0009
    assert budget.cost_at(0.9) <= 0.002 and budget.cost_at(0.9, batch=True) <= 0.001
    assert budget.median("input") <= 1100 and budget.median("output") <= 160
    # The typical answer is one the schema accepts (so the estimate follows schema changes).
    assert all(validate(typical_answer(item), EXTRACTION_SCHEMA) == [] for item in items)
    assert validate(typical_answer(items[0], facts=True), EXTRACTION_SCHEMA_WITH_FACTS) == []

    # What was measured is what the backend sends.
    item = items[0]
    stub.queue.append(ok(answer(core=[], extra=[], new_core=[], new_extra=[])))
    with contextlib.suppress(LlmFallback):
        backend.extract(item.text, hints=item.hints)
    (sent,) = stub.message_requests()
    assert sent.body == json.loads(json.dumps(extraction_request(AnthropicConfig(), item.text, item.hints)))


def test_budget_command_counts_input_tokens_with_the_api(
    stub: AnthropicStub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", stub.url)

    assert llm_budget.main(["--inputs", str(BUDGET_INPUTS), "--count-with-api", "--json"]) == 0

    summary = json.loads(capsys.readouterr().out)
    counted = [r for r in stub.requests if r.path == "/v1/messages/count_tokens"]
    assert len(counted) == 40 and not stub.message_requests()  # counted, no model call
    bodies = [r.body for r in counted if isinstance(r.body, dict)]
    assert summary["measured_input_median"] == statistics.median(stub.count_tokens(b) for b in bodies)
    assert {tuple(sorted(b)) for b in bodies} == {("messages", "model", "output_config", "system")}
    assert summary["jds"] == 40 and summary["cost_usd_standard"]["median"] <= 0.0018


# ------------------------------------------------------------------------------------- latency


def test_added_latency_on_a_3k_jd_is_small(stub: AnthropicStub, backend: AnthropicBackend) -> None:
    """What the server adds around the model on a 3k-character JD: building and serialising the
    request, the SDK and HTTP client, JSON parsing, validation, reading and quote location.

    Measured as CPU time of the calling thread plus the backend's loop thread (where the SDK,
    parsing and validation run) with the stub answering instantly, so neither the stub's own work
    (other threads) nor a busy CI machine's scheduling delays count.
    """
    jd = JD + JD[: max(0, 3000 - len(JD))]
    assert len(jd) >= 2900
    runs = 15
    stub.queue.extend(ok(answer()) for _ in range(runs + 3))
    for _ in range(3):  # warm up connections and caches
        backend.extract(jd, hints=HINTS)
    loop = backend.loop_thread.thread
    assert loop is not None and loop.ident is not None
    loop_clock = time.pthread_getcpuclockid(loop.ident)
    cpu_ms: list[float] = []
    wall_ms: list[float] = []
    for _ in range(runs):
        began, began_loop = time.thread_time(), time.clock_gettime(loop_clock)
        wall_ms.append(backend.extract(jd, hints=HINTS).usage.latency_ms)
        spent = time.thread_time() - began + time.clock_gettime(loop_clock) - began_loop
        cpu_ms.append(spent * 1000)
    median = statistics.median(cpu_ms)
    print(f"\nadded on a {len(jd)}-char JD: CPU median {median:.1f} ms (max {max(cpu_ms):.1f}); ")
    print(f"wall median {statistics.median(wall_ms):.1f} ms incl. localhost HTTP and the stub's work")
    # The figure is the printed measurement (README "Added latency"); the bound only catches a
    # pathological regression, not a slow machine.
    assert median < 500.0
