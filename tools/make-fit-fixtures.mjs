// SPDX-License-Identifier: GPL-3.0-or-later
// Writes FIT activity fixtures with Garmin's own encoder (npm @garmin/fitsdk, used
// only here, to make fixtures). Usage: node make-fit-fixtures.mjs NODE_MODULES OUT_DIR
// The values follow the formulas of tools/make-import-fixtures.py (track 1).
import * as fs from "fs";
import * as path from "path";

const [nodeModules, outDir] = process.argv.slice(2);
const { Encoder, Profile } = await import(path.join(nodeModules, "@garmin/fitsdk/src/index.js"));

const T0 = Date.UTC(2024, 4, 1, 7, 30, 0);
const T1 = Date.UTC(2024, 4, 1, 17, 0, 0);

function track1(i) {
  return {
    t: new Date(T0 + i * 1000),
    lat: 47.3769 + 0.0018 * Math.sin((2 * Math.PI * i) / 120),
    lon: 8.5417 + 0.0027 * Math.cos((2 * Math.PI * i) / 120),
    ele: Math.round((400 + 5 * Math.sin(i / 10)) * 10) / 10,
    hr: 120 + (i % 40),
    cad: 80 + (i % 10),
    power: 200 + ((7 * i) % 50),
    speed: 3.0 + (i % 5) * 0.1,
    dist: 3.2 * i,
  };
}

function track2(j) {
  return {
    t: new Date(T1 + 2 * j * 1000),
    lat: 46.0 + 0.0001 * j, lon: 7.0 - 0.0002 * j, ele: 600 + j,
    hr: 130 + (j % 20), cad: 90, power: 250 + (j % 30), speed: 8.0, dist: 16.0 * j,
  };
}

const semi = (deg) => Math.round((deg * 2 ** 31) / 180);

function writeSession(enc, points, sport, lapSplit) {
  const n = points.length;
  const start = points[0].t, end = points[n - 1].t;
  enc.onMesg(Profile.MesgNum.EVENT, { timestamp: start, event: "timer", eventType: "start" });
  for (const p of points) {
    const rec = {
      timestamp: p.t, positionLat: semi(p.lat), positionLong: semi(p.lon),
      enhancedAltitude: p.ele, heartRate: p.hr, cadence: p.cad, power: p.power,
      enhancedSpeed: p.speed, distance: p.dist,
    };
    if (p.dev !== undefined) rec.developerFields = { 0: p.dev };
    enc.onMesg(Profile.MesgNum.RECORD, rec);
  }
  enc.onMesg(Profile.MesgNum.EVENT, { timestamp: end, event: "timer", eventType: "stopAll" });
  const laps = lapSplit ? [points.slice(0, lapSplit), points.slice(lapSplit)] : [points];
  for (const lap of laps) {
    const hrs = lap.map((p) => p.hr);
    const secs = (lap[lap.length - 1].t - lap[0].t) / 1000;
    enc.onMesg(Profile.MesgNum.LAP, {
      timestamp: lap[lap.length - 1].t, startTime: lap[0].t, totalElapsedTime: secs,
      totalTimerTime: secs, totalDistance: lap[lap.length - 1].dist - lap[0].dist,
      avgHeartRate: Math.round(hrs.reduce((a, b) => a + b, 0) / hrs.length),
      maxHeartRate: Math.max(...hrs), event: "lap", eventType: "stop",
    });
  }
  const hrs = points.map((p) => p.hr);
  const secs = (end - start) / 1000;
  enc.onMesg(Profile.MesgNum.SESSION, {
    timestamp: end, startTime: start, totalElapsedTime: secs, totalTimerTime: secs,
    totalDistance: points[n - 1].dist, sport, subSport: "generic",
    avgHeartRate: Math.round(hrs.reduce((a, b) => a + b, 0) / n), maxHeartRate: Math.max(...hrs),
    firstLapIndex: 0, numLaps: laps.length, event: "session", eventType: "stop",
  });
}

function fileId(enc, t) {
  enc.onMesg(Profile.MesgNum.FILE_ID, {
    type: "activity", manufacturer: "development", product: 1, serialNumber: 1234, timeCreated: t,
  });
}

function activity(enc, t, sessions, secs) {
  enc.onMesg(Profile.MesgNum.ACTIVITY, {
    timestamp: t, numSessions: sessions, type: "manual", event: "activity", eventType: "stop",
    totalTimerTime: secs,
  });
}

// 1. A run: 120 records, 2 laps, 1 session.
{
  const enc = new Encoder();
  const pts = [...Array(120).keys()].map(track1);
  fileId(enc, pts[0].t);
  writeSession(enc, pts, "running", 60);
  activity(enc, pts[119].t, 1, 119);
  fs.writeFileSync(path.join(outDir, "fitsdk-run.fit"), enc.close());
}

// 2. The same with a developer field on every record (must be skipped).
{
  const developerDataIdMesg = {
    mesgNum: Profile.MesgNum.DEVELOPER_DATA_ID, developerDataIndex: 0, applicationVersion: 1,
    applicationId: Array(16).fill(7),
  };
  const fieldDescriptionMesg = {
    mesgNum: Profile.MesgNum.FIELD_DESCRIPTION, developerDataIndex: 0, fieldDefinitionNumber: 0,
    fitBaseTypeId: 136 /* float32 */, fieldName: "Doughnuts Earned", units: "doughnuts",
    nativeMesgNum: Profile.MesgNum.RECORD,
  };
  const enc = new Encoder({ fieldDescriptions: { 0: { developerDataIdMesg, fieldDescriptionMesg } } });
  const pts = [...Array(120).keys()].map((i) => ({ ...track1(i), dev: i * 0.25 }));
  fileId(enc, pts[0].t);
  enc.writeMesg(developerDataIdMesg);
  enc.writeMesg(fieldDescriptionMesg);
  writeSession(enc, pts, "running", 60);
  activity(enc, pts[119].t, 1, 119);
  fs.writeFileSync(path.join(outDir, "fitsdk-devfields.fit"), enc.close());
}

// 3. Two sessions in one file: the run, then the ride.
{
  const enc = new Encoder();
  const run = [...Array(120).keys()].map(track1);
  const ride = [...Array(60).keys()].map(track2);
  fileId(enc, run[0].t);
  writeSession(enc, run, "running", 0);
  writeSession(enc, ride, "cycling", 0);
  activity(enc, ride[59].t, 2, 119 + 118);
  fs.writeFileSync(path.join(outDir, "fitsdk-multisport.fit"), enc.close());
}
console.log("wrote fitsdk-run.fit, fitsdk-devfields.fit, fitsdk-multisport.fit");
