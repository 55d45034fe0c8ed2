/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fitness records: the athlete profile and zones, workouts with samples and laps,
 * wellness entries and performance tests. */
#define G_LOG_DOMAIN "sal-store"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "sal-store-private.h"

/* ---- athlete ---------------------------------------------------------------------- */

SalAthlete *
sal_athlete_new (void)
{
  SalAthlete *a = g_new0 (SalAthlete, 1);

  a->weight_kg = a->height_cm = a->resting_hr_bpm = a->max_hr_bpm = NAN;
  a->threshold_hr_bpm = a->ftp_w = NAN;
  a->zones = g_array_new (FALSE, TRUE, sizeof (SalHrZone));
  return a;
}

void
sal_athlete_free (SalAthlete *a)
{
  if (a == NULL)
    return;
  g_free (a->name);
  g_free (a->sex);
  g_free (a->time_zone);
  g_array_unref (a->zones);
  g_free (a);
}

gboolean
sal_store_set_athlete (SalStore *store, const SalAthlete *a, GError **error)
{
  const char *doing = _("Could not save the athlete profile");
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return FALSE;
  stmt = sal_store_stmt (store, "INSERT OR REPLACE INTO athlete (id, name, birth_year, sex, "
                                "weight_kg, height_cm, resting_hr_bpm, max_hr_bpm, "
                                "threshold_hr_bpm, ftp_w, demo, updated_ms, distance_unit, "
                                "weight_unit, time_zone) "
                                "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    goto fail;
  sal_bind_text (stmt, 1, a->name);
  if (a->birth_year > 0)
    sqlite3_bind_int (stmt, 2, a->birth_year);
  sal_bind_text (stmt, 3, a->sex);
  sal_bind_double (stmt, 4, a->weight_kg);
  sal_bind_double (stmt, 5, a->height_cm);
  sal_bind_double (stmt, 6, a->resting_hr_bpm);
  sal_bind_double (stmt, 7, a->max_hr_bpm);
  sal_bind_double (stmt, 8, a->threshold_hr_bpm);
  sal_bind_double (stmt, 9, a->ftp_w);
  sqlite3_bind_int (stmt, 10, a->demo ? 1 : 0);
  sqlite3_bind_int64 (stmt, 11, sal_store_now_ms ());
  sqlite3_bind_text (stmt, 12, a->miles ? "mi" : "km", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 13, a->pounds ? "lb" : "kg", -1, SQLITE_STATIC);
  sal_bind_text (stmt, 14, a->time_zone != NULL && a->time_zone[0] ? a->time_zone : NULL);
  if (!sal_store_step_done (store, stmt, error, doing)
      || !sal_store_exec (store, "DELETE FROM hr_zones", error, doing))
    goto fail;
  for (guint i = 0; a->zones != NULL && i < a->zones->len; i++)
    {
      const SalHrZone *z = &g_array_index (a->zones, SalHrZone, i);

      stmt = sal_store_stmt (store, "INSERT INTO hr_zones (zone, low_bpm, high_bpm) "
                                    "VALUES (?, ?, ?)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int (stmt, 1, z->zone);
      sal_bind_double (stmt, 2, z->low_bpm);
      sal_bind_double (stmt, 3, z->high_bpm);
      if (!sal_store_step_done (store, stmt, error, doing))
        goto fail;
    }
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

SalAthlete *
sal_store_get_athlete (SalStore *store, GError **error)
{
  g_autoptr(SalAthlete) a = NULL;
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT name, birth_year, sex, weight_kg, height_cm, "
                                "resting_hr_bpm, max_hr_bpm, threshold_hr_bpm, ftp_w, demo, "
                                "updated_ms, distance_unit, weight_unit, time_zone FROM athlete "
                                "WHERE id = 1 AND pending_delete_ms IS NULL", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      a = sal_athlete_new ();
      a->name = sal_col_text (stmt, 0);
      a->birth_year = sqlite3_column_int (stmt, 1);
      a->sex = sal_col_text (stmt, 2);
      a->weight_kg = sal_col_double (stmt, 3);
      a->height_cm = sal_col_double (stmt, 4);
      a->resting_hr_bpm = sal_col_double (stmt, 5);
      a->max_hr_bpm = sal_col_double (stmt, 6);
      a->threshold_hr_bpm = sal_col_double (stmt, 7);
      a->ftp_w = sal_col_double (stmt, 8);
      a->demo = sqlite3_column_int (stmt, 9) != 0;
      a->updated_ms = sqlite3_column_int64 (stmt, 10);
      a->miles = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 11), "mi") == 0;
      a->pounds = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 12), "lb") == 0;
      a->time_zone = sal_col_text (stmt, 13);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not read the athlete profile"));
      return NULL;
    }
  if (a == NULL)
    return NULL;

  stmt = sal_store_stmt (store, "SELECT zone, low_bpm, high_bpm FROM hr_zones ORDER BY zone",
                         error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalHrZone z = { sqlite3_column_int (stmt, 0), sal_col_double (stmt, 1),
                      sal_col_double (stmt, 2) };
      g_array_append_val (a->zones, z);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not read the athlete profile"));
      return NULL;
    }
  return g_steal_pointer (&a);
}

