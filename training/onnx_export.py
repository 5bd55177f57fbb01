"""Write the numpy network (training/nn.py) as an ONNX model, with no ONNX package.

ONNX files are protocol buffers; the few messages a plain convolutional graph needs (ModelProto,
GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto) are encoded here by hand,
field numbers as in onnx/onnx.proto. OpenCV's DNN module reads the result
(tests/training/test_training.py checks that its output equals the numpy forward pass).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.nn import ARCH, Params

OPSET = 11
IR_VERSION = 6
FLOAT = 1  # TensorProto.DataType.FLOAT
ATTR_INT, ATTR_INTS = 2, 7


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _int(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _str(field: int, s: str) -> bytes:
    return _bytes(field, s.encode())


def _attr_int(name: str, value: int) -> bytes:
    return _bytes(5, _str(1, name) + _int(3, value) + _int(20, ATTR_INT))


def _attr_ints(name: str, values: list[int]) -> bytes:
    body = _str(1, name) + b"".join(_int(8, v) for v in values) + _int(20, ATTR_INTS)
    return _bytes(5, body)


def _node(op: str, inputs: list[str], outputs: list[str], name: str, attrs: bytes = b"") -> bytes:
    body = b"".join(_str(1, i) for i in inputs) + b"".join(_str(2, o) for o in outputs)
    return _bytes(1, body + _str(3, name) + _str(4, op) + attrs)


def _tensor(name: str, a: np.ndarray) -> bytes:
    a = np.ascontiguousarray(a, dtype="<f4")
    body = b"".join(_int(1, d) for d in a.shape) + _int(2, FLOAT) + _str(8, name)
    return _bytes(5, body + _bytes(9, a.tobytes()))


def _value_info(field: int, name: str, dims: list[int | str]) -> bytes:
    dim_msgs = b"".join(_bytes(1, _str(2, d) if isinstance(d, str) else _int(1, d)) for d in dims)
    tensor_type = _int(1, FLOAT) + _bytes(2, dim_msgs)
    return _bytes(field, _str(1, name) + _bytes(2, _bytes(1, tensor_type)))


def model_bytes(p: Params, patch: int, doc: str = "") -> bytes:
    nodes, inits = [], []
    x = "patches"
    for i, (w, b, (_, _, k, s)) in enumerate(zip(p.conv_w, p.conv_b, ARCH, strict=True)):
        inits += [_tensor(f"conv{i}.w", w), _tensor(f"conv{i}.b", b)]
        attrs = _attr_ints("kernel_shape", [k, k]) + _attr_ints("strides", [s, s])
        attrs += _attr_ints("pads", [0, 0, 0, 0]) + _attr_ints("dilations", [1, 1])
        attrs += _attr_int("group", 1)
        nodes.append(_node("Conv", [x, f"conv{i}.w", f"conv{i}.b"], [f"c{i}"], f"conv{i}", attrs))
        nodes.append(_node("Relu", [f"c{i}"], [f"r{i}"], f"relu{i}"))
        x = f"r{i}"
    nodes.append(_node("GlobalAveragePool", [x], ["pooled"], "pool"))
    nodes.append(_node("Flatten", ["pooled"], ["flat"], "flatten", _attr_int("axis", 1)))
    inits += [_tensor("dense.w", p.dense_w), _tensor("dense.b", p.dense_b)]
    gemm = _attr_int("transB", 1)
    nodes.append(_node("Gemm", ["flat", "dense.w", "dense.b"], ["logit"], "dense", gemm))
    graph = b"".join(nodes)
    graph += _str(2, "learned_blur") + b"".join(inits)
    graph += _value_info(11, "patches", ["N", 1, patch, patch])
    graph += _value_info(12, "logit", ["N", 1])
    model = _int(1, IR_VERSION) + _str(2, "reviewer-training") + _str(3, "1")
    if doc:
        model += _str(6, doc)
    model += _bytes(7, graph) + _bytes(8, _str(1, "") + _int(2, OPSET))
    return model


def export(p: Params, patch: int, path: Path, doc: str = "") -> None:
    path.write_bytes(model_bytes(p, patch, doc))
