"""``jdlens bench``: latency, stream throughput and memory of the real service on a fixed JD set.

One process runs an embedded server on a loopback port and calls it through the generated stubs:

1. warm-up: three dry-run AnalyzeJd calls (model session, parser, index, database connections),
   then a wait for the huge-pages pass the library load started (huge_pages.wait: ~2 CPU-s once
   per load, which a long-lived server has paid before its steady state);
2. stream: N JDs over one AnalyzeJdStream with persistence on -> ``stream_jds_per_s``;
3. embed-only, right after the stream: for the same N JDs, what stage 1 embeds per JD (its title,
   the responsibility sentences and new skills' names; a passage only for a JD without a title or
   duty sentences), one embed call per JD, as many in flight as the stream has (the embedder
   coalesces concurrent calls for both) -> ``embed_only_jds_per_s``;
   ``ratio`` = stream / embed-only: the embedder is the floor, the ratio says how close the rest
   (parsing, matching, index search, stage 2 and 3, database writes, gRPC) keeps us to it.
   Steps 2 and 3 run as ``--rounds`` back-to-back pairs on new requests; the rates and the ratio
   are the pairs' medians (``ratio_min`` / ``ratio_max``: the spread), since on a shared VM a
   neighbour's load moves one pair by 10-30%;
4. unary: N more JDs, one AnalyzeJd at a time -> ``unary_p50_ms`` / ``unary_p95_ms`` as the client sees them;
5. extract: N more JDs, one ExtractFromJd (stage 1) at a time -> ``extract_p50_ms``, and the same
   JDs' embed calls alone, one at a time -> ``extract_embed_p50_ms`` (stage 1's embedder time);
``rss_mb``: the process's peak resident set (server, model, library and client together).
``stream_cpu_ms_per_jd`` / ``stream_model_cpu_ms_per_jd``: the process's CPU per JD during the stream
(server and client), and of it the embedder lanes' CPU running batches. On a machine the stream
keeps busy (two cores here) the ratio is about model / total: the rest is what to cut to raise it.
The embedder's sentence cache is cleared before each phase, so each starts cold.

JDs: the 40 shipped in bench_data/, cycled when N > 40. Each text gets a last line naming its
phase and cycle, so no request replays another; cycled copies keep the originals' sentences, so
past 40 the sentence cache serves the repeats (in the stream and the embed-only phase alike), as it
would for JDs that are posted again.

Database: the bench never writes to yours. When the library database (--db, else $JDLENS_DB, else
the default SQLite file) is SQLite and holds a library, it is copied into a temporary file and the
bench runs there; otherwise (PostgreSQL, or no library yet) ESCO and tech are imported into the temporary
file first, in a child process so the import's memory is not counted (a few minutes).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import grpc

from jdlens.client import DEFAULT_MAX_MESSAGE_BYTES
from jdlens.v1 import pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server import cpu_affinity, huge_pages

if TYPE_CHECKING:
    from jdlens_server.library.state import LoadedLibrary
    from jdlens_server.nlp.embedder import Embedder

__all__ = [
    "BenchError",
    "BenchJd",
    "BenchResult",
    "add_bench_parser",
    "bench_texts",
    "cmd_bench",
    "pipeline_embedding_texts",
    "prepare_database",
    "run_bench",
    "shipped_jds",
]

DEFAULT_N = 40
# Stream / embed-only pairs; the figures are their medians (a shared VM's neighbours move a
# single pair by 10-30%).
DEFAULT_ROUNDS = 3
WARM_UP_CALLS = 3
_CALL_TIMEOUT_S = 300.0

Log = Callable[[str], None]
T = TypeVar("T")


class BenchError(Exception):
    """The service did not answer as a benchmark needs (an error, a replay, a missing answer)."""


@dataclass(frozen=True, slots=True)
class BenchJd:
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class BenchResult:
    """The figures, under the JSON keys the README and the issue use."""

    n: int
    unary_p50_ms: float
    unary_p95_ms: float
    stream_jds_per_s: float
    embed_only_jds_per_s: float
    ratio: float
    rss_mb: float
    # Stage 1 alone (ExtractFromJd, one call at a time) and, for the same JDs, the embedder's own
    # time per JD (what stage 1 embeds, one call per JD): the latency floor of that stage.
    extract_p50_ms: float
    extract_embed_p50_ms: float
    # Where the stream's CPU went: all of the process's, and the embedder lanes' share of it.
    stream_cpu_ms_per_jd: float
    stream_model_cpu_ms_per_jd: float
    # Stream / embed-only pairs measured; the rates and the ratio above are their medians, and
    # these the lowest and highest ratio of a pair.
    rounds: int
    ratio_min: float
    ratio_max: float

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)


# ---- the JD set ------------------------------------------------------------------------------


def shipped_jds() -> list[BenchJd]:
    return list(_shipped_jds())


@functools.cache
def _shipped_jds() -> tuple[BenchJd, ...]:
    # Read once per process: run_bench asks for the set in every phase.
    raw = files("jdlens_server.bench_data").joinpath("jds.jsonl.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return tuple(BenchJd(**json.loads(line)) for line in lines if line.strip())


def bench_texts(n: int, phase: str) -> list[str]:
    """``n`` distinct JD texts for ``phase``: the shipped set cycled, each with its own last line."""
    jds = shipped_jds()
    texts = []
    for i in range(n):
        jd = jds[i % len(jds)]
        texts.append(f"{jd.text}\nPosting reference: {phase}-{i // len(jds):03d}-{jd.id}\n")
    return texts


def pipeline_embedding_texts(text: str, loaded: LoadedLibrary | None = None) -> list[str]:
    """What the pipeline embeds for a JD sent without a title, all in stage 1's one call
    (pipeline/extract.stage1_embedding_texts): the title the parser finds (and a passage when it
    finds no title or no duty sentence), the responsibility sentences and, with a library to read
    its skills against, the names of its new skills (nothing for a rejected JD)."""
    # Imported here so that building the CLI parser does not load the parser's data.
    from jdlens_server.nlp import parsed
    from jdlens_server.nlp.jd_parser import parse_jd
    from jdlens_server.pipeline.extract import offline_skills, stage1_embedding_texts

    jd = parse_jd(text)
    if jd.jd_type == parsed.JdType.REJECT:
        return []
    candidates = offline_skills(loaded, jd) if loaded is not None else []
    return stage1_embedding_texts(jd, "", text, candidates)[0]


# ---- the database ----------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url  # here: SQLAlchemy costs `jdlens --help` ~0.15 s to import

    parsed_url = make_url(url)
    if not parsed_url.drivername.startswith("sqlite") or parsed_url.database in (None, "", ":memory:"):
        return None
    return Path(parsed_url.database)


def _library_version(path: Path) -> int:
    """The library version in a SQLite file, read without writing to it; 0 when it has none."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT max(version) FROM library_versions").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0) if row else 0


