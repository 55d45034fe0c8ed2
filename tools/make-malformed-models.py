#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tests/malformed-models/: small hostile or broken ONNX files, each
with the words its load error must contain (expected.txt). The protobuf wire
format is written by hand so the script needs nothing beyond Python."""

import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "malformed-models")


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vint(field, n):
    return varint(field << 3) + varint(n)


def ld(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(field << 3 | 2) + varint(len(data)) + data


def f32s(values):
    return b"".join(struct.pack("<f", v) for v in values)


# --- messages -------------------------------------------------------------

def tensor(name, dims, data_type=1, raw=None, floats=None, extra=b""):
    m = b"".join(vint(1, d) for d in dims) + vint(2, data_type) + ld(8, name)
    if raw is not None:
        m += ld(9, raw)
    if floats is not None:
        m += ld(4, f32s(floats))
    return m + extra


def tensor_type(elem, dims):
    shape = b"".join(ld(1, vint(1, d) if isinstance(d, int) else ld(2, d)) for d in dims)
    return ld(1, vint(1, elem) + ld(2, shape))


def value_info(name, elem=1, dims=(1, 4), type_bytes=None):
    t = type_bytes if type_bytes is not None else tensor_type(elem, dims)
    return ld(1, name) + ld(2, t)


def node(op, inputs, outputs, name="", attrs=(), domain=None):
    m = b"".join(ld(1, i) for i in inputs) + b"".join(ld(2, o) for o in outputs)
    if name:
        m += ld(3, name)
    m += ld(4, op)
    for a in attrs:
        m += ld(5, a)
    if domain is not None:
        m += ld(7, domain)
    return m


def graph(nodes=(), inits=(), inputs=(), outputs=(), value_infos=()):
    m = b"".join(ld(1, n) for n in nodes) + ld(2, "g")
    m += b"".join(ld(5, t) for t in inits)
    m += b"".join(ld(11, v) for v in inputs)
    m += b"".join(ld(12, v) for v in outputs)
    m += b"".join(ld(13, v) for v in value_infos)
    return m


def model(g, opset=13, metadata=(), with_graph=True):
    m = vint(1, 8) + ld(2, "make-malformed-models")
    if opset is not None:
        m += ld(8, ld(1, "") + vint(2, opset))
    if with_graph:
        m += ld(7, g)
    for k, v in metadata:
        m += ld(14, ld(1, k) + ld(2, v))
    return m


W = tensor("W", [4, 2], raw=f32s([0.5] * 8))
X = value_info("x", 1, (1, 4))
Y = value_info("y", 1, (1, 2))


def matmul_model(w=W, x=X, extra_nodes=(), opset=13, metadata=()):
    g = graph(nodes=[node("MatMul", ["x", "W"], ["y"], "mm")] + list(extra_nodes),
              inits=[w], inputs=[x], outputs=[Y])
    return model(g, opset=opset, metadata=metadata)


def nested_type(depth):
    t = tensor_type(1, (1,))
    for _ in range(depth):
        t = ld(4, ld(1, t))   # TypeProto.sequence_type { elem_type = t }
    return t


def cases():
    valid = matmul_model()
    yield "empty.onnx", b"", "empty"
    yield "not-protobuf.onnx", b"This is a text file, not a model.\n", "not an ONNX"
    yield "truncated.onnx", valid[: len(valid) // 2], "truncated"
    yield "no-graph.onnx", model(b"", with_graph=False), "holds no graph"
    yield "no-opset.onnx", model(graph(outputs=[Y]), opset=None), "opset"
    yield "opset-99.onnx", matmul_model(opset=99), "opset 99"
    yield "cycle.onnx", model(graph(
        nodes=[node("MatMul", ["x", "b"], ["a"], "first"), node("MatMul", ["a", "W"], ["b"], "second")],
        inits=[W], inputs=[X], outputs=[value_info("a")])), "cycle"
    yield "dangling-input.onnx", model(graph(
        nodes=[node("MatMul", ["x", "ghost"], ["y"], "mm")], inputs=[X], outputs=[Y])), "“ghost”"
    yield "unsupported-ops.onnx", model(graph(
        nodes=[node("ScatterND", ["x"], ["t1"]), node("Hardmax", ["t1"], ["t2"]),
               node("NonZero", ["t2"], ["t3"]), node("ScatterND", ["t3"], ["y"])],
        inputs=[X], outputs=[Y])), "operators Hardmax, NonZero, ScatterND,"
    yield "custom-domain.onnx", model(graph(
        nodes=[node("FusedConv", ["x"], ["y"], domain="com.microsoft")], inputs=[X], outputs=[Y])), \
        "com.microsoft.FusedConv"
    yield "raw-data-short.onnx", matmul_model(w=tensor("W", [4, 2], raw=f32s([1, 2, 3]))), "holds 12 bytes"
    yield "float-data-count.onnx", matmul_model(w=tensor("W", [4, 2], floats=[1, 2, 3])), "holds 3 values"
    yield "no-weight-data.onnx", matmul_model(w=tensor("W", [4, 2])), "holds 0 values"
    yield "dims-overflow.onnx", matmul_model(w=tensor("W", [1 << 40, 1 << 40, 1 << 40], raw=b"")), \
        "negative or too large"
    yield "negative-dim.onnx", matmul_model(w=tensor("W", [-4, 2], raw=b"")), "negative or too large"
    yield "rank-9.onnx", matmul_model(w=tensor("W", [1] * 9, raw=f32s([1]))), "at most 8"
    yield "float16-weight.onnx", matmul_model(w=tensor("W", [4, 2], data_type=10, raw=b"\0" * 16)), "float16"
    yield "double-input.onnx", matmul_model(x=value_info("x", 11, (1, 4))), "double"
    yield "string-weight.onnx", matmul_model(w=tensor("W", [1], data_type=8, extra=ld(6, "hi"))), "string"
    yield "bfloat16-weight.onnx", matmul_model(w=tensor("W", [4, 2], data_type=16, raw=b"\0" * 16)), "bfloat16"

    def external(location, length=32):
        extra = ld(13, ld(1, "location") + ld(2, location)) + ld(13, ld(1, "length") + ld(2, str(length)))
        return tensor("W", [4, 2], extra=extra + vint(14, 1))
    yield "external-absolute.onnx", matmul_model(w=external("/etc/passwd")), "outside the model’s folder"
    yield "external-dotdot.onnx", matmul_model(w=external("../../etc/passwd")), "outside the model’s folder"
    yield "external-missing.onnx", matmul_model(w=external("no-such-weights.bin")), "cannot open external data"
    yield "external-wrong-length.onnx", matmul_model(w=external("w.bin", 7)), "holds 7 bytes"
    yield "segment.onnx", matmul_model(w=tensor("W", [4, 2], raw=f32s([0] * 8), extra=ld(3, vint(1, 0) + vint(2, 8)))), \
        "segment"
    yield "deep-nesting.onnx", model(graph(
        nodes=[node("Identity", ["x"], ["y"])], inputs=[value_info("x", type_bytes=nested_type(2000))],
        outputs=[Y])), "nest"
    yield "sequence-input.onnx", model(graph(
        nodes=[node("Identity", ["x"], ["y"])], inputs=[value_info("x", type_bytes=nested_type(1))],
        outputs=[Y])), "sequence"
    yield "written-twice.onnx", matmul_model(extra_nodes=[node("MatMul", ["x", "W"], ["y"], "again")]), \
        "written twice"
    yield "weight-twice.onnx", model(graph(
        nodes=[node("MatMul", ["x", "W"], ["y"])], inits=[W, W], inputs=[X], outputs=[Y])), "defined twice"
    yield "output-not-computed.onnx", model(graph(
        nodes=[node("MatMul", ["x", "W"], ["z"])], inits=[W], inputs=[X], outputs=[Y])), \
        "not computed by any node"
    yield "no-outputs.onnx", model(graph(
        nodes=[node("MatMul", ["x", "W"], ["y"])], inits=[W], inputs=[X])), "no outputs"
    yield "subgraph.onnx", model(graph(
        nodes=[node("If", ["x"], ["y"], "branch", attrs=[ld(1, "then_branch") + vint(20, 5) + ld(6, graph(outputs=[Y]))])],
        inputs=[X], outputs=[Y])), "subgraph"
    yield "bad-labels-metadata.onnx", matmul_model(metadata=[("salient.labels", "benign, malignant")]), \
        "salient.labels"
    yield "bad-task-metadata.onnx", matmul_model(metadata=[("salient.task", "\"segmentation\"")]), \
        "classification, regression"
    yield "bad-utf8-name.onnx", model(graph(
        nodes=[node("MatMul", [b"x\xff\xfe", "W"], ["y"])],
        inits=[W], inputs=[X], outputs=[Y])), "UTF-8"
    yield "input-without-type.onnx", model(graph(
        nodes=[node("MatMul", ["x", "W"], ["y"])], inits=[W], inputs=[ld(1, "x")], outputs=[Y])), \
        "no element type"
    huge = tensor("shape", [2], data_type=7, extra=ld(7, varint(1 << 31) + varint(1 << 20)))
    yield "huge-constant-of-shape.onnx", model(graph(
        nodes=[node("ConstantOfShape", ["shape"], ["y"])], inits=[huge], outputs=[Y])), "the limit is"
    yield "empty-op-type.onnx", model(graph(
        nodes=[node("", ["x"], ["y"])], inputs=[X], outputs=[Y])), "no valid operator type"


def main():
    os.makedirs(OUT, exist_ok=True)
    lines = ["# file<TAB>words its load error must contain (tools/make-malformed-models.py)"]
    for name, data, expect in cases():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        lines.append(f"{name}\t{expect}")
    with open(os.path.join(OUT, "expected.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    # The short external data file "w.bin" that external-wrong-length.onnx names.
    with open(os.path.join(OUT, "w.bin"), "wb") as f:
        f.write(f32s([1.0] * 8))
    # A valid model whose weight lives next to it (tests/onnx-models/).
    valid_dir = os.path.join(OUT, "..", "onnx-models")
    os.makedirs(valid_dir, exist_ok=True)
    extra = ld(13, ld(1, "location") + ld(2, "external-weights.bin")) + \
        ld(13, ld(1, "offset") + ld(2, "16")) + ld(13, ld(1, "length") + ld(2, "32"))
    with open(os.path.join(valid_dir, "external-weights.onnx"), "wb") as f:
        f.write(matmul_model(w=tensor("W", [4, 2], extra=extra + vint(14, 1))))
    with open(os.path.join(valid_dir, "external-weights.bin"), "wb") as f:
        f.write(b"\xff" * 16 + f32s([1, 2, 3, 4, 5, 6, 7, 8]))
    print(f"wrote {len(lines) - 1} models to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
