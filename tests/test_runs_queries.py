"""Run history queries on SQLite and PostgreSQL: get with read masks, filters, and keyset pagination
that stays stable while new runs arrive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2, run_pb2
from jdlens_server.errors import InvalidArgument, NotFound
from jdlens_server.pipeline import run_store
from jdlens_server.runs.queries import RunFilters, RunQueries
from jdlens_server.store.db import make_engine, session_factory, transaction
from jdlens_server.store.models import RoleRow, RunRow

BASE_TIME = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def make_run(
    created: datetime,
    status: run_pb2.RunStatus.ValueType = run_pb2.RUN_STATUS_COMPLETED,
    text: str = "Data engineer wanted.",
    cost: float = 0.0,
    role_id: int | None = None,
) -> run_pb2.Run:
    run_id = str(uuid.uuid4())
    run = run_pb2.Run(
        name=f"runs/{run_id}",
        run_id=run_id,
        status=status,
        idempotency_key=f"key-{run_id}",
        library_version=3,
        backend=common_pb2.BACKEND_OFFLINE,
        jd_text=text,
        stage=run_pb2.STAGE_FINAL_ROLE,
    )
    run.create_time.FromDatetime(created)
    run.update_time.FromDatetime(created)
    run.total_usage.CopyFrom(
        common_pb2.Usage(input_tokens=100, output_tokens=10, cost_usd=cost, model_calls=1)
    )
    decision = run.extraction.decision
    decision.decision_case = run_pb2.DECISION_CASE_UNIQUE_ALIAS
    decision.reasoning = "Exact alias hit"
    if role_id is not None:
        decision.chosen_role.name = f"roles/{role_id}"
    run.extraction.parsed.role_title = "Data Engineer"
    return run


def store(sessions: sessionmaker[Session], *runs: run_pb2.Run) -> None:
    """Store runs the way the pipeline does."""
    with transaction(sessions) as session:
        for run in runs:
            run_store.insert(session, run)


def store_runs(sessions: sessionmaker[Session], count: int, start: datetime = BASE_TIME) -> list[run_pb2.Run]:
    """``count`` runs one second apart from ``start``, stored; returned oldest first."""
    runs = [make_run(start + timedelta(seconds=i)) for i in range(count)]
    store(sessions, *runs)
    return runs


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    return session_factory(make_engine(db_url))


def page_through(queries: RunQueries, size: int) -> list[str]:
    names: list[str] = []
    token = ""
    while True:
        page = queries.list_runs(RunFilters(), size, token)
        names += [r.name for r in page.runs]
        token = page.next_page_token
        if not token:
            return names


def test_get_run_returns_the_stored_run_and_applies_the_mask(sessions: sessionmaker[Session]) -> None:
    run = make_run(BASE_TIME, text="x" * 5000)
    store(sessions, run)
    queries = RunQueries(sessions)
    assert queries.get_run(run.name) == run
    masked = queries.get_run(run.name, ["status", "extraction.decision.reasoning"])
    assert masked == run_pb2.Run(
        status=run.status,
        extraction=run_pb2.ExtractionResult(decision=run_pb2.RoleDecision(reasoning="Exact alias hit")),
    )


def test_runs_are_stored_deflated_and_older_plain_rows_still_read(sessions: sessionmaker[Session]) -> None:
    run, older = make_run(BASE_TIME, text="x" * 5000), make_run(BASE_TIME - timedelta(days=1))
    store(sessions, run)
    with transaction(sessions) as session:
        stored = session.get(RunRow, run.run_id)
        assert stored is not None and stored.run_codec == "zlib" and len(stored.run_proto) < 1000
        # A row from before the codec column: plain bytes under the column's default.
        run_store.insert(session, older)
        row = session.get(RunRow, older.run_id)
        assert row is not None
        row.run_proto, row.run_codec = older.SerializeToString(), "identity"
    queries = RunQueries(sessions)
    assert queries.get_run(run.name) == run and queries.get_run(older.name) == older
    assert [r.name for r in queries.list_runs(RunFilters(), 10, read_mask=["name"]).runs] == [
        run.name,
        older.name,
    ]
    with transaction(sessions) as session:
        assert run_store.find_by_key(session, older.idempotency_key) == older


def test_get_unknown_run_is_not_found(sessions: sessionmaker[Session]) -> None:
    name = f"runs/{uuid.uuid4()}"
    with pytest.raises(NotFound) as caught:
        RunQueries(sessions).get_run(name)
    assert caught.value.resource_name == name and caught.value.resource_type == "jdlens.v1.Run"


def test_list_is_newest_first_with_a_summary_by_default(sessions: sessionmaker[Session]) -> None:
    runs = [make_run(BASE_TIME + timedelta(minutes=i), cost=0.25, text="long text " * 500) for i in range(3)]
    store(sessions, *runs)
    page = RunQueries(sessions).list_runs(RunFilters(), 10)
    assert [r.name for r in page.runs] == [r.name for r in reversed(runs)]
    first = page.runs[0]
    # The summary keeps what a list shows and drops the bodies.
    assert first.status == run_pb2.RUN_STATUS_COMPLETED and first.extraction.decision.decision_case
    assert first.create_time == runs[-1].create_time
    assert (
        not first.jd_text
        and not first.extraction.HasField("parsed")
        and not first.extraction.decision.reasoning
    )
    assert page.next_page_token == ""
    assert page.page_usage.input_tokens == 300 and page.page_usage.cost_usd == pytest.approx(0.75)
    full = RunQueries(sessions).list_runs(RunFilters(), 10, read_mask=["jd_text"])
    assert full.runs[0] == run_pb2.Run(jd_text=runs[-1].jd_text)


def test_filters_by_status_role_and_time(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        role = RoleRow(slug="data-engineer", display_name="Data Engineer", pack="esco")
        session.add(role)
        session.flush()
        role_id = role.id
    rejected = make_run(BASE_TIME, status=run_pb2.RUN_STATUS_REJECTED)
    early = make_run(BASE_TIME + timedelta(hours=1), role_id=role_id)
    late = make_run(BASE_TIME + timedelta(hours=3), role_id=role_id)
    store(sessions, rejected, early, late)
    queries = RunQueries(sessions)

    def names(filters: RunFilters) -> list[str]:
        return [r.name for r in queries.list_runs(filters, 50).runs]

    assert names(RunFilters(status=run_pb2.RUN_STATUS_REJECTED)) == [rejected.name]
    assert names(RunFilters(role=f"roles/{role_id}")) == [late.name, early.name]
    # created_after is inclusive, created_before exclusive.
    window = RunFilters(
        created_after=BASE_TIME + timedelta(hours=1), created_before=BASE_TIME + timedelta(hours=3)
    )
    assert names(window) == [early.name]
    with pytest.raises(NotFound):
        names(RunFilters(role=f"roles/{role_id + 1}"))


def test_pagination_is_stable_while_runs_arrive(sessions: sessionmaker[Session]) -> None:
    original = store_runs(sessions, 23)
    # Runs that share a timestamp are ordered by id, so none falls between pages.
    same_time = [make_run(BASE_TIME + timedelta(seconds=10)) for _ in range(4)]
    store(sessions, *same_time)
    expected = {r.name for r in original + same_time}
    queries = RunQueries(sessions)

    seen: list[str] = []
    token = ""
    newcomers: list[str] = []
    pages = 0
    while True:
        page = queries.list_runs(RunFilters(), 4, token)
        seen += [r.name for r in page.runs]
        pages += 1
        # New runs keep arriving between pages, as they do while a client pages.
        arriving = make_run(datetime.now(UTC) + timedelta(seconds=pages))
        store(sessions, arriving)
        newcomers.append(arriving.name)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)), "a run appeared on two pages"
    assert expected <= set(seen), "a run that existed before paging started was missed"
    assert not set(seen) & set(newcomers), "runs newer than the first page must not show up later"
    assert pages == 7  # 27 original runs, 4 a page


def test_page_size_can_change_between_pages(sessions: sessionmaker[Session]) -> None:
    runs = store_runs(sessions, 10)
    queries = RunQueries(sessions)
    first = queries.list_runs(RunFilters(), 3)
    rest = queries.list_runs(RunFilters(), 50, first.next_page_token)
    assert [r.name for r in first.runs + rest.runs] == [r.name for r in reversed(runs)]
    assert page_through(queries, 1) == [r.name for r in reversed(runs)]


@pytest.mark.parametrize(
    "other",
    [
        RunFilters(status=run_pb2.RUN_STATUS_COMPLETED),
        RunFilters(created_after=BASE_TIME),
        RunFilters(created_before=BASE_TIME + timedelta(days=1)),
    ],
)
def test_token_reused_with_other_filters_is_invalid(
    sessions: sessionmaker[Session], other: RunFilters
) -> None:
    store_runs(sessions, 5)
    queries = RunQueries(sessions)
    token = queries.list_runs(RunFilters(), 2).next_page_token
    assert token
    with pytest.raises(InvalidArgument) as caught:
        queries.list_runs(other, 2, token)
    assert [v.field for v in caught.value.violations] == ["page_token"]


@pytest.mark.parametrize("token", ["garbage", "e30", "eyJ2IjoxfQ", "!!!", "eyJ2IjoxLCJmIjoiIiwiayI6W119"])
def test_malformed_tokens_are_invalid(sessions: sessionmaker[Session], token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        RunQueries(sessions).list_runs(RunFilters(), 2, token)
    assert [v.field for v in caught.value.violations] == ["page_token"]


def test_a_page_of_large_runs_stops_at_its_byte_budget_and_the_next_goes_on(
    sessions: sessionmaker[Session],
) -> None:
    # Runs of ~10 KB asked for whole (jd_text), 50 to a page, under a 25 KB budget: pages of two.
    runs = [make_run(BASE_TIME + timedelta(seconds=i), text=f"{i} " + "y" * 10_000) for i in range(7)]
    store(sessions, *runs)
    queries = RunQueries(sessions)
    names: list[str] = []
    sizes: list[int] = []
    token = ""
    while True:
        page = queries.list_runs(RunFilters(), 50, token, read_mask=["name", "jd_text"], max_bytes=25_000)
        names += [r.name for r in page.runs]
        sizes.append(len(page.runs))
        assert sum(r.ByteSize() for r in page.runs) <= 25_000
        # page_usage sums the runs of this page only, not those left for the next.
        assert page.page_usage.input_tokens == 100 * len(page.runs)
        token = page.next_page_token
        if not token:
            break
    assert sizes == [2, 2, 2, 1]
    # Every run once, newest first, as one page would have listed them.
    expected = [r.name for r in reversed(runs)]
    assert names == [r.name for r in queries.list_runs(RunFilters(), 50, read_mask=["name"]).runs] == expected
    # A run larger than the budget still makes a page of its own: a page is never empty.
    alone = queries.list_runs(RunFilters(), 50, read_mask=["jd_text"], max_bytes=100)
    assert len(alone.runs) == 1 and alone.next_page_token


@pytest.mark.parametrize("by", ["none", "status", "role"])
def test_a_filtered_page_reads_runs_in_index_order_without_sorting_them(sqlite_url: str, by: str) -> None:
    """The statement ListRuns sends, as SQLite plans it: an index gives the rows newest first for
    each filter, so a page never sorts every matching run (the plan has no temporary B-tree)."""
    engine = make_engine(sqlite_url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        role = RoleRow(slug="data-engineer", display_name="Data Engineer", pack="esco")
        session.add(role)
        session.flush()
        role_id = role.id
    store(sessions, *(make_run(BASE_TIME + timedelta(seconds=i), role_id=role_id) for i in range(5)))
    filters = {
        "none": RunFilters(),
        "status": RunFilters(status=run_pb2.RUN_STATUS_COMPLETED),
        "role": RunFilters(role=f"roles/{role_id}"),
    }[by]
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM runs" in statement and "ORDER BY" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    first = RunQueries(sessions).list_runs(filters, 2)
    RunQueries(sessions).list_runs(filters, 2, first.next_page_token)  # the keyset condition too
    event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) == 2
    expected_index = {
        "none": "ix_runs_created_at_id",
        "status": "ix_runs_status_created_at_id",
        "role": "ix_runs_chosen_role_id_created_at_id",
    }[by]
    with engine.connect() as connection:
        for statement, parameters in sent:
            plan = " | ".join(
                row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert expected_index in plan, plan
            assert "TEMP B-TREE" not in plan, plan
    engine.dispose()
