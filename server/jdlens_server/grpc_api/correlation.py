"""Correlation ids: one per call, taken from the caller's ``x-correlation-id`` metadata when it sent
a sane one, else made up. It is on every log line of the call (threads included, see
BlockingRunner), in the call's trailing metadata and in every error status's RequestInfo."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import grpc

METADATA_KEY = "x-correlation-id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

current: ContextVar[str | None] = ContextVar("jdlens_correlation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def reached_server(trailers: Iterable[Any] | None) -> bool:
    """A call's trailing metadata carries a correlation id: a jdlens server answered it (an error
    without one came from the transport, such as no server at the address)."""
    return any(item[0] == METADATA_KEY for item in trailers or ())


def no_server_answered(code: grpc.StatusCode, trailers: Iterable[Any] | None) -> bool:
    """UNAVAILABLE from the transport: a jdlens server's own UNAVAILABLE (a dependency down)
    carries the call's correlation id in its trailers."""
    return code == grpc.StatusCode.UNAVAILABLE and not reached_server(trailers)


def from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The caller's id when it is short and plain (it ends up in logs), else a new one."""
    for key, value in metadata or ():
        if key == METADATA_KEY and isinstance(value, str) and _SANE.fullmatch(value):
            return value
    return new_correlation_id()
