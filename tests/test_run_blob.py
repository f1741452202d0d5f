"""Stored runs: deflated bytes with their codec, and plain ones from before the codec column."""

from __future__ import annotations

import pytest

from jdlens.v1 import run_pb2
from jdlens_server.store.run_blob import IDENTITY, ZLIB, decode_run, encode_run


def test_a_run_is_stored_deflated_and_reads_back_whole() -> None:
    run = run_pb2.Run(name="runs/x", run_id="x", jd_text="Data Engineer. " * 300)
    run.extraction.parsed.role_title = "Data Engineer"
    blob, codec = encode_run(run)
    assert codec == ZLIB
    assert len(blob) < run.ByteSize() / 5  # repetition is what runs are made of
    assert decode_run(blob, codec) == run


def test_plain_and_empty_rows_read_as_they_are() -> None:
    run = run_pb2.Run(name="runs/y", run_id="y")
    assert decode_run(run.SerializeToString(), IDENTITY) == run
    assert decode_run(b"", IDENTITY) == run_pb2.Run()
    assert decode_run(b"", ZLIB) == run_pb2.Run()


def test_an_unknown_codec_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="newer jdlens"):
        decode_run(b"\x00", "zstd")
