"""The int8 scan's error bound and its exact top-k, on matrices shaped like the library's."""

from __future__ import annotations

import numpy as np
import pytest

from jdlens_server.nlp.int8_scan import Int8Scan

DIM = 384


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return unit


def _matrices(rng: np.random.Generator) -> dict[str, np.ndarray]:
    gaussian = _unit(rng.standard_normal((3000, DIM)))
    # Clustered: many near-duplicates, as role aliases are ("software developer", "developer").
    centres = _unit(rng.standard_normal((40, DIM)))
    clustered = _unit(centres[rng.integers(0, 40, 3000)] + 0.1 * rng.standard_normal((3000, DIM)))
    # Heavy-tailed components: a few large values set each row's scale, the rest round coarsely.
    spiky = _unit(rng.standard_t(1.5, (3000, DIM)))
    spiky[7] = 0.0  # a row with nothing in it
    return {"gaussian": gaussian, "clustered": clustered, "spiky": spiky}


@pytest.mark.parametrize("kind", ["gaussian", "clustered", "spiky"])
def test_every_approximate_product_is_within_its_bound(kind: str) -> None:
    rng = np.random.default_rng(7)
    matrix = _matrices(rng)[kind]
    scan = Int8Scan(matrix)
    near_rows = matrix[rng.integers(0, len(matrix), 20)] + 0.05 * rng.standard_normal((20, DIM))
    queries = np.concatenate([_unit(rng.standard_normal((20, DIM))), _unit(near_rows), matrix[:5]])
    approx, bound = scan.approximate(queries.astype(np.float32))
    exact = queries.astype(np.float32) @ matrix.T
    assert approx.shape == bound.shape == exact.shape
    assert np.all(np.abs(approx - exact) <= bound)
    # The bound is useful: far below the similarities' spread, and the approximation is not exact.
    assert float(np.median(bound)) < 0.05
    assert np.any(approx != exact)


@pytest.mark.parametrize("kind", ["gaussian", "clustered", "spiky"])
@pytest.mark.parametrize("k", [1, 10, 64])
def test_top_holds_the_exact_top_k_with_float32_products(kind: str, k: int) -> None:
    rng = np.random.default_rng(11)
    matrix = _matrices(rng)[kind]
    scan = Int8Scan(matrix)
    for _ in range(10):
        query = _unit(matrix[rng.integers(0, len(matrix))] + 0.1 * rng.standard_normal(DIM))
        approx, bound = scan.approximate(query)
        rows, products = scan.top(query, k, approx[0], bound[0])
        exact = matrix @ query
        best = np.argsort(-exact, kind="stable")[:k]
        # Every row that is in the exact top k is a candidate; with embedding-like rows, few others
        # (heavy-tailed rows round coarsely: correct still, just more rows recomputed).
        assert set(best.tolist()) <= set(rows.tolist())
        if kind != "spiky":
            assert len(rows) < len(matrix) // 4
        assert np.allclose(products, exact[rows], atol=1e-6)
        chosen = rows[np.argsort(-products, kind="stable")[:k]]
        assert np.allclose(np.sort(exact[chosen]), np.sort(exact[best]), atol=1e-6)


def test_top_with_k_at_least_the_rows_returns_every_row() -> None:
    rng = np.random.default_rng(3)
    matrix = _unit(rng.standard_normal((5, DIM)))
    scan = Int8Scan(matrix)
    approx, bound = scan.approximate(matrix[0])
    rows, products = scan.top(matrix[0], 5, approx[0], bound[0])
    assert rows.tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(products, matrix @ matrix[0], atol=1e-6)
