"""A cancel signal for a long model operation (a Message Batch being polled), settable from any thread.

The stream path hands one to the backend through the pipeline core without the core knowing:
``grpc_api/stream_batches.py`` sets it in ``current`` (a context variable) around the blocking
call, ``BlockingRunner`` runs the work in a copy of that context, and
``AnthropicBackend.submit_extractions`` picks it up when it is given none explicitly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar

__all__ = ["Cancellation", "current"]


class Cancellation:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._callbacks: dict[int, Callable[[], object]] = {}
        self._next = 0

    def cancel(self) -> None:
        """Run every registered callback once (later registrations run at once)."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], object]) -> Callable[[], object]:
        """Call ``callback`` on cancel (now, if cancelled already); returns a function that unregisters it."""
        with self._lock:
            if not self._cancelled:
                key = self._next
                self._next += 1
                self._callbacks[key] = callback

                def remove() -> None:
                    with self._lock:
                        self._callbacks.pop(key, None)

                return remove
        callback()
        return lambda: None


current: ContextVar[Cancellation | None] = ContextVar("jdlens_llm_cancellation", default=None)
