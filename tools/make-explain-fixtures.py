#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent reference values for Salient's explanation methods (issue 6).

Writes tests/fixtures/explain/CASE/ with model.onnx and ONNX TensorProto
files (.pb) of the inputs and of the attributions computed here in PyTorch,
with the maths written out directly (no Captum, no SHAP):

  small_cnn  the DATA.md small CNN (64x64 grey, softmax output)
  resnet18   resnet18's blocks and strides, widths / 16, 3x64x64, softmax output
      input.pb, gradient.pb, gradient_x_input.pb,
      ig_trapezoid.pb, ig_right.pb   (IG_STEPS steps; baseline in baseline.txt:
                                      blurred, sigma 5, for the small CNN, black
                                      for resnet18)
      occlusion.pb                   (window 8, stride 4, fill 0; Salient's
                                      window origins, last flush with the edge;
                                      mean score drop over covering windows)
      grad_cam.pb, grad_cam_layer.pb (layer = the last Relu output, its name
                                      in layer.txt; bilinear, align_corners=False)
  heart_mlp     13 -> 16 -> 8 -> 2 MLP trained on Statlog heart (standardised)
  heart_linear  13 -> 2 logistic regression on the same data
      x.pb [1, 13], background.pb [32, 13], shapley.pb [1, 13] (brute force:
      all 2^13 coalitions x background rows, interventional, float64);
      heart_linear also linear_closed_form.pb = coef x (x - mean(background)).

Every target is a class's pre-softmax score (the model's Softmax input): class
TARGET for the tabular cases, the one in target.txt for the image cases (the
first whose Grad-CAM map is not all zero).

Statlog heart is GPL-2 (r-cran-ddalpha) and is not copied into the repo: only
the trained weights are committed, and the explained rows and background
rows are seeded draws from a standard normal in the standardised space the
models take. Get the data with
    apt-get download r-cran-ddalpha && dpkg -x r-cran-ddalpha_*.deb /tmp/ddalpha
and pass --heart /tmp/ddalpha/usr/lib/R/site-library/ddalpha/data/heart.txt.gz.

    /usr/bin/python3 tools/make-explain-fixtures.py --heart PATH

