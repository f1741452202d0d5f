"""Measure the supported embedders on this machine: load time, memory, speed and a quality proxy.

Usage: python tools/bench_embedders.py [--shared ../shared] [--titles 500] [--threads 2]

Speed: sentences/s over 1,024 O*NET task statements (batch 64, cache off) and the latency of one
40-sentence JD, as wall time and as process CPU time (the CPU figures hold up when other work
shares the machine; wall ~= CPU / threads when it does not). Quality proxy: each vacancy title of
eval-dev/titles is matched to the nearest ESCO occupation preferredLabel; top-1/top-5 against the
gold conceptUri. Reads ../shared, copies nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from jdlens_server.nlp.embedder import OnnxEmbedder, model_spec, supported_embedders


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def task_statements(shared: Path, n: int) -> list[str]:
    with (shared / "data/onet/Task Statements.txt").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    step = max(1, len(rows) // n)
    return [r["Task"] for r in rows[::step]][:n]


def title_quality(emb: OnnxEmbedder, shared: Path, n: int) -> tuple[float, float]:
    with (shared / "data/esco/occupations_en.csv").open(encoding="utf-8") as fh:
        occ = list(csv.DictReader(fh))
    with (shared / "eval-dev/titles/titles_dev.csv").open(encoding="utf-8") as fh:
        titles = list(csv.DictReader(fh))[:n]
    uris = [o["conceptUri"] for o in occ]
    labels = emb.embed([o["preferredLabel"] for o in occ])
    queries = emb.embed([t["vacancyTitle"] for t in titles])
    ranked = np.argsort(-(queries @ labels.T), axis=1)[:, :5]
    gold = [t["conceptUri"] for t in titles]
    top1 = np.mean([uris[r[0]] == g for r, g in zip(ranked, gold, strict=True)])
    top5 = np.mean([g in {uris[i] for i in r} for r, g in zip(ranked, gold, strict=True)])
    return float(top1), float(top5)


def bench_one(name: str, args: argparse.Namespace) -> str:
    sentences = task_statements(args.shared, 1024)
    jd = sentences[:40]
    before = rss_mb()  # numpy, onnxruntime and tokenizers are already imported, as in the server
    t0 = time.perf_counter()
    emb = OnnxEmbedder(model_spec(name), threads=args.threads, cache_size=0)
    emb.embed(["warm up"])
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb() - before
    t0, c0 = time.perf_counter(), time.process_time()
    emb.embed(sentences)
    per_s = len(sentences) / (time.perf_counter() - t0)
    per_cpu_s = len(sentences) / (time.process_time() - c0)
    rss_used = rss_mb() - before
    times, cpu = [], []
    for _ in range(7):
        t0, c0 = time.perf_counter(), time.process_time()
        emb.embed(jd)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    jd_ms, jd_cpu_ms = 1000 * float(np.median(times)), 1000 * float(np.median(cpu))
    top1, top5 = title_quality(emb, args.shared, args.titles)
    return (
        f"{name:24} {load_s:6.2f} {rss_loaded:6.0f}/{rss_used:<5.0f} {per_s:7.0f} {per_cpu_s:10.0f} "
        f"{jd_ms:8.0f} {jd_cpu_ms:11.0f} {top1:6.3f} {top5:6.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--titles", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="measure only this model, in this process")
    args = parser.parse_args()
    if args.model:
        print(bench_one(args.model, args), flush=True)
        return
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'model':24} {'load s':>6} {'RSS MB':>12} {'sent/s':>7} {'sent/cpu-s':>10} "
        f"{'JD40 ms':>8} {'JD40 cpu-ms':>11} {'top1':>6} {'top5':>6}"
    )
    print("(RSS: after load / after 1,024 sentences, over the process before the model)", flush=True)
    for name in supported_embedders():  # one process each, so memory figures do not mix
        cmd = [sys.executable, __file__, "--model", name, "--shared", str(args.shared)]
        cmd += ["--titles", str(args.titles), "--threads", str(args.threads)]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