def prepare_database(source_url: str, directory: Path, log: Log) -> tuple[str, str]:
    """A SQLite URL in ``directory`` holding a library, and a description of where it came from."""
    target = directory / "bench.sqlite"
    url = f"sqlite:///{target}"
    source = _sqlite_file(source_url)
    if source is not None and source.exists():
        version = _library_version(source)
        if version > 0:
            with (
                closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
                closing(sqlite3.connect(target)) as dst,
            ):
                src.backup(dst)
            return url, f"library version {version} copied from {source}"
    log(f"no library at {source_url}; importing ESCO and tech into a temporary database (a few minutes)")
    for pack in ("esco", "tech"):  # the default library, as a first `jdlens analyze` builds it
        command = [sys.executable, "-m", "jdlens_server.cli", "library", "import", pack, "--db", url]
        if not sys.stderr.isatty():
            command.append("--no-progress")
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode != 0:
            raise BenchError(f"importing {pack} failed (exit {done.returncode})")
    return url, "ESCO and tech imported into a temporary database"


# ---- measuring -------------------------------------------------------------------------------


def _stream(stub: pipeline_service_pb2_grpc.PipelineServiceStub, texts: Sequence[str]) -> float:
    """Seconds to get a new run for every text over one stream."""
    requests = (
        pipeline_service_pb2.AnalyzeJdStreamRequest(
            request_id=str(i), jd=pipeline_service_pb2.JdInput(text=t)
        )
        for i, t in enumerate(texts)
    )
    started = time.perf_counter()
    responses = list(stub.AnalyzeJdStream(requests, timeout=_CALL_TIMEOUT_S))
    seconds = time.perf_counter() - started
    _check_runs(
        [(r.run if r.HasField("run") else None, r.replayed, r.error.message) for r in responses], len(texts)
    )
    return seconds


