"""Stage-1 model calls of one AnalyzeJdStream sent together through the Message Batches API.

Items with ``options.use_message_batches`` first ask the core for their model call (the parse and
dictionary hits the run will have; nothing when the run needs no call: offline, rejected by the
parser, or already stored under its key). The calls gather until as many items as the stream
works on at once are waiting, or ``window_s`` has passed since the first one; then one batch goes
out (a thread of the runner's wait pool waits while the backend polls it, so hours of waiting hold
no thread that other calls' work needs) and each item continues its run with its own
answer, matched by custom id. An item whose batch entry failed was already retried alone by the
backend; a fallback it still gets makes that run's stage 1 offline, recorded in the run.

Cancel hook: each submission carries a ``Cancellation``, handed through the core to the backend's
``submit_extractions``. When the stream ends while a
batch is out (the client cancelled, or the stream failed), ``close`` cancels the submission: the
backend stops polling, cancels the batch at the API and frees the pool thread, instead of polling
for up to 24 hours for answers nobody will read.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from functools import partial
from typing import Any, Protocol, runtime_checkable

from grpc import aio

from jdlens.v1 import pipeline_service_pb2 as pb
from jdlens.v1 import run_pb2
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.llm.backend import LlmFallback, Outcome
from jdlens_server.llm.cancel import Cancellation
from jdlens_server.pipeline.core import ModelRequest
from jdlens_server.pipeline.llm_stage import Prefetched

__all__ = ["BatchingPipelineApi", "ExtractionBatcher"]

Context = aio.ServicerContext[Any, Any]


@runtime_checkable
class BatchingPipelineApi(Protocol):
    """A pipeline that can prepare stage 1's model call ahead and take its answer later."""

    def model_request(self, req: pb.AnalyzeJdRequest) -> ModelRequest | None: ...

    def submit_extractions(
        self, items: Sequence[tuple[str, ModelRequest]], cancel: Cancellation | None = None
    ) -> dict[str, Outcome]: ...

    def analyze_jd(
        self, req: pb.AnalyzeJdRequest, prefetched: Prefetched | None = None
    ) -> tuple[run_pb2.Run, bool]: ...


class ExtractionBatcher:
    """One stream's gathering of model calls into batches (see the module docstring)."""

    def __init__(
        self,
        core: BatchingPipelineApi,
        runner: BlockingRunner,
        context: Context,
        *,
        size: int,
        window_s: float,
    ) -> None:
        self.core = core
        self._runner = runner
        self._context = context
        self._size = max(1, size)
        self._window_s = window_s
        self._ids = itertools.count()
        self._pending: list[tuple[str, ModelRequest, asyncio.Future[Outcome]]] = []
        self._timer: asyncio.Task[None] | None = None
        self._submitting: set[asyncio.Task[None]] = set()

    async def prefetch(self, request: pb.AnalyzeJdRequest) -> Prefetched | None:
        """Stage 1's model answer for ``request`` through a batch; None when its run needs no call."""
        wanted = await self._runner.run(self._context, partial(self.core.model_request, request))
        if wanted is None:
            return None
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((f"item-{next(self._ids)}", wanted, future))
        if len(self._pending) >= self._size:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.create_task(self._flush_later())
        return Prefetched(wanted.hints, await future, wanted.prepared)

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._window_s)
        self._timer = None
        self._flush()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _flush(self) -> None:
        self._stop_timer()  # none when the timer itself flushes (it clears itself first)
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.create_task(self._submit(batch))
            self._submitting.add(task)
            task.add_done_callback(self._submitting.discard)

    async def _submit(self, batch: list[tuple[str, ModelRequest, asyncio.Future[Outcome]]]) -> None:
        items = [(key, wanted) for key, wanted, _ in batch]
        cancellation = Cancellation()
        try:
            outcomes = await self._runner.run_wait(
                self._context, partial(self.core.submit_extractions, items, cancel=cancellation)
            )
        except asyncio.CancelledError:
            cancellation.cancel()  # the pool thread stops waiting; the backend stops polling
            raise
        except Exception as exc:  # each waiting item reports it as its own error
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for key, _, future in batch:
            if not future.done():
                future.set_result(outcomes.get(key) or LlmFallback("missing from the batch results"))

    async def close(self) -> None:
        """Stop the timer and cancel the batches in flight (their items are cancelled by then):
        each submission's cancellation stops its polling (see the module docstring)."""
        self._stop_timer()
        for task in list(self._submitting):
            task.cancel()
        if self._submitting:
            await asyncio.gather(*self._submitting, return_exceptions=True)
