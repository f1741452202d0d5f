"""A small typed, synchronous client for the jdlens gRPC service.

    with JdlensClient("localhost:50051") as jd:
        run = jd.analyze(text, title="Data Engineer")
        for past in jd.list_runs(status=run_pb2.RUN_STATUS_COMPLETED):
            ...

Every method raises ``grpc.RpcError`` on failure; ``error_details(exc)`` decodes the google.rpc
rich details the server attaches (BadRequest field violations, ResourceInfo, ...). Methods that
return runs take ``fields``: the Run's field paths to fill (a read mask, e.g.
``["name", "extraction.decision"]``; a whole run is ~100 KB), all when empty.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, NamedTuple, TypeVar

import grpc
from google.protobuf import any_pb2, field_mask_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from google.rpc.status_pb2 import Status

from jdlens.v1 import (
    common_pb2,
    library_pb2,
    library_service_pb2,
    library_service_pb2_grpc,
    pipeline_service_pb2,
    pipeline_service_pb2_grpc,
    run_pb2,
    run_service_pb2,
    run_service_pb2_grpc,
)

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "DEFAULT_TIMEOUT_S",
    "JdlensClient",
    "StreamItem",
    "error_details",
    "item_error_details",
]

# A unary call's deadline: a run on the anthropic backend makes model calls of up to ~70 s a stage
# (a call and its repair within the retry deadline), so 30 s would cut off runs the server finishes.
DEFAULT_TIMEOUT_S = 120.0


class StreamItem(NamedTuple):
    """One JD of ``analyze_stream``. A plain ``(request_id, text)`` pair is one too. Give an
    ``idempotency_key`` to resend safely: without one the server derives the key from the text,
    options and library version, and the library version moves as the library learns."""

    request_id: str
    text: str
    title: str | None = None
    idempotency_key: str | None = None


T = TypeVar("T")

# The server's limit on a JD is 100,000 characters; leave room for the rest of a run in the reply.
DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024
# The rich detail types of google/rpc/error_details.proto, by full name.
_DETAIL_TYPES: dict[str, type[Message]] = {
    cls.DESCRIPTOR.full_name: cls
    for cls in (
        error_details_pb2.ErrorInfo,
        error_details_pb2.RetryInfo,
        error_details_pb2.DebugInfo,
        error_details_pb2.QuotaFailure,
        error_details_pb2.PreconditionFailure,
        error_details_pb2.BadRequest,
        error_details_pb2.RequestInfo,
        error_details_pb2.ResourceInfo,
        error_details_pb2.Help,
        error_details_pb2.LocalizedMessage,
    )
}


class JdlensClient:
    """One channel to a jdlens server; use it as a context manager or call ``close()``.

    ``timeout`` is the deadline in seconds for each unary call (DEFAULT_TIMEOUT_S; streams have none
    unless given).
    """

    def __init__(
        self,
        target: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        channel_options = [
            ("grpc.max_receive_message_length", DEFAULT_MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", DEFAULT_MAX_MESSAGE_BYTES),
            *options,
        ]
        if credentials is None:
            self._channel = grpc.insecure_channel(target, options=channel_options)
        else:
            self._channel = grpc.secure_channel(target, credentials, options=channel_options)
        self.timeout = timeout
        self.pipeline = pipeline_service_pb2_grpc.PipelineServiceStub(self._channel)
        self.runs = run_service_pb2_grpc.RunServiceStub(self._channel)
        self.library = library_service_pb2_grpc.LibraryServiceStub(self._channel)

    def __enter__(self) -> JdlensClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    # -- pipeline ----------------------------------------------------------------------------------

    def analyze(
        self,
        text: str,
        title: str | None = None,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        backend: common_pb2.Backend.ValueType = common_pb2.BACKEND_UNSPECIFIED,
        fields: Sequence[str] = (),
    ) -> run_pb2.Run:
        """All three stages and the enrichment on one JD."""
        jd, options, key = _jd_fields(text, title, dry_run, idempotency_key, backend)
        request = pipeline_service_pb2.AnalyzeJdRequest(
            jd=jd, options=options, idempotency_key=key, read_mask=_mask(fields)
        )
        return self.pipeline.AnalyzeJd(request, timeout=self.timeout).run

    def extract_from_jd(
        self,
        text: str,
        title: str | None = None,
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        backend: common_pb2.Backend.ValueType = common_pb2.BACKEND_UNSPECIFIED,
        fields: Sequence[str] = (),
    ) -> run_pb2.Run:
        """Stage 1 only: parse, extract skills, role signals and decision, library updates."""
        jd, options, key = _jd_fields(text, title, dry_run, idempotency_key, backend)
        request = pipeline_service_pb2.ExtractFromJdRequest(
            jd=jd, options=options, idempotency_key=key, read_mask=_mask(fields)
        )
        return self.pipeline.ExtractFromJd(request, timeout=self.timeout).run

    def extract_details(self, run_name: str, *, fields: Sequence[str] = ()) -> run_pb2.Run:
        """Stage 2 on a stage-1 run ("runs/{id}")."""
        request = pipeline_service_pb2.ExtractDetailsRequest(run=run_name, read_mask=_mask(fields))
        return self.pipeline.ExtractDetails(request, timeout=self.timeout).run

    def finalize_role(self, run_name: str, *, fields: Sequence[str] = ()) -> run_pb2.Run:
        """Stage 3 on a stage-2 run ("runs/{id}")."""
        request = pipeline_service_pb2.FinalizeRoleRequest(run=run_name, read_mask=_mask(fields))
        return self.pipeline.FinalizeRole(request, timeout=self.timeout).run

    def analyze_stream(
        self,
        items: Iterable[StreamItem | tuple[str, str]],
        *,
        dry_run: bool = False,
        backend: common_pb2.Backend.ValueType = common_pb2.BACKEND_UNSPECIFIED,
        timeout: float | None = None,
        fields: Sequence[str] = (),
    ) -> Generator[pipeline_service_pb2.AnalyzeJdStreamResponse, None, None]:
        """Analyze many JDs over one stream; ``items`` are StreamItems (request id, text, and a
        title and idempotency key when there are) or ``(request_id, text)`` pairs.

        Responses come in completion order, each echoing its request_id and holding a run or a
        per-item error (see ``item_error_details``). ``items`` is consumed lazily while responses arrive;
        closing the generator early cancels the stream.
        """
        # Checked here, not on the first next(): a bad argument fails at the call that passed it.
        mask = _mask(fields)
        return self._stream(items, run_pb2.RunOptions(backend=backend, dry_run=dry_run), mask, timeout)

    def _stream(
        self,
        items: Iterable[StreamItem | tuple[str, str]],
        options: run_pb2.RunOptions,
        mask: field_mask_pb2.FieldMask | None,
        timeout: float | None,
    ) -> Generator[pipeline_service_pb2.AnalyzeJdStreamResponse, None, None]:
        requests = (
            pipeline_service_pb2.AnalyzeJdStreamRequest(
                request_id=item.request_id,
                jd=_jd(item.text, item.title),
                options=options,
                idempotency_key=item.idempotency_key or "",
                read_mask=mask,
            )
            for item in (StreamItem(*entry) for entry in items)
        )
        call = self.pipeline.AnalyzeJdStream(requests, timeout=timeout)
        try:
            yield from call
        finally:
            # A caller that stops early ends the stream on the server too (no-op once it is done).
            call.cancel()  # type: ignore[no-untyped-call]  # grpc-stubs leaves RpcContext.cancel untyped

    # -- run history -------------------------------------------------------------------------------

    def get_run(self, name: str, *, fields: Sequence[str] = ()) -> run_pb2.Run:
        request = run_service_pb2.GetRunRequest(name=name, read_mask=_mask(fields))
        return self.runs.GetRun(request, timeout=self.timeout)

    def list_runs(
        self,
        *,
        role: str | None = None,
        status: run_pb2.RunStatus.ValueType = run_pb2.RUN_STATUS_UNSPECIFIED,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        page_size: int = 100,
        fields: Sequence[str] = (),
    ) -> Iterator[run_pb2.Run]:
        """Every run matching the filters, newest first, fetching pages as the iterator advances;
        without ``fields`` each run is the server's summary (who, when, what was decided)."""
        request = run_service_pb2.ListRunsRequest(
            page_size=page_size, role=role or "", status=status, read_mask=_mask(fields)
        )
        if created_after is not None:
            request.create_time_after.FromDatetime(_aware(created_after, "created_after"))
        if created_before is not None:
            request.create_time_before.FromDatetime(_aware(created_before, "created_before"))

        def fetch(token: str) -> tuple[Iterable[run_pb2.Run], str]:
            request.page_token = token
            response = self.runs.ListRuns(request, timeout=self.timeout)
            return response.runs, response.next_page_token

        return _paged(fetch)

    # -- library -----------------------------------------------------------------------------------

    def search_skills(self, query: str, *, limit: int = 10) -> list[library_service_pb2.SkillSearchResult]:
        request = library_service_pb2.SearchSkillsRequest(query=query, page_size=limit)
        return list(self.library.SearchSkills(request, timeout=self.timeout).results)

    def search_roles(self, query: str, *, limit: int = 10) -> list[library_service_pb2.RoleSearchResult]:
        request = library_service_pb2.SearchRolesRequest(query=query, page_size=limit)
        return list(self.library.SearchRoles(request, timeout=self.timeout).results)

    def list_review_items(
        self,
        *,
        kind: library_pb2.ReviewItemKind.ValueType = library_pb2.REVIEW_ITEM_KIND_UNSPECIFIED,
        status: run_pb2.ReviewStatus.ValueType = run_pb2.REVIEW_STATUS_UNSPECIFIED,
        role: str | None = None,
        page_size: int = 100,
    ) -> Iterator[library_pb2.ReviewItem]:
        """Every review item matching the filters, fetching pages as the iterator advances."""
        request = library_service_pb2.ListReviewItemsRequest(
            page_size=page_size, kind=kind, status=status, role=role or ""
        )

        def fetch(token: str) -> tuple[Iterable[library_pb2.ReviewItem], str]:
            request.page_token = token
            response = self.library.ListReviewItems(request, timeout=self.timeout)
            return response.review_items, response.next_page_token

        return _paged(fetch)

    def resolve_review_item(
        self,
        name: str,
        decision: library_service_pb2.ReviewDecision.ValueType,
        *,
        merge_into: str | None = None,
        note: str = "",
    ) -> library_service_pb2.ResolveReviewItemResponse:
        request = library_service_pb2.ResolveReviewItemRequest(
            name=name, decision=decision, merge_into=merge_into or "", note=note
        )
        return self.library.ResolveReviewItem(request, timeout=self.timeout)


