"""Shared bits of the evaluation commands: a progress bar on stderr and metric helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

__all__ = ["f1", "progress", "ratio"]

T = TypeVar("T")


def progress(items: Iterable[T], desc: str, *, total: int | None = None, enabled: bool = True) -> Iterator[T]:
    """Iterate with a tqdm bar on stderr (stdout stays clean for tables and JSON)."""
    yield from tqdm(
        items, desc=desc, total=total, unit="item", file=sys.stderr, disable=not enabled, leave=False
    )


def ratio(num: float, den: float) -> float:
    """num / den, 0.0 for an empty denominator."""
    return num / den if den else 0.0


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
