// SPDX-License-Identifier: GPL-3.0-or-later
// Compares Salient's FIT decoder (tests/import-dump, JSON) with the independent
// npm fit-file-parser, record by record, and prints the agreement.
// Usage: node fit-crosscheck.mjs NODE_MODULES IMPORT_DUMP FILE.fit...
import { createRequire } from "module";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const [nodeModules, dump, ...files] = process.argv.slice(2);
const require = createRequire(path.join(nodeModules, "x.js"));
const FitParser = require("fit-file-parser").default;

const close = (a, b, tol) =>
  (a === null || a === undefined) ? (b === null || b === undefined) : (b !== null && b !== undefined && Math.abs(a - b) <= tol);

let allOk = true;
for (const file of files) {
  // fit-file-parser reads one FIT file: split a chain and join the results.
  const buf = fs.readFileSync(file);
  const theirs = { records: [], sessions: [], file_ids: [] };
  for (let pos = 0; pos + 12 <= buf.length;) {
    const end = pos + buf[pos] + buf.readUInt32LE(pos + 4) + 2;
    const part = await new Promise((resolve, reject) => {
      new FitParser({ force: false, speedUnit: "m/s", lengthUnit: "m", mode: "list" })
        .parse(buf.subarray(pos, end), (err, data) => (err ? reject(err) : resolve(data)));
    });
    theirs.records.push(...(part.records ?? []));
    theirs.sessions.push(...(part.sessions ?? []));
    if (part.file_id) theirs.file_ids.push(part.file_id);
    if (part.file_ids) theirs.file_ids.push(...part.file_ids);
    pos = end;
  }
  let ours;
  try {
    ours = JSON.parse(execFileSync(dump, [file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (e) {
    // Salient refuses files that are not activities; agree if fit-file-parser sees the same type.
    const type = theirs.file_ids?.[0]?.type ?? theirs.file_id?.type;
    const ok = type !== undefined && type !== "activity";
    allOk &&= ok;
    console.log(`${path.basename(file)}: refused by Salient (${String(e.stderr).trim()}); ` +
                `fit-file-parser says file type "${type}" ${ok ? "(agree: not an activity)" : "(DISAGREE)"}`);
    continue;
  }
  const samples = ours.workouts.flatMap((w) => w.samples);
  const recs = theirs.records;
  let agree = 0;
  const mismatches = [];
  for (let i = 0; i < Math.max(recs.length, samples.length); i++) {
    const r = recs[i], s = samples[i];
    if (!r || !s) { mismatches.push(`record ${i} missing on one side`); continue; }
    const checks = [
      ["time", new Date(r.timestamp).getTime(), s.time_ms, 0],
      ["lat", r.position_lat, s.lat, 1e-6],
      ["lon", r.position_long, s.lon, 1e-6],
      ["elevation", r.enhanced_altitude ?? r.altitude, s.elevation_m, 0.05],
      ["distance", r.distance, s.distance_m, 0.01],
      ["speed", r.enhanced_speed ?? r.speed, s.speed_mps, 0.001],
      ["heart_rate", r.heart_rate, s.heart_rate, 0],
      ["cadence", r.cadence, s.cadence, 0],
      ["power", r.power, s.power, 0],
    ];
    const bad = checks.filter(([, a, b, tol]) => !close(a, b, tol));
    if (bad.length === 0) agree++;
    else if (mismatches.length < 3) mismatches.push(`record ${i}: ` + bad.map(([n, a, b]) => `${n} ${a} vs ${b}`).join(", "));
  }
  const sessOk = (theirs.sessions ?? []).length === 0 ||
    theirs.sessions.every((s, k) => ours.workouts[k] &&
      close(s.total_elapsed_time, ours.workouts[k].duration_s, 0.01) &&
      close(s.total_distance, ours.workouts[k].distance_m, 0.01) &&
      close(s.avg_heart_rate, ours.workouts[k].avg_hr, 0) &&
      close(s.max_heart_rate, ours.workouts[k].max_hr, 0));
  const n = Math.max(recs.length, samples.length);
  const ok = agree === n && sessOk;
  allOk &&= ok;
  console.log(`${path.basename(file)}: ${agree}/${n} records agree, sessions ${sessOk ? "agree" : "DIFFER"}` +
              (mismatches.length ? "\n  " + mismatches.join("\n  ") : ""));
}
console.log(allOk ? "FIT cross-check: Salient and fit-file-parser agree on every file"
                  : "FIT cross-check: DISAGREEMENT (see above)");
process.exit(allOk ? 0 : 1);
