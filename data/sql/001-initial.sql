-- SPDX-License-Identifier: GPL-3.0-or-later
-- Salient's first schema. Times are UTC milliseconds since the Unix epoch; missing
-- numbers are NULL. Rows with pending_delete_ms set are hidden, waiting for the purge.

CREATE TABLE cases (
  id                INTEGER PRIMARY KEY,
  pseudonym         TEXT NOT NULL UNIQUE CHECK (length(pseudonym) > 0),
  title             TEXT NOT NULL DEFAULT '',
  demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  created_ms        INTEGER NOT NULL,
  updated_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);

CREATE TABLE images (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  source            TEXT,
  width             INTEGER NOT NULL CHECK (width > 0),
  height            INTEGER NOT NULL CHECK (height > 0),
  channels          INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 4),
  bit_depth         INTEGER NOT NULL CHECK (bit_depth IN (1, 2, 4, 8, 16)),
  pixels            BLOB NOT NULL CHECK (length (pixels) = width * height * channels * 2),
  created_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);
CREATE INDEX images_case ON images (case_id);

CREATE TABLE notes (
  id                INTEGER PRIMARY KEY,
  case_id           INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  title             TEXT NOT NULL DEFAULT '',
  body              TEXT NOT NULL DEFAULT '',
  created_ms        INTEGER NOT NULL,
  updated_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);
CREATE INDEX notes_case ON notes (case_id);

CREATE TABLE measurements (
  case_id           INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  name              TEXT NOT NULL CHECK (length(name) > 0),
  value             REAL,
  unit              TEXT,
  PRIMARY KEY (case_id, name)
) WITHOUT ROWID;

CREATE TABLE athlete (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  name              TEXT,
  birth_year        INTEGER,
  sex               TEXT,
  weight_kg         REAL CHECK (weight_kg IS NULL OR weight_kg > 0),
  height_cm         REAL CHECK (height_cm IS NULL OR height_cm > 0),
  resting_hr_bpm    REAL,
  max_hr_bpm        REAL,
  threshold_hr_bpm  REAL,
  ftp_w             REAL,
  demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  updated_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);

CREATE TABLE hr_zones (
  zone              INTEGER PRIMARY KEY CHECK (zone BETWEEN 1 AND 10),
  low_bpm           REAL NOT NULL,
  high_bpm          REAL NOT NULL,
  CHECK (low_bpm < high_bpm)
);

CREATE TABLE workouts (
  id                INTEGER PRIMARY KEY,
  sport             TEXT NOT NULL,
  title             TEXT,
  start_ms          INTEGER NOT NULL,
  duration_s        REAL NOT NULL CHECK (duration_s >= 0),
  distance_m        REAL CHECK (distance_m IS NULL OR distance_m >= 0),
  avg_hr_bpm        REAL,
  max_hr_bpm        REAL,
  rpe               REAL CHECK (rpe IS NULL OR rpe BETWEEN 0 AND 10),
  notes             TEXT,
  source            TEXT,
  fingerprint       TEXT NOT NULL,
  demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  created_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);
CREATE INDEX workouts_sport_start ON workouts (sport, start_ms);
CREATE INDEX workouts_start ON workouts (start_ms);

CREATE TABLE workout_samples (
  workout_id        INTEGER NOT NULL REFERENCES workouts (id) ON DELETE CASCADE,
  seq               INTEGER NOT NULL,
  time_ms           INTEGER NOT NULL,
  lat_deg           REAL CHECK (lat_deg IS NULL OR lat_deg BETWEEN -90 AND 90),
  lon_deg           REAL CHECK (lon_deg IS NULL OR lon_deg BETWEEN -180 AND 180),
  elevation_m       REAL,
  distance_m        REAL,
  speed_mps         REAL,
  heart_rate_bpm    REAL,
  cadence_rpm       REAL,
  power_w           REAL,
  PRIMARY KEY (workout_id, seq)
) WITHOUT ROWID;

