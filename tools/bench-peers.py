#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Latency of Salient against onnxruntime and PyTorch on the same ONNX files.

    /usr/bin/python3 tools/bench-peers.py [--build build] [--rounds 3] [--chunk 10]

Models (generated into tests/cache/bench with seeded random weights):
  small_cnn  the small CNN of DATA.md (64x64 grey, 3 conv + pools, dense 64->2)
  resnet18   torchvision 0.14, 224x224
Each configuration (model, batch, threads) runs the three engines in turn,
`--rounds` times, `--chunk` timed runs each after a warm-up, so every figure
is the median of rounds x chunk interleaved runs. Prints a Markdown table with
the ratios, then Salient's per-layer convolution rate against sgemm.

onnxruntime comes from npm (onnxruntime-node, installed with
ONNXRUNTIME_NODE_INSTALL=skip into tests/cache/ort); PyTorch from
python3-torch. A peer that is missing is reported as such, not guessed.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(ROOT, "tests", "cache", "bench")
ORT_DIR = os.path.join(ROOT, "tests", "cache", "ort")

CONFIGS = [
    ("small_cnn", 1), ("small_cnn", 64),
    ("resnet18", 1), ("resnet18", 8),
]

ORT_SCRIPT = r"""
const ort = require(process.argv[2]);
const [model, shapeJson, threads, runs] = process.argv.slice(3);
const dims = JSON.parse(shapeJson);
(async () => {
  const sess = await ort.InferenceSession.create(model, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; data[i] = s / 1073741824 - 1; }
  const feeds = {}; feeds[sess.inputNames[0]] = new ort.Tensor('float32', data, dims);
  let warm = 0, t = 0;
  while (warm < 3 || t < 0.2e9) { const a = process.hrtime.bigint(); await sess.run(feeds); t += Number(process.hrtime.bigint() - a); warm++; }
  const times = [], cpu = [];
  for (let r = 0; r < Number(runs); r++) {
    const c = process.cpuUsage(); const a = process.hrtime.bigint(); await sess.run(feeds);
    times.push(Number(process.hrtime.bigint() - a) / 1e6);
    const d = process.cpuUsage(c); cpu.push((d.user + d.system) / 1e3);
  }
  console.log(JSON.stringify({wall: times, cpu: cpu}));
})().catch(e => { console.error(String(e)); process.exit(1); });
"""


def have_torch():
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def build_models():
    """Exports the two models with a dynamic batch; returns {name: torch module}."""
    import torch
    import torch.nn as nn
    import torchvision

    torch.manual_seed(7)
    small = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 2))
    resnet = torchvision.models.resnet18(num_classes=1000)
    models = {"small_cnn": (small, (1, 64, 64)), "resnet18": (resnet, (3, 224, 224))}
    os.makedirs(CACHE, exist_ok=True)
    for name, (m, shape) in models.items():
        m.eval()
        path = os.path.join(CACHE, name + ".onnx")
        if not os.path.exists(path):
            x = torch.randn((1,) + shape)
            torch.onnx.export(m, (x,), path, opset_version=13, input_names=["input"],
                              output_names=["output"], dynamic_axes={"input": {0: "batch"},
                                                                     "output": {0: "batch"}})
    return models


