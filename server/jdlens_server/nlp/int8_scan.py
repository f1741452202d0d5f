"""Dot products against a fixed float32 matrix, read as int8, each with a certified error bound.

Why: the title signal reads all 32k role aliases and skill placement all 14k skill labels per JD.
As float32 that is 50 MB and 21 MB of memory traffic, the largest costs outside the model, and
they push the model's weights out of the cache it shares with them. An int8 copy of the matrix
(one scale per row), multiplied by onnxruntime's integer kernels, reads a quarter of the bytes.

Exactness: every approximate product comes with a bound on how far it can be from the float32
product. A caller keeps the rows whose bound cannot reach its decision (a top-k cut, a rank) and
recomputes the others in float32 (``exact``), so what it returns is the float32 result itself.

The bound, for a query q quantised to q' (one symmetric scale per query) and a row a stored as a':
``|q.a - q'.a'| <= |q.(a - a')| + |(q - q').a'| <= |q| |a - a'| + |q - q'| |a'|``; the integer
product itself is exact (|sum| <= 384 * 127 * 127 < 2**24, so exact in float32 too), and
``_SLACK`` covers float32 rounding in the scaling and in the float32 product it is compared to.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

__all__ = ["Int8Scan", "may_reach_top"]

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# float32 rounding: the float32 product of two unit vectors of 384 dimensions is within
# 384 * 2**-24 (2.3e-5) of the real one; the approximation's own scaling adds < 1e-6.
_SLACK = np.float32(1e-4)
_LEVELS = 127.0  # symmetric int8: -127..127, so the zero point of the unsigned query is 128
_SLICE_ROWS = 2048


def _quantise(matrix: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-row symmetric int8 levels (as floats) and scales."""
    peak = np.abs(matrix).max(axis=1)
    scale = np.where(peak > 0, peak / _LEVELS, 1.0)
    levels = np.clip(np.rint(matrix / scale[:, None]), -_LEVELS, _LEVELS)
    return levels, scale


def _integer_product_session(levels_t: npt.NDArray[np.uint8]) -> ort.InferenceSession:
    """onnxruntime MatMulInteger, int32 out: uint8 queries times the matrix as uint8, both with zero
    point 128. Not int8 weights: onnxruntime's AVX2 kernel for uint8 x int8 adds pairs of products
    in int16 with saturation, which loses up to half a product's size (measured: errors 3.5x our
    bound); the uint8 x uint8 kernels widen to 16 bits first and are exact."""
    dim, n = levels_t.shape
    node = helper.make_node("MatMulInteger", ["q", "m", "zero", "zero"], ["y"])
    graph = helper.make_graph(
        [node],
        "int8_scan",
        [helper.make_tensor_value_info("q", TensorProto.UINT8, [None, dim])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [None, n])],
        [
            numpy_helper.from_array(levels_t, "m"),
            numpy_helper.from_array(np.array(128, dtype=np.uint8), "zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    options = ort.SessionOptions()
    # One thread: the products are small and run beside the embedder's lanes and other requests.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


class Int8Scan:
    """``matrix @ q`` for many rows at once, approximately with bounds, exactly where asked."""

    def __init__(self, matrix: FloatArray) -> None:
        self.matrix = matrix
        n, dim = matrix.shape
        levels_t = np.empty((dim, n), dtype=np.uint8)
        self._scale = np.empty(n, dtype=np.float32)
        self._row_error = np.empty(n, dtype=np.float32)
        self._row_norm = np.empty(n, dtype=np.float32)
        # In slices of rows: the float64 working copies of a whole 50 MB matrix would add ~400 MB
        # to the process's peak memory.
        for start in range(0, n, _SLICE_ROWS):
            rows = slice(start, min(n, start + _SLICE_ROWS))
            exact = np.asarray(matrix[rows], dtype=np.float64)
            levels, scale = _quantise(exact)
            stored = levels * scale[:, None]
            self._scale[rows] = scale
            # Rounded up to float32 so the bound never shrinks in the conversion.
            self._row_error[rows] = _up(np.linalg.norm(exact - stored, axis=1))
            self._row_norm[rows] = _up(np.linalg.norm(stored, axis=1))
            levels_t[:, rows] = (levels + 128).T
        self._session = _integer_product_session(levels_t)

    def approximate(self, queries: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(approximate products, their error bounds), both (len(queries), len(matrix))."""
        q = np.asarray(queries, dtype=np.float64).reshape(-1, self.matrix.shape[1])
        levels, scale = _quantise(q)
        query_error = _up(np.linalg.norm(q - levels * scale[:, None], axis=1))
        query_norm = _up(np.linalg.norm(q, axis=1))
        (products,) = self._session.run(None, {"q": (levels + 128).astype(np.uint8)})
        approx = products.astype(np.float32)
        approx *= scale.astype(np.float32)[:, None]
        approx *= self._scale
        bound = query_norm[:, None] * self._row_error
        bound += query_error[:, None] * self._row_norm
        bound += _SLACK
        return approx, bound

    def exact(self, query: FloatArray, rows: IntArray) -> FloatArray:
        """The float32 products of ``query`` with ``rows`` of the matrix."""
        result: FloatArray = (self.matrix[rows] @ query).astype(np.float32)
        return result

    def top(
        self, query: FloatArray, k: int, approx: FloatArray, bound: FloatArray
    ) -> tuple[IntArray, FloatArray]:
        """Every row that can be among the ``k`` largest products, with its float32 product: the
        rows whose upper bound reaches the k-th largest lower bound (k or more rows)."""
        rows: IntArray = np.flatnonzero(may_reach_top(approx, bound, k)).astype(np.int64)
        return rows, self.exact(query, rows)


def may_reach_top(values: FloatArray, radius: FloatArray, k: int) -> npt.NDArray[np.bool_]:
    """Which entries can be among the ``k`` largest when each value may be off by its radius: those
    whose upper end reaches the k-th largest lower end (k or more entries)."""
    n = len(values)
    if k >= n:
        return np.ones(n, dtype=bool)
    lower = values - radius
    cut = np.partition(lower, n - k)[n - k]
    mask: npt.NDArray[np.bool_] = values + radius >= cut
    return mask


def _up(values: npt.NDArray[np.float64]) -> FloatArray:
    """float64 values as float32, never rounded down."""
    out = values.astype(np.float32)
    low = out.astype(np.float64) < values
    out[low] = np.nextafter(out[low], np.float32(np.inf))
    return out