CREATE TABLE workout_laps (
  workout_id        INTEGER NOT NULL REFERENCES workouts (id) ON DELETE CASCADE,
  seq               INTEGER NOT NULL,
  start_ms          INTEGER NOT NULL,
  duration_s        REAL,
  distance_m        REAL,
  avg_hr_bpm        REAL,
  max_hr_bpm        REAL,
  PRIMARY KEY (workout_id, seq)
) WITHOUT ROWID;

CREATE TABLE wellness (
  day               TEXT PRIMARY KEY
                    CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  sleep_h           REAL CHECK (sleep_h IS NULL OR sleep_h BETWEEN 0 AND 24),
  resting_hr_bpm    REAL,
  hrv_ms            REAL,
  weight_kg         REAL,
  fatigue           REAL CHECK (fatigue IS NULL OR fatigue BETWEEN 1 AND 5),
  soreness          REAL CHECK (soreness IS NULL OR soreness BETWEEN 1 AND 5),
  stress            REAL CHECK (stress IS NULL OR stress BETWEEN 1 AND 5),
  mood              REAL CHECK (mood IS NULL OR mood BETWEEN 1 AND 5),
  notes             TEXT,
  demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  pending_delete_ms INTEGER
);

CREATE TABLE performance_tests (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL,
  time_ms           INTEGER NOT NULL,
  value             REAL NOT NULL,
  unit              TEXT,
  notes             TEXT,
  demo              INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
  pending_delete_ms INTEGER
);
CREATE INDEX performance_tests_kind ON performance_tests (kind, time_ms);

CREATE TABLE models (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  path              TEXT NOT NULL,
  sha256            TEXT NOT NULL CHECK (length(sha256) = 64),
  shipped           INTEGER NOT NULL DEFAULT 0 CHECK (shipped IN (0, 1)),
  metadata_json     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (metadata_json)),
  created_ms        INTEGER NOT NULL
);
CREATE INDEX models_sha256 ON models (sha256);

CREATE TABLE jobs (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL,
  params_json       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (params_json)),
  state             TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled',
                                     'interrupted')),
  priority          INTEGER NOT NULL DEFAULT 0,
  progress          REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  error             TEXT,
  result_json       TEXT CHECK (result_json IS NULL OR json_valid (result_json)),
  created_ms        INTEGER NOT NULL,
  started_ms        INTEGER,
  finished_ms       INTEGER
);
CREATE INDEX jobs_state ON jobs (state, priority DESC, id);

CREATE TABLE explanations (
  id                INTEGER PRIMARY KEY,
  job_id            INTEGER REFERENCES jobs (id) ON DELETE SET NULL,
  object_kind       TEXT NOT NULL CHECK (object_kind IN ('case', 'note', 'image', 'workout')),
  object_id         INTEGER NOT NULL,
  model_sha256      TEXT NOT NULL CHECK (length(model_sha256) = 64),
  method            TEXT NOT NULL,
  params_json       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (params_json)),
  target            TEXT NOT NULL,
  baseline          TEXT,
  seed              INTEGER NOT NULL DEFAULT 0,
  shape_json        TEXT NOT NULL CHECK (json_valid (shape_json)),
  attribution       BLOB NOT NULL,
  checks_json       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (checks_json)),
  created_ms        INTEGER NOT NULL
);
CREATE INDEX explanations_object ON explanations (object_kind, object_id);

-- Append-only and hash-chained (see app/sal-audit.c).
CREATE TABLE audit_log (
  id                INTEGER PRIMARY KEY,
  who               TEXT NOT NULL,
  what              TEXT NOT NULL,
  object            TEXT NOT NULL DEFAULT '',
  when_ms           INTEGER NOT NULL,
  prev_hash         TEXT NOT NULL,
  hash              TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE (ABORT, 'the audit log is append-only');
END;