def run_salient(cli, model, batch, threads, runs, profile=False):
    cmd = [cli, "bench", model, "--batch", str(batch), "--threads", str(threads),
           "--runs", str(runs), "--json"]
    if profile:
        cmd.append("--profile")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def run_ort(model, shape, threads, runs):
    node_modules = os.path.join(ORT_DIR, "node_modules", "onnxruntime-node")
    script = os.path.join(CACHE, "ort-bench.js")
    with open(script, "w") as f:
        f.write(ORT_SCRIPT)
    out = subprocess.run(["node", script, node_modules, model, json.dumps(shape), str(threads),
                          str(runs)], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    return r["wall"], r["cpu"]


def run_torch(module, shape, threads, runs):
    import time
    import torch
    torch.set_num_threads(threads)
    x = torch.randn(shape)
    with torch.inference_mode():
        warm, spent = 0, 0.0
        while warm < 3 or spent < 0.2:
            t0 = time.perf_counter()
            module(x)
            spent += time.perf_counter() - t0
            warm += 1
        times, cpu = [], []
        for _ in range(runs):
            c0 = time.process_time()
            t0 = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
    return times, cpu


def fmt(ms):
    if ms is None:
        return "–"
    return "%.3f ms" % ms if ms < 10 else "%.1f ms" % ms


def ratio(a, b):
    return "%.2f×" % (a / b) if a and b else "–"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", help="model name")
    args = ap.parse_args()

    cli = os.path.join(args.build, "app", "salient-cli")
    if not os.path.exists(cli):
        sys.exit("no %s: build Salient first" % cli)
    if not have_torch():
        sys.exit("PyTorch is needed to export the benchmark models "
                 "(apt-get install python3-torch python3-torchvision python3-onnx)")
    modules = build_models()
    ort_ok = os.path.isdir(os.path.join(ORT_DIR, "node_modules", "onnxruntime-node")) \
        and shutil.which("node") is not None
    if not ort_ok:
        print("onnxruntime: not installed (mkdir -p %s && cd %s && "
              "ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node)" % (ORT_DIR, ORT_DIR),
              file=sys.stderr)

    threads_list = [int(t) for t in args.threads.split(",")]
    rows = []
    for name, batch in CONFIGS:
        if args.only and name != args.only:
            continue
        module, shape = modules[name]
        model = os.path.join(CACHE, name + ".onnx")
        full_shape = [batch] + list(shape)
        for threads in threads_list:
            times = {"salient": [], "ort": [], "torch": []}
            cpu = {"salient": [], "ort": [], "torch": []}
            for _ in range(args.rounds):
                s = run_salient(cli, model, batch, threads, args.chunk)
                times["salient"] += s["times_ms"]
                cpu["salient"] += s["cpu_times_ms"]
                if ort_ok:
                    w, c = run_ort(model, full_shape, threads, args.chunk)
                    times["ort"] += w
                    cpu["ort"] += c
                w, c = run_torch(module, full_shape, threads, args.chunk)
                times["torch"] += w
                cpu["torch"] += c
            med = {k: statistics.median(v) if v else None for k, v in times.items()}
            cmed = {k: statistics.median(v) if v else None for k, v in cpu.items()}
            rows.append((name, batch, threads, med, cmed))
            print("%s batch %d, %d thread(s): Salient %s (CPU %s), onnxruntime %s (CPU %s), "
                  "PyTorch %s (CPU %s)"
                  % (name, batch, threads, fmt(med["salient"]), fmt(cmed["salient"]),
                     fmt(med["ort"]), fmt(cmed["ort"]), fmt(med["torch"]), fmt(cmed["torch"])),
                  file=sys.stderr, flush=True)

    n = args.rounds * args.chunk
    print("\nWall-clock latency:\n")
    print("| model | batch | threads | Salient | onnxruntime | PyTorch | Salient / ORT "
          "| Salient / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, batch, threads, med, cmed in rows:
        print("| %s | %d | %d | %s | %s | %s | %s | %s |"
              % (name, batch, threads, fmt(med["salient"]), fmt(med["ort"]), fmt(med["torch"]),
                 ratio(med["salient"], med["ort"]), ratio(med["salient"], med["torch"])))
    print("\nCPU time per run (process CPU time; equals latency on an idle core, and is not"
          " inflated by other processes holding the cores):\n")
    print("| model | batch | threads | Salient | onnxruntime | PyTorch | Salient / ORT "
          "| Salient / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, batch, threads, med, cmed in rows:
        print("| %s | %d | %d | %s | %s | %s | %s | %s |"
              % (name, batch, threads, fmt(cmed["salient"]), fmt(cmed["ort"]),
                 fmt(cmed["torch"]), ratio(cmed["salient"], cmed["ort"]),
                 ratio(cmed["salient"], cmed["torch"])))
    print("\nMedians of %d interleaved runs per engine (%d rounds of %d); "
          "OPENBLAS_CORETYPE=%s." % (n, args.rounds, args.chunk,
                                     os.environ.get("OPENBLAS_CORETYPE", "(unset)")))

    print("\nLoad average at the end: %s (2 cores)." % " ".join(
        "%.1f" % x for x in os.getloadavg()))
    print("\n| model | batch | conv + dense time | conv + dense GFLOP/s | OpenBLAS sgemm GFLOP/s "
          "| Salient GEMM kernel GFLOP/s |")
    print("|---|---|---|---|---|---|")
    for name, batch in CONFIGS:
        if args.only and name != args.only:
            continue
        p = run_salient(cli, os.path.join(CACHE, name + ".onnx"), batch, 1, 5, profile=True)
        print("| %s | %d | %.2f of %.2f ms | %.1f | %.1f | %.1f (%s) |"
              % (name, batch, p["linear_ms"], p["steps_ms"], p["linear_gflops_per_s"],
                 p["sgemm_gflops_per_s"], p.get("gemm_kernel_gflops_per_s", 0),
                 p.get("gemm_kernel", "?")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
