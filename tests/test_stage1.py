"""Stage 1 (ExtractFromJd) end to end through the generated client over a real socket, on a real
ESCO subset, on SQLite and PostgreSQL: the reference JD, rejections, bad requests that write
nothing, idempotency, dry runs, review-queue de-duplication and concurrent centroid updates."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy import func, select

from jdlens.v1 import parsed_jd_pb2, pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server.app import Runtime, embedded_server
from jdlens_server.nlp.jd_parser import parse_jd
from jdlens_server.pipeline import run_store
from jdlens_server.store.models import ReviewItemRow, RoleRow, RunRow
from pipeline_runtime import REFERENCE_JD, library_runtime, table_counts

OFFICES = {"Toronto", "New York", "Montreal", "Kitchener", "London", "San Francisco"}


@dataclass
class Served:
    runtime: Runtime
    target: str
    stub: pipeline_service_pb2_grpc.PipelineServiceStub


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    runtime = library_runtime(db_url)
    try:
        with embedded_server(runtime) as target, grpc.insecure_channel(target) as channel:
            yield Served(runtime, target, pipeline_service_pb2_grpc.PipelineServiceStub(channel))
    finally:
        runtime.close()


def extract(
    served: Served, text: str, *, title: str = "", dry_run: bool = False, key: str = ""
) -> pipeline_service_pb2.ExtractFromJdResponse:
    return served.stub.ExtractFromJd(
        pipeline_service_pb2.ExtractFromJdRequest(
            jd=pipeline_service_pb2.JdInput(text=text, title=title),
            options=run_pb2.RunOptions(dry_run=dry_run),
            idempotency_key=key,
        ),
        timeout=120,
    )


def stored_runs(runtime: Runtime) -> int:
    with runtime.factory() as session:
        return int(session.scalar(select(func.count()).select_from(RunRow)) or 0)


def centroid_counts(runtime: Runtime) -> dict[int, int]:
    with runtime.factory() as session:
        return {r.id: r.centroid_n for r in session.execute(select(RoleRow.id, RoleRow.centroid_n))}


def raw_call(served: Served, method: str, payload: list[bytes], *, stream: bool = False) -> grpc.RpcError:
    """Send serialized bytes as a client in any language could (e.g. a string that is not UTF-8);
    returns the error the server answered with."""
    path = f"/jdlens.v1.PipelineService/{method}"
    with grpc.insecure_channel(served.target) as channel, pytest.raises(grpc.RpcError) as caught:
        if stream:
            call = channel.stream_stream(path, request_serializer=bytes, response_deserializer=bytes)
            list(call(iter(payload), timeout=60))
        else:
            channel.unary_unary(path, request_serializer=bytes, response_deserializer=bytes)(
                payload[0], timeout=60
            )
    return caught.value


def violations(error: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None, "the error carries no google.rpc.Status"
    out: dict[str, str] = {}
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            out.update({v.field: v.description for v in bad.field_violations})
    return out


# ---- the reference JD ---------------------------------------------------------------------------


def test_reference_jd_is_case_a_with_its_fields_and_evidenced_skills(served: Served) -> None:
    run = extract(served, REFERENCE_JD).run
    ex = run.extraction
    parsed = ex.parsed
    assert parsed.jd_type == parsed_jd_pb2.JD_TYPE_PASS
    assert parsed.company_name == "Index Exchange"
    assert (parsed.experience.min_years, parsed.experience.min_months) == (8, 96)
    assert not parsed.experience.HasField("max_years") and not parsed.experience.HasField("max_months")
    assert {loc.city for loc in parsed.job_locations} == OFFICES
    for loc in parsed.job_locations:  # every location points at its words in the JD
        assert loc.city in run.jd_text[loc.span.start : loc.span.end + 40]

    decision = ex.decision
    assert decision.decision_case == run_pb2.DECISION_CASE_UNIQUE_ALIAS and decision.case_letter == "A"
    snapshot = served.runtime.library.current().snapshot
    chosen = snapshot.role_by_slug[decision.chosen_role.slug]
    assert any(role_id == chosen for role_id, _ in snapshot.role_alias_map["data engineer"])
    assert ex.signals.normalized_title == "data engineer" and ex.signals.alias_found
    assert decision.reasoning.startswith("Exact alias hit on")

    names = {s.skill_name.lower() for s in ex.skills}
    assert {"big data", "hadoop", "kafka", "spark", "sql"} <= names
    assert any("stream" in n for n in names)  # "streaming data processing"
    for skill in ex.skills:
        assert skill.evidence, skill.skill_name
        for ev in skill.evidence:
            assert run.jd_text[ev.span.start : ev.span.end] == ev.text
    # Boilerplate (equal opportunity, benefits) never yields skills.
    boiler = [(b.span.start, b.span.end) for b in parsed.boilerplate]
    assert boiler
    for skill in ex.skills:
        for ev in skill.evidence:
            assert not any(s <= ev.span.start < e for s, e in boiler), skill.skill_name


def test_the_title_and_profile_signals_are_the_cosines_the_ranking_fused(served: Served) -> None:
    signals = extract(served, REFERENCE_JD).run.extraction.signals
    snapshot = served.runtime.library.current().snapshot
    jd = parse_jd(REFERENCE_JD)
    assert jd.role_title and len(jd.responsibility_sentences) >= 3
    duties = [s.plain for s in jd.responsibility_sentences[:3]]
    vectors = served.runtime.embedder.embed([jd.role_title, *duties])
    title_vec, lead = vectors[0], vectors[1:].mean(axis=0)
    profile_vec = title_vec + lead / np.linalg.norm(lead)
    profile_vec /= np.linalg.norm(profile_vec)
    expected_profile = snapshot.role_matrix @ profile_vec
    for entries in (signals.title_match_roles, signals.profile_match_roles):
        assert entries and len({e.role.slug for e in entries}) == len(entries)
        assert [e.score for e in entries] == sorted((e.score for e in entries), reverse=True)
    # Title: a role's best alias by cosine; profile: the JD's title and first three duties
    # against the role's profile, the best of every role first.
    for entry in signals.title_match_roles:
        rows = np.flatnonzero(snapshot.alias_role_ids == snapshot.role_by_slug[entry.role.slug])
        assert entry.score == pytest.approx(float((snapshot.alias_matrix[rows] @ title_vec).max()), abs=2e-4)
    for entry in signals.profile_match_roles:
        row = snapshot.role_row[snapshot.role_by_slug[entry.role.slug]]
        assert entry.score == pytest.approx(float(expected_profile[row]), abs=2e-4)
    assert signals.profile_match_roles[0].score == pytest.approx(float(expected_profile.max()), abs=2e-4)


# ---- rejections and bad requests --------------------------------------------------------------------

NOT_A_JD = (
    "Preheat the oven to 180 degrees. Mix the flour, sugar and butter in a large bowl until the dough "
    "is smooth, then fold in the chocolate chips. Bake the cookies for twelve minutes, let them cool on "
    "a rack and serve them with a glass of cold milk. Store what is left in an airtight tin for a week."
)
NOT_ENGLISH = (
    "Nous recherchons un ingénieur de données expérimenté pour rejoindre notre équipe à Paris. Vous "
    "serez responsable de la conception et de la maintenance des pipelines de données, de la qualité "
    "des données et de la collaboration avec les équipes produit. Vous avez au moins cinq ans "
    "d'expérience avec Python, SQL et Spark, et vous parlez couramment français et anglais."
)


def test_the_employers_self_description_yields_only_its_stack(served: Served) -> None:
    text = (
        "About Us\n"
        "We are an analytics company in Lisbon. Our statistics reach millions of readers every "
        "week, and our platform runs on Hadoop.\n\n"
        "Requirements\n"
        "- Experience with data mining on large data sets.\n"
        "- A degree in a quantitative field and good written communication.\n"
    )
    run = extract(served, text, title="Data Scientist", dry_run=True).run
    kinds = [s.kind for s in run.extraction.parsed.sections]
    assert parsed_jd_pb2.SECTION_KIND_ABOUT_COMPANY in kinds
    names = {s.skill_name for s in run.extraction.skills}
    assert {"Hadoop", "data mining"} <= names  # the stack, and what the role asks
    assert "statistics" not in names  # a topic of the employer's, asked of no one


@pytest.mark.parametrize(
    "title",
    [
        "Certified Staff Data Scientist",  # a credential before the title does not hide its alias
        "Scientist - Data",  # a field named after the head is looked up with it
    ],
)
def test_the_alias_is_found_through_what_the_title_adds(served: Served, title: str) -> None:
    text = (
        "Responsibilities\n- Build statistical models on large data sets.\n- Present findings to the board.\n\n"
        "Requirements\n- Experience with data mining and machine learning.\n"
    )
    run = extract(served, text, title=title, dry_run=True).run
    assert [r.role.display_name for r in run.extraction.signals.alias_match_roles] == ["data scientist"]


def test_a_title_naming_two_titles_finds_the_alias_of_either(served: Served) -> None:
    text = (
        "Responsibilities\n- Build statistical models on large data sets.\n- Present findings to the board.\n\n"
        "Requirements\n- Experience with data mining and machine learning.\n"
    )
    run = extract(served, text, title="Insights Wrangler / Data Scientist", dry_run=True).run
    alias = run.extraction.signals.alias_match_roles
    assert [r.role.display_name for r in alias] == ["data scientist"] and alias[
        0
    ].matched_alias == "data scientist"
    assert run.extraction.decision.chosen_role.display_name == "data scientist"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (NOT_A_JD, parsed_jd_pb2.REJECT_REASON_NOT_A_JD),
        (NOT_ENGLISH, parsed_jd_pb2.REJECT_REASON_NOT_ENGLISH),
        ("Hiring now, apply today!", parsed_jd_pb2.REJECT_REASON_TOO_LITTLE_TEXT),
    ],
)
def test_rejections_say_why_and_update_no_library_state(
    served: Served, text: str, reason: parsed_jd_pb2.RejectReason.ValueType
) -> None:
    before = table_counts(served.runtime), centroid_counts(served.runtime)
    run = extract(served, text).run
    assert run.status == run_pb2.RUN_STATUS_REJECTED
    assert run.extraction.parsed.jd_type == parsed_jd_pb2.JD_TYPE_REJECT
    assert run.extraction.parsed.reject_reason == reason
    assert run.extraction.parsed.reject_detail
    assert run.extraction.decision.decision_case == run_pb2.DECISION_CASE_REJECTED
    assert not run.extraction.skills
    assert (table_counts(served.runtime), centroid_counts(served.runtime)) == before


@pytest.mark.parametrize("text", [NOT_ENGLISH, "Hiring now, apply today!"])
def test_a_rejected_posting_under_an_english_title_still_ranks_the_title(served: Served, text: str) -> None:
    before = table_counts(served.runtime), centroid_counts(served.runtime)
    title = "Senior Data Scientist"
    run = extract(served, text, title=title).run
    title_only = extract(served, "", title=title, dry_run=True).run
    assert run.status == run_pb2.RUN_STATUS_REJECTED
    assert run.extraction.decision.decision_case == run_pb2.DECISION_CASE_REJECTED
    assert not run.extraction.decision.HasField("chosen_role") and not run.extraction.skills
    # The roles a title-only request ranks, and the reasoning names the first of them.
    ranked = [r.role.slug for r in run.extraction.signals.combined_roles]
    assert ranked and ranked == [r.role.slug for r in title_only.extraction.signals.combined_roles]
    first = title_only.extraction.signals.combined_roles[0].role.display_name
    assert f"the title alone ranks {first!r} first" in run.extraction.decision.reasoning
    assert (table_counts(served.runtime), centroid_counts(served.runtime)) == before
    from jdlens_server.render import summarize

    assert f"  the title alone ranks: {first}, " in summarize(run)


def test_a_posting_in_another_language_under_an_english_first_line_ranks_that_line(served: Served) -> None:
    text = (
        "Data Scientist / Saintis Data\n\nKami sedang mencari saintis data yang rajin untuk menyertai pasukan "
        "kami di Kuala Lumpur. Tugas: membina model ramalan, menganalisis data pelanggan dan menyediakan "
        "laporan bulanan. Kelayakan: ijazah dalam statistik atau sains komputer, pengalaman dengan Python."
    )
    run = extract(served, text, dry_run=True).run
    assert run.extraction.parsed.reject_reason == parsed_jd_pb2.REJECT_REASON_NOT_ENGLISH
    title_only = extract(served, "", title="Data Scientist / Saintis Data", dry_run=True).run
    ranked = [r.role.slug for r in run.extraction.signals.combined_roles]
    assert ranked and ranked == [r.role.slug for r in title_only.extraction.signals.combined_roles]


@pytest.mark.parametrize("title", ["", "Kerani Akaun"])
def test_a_rejected_posting_without_an_english_title_ranks_nothing(served: Served, title: str) -> None:
    run = extract(served, NOT_ENGLISH, title=title, dry_run=True).run
    assert run.status == run_pb2.RUN_STATUS_REJECTED
    assert not run.extraction.signals.combined_roles


def test_a_posting_that_is_no_jd_ranks_nothing_under_its_title(served: Served) -> None:
    run = extract(served, NOT_A_JD, title="Pastry Chef", dry_run=True).run
    assert run.extraction.parsed.reject_reason == parsed_jd_pb2.REJECT_REASON_NOT_A_JD
    assert not run.extraction.signals.combined_roles


def test_a_rejected_run_is_stored_whole_and_replayed(served: Served) -> None:
    first = extract(served, NOT_A_JD)
    again = extract(served, NOT_A_JD)
    assert again.replayed and not first.replayed
    assert again.run == first.run
    assert again.run.extraction.parsed.reject_reason == parsed_jd_pb2.REJECT_REASON_NOT_A_JD


def test_bad_jds_are_invalid_argument_and_write_nothing(served: Served) -> None:
    before = stored_runs(served.runtime), table_counts(served.runtime)
    for text in ["", "   \n\t  ", "x" * (10 * 1024 * 1024)]:
        with pytest.raises(grpc.RpcError) as caught:
            extract(served, text)
        assert caught.value.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED)
        if caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT:
            assert "jd.text" in violations(caught.value)
    # Invalid UTF-8 in the text field: the bytes a client in another language could send.
    request = pipeline_service_pb2.ExtractFromJdRequest(jd=pipeline_service_pb2.JdInput(text="MARKER"))
    raw = request.SerializeToString().replace(b"MARKER", b"bad \xff\xfe")
    error = raw_call(served, "ExtractFromJd", [raw])
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "UTF-8" in (error.details() or "")
    assert (stored_runs(served.runtime), table_counts(served.runtime)) == before


# ---- idempotency, dry run, queue de-duplication -----------------------------------------------------


def test_a_repeated_request_returns_the_stored_run_and_updates_nothing_twice(served: Served) -> None:
    first = extract(served, REFERENCE_JD)
    after_first = stored_runs(served.runtime), table_counts(served.runtime), centroid_counts(served.runtime)
    again = extract(served, REFERENCE_JD + "\n\n")  # the same JD modulo whitespace
    assert again.replayed and not first.replayed
    assert again.run == first.run  # the stored proto is the run stage 1 answered, updates and all
    assert again.run.extraction.updates.centroid_updated
    after_again = stored_runs(served.runtime), table_counts(served.runtime), centroid_counts(served.runtime)
    assert after_again == after_first
    # A client key names the request: reusing it for a different JD is refused, not replayed.
    keyed = extract(served, REFERENCE_JD, key="client-key-1")
    assert extract(served, REFERENCE_JD, key="client-key-1").run.run_id == keyed.run.run_id
    with pytest.raises(grpc.RpcError) as caught:
        extract(served, NOT_A_JD, key="client-key-1")
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_a_twin_under_the_same_key_with_another_jd_is_refused_not_answered_with_its_run(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with one client key and different JDs, the second looking before the first
    commits: its insert collides, and the stored twin is checked like any replay, not returned."""
    first = extract(served, REFERENCE_JD, key="twin-key").run
    real_find = run_store.find_by_key
    looked: list[str] = []

    def before_the_twin_committed(session: Any, key: str) -> run_pb2.Run | None:
        looked.append(key)
        return None if len(looked) == 1 else real_find(session, key)

    monkeypatch.setattr(run_store, "find_by_key", before_the_twin_committed)
    before = stored_runs(served.runtime)
    with pytest.raises(grpc.RpcError) as caught:
        extract(served, NOT_A_JD, key="twin-key")
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(looked) == 2  # missed, collided on insert, then found the twin
    assert stored_runs(served.runtime) == before
    # The same JD under the key still replays the twin.
    again = extract(served, REFERENCE_JD, key="twin-key")
    assert again.replayed and again.run.run_id == first.run_id


