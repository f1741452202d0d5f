"""The real server over a real socket through the generated client: health, reflection, the error
interceptor's status codes and rich details, deadlines, graceful shutdown and the batch stream.

The pipeline core is not written yet; where a test needs one, a small fake core stands in at the
PipelineApi edge (the edge under test is the gRPC layer, not the pipeline).
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from sqlalchemy.exc import OperationalError

from grpc_harness import (
    correlation_header,
    detail_of,
    fresh_sqlite_url,
    item_detail_of,
    rich_status,
    running_server,
)
from jdlens.v1 import (
    library_pb2,
    library_service_pb2,
    pipeline_service_pb2,
    run_pb2,
    run_service_pb2,
)
from jdlens_server.errors import (
    FailedPrecondition,
    NotFound,
    PreconditionViolation,
    QuotaViolation,
    ResourceExhausted,
    Unavailable,
)
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.grpc_api.bounded import bounded_map
from jdlens_server.grpc_api.interceptor import ErrorInterceptor
from jdlens_server.grpc_api.server import ServerConfig
from jdlens_server.grpc_api.status_mapping import DeadlineExceeded
from test_runs_queries import store_runs

JdInput = pipeline_service_pb2.JdInput
AnalyzeJdRequest = pipeline_service_pb2.AnalyzeJdRequest
StreamRequest = pipeline_service_pb2.AnalyzeJdStreamRequest
SAMPLE_JD = "Senior Data Engineer. You will build batch and streaming pipelines in Python and Spark."


class FakeCore:
    """Stands in for the pipeline core: answers with a run echoing the request, and can be told to
    raise, to wait on a gate, or to sleep; records how many calls run at once."""

    def __init__(
        self,
        raise_for: Callable[[str], Exception | None] = lambda text: None,
        sleep_seconds: float = 0.0,
    ) -> None:
        self.raise_for = raise_for
        self.sleep_seconds = sleep_seconds
        self.gate: threading.Event | None = None
        self.entered = threading.Semaphore(0)
        self.calls: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def _run(self, text: str, title: str) -> tuple[run_pb2.Run, bool]:
        with self._lock:
            self.calls.append(text)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.entered.release()
        try:
            if self.gate is not None:
                assert self.gate.wait(10), "test never opened the gate"
            if self.sleep_seconds:
                time.sleep(self.sleep_seconds)
            error = self.raise_for(text)
            if error is not None:
                raise error
            run_id = str(uuid.uuid4())
            run = run_pb2.Run(
                name=f"runs/{run_id}",
                run_id=run_id,
                status=run_pb2.RUN_STATUS_COMPLETED,
                jd_text=text,
                title_hint=title,
            )
            run.create_time.FromDatetime(datetime.now(UTC))
            run.extraction.decision.reasoning = "fake core"
            return run, False
        finally:
            with self._lock:
                self.in_flight -= 1

    def extract_from_jd(self, req: pipeline_service_pb2.ExtractFromJdRequest) -> tuple[run_pb2.Run, bool]:
        return self._run(req.jd.text, req.jd.title)

    def extract_details(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        return self._run(run_name, "")

    def finalize_role(self, run_name: str) -> tuple[run_pb2.Run, bool]:
        return self._run(run_name, "")

    def analyze_jd(self, req: pipeline_service_pb2.AnalyzeJdRequest) -> tuple[run_pb2.Run, bool]:
        return self._run(req.jd.text, req.jd.title)


async def wait_entered(core: FakeCore, count: int = 1) -> None:
    for _ in range(count):
        assert await asyncio.to_thread(core.entered.acquire, True, 10), "the core was never called"


async def call_log_lines(caplog: pytest.LogCaptureFixture, method_suffix: str) -> list[logging.LogRecord]:
    """The interceptor's per-call log lines for a method, once there are any (waits up to 5 s)."""
    for _ in range(100):
        lines = [
            r
            for r in caplog.records
            if r.msg.startswith("rpc ") and getattr(r, "method", "").endswith(method_suffix)
        ]
        if lines:
            return lines
        await asyncio.sleep(0.05)
    raise AssertionError(f"no log line for {method_suffix}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return fresh_sqlite_url(tmp_path)


# ---- health and reflection -------------------------------------------------------------------


async def test_health_reports_serving_overall_and_per_service(sqlite_url: str) -> None:
    async with running_server(sqlite_url, pipeline=FakeCore()) as h:
        for service in ("", "jdlens.v1.PipelineService", "jdlens.v1.RunService", "jdlens.v1.LibraryService"):
            reply = await h.health.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, service


async def test_health_reports_pipeline_not_serving_without_a_core(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        reply = await h.health.Check(health_pb2.HealthCheckRequest(service="jdlens.v1.PipelineService"))
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
        overall = await h.health.Check(health_pb2.HealthCheckRequest())
        assert overall.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_and_describes_the_three_services(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        stub = reflection_pb2_grpc.ServerReflectionStub(h.channel)

        async def ask() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
            yield reflection_pb2.ServerReflectionRequest(list_services="")
            yield reflection_pb2.ServerReflectionRequest(file_containing_symbol="jdlens.v1.RunService")

        replies = [reply async for reply in stub.ServerReflectionInfo(ask())]
        listed = {s.name for s in replies[0].list_services_response.service}
        assert {"jdlens.v1.PipelineService", "jdlens.v1.RunService", "jdlens.v1.LibraryService"} <= listed
        assert {"grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= listed
        files = replies[1].file_descriptor_response.file_descriptor_proto
        assert any(b"ListRuns" in f for f in files)


# ---- INVALID_ARGUMENT with BadRequest field violations ---------------------------------------

_TOO_LONG = "x" * 100_001
_BAD_MASK = field_mask_pb2.FieldMask(paths=["no_such_field"])
_lsp = library_service_pb2

# (service, method, request, the fields the violations must name)
INVALID_REQUESTS: list[tuple[str, str, object, set[str]]] = [
    ("pipeline", "ExtractFromJd", pipeline_service_pb2.ExtractFromJdRequest(), {"jd.text"}),
    (
        "pipeline",
        "ExtractFromJd",
        pipeline_service_pb2.ExtractFromJdRequest(
            jd=JdInput(text="   \n\t "), options=run_pb2.RunOptions(top_k=51), read_mask=_BAD_MASK
        ),
        {"jd.text", "options.top_k", "read_mask.paths[0]"},
    ),
    ("pipeline", "AnalyzeJd", AnalyzeJdRequest(jd=JdInput(text=_TOO_LONG)), {"jd.text"}),
    (
        "pipeline",
        "AnalyzeJd",
        AnalyzeJdRequest(
            jd=JdInput(text=SAMPLE_JD), idempotency_key="k" * 129, options=run_pb2.RunOptions(top_k=-1)
        ),
        {"idempotency_key", "options.top_k"},
    ),
    ("pipeline", "ExtractDetails", pipeline_service_pb2.ExtractDetailsRequest(), {"run"}),
    (
        "pipeline",
        "ExtractDetails",
        pipeline_service_pb2.ExtractDetailsRequest(run="runs/not-a-uuid"),
        {"run"},
    ),
    ("pipeline", "FinalizeRole", pipeline_service_pb2.FinalizeRoleRequest(run="skills/python"), {"run"}),
    ("runs", "GetRun", run_service_pb2.GetRunRequest(), {"name"}),
    (
        "runs",
        "GetRun",
        run_service_pb2.GetRunRequest(name="runs/" + str(uuid.uuid4()), read_mask=_BAD_MASK),
        {"read_mask.paths[0]"},
    ),
    (
        "runs",
        "ListRuns",
        run_service_pb2.ListRunsRequest(page_size=-1, status=run_pb2.RunStatus.ValueType(99)),
        {"page_size", "status"},
    ),
    (
        "runs",
        "ListRuns",
        run_service_pb2.ListRunsRequest(page_size=501, role="roles/data-engineer"),
        {"page_size", "role"},
    ),
    ("runs", "ListRuns", run_service_pb2.ListRunsRequest(page_token="garbage!"), {"page_token"}),
    ("library", "GetSkill", _lsp.GetSkillRequest(), {"name"}),
    ("library", "GetSkill", _lsp.GetSkillRequest(name="roles/data-engineer"), {"name"}),
    ("library", "GetRole", _lsp.GetRoleRequest(name="roles/0"), {"name"}),
    ("library", "GetDimension", _lsp.GetDimensionRequest(name="dimensions/a/b"), {"name"}),
    (
        "library",
        "ListSkills",
        _lsp.ListSkillsRequest(page_size=-5, dimension="skills/x"),
        {"page_size", "dimension"},
    ),
    ("library", "ListRoles", _lsp.ListRolesRequest(pack="no such pack!"), {"pack"}),
    ("library", "ListDimensions", _lsp.ListDimensionsRequest(page_size=100_000), {"page_size"}),
    (
        "library",
        "ListReviewItems",
        _lsp.ListReviewItemsRequest(kind=library_pb2.ReviewItemKind.ValueType(42), role="x"),
        {"kind", "role"},
    ),
    ("library", "ResolveReviewItem", _lsp.ResolveReviewItemRequest(), {"name", "decision"}),
    (
        "library",
        "ResolveReviewItem",
        _lsp.ResolveReviewItemRequest(name="reviewItems/7", decision=_lsp.REVIEW_DECISION_MERGE),
        {"merge_into"},
    ),
    ("library", "ListChanges", _lsp.ListChangesRequest(since_version=-1), {"since_version"}),
    ("library", "SearchSkills", _lsp.SearchSkillsRequest(query="  "), {"query"}),
    ("library", "SearchRoles", _lsp.SearchRolesRequest(query="data engineer", page_size=101), {"page_size"}),
]


@pytest.mark.parametrize(
    ("service", "method", "request_message", "fields"),
    INVALID_REQUESTS,
    ids=[f"{m}-{i}" for i, (_, m, _, _) in enumerate(INVALID_REQUESTS)],
)
async def test_malformed_requests_are_invalid_argument_with_field_violations(
    sqlite_url: str, service: str, method: str, request_message: object, fields: set[str]
) -> None:
    core = FakeCore()
    async with running_server(sqlite_url, pipeline=core) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await getattr(getattr(h, service), method)(request_message)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = detail_of(error, error_details_pb2.BadRequest).field_violations
    assert {v.field for v in violations} == fields
    assert all(v.description for v in violations)
    # The correlation id in the trailers is the one in the status's RequestInfo.
    assert detail_of(error, error_details_pb2.RequestInfo).request_id == correlation_header(error)
    assert core.calls == [], "the core must not see an invalid request"


async def test_oversized_text_violation_states_the_limit(sqlite_url: str) -> None:
    async with running_server(sqlite_url, pipeline=FakeCore()) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=_TOO_LONG)))
    (violation,) = detail_of(caught.value, error_details_pb2.BadRequest).field_violations
    assert "100,000" in violation.description and "100,001" in violation.description


async def test_title_only_request_is_valid(sqlite_url: str) -> None:
    core = FakeCore()
    async with running_server(sqlite_url, pipeline=core) as h:
        reply = await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(title="Data Engineer")))
    assert reply.run.title_hint == "Data Engineer"


