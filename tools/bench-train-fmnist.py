#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch peer of tests/bench-train-fmnist.c: the Fashion-MNIST CNN of DATA.md,
batch 64, one epoch, SGD with momentum, on the same number of threads.
Usage: /usr/bin/python3 tools/bench-train-fmnist.py [--threads N] [--limit N]
Prints {"engine": "pytorch", "wall_s", "cpu_s", ...}; the ratio to the Salient
figure is the benchmark."""
import argparse, gzip, json, os, time

import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--limit", type=int, default=60000)
ap.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

with gzip.open(os.path.join(a.dir, "train-images-idx3-ubyte.gz")) as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
with gzip.open(os.path.join(a.dir, "train-labels-idx1-ubyte.gz")) as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8)
n = min(a.limit, len(y))
x = torch.from_numpy(x[:n].astype(np.float32) / 255.0)
y = torch.from_numpy(y[:n].astype(np.int64))

model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

t0, c0 = time.perf_counter(), time.process_time()
perm = torch.randperm(n)
total = 0.0
for i in range(0, n, 64):
    idx = perm[i:i + 64]
    opt.zero_grad()
    loss = loss_fn(model(x[idx]), y[idx])
    loss.backward()
    opt.step()
    total += loss.item()
print(json.dumps({"engine": "pytorch", "threads": a.threads, "images": n,
                  "wall_s": round(time.perf_counter() - t0, 3),
                  "cpu_s": round(time.process_time() - c0, 3),
                  "loss": round(total / ((n + 63) // 64), 4)}))
