#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports real architectures to ONNX test cases for Salient's engine.

Each case is a folder in the layout of ONNX's own test data:
    NAME/model.onnx
    NAME/test_data_set_0/input_0.pb
    NAME/test_data_set_0/output_0.pb
with seeded random weights and PyTorch's output as the reference.

    /usr/bin/python3 tools/make-arch-fixtures.py --small   # width-reduced, committed
    /usr/bin/python3 tools/make-arch-fixtures.py --full    # full size, into tests/cache/arch

Needs PyTorch 1.13, torchvision 0.14 and onnx (Debian: python3-torch
python3-torchvision python3-onnx). CI never runs this script.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.densenet import DenseNet
from torchvision.ops.misc import Conv2dNormActivation

OPSETS = (13, 17)


def randomise_norms(model, gen):
    """Gives every BatchNorm non-trivial statistics and affine terms, so the
    exported (possibly folded) normalisation is really exercised."""
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


def resnet18(small):
    if not small:
        return torchvision.models.resnet18(num_classes=1000), (1, 3, 224, 224)
    # resnet18's blocks and strides with every width divided by 16
    model = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)
    w = 4
    model.inplanes = w
    model.conv1 = nn.Conv2d(3, w, kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = nn.BatchNorm2d(w)
    model.layer1 = model._make_layer(BasicBlock, w, 2)
    model.layer2 = model._make_layer(BasicBlock, 2 * w, 2, stride=2)
    model.layer3 = model._make_layer(BasicBlock, 4 * w, 2, stride=2)
    model.layer4 = model._make_layer(BasicBlock, 8 * w, 2, stride=2)
    model.fc = nn.Linear(8 * w, 10)
    return model, (1, 3, 64, 64)


def mobilenet_v2(small):
    if not small:
        return torchvision.models.mobilenet_v2(num_classes=1000), (1, 3, 224, 224)
    model = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.1)
    # the final 1x1 expansion is fixed at 1280 channels: narrow it too
    last_in = model.features[-1][0].in_channels
    model.features[-1] = Conv2dNormActivation(last_in, 48, kernel_size=1,
                                              norm_layer=nn.BatchNorm2d,
                                              activation_layer=nn.ReLU6)
    model.classifier[-1] = nn.Linear(48, 10)
    return model, (1, 3, 64, 64)


def densenet121(small):
    if not small:
        return torchvision.models.densenet121(num_classes=1000), (1, 3, 224, 224)
    # densenet121's 121 layers (blocks 6, 12, 24, 16) with growth 3 instead of 32
    model = DenseNet(growth_rate=3, block_config=(6, 12, 24, 16), num_init_features=6,
                     bn_size=2, num_classes=10)
    return model, (1, 3, 64, 64)


class GruClassifier(nn.Module):
    """Token ids -> embedding -> bidirectional GRU -> last states -> classes."""

    def __init__(self, vocab, dim, hidden, classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.gru = nn.GRU(dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, tokens):
        _, h = self.gru(self.embed(tokens))
        return self.fc(torch.cat([h[0], h[1]], dim=1))


class TransformerClassifier(nn.Module):
    """Token ids -> embedding + learned positions -> TransformerEncoder -> mean -> classes."""

    def __init__(self, vocab, seq, dim, heads, ff, layers, classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(1, seq, dim) * 0.1)
        layer = nn.TransformerEncoderLayer(dim, heads, ff, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.fc = nn.Linear(dim, classes)

    def forward(self, tokens):
        x = self.encoder(self.embed(tokens) + self.pos)
        return self.fc(x.mean(dim=1))


def gru(small):
    if small:
        return GruClassifier(200, 16, 16, 2), (2, 12)
    return GruClassifier(20000, 128, 128, 2), (1, 64)


def transformer(small):
    if small:
        return TransformerClassifier(200, 12, 32, 4, 64, 2, 3), (2, 12)
    return TransformerClassifier(20000, 64, 128, 4, 512, 4, 3), (1, 64)


MODELS = {
    "resnet18": resnet18,
    "mobilenet_v2": mobilenet_v2,
    "densenet121": densenet121,
    "gru_classifier": gru,
    "transformer_classifier": transformer,
}


def save_tensor(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def export(name, small, opset, out_dir, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model, shape = MODELS[name](small)
    with torch.no_grad():
        randomise_norms(model, gen)
    model.eval()
    if name in ("gru_classifier", "transformer_classifier"):
        vocab = model.embed.num_embeddings
        x = torch.randint(0, vocab, shape, generator=gen, dtype=torch.int64)
    else:
        x = torch.randn(shape, generator=gen)
    with torch.no_grad():
        y = model(x)

    case = os.path.join(out_dir, "%s_opset%d" % (name, opset))
    os.makedirs(os.path.join(case, "test_data_set_0"), exist_ok=True)
    path = os.path.join(case, "model.onnx")
    torch.onnx.export(model, (x,), path, opset_version=opset, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    # leave no PyTorch build path or version noise in committed files
    proto.producer_version = ""
    onnx.save(proto, path)
    save_tensor(x.numpy(), "input", os.path.join(case, "test_data_set_0", "input_0.pb"))
    save_tensor(y.numpy().astype(np.float32), "output",
                os.path.join(case, "test_data_set_0", "output_0.pb"))
    ops = sorted({n.op_type for n in proto.graph.node})
    size = os.path.getsize(path)
    print("%-36s %8d bytes  %s" % (os.path.basename(case), size, " ".join(ops)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--small", action="store_true", help="width-reduced, tests/fixtures/arch")
    group.add_argument("--full", action="store_true", help="full size, tests/cache/arch")
    ap.add_argument("--only", help="one model name")
    ap.add_argument("--out", help="output folder (default by size)")
    args = ap.parse_args()

    out = args.out or os.path.join(root, "tests", "fixtures" if args.small else "cache", "arch")
    torch.set_num_threads(1)
    for i, name in enumerate(MODELS):
        if args.only and name != args.only:
            continue
        for opset in OPSETS:
            export(name, args.small, opset, out, seed=1000 + i)
    return 0


if __name__ == "__main__":
    sys.exit(main())
