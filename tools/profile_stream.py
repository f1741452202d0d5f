"""Profile the CPU AnalyzeJd costs per JD beyond the embedder, in process.

Usage: python tools/profile_stream.py [--db URL] [--n 40] [--warm-cache [--pollute N]] [--threads N | --grpc]
       [--profile | --stats FILE] [--dump runs.jsonl]

Copies the library database (as ``jdlens bench`` does, plus the KRA index files beside a SQLite
source so nothing is rebuilt), builds the runtime, warms it with three dry runs, then runs the
shipped bench JDs through ``PipelineCore.analyze_jd`` one at a time with persistence on. Reports
process CPU-ms per JD: total, inside ``Embedder.embed`` (the onnxruntime threads included, since
process time counts every thread), and the rest, split by stage and store call, and the time the
cyclic GC took.

- ``--warm-cache``: first run every JD dry, so every text is in the embedder's cache: the measured
  pass then costs what is not the model (the cleanest non-embedder figure);
- ``--pollute N`` (one at a time): before each JD, embed N sentences it does not contain, so the
  model runs between JDs as in a real stream while the JD's own texts stay cached; the embedder's
  CPU is left out of the non-embedder figure as always, so what rises is the pipeline's own CPU
  slowed by the model's cache and TLB pollution (24.7 ms per JD warm, 27.8 with N=20 on the Xeon);
- ``--threads N`` / ``--grpc``: N JDs at a time, or one AnalyzeJdStream of an embedded server as
  the bench sends it; the threads on one CPU as ``$JDLENS_PIPELINE_CPU`` says (auto: pinned when
  the process may use exactly two CPUs; ``off`` to compare). Concurrent: per-stage figures then
  count other threads' work, compare totals;
- ``--profile`` / ``--stats``: a cProfile (CPU timer) of the measured pass, printed / saved;
- ``--dump``: each run with ids, times and durations blanked, then the review queue the runs
  left, to diff the outputs of two versions of the code (the tool also runs on older code:
  ``PYTHONPATH=<worktree>/server python tools/profile_stream.py``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import json
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format
from sqlalchemy import select

from jdlens.client import DEFAULT_MAX_MESSAGE_BYTES
from jdlens.v1 import pipeline_service_pb2, pipeline_service_pb2_grpc, run_pb2
from jdlens_server import bench, cpu_affinity, huge_pages
from jdlens_server.app import Runtime, build_runtime, embedded_server
from jdlens_server.cli import pipeline_cpu
from jdlens_server.grpc_api.server import ServerConfig
from jdlens_server.pipeline import core as core_module
from jdlens_server.pipeline import details as details_module
from jdlens_server.store.location import resolve_db_url
from jdlens_server.store.models import ReviewItemRow, ReviewItemRunRow

_CPU: dict[str, float] = defaultdict(float)
_STAGE: list[str] = []  # the stage being run (its embedder time is also counted under it)


@contextmanager
def _timed(name: str) -> Iterator[None]:
    started = time.process_time()
    top_level_stage = name.startswith("stage") and "." not in name
    if top_level_stage:
        _STAGE.append(name)
    try:
        yield
    finally:
        spent = time.process_time() - started
        _CPU[name] += spent
        if top_level_stage:
            _STAGE.pop()
        if name == "embed" and _STAGE:
            _CPU[f"embed@{_STAGE[-1]}"] += spent


class _GcClock:
    """CPU spent in the cyclic garbage collector, by generation."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = defaultdict(float)
        self.count: dict[int, int] = defaultdict(int)
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds[info["generation"]] += time.process_time() - self._started
            self.count[info["generation"]] += 1

    def clear(self) -> None:
        self.seconds.clear()
        self.count.clear()


def _wrap(owner: Any, attr: str, name: str) -> None:
    """Count the CPU of ``owner.attr`` calls under ``name`` (nested calls count in both)."""
    inner: Callable[..., Any] | None = getattr(owner, attr, None)
    if inner is None:  # older code (comparing two versions): nothing to count there
        return

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with _timed(name):
            return inner(*args, **kwargs)

    setattr(owner, attr, wrapped)


def _copy_library(source_url: str, directory: Path) -> str:
    url, origin = bench.prepare_database(source_url, directory, lambda m: print(m, file=sys.stderr))
    print(origin, file=sys.stderr)
    source = bench._sqlite_file(source_url)
    target = bench._sqlite_file(url)
    if source is not None and target is not None:
        for index_file in source.parent.glob(f"{source.name}.kra.*"):
            suffix = index_file.name.removeprefix(source.name)
            text_file = suffix.endswith(".hnsw") and index_file.stat().st_size < 4096
            if text_file:  # the manifest names its index files: point it at the copies
                manifest = json.loads(index_file.read_text())
                for key in ("index_file", "ids_file"):
                    manifest[key] = manifest[key].replace(source.name, target.name)
                (target.parent / (target.name + suffix)).write_text(json.dumps(manifest))
            else:
                copied = index_file.name.replace(source.name, target.name)
                shutil.copyfile(index_file, target.parent / copied)
    return url


