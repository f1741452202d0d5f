"""jdlens.client over a real socket against a small in-process gRPC server.

The server here only plays back what the contract promises (pages, rich error details, stream items),
so the client's own behaviour is tested: page-token following, request building, detail decoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from jdlens.client import DEFAULT_TIMEOUT_S, JdlensClient, StreamItem, error_details, item_error_details
from jdlens.v1 import common_pb2, pipeline_service_pb2, run_pb2, run_service_pb2

RUNS = [run_pb2.Run(name=f"runs/{i}", status=run_pb2.RUN_STATUS_COMPLETED) for i in range(7)]


def _packed(*details: error_details_pb2.BadRequest | error_details_pb2.ResourceInfo) -> list[any_pb2.Any]:
    packed = []
    for detail in details:
        box = any_pb2.Any()
        box.Pack(detail)
        packed.append(box)
    return packed


def _bad_request(field: str, description: str) -> error_details_pb2.BadRequest:
    return error_details_pb2.BadRequest(
        field_violations=[error_details_pb2.BadRequest.FieldViolation(field=field, description=description)]
    )


class Backend:
    """What the fake server saw, for assertions."""

    def __init__(self) -> None:
        self.list_requests: list[run_service_pb2.ListRunsRequest] = []
        self.masks: list[list[str]] = []  # each request's read mask paths, in arrival order
        self.stream_requests: list[pipeline_service_pb2.AnalyzeJdStreamRequest] = []

    def list_runs(
        self, request: run_service_pb2.ListRunsRequest, context: grpc.ServicerContext
    ) -> run_service_pb2.ListRunsResponse:
        self.list_requests.append(request)
        self.masks.append(list(request.read_mask.paths))
        start = int(request.page_token or 0)
        end = start + request.page_size
        return run_service_pb2.ListRunsResponse(
            runs=RUNS[start:end], next_page_token=str(end) if end < len(RUNS) else ""
        )

    def get_run(self, request: run_service_pb2.GetRunRequest, context: grpc.ServicerContext) -> run_pb2.Run:
        self.masks.append(list(request.read_mask.paths))
        for run in RUNS:
            if run.name == request.name:
                return run
        if not request.name:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name is required")  # no details
        info = error_details_pb2.ResourceInfo(resource_type="jdlens.v1.Run", resource_name=request.name)
        status = status_pb2.Status(code=code_pb2.NOT_FOUND, message="no such run", details=_packed(info))
        context.abort_with_status(rpc_status.to_status(status))
        raise AssertionError("unreachable")

    def analyze(
        self, request: pipeline_service_pb2.AnalyzeJdRequest, context: grpc.ServicerContext
    ) -> pipeline_service_pb2.AnalyzeJdResponse:
        self.masks.append(list(request.read_mask.paths))
        if not request.jd.text and not request.jd.title:
            status = status_pb2.Status(
                code=code_pb2.INVALID_ARGUMENT,
                message="jd is empty",
                details=_packed(_bad_request("jd.text", "give the JD text or a title")),
            )
            context.abort_with_status(rpc_status.to_status(status))
        key = request.idempotency_key
        run = run_pb2.Run(name=f"runs/{key or 'x'}", idempotency_key=key)
        run.options.CopyFrom(request.options)
        return pipeline_service_pb2.AnalyzeJdResponse(run=run)

    def analyze_stream(
        self, requests: Iterator[pipeline_service_pb2.AnalyzeJdStreamRequest], context: grpc.ServicerContext
    ) -> Iterator[pipeline_service_pb2.AnalyzeJdStreamResponse]:
        for request in requests:
            self.masks.append(list(request.read_mask.paths))
            self.stream_requests.append(request)
            if request.jd.text:
                yield pipeline_service_pb2.AnalyzeJdStreamResponse(
                    request_id=request.request_id, run=run_pb2.Run(name=f"runs/{request.request_id}")
                )
            else:
                error = common_pb2.ItemError(
                    code=code_pb2.INVALID_ARGUMENT,
                    message="empty JD",
                    details=_packed(_bad_request("jd.text", "empty")),
                )
                yield pipeline_service_pb2.AnalyzeJdStreamResponse(request_id=request.request_id, error=error)


@pytest.fixture
def served() -> Iterator[tuple[Backend, JdlensClient]]:
    backend = Backend()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    runs = {
        "ListRuns": grpc.unary_unary_rpc_method_handler(
            backend.list_runs,
            request_deserializer=run_service_pb2.ListRunsRequest.FromString,
            response_serializer=run_service_pb2.ListRunsResponse.SerializeToString,
        ),
        "GetRun": grpc.unary_unary_rpc_method_handler(
            backend.get_run,
            request_deserializer=run_service_pb2.GetRunRequest.FromString,
            response_serializer=run_pb2.Run.SerializeToString,
        ),
    }
    pipeline = {
        "AnalyzeJd": grpc.unary_unary_rpc_method_handler(
            backend.analyze,
            request_deserializer=pipeline_service_pb2.AnalyzeJdRequest.FromString,
            response_serializer=pipeline_service_pb2.AnalyzeJdResponse.SerializeToString,
        ),
        "AnalyzeJdStream": grpc.stream_stream_rpc_method_handler(
            backend.analyze_stream,
            request_deserializer=pipeline_service_pb2.AnalyzeJdStreamRequest.FromString,
            response_serializer=pipeline_service_pb2.AnalyzeJdStreamResponse.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler("jdlens.v1.RunService", runs),
            grpc.method_handlers_generic_handler("jdlens.v1.PipelineService", pipeline),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with JdlensClient(f"127.0.0.1:{port}", timeout=10.0) as client:
            yield backend, client
    finally:
        server.stop(grace=None)


def test_list_runs_follows_page_tokens_and_sends_filters(served: tuple[Backend, JdlensClient]) -> None:
    backend, client = served
    runs = list(client.list_runs(status=run_pb2.RUN_STATUS_COMPLETED, role="roles/7", page_size=3))
    assert [run.name for run in runs] == [run.name for run in RUNS]
    assert [r.page_token for r in backend.list_requests] == ["", "3", "6"]
    assert {(r.status, r.role, r.page_size) for r in backend.list_requests} == {
        (run_pb2.RUN_STATUS_COMPLETED, "roles/7", 3)
    }


def test_list_runs_is_lazy(served: tuple[Backend, JdlensClient]) -> None:
    backend, client = served
    first = next(client.list_runs(page_size=2))
    assert first.name == "runs/0"
    assert len(backend.list_requests) == 1


def test_analyze_builds_the_request(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    run = client.analyze("Build data pipelines.", "Data Engineer", dry_run=True, idempotency_key="k1")
    assert run.name == "runs/k1"
    assert run.idempotency_key == "k1"
    assert run.options.dry_run is True


def test_error_details_decode_bad_request(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    with pytest.raises(grpc.RpcError) as caught:
        client.analyze("")
    assert isinstance(caught.value, grpc.Call)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [detail] = error_details(caught.value)
    assert isinstance(detail, error_details_pb2.BadRequest)
    assert [(v.field, v.description) for v in detail.field_violations] == [
        ("jd.text", "give the JD text or a title")
    ]


def test_error_details_decode_resource_info(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    assert client.get_run("runs/3").name == "runs/3"
    with pytest.raises(grpc.RpcError) as caught:
        client.get_run("runs/404")
    [detail] = error_details(caught.value)
    assert isinstance(detail, error_details_pb2.ResourceInfo)
    assert detail.resource_name == "runs/404"


def test_error_details_empty_without_details(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    with pytest.raises(grpc.RpcError) as caught:
        client.get_run("")
    assert error_details(caught.value) == []
    assert error_details(grpc.RpcError()) == []


def test_fields_are_sent_as_read_masks(served: tuple[Backend, JdlensClient]) -> None:
    backend, client = served
    client.analyze("Write SQL.", fields=["name", "extraction.decision"])
    list(client.analyze_stream([("a", "Write SQL."), ("b", "Own the roadmap.")], fields=("name",)))
    client.get_run("runs/1", fields=["name", "status"])
    next(client.list_runs(page_size=1, fields=["name", "jd_text"]))
    client.analyze("Write SQL.")  # no fields: no mask, the server's default
    assert backend.masks == [
        ["name", "extraction.decision"],
        ["name"],
        ["name"],
        ["name", "status"],
        ["name", "jd_text"],
        [],
    ]
    with pytest.raises(TypeError, match="sequence of field paths"):
        client.get_run("runs/1", fields="name")
    with pytest.raises(TypeError, match="sequence of field paths"):  # at the call, not on next()
        client.analyze_stream([("a", "Write SQL.")], fields="name")


def test_analyze_stream_matches_items_by_request_id(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    items = [("a", "Write SQL."), ("b", ""), ("c", "Own the roadmap.")]
    responses = {r.request_id: r for r in client.analyze_stream(items)}
    assert set(responses) == {"a", "b", "c"}
    assert responses["a"].run.name == "runs/a"
    assert responses["b"].WhichOneof("result") == "error"
    [detail] = item_error_details(responses["b"].error)
    assert isinstance(detail, error_details_pb2.BadRequest)
    assert detail.field_violations[0].field == "jd.text"


def test_leaving_a_stream_early_cancels_it(served: tuple[Backend, JdlensClient]) -> None:
    _, client = served
    stream = client.analyze_stream((str(i), "Write SQL.") for i in range(1000))
    first = next(stream)
    assert first.run.name == f"runs/{first.request_id}"
    stream.close()
    # The channel stays usable after the cancelled stream.
    assert client.get_run("runs/1").name == "runs/1"


def test_stream_items_carry_their_title_and_idempotency_key(served: tuple[Backend, JdlensClient]) -> None:
    backend, client = served
    items: list[StreamItem | tuple[str, str]] = [
        StreamItem("a", "Write SQL.", title="Data Analyst", idempotency_key="feed-1:a"),
        ("b", "Own the roadmap."),  # a plain pair still works: no title, no key
    ]
    assert {r.request_id for r in client.analyze_stream(items)} == {"a", "b"}
    sent = {r.request_id: r for r in backend.stream_requests}
    assert (sent["a"].jd.title, sent["a"].idempotency_key) == ("Data Analyst", "feed-1:a")
    assert (sent["b"].jd.title, sent["b"].idempotency_key) == ("", "")


def test_a_naive_datetime_filter_is_refused_not_read_as_utc(served: tuple[Backend, JdlensClient]) -> None:
    backend, client = served
    with pytest.raises(ValueError, match="created_after must be timezone-aware"):
        next(client.list_runs(created_after=datetime(2026, 1, 5)))
    assert backend.list_requests == []  # refused before anything was sent
    next(client.list_runs(created_after=datetime(2026, 1, 5, tzinfo=UTC), page_size=1))
    assert backend.list_requests[0].create_time_after.ToDatetime(tzinfo=UTC) == datetime(
        2026, 1, 5, tzinfo=UTC
    )


def test_the_default_deadline_covers_a_run_on_the_model_backend() -> None:
    # One stage's model call may take a call and its repair within the retry deadline (~70 s).
    with JdlensClient("localhost:1") as client:
        assert client.timeout == DEFAULT_TIMEOUT_S >= 100
