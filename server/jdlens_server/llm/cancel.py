"""A cancel signal for a long model operation (a Message Batch being polled), settable from any thread.

The stream path (``grpc_api/stream_batches.py``) creates one per submitted batch and passes it
through ``PipelineCore.submit_extractions`` to ``AnthropicBackend.submit_extractions``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["Cancellation"]


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