def test_a_dry_run_computes_everything_and_writes_nothing(served: Served) -> None:
    before = stored_runs(served.runtime), table_counts(served.runtime), centroid_counts(served.runtime)
    run = extract(served, REFERENCE_JD, dry_run=True).run
    assert run.extraction.updates.dry_run
    assert run.extraction.decision.case_letter == "A" and run.extraction.skills
    assert (
        stored_runs(served.runtime),
        table_counts(served.runtime),
        centroid_counts(served.runtime),
    ) == before


def test_the_same_new_skill_for_the_same_role_is_one_queue_row_counted_twice(served: Served) -> None:
    first = extract(served, REFERENCE_JD).run
    # Another JD of the same role (same title) asking for the same tools, worded differently.
    other = REFERENCE_JD.replace("Index Exchange", "Acme Ads").replace(
        "billions of auctions", "many auctions"
    )
    second = extract(served, other).run
    assert first.extraction.decision.chosen_role.slug == second.extraction.decision.chosen_role.slug
    new_first = {s.skill_name for s in first.extraction.skills if s.is_new}
    assert "Kafka" in new_first
    with served.runtime.factory() as session:
        rows = session.execute(
            select(ReviewItemRow.subject, ReviewItemRow.occurrence_count).where(
                ReviewItemRow.kind == "new_skill"
            )
        ).all()
    subjects = [r.subject for r in rows]
    assert len(subjects) == len(set(subjects))  # never a duplicate row
    counts = {r.subject: r.occurrence_count for r in rows}
    assert counts["Kafka"] == 2


