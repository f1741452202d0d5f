"""Bounded concurrent map over an async stream, results in completion order.

At most ``limit`` items are in flight, and the next item is read only when a slot is free: a
sender that outpaces the work is held back by the transport's flow control instead of making the
server buffer its requests. When the consumer stops (client cancelled, error), the reader and all
in-flight work are cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


async def _next(source: AsyncIterator[In]) -> In:
    return await anext(source)


async def bounded_map(
    source: AsyncIterator[In], work: Callable[[In], Awaitable[Out]], limit: int
) -> AsyncIterator[Out]:
    if limit < 1:
        raise ValueError("limit must be at least 1")
    in_flight: set[asyncio.Task[Out]] = set()
    reader: asyncio.Task[In] | None = None
    exhausted = False
    try:
        while True:
            if reader is None and not exhausted and len(in_flight) < limit:
                reader = asyncio.create_task(_next(source))
            waiting: set[asyncio.Task[In] | asyncio.Task[Out]] = set(in_flight)
            if reader is not None:
                waiting.add(reader)
            if not waiting:
                return
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if reader is not None and reader in done:
                finished_reader, reader = reader, None
                try:
                    item = finished_reader.result()
                except StopAsyncIteration:
                    exhausted = True
                else:
                    in_flight.add(asyncio.ensure_future(work(item)))
            for finished in [t for t in in_flight if t in done]:
                in_flight.discard(finished)
                yield finished.result()
    finally:
        pending = [t for t in (*in_flight, reader) if t is not None]
        leftovers = [t for t in pending if not t.done()]
        for leftover in leftovers:
            leftover.cancel()
        if leftovers:
            await asyncio.gather(*leftovers, return_exceptions=True)
        # A task that finished while the consumer was away (the reader's StopAsyncIteration, say)
        # has its outcome read here, or asyncio logs "Task exception was never retrieved".
        for task in pending:
            if task.done() and not task.cancelled():
                task.exception()
