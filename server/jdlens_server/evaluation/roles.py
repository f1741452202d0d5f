"""Role evaluation on labelled job ads and vacancy titles, through the real pipeline in dry-run mode.

Each item's ranking is the run's fused role ranking (signals.combined_roles, decided role first).
An item the pipeline rejects or fails on counts as wrong (rank 0), never skipped.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from jdlens.v1 import pipeline_service_pb2, run_pb2
from jdlens_server.errors import SetupError

# How deep the ranking goes for MRR: an item whose gold role is not in the top EVAL_TOP_K scores 0.
EVAL_TOP_K = 25

AnalyzeFn = Callable[[pipeline_service_pb2.ExtractFromJdRequest], run_pb2.Run]


@dataclass(frozen=True, slots=True)
class LabelledItem:
    text: str
    title: str
    gold: str  # an occupation code (job ads) or concept URI (titles)


class LabelledSetError(SetupError, ValueError):
    """A labelled set that is not in the format its kind needs (the message names the columns)."""


# The columns each role set's CSV must have.
COLUMNS = {"jobads": ("title", "description", "esco_code"), "titles": ("vacancyTitle", "conceptUri")}


def _rows(path: Path, kind: str) -> list[dict[str, str]]:
    """The CSV's rows, once its header has every column ``kind`` reads."""
    csv.field_size_limit(sys.maxsize)  # a job ad's description is one long field
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        check_header(path, kind, reader.fieldnames or [])
        return list(reader)


def check_header(path: Path, kind: str, found: Sequence[str] | None = None) -> None:
    """LabelledSetError unless ``path`` (or the header ``found`` in it) has ``kind``'s columns."""
    if found is None:
        with path.open(newline="", encoding="utf-8") as fh:
            found = next(csv.reader(fh), [])
    missing = [c for c in COLUMNS[kind] if c not in found]
    if missing:
        raise LabelledSetError(
            f"{path} is not a {kind} set: its header lacks {', '.join(missing)} (a {kind} CSV has the "
            f"columns {', '.join(COLUMNS[kind])}; found {', '.join(found) or 'no header'})"
        )


def read_jobads(path: Path) -> list[LabelledItem]:
    return [
        LabelledItem(text=row["description"], title=row["title"], gold=row["esco_code"].strip())
        for row in _rows(path, "jobads")
    ]


def read_titles(path: Path) -> list[LabelledItem]:
    return [
        LabelledItem(text="", title=row["vacancyTitle"], gold=row["conceptUri"].strip())
        for row in _rows(path, "titles")
    ]


def _request(item: LabelledItem) -> pipeline_service_pb2.ExtractFromJdRequest:
    return pipeline_service_pb2.ExtractFromJdRequest(
        jd=pipeline_service_pb2.JdInput(text=item.text, title=item.title),
        options=run_pb2.RunOptions(dry_run=True, top_k=EVAL_TOP_K),
    )


def _ranked_codes(run: run_pb2.Run) -> list[str]:
    return [r.role.code for r in run.extraction.signals.combined_roles]


def evaluate_roles(
    items: Iterable[LabelledItem],
    analyze: AnalyzeFn,
    *,
    gold_to_code: Callable[[str], str | None],
    with_isco: bool,
    progress: bool = True,
) -> dict[str, float]:
    items = list(items)
    top1 = top5 = isco1 = 0
    rr_sum = 0.0
    elapsed = 0.0
    for item in tqdm(items, desc="eval", unit="item", disable=not progress, file=sys.stderr):
        gold_code = gold_to_code(item.gold)
        started = time.perf_counter()
        try:
            ranked = _ranked_codes(analyze(_request(item)))
        except Exception:
            ranked = []
        elapsed += time.perf_counter() - started
        if gold_code is None:
            continue  # the gold role is not in the library: every rank is wrong
        if ranked and ranked[0] == gold_code:
            top1 += 1
        if gold_code in ranked[:5]:
            top5 += 1
        if gold_code in ranked:
            rr_sum += 1.0 / (ranked.index(gold_code) + 1)
        if with_isco and ranked and ranked[0].split(".")[0] == gold_code.split(".")[0]:
            isco1 += 1
    n = len(items)
    out = {
        "n": n,
        "top1": round(top1 / n, 4) if n else 0.0,
        "top5": round(top5 / n, 4) if n else 0.0,
        "mrr": round(rr_sum / n, 4) if n else 0.0,
    }
    if with_isco:
        out["isco4_top1"] = round(isco1 / n, 4) if n else 0.0
    out["ms_per_item"] = round(1000 * elapsed / n, 2) if n else 0.0
    return out