def _blank(run: run_pb2.Run) -> dict[str, Any]:
    """The run without what differs between two identical runs (ids, clocks, durations)."""
    copy = run_pb2.Run()
    copy.CopyFrom(run)
    for field in ("name", "run_id", "idempotency_key", "create_time", "update_time"):
        copy.ClearField(field)
    for metrics in copy.stage_metrics:
        metrics.ClearField("duration")
    data: dict[str, Any] = json_format.MessageToDict(copy, preserving_proto_field_name=True)
    text = json.dumps(data, sort_keys=True)
    text = text.replace(run.run_id, "RUN_ID")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _review_items(runtime: Runtime) -> list[dict[str, Any]]:
    """The review queue as the runs left it (payloads hashed, run ids kept for the caller to map)."""
    with runtime.factory() as session:
        links: dict[int, list[str]] = defaultdict(list)
        for item_id, run_id in session.execute(
            select(ReviewItemRunRow.review_item_id, ReviewItemRunRow.run_id)
        ):
            links[item_id].append(run_id)
        rows = session.execute(
            select(
                ReviewItemRow.id,
                ReviewItemRow.dedupe_key,
                ReviewItemRow.status,
                ReviewItemRow.occurrence_count,
                ReviewItemRow.payload,
            ).order_by(ReviewItemRow.id)
        ).all()
    return [
        {
            "id": r.id,
            "key": r.dedupe_key,
            "status": r.status,
            "count": r.occurrence_count,
            "payload": hashlib.sha256(r.payload).hexdigest()[:16],
            "runs": links[r.id],
        }
        for r in rows
    ]


def _through_stream(
    runtime: Runtime, requests: Sequence[pipeline_service_pb2.AnalyzeJdRequest], pipeline_cpu: int | None
) -> list[run_pb2.Run]:
    """The requests over one AnalyzeJdStream of an embedded server, as the bench sends them."""
    options = [("grpc.max_receive_message_length", DEFAULT_MAX_MESSAGE_BYTES)]
    config = ServerConfig(address="127.0.0.1:0", pipeline_cpu=pipeline_cpu)
    with (
        embedded_server(runtime, config) as target,
        grpc.insecure_channel(target, options=options) as channel,
    ):
        stub = pipeline_service_pb2_grpc.PipelineServiceStub(channel)
        items = (
            pipeline_service_pb2.AnalyzeJdStreamRequest(request_id=str(i), jd=r.jd)
            for i, r in enumerate(requests)
        )
        responses = list(stub.AnalyzeJdStream(items, timeout=600))
    by_id = {int(r.request_id): r for r in responses}
    assert all(by_id[i].HasField("run") and not by_id[i].replayed for i in range(len(requests)))
    return [by_id[i].run for i in range(len(requests))]