def error_details(exc: grpc.RpcError) -> list[Message]:
    """The google.rpc rich details of a failed call, decoded (BadRequest, ResourceInfo, ...).

    Works for the errors of sync and ``grpc.aio`` calls. Detail types outside
    google/rpc/error_details.proto come back as ``google.protobuf.Any``; an error without details
    (or not raised by a call) gives an empty list.
    """
    trailing_metadata = getattr(exc, "trailing_metadata", None)
    if not callable(trailing_metadata):
        return []
    for key, value in trailing_metadata() or ():
        # gRPC carries the google.rpc.Status with the details in this binary trailer.
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            return _unpack(Status.FromString(value).details)
    return []


def item_error_details(error: common_pb2.ItemError) -> list[Message]:
    """The rich details of one failed stream item, decoded like ``error_details``."""
    return _unpack(error.details)


def _unpack(details: Iterable[any_pb2.Any]) -> list[Message]:
    decoded: list[Message] = []
    for detail in details:
        cls = _DETAIL_TYPES.get(detail.TypeName())
        if cls is None:
            decoded.append(detail)
            continue
        message = cls()
        detail.Unpack(message)
        decoded.append(message)
    return decoded


def _mask(fields: Sequence[str]) -> field_mask_pb2.FieldMask | None:
    """The read mask for ``fields``; None (the server's default) when there are none."""
    if isinstance(fields, str):  # a lone path would otherwise be read as one path per character
        raise TypeError("fields is a sequence of field paths, e.g. ['name', 'extraction.decision']")
    return field_mask_pb2.FieldMask(paths=list(fields)) if fields else None


def _aware(moment: datetime, name: str) -> datetime:
    """``moment`` if it names its time zone; a naive one would be read as UTC without a word."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, e.g. datetime(2026, 1, 5, tzinfo=UTC)")
    return moment


def _jd(text: str, title: str | None) -> pipeline_service_pb2.JdInput:
    return pipeline_service_pb2.JdInput(text=text, title=title or "")


def _jd_fields(
    text: str,
    title: str | None,
    dry_run: bool,
    idempotency_key: str | None,
    backend: common_pb2.Backend.ValueType,
) -> tuple[pipeline_service_pb2.JdInput, run_pb2.RunOptions, str]:
    """The fields AnalyzeJd and ExtractFromJd requests share."""
    return _jd(text, title), run_pb2.RunOptions(backend=backend, dry_run=dry_run), idempotency_key or ""


def _paged(fetch: Callable[[str], tuple[Iterable[T], str]]) -> Iterator[T]:
    """Items of every page: ``fetch(page_token)`` gives a page and the next token ("" after the last)."""
    token = ""
    while True:
        items, token = fetch(token)
        yield from items
        if not token:
            return
