/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* Reads GPX 1.1 (and 1.0) tracks: each trk with points becomes a workout
 * (trkpt lat/lon/ele/time; Garmin TrackPointExtension hr/cad/speed; power from
 * <power> or PowerExtension PowerInWatts). Returns a GPtrArray of SalWorkout*
 * that owns them, or NULL and a SAL_IMPORT_ERROR naming name and the problem. */
GPtrArray *sal_gpx_read  (GBytes                *bytes,
                          const char            *name,
                          const SalImportLimits *limits,
                          GError               **error);

/* Writes workouts (SalWorkout*) as GPX 1.1, one trk each; samples without a
 * position are left out (GPX requires one). */
GBytes    *sal_gpx_write (GPtrArray             *workouts);

G_END_DECLS