def _ms_each(work: Callable[[T], object], items: Sequence[T]) -> list[float]:
    """Milliseconds of ``work(item)`` for each item, one at a time."""
    latencies = []
    for item in items:
        started = time.perf_counter()
        work(item)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _one_at_a_time(
    call: Callable[..., Any], request_type: Callable[..., Any], texts: Sequence[str]
) -> list[float]:
    """Each unary call's latency in milliseconds, one call at a time (AnalyzeJd or ExtractFromJd:
    both take ``jd`` and answer with ``run`` and ``replayed``)."""

    def one(text: str) -> None:
        response = call(request_type(jd=pipeline_service_pb2.JdInput(text=text)), timeout=_CALL_TIMEOUT_S)
        _check_runs([(response.run, response.replayed, "")], 1)

    return _ms_each(one, texts)


def _check_runs(results: list[tuple[run_pb2.Run | None, bool, str]], expected: int) -> None:
    if len(results) != expected:
        raise BenchError(f"{expected} JDs sent, {len(results)} answers")
    for run, replayed, error in results:
        if run is None:
            raise BenchError(f"a bench JD failed: {error}")
        if replayed:
            raise BenchError(f"a bench JD was replayed from {run.name}; the texts must be new")


def _embed_jd(embedder: Embedder) -> Callable[[Sequence[str]], object]:
    """One JD's embed call, as stage 1 makes it (nothing for a JD with nothing to embed)."""
    return lambda texts: embedder.embed(list(texts)) if texts else None


def _embed_only(embedder: Embedder, per_jd: Sequence[Sequence[str]], concurrency: int) -> float:
    """Seconds to embed every JD's texts, one call per JD, ``concurrency`` calls in flight as the
    stream has them (the embedder coalesces concurrent calls, for the stream and this floor alike)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(_embed_jd(embedder), per_jd))
    return time.perf_counter() - started


def _model_cpu_seconds(embedder: Embedder) -> float:
    """The embedder's own CPU count (OnnxEmbedder.model_cpu_seconds); 0 for one that keeps none."""
    return float(getattr(embedder, "model_cpu_seconds", 0.0))


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _round_texts(n: int, rounds: int, phase: str) -> list[list[str]]:
    """Each round's texts for ``phase``: new requests every round (no replay), the same JDs."""
    return [bench_texts(n, phase if rounds == 1 else f"{phase}-r{r + 1}") for r in range(rounds)]


