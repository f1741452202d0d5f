"""Serving-time rewrites of the packaged ONNX graphs: exact where they claim to be."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from jdlens_server.nlp.embedder import DEFAULT_EMBEDDER, _model_file, model_spec
from jdlens_server.nlp.onnx_graph import quantized_model_file, strip_nan_guards, stripped_model_bytes


def _guarded_graph(replacement: float, checked: str) -> onnx.ModelProto:
    """y = Where(IsNaN(<checked>), replacement, softmax(x)); ``checked`` is "p" (the softmax) or "x"."""
    nodes = [
        helper.make_node("Softmax", ["x"], ["p"], axis=-1),
        helper.make_node("IsNaN", [checked], ["nan"]),
        helper.make_node("Where", ["nan", "zero", "p"], ["guarded"]),
        helper.make_node("Identity", ["guarded"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "guard",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [numpy_helper.from_array(np.array(replacement, dtype=np.float32), "zero")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (y,) = session.run(["y"], {"x": x})
    return np.asarray(y)


def test_the_guard_is_removed_and_the_output_is_unchanged() -> None:
    model = _guarded_graph(0.0, "p")
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 5.0]], dtype=np.float32)
    before = _run(model, x)
    assert strip_nan_guards(model) == 1
    assert [n.op_type for n in model.graph.node] == ["Softmax", "Identity"]
    np.testing.assert_array_equal(_run(model, x), before)


@pytest.mark.parametrize(("replacement", "checked"), [(1.0, "p"), (0.0, "x")])
def test_anything_but_the_exact_pattern_is_left_alone(replacement: float, checked: str) -> None:
    model = _guarded_graph(replacement, checked)
    assert strip_nan_guards(model) == 0
    assert [n.op_type for n in model.graph.node] == ["Softmax", "IsNaN", "Where", "Identity"]


def test_the_default_model_loses_its_guards_and_keeps_its_vectors() -> None:
    spec = model_spec(DEFAULT_EMBEDDER)
    source = _model_file(spec)
    stripped = onnx.load_from_string(stripped_model_bytes(source))
    original = onnx.load(str(source))
    count = sum(n.op_type == "Where" for n in original.graph.node)
    assert sum(n.op_type == "Where" for n in stripped.graph.node) < count
    assert not any(n.op_type == "IsNaN" for n in stripped.graph.node)
    ids = np.array([[101, 2951, 3208, 102, 0, 0], [101, 2951, 3208, 2007, 2023, 102]], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": (ids != 0).astype(np.int64), "token_type_ids": ids * 0}
    outputs = []
    for model_bytes in (original.SerializeToString(), stripped.SerializeToString()):
        session = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
        outputs.append(session.run([spec.token_output], feed)[0])
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_the_quantized_build_is_made_once_and_runs_integer_kernels(tmp_path: Path) -> None:
    source = _model_file(model_spec(DEFAULT_EMBEDDER))
    built = quantized_model_file(source, tmp_path)
    assert built.parent == tmp_path and [p.name for p in tmp_path.iterdir()] == [built.name]  # no leftovers
    stamp = built.stat().st_mtime_ns
    assert quantized_model_file(source, tmp_path) == built and built.stat().st_mtime_ns == stamp
    ops = {n.op_type for n in onnx.load(str(built)).graph.node}
    assert "DynamicQuantizeLinear" in ops and "MatMulInteger" in ops
    assert "IsNaN" not in ops
