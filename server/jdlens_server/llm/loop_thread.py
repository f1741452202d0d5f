"""One asyncio event loop on a daemon thread, so a synchronous caller can use an async client.

The pipeline core is synchronous and runs in a thread pool; the anthropic SDK's async client lives
on this loop. A pool thread submits a coroutine (``run``) and blocks on its result with a timeout;
on timeout or cancellation the coroutine is cancelled on the loop (an HTTP request in flight is
aborted, a batch being polled stops). The loop starts on first use and stops on ``close``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from jdlens_server import cpu_affinity
from jdlens_server.llm.cancel import Cancellation

__all__ = ["LoopClosed", "LoopThread", "WaitTimeout"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class LoopClosed(RuntimeError):
    """The loop was closed: no more work is accepted."""


class WaitTimeout(TimeoutError):
    """The caller's wait ended before the coroutine did (which is then cancelled)."""


class LoopThread:
    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def thread(self) -> threading.Thread | None:
        """The loop's thread once started (tests read its CPU time)."""
        return self._thread

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise LoopClosed(f"{self._name} is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    # First used by a request thread, which may be pinned to one CPU: the loop
                    # and its executor's threads are no request threads.
                    cpu_affinity.release_current_thread()
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=serve, name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        timeout: float | None,
        cancel: Cancellation | None = None,
    ) -> T:
        """``coro``'s result, waited for at most ``timeout`` seconds.

        Raises WaitTimeout (the coroutine is cancelled), concurrent.futures.CancelledError when
        ``cancel`` fired first (likewise), LoopClosed after ``close``, or what the coroutine raised.
        """
        try:
            loop = self._started()
            if threading.current_thread() is self._thread:
                raise RuntimeError(f"a blocking call on {self._name}'s own thread would deadlock")
        except BaseException:
            coro.close()  # never scheduled: no "never awaited" warning
            raise
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        remove = cancel.on_cancel(future.cancel) if cancel is not None else None
        try:
            # wait() first, so a TimeoutError the coroutine raised is not taken for ours.
            done, _ = concurrent.futures.wait([future], timeout)
            if not done:
                future.cancel()
                raise WaitTimeout(f"no result within {timeout:g}s")
            return future.result()
        finally:
            if remove is not None:
                remove()

    def close(self, final: Callable[[], Awaitable[None]] | None = None, *, timeout_s: float = 10.0) -> None:
        """Cancel what still runs (each coroutine's clean-up runs, up to ``timeout_s``), await
        ``final`` (closing the client), stop the loop. Idempotent; later ``run`` calls raise LoopClosed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=timeout_s)
            if final is not None:
                await final()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout_s + 5.0)
        except Exception as exc:  # closing must not fail the caller's shutdown
            log.warning("%s: clean shutdown failed: %s", self._name, type(exc).__name__)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)
        if not thread.is_alive():
            loop.close()
