/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A workout as importers produce it and the store keeps it. Missing values are NAN. */
typedef struct {
  gint64 time_ms;        /* UTC, milliseconds since the Unix epoch */
  double lat_deg;        /* WGS84 */
  double lon_deg;
  double elevation_m;
  double distance_m;     /* cumulative from the start */
  double speed_mps;
  double heart_rate_bpm;
  double cadence_rpm;    /* revolutions or steps per minute, as the file gives it */
  double power_w;
} SalSample;

typedef struct {
  gint64 start_ms;
  double duration_s;
  double distance_m;
  double avg_hr_bpm;
  double max_hr_bpm;
} SalLap;

typedef struct {
  gint64  id;            /* store id; 0 when not stored */
  char   *sport;         /* "running", "cycling", "swimming", "walking", "strength", "other" */
  char   *title;
  gint64  start_ms;      /* UTC */
  double  duration_s;
  double  distance_m;
  double  avg_hr_bpm;
  double  max_hr_bpm;
  double  rpe;           /* CR-10, 0..10 */
  char   *notes;
  char   *source;        /* file name it came from, or NULL when logged by hand */
  GArray *samples;       /* of SalSample, time ascending */
  GArray *laps;          /* of SalLap */
} SalWorkout;

SalWorkout *sal_workout_new    (void);
void        sal_workout_free   (SalWorkout *w);
SalSample   sal_sample_empty   (void);   /* every field NAN, time 0 */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalWorkout, sal_workout_free)

G_END_DECLS
