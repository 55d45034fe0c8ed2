/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-import-limits.h"
#include "sal-workout.h"

G_BEGIN_DECLS

/* Reads Garmin Training Center (TCX v2) activities: each Activity becomes a
 * workout (Sport, Id, Notes), each Lap a SalLap (StartTime, TotalTimeSeconds,
 * DistanceMeters, average and maximum heart rate) and each Trackpoint a sample
 * (Time, Position, AltitudeMeters, DistanceMeters, HeartRateBpm, Cadence,
 * TPX Speed/Watts/RunCadence). Returns a GPtrArray of SalWorkout* or NULL and
 * a SAL_IMPORT_ERROR naming name and the problem. */
GPtrArray *sal_tcx_read (GBytes                *bytes,
                         const char            *name,
                         const SalImportLimits *limits,
                         GError               **error);

G_END_DECLS
