/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sal-workout.h"

G_BEGIN_DECLS

/* A session as a person types it in the logging dialog: text fields, checked here so
 * the dialog and scripts give the same clear messages. Empty optional fields are NULL
 * or "". */
typedef struct {
  const char *sport;        /* "running", "cycling", ... */
  const char *title;
  const char *date;         /* YYYY-MM-DD, local */
  const char *start;        /* HH:MM, local */
  const char *duration;     /* h:mm:ss, mm:ss or minutes */
  const char *distance_km;
  const char *avg_hr;
  const char *max_hr;
  double      rpe;          /* CR-10, 0..10; NAN when not given */
  const char *notes;
  const char *sets;         /* strength: one set a line, "exercise, reps × load kg" */
  gboolean    miles;        /* distance_km holds miles */
  gboolean    pounds;       /* set loads are in lb */
} SalWorkoutEntry;

#define SAL_WORKOUT_ENTRY_ERROR (sal_workout_entry_error_quark ())
GQuark sal_workout_entry_error_quark (void);

typedef enum {
  SAL_WORKOUT_ENTRY_ERROR_DATE,
  SAL_WORKOUT_ENTRY_ERROR_START,
  SAL_WORKOUT_ENTRY_ERROR_DURATION,
  SAL_WORKOUT_ENTRY_ERROR_DISTANCE,
  SAL_WORKOUT_ENTRY_ERROR_HEART_RATE,
  SAL_WORKOUT_ENTRY_ERROR_RPE,
  SAL_WORKOUT_ENTRY_ERROR_SETS,
} SalWorkoutEntryError;

/* A new workout from the entry (start in tz), or NULL with a message naming the field
 * and what to type. Strength sets are kept in the notes, one line each. */
SalWorkout *sal_workout_from_entry (const SalWorkoutEntry *entry,
                                    GTimeZone             *tz,
                                    GError               **error);

/* "1:02:03", "45:00" or "45" → seconds; FALSE for anything else or zero. */
gboolean    sal_parse_duration     (const char *text, double *seconds);

G_END_DECLS