/* ---- workouts --------------------------------------------------------------------- */

#define DUP_START_MS     60000
#define DUP_DURATION_S   30.0
#define DUP_DISTANCE_M   20.0
#define DUP_FRACTION     0.02

static char *
workout_fingerprint (const SalWorkout *w, double duration_s)
{
  if (isnan (w->distance_m))
    return g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%.0f|-", w->sport, w->start_ms / 1000,
                            duration_s);
  return g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%.0f|%.0f", w->sport, w->start_ms / 1000,
                          duration_s, w->distance_m);
}

/* The duration to store: the workout's own, or the span of its samples. */
static double
workout_duration (const SalWorkout *w)
{
  if (!isnan (w->duration_s))
    return w->duration_s;
  if (w->samples != NULL && w->samples->len >= 2)
    {
      const SalSample *first = &g_array_index (w->samples, SalSample, 0);
      const SalSample *last = &g_array_index (w->samples, SalSample, w->samples->len - 1);
      return (double) (last->time_ms - first->time_ms) / 1000.0;
    }
  return NAN;
}

static gint64
find_duplicate_locked (SalStore *store, const SalWorkout *w, double duration_s, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  stmt = sal_store_stmt (store,
                         "SELECT id FROM workouts WHERE sport = ?1 "
                         "AND start_ms BETWEEN ?2 - ?5 AND ?2 + ?5 "
                         "AND abs (duration_s - ?3) <= max (?6, ?7 * ?3) "
                         "AND (?4 IS NULL OR distance_m IS NULL "
                         "     OR abs (distance_m - ?4) <= max (?8, ?7 * ?4)) "
                         "AND pending_delete_ms IS NULL "
                         "ORDER BY abs (start_ms - ?2) LIMIT 1", error);
  if (stmt == NULL)
    return -1;
  sal_bind_text (stmt, 1, w->sport);
  sqlite3_bind_int64 (stmt, 2, w->start_ms);
  sqlite3_bind_double (stmt, 3, duration_s);
  sal_bind_double (stmt, 4, w->distance_m);
  sqlite3_bind_int64 (stmt, 5, DUP_START_MS);
  sqlite3_bind_double (stmt, 6, DUP_DURATION_S);
  sqlite3_bind_double (stmt, 7, DUP_FRACTION);
  sqlite3_bind_double (stmt, 8, DUP_DISTANCE_M);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not look for duplicate workouts"));
      id = -1;
    }
  sqlite3_reset (stmt);
  return id;
}

gint64
sal_store_find_duplicate_workout (SalStore *store, const SalWorkout *w, GError **error)
{
  double duration_s = workout_duration (w);
  SAL_STORE_LOCK (store);

  if (isnan (duration_s))
    return 0;
  return MAX (find_duplicate_locked (store, w, duration_s, error), 0);
}

