/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Background jobs of the Fitness workspace. Workers use only the store (which locks)
 * and their own copies of the inputs. */
#define G_LOG_DOMAIN "sal-fitness"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-fitness-jobs.h"   /* first: see the note there */
#include "sal-demo-athlete.h"
#include "sal-datasets.h"
#include "sal-import.h"

#define DAY_MS 86400000LL

static void
result_clear (SalFitnessResult *r)
{
  g_clear_pointer (&r->summary, sal_fitness_summary_free);
  g_clear_pointer (&r->weeks, g_array_unref);
  g_clear_pointer (&r->recent, g_ptr_array_unref);
  g_clear_pointer (&r->zones, g_array_unref);
  g_clear_pointer (&r->workout, sal_workout_free);
  g_clear_pointer (&r->problems, g_ptr_array_unref);
  g_clear_pointer (&r->readiness, sal_readiness_card_free);
  g_clear_pointer (&r->readiness_error, g_free);
  g_clear_pointer (&r->tz, g_time_zone_unref);
  g_clear_pointer (&r->goals, g_ptr_array_unref);
  g_clear_pointer (&r->goal_done, g_array_unref);
}

SalFitnessResult *
sal_fitness_result_ref (SalFitnessResult *r)
{
  return g_atomic_rc_box_acquire (r);
}

void
sal_fitness_result_unref (SalFitnessResult *r)
{
  g_atomic_rc_box_release_full (r, (GDestroyNotify) result_clear);
}

G_DEFINE_BOXED_TYPE (SalFitnessResult, sal_fitness_result, sal_fitness_result_ref,
                     sal_fitness_result_unref)

static SalFitnessResult *
result_new (void)
{
  return g_atomic_rc_box_new0 (SalFitnessResult);
}

GArray *
sal_fitness_zones_for (const SalAthlete *athlete)
{
  GArray *zones = g_array_new (FALSE, FALSE, sizeof (SalHrZone));
  double max = athlete != NULL && athlete->max_hr_bpm > 0 ? athlete->max_hr_bpm : 190;

  if (athlete != NULL && athlete->zones != NULL && athlete->zones->len > 0)
    {
      g_array_append_vals (zones, athlete->zones->data, MIN (athlete->zones->len, 8));
      return zones;
    }
  for (int z = 0; z < 5; z++)
    {
      SalHrZone zone = { z + 1, (0.5 + 0.1 * z) * max, (0.6 + 0.1 * z) * max };
      g_array_append_val (zones, zone);
    }
  return zones;
}

/* Adds a workout's zone time: from its samples, or all of it in the zone of its average
 * heart rate when it has none. */
static void
add_zone_time (SalFitnessResult *r, const SalWorkout *w)
{
  double s[8];

  if (w->samples != NULL && sal_time_in_zones (w->samples, r->zones, s) > 0)
    {
      for (guint z = 0; z < r->zones->len; z++)
        r->zone_s[z] += s[z];
      r->zone_total_s += sal_time_in_zones (w->samples, r->zones, s);
      return;
    }
  if (isnan (w->avg_hr_bpm) || isnan (w->duration_s))
    return;
  for (guint z = 0; z < r->zones->len; z++)
    if (w->avg_hr_bpm < g_array_index (r->zones, SalHrZone, z).high_bpm || z + 1 == r->zones->len)
      {
        r->zone_s[z] += w->duration_s;
        r->zone_total_s += w->duration_s;
        break;
      }
}

/* ---- overview ---- */

typedef struct {
  SalStore  *store;
  GTimeZone *tz;
  gint64     today;
  gint64     id;
  char     **paths;
} JobIn;

static gpointer
job_in_copy (gpointer data)
{
  JobIn *in = data, *c = g_new0 (JobIn, 1);
  c->store = sal_store_ref (in->store);
  c->tz = in->tz != NULL ? g_time_zone_ref (in->tz) : NULL;
  c->today = in->today;
  c->id = in->id;
  c->paths = g_strdupv (in->paths);
  return c;
}

static void
job_in_free (gpointer data)
{
  JobIn *in = data;
  g_clear_pointer (&in->store, sal_store_unref);
  g_clear_pointer (&in->tz, g_time_zone_unref);
  g_strfreev (in->paths);
  g_free (in);
}

static SalJob *
job_new (const char *kind, const char *title, SalJobFunc func, JobIn *in)
{
  SalJob *job = sal_job_new (kind, title, SAL_JOB_PRIORITY_INTERACTIVE, SAL_TYPE_FITNESS_RESULT,
                             func, job_in_copy (in), job_in_copy, job_in_free);
  return job;
}