# ---- concurrency ------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_runs_of_one_role_lose_no_centroid_update(pg_url: str) -> None:
    runtime = library_runtime(pg_url)
    try:
        n = 8
        texts = [f"{REFERENCE_JD}\n\nRequisition {i}: team {chr(65 + i)}." for i in range(n)]
        with embedded_server(runtime) as target, grpc.insecure_channel(target) as channel:
            stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)

            def call(text: str) -> run_pb2.Run:
                return stub.ExtractFromJd(
                    pipeline_service_pb2.ExtractFromJdRequest(jd=pipeline_service_pb2.JdInput(text=text)),
                    timeout=120,
                ).run

            with ThreadPoolExecutor(max_workers=n) as pool:
                runs = list(pool.map(call, texts))
        assert len({r.run_id for r in runs}) == n
        slug = runs[0].extraction.decision.chosen_role.slug
        assert all(r.extraction.decision.chosen_role.slug == slug for r in runs)
        role_id = runtime.library.current().snapshot.role_by_slug[slug]
        assert centroid_counts(runtime)[role_id] == n  # every run's update landed
    finally:
        runtime.close()


def test_an_undecodable_stream_item_ends_the_stream_with_invalid_argument(served: Served) -> None:
    good = pipeline_service_pb2.AnalyzeJdStreamRequest(
        request_id="1", jd=pipeline_service_pb2.JdInput(text="MARKER")
    ).SerializeToString()
    bad = good.replace(b"MARKER", b"bad \xc3\x28")
    error = raw_call(served, "AnalyzeJdStream", [bad], stream=True)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "request" in violations(error)