async def test_page_token_reused_with_other_filters_is_invalid_argument(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        # Two runs so a one-run page has a next page token.
        store_runs(h.sessions, 2)
        first = await h.runs.ListRuns(run_service_pb2.ListRunsRequest(page_size=1))
        assert first.next_page_token
        with pytest.raises(aio.AioRpcError) as caught:
            await h.runs.ListRuns(
                run_service_pb2.ListRunsRequest(
                    page_size=1, page_token=first.next_page_token, status=run_pb2.RUN_STATUS_REJECTED
                )
            )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    (violation,) = detail_of(caught.value, error_details_pb2.BadRequest).field_violations
    assert violation.field == "page_token" and "different" in violation.description


# ---- NOT_FOUND with ResourceInfo ------------------------------------------------------------

_UNKNOWN_RUN = "runs/" + str(uuid.uuid4())
NOT_FOUND_REQUESTS: list[tuple[str, str, object, str, str]] = [
    ("runs", "GetRun", run_service_pb2.GetRunRequest(name=_UNKNOWN_RUN), "jdlens.v1.Run", _UNKNOWN_RUN),
    (
        "runs",
        "ListRuns",
        run_service_pb2.ListRunsRequest(role="roles/999"),
        "jdlens.v1.Role",
        "roles/999",
    ),
    (
        "library",
        "GetSkill",
        _lsp.GetSkillRequest(name="skills/998"),
        "jdlens.v1.Skill",
        "skills/998",
    ),
    (
        "library",
        "GetRole",
        _lsp.GetRoleRequest(name="roles/997"),
        "jdlens.v1.Role",
        "roles/997",
    ),
    (
        "library",
        "GetDimension",
        _lsp.GetDimensionRequest(name="dimensions/996"),
        "jdlens.v1.Dimension",
        "dimensions/996",
    ),
    (
        "library",
        "ListSkills",
        _lsp.ListSkillsRequest(dimension="dimensions/995"),
        "jdlens.v1.Dimension",
        "dimensions/995",
    ),
    (
        "library",
        "ResolveReviewItem",
        _lsp.ResolveReviewItemRequest(name="reviewItems/4242", decision=_lsp.REVIEW_DECISION_APPROVE),
        "jdlens.v1.ReviewItem",
        "reviewItems/4242",
    ),
    (
        "library",
        "ListReviewItems",
        _lsp.ListReviewItemsRequest(role="roles/999"),
        "jdlens.v1.Role",
        "roles/999",
    ),
]


@pytest.mark.parametrize(
    ("service", "method", "request_message", "resource_type", "resource_name"),
    NOT_FOUND_REQUESTS,
    ids=[f"{m}-{i}" for i, (_, m, _, _, _) in enumerate(NOT_FOUND_REQUESTS)],
)
async def test_unknown_names_are_not_found_with_resource_info(
    sqlite_url: str,
    service: str,
    method: str,
    request_message: object,
    resource_type: str,
    resource_name: str,
) -> None:
    async with running_server(sqlite_url) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await getattr(getattr(h, service), method)(request_message)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    info = detail_of(caught.value, error_details_pb2.ResourceInfo)
    assert (info.resource_type, info.resource_name) == (resource_type, resource_name)
    assert info.description


async def test_core_not_found_reaches_the_caller_as_resource_info(sqlite_url: str) -> None:
    run_name = "runs/" + str(uuid.uuid4())
    core = FakeCore(raise_for=lambda name: NotFound("jdlens.v1.Run", name))
    async with running_server(sqlite_url, pipeline=core) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.ExtractDetails(pipeline_service_pb2.ExtractDetailsRequest(run=run_name))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert detail_of(caught.value, error_details_pb2.ResourceInfo).resource_name == run_name


# ---- other domain errors, INTERNAL, UNIMPLEMENTED -------------------------------------------


@pytest.mark.parametrize(
    ("error", "code", "detail_type"),
    [
        (
            FailedPrecondition(
                "run is not at stage 1", [PreconditionViolation("STAGE", "runs/x", "run stage 1 first")]
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
            error_details_pb2.PreconditionFailure,
        ),
        (
            ResourceExhausted(
                "too busy", [QuotaViolation("in-flight runs", "at most 8")], retry_after_seconds=2.5
            ),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            error_details_pb2.QuotaFailure,
        ),
        (
            Unavailable("model API down", retry_after_seconds=3),
            grpc.StatusCode.UNAVAILABLE,
            error_details_pb2.RetryInfo,
        ),
    ],
)
async def test_domain_errors_map_to_codes_with_rich_details(
    sqlite_url: str, error: Exception, code: grpc.StatusCode, detail_type: type
) -> None:
    async with running_server(sqlite_url, pipeline=FakeCore(raise_for=lambda _: error)) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)))
    assert caught.value.code() == code
    assert caught.value.details() == str(error)
    detail_of(caught.value, detail_type)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        retry = detail_of(caught.value, error_details_pb2.RetryInfo)
        assert retry.retry_delay.ToMilliseconds() == 2500