static gboolean
check_workout (const SalWorkout *w, guint index, double duration_s, GError **error)
{
  const char *problem = NULL;

  if (w->sport == NULL || w->sport[0] == '\0')
    problem = _("it has no sport");
  else if (isnan (duration_s) || duration_s < 0)
    problem = _("it has no duration");
  else if (!isnan (w->rpe) && (w->rpe < 0 || w->rpe > 10))
    problem = _("its effort (RPE) is not between 0 and 10");
  if (problem == NULL)
    return TRUE;
  g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
               _("Workout %u cannot be saved: %s"), index + 1, problem);
  return FALSE;
}

static gboolean
insert_workout (SalStore *store, SalWorkout *w, double duration_s, gboolean demo, GError **error)
{
  const char *doing = _("Could not save the workout");
  g_autofree char *fingerprint = workout_fingerprint (w, duration_s);
  sqlite3_stmt *stmt;
  gint64 id;

  stmt = sal_store_stmt (store, "INSERT INTO workouts (sport, title, start_ms, duration_s, "
                                "distance_m, avg_hr_bpm, max_hr_bpm, rpe, notes, source, "
                                "fingerprint, demo, created_ms) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, w->sport);
  sal_bind_text (stmt, 2, w->title);
  sqlite3_bind_int64 (stmt, 3, w->start_ms);
  sqlite3_bind_double (stmt, 4, duration_s);
  sal_bind_double (stmt, 5, w->distance_m);
  sal_bind_double (stmt, 6, w->avg_hr_bpm);
  sal_bind_double (stmt, 7, w->max_hr_bpm);
  sal_bind_double (stmt, 8, w->rpe);
  sal_bind_text (stmt, 9, w->notes);
  sal_bind_text (stmt, 10, w->source);
  sal_bind_text (stmt, 11, fingerprint);
  sqlite3_bind_int (stmt, 12, demo ? 1 : 0);
  sqlite3_bind_int64 (stmt, 13, sal_store_now_ms ());
  if (!sal_store_step_done (store, stmt, error, doing))
    return FALSE;
  id = sqlite3_last_insert_rowid (store->db);

  for (guint i = 0; w->samples != NULL && i < w->samples->len; i++)
    {
      const SalSample *s = &g_array_index (w->samples, SalSample, i);

      stmt = sal_store_stmt (store, "INSERT INTO workout_samples VALUES "
                                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, (int) i);
      sqlite3_bind_int64 (stmt, 3, s->time_ms);
      sal_bind_double (stmt, 4, s->lat_deg);
      sal_bind_double (stmt, 5, s->lon_deg);
      sal_bind_double (stmt, 6, s->elevation_m);
      sal_bind_double (stmt, 7, s->distance_m);
      sal_bind_double (stmt, 8, s->speed_mps);
      sal_bind_double (stmt, 9, s->heart_rate_bpm);
      sal_bind_double (stmt, 10, s->cadence_rpm);
      sal_bind_double (stmt, 11, s->power_w);
      if (!sal_store_step_done (store, stmt, error, doing))
        return FALSE;
    }
  for (guint i = 0; w->laps != NULL && i < w->laps->len; i++)
    {
      const SalLap *l = &g_array_index (w->laps, SalLap, i);

      stmt = sal_store_stmt (store, "INSERT INTO workout_laps VALUES (?, ?, ?, ?, ?, ?, ?)",
                             error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, (int) i);
      sqlite3_bind_int64 (stmt, 3, l->start_ms);
      sal_bind_double (stmt, 4, l->duration_s);
      sal_bind_double (stmt, 5, l->distance_m);
      sal_bind_double (stmt, 6, l->avg_hr_bpm);
      sal_bind_double (stmt, 7, l->max_hr_bpm);
      if (!sal_store_step_done (store, stmt, error, doing))
        return FALSE;
    }
  w->id = id;
  return TRUE;
}

static gboolean
add_workouts_locked (SalStore   *store,
                     GPtrArray  *workouts,
                     gboolean    demo,
                     guint      *n_added,
                     guint      *n_duplicates,
                     gint64     *duplicate_of,
                     GError    **error)
{
  g_autofree char *object = NULL;
  guint added = 0, dups = 0;

  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < workouts->len; i++)
    {
      SalWorkout *w = g_ptr_array_index (workouts, i);
      double duration_s = workout_duration (w);
      gint64 dup;

      w->id = 0;
      if (!check_workout (w, i, duration_s, error))
        goto fail;
      dup = find_duplicate_locked (store, w, duration_s, error);
      if (dup < 0)
        goto fail;
      if (dup > 0)
        {
          dups++;
          if (duplicate_of != NULL)
            *duplicate_of = dup;
          continue;
        }
      if (!insert_workout (store, w, duration_s, demo, error))
        goto fail;
      added++;
    }
  if (added > 0)
    {
      object = g_strdup_printf ("workouts:%u", added);
      if (!sal_audit_append_locked (store, "import", object, error))
        goto fail;
    }
  if (!sal_store_commit (store, error))
    goto fail_committed;
  if (n_added != NULL)
    *n_added = added;
  if (n_duplicates != NULL)
    *n_duplicates = dups;
  return TRUE;

fail:
  sal_store_rollback (store);
fail_committed:
  for (guint i = 0; i < workouts->len; i++)
    ((SalWorkout *) g_ptr_array_index (workouts, i))->id = 0;
  return FALSE;
}

