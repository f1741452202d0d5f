"""ESCO skill-linking evaluation: rank canonical skills for a sentence, score against gold labels.

Format (eval-dev README): CSV with ``sentence, span, sub_span, label``; ``label`` is an ESCO skill
preferredLabel, or ``LABEL NOT PRESENT`` / ``UNDERSPECIFIED`` (those rows are skipped). Per
sentence, G is the set of its gold labels (sentences left with none are skipped);
RP@5 = |top-5 ∩ G| / min(5, |G|) and MRR = 1 / rank of the best-ranked gold label (0 when none is
ranked), both averaged over sentences. A sentence the ranker fails on scores 0.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jdlens_server.evaluation.common import progress, ratio

__all__ = ["LinkingSentence", "Ranker", "evaluate_linking", "read_linking", "score_ranking"]

Ranker = Callable[[str], list[str]]
_SKIP_LABELS = frozenset({"LABEL NOT PRESENT", "UNDERSPECIFIED"})


@dataclass(frozen=True, slots=True)
class LinkingSentence:
    sentence: str
    gold: frozenset[str]


def _norm(label: str) -> str:
    return " ".join(label.split()).casefold()


def read_linking(path: Path) -> list[LinkingSentence]:
    """Sentences in file order with their gold labels; skipped rows and empty sentences left out."""
    gold: dict[str, set[str]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sentence = row["sentence"]
            label = row["label"].strip()
            labels = gold.setdefault(sentence, set())
            if label and label not in _SKIP_LABELS:
                labels.add(label)
    return [LinkingSentence(s, frozenset(g)) for s, g in gold.items() if g]


def score_ranking(ranked: list[str], gold: frozenset[str]) -> tuple[float, float]:
    """(RP@5, reciprocal rank) of one ranking."""
    wanted = {_norm(g) for g in gold}
    seen: set[str] = set()
    ordered: list[str] = []
    for label in ranked:  # a label ranked twice counts once, at its first rank
        key = _norm(label)
        if key not in seen:
            seen.add(key)
            ordered.append(key)
    rp5 = ratio(len(set(ordered[:5]) & wanted), min(5, len(wanted)))
    rr = next((1.0 / (i + 1) for i, key in enumerate(ordered) if key in wanted), 0.0)
    return rp5, rr


def evaluate_linking(path: Path, ranker: Ranker, *, show_progress: bool = True) -> dict[str, float]:
    """Keys: n_sentences, rp5, mrr."""
    sentences = read_linking(path)
    rp5_sum = rr_sum = 0.0
    for item in progress(sentences, "linking", enabled=show_progress):
        try:
            ranked = ranker(item.sentence)
        except Exception:
            ranked = []
        rp5, rr = score_ranking(ranked, item.gold)
        rp5_sum += rp5
        rr_sum += rr
    n = len(sentences)
    return {"n_sentences": n, "rp5": ratio(rp5_sum, n), "mrr": ratio(rr_sum, n)}