async def test_a_failing_database_is_unavailable_with_a_retry_hint_and_no_driver_text(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite's lock wait run out, a PostgreSQL deadlock, a lost connection: SQLAlchemy raises
    OperationalError; the caller gets UNAVAILABLE (retry is safe: the transaction rolled back),
    the operator the driver's reason in the log."""
    driver_text = "database is locked (INSERT INTO runs ... host=db.internal)"
    failing = OperationalError("INSERT INTO runs", {}, Exception(driver_text))
    caplog.set_level(logging.INFO, logger="jdlens")
    async with running_server(sqlite_url, pipeline=FakeCore(raise_for=lambda _: failing)) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)))
        stream = h.pipeline.AnalyzeJdStream(iter([StreamRequest(request_id="a", jd=JdInput(text=SAMPLE_JD))]))
        (item,) = [response async for response in stream]
    error = caught.value
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "retrying the same request is safe" in (error.details() or "")
    assert detail_of(error, error_details_pb2.RetryInfo).retry_delay.ToMilliseconds() == 1000
    assert b"database is locked" not in rich_status(error).SerializeToString()
    # A stream item gets the same status, and the stream goes on.
    assert item.request_id == "a" and item.error.code == grpc.StatusCode.UNAVAILABLE.value[0]
    warned = [r for r in caplog.records if r.getMessage().startswith("database unavailable in ")]
    assert len(warned) == 2 and all(driver_text.split(" (")[0] in r.getMessage() for r in warned)


