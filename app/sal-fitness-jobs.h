/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sal-store.h"

#include "sal-fitness-records.h"
#include "sal-fitness-summary.h"
#include "sal-job.h"
#include "sal-readiness-card.h"
#include "sal-units.h"

G_BEGIN_DECLS

/* The Fitness workspace's background work, as SalJobs for the job queue: loading the
 * overview, loading one workout, importing files, adding the demo athlete. Their
 * results are a SalFitnessResult (a boxed, reference-counted record; fields by job). */

#define SAL_FITNESS_OVERVIEW_DAYS  120
#define SAL_FITNESS_OVERVIEW_WEEKS 12
#define SAL_FITNESS_ZONE_DAYS      28

typedef struct {
  /* overview and detail: the athlete's units and time zone (its profile's, else the
   * one the job was given), and the local day taken as today */
  SalUnits           units;
  GTimeZone         *tz;
  gint64             today;
  /* overview */
  SalPersonalRecords records;
  gint64             record_start_ms[SAL_N_EFFORTS + 2];   /* efforts, longest, most load */
  GPtrArray         *goals;        /* of SalGoal */
  GArray            *goal_done;    /* of double, this week's amount per goal (SI) */
  gint64             week_monday;
  SalFitnessSummary *summary;      /* the last SAL_FITNESS_OVERVIEW_DAYS days to today */
  GArray            *weeks;        /* of SalWeekVolume, SAL_FITNESS_OVERVIEW_WEEKS */
  GPtrArray         *recent;       /* of SalWorkout (no samples), newest first, ≤ 30 */
  gint64             n_workouts;
  gboolean           has_demo;
  SalReadinessCard  *readiness;    /* NULL when it could not be computed: */
  char              *readiness_error;
  /* overview (last SAL_FITNESS_ZONE_DAYS days) and detail: zone seconds */
  GArray            *zones;        /* of SalHrZone used */
  double             zone_s[8];
  double             zone_total_s;
  /* detail */
  SalWorkout        *workout;      /* with samples and laps */
  double             session_load;
  SalLoadSource      load_source;
  /* import */
  guint              n_added;
  guint              n_duplicates;
  GPtrArray         *problems;     /* of char*, one line per file that failed */
} SalFitnessResult;

#define SAL_TYPE_FITNESS_RESULT (sal_fitness_result_get_type ())
GType             sal_fitness_result_get_type (void) G_GNUC_CONST;
SalFitnessResult *sal_fitness_result_ref   (SalFitnessResult *r);
void              sal_fitness_result_unref (SalFitnessResult *r);

/* The athlete's zones, or five by %HRmax (50–60–70–80–90–100 %) when it has none. */
GArray *sal_fitness_zones_for (const SalAthlete *athlete);

/* today: the local day to show as today, 0 for the real one. tz: used when the athlete
 * profile names no time zone. Runs' best efforts not yet cached are computed and stored. */
SalJob *sal_fitness_overview_job_new (SalStore *store, GTimeZone *tz, gint64 today);
SalJob *sal_fitness_workout_job_new  (SalStore *store, GTimeZone *tz, gint64 workout_id);
/* Each file on its own (one bad file does not stop the others; each is all or nothing). */
SalJob *sal_fitness_import_job_new   (SalStore *store, const char * const *paths);
SalJob *sal_fitness_demo_job_new     (SalStore *store, GTimeZone *tz, gint64 today);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalFitnessResult, sal_fitness_result_unref)

G_END_DECLS
