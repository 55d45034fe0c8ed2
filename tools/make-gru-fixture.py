#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports small PyTorch nn.GRU models to ONNX in the ONNX test-case layout.

PyTorch exports GRU with linear_before_reset = 1, which no ONNX node test
covers. Each case folder gets model.onnx, test_data_set_0/input_N.pb and
output_N.pb (the PyTorch results), and for the gradient check grad_seed.pb
(dL/d output 0) and grad_input_N.pb (PyTorch's dL/d input N).

Run with /usr/bin/python3 (PyTorch 1.13, onnx, numpy):
    tools/make-gru-fixture.py tests/fixtures/gru
CI does not need this script: its output is committed (a few kB).
"""

import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch


class GruNet(torch.nn.Module):
    def __init__(self, n_in, hidden, bidirectional, batch_first):
        super().__init__()
        self.gru = torch.nn.GRU(n_in, hidden, batch_first=batch_first,
                                bidirectional=bidirectional)

    def forward(self, x, h0):
        y, h_n = self.gru(x, h0)
        return y, h_n


def save(path, array):
    tensor = onnx.numpy_helper.from_array(np.ascontiguousarray(array))
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def make_case(out_dir, name, opset, n_in, hidden, seq, batch, bidirectional, batch_first):
    torch.manual_seed(1234)
    net = GruNet(n_in, hidden, bidirectional, batch_first).eval()
    dirs = 2 if bidirectional else 1
    x = torch.randn(batch, seq, n_in) if batch_first else torch.randn(seq, batch, n_in)
    h0 = torch.randn(dirs, batch, hidden)
    case = os.path.join(out_dir, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    torch.onnx.export(net, (x, h0), os.path.join(case, "model.onnx"), opset_version=opset,
                      input_names=["x", "h0"], output_names=["y", "h_n"])
    model = onnx.load(os.path.join(case, "model.onnx"))
    assert any(n.op_type == "GRU" for n in model.graph.node), "no GRU node exported"
    for n in model.graph.node:
        if n.op_type == "GRU":
            lbr = [a.i for a in n.attribute if a.name == "linear_before_reset"]
            assert lbr == [1], "expected linear_before_reset = 1"

    xg = x.clone().requires_grad_(True)
    hg = h0.clone().requires_grad_(True)
    y, h_n = net(xg, hg)
    seed = torch.randn(y.shape)
    (y * seed).sum().backward()

    save(os.path.join(data, "input_0.pb"), x.numpy())
    save(os.path.join(data, "input_1.pb"), h0.numpy())
    save(os.path.join(data, "output_0.pb"), y.detach().numpy())
    save(os.path.join(data, "output_1.pb"), h_n.detach().numpy())
    save(os.path.join(data, "grad_seed.pb"), seed.numpy())
    save(os.path.join(data, "grad_input_0.pb"), xg.grad.numpy())
    save(os.path.join(data, "grad_input_1.pb"), hg.grad.numpy())
    print(f"{case}: opset {opset}, Y {tuple(y.shape)}")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/gru"
    make_case(out_dir, "bidirectional-opset13", 13, n_in=5, hidden=4, seq=6, batch=3,
              bidirectional=True, batch_first=False)
    make_case(out_dir, "batch-first-opset17", 17, n_in=3, hidden=5, seq=4, batch=2,
              bidirectional=False, batch_first=True)


if __name__ == "__main__":
    main()