Needs PyTorch 1.13, torchvision 0.14, onnx. CI never runs this script.
"""

import argparse
import gzip
import itertools
import math
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, ResNet

IG_STEPS = 32
TARGET = 1  # tabular cases; image cases record theirs in target.txt
OCC_WINDOW, OCC_STRIDE, OCC_FILL = 8, 4, 0.0
N_BACKGROUND = 32
BLUR_SIGMA = 5.0


def save_tensor(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array), name).SerializeToString())


def export(model, x, path):
    torch.onnx.export(model, (x,), path, opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    proto.producer_version = ""
    onnx.save(proto, path)
    return proto


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        self.cam_act = x
        return F.softmax(self.fc(x.mean(dim=(2, 3))), dim=1)


def small_resnet18():
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
    return model


class ResnetSoftmax(nn.Module):
    def __init__(self, gen):
        super().__init__()
        self.net = small_resnet18()
        with torch.no_grad():
            for m in self.net.modules():
                if isinstance(m, nn.BatchNorm2d):
                    n = m.num_features
                    m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                    m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                    m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                    m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)

    def forward(self, x):
        n = self.net
        x = n.maxpool(n.relu(n.bn1(n.conv1(x))))
        x = n.layer4(n.layer3(n.layer2(n.layer1(x))))
        self.cam_act = x
        x = torch.flatten(n.avgpool(x), 1)
        return F.softmax(n.fc(x), dim=1)


def score(model, x):
    """Class TARGET's pre-softmax score: the final Linear's output (the
    exported graph's Softmax input), taken with a forward hook."""
    out = {}

    def hook(_m, _i, o):
        out["logits"] = o

    fc = model.fc if hasattr(model, "fc") and isinstance(model.fc, nn.Linear) else model.net.fc
    h = fc.register_forward_hook(hook)
    model(x)
    h.remove()
    return out["logits"][:, model.target if hasattr(model, "target") else TARGET]


def grads(model, x):
    x = x.clone().requires_grad_(True)
    s = score(model, x)
    (g,) = torch.autograd.grad(s.sum(), x)
    return s.detach(), g


def blur(x, sigma):
    """Salient's blurred baseline: separable Gaussian, radius max(1, ceil(3 sigma)),
    edges clamped, rows first then columns."""
    r = max(1, math.ceil(3 * sigma))
    k = torch.tensor([math.exp(-0.5 * i * i / (sigma * sigma)) for i in range(-r, r + 1)],
                     dtype=torch.float64)
    k /= k.sum()
    xd = x.double()
    h, w = x.shape[2], x.shape[3]
    cols = torch.clamp(torch.arange(w).view(-1, 1) + torch.arange(-r, r + 1).view(1, -1), 0, w - 1)
    tmp = (xd[:, :, :, cols] * k).sum(dim=-1)
    rows = torch.clamp(torch.arange(h).view(-1, 1) + torch.arange(-r, r + 1).view(1, -1), 0, h - 1)
    out = (tmp[:, :, rows, :] * k.view(1, 1, 1, -1, 1)).sum(dim=-2)
    return out.float()


def integrated_gradients(model, x, rule, baseline):
    base = torch.zeros_like(x) if baseline == "black" else blur(x, BLUR_SIGMA)
    first = 0 if rule == "trapezoid" else 1
    alphas = [k / IG_STEPS for k in range(first, IG_STEPS + 1)]
    pts = torch.cat([base + a * (x - base) for a in alphas])
    weights = torch.full((len(alphas),), 1.0 / IG_STEPS, dtype=torch.float64)
    if rule == "trapezoid":
        weights[0] = weights[-1] = 0.5 / IG_STEPS
    _, g = grads(model, pts)
    avg = (g.double() * weights.view(-1, 1, 1, 1)).sum(dim=0, keepdim=True)
    return (avg * (x - base).double()).float()


def origins(size, win):
    out = []
    y = 0
    while True:
        out.append(min(y, size - win))
        if y + win >= size:
            break
        y += OCC_STRIDE
    return out


def occlusion(model, x):
    _, c, h, w = x.shape
    wy, wx = min(OCC_WINDOW, h), min(OCC_WINDOW, w)
    with torch.no_grad():
        s0 = score(model, x).double()
        sums = torch.zeros(h, w, dtype=torch.float64)
        count = torch.zeros(h, w, dtype=torch.float64)
        for y0 in origins(h, wy):
            for x0 in origins(w, wx):
                xo = x.clone()
                xo[:, :, y0:y0 + wy, x0:x0 + wx] = OCC_FILL
                drop = s0 - score(model, xo).double()
                sums[y0:y0 + wy, x0:x0 + wx] += drop[0]
                count[y0:y0 + wy, x0:x0 + wx] += 1
    # Salient spreads a spatial map evenly over the channels
    per_pixel = (sums / count) / c
    return per_pixel.expand(1, c, h, w).float().contiguous()


def grad_cam(model, x):
    x = x.clone().requires_grad_(True)
    s = score(model, x)
    act = model.cam_act
    (g,) = torch.autograd.grad(s.sum(), act)
    alpha = g.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * act).sum(dim=1, keepdim=True)).detach()
    up = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)
    c = x.shape[1]
    return cam[0, 0].contiguous(), (up / c).expand(1, c, *x.shape[2:]).contiguous()


def last_relu_output(proto):
    name = None
    for node in proto.graph.node:
        if node.op_type == "Relu":
            name = node.output[0]
    return name


def image_case(out_dir, name, model, x, baseline):
    case = os.path.join(out_dir, name)
    os.makedirs(case, exist_ok=True)
    model.eval()
    # the first class whose Grad-CAM map is not all zero (after its ReLU)
    for model.target in range(10):
        if grad_cam(model, x)[0].max() > 0:
            break
    proto = export(model, x, os.path.join(case, "model.onnx"))
    layer = last_relu_output(proto)
    save_tensor(x.numpy(), "input", os.path.join(case, "input.pb"))
    s, g = grads(model, x)
    save_tensor(g.numpy(), "gradient", os.path.join(case, "gradient.pb"))
    save_tensor((g * x).numpy(), "gradient_x_input", os.path.join(case, "gradient_x_input.pb"))
    for rule in ("trapezoid", "right"):
        save_tensor(integrated_gradients(model, x, rule, baseline).numpy(), "ig",
                    os.path.join(case, "ig_%s.pb" % rule))
    save_tensor(occlusion(model, x).numpy(), "occlusion", os.path.join(case, "occlusion.pb"))
    cam, up = grad_cam(model, x)
    save_tensor(cam.numpy(), "grad_cam_layer", os.path.join(case, "grad_cam_layer.pb"))
    save_tensor(up.numpy(), "grad_cam", os.path.join(case, "grad_cam.pb"))
    with open(os.path.join(case, "layer.txt"), "w") as f:
        f.write(layer + "\n")
    with open(os.path.join(case, "target.txt"), "w") as f:
        f.write("%d\n" % model.target)
    with open(os.path.join(case, "baseline.txt"), "w") as f:
        f.write(baseline + "\n")
    print("%-12s target %d score %.5f  layer %s" % (name, model.target, float(s[0]), layer))