async def test_unexpected_error_is_internal_with_correlation_id_and_no_trace(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "secret-db-password at /srv/jdlens/pipeline.py line 12"
    core = FakeCore(raise_for=lambda _: RuntimeError(secret))
    caplog.set_level(logging.INFO, logger="jdlens")
    async with running_server(sqlite_url, pipeline=core) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)))
    error = caught.value
    assert error.code() == grpc.StatusCode.INTERNAL
    info = detail_of(error, error_details_pb2.ErrorInfo)
    cid = info.metadata["correlation_id"]
    assert cid and cid in (error.details() or "") and cid == correlation_header(error)
    wire = rich_status(error).SerializeToString() + (error.details() or "").encode()
    for leak in (b"secret", b"Traceback", b"RuntimeError", b"pipeline.py"):
        assert leak not in wire
    # The trace is in the log, under the same id.
    traced = [r for r in caplog.records if r.exc_info and getattr(r, "correlation_id", None) == cid]
    assert traced and secret in str(traced[0].exc_info[1])  # type: ignore[index]
    call_lines = [
        r for r in caplog.records if r.msg.startswith("rpc ") and getattr(r, "correlation_id", "") == cid
    ]
    assert [getattr(r, "code") for r in call_lines] == ["INTERNAL"]  # noqa: B009
    # A plain-text log line alone ties the call to the id the client was given.
    assert call_lines[0].getMessage().endswith(f" ms cid={cid}")
    assert call_lines[0].getMessage().startswith("rpc ") and " INTERNAL " in call_lines[0].getMessage()


