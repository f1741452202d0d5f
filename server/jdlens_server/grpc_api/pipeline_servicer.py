"""PipelineService: validate, run the core off the event loop, apply the read mask, answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import Any

from grpc import aio

from jdlens.v1 import pipeline_service_pb2 as pb
from jdlens.v1 import pipeline_service_pb2_grpc as pb_grpc
from jdlens_server import validation
from jdlens_server.errors import FieldViolation, InvalidArgument
from jdlens_server.grpc_api import correlation
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.grpc_api.bounded import bounded_map
from jdlens_server.grpc_api.status_mapping import NotConfigured, item_error, log_failure, to_rpc_status
from jdlens_server.grpc_api.stream_batches import BatchingPipelineApi, ExtractionBatcher
from jdlens_server.pipeline.api import PipelineApi
from jdlens_server.runs.masks import apply_read_mask

log = logging.getLogger("jdlens.grpc")

Context = aio.ServicerContext[Any, Any]
STREAM_METHOD = "/jdlens.v1.PipelineService/AnalyzeJdStream"


@dataclass(frozen=True, slots=True)
class _Item:
    """A stream request as read, with the reason it is refused, if it is."""

    request: pb.AnalyzeJdStreamRequest
    refusal: InvalidArgument | None


async def _checked(requests: AsyncIterator[pb.AnalyzeJdStreamRequest]) -> AsyncGenerator[_Item, None]:
    """Validates each request in arrival order; a request_id seen before in the stream is refused."""
    seen: set[str] = set()
    async for request in requests:
        refusal = None
        try:
            validation.check_stream_item(request)
        except InvalidArgument as exc:
            refusal = exc
        if refusal is None and request.request_id in seen:
            refusal = InvalidArgument(
                f"duplicate request_id {request.request_id!r}",
                [FieldViolation("request_id", "already used earlier in this stream; ids must be unique")],
            )
        if request.request_id:
            seen.add(request.request_id)
        yield _Item(request, refusal)


class PipelineServicer(pb_grpc.PipelineServiceServicer):
    def __init__(
        self,
        core: PipelineApi | None,
        runner: BlockingRunner,
        stream_concurrency: int,
        *,
        batch_window_s: float = 2.0,
    ) -> None:
        self._core = core
        self._runner = runner
        self._stream_concurrency = stream_concurrency
        self._batch_window_s = batch_window_s

    def _require_core(self) -> PipelineApi:
        # A server built without a pipeline (serve() over a bare store) answers UNIMPLEMENTED.
        if self._core is None:
            raise NotConfigured("the pipeline is not configured on this server")
        return self._core

    async def ExtractFromJd(
        self, request: pb.ExtractFromJdRequest, context: Context
    ) -> pb.ExtractFromJdResponse:
        validation.check_extract_from_jd(request)
        core = self._require_core()
        run, replayed = await self._runner.run(context, partial(core.extract_from_jd, request))
        return pb.ExtractFromJdResponse(run=apply_read_mask(run, request.read_mask.paths), replayed=replayed)

    async def ExtractDetails(
        self, request: pb.ExtractDetailsRequest, context: Context
    ) -> pb.ExtractDetailsResponse:
        validation.check_extract_details(request)
        core = self._require_core()
        run, replayed = await self._runner.run(context, partial(core.extract_details, request.run))
        return pb.ExtractDetailsResponse(run=apply_read_mask(run, request.read_mask.paths), replayed=replayed)

    async def FinalizeRole(
        self, request: pb.FinalizeRoleRequest, context: Context
    ) -> pb.FinalizeRoleResponse:
        validation.check_finalize_role(request)
        core = self._require_core()
        run, replayed = await self._runner.run(context, partial(core.finalize_role, request.run))
        return pb.FinalizeRoleResponse(run=apply_read_mask(run, request.read_mask.paths), replayed=replayed)

    async def AnalyzeJd(self, request: pb.AnalyzeJdRequest, context: Context) -> pb.AnalyzeJdResponse:
        validation.check_analyze_jd(request)
        core = self._require_core()
        run, replayed = await self._runner.run(context, partial(core.analyze_jd, request))
        return pb.AnalyzeJdResponse(run=apply_read_mask(run, request.read_mask.paths), replayed=replayed)

    async def AnalyzeJdStream(
        self, request_iterator: AsyncIterator[pb.AnalyzeJdStreamRequest], context: Context
    ) -> AsyncIterator[pb.AnalyzeJdStreamResponse]:
        core = self._require_core()
        # The interceptor set the stream's id; per-item errors carry it too.
        stream_id = correlation.current.get() or correlation.new_correlation_id()
        batcher = (
            ExtractionBatcher(
                core, self._runner, context, size=self._stream_concurrency, window_s=self._batch_window_s
            )
            if isinstance(core, BatchingPipelineApi)
            else None
        )

        async def analyze(item: _Item) -> pb.AnalyzeJdStreamResponse:
            request = item.request
            try:
                if item.refusal is not None:
                    raise item.refusal
                single = pb.AnalyzeJdRequest(
                    jd=request.jd,
                    options=request.options,
                    idempotency_key=request.idempotency_key,
                    read_mask=request.read_mask,
                )
                if batcher is not None and request.options.use_message_batches:
                    prefetched = await batcher.prefetch(single)
                    work = partial(batcher.core.analyze_jd, single, prefetched)
                else:
                    work = partial(core.analyze_jd, single)
                run, replayed = await self._runner.run(context, work)
            except Exception as exc:
                log_failure(exc, stream_id, STREAM_METHOD, request_id=request.request_id)
                status = to_rpc_status(exc, stream_id)
                return pb.AnalyzeJdStreamResponse(request_id=request.request_id, error=item_error(status))
            return pb.AnalyzeJdStreamResponse(
                request_id=request.request_id,
                run=apply_read_mask(run, request.read_mask.paths),
                replayed=replayed,
            )

        try:
            async with aclosing(_checked(request_iterator)) as items:
                async for response in bounded_map(items, analyze, self._stream_concurrency):
                    yield response
        finally:
            if batcher is not None:
                await batcher.close()
