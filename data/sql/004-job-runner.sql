-- SPDX-License-Identifier: GPL-3.0-or-later
-- Which process runs a job (process id and boot id), so that a second program opening the
-- database (salient-cli while the window runs jobs) does not mark live jobs interrupted:
-- only jobs whose process is gone are.
ALTER TABLE jobs ADD COLUMN runner_pid INTEGER;
ALTER TABLE jobs ADD COLUMN runner_boot TEXT;