async def test_caller_correlation_id_is_kept(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.runs.GetRun(
                run_service_pb2.GetRunRequest(name=_UNKNOWN_RUN), metadata=(("x-correlation-id", "req-42.a"),)
            )
    assert correlation_header(caught.value) == "req-42.a"
    assert detail_of(caught.value, error_details_pb2.RequestInfo).request_id == "req-42.a"


async def test_pipeline_without_core_is_unimplemented(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        with pytest.raises(aio.AioRpcError) as unary:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)))
        with pytest.raises(aio.AioRpcError) as stream:
            async for _ in h.pipeline.AnalyzeJdStream(
                iter([StreamRequest(request_id="a", jd=JdInput(text="x"))])
            ):
                pass
    for caught in (unary, stream):
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert "not configured" in (caught.value.details() or "")


async def test_read_mask_limits_the_returned_run(sqlite_url: str) -> None:
    async with running_server(sqlite_url, pipeline=FakeCore()) as h:
        reply = await h.pipeline.AnalyzeJd(
            AnalyzeJdRequest(
                jd=JdInput(text=SAMPLE_JD), read_mask=field_mask_pb2.FieldMask(paths=["name", "status"])
            )
        )
    assert reply.run.name.startswith("runs/") and reply.run.status == run_pb2.RUN_STATUS_COMPLETED
    assert not reply.run.jd_text and not reply.run.HasField("extraction")


