"""Blocking domain work (database queries, the pipeline) runs in a bounded thread pool so the event
loop keeps serving other calls; the caller's deadline is checked before the work starts."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from grpc import aio

from jdlens_server import cpu_affinity
from jdlens_server.grpc_api.status_mapping import DeadlineExceeded

T = TypeVar("T")

# Work started with less time than this left cannot answer before the caller gives up.
MIN_BUDGET_SECONDS = 0.005
# Threads for waits on a remote service (run_wait): they sleep between polls, so many cost little.
MAX_WAITS = 32


class BlockingRunner:
    def __init__(self, max_workers: int, cpu: int | None = None, max_waits: int = MAX_WAITS) -> None:
        """``cpu``: the one CPU the pool's threads run on (see cpu_affinity); None: any."""
        if max_workers < 1 or max_waits < 1:
            raise ValueError("max_workers and max_waits must be at least 1")
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers,
            thread_name_prefix="jdlens-work",
            initializer=cpu_affinity.pool_initializer(cpu),
        )
        # A Message Batch can take hours to come back: its wait must not hold a thread that
        # pipeline and database work (every other call's) queue for.
        self._waits = ThreadPoolExecutor(
            max_workers=max_waits,
            thread_name_prefix="jdlens-wait",
            initializer=cpu_affinity.pool_initializer(cpu),
        )

    async def run(self, context: aio.ServicerContext[Any, Any], work: Callable[[], T]) -> T:
        """``work()`` on a pool thread, with the caller's contextvars (its correlation id).

        Raises DeadlineExceeded without starting when the call's deadline is (nearly) spent. When
        the call is cancelled meanwhile, the awaiting coroutine ends at once; the thread finishes
        its item and the result is dropped (threads cannot be interrupted).
        """
        return await self._on(self._pool, context, work)

    async def run_wait(self, context: aio.ServicerContext[Any, Any], work: Callable[[], T]) -> T:
        """As ``run``, for work that mostly waits on a remote service (a Message Batch's polling):
        on threads of its own, so a long wait never delays other calls' work."""
        return await self._on(self._waits, context, work)

    async def _on(
        self, pool: ThreadPoolExecutor, context: aio.ServicerContext[Any, Any], work: Callable[[], T]
    ) -> T:
        remaining = context.time_remaining()
        if remaining is not None and remaining < MIN_BUDGET_SECONDS:
            raise DeadlineExceeded("the deadline passed before the work could start")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, contextvars.copy_context().run, work)

    def shutdown(self) -> None:
        """Drop queued work; threads finish what they run (after the server's grace period)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._waits.shutdown(wait=False, cancel_futures=True)
