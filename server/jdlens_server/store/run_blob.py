"""How a run's proto is stored: its bytes deflated, with the codec in a column beside them.

A whole run is ~90 KB of protobuf (the reference JD's 390 KB), most of it role and dimension
references each skill repeats, so zlib's fastest level stores it in about an eighth of that for
~0.3 ms per run. The ``run_codec`` column says how each row's bytes are written: rows written
before the column existed are ``identity`` and read as they are.
"""

from __future__ import annotations

import zlib

from jdlens.v1 import run_pb2

__all__ = ["IDENTITY", "ZLIB", "decode_run", "encode_run"]

IDENTITY = "identity"
ZLIB = "zlib"
# Level 1: about as small as the default level on these runs (repeated references deflate at any
# level) at a third of its time.
_LEVEL = 1


def encode_run(run: run_pb2.Run) -> tuple[bytes, str]:
    """The stored bytes of ``run`` and their codec."""
    return zlib.compress(run.SerializeToString(), _LEVEL), ZLIB


def decode_run(blob: bytes, codec: str) -> run_pb2.Run:
    """The run stored as ``blob`` under ``codec`` (an empty blob is an empty run)."""
    if codec == ZLIB and blob:
        blob = zlib.decompress(blob)
    elif codec not in (IDENTITY, ZLIB):
        raise ValueError(f"unknown run codec {codec!r}: written by a newer jdlens? Upgrade this one")
    return run_pb2.Run.FromString(blob)