/* The athlete's units and time zone, and today in that zone, into r. */
static void
set_athlete_frame (SalFitnessResult *r, const SalAthlete *athlete, JobIn *in)
{
  r->units.miles = athlete != NULL && athlete->miles;
  r->units.pounds = athlete != NULL && athlete->pounds;
  if (athlete != NULL && athlete->time_zone != NULL && athlete->time_zone[0])
    r->tz = sal_athlete_time_zone (athlete);
  else
    r->tz = in->tz != NULL ? g_time_zone_ref (in->tz) : g_time_zone_new_local ();
  if (in->today != 0)
    r->today = in->today;
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      r->today = sal_local_day (g_date_time_to_unix (now) * 1000, r->tz);
    }
}

/* Personal records over every workout: runs' best efforts from the cache, computing and
 * storing (in one transaction) those of runs not searched yet. */
static gboolean
find_records (SalFitnessResult *r, SalStore *store, GPtrArray *all, const SalAthlete *athlete,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) cached = sal_store_list_efforts (store, error);
  g_autoptr(GArray) fresh = g_array_new (FALSE, FALSE, sizeof (SalWorkoutEfforts));
  g_autoptr(GHashTable) known = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) starts = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (cached == NULL)
    return FALSE;
  sal_personal_records_init (&r->records);
  for (guint i = 0; i < cached->len; i++)
    g_hash_table_add (known, &g_array_index (cached, SalWorkoutEfforts, i).workout_id);
  for (guint i = 0; i < all->len; i++)
    {
      SalWorkout *w = g_ptr_array_index (all, i);

      g_hash_table_insert (starts, &w->id, &w->start_ms);
      sal_personal_records_add_session (&r->records, w,
                                        sal_workout_session_load (w, athlete, NULL));
      if (sal_sport_index (w->sport) == SAL_SPORT_RUNNING
          && !g_hash_table_contains (known, &w->id))
        {
          g_autoptr(SalWorkout) full = sal_store_get_workout (store, w->id, TRUE, error);
          SalWorkoutEfforts e;

          if (full == NULL)
            return FALSE;
          sal_workout_efforts_compute (full, &e);
          g_array_append_val (fresh, e);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
        }
    }
  if (!sal_store_set_efforts (store, (SalWorkoutEfforts *) fresh->data, fresh->len, error))
    return FALSE;
  for (guint i = 0; i < cached->len; i++)
    sal_personal_records_add_efforts (&r->records, &g_array_index (cached, SalWorkoutEfforts, i));
  for (guint i = 0; i < fresh->len; i++)
    sal_personal_records_add_efforts (&r->records, &g_array_index (fresh, SalWorkoutEfforts, i));
  for (int k = 0; k < SAL_N_EFFORTS + 2; k++)
    {
      gint64 id = k < SAL_N_EFFORTS ? r->records.best_id[k]
                  : k == SAL_N_EFFORTS ? r->records.longest_id : r->records.most_load_id;
      gint64 *start = g_hash_table_lookup (starts, &id);
      r->record_start_ms[k] = start != NULL ? *start : 0;
    }
  return TRUE;
}

static gboolean
find_goals (SalFitnessResult *r, SalStore *store, GPtrArray *all, GError **error)
{
  r->goals = sal_store_list_goals (store, error);
  if (r->goals == NULL)
    return FALSE;
  r->week_monday = sal_day_monday (r->today);
  r->goal_done = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < r->goals->len; i++)
    {
      double done = sal_goal_done (g_ptr_array_index (r->goals, i), all, r->tz, r->week_monday);
      g_array_append_val (r->goal_done, done);
    }
  return TRUE;
}

static gpointer
overview_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalFitnessResult) r = result_new ();
  g_autoptr(SalAthlete) athlete = NULL;
  g_autoptr(GPtrArray) all = NULL;
  SalLoadParams params = { 42, 7 };
  GError *local = NULL;
  gint64 zone_from;

  athlete = sal_store_get_athlete (in->store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  set_athlete_frame (r, athlete, in);
  r->has_demo = athlete != NULL && athlete->demo;
  r->zones = sal_fitness_zones_for (athlete);
  all = sal_store_list_workouts (in->store, G_MININT64, (r->today + 2) * DAY_MS, error);
  if (all == NULL)
    return NULL;
  r->n_workouts = all->len;
  sal_job_report_progress (job, 0.2, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  r->summary = sal_fitness_summary_compute (all, athlete, r->tz, &params,
                                            r->today - SAL_FITNESS_OVERVIEW_DAYS + 1, r->today);
  r->weeks = sal_weekly_volume (all, r->tz, r->today, SAL_FITNESS_OVERVIEW_WEEKS);
  if (!find_records (r, in->store, all, athlete, cancellable, error)
      || !find_goals (r, in->store, all, error))
    return NULL;
  sal_job_report_progress (job, 0.4, NULL);
  r->recent = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);

  zone_from = r->today - SAL_FITNESS_ZONE_DAYS + 1;
  for (guint i = all->len; i > 0; i--)
    {
      SalWorkout *w = g_ptr_array_index (all, i - 1);
      gint64 day = sal_local_day (w->start_ms, r->tz);

      if (g_strcmp0 (w->source, "demo") == 0)
        r->has_demo = TRUE;
      if (day >= zone_from && day <= r->today)
        {
          g_autoptr(SalWorkout) full = sal_store_get_workout (in->store, w->id, TRUE, error);
          if (full == NULL)
            return NULL;
          add_zone_time (r, full);
        }
      if (r->recent->len < 30)
        g_ptr_array_add (r->recent, g_ptr_array_steal_index (all, i - 1));
      else if (day < zone_from)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }

  /* Readiness: a failure (say, a missing model file) leaves the rest of the overview. */
  if (r->n_workouts > 0)
    {
      g_autofree char *dir = sal_shipped_models_dir ();
      g_autofree char *path = g_build_filename (dir, "readiness.onnx", NULL);
      g_autoptr(GError) local2 = NULL;

      sal_job_report_progress (job, 0.6, NULL);
      r->readiness = sal_readiness_card_compute (in->store, r->tz, r->today, path, cancellable,
                                                 &local2);
      if (r->readiness == NULL)
        {
          if (g_error_matches (local2, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local2));
              return NULL;
            }
          r->readiness_error = g_strdup (local2->message);
        }
    }
  return g_steal_pointer (&r);
}

