#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch's gradients for the real architectures of tests/fixtures/arch.

For each width-reduced case NAME_opset13 made by tools/make-arch-fixtures.py,
the same model is rebuilt from the same seed (its output is checked against
the committed output_0.pb), a fixed loss L = sum(r * output) with a seeded
random r is differentiated, and these are written to tests/fixtures/grad/NAME/:

    seed.pb         r = dL/d(output), named "output"
    grad_N.pb       a gradient, the TensorProto named after the ONNX value:
                    the graph input (images) or the embedding's output (token
                    models), the first convolution's weight and bias as
                    exported (batch normalisation folded into it), and a few
                    weights found unchanged (or transposed) among the ONNX
                    initializers, e.g. the final linear layer.

tests/test-grad-arch.c runs Salient's backward pass on the committed
model.onnx and input and compares (rtol 1e-3).

    /usr/bin/python3 tools/make-grad-fixtures.py

Needs PyTorch 1.13, torchvision 0.14 and onnx (Debian: python3-torch
python3-torchvision python3-onnx). CI never runs this script.
"""

import importlib.util
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

spec = importlib.util.spec_from_file_location("arch", os.path.join(HERE, "make-arch-fixtures.py"))
arch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(arch)

OPSET = 13
MAX_MATCHED = 4   # weights found among the initializers, besides the first layer


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def save(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32),
                                        name).SerializeToString())


def rebuild(name, seed):
    """The model exactly as make-arch-fixtures.py exported it (same seeds)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model, shape = arch.MODELS[name](True)
    with torch.no_grad():
        arch.randomise_norms(model, gen)
    model.eval()
    # in-place activations would overwrite the values whose gradients are kept
    for m in model.modules():
        if hasattr(m, "inplace"):
            m.inplace = False
    return model


def first_conv_and_norm(model):
    """The first Conv2d and the BatchNorm2d right after it (folded at export)."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        return None, None
    conv = convs[0]
    mods = list(model.modules())
    i = mods.index(conv)
    norm = None
    for m in mods[i + 1:]:
        if isinstance(m, nn.BatchNorm2d):
            norm = m
            break
        if isinstance(m, nn.Conv2d):
            break
    return conv, norm


def keep(captured, key, value):
    value.retain_grad()
    captured[key] = value


def main():
    src = os.path.join(ROOT, "tests", "fixtures", "arch")
    out_root = os.path.join(ROOT, "tests", "fixtures", "grad")
    torch.set_num_threads(1)
    for i, name in enumerate(arch.MODELS):
        case = os.path.join(src, "%s_opset%d" % (name, OPSET))
        proto = onnx.load(os.path.join(case, "model.onnx"))
        inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
        x_np = load_pb(os.path.join(case, "test_data_set_0", "input_0.pb"))
        y_want = load_pb(os.path.join(case, "test_data_set_0", "output_0.pb"))
        model = rebuild(name, 1000 + i)
        tokens = x_np.dtype == np.int64

        captured = {}
        x = torch.from_numpy(x_np)
        if tokens:
            embed = model.embed
            embed.register_forward_hook(lambda m, a, o: keep(captured, "embed", o))
        else:
            x.requires_grad_(True)
        conv, norm = (None, None) if tokens else first_conv_and_norm(model)
        if conv is not None:
            target = norm if norm is not None else conv
            target.register_forward_hook(lambda m, a, o: keep(captured, "first", o))

        y = model(x)
        err = np.max(np.abs(y.detach().numpy() - y_want))
        assert err < 1e-4 * max(1.0, np.max(np.abs(y_want))), (name, err)
        gen = torch.Generator().manual_seed(77 + i)
        r = torch.randn(y.shape, generator=gen)
        (y * r).sum().backward()

        out = os.path.join(out_root, name)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))
        save(r.numpy(), "output", os.path.join(out, "seed.pb"))
        grads = []

        if tokens:
            gather = [n for n in proto.graph.node if n.op_type == "Gather" and n.input[1] == "input"]
            assert len(gather) == 1, name
            grads.append((gather[0].output[0], captured["embed"].grad.numpy()))
        else:
            grads.append(("input", x.grad.numpy()))
            node = [n for n in proto.graph.node if n.op_type == "Conv" and n.input[0] == "input"][0]
            w_folded = inits[node.input[1]]
            g = captured["first"].grad
            dw = torch.nn.grad.conv2d_weight(x.detach(), w_folded.shape, g, stride=conv.stride,
                                             padding=conv.padding, dilation=conv.dilation,
                                             groups=conv.groups)
            grads.append((node.input[1], dw.numpy()))
            if len(node.input) > 2:
                grads.append((node.input[2], g.sum(dim=(0, 2, 3)).numpy()))

        # weights exported unchanged (or transposed), last layers first; only
        # unambiguous ones (cloned layers start with equal values)
        def same(iv, pv):
            if iv.shape == pv.shape and np.array_equal(iv, pv):
                return 1
            if pv.ndim == 2 and iv.shape == pv.T.shape and np.array_equal(iv, pv.T):
                return 2
            return 0

        params = [(n, p) for n, p in model.named_parameters()]
        used = {g[0] for g in grads}
        matched = 0
        for pname, p in reversed(params):
            pv = p.detach().numpy()
            if matched >= MAX_MATCHED or p.grad is None or pv.size < 2 or np.std(pv) == 0:
                continue
            hits = [(iname, same(iv, pv)) for iname, iv in inits.items()
                    if iv.dtype == np.float32 and same(iv, pv)]
            twins = [q for _, q in params if q is not p and q.shape == p.shape
                     and np.array_equal(q.detach().numpy(), pv)]
            if len(hits) != 1 or twins or hits[0][0] in used:
                continue
            iname, how = hits[0]
            grads.append((iname, p.grad.numpy() if how == 1 else p.grad.numpy().T))
            used.add(iname)
            matched += 1

        for k, (vname, g) in enumerate(grads):
            save(g, vname, os.path.join(out, "grad_%d.pb" % k))
        print("%-24s %s" % (name, ", ".join("%s %s" % (v, "x".join(map(str, g.shape)))
                                             for v, g in grads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