async def test_message_size_limit_is_enforced(sqlite_url: str) -> None:
    async with running_server(sqlite_url, ServerConfig(max_message_bytes=4096), pipeline=FakeCore()) as h:
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text="word " * 2000)))
        small = await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)))
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert small.run.jd_text == SAMPLE_JD


# ---- deadlines and shutdown -----------------------------------------------------------------


async def test_deadline_is_honoured(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    core = FakeCore()
    core.gate = threading.Event()
    caplog.set_level(logging.INFO, logger="jdlens")
    async with running_server(sqlite_url, pipeline=core) as h:
        started = time.perf_counter()
        with pytest.raises(aio.AioRpcError) as caught:
            await h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD)), timeout=0.3)
        waited = time.perf_counter() - started
        # The server gave up on the call too, while the core was still busy: its log line says so.
        lines = await call_log_lines(caplog, "/AnalyzeJd")
        core.gate.set()
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert waited < 2
    assert [getattr(r, "code") for r in lines] in (["DEADLINE_EXCEEDED"], ["CANCELLED"])  # noqa: B009


class _Context:
    """Just enough of a servicer context for BlockingRunner: a deadline already spent."""

    def time_remaining(self) -> float:
        return 0.0


async def test_work_is_not_started_when_the_deadline_is_spent() -> None:
    runner = BlockingRunner(1)
    started: list[bool] = []
    with pytest.raises(DeadlineExceeded):
        await runner.run(_Context(), lambda: started.append(True))  # type: ignore[arg-type]
    runner.shutdown()
    assert started == []


class _Unbounded:
    def time_remaining(self) -> None:
        return None


async def test_a_long_remote_wait_does_not_hold_the_threads_other_work_needs() -> None:
    """A Message Batch's wait (hours at worst) runs on the wait pool: with every work thread's
    worth of waits blocked, other work still runs at once."""
    runner = BlockingRunner(1, max_waits=4)
    released = threading.Event()
    try:
        waits = [
            asyncio.ensure_future(runner.run_wait(_Unbounded(), lambda: released.wait(30)))  # type: ignore[arg-type]
            for _ in range(4)
        ]
        await asyncio.sleep(0.05)
        done = await asyncio.wait_for(runner.run(_Unbounded(), lambda: "served"), timeout=5)  # type: ignore[arg-type]
        assert done == "served" and not any(w.done() for w in waits)
    finally:
        released.set()
    assert await asyncio.gather(*waits) == [True] * 4
    runner.shutdown()


async def test_graceful_shutdown_drains_the_call_in_flight_and_refuses_new_ones(sqlite_url: str) -> None:
    core = FakeCore()
    core.gate = threading.Event()
    async with running_server(sqlite_url, pipeline=core) as h:
        watch = h.health.Watch(health_pb2.HealthCheckRequest())
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        in_flight = asyncio.ensure_future(h.pipeline.AnalyzeJd(AnalyzeJdRequest(jd=JdInput(text=SAMPLE_JD))))
        await wait_entered(core)

        stopping = asyncio.ensure_future(h.server.stop(grace_seconds=10))
        # Health turns NOT_SERVING first, so balancers stop sending work.
        assert (await asyncio.wait_for(watch.read(), 5)).status == health_pb2.HealthCheckResponse.NOT_SERVING
        with pytest.raises(aio.AioRpcError) as refused:
            await h.runs.ListRuns(run_service_pb2.ListRunsRequest(), timeout=2)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert not in_flight.done()

        core.gate.set()
        reply = await asyncio.wait_for(in_flight, 5)
        assert reply.run.jd_text == SAMPLE_JD
        watch.cancel()
        await asyncio.wait_for(stopping, 15)


# ---- the batch stream -----------------------------------------------------------------------