gboolean
sal_store_add_workouts (SalStore   *store,
                        GPtrArray  *workouts,
                        gboolean    demo,
                        guint      *n_added,
                        guint      *n_duplicates,
                        GError    **error)
{
  SAL_STORE_LOCK (store);

  return add_workouts_locked (store, workouts, demo, n_added, n_duplicates, NULL, error);
}

gint64
sal_store_add_workout (SalStore *store, SalWorkout *workout, GError **error)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  guint added = 0;
  gint64 dup = 0;
  SAL_STORE_LOCK (store);

  g_ptr_array_add (one, workout);
  if (!add_workouts_locked (store, one, FALSE, &added, NULL, &dup, error))
    return 0;
  if (added == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_DUPLICATE,
                   _("This workout is already stored (workout %" PRId64 ")"), dup);
      return 0;
    }
  return workout->id;
}

gboolean
sal_store_update_workout (SalStore *store, const SalWorkout *w, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  if (w->sport == NULL || w->sport[0] == '\0')
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("Could not save the workout: it has no sport"));
      return FALSE;
    }
  stmt = sal_store_stmt (store, "UPDATE workouts SET sport = ?, title = ?, rpe = ?, notes = ? "
                                "WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, w->sport);
  sal_bind_text (stmt, 2, w->title);
  sal_bind_double (stmt, 3, w->rpe);
  sal_bind_text (stmt, 4, w->notes);
  sqlite3_bind_int64 (stmt, 5, w->id);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the workout")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("There is no workout with id %" PRId64), w->id);
      return FALSE;
    }
  return TRUE;
}

#define WORKOUT_COLUMNS "id, sport, title, start_ms, duration_s, distance_m, avg_hr_bpm, " \
                        "max_hr_bpm, rpe, notes, source"

static SalWorkout *
workout_from_row (sqlite3_stmt *stmt)
{
  SalWorkout *w = sal_workout_new ();

  w->id = sqlite3_column_int64 (stmt, 0);
  g_free (w->sport);
  w->sport = sal_col_text (stmt, 1);
  w->title = sal_col_text (stmt, 2);
  w->start_ms = sqlite3_column_int64 (stmt, 3);
  w->duration_s = sal_col_double (stmt, 4);
  w->distance_m = sal_col_double (stmt, 5);
  w->avg_hr_bpm = sal_col_double (stmt, 6);
  w->max_hr_bpm = sal_col_double (stmt, 7);
  w->rpe = sal_col_double (stmt, 8);
  w->notes = sal_col_text (stmt, 9);
  w->source = sal_col_text (stmt, 10);
  return w;
}

