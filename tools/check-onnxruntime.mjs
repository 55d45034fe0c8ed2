#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Loads every data/models/*.onnx in onnxruntime and compares its outputs with
// `salient-cli infer --json` on a few inputs: for tabular models, rows drawn
// uniformly between each feature's min and max (salient.features), written as CSV.
// Models without salient.features are reported as skipped.
//
// Usage: node tools/check-onnxruntime.mjs BUILD_DIR [ORT_DIR]
// ORT_DIR (default $ORT_DIR or ~/.cache/salient/ort) holds node_modules/onnxruntime-node:
//   mkdir -p ~/.cache/salient/ort && cd ~/.cache/salient/ort &&
//   ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node
// Exit status 0 when every compared output agrees within 1e-4 (relative to max(1, |value|)).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = process.argv[2];
if (!build) {
  console.error('usage: node tools/check-onnxruntime.mjs BUILD_DIR [ORT_DIR]');
  process.exit(2);
}
const ortDir = process.argv[3] || process.env.ORT_DIR || path.join(os.homedir(), '.cache', 'salient', 'ort');
const require = createRequire(path.join(ortDir, 'package.json'));
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error(`onnxruntime-node is not installed in ${ortDir}: ${e.message}`);
  process.exit(77);
}
const cli = path.join(build, 'app', 'salient-cli');
const modelsDir = path.join(root, 'data', 'models');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'salient-ort-'));

// A small deterministic generator (mulberry32) so runs are repeatable.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let failed = 0, compared = 0;
const rows = 5;
for (const name of fs.readdirSync(modelsDir).filter((f) => f.endsWith('.onnx')).sort()) {
  const model = path.join(modelsDir, name);
  const info = JSON.parse(execFileSync(cli, ['info', model, '--json'], { encoding: 'utf8' }));
  const featuresText = info.metadata['salient.features'];
  if (!featuresText) {
    console.log(`${name}: SKIP (not a tabular model; no salient.features)`);
    continue;
  }
  const features = typeof featuresText === 'string' ? JSON.parse(featuresText) : featuresText;
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const rand = rng(1234);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    const values = features.map((f) => f.min + (f.max - f.min) * rand());
    const x = Float32Array.from(values);
    const csv = path.join(tmp, 'row.csv');
    // Write the float32 values exactly so both engines see the same numbers.
    fs.writeFileSync(csv, Array.from(x, (v) => v.toPrecision(9)).join(',') + '\n');
    const ours = JSON.parse(execFileSync(cli, ['infer', model, csv, '--json'], { encoding: 'utf8' }));
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [1, features.length]) };
    const theirs = await session.run(feeds);
    for (const out of ours.outputs) {
      const ref = theirs[out.name];
      if (!ref || ref.data.length !== out.values.length) {
        console.log(`${name}: output ${out.name} missing or of another size in onnxruntime`);
        failed++;
        continue;
      }
      out.values.forEach((v, i) => {
        const d = Math.abs(v - ref.data[i]) / Math.max(1, Math.abs(ref.data[i]));
        worst = Math.max(worst, d);
      });
      compared++;
    }
  }
  const ok = worst <= 1e-4;
  if (!ok) failed++;
  console.log(`${name}: ${ok ? 'OK' : 'MISMATCH'} (${rows} rows, largest relative difference ${worst.toExponential(2)})`);
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${compared} outputs compared, ${failed} failed`);
process.exit(failed ? 1 : 0);