def run_bench(
    db_url: str, n: int, log: Log, rounds: int = DEFAULT_ROUNDS, pipeline_cpu: int | None = None
) -> BenchResult:
    """The measurements of the module docstring against the library at ``db_url`` (written to);
    ``pipeline_cpu``: the server's ServerConfig.pipeline_cpu, as `jdlens serve` would set it."""
    import numpy as np

    from jdlens_server.app import build_runtime, embedded_server
    from jdlens_server.grpc_api.server import ServerConfig

    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    stream_rounds = _round_texts(n, rounds, "stream")
    unary_texts = bench_texts(n, "unary")
    extract_texts = bench_texts(n, "extract")
    config = ServerConfig(address="127.0.0.1:0", pipeline_cpu=pipeline_cpu)
    concurrency = config.stream_concurrency
    runtime = build_runtime(db_url, huge_pages=True)  # as `jdlens serve` runs
    # Read before the clock starts: the embed-only phases time the embedder alone.
    loaded = runtime.library.current()
    per_jd_rounds = [[pipeline_embedding_texts(t, loaded) for t in texts] for texts in stream_rounds]
    per_extract_jd = [pipeline_embedding_texts(t, loaded) for t in extract_texts]
    log(f"embedder {runtime.embedder.name}; library version {runtime.library.current().snapshot.version}")
    where = "any CPU" if pipeline_cpu is None else f"CPU {pipeline_cpu}"
    log(f"request threads on {where} (${cpu_affinity.ENV_VAR}), the embedder's lanes on any")
    stream_rates: list[float] = []
    embed_rates: list[float] = []
    stream_cpu_s = stream_model_cpu_s = 0.0
    try:
        options = [("grpc.max_receive_message_length", DEFAULT_MAX_MESSAGE_BYTES)]
        with (
            embedded_server(runtime, config) as target,
            grpc.insecure_channel(target, options=options) as channel,
        ):
            stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
            for text in bench_texts(WARM_UP_CALLS, "warm-up"):
                stub.AnalyzeJd(
                    pipeline_service_pb2.AnalyzeJdRequest(
                        jd=pipeline_service_pb2.JdInput(text=text), options=run_pb2.RunOptions(dry_run=True)
                    ),
                    timeout=_CALL_TIMEOUT_S,
                )

            # The huge-pages pass the library load started (~2 CPU-s, once per load) must not land
            # in the first round: a long-lived server has paid it before its steady state.
            waited = time.perf_counter()
            if not huge_pages.wait(timeout=_CALL_TIMEOUT_S):
                raise BenchError("the huge-pages pass after the library load did not finish")
            log(
                f"warm-up: {WARM_UP_CALLS} dry runs done; waited "
                f"{time.perf_counter() - waited:.1f} s for the huge-pages pass"
            )

            # Stream and embed-only alternate, round after round: each pair runs back to back, so
            # a neighbour's load on a shared machine weighs on both sides of a round's ratio.
            for number, (texts, per_jd) in enumerate(zip(stream_rounds, per_jd_rounds, strict=True), 1):
                prefix = f"round {number}/{rounds}: " if rounds > 1 else ""
                runtime.embedder.clear_cache()
                cpu_before, model_before = time.process_time(), _model_cpu_seconds(runtime.embedder)
                stream_s = _stream(stub, texts)
                cpu_s = time.process_time() - cpu_before
                model_s = _model_cpu_seconds(runtime.embedder) - model_before
                stream_cpu_s += cpu_s
                stream_model_cpu_s += model_s
                # The cache was empty: its size now is how many distinct texts the pipeline embedded.
                embedded = getattr(runtime.embedder, "cache_len", None)
                seen = (
                    f" (the pipeline embedded {embedded} distinct texts)" if isinstance(embedded, int) else ""
                )
                log(f"{prefix}stream: {n} JDs in {stream_s:.2f} s{seen}")
                log(
                    f"{prefix}stream CPU per JD: {cpu_s * 1000 / n:.1f} ms, of which the embedder's batches "
                    f"{model_s * 1000 / n:.1f} ms"
                )

                runtime.embedder.clear_cache()
                embed_s = _embed_only(runtime.embedder, per_jd, concurrency)
                distinct = len({t for jd_texts in per_jd for t in jd_texts})
                log(
                    f"{prefix}embed-only: {sum(map(len, per_jd))} texts ({distinct} distinct) of {n} JDs "
                    f"in {embed_s:.2f} s"
                )
                stream_rates.append(n / stream_s)
                embed_rates.append(n / embed_s if embed_s > 0 else float("inf"))

            runtime.embedder.clear_cache()
            latencies = _one_at_a_time(stub.AnalyzeJd, pipeline_service_pb2.AnalyzeJdRequest, unary_texts)
            log(f"unary: {n} calls in {sum(latencies) / 1000:.2f} s")

            runtime.embedder.clear_cache()
            extract_latencies = _one_at_a_time(
                stub.ExtractFromJd, pipeline_service_pb2.ExtractFromJdRequest, extract_texts
            )
            log(f"extract: {n} ExtractFromJd calls in {sum(extract_latencies) / 1000:.2f} s")
            runtime.embedder.clear_cache()
            embed_latencies = _ms_each(_embed_jd(runtime.embedder), per_extract_jd)
    finally:
        runtime.close()
    ratios = [s / e for s, e in zip(stream_rates, embed_rates, strict=True)]
    if rounds > 1:
        log("ratio per round: " + ", ".join(f"{r:.3f}" for r in ratios))
    p50, p95 = np.percentile(np.asarray(latencies), [50, 95])
    jds = n * rounds
    return BenchResult(
        n=n,
        unary_p50_ms=round(float(p50), 1),
        unary_p95_ms=round(float(p95), 1),
        stream_jds_per_s=round(statistics.median(stream_rates), 2),
        embed_only_jds_per_s=round(statistics.median(embed_rates), 2),
        ratio=round(statistics.median(ratios), 3),
        rss_mb=round(peak_rss_mb(), 1),
        extract_p50_ms=round(float(np.percentile(np.asarray(extract_latencies), 50)), 1),
        extract_embed_p50_ms=round(float(np.percentile(np.asarray(embed_latencies), 50)), 1),
        stream_cpu_ms_per_jd=round(stream_cpu_s * 1000 / jds, 1),
        stream_model_cpu_ms_per_jd=round(stream_model_cpu_s * 1000 / jds, 1),
        rounds=rounds,
        ratio_min=round(min(ratios), 3),
        ratio_max=round(max(ratios), 3),
    )


