"""``jdlens bench``: the shipped JD set, the texts it sends, and a short real run on a small library."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from grpc_harness import fresh_sqlite_url
from jdlens_server import bench
from jdlens_server.library.importer import import_pack
from jdlens_server.library.packs.esco import esco_subset, read_esco

JSON_KEYS = [
    "n",
    "unary_p50_ms",
    "unary_p95_ms",
    "stream_jds_per_s",
    "embed_only_jds_per_s",
    "ratio",
    "rss_mb",
    "extract_p50_ms",
    "extract_embed_p50_ms",
    "stream_cpu_ms_per_jd",
    "stream_model_cpu_ms_per_jd",
    "rounds",
    "ratio_min",
    "ratio_max",
]


@pytest.fixture(scope="module")
def library_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bench-library")
    url = fresh_sqlite_url(directory)
    import_pack(url, "esco", contents=esco_subset(read_esco(), occupations=3), progress=False)
    return directory / "jdlens.sqlite"


def test_shipped_set_is_forty_distinct_typical_jds() -> None:
    jds = bench.shipped_jds()
    assert len(jds) == 40 and len({j.id for j in jds}) == 40 and len({j.title for j in jds}) == 40
    assert all(2000 <= len(j.text) <= 3000 for j in jds)
    for jd in jds:
        texts = bench.pipeline_embedding_texts(jd.text)
        # A real JD: the parser finds its duties (the pipeline embeds these).
        assert len(texts) >= 8, jd.id


def test_texts_never_repeat_across_cycles_or_phases() -> None:
    stream = bench.bench_texts(85, "stream")
    unary = bench.bench_texts(85, "unary")
    extract = bench.bench_texts(85, "extract")
    assert len(set(stream) | set(unary) | set(extract)) == 255
    # A cycled copy keeps the original's sentences: the embedder cache may serve them.
    assert bench.pipeline_embedding_texts(stream[0]) == bench.pipeline_embedding_texts(stream[40])


def test_prepare_database_copies_and_leaves_the_source_alone(library_file: Path, tmp_path: Path) -> None:
    before = library_file.read_bytes()
    url, origin = bench.prepare_database(f"sqlite:///{library_file}", tmp_path, lambda _m: None)
    assert url == f"sqlite:///{tmp_path / 'bench.sqlite'}" and "library version 1 copied" in origin
    assert (tmp_path / "bench.sqlite").stat().st_size > 0
    assert library_file.read_bytes() == before


def test_bench_json_has_exactly_the_keys(
    library_file: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "source.sqlite"
    source.write_bytes(library_file.read_bytes())
    assert bench.main(["--n", "3", "--rounds", "2", "--json", "--db", f"sqlite:///{source}"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    machine = result.pop("machine")
    assert list(result) == JSON_KEYS
    # The machine is named with the figures: CPU, its vector units, the CPUs and the runtimes.
    assert set(machine) == {"cpu", "isa", "cpus", "python", "onnxruntime"} and machine["cpus"] >= 1
    assert machine["cpu"] and machine["python"].startswith("3.11")
    assert result["n"] == 3
    assert 0 < result["unary_p50_ms"] <= result["unary_p95_ms"]
    assert result["stream_jds_per_s"] > 0 and result["embed_only_jds_per_s"] > 0
    # Two pairs: the ratio is their median, within their spread.
    assert result["rounds"] == 2
    assert 0 < result["ratio_min"] <= result["ratio"] <= result["ratio_max"]
    assert "round 2/2: stream: 3 JDs" in captured.err and "ratio per round:" in captured.err
    assert result["rss_mb"] > 50
    assert result["extract_p50_ms"] > 0 and result["extract_embed_p50_ms"] > 0
    # The stream embedded new texts: the lanes spent CPU on them, within the process's CPU.
    assert 0 < result["stream_model_cpu_ms_per_jd"] < result["stream_cpu_ms_per_jd"]
    assert "load average" in captured.err
    # The runs went to the temporary copy, not to the database the library came from.
    with closing(sqlite3.connect(source)) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_rounds_send_new_requests_for_the_same_jds() -> None:
    first, second = bench._round_texts(5, 2, "stream")
    assert not set(first) & set(second)
    assert [t.splitlines()[:-1] for t in first] == [t.splitlines()[:-1] for t in second]
    assert bench._round_texts(5, 1, "stream") == [bench.bench_texts(5, "stream")]