def read_heart(path):
    with gzip.open(path, "rt") as f:
        lines = [l.split() for l in f if l.strip()]
    rows = np.array([[float(v) for v in l] for l in lines[1:]])
    x, y = rows[:, :13], (rows[:, 13] == 2).astype(np.int64)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    return (x - mean) / sd, y


def train(model, x, y, epochs, seed):
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-3)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
    for _ in range(epochs):
        opt.zero_grad()
        loss = F.cross_entropy(model.logits(xt), yt)
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model.logits(xt).argmax(1) == yt).float().mean().item()
    return acc


class Tabular(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        if hidden:
            self.body = nn.Sequential(nn.Linear(13, hidden[0]), nn.ReLU(),
                                      nn.Linear(hidden[0], hidden[1]), nn.ReLU(),
                                      nn.Linear(hidden[1], 2))
        else:
            self.body = nn.Linear(13, 2)

    def logits(self, x):
        return self.body(x)

    def forward(self, x):
        return F.softmax(self.body(x), dim=1)


def exact_shapley(f, x, bg):
    """phi_i = sum_S |S|! (M-|S|-1)! / M! (v(S u i) - v(S)),
    v(S) = mean_b f(x_S, b_rest), all 2^M coalitions, float64."""
    m = x.shape[1]
    masks = np.array(list(itertools.product([0, 1], repeat=m)), dtype=np.float64)
    v = np.empty(len(masks))
    for k, mask in enumerate(masks):
        rows = bg * (1 - mask) + x * mask
        v[k] = f(rows).mean()
    index = {tuple(int(b) for b in mask): k for k, mask in enumerate(masks)}
    phi = np.zeros(m)
    for k, mask in enumerate(masks):
        s = int(mask.sum())
        for i in range(m):
            if mask[i]:
                continue
            w = math.factorial(s) * math.factorial(m - s - 1) / math.factorial(m)
            with_i = list(int(b) for b in mask)
            with_i[i] = 1
            phi[i] += w * (v[index[tuple(with_i)]] - v[k])
    return phi, v[0], v[-1]


def tabular_case(out_dir, name, model, x, bg):
    case = os.path.join(out_dir, name)
    os.makedirs(case, exist_ok=True)
    model.eval()
    export(model, torch.tensor(x, dtype=torch.float32), os.path.join(case, "model.onnx"))
    dmodel = model.double()

    def f(rows):
        with torch.no_grad():
            return dmodel.logits(torch.tensor(rows))[:, TARGET].numpy()

    phi, ef, fx = exact_shapley(f, x, bg)
    save_tensor(x.astype(np.float32), "x", os.path.join(case, "x.pb"))
    save_tensor(bg.astype(np.float32), "background", os.path.join(case, "background.pb"))
    save_tensor(phi.reshape(1, -1).astype(np.float32), "shapley", os.path.join(case, "shapley.pb"))
    if isinstance(model.body, nn.Linear):
        w = model.body.weight.detach().numpy()[TARGET]
        closed = w * (x[0] - bg.mean(axis=0))
        save_tensor(closed.reshape(1, -1).astype(np.float32), "closed",
                    os.path.join(case, "linear_closed_form.pb"))
        print("%-12s closed form vs brute force: max |diff| %.2e" %
              (name, np.abs(closed - phi).max()))
    print("%-12s f(x) %.5f  E[f] %.5f  sum phi %.5f" % (name, fx, ef, phi.sum()))
    model.float()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heart", required=True, help="ddalpha's heart.txt.gz (Statlog heart)")
    ap.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "explain"))
    args = ap.parse_args()
    torch.set_num_threads(1)

    torch.manual_seed(2024)
    gen = torch.Generator().manual_seed(2025)
    cnn = SmallCnn()
    # blurred baseline: at a black input the small CNN's max-pools see constant
    # planes, exact ties whose gradient depends on float rounding
    image_case(args.out, "small_cnn", cnn, torch.rand(1, 1, 64, 64, generator=gen), "blur")
    torch.manual_seed(2026)
    res = ResnetSoftmax(gen)
    image_case(args.out, "resnet18", res, torch.randn(1, 3, 64, 64, generator=gen), "black")

    hx, hy = read_heart(args.heart)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 13))
    bg = rng.standard_normal((N_BACKGROUND, 13))
    torch.manual_seed(8)
    mlp = Tabular((16, 8))
    print("heart_mlp    training accuracy %.3f" % train(mlp, hx, hy, 300, 8))
    tabular_case(args.out, "heart_mlp", mlp, x, bg)
    torch.manual_seed(9)
    lin = Tabular(None)
    print("heart_linear training accuracy %.3f" % train(lin, hx, hy, 300, 9))
    tabular_case(args.out, "heart_linear", lin, x, bg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