TOOLS = ["Kafka", "Spark", "Airflow", "Kubernetes", "Docker", "Terraform", "Flink", "Snowflake"]
TITLES = ["Senior Data Engineer", "Software Developer", "Data Scientist", "Backend Engineer"]


def _jd(i: int) -> str:
    # Every JD names the same tools in its own order, so concurrent runs propose the same queue
    # items (and learn the same links) in different orders: the classic lock-order deadlock.
    tools = TOOLS[i % len(TOOLS) :] + TOOLS[: i % len(TOOLS)]
    if i % 2:
        tools.reverse()
    return (
        f"{TITLES[i % len(TITLES)]}\n\nAbout the role\nYou will design and build data pipelines and "
        f"backend services for our analytics platform, team {i}.\n\nResponsibilities\n"
        f"- Build and operate streaming jobs with {tools[0]} and {tools[1]}\n"
        f"- Maintain batch workflows in {tools[2]} and deploy with {tools[3]}\n"
        f"- Improve reliability, monitoring and cost of the platform\n\nRequirements\n"
        f"- 5+ years of experience with Python and SQL\n"
        f"- Experience with {', '.join(tools[4:])}\n"
        f"- Experience with {', '.join(tools[:4])}\n"
    )


@pytest.mark.postgres
def test_a_concurrent_stream_on_postgresql_runs_every_item_without_deadlock(pg_url: str) -> None:
    runtime = library_runtime(pg_url)
    try:
        n = 32
        with embedded_server(runtime) as target, grpc.insecure_channel(target) as channel:
            stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
            requests = (
                pipeline_service_pb2.AnalyzeJdStreamRequest(
                    request_id=str(i), jd=pipeline_service_pb2.JdInput(text=_jd(i))
                )
                for i in range(n)
            )
            responses = list(stub.AnalyzeJdStream(requests, timeout=600))
        errors = [r.error.message for r in responses if r.HasField("error")]
        assert not errors
        assert len({r.run.run_id for r in responses}) == n
        assert all(r.run.status == run_pb2.RUN_STATUS_COMPLETED for r in responses)
        with runtime.factory() as session:
            rows = session.execute(select(ReviewItemRow.dedupe_key, ReviewItemRow.occurrence_count)).all()
        assert len({r.dedupe_key for r in rows}) == len(rows)
    finally:
        runtime.close()


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_printed_summary_covers_every_stage_with_the_runs_own_figures(
    served: Served, dry_run: bool
) -> None:
    """`jdlens analyze` without --json: the stages after the first, their counters as the run has
    them, statuses as words, and whether the run was stored."""
    from jdlens_server.render import summarize

    run = served.stub.AnalyzeJd(
        pipeline_service_pb2.AnalyzeJdRequest(
            jd=pipeline_service_pb2.JdInput(text=REFERENCE_JD), options=run_pb2.RunOptions(dry_run=dry_run)
        ),
        timeout=120,
    ).run
    text = summarize(run)
    first = text.splitlines()[0]
    assert first == f"{run.name}  (completed; {'dry run, not stored' if dry_run else 'stored'})"
    new = sum(s.HasField("new_skill_meta") for s in run.details.skills_detail)
    assert f"  details     {len(run.details.skills_detail)} skills: " in text and f", {new} new" in text
    kept = run.final_role.persistence
    assert (
        f"skill-dimension {kept.skill_dimension_saved} saved, {kept.skill_dimension_already_linked} already linked"
        in text
    )
    assert f"  final role  {run.final_role.chosen_role.display_name} (in db)" in text
    assert f"  AI index    {run.enrichment.ai_index.score:.1f} / 5" in text
    assert "run_status_" not in text and "stage_" not in text
    assert ("  warning     dry run: nothing was written" in text) is dry_run


@pytest.mark.parametrize(
    ("fields", "phrase"),
    [
        ({"min_years": 3, "min_months": 36, "max_years": 5, "max_months": 60}, "3-5 years"),
        ({"min_years": 0, "min_months": 6}, "6+ months"),
        ({"min_years": 1, "min_months": 18, "max_years": 3, "max_months": 36}, "18-36 months"),
        ({"max_years": 2, "max_months": 24}, "up to 2 years"),
        ({"min_years": 8}, "8+ years"),  # a run stored before the months fields
    ],
)
def test_experience_phrase(fields: dict[str, int], phrase: str) -> None:
    from jdlens_server.render import experience_phrase

    exp = parsed_jd_pb2.Experience()
    for name, value in fields.items():
        setattr(exp, name, value)
    assert experience_phrase(exp) == phrase
