-- SPDX-License-Identifier: GPL-3.0-or-later
-- The athlete's display units and time zone (values are stored in SI units whatever is
-- shown); weekly goals; each workout's best efforts, computed once from its samples.
ALTER TABLE athlete ADD COLUMN distance_unit TEXT NOT NULL DEFAULT 'km'
  CHECK (distance_unit IN ('km', 'mi'));
ALTER TABLE athlete ADD COLUMN weight_unit TEXT NOT NULL DEFAULT 'kg'
  CHECK (weight_unit IN ('kg', 'lb'));
ALTER TABLE athlete ADD COLUMN time_zone TEXT;

CREATE TABLE fitness_goals (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('distance', 'time', 'sessions')),
  sport             TEXT,
  target            REAL NOT NULL CHECK (target > 0),
  created_ms        INTEGER NOT NULL,
  pending_delete_ms INTEGER
);

-- A row once a workout's samples were searched; NULL: the workout is shorter.
CREATE TABLE workout_efforts (
  workout_id        INTEGER PRIMARY KEY REFERENCES workouts (id) ON DELETE CASCADE,
  best_1k_s         REAL,
  best_5k_s         REAL,
  best_10k_s        REAL,
  best_half_s       REAL,
  best_full_s       REAL
);