def stream_of(*requests: StreamRequest) -> AsyncIterator[StreamRequest]:
    async def gen() -> AsyncIterator[StreamRequest]:
        for request in requests:
            yield request

    return gen()


async def test_stream_runs_items_with_bounded_concurrency(sqlite_url: str) -> None:
    core = FakeCore(sleep_seconds=0.05)
    requests = [StreamRequest(request_id=f"r{i}", jd=JdInput(text=f"{SAMPLE_JD} #{i}")) for i in range(12)]
    async with running_server(sqlite_url, ServerConfig(stream_concurrency=3), pipeline=core) as h:
        replies = [r async for r in h.pipeline.AnalyzeJdStream(stream_of(*requests))]
    assert sorted(r.request_id for r in replies) == sorted(r.request_id for r in requests)
    by_id = {r.request_id: r for r in replies}
    for request in requests:
        assert by_id[request.request_id].run.jd_text == request.jd.text
    assert core.max_in_flight == 3


async def test_stream_answers_bad_items_with_item_errors_and_goes_on(sqlite_url: str) -> None:
    core = FakeCore(raise_for=lambda text: NotFound("jdlens.v1.Run", "runs/gone") if "gone" in text else None)
    requests = [
        StreamRequest(request_id="ok-1", jd=JdInput(text=SAMPLE_JD)),
        StreamRequest(request_id="empty", jd=JdInput()),
        StreamRequest(request_id="", jd=JdInput(text=SAMPLE_JD)),
        StreamRequest(request_id="ok-1", jd=JdInput(text=SAMPLE_JD + " again")),
        StreamRequest(request_id="gone", jd=JdInput(text="gone")),
        StreamRequest(
            request_id="ok-2",
            jd=JdInput(title="Data Engineer"),
            read_mask=field_mask_pb2.FieldMask(paths=["title_hint"]),
        ),
    ]
    async with running_server(sqlite_url, pipeline=core) as h:
        call = h.pipeline.AnalyzeJdStream(stream_of(*requests))
        replies = [r async for r in call]
        assert await call.code() == grpc.StatusCode.OK
    assert len(replies) == len(requests)
    runs = [r for r in replies if r.HasField("run")]
    errors = [r for r in replies if r.HasField("error")]
    assert sorted(r.request_id for r in runs) == ["ok-1", "ok-2"]
    ok2 = next(r for r in runs if r.request_id == "ok-2")
    assert ok2.run == run_pb2.Run(title_hint="Data Engineer")  # the item's read mask applied

    def violations(reply: pipeline_service_pb2.AnalyzeJdStreamResponse) -> set[str]:
        assert reply.error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
        bad = item_detail_of(reply.error, error_details_pb2.BadRequest)
        return {v.field for v in bad.field_violations}

    by_id: dict[str, list[pipeline_service_pb2.AnalyzeJdStreamResponse]] = {}
    for reply in errors:
        by_id.setdefault(reply.request_id, []).append(reply)
    assert violations(by_id["empty"][0]) == {"jd.text"}
    assert violations(by_id[""][0]) == {"request_id"}
    (duplicate,) = by_id["ok-1"]
    assert violations(duplicate) == {"request_id"} and "duplicate" in duplicate.error.message
    (gone,) = by_id["gone"]
    assert gone.error.code == grpc.StatusCode.NOT_FOUND.value[0]
    info = item_detail_of(gone.error, error_details_pb2.ResourceInfo)
    assert info.resource_name == "runs/gone"
    # Rejected items never reached the core.
    assert sorted(core.calls) == sorted([SAMPLE_JD, "gone", ""])


async def test_stream_item_internal_error_has_correlation_id_only(sqlite_url: str) -> None:
    core = FakeCore(raise_for=lambda text: ValueError("boom: internal detail") if text == "bad" else None)
    async with running_server(sqlite_url, pipeline=core) as h:
        replies = [
            r
            async for r in h.pipeline.AnalyzeJdStream(
                stream_of(
                    StreamRequest(request_id="a", jd=JdInput(text="bad")),
                    StreamRequest(request_id="b", jd=JdInput(text="fine")),
                )
            )
        ]
    by_id = {r.request_id: r for r in replies}
    assert by_id["b"].HasField("run")
    error = by_id["a"].error
    assert error.code == grpc.StatusCode.INTERNAL.value[0]
    assert "boom" not in error.message and "ValueError" not in error.message
    info = item_detail_of(error, error_details_pb2.ErrorInfo)
    assert info.metadata["correlation_id"] in error.message