# ---- the command -----------------------------------------------------------------------------


def add_bench_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``jdlens bench`` on the CLI's sub-command parsers."""
    bench = sub.add_parser(
        "bench",
        help="measure latency, stream throughput, embedder floor and memory",
        description="Run the service in this process on a fixed set of 40 shipped JDs (cycled for N > 40): "
        "unary AnalyzeJd p50/p95 latency, AnalyzeJdStream throughput with persistence on, the embedder-only "
        "throughput for the same JDs' sentences, their ratio, the peak RSS, and the stream's CPU per JD with "
        "the embedder's share of it (on a busy machine the ratio is about that share), and stage 1 alone "
        "(ExtractFromJd p50, with the embedder's part of it). Works on a temporary SQLite copy of the library "
        "database (--db, else $JDLENS_DB, else the default SQLite file), never on the database itself; "
        "when that database is PostgreSQL or holds no library yet, ESCO and the tech supplement are "
        "imported into the temporary file first (minutes).",
    )
    bench.add_argument(
        "--n", type=int, default=DEFAULT_N, metavar="N", help=f"JDs per phase (default {DEFAULT_N})"
    )
    bench.add_argument(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        metavar="R",
        help=f"stream / embed-only pairs, run back to back; the figures are their medians (default {DEFAULT_ROUNDS})",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object with the figures")
    bench.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="the SQLite database to copy the library from (never written); "
        "a PostgreSQL URL is not read: the bench imports its own library",
    )
    return bench  # type: ignore[no-any-return]


def _load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def cmd_bench(args: argparse.Namespace) -> int:
    from jdlens_server.cli import pipeline_cpu
    from jdlens_server.machine import describe
    from jdlens_server.store.location import resolve_db_url

    if args.n < 1 or args.rounds < 1:
        print("jdlens bench: --n and --rounds must be at least 1", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(f"jdlens bench: {message}", file=sys.stderr)

    cpu = pipeline_cpu("bench")
    machine = describe()
    log(f"machine: {machine.line()}; {_load_average()}")
    with tempfile.TemporaryDirectory(prefix="jdlens-bench-") as directory:
        try:
            url, origin = prepare_database(resolve_db_url(args.db), Path(directory), log)
            log(origin)
            result = run_bench(url, args.n, log, args.rounds, pipeline_cpu=cpu)
        except (BenchError, grpc.RpcError) as exc:
            log(f"failed: {exc}")
            return 1
    log(f"after the run: {_load_average()}")
    if args.json:
        # The figures, then what they ran on: a figure without its machine cannot be compared.
        print(json.dumps({**result.to_json(), "machine": machine.to_json()}))
        return 0
    print(f"jdlens bench: {result.n} JDs per phase on {machine.line()}")
    print(f"  unary AnalyzeJd latency   p50 {result.unary_p50_ms:.0f} ms, p95 {result.unary_p95_ms:.0f} ms")
    print(
        f"  stage 1 (ExtractFromJd)   p50 {result.extract_p50_ms:.0f} ms, "
        f"of which the embedder {result.extract_embed_p50_ms:.0f} ms"
    )
    print(f"  stream throughput         {result.stream_jds_per_s:.1f} JDs/s (persistence on)")
    print(f"  embedder only             {result.embed_only_jds_per_s:.1f} JDs/s (same JDs' sentences)")
    print(
        f"  ratio stream/embedder     {result.ratio:.2f} (median of {result.rounds} pairs; "
        f"{result.ratio_min:.2f}-{result.ratio_max:.2f})"
    )
    print(f"  peak RSS                  {result.rss_mb:.0f} MB")
    print(
        f"  stream CPU per JD         {result.stream_cpu_ms_per_jd:.0f} ms, the embedder's "
        f"{result.stream_model_cpu_ms_per_jd:.0f} ms of it"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jdlens_server.bench [--n N] [--json]``: the same command outside the CLI."""
    parser = argparse.ArgumentParser(prog="jdlens")
    add_bench_parser(parser.add_subparsers(dest="command", required=True))
    return cmd_bench(parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
