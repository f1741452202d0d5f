"""Nearest library skills of a batch of terms: the products through the cached (dim, n) layout give
exactly what the plain ``vectors @ skill_matrix.T`` gives."""

from __future__ import annotations

from typing import cast

import numpy as np
import pytest

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.pipeline.skill_placement import (
    Neighbour,
    nearest_skills,
    nearest_skills_many,
)


class _Library:
    """The two fields nearest_skills_many reads (a class: per-snapshot caches hold a weak reference)."""

    def __init__(self, n: int, dim: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        matrix = rng.standard_normal((n, dim)).astype(np.float32)
        self.skill_matrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        self.skill_ids = np.arange(5000, 5000 + n, dtype=np.int64)


def _plain(library: _Library, vectors: np.ndarray, k: int, exclude: list[set[int]]) -> list[list[Neighbour]]:
    """Every skill sorted by the plain product (no ties among random vectors), skipped ones dropped."""
    sims = vectors @ library.skill_matrix.T
    ranked = [
        [
            Neighbour(int(library.skill_ids[j]), round(float(row[j]), 4))
            for j in np.argsort(-row, kind="stable")
        ]
        for row in sims
    ]
    return [[n for n in row if n.skill_id not in skip][:k] for row, skip in zip(ranked, exclude, strict=True)]


@pytest.mark.parametrize(("n", "rows"), [(14_000, 2), (14_000, 7), (3_000, 18), (40, 3)])
def test_nearest_skills_many_matches_the_plain_product(n: int, rows: int) -> None:
    library = _Library(n, 384, seed=n + rows)
    snapshot = cast(LibrarySnapshot, library)
    rng = np.random.default_rng(rows)
    # Terms near a library skill, as new skill names usually are.
    picks = rng.integers(0, n, rows)
    vectors = library.skill_matrix[picks] + 0.1 * rng.standard_normal((rows, 384)).astype(np.float32)
    exclude = [{int(library.skill_ids[p])} if i % 2 else set() for i, p in enumerate(picks)]
    got = nearest_skills_many(snapshot, vectors, 10, exclude)
    assert got == _plain(library, vectors, 10, exclude)
    assert all(len(row) == min(10, n - len(skip)) for row, skip in zip(got, exclude, strict=True))
    assert all(
        int(library.skill_ids[p]) not in {nb.skill_id for nb in row}
        for p, row in zip(picks[1::2], got[1::2], strict=True)
    )
    # Each row alone (a gemv) is the plain product too.
    assert nearest_skills(snapshot, vectors[0], k=5) == _plain(library, vectors[:1], 5, [set()])[0]
