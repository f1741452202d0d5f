"""Which backend a process serves by default, and the model backend it builds at most once.

The default comes from ``--backend`` or ``JDLENS_BACKEND`` ("offline" unless set); a request may
still ask for either backend in ``RunOptions.backend``. The anthropic backend is built on first use
unless it is the default (then at start, so a missing key stops the server instead of failing
requests): importing the SDK takes seconds, which an offline server should not pay.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping

from jdlens.v1 import common_pb2
from jdlens_server.llm.backend import LlmBackend
from jdlens_server.llm.config import API_KEY_ENV, AnthropicConfig, LlmConfigError

__all__ = ["BACKEND_ENV", "BACKEND_NAMES", "LlmProvider", "backend_from_name"]

BACKEND_ENV = "JDLENS_BACKEND"
BACKEND_NAMES: dict[str, common_pb2.Backend.ValueType] = {
    "offline": common_pb2.BACKEND_OFFLINE,
    "anthropic": common_pb2.BACKEND_ANTHROPIC,
}


def backend_from_name(name: str | None) -> common_pb2.Backend.ValueType:
    """``"offline"`` / ``"anthropic"`` (any case; empty or None: offline) as the proto enum."""
    key = (name or "offline").strip().lower()
    if key not in BACKEND_NAMES:
        raise LlmConfigError(f"unknown backend {name!r}: expected one of {', '.join(BACKEND_NAMES)}")
    return BACKEND_NAMES[key]


class LlmProvider:
    """The process's model backend, built once (thread-safe) by ``build`` on the first ``get``."""

    def __init__(self, build: Callable[[], LlmBackend] | None, *, missing: str = "") -> None:
        self._build = build
        self._missing = missing or "no model backend is configured"
        self._backend: LlmBackend | None = None
        self._error: LlmConfigError | None = None
        self._lock = threading.Lock()
        self._owned = True

    @classmethod
    def of(cls, backend: LlmBackend) -> LlmProvider:
        """A provider of an already built backend (tests, embedding applications)."""
        provider = cls(None)
        provider._backend = backend
        provider._owned = False  # its owner closes it
        return provider

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> LlmProvider:
        """The anthropic backend when ``ANTHROPIC_API_KEY`` is set, configured by AnthropicConfig.from_env."""
        if not environ.get(API_KEY_ENV, "").strip():
            return cls(
                None,
                missing=f"the anthropic backend is not configured on this server: {API_KEY_ENV} is not set "
                "in its environment",
            )

        def build() -> LlmBackend:
            from jdlens_server.llm.anthropic_backend import AnthropicBackend

            return AnthropicBackend(AnthropicConfig.from_env(environ), environ=environ)

        return cls(build)

    def get(self) -> LlmBackend:
        """The backend; LlmConfigError saying why when there is none (the same error every time)."""
        if self._backend is not None:
            return self._backend
        with self._lock:
            if self._backend is not None:
                return self._backend
            if self._error is not None:
                raise self._error
            if self._build is None:
                raise LlmConfigError(self._missing)
            try:
                self._backend = self._build()
            except LlmConfigError as exc:
                self._error = exc
                raise
            return self._backend

    def close(self) -> None:
        """Close the backend this provider built (its HTTP connections)."""
        close = getattr(self._backend, "close", None) if self._owned else None
        if callable(close):
            close()