SalJob *
sal_fitness_overview_job_new (SalStore *store, GTimeZone *tz, gint64 today)
{
  JobIn in = { store, tz, today, 0, NULL };
  return job_new ("fitness-overview", _("Computing the training overview"), overview_run, &in);
}

/* ---- one workout ---- */

static gpointer
workout_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalFitnessResult) r = result_new ();
  g_autoptr(SalAthlete) athlete = NULL;
  GError *local = NULL;

  athlete = sal_store_get_athlete (in->store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  set_athlete_frame (r, athlete, in);
  r->workout = sal_store_get_workout (in->store, in->id, TRUE, error);
  if (r->workout == NULL)
    return NULL;
  r->zones = sal_fitness_zones_for (athlete);
  add_zone_time (r, r->workout);
  r->session_load = sal_workout_session_load (r->workout, athlete, &r->load_source);
  return g_steal_pointer (&r);
}

SalJob *
sal_fitness_workout_job_new (SalStore *store, GTimeZone *tz, gint64 workout_id)
{
  JobIn in = { store, tz, 0, workout_id, NULL };
  return job_new ("fitness-workout", _("Loading a workout"), workout_run, &in);
}

/* ---- import ---- */

static gpointer
import_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalFitnessResult) r = result_new ();
  guint n = g_strv_length (in->paths);

  r->problems = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      g_auto(SalImportResult) result = { 0 };
      g_autoptr(GError) local = NULL;
      g_autofree char *base = g_path_get_basename (in->paths[i]);
      g_autofree char *status = g_strdup_printf (_("Importing %s"), base);
      guint added = 0, dups = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      sal_job_report_progress (job, (double) i / n, status);
      if (!sal_import_file (in->paths[i], NULL, &result, &local))
        {
          g_ptr_array_add (r->problems, g_strdup (local->message));
          continue;
        }
      if (result.workouts == NULL || result.workouts->len == 0)
        {
          g_ptr_array_add (r->problems,
                           g_strdup_printf (_("%s holds no workout"), base));
          continue;
        }
      if (!sal_store_add_workouts (in->store, result.workouts, FALSE, &added, &dups, &local))
        {
          g_ptr_array_add (r->problems, g_strdup_printf ("%s: %s", base, local->message));
          continue;
        }
      r->n_added += added;
      r->n_duplicates += dups;
    }
  sal_job_report_progress (job, 1.0, NULL);
  return g_steal_pointer (&r);
}

SalJob *
sal_fitness_import_job_new (SalStore *store, const char * const *paths)
{
  JobIn in = { store, NULL, 0, 0, (char **) paths };
  return job_new ("fitness-import", _("Importing workouts"), import_run, &in);
}

/* ---- demo athlete ---- */

static gpointer
demo_run (SalJob *job, gpointer inputs, GCancellable *cancellable, GError **error)
{
  JobIn *in = inputs;
  g_autoptr(SalFitnessResult) r = result_new ();

  sal_job_report_progress (job, 0.1, NULL);
  if (!sal_demo_athlete_generate (in->store, 1, 365, in->today, in->tz, cancellable,
                                  &r->n_added, error))
    return NULL;
  return g_steal_pointer (&r);
}

SalJob *
sal_fitness_demo_job_new (SalStore *store, GTimeZone *tz, gint64 today)
{
  JobIn in = { store, tz, today, 0, NULL };
  return job_new ("fitness-demo", _("Adding a demo athlete"), demo_run, &in);
}