def _filler(count: int, salt: int) -> list[str]:
    """``count`` sentences no JD contains, new for each ``salt`` (so none is cached)."""
    return [
        f"Filler sentence {salt}-{i} about loading bays, pallet counts and forklift safety checks."
        for i in range(count)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--dump", type=Path, default=None)
    parser.add_argument("--warm-cache", action="store_true", help="fill the embedder's cache first")
    parser.add_argument(
        "--pollute",
        type=int,
        default=0,
        metavar="N",
        help="embed N unrelated sentences before each JD (one at a time only): the model's effect on "
        "the pipeline's own CPU without the JD's own embedding",
    )
    parser.add_argument("--threads", type=int, default=1, help="run the JDs on this many threads")
    parser.add_argument(
        "--grpc",
        action="store_true",
        help="send the JDs over one AnalyzeJdStream of an embedded server (concurrent: the per-stage "
        "figures then count other threads' work too; compare the totals)",
    )
    parser.add_argument("--stats", type=Path, default=None, help="write the cProfile stats here")
    args = parser.parse_args(argv)
    cpu = pipeline_cpu("profile_stream")  # exits with what to set on a bad $JDLENS_PIPELINE_CPU
    if args.pollute and (args.grpc or args.threads > 1):
        parser.error("--pollute runs the JDs one at a time: drop --grpc and --threads")

    with tempfile.TemporaryDirectory(prefix="jdlens-profile-") as directory:
        url = _copy_library(resolve_db_url(args.db), Path(directory))
        runtime = build_runtime(url, huge_pages=True)
        gc_clock = _GcClock()
        try:
            core = runtime.core
            _wrap(runtime.embedder, "embed", "embed")
            _wrap(core, "_stage1", "stage1")
            _wrap(core, "_details", "stage2")
            _wrap(core, "_final", "stage3")
            _wrap(core_module, "compute_details", "stage2.compute")
            _wrap(core_module, "apply_details", "stage2.apply")
            _wrap(core_module, "compute_final_role", "stage3.compute")
            _wrap(core_module, "compute_enrichment", "stage3.enrichment")
            _wrap(core_module, "apply_final_role", "stage3.apply")
            _wrap(core_module, "run_extraction", "stage1.extraction")
            _wrap(core_module, "apply_updates", "stage1.updates")
            for name in ("insert", "save", "load", "find_by_key"):
                _wrap(core_module.run_store, name, f"store.run_{name}")
            _wrap(details_module, "_queue", "stage2.apply.queue")
            _wrap(details_module, "_learn", "stage2.apply.learn")
            _wrap(details_module, "candidate_roles", "stage2.compute.candidates")
            _wrap(details_module, "_terms", "stage2.compute.terms")
            _wrap(details_module, "_emit", "stage2.compute.emit")
            _wrap(details_module.place, "nearest_skills_many", "stage2.compute.nearest")
            for text in bench.bench_texts(3, "warm-up"):
                core.analyze_jd(
                    pipeline_service_pb2.AnalyzeJdRequest(
                        jd=pipeline_service_pb2.JdInput(text=text), options=run_pb2.RunOptions(dry_run=True)
                    )
                )
            runtime.embedder.clear_cache()
            requests = [
                pipeline_service_pb2.AnalyzeJdRequest(jd=pipeline_service_pb2.JdInput(text=t))
                for t in bench.bench_texts(args.n, "stream")
            ]
            if args.warm_cache:  # every text the runs embed is cached: what is left is not the model
                for request in requests:
                    dry = pipeline_service_pb2.AnalyzeJdRequest()
                    dry.CopyFrom(request)
                    dry.options.dry_run = True
                    core.analyze_jd(dry)
            huge_pages.wait()  # the library load's pass, paid once per load, is not measured
            _CPU.clear()
            gc_clock.clear()
            profiler = cProfile.Profile(time.process_time) if args.profile or args.stats else None
            runs = []
            wall = time.perf_counter()
            with _timed("total"):
                if profiler is not None:
                    profiler.enable()
                if args.grpc:
                    runs = _through_stream(runtime, requests, cpu)
                elif args.threads > 1:
                    pin = cpu_affinity.pool_initializer(cpu)
                    with ThreadPoolExecutor(max_workers=args.threads, initializer=pin) as pool:
                        runs = [run for run, _ in pool.map(core.analyze_jd, requests)]
                else:
                    for number, request in enumerate(requests):
                        if args.pollute:
                            runtime.embedder.embed(_filler(args.pollute, number))
                        run, replayed = core.analyze_jd(request)
                        assert not replayed
                        runs.append(run)
                if profiler is not None:
                    profiler.disable()
            wall = time.perf_counter() - wall
            review_items = _review_items(runtime) if args.dump is not None else []
        finally:
            runtime.close()

    n = len(requests)
    rest = _CPU["total"] - _CPU["embed"]
    print(f"{n} JDs, wall {wall:.2f} s; CPU-ms per JD:")
    print(f"  total          {_CPU['total'] * 1000 / n:8.1f}")
    print(f"  embedder       {_CPU['embed'] * 1000 / n:8.1f}")
    print(f"  non-embedder   {rest * 1000 / n:8.1f}")
    for name in sorted(k for k in _CPU if k.startswith(("stage", "store"))):
        stage = name.split(".")[0]
        own = _CPU[name] - (_CPU[f"embed@{stage}"] if name == stage else 0.0)
        print(f"    {name:<20} {own * 1000 / n:8.1f}")
    for generation in sorted(gc_clock.seconds):
        print(
            f"  gc gen{generation}: {gc_clock.count[generation]} collections, "
            f"{gc_clock.seconds[generation] * 1000 / n:.1f} CPU-ms per JD"
        )
    for name in sorted(k for k in _CPU if k.startswith("embed@")):
        print(f"    {name:<20} {_CPU[name] * 1000 / n:8.1f}")
    print("  (stageN: without its embedder time; stageN.part: with it)")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        if args.stats is not None:
            stats.dump_stats(args.stats)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
    if args.dump is not None:
        with args.dump.open("w", encoding="utf-8") as fh:
            for run in runs:
                fh.write(json.dumps(_blank(run), sort_keys=True) + "\n")
            ids = {run.run_id: f"run{i}" for i, run in enumerate(runs)}
            for item in review_items:
                item["runs"] = sorted(ids.get(r, r) for r in item["runs"])
                fh.write(json.dumps(item, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