async def test_stream_cancellation_stops_pending_work(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    core = FakeCore()
    core.gate = threading.Event()
    caplog.set_level(logging.INFO, logger="jdlens")
    requests = [StreamRequest(request_id=f"r{i}", jd=JdInput(text=f"jd {i}")) for i in range(10)]
    async with running_server(sqlite_url, ServerConfig(stream_concurrency=2), pipeline=core) as h:
        call = h.pipeline.AnalyzeJdStream(stream_of(*requests))
        await wait_entered(core, 2)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            async for _ in call:
                pass
        # The server ends the call while both items are still blocked in the core...
        lines = await call_log_lines(caplog, "/AnalyzeJdStream")
        core.gate.set()
        await asyncio.sleep(0.3)
    # ...and starts none of the eight it had not read yet.
    assert len(core.calls) == 2
    assert [getattr(r, "code") for r in lines] == ["CANCELLED"]  # noqa: B009


async def test_bounded_map_reads_no_further_while_the_limit_is_in_flight() -> None:
    pulled = 0
    release = asyncio.Event()

    async def source() -> AsyncIterator[int]:
        nonlocal pulled
        for i in range(50):
            pulled += 1
            yield i

    async def work(i: int) -> int:
        await release.wait()
        return i

    results = bounded_map(source(), work, 4)
    first = asyncio.ensure_future(anext(results))
    await asyncio.sleep(0.05)
    # Four items in flight, and the fifth is not even read: the sender is held back.
    assert pulled == 4 and not first.done()
    release.set()
    assert sorted([await first] + [i async for i in results]) == list(range(50))


async def test_library_version_on_an_empty_library(sqlite_url: str) -> None:
    async with running_server(sqlite_url) as h:
        version = await h.library.GetLibraryVersion(library_service_pb2.GetLibraryVersionRequest())
    assert version == library_pb2.LibraryVersion()


async def test_interceptor_maps_an_error_raised_mid_stream() -> None:
    """Responses already sent stay sent; the error still arrives as a status with rich details."""

    async def echo_until_stop(requests: AsyncIterator[bytes], context: object) -> AsyncIterator[bytes]:
        async for request in requests:
            yield request
            if request == b"stop":
                raise NotFound("jdlens.v1.Run", "runs/gone")

    handler = grpc.method_handlers_generic_handler(
        "test.Echo", {"Chat": grpc.stream_stream_rpc_method_handler(echo_until_stop)}
    )
    server = aio.server(interceptors=[ErrorInterceptor()])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    received: list[bytes] = []
    try:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            raw = channel.stream_stream("/test.Echo/Chat", bytes, bytes)  # raw bytes both ways
            call = raw(iter([b"a", b"stop", b"never"]))
            with pytest.raises(aio.AioRpcError) as caught:
                async for message in call:
                    received.append(message)
    finally:
        await server.stop(0)
    assert received == [b"a", b"stop"]
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert detail_of(caught.value, error_details_pb2.ResourceInfo).resource_name == "runs/gone"


SERVE_SCRIPT = """
import asyncio, sys
from jdlens_server.grpc_api.server import ServerConfig, serve
asyncio.run(serve(ServerConfig(address="127.0.0.1:0", db_url=sys.argv[1], grace_seconds=5)))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_shuts_down_cleanly_on_signal(sqlite_url: str, signum: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, sqlite_url], stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        port = None
        for line in proc.stderr:
            entry = json.loads(line)
            if entry["msg"] == "serving":
                port = entry["port"]
                break
        assert port, "the server never said it was serving"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        proc.send_signal(signum)
        assert proc.wait(timeout=15) == 0
        messages = [json.loads(line)["msg"] for line in proc.stderr]
        assert "shutting down" in messages and "stopped" in messages
    finally:
        proc.kill()
        proc.wait()