static gboolean
read_samples (SalStore *store, SalWorkout *w, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = sal_store_stmt (store, "SELECT time_ms, lat_deg, lon_deg, elevation_m, distance_m, "
                                "speed_mps, heart_rate_bpm, cadence_rpm, power_w "
                                "FROM workout_samples WHERE workout_id = ? ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, w->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalSample s = {
        sqlite3_column_int64 (stmt, 0), sal_col_double (stmt, 1), sal_col_double (stmt, 2),
        sal_col_double (stmt, 3), sal_col_double (stmt, 4), sal_col_double (stmt, 5),
        sal_col_double (stmt, 6), sal_col_double (stmt, 7), sal_col_double (stmt, 8),
      };
      g_array_append_val (w->samples, s);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not read the workout"));

  stmt = sal_store_stmt (store, "SELECT start_ms, duration_s, distance_m, avg_hr_bpm, max_hr_bpm "
                                "FROM workout_laps WHERE workout_id = ? ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, w->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalLap l = {
        sqlite3_column_int64 (stmt, 0), sal_col_double (stmt, 1), sal_col_double (stmt, 2),
        sal_col_double (stmt, 3), sal_col_double (stmt, 4),
      };
      g_array_append_val (w->laps, l);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not read the workout"));
  return TRUE;
}

SalWorkout *
sal_store_get_workout (SalStore *store, gint64 id, gboolean with_samples, GError **error)
{
  g_autoptr(SalWorkout) w = NULL;
  sqlite3_stmt *stmt;
  gboolean found;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " WORKOUT_COLUMNS " FROM workouts WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  w = sal_store_get_row (store, stmt, (SalStoreRowFunc) workout_from_row, &found, error,
                         _("Could not read the workout"));
  if (!found)
    g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                 _("There is no workout with id %" PRId64), id);
  if (w == NULL)
    return NULL;
  if (with_samples && !read_samples (store, w, error))
    return NULL;
  return g_steal_pointer (&w);
}

GPtrArray *
sal_store_list_workouts (SalStore *store, gint64 from_ms, gint64 to_ms, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " WORKOUT_COLUMNS " FROM workouts "
                                "WHERE start_ms >= ? AND start_ms < ? "
                                "AND pending_delete_ms IS NULL ORDER BY start_ms, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from_ms);
  sqlite3_bind_int64 (stmt, 2, to_ms);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) workout_from_row,
                            (GDestroyNotify) sal_workout_free, error,
                            _("Could not read the workouts"));
}

gint64
sal_store_count_workouts (SalStore *store, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT count(*) FROM workouts WHERE pending_delete_ms IS NULL",
                         error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    sal_store_fail (store, error, _("Could not read the workouts"));
  sqlite3_reset (stmt);
  return n;
}

/* ---- wellness --------------------------------------------------------------------- */

SalWellness *
sal_wellness_new (const char *day)
{
  SalWellness *w = g_new0 (SalWellness, 1);

  w->day = g_strdup (day);
  w->sleep_h = w->resting_hr_bpm = w->hrv_ms = w->weight_kg = NAN;
  w->fatigue = w->soreness = w->stress = w->mood = NAN;
  return w;
}

void
sal_wellness_free (SalWellness *w)
{
  if (w == NULL)
    return;
  g_free (w->day);
  g_free (w->notes);
  g_free (w);
}

gboolean
sal_store_set_wellness (SalStore *store, const SalWellness *w, gboolean demo, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "INSERT OR REPLACE INTO wellness (day, sleep_h, resting_hr_bpm, "
                                "hrv_ms, weight_kg, fatigue, soreness, stress, mood, notes, demo) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, w->day);
  sal_bind_double (stmt, 2, w->sleep_h);
  sal_bind_double (stmt, 3, w->resting_hr_bpm);
  sal_bind_double (stmt, 4, w->hrv_ms);
  sal_bind_double (stmt, 5, w->weight_kg);
  sal_bind_double (stmt, 6, w->fatigue);
  sal_bind_double (stmt, 7, w->soreness);
  sal_bind_double (stmt, 8, w->stress);
  sal_bind_double (stmt, 9, w->mood);
  sal_bind_text (stmt, 10, w->notes);
  sqlite3_bind_int (stmt, 11, demo ? 1 : 0);
  return sal_store_step_done (store, stmt, error, _("Could not save the wellness entry"));
}

static SalWellness *
wellness_from_row (sqlite3_stmt *stmt)
{
  SalWellness *w = sal_wellness_new ((const char *) sqlite3_column_text (stmt, 0));

  w->sleep_h = sal_col_double (stmt, 1);
  w->resting_hr_bpm = sal_col_double (stmt, 2);
  w->hrv_ms = sal_col_double (stmt, 3);
  w->weight_kg = sal_col_double (stmt, 4);
  w->fatigue = sal_col_double (stmt, 5);
  w->soreness = sal_col_double (stmt, 6);
  w->stress = sal_col_double (stmt, 7);
  w->mood = sal_col_double (stmt, 8);
  w->notes = sal_col_text (stmt, 9);
  return w;
}

GPtrArray *
sal_store_list_wellness (SalStore    *store,
                         const char  *from_day,
                         const char  *to_day,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT day, sleep_h, resting_hr_bpm, hrv_ms, weight_kg, fatigue, "
                                "soreness, stress, mood, notes FROM wellness "
                                "WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) "
                                "AND pending_delete_ms IS NULL ORDER BY day", error);
  if (stmt == NULL)
    return NULL;
  sal_bind_text (stmt, 1, from_day);
  sal_bind_text (stmt, 2, to_day);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) wellness_from_row,
                            (GDestroyNotify) sal_wellness_free, error,
                            _("Could not read the wellness entries"));
}

/* ---- performance tests ------------------------------------------------------------ */

void
sal_performance_test_free (SalPerformanceTest *t)
{
  if (t == NULL)
    return;
  g_free (t->kind);
  g_free (t->unit);
  g_free (t->notes);
  g_free (t);
}

gint64
sal_store_add_performance_test (SalStore                 *store,
                                const SalPerformanceTest *t,
                                gboolean                  demo,
                                GError                  **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "INSERT INTO performance_tests (kind, time_ms, value, unit, notes, "
                                "demo) VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sal_bind_text (stmt, 1, t->kind);
  sqlite3_bind_int64 (stmt, 2, t->time_ms);
  sal_bind_double (stmt, 3, t->value);
  sal_bind_text (stmt, 4, t->unit);
  sal_bind_text (stmt, 5, t->notes);
  sqlite3_bind_int (stmt, 6, demo ? 1 : 0);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the performance test")))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

GPtrArray *
sal_store_list_performance_tests (SalStore *store, const char *kind, GError **error)
{
  g_autoptr(GPtrArray) rows =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sal_performance_test_free);
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, kind, time_ms, value, unit, notes "
                                "FROM performance_tests WHERE (?1 IS NULL OR kind = ?1) "
                                "AND pending_delete_ms IS NULL ORDER BY time_ms, id", error);
  if (stmt == NULL)
    return NULL;
  sal_bind_text (stmt, 1, kind);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalPerformanceTest *t = g_new0 (SalPerformanceTest, 1);

      t->id = sqlite3_column_int64 (stmt, 0);
      t->kind = sal_col_text (stmt, 1);
      t->time_ms = sqlite3_column_int64 (stmt, 2);
      t->value = sal_col_double (stmt, 3);
      t->unit = sal_col_text (stmt, 4);
      t->notes = sal_col_text (stmt, 5);
      g_ptr_array_add (rows, t);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not read the performance tests"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}
