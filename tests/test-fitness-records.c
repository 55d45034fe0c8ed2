/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Units, personal records, weekly goals and the athlete's time zone, against values
 * computed by hand; their storage (migration 005) and the overview job using them. */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "sal-fitness-jobs.h"   /* first: see there */
#include "sal-fitness-records.h"
#include "sal-job-queue.h"
#include "sal-store.h"
#include "sal-test-util.h"
#include "sal-training-load.h"
#include "sal-units.h"
#include "sal-workout-entry.h"

#define DAY_MS  86400000LL
#define HOUR_MS 3600000LL
/* Local day numbers (days since 1970-01-01). */
#define MAR2_2026  20514
#define MAR8_2026  20520    /* New York springs forward at 07:00 UTC */
#define MAR9_2026  20521
#define NOV1_2026  20758    /* New York falls back at 06:00 UTC */
#define NOV2_2026  20759

static SalWorkout *
workout (const char *sport, gint64 start_ms, double minutes, double rpe, double distance_m)
{
  SalWorkout *w = sal_workout_new ();
  g_free (w->sport);
  w->sport = g_strdup (sport);
  w->start_ms = start_ms;
  w->duration_s = minutes * 60;
  w->rpe = rpe;
  w->distance_m = distance_m;
  return w;
}

/* ---- units ---- */

static void
test_units (void)
{
  SalUnits km = { FALSE, FALSE }, mi = { TRUE, TRUE };
  g_autofree char *p1 = sal_units_format_pace (&km, 1500, 5000);
  g_autofree char *p2 = sal_units_format_pace (&mi, 1500, 5000);
  g_autofree char *d1 = sal_units_format_distance (&km, 5000, 2);
  g_autofree char *d2 = sal_units_format_distance (&mi, 5000, 2);
  g_autofree char *s1 = sal_units_format_speed (&mi, 10);
  g_autofree char *w1 = sal_units_format_weight (&mi, 70);
  g_autofree char *none = sal_units_format_pace (&km, 1500, 0);

  /* 1 mi = 1609.344 m, 1 lb = 0.45359237 kg (exact). */
  g_assert_cmpfloat_with_epsilon (sal_units_distance (&mi, 1609.344), 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_units_distance (&mi, 5000), 3.10685596, 1e-8);
  g_assert_cmpfloat_with_epsilon (sal_units_distance (&km, 5000), 5, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_units_distance_to_m (&mi, 26.2), 42164.8128, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_units_weight (&mi, 70), 154.32358, 1e-5);
  g_assert_cmpfloat_with_epsilon (sal_units_weight_to_kg (&mi, 154.32358), 70, 1e-5);
  g_assert_cmpfloat_with_epsilon (sal_units_weight (&km, 70), 70, 1e-12);
  /* 10 m/s = 36 km/h = 22.369363 mph; 4 m/s = 4:10 min/km = 6.7056 min/mi. */
  g_assert_cmpfloat_with_epsilon (sal_units_speed (&km, 10), 36, 1e-9);
  g_assert_cmpfloat_with_epsilon (sal_units_speed (&mi, 10), 22.369363, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_units_pace_min (&km, 4), 1000.0 / 240, 1e-9);
  g_assert_cmpfloat_with_epsilon (sal_units_pace_min (&mi, 4), 6.7056, 1e-9);
  g_assert_true (isnan (sal_units_pace_min (&km, 0.2)));   /* standing still: no pace */
  /* Round trips. */
  for (double v = 0.5; v < 100; v *= 3)
    {
      g_assert_cmpfloat_with_epsilon (sal_units_distance (&mi, sal_units_distance_to_m (&mi, v)),
                                      v, 1e-9);
      g_assert_cmpfloat_with_epsilon (sal_units_weight (&mi, sal_units_weight_to_kg (&mi, v)), v,
                                      1e-9);
    }
  /* 25:00 for 5 km: 5:00 /km; per mile 1500 / 3.10686 = 482.8 s = 8:03 /mi. */
  g_assert_cmpstr (p1, ==, "5:00 /km");
  g_assert_cmpstr (p2, ==, "8:03 /mi");
  g_assert_cmpstr (d1, ==, "5.00 km");
  g_assert_cmpstr (d2, ==, "3.11 mi");
  g_assert_cmpstr (s1, ==, "22.4 mph");
  g_assert_cmpstr (w1, ==, "154.3 lb");
  g_assert_cmpstr (none, ==, "—");
}

static void
test_entry_miles (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GError) error = NULL;
  SalWorkoutEntry e = { .sport = "running", .date = "2026-03-02", .start = "07:00",
                        .duration = "30:00", .distance_km = "3.1", .rpe = NAN, .miles = TRUE };
  g_autoptr(SalWorkout) w = sal_workout_from_entry (&e, utc, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (w->distance_m, 3.1 * 1609.344, 1e-6);
  e.distance_km = "1300";   /* over 1250 mi */
  g_assert_null (sal_workout_from_entry (&e, utc, &error));
  g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DISTANCE);
  g_assert_nonnull (strstr (error->message, "miles"));
  g_clear_error (&error);

  /* Strength loads in pounds: 3000 lb is allowed (2000 is the kg limit), the note says lb;
   * a load already marked keeps its unit. */
  {
    SalWorkoutEntry s = { .sport = "strength", .date = "2026-03-02", .start = "18:00",
                          .duration = "45", .rpe = 7, .sets = "deadlift, 3 × 3000\nrow, 8 × 95 kg",
                          .pounds = TRUE };
    g_autoptr(SalWorkout) sw = sal_workout_from_entry (&s, utc, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sw->notes, ==, "deadlift, 3 × 3000 lb\nrow, 8 × 95 kg");
    s.pounds = FALSE;
    g_assert_null (sal_workout_from_entry (&s, utc, &error));
    g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_SETS);
    g_assert_nonnull (strstr (error->message, "kg"));
  }
}

/* ---- best efforts ---- */

/* Samples every 10 s: 0–600 s at 4 m/s (to 2400 m), 600–800 s at 5 m/s (to 3400 m),
 * 800–2000 s at 4 m/s (to 8200 m). By hand:
 *   best 1 km = 1000 m inside the fast stretch = 200 s;
 *   best 5 km = the fast 1000 m (200 s) + 4000 m at 4 m/s (1000 s) = 1200 s;
 *   10 km and longer: the run is 8.2 km, so none. */
static GArray *
stepped_samples (gint64 t0)
{
  GArray *s = g_array_new (FALSE, FALSE, sizeof (SalSample));
  double d = 0;

  for (int t = 0; t <= 2000; t += 10)
    {
      SalSample x = sal_sample_empty ();
      x.time_ms = t0 + t * 1000LL;
      x.distance_m = d;
      g_array_append_val (s, x);
      d += (t >= 600 && t < 800 ? 5.0 : 4.0) * 10;
    }
  return s;
}

static void
test_best_efforts (void)
{
  g_autoptr(SalWorkout) run = workout ("running", 0, 2000 / 60.0, NAN, 8200);
  g_autoptr(SalWorkout) ride = workout ("cycling", 0, 2000 / 60.0, NAN, 8200);
  SalWorkoutEfforts e;

  run->id = 7;
  run->samples = stepped_samples (0);
  sal_workout_efforts_compute (run, &e);
  g_assert_cmpint (e.workout_id, ==, 7);
  g_assert_cmpfloat_with_epsilon (e.best_s[0], 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (e.best_s[1], 1200, 1e-9);
  g_assert_true (isnan (e.best_s[2]) && isnan (e.best_s[3]) && isnan (e.best_s[4]));

  /* A ride's fast kilometre is not a running record. */
  ride->samples = stepped_samples (0);
  sal_workout_efforts_compute (ride, &e);
  g_assert_true (isnan (e.best_s[0]) && isnan (e.best_s[1]));

  /* A half marathon at a steady 4 m/s: 21 097.5 / 4 = 5274.375 s; the marathon is too long. */
  {
    g_autoptr(SalWorkout) half = workout ("running", 0, 100, NAN, 24000);
    half->samples = g_array_new (FALSE, FALSE, sizeof (SalSample));
    for (int t = 0; t <= 6000; t += 5)
      {
        SalSample x = sal_sample_empty ();
        x.time_ms = t * 1000LL;
        x.distance_m = 4.0 * t;
        g_array_append_val (half->samples, x);
      }
    sal_workout_efforts_compute (half, &e);
    g_assert_cmpfloat_with_epsilon (e.best_s[3], 5274.375, 1e-6);
    g_assert_cmpfloat_with_epsilon (e.best_s[2], 2500, 1e-6);
    g_assert_true (isnan (e.best_s[4]));
  }
}

static void
test_records (void)
{
  SalPersonalRecords pr;
  SalWorkoutEfforts a = { 1, { 240, 1300, NAN, NAN, NAN } };
  SalWorkoutEfforts b = { 2, { 200, 1300, 2800, NAN, NAN } };   /* the 5 km ties: 1 keeps it */
  g_autoptr(SalWorkout) w1 = workout ("running", 0, 50, NAN, 10000);
  g_autoptr(SalWorkout) w2 = workout ("cycling", 0, 180, NAN, 80000);
  g_autoptr(SalWorkout) w3 = workout ("running", 0, 180, NAN, 30000);   /* as long: 2 keeps it */

  w1->id = 1;
  w2->id = 2;
  w3->id = 3;
  sal_personal_records_init (&pr);
  g_assert_true (isnan (pr.best_s[0]) && isnan (pr.longest_s) && isnan (pr.most_load));
  sal_personal_records_add_efforts (&pr, &a);
  sal_personal_records_add_efforts (&pr, &b);
  sal_personal_records_add_session (&pr, w1, 320);
  sal_personal_records_add_session (&pr, w2, 250);
  sal_personal_records_add_session (&pr, w3, NAN);
  g_assert_cmpfloat (pr.best_s[0], ==, 200);
  g_assert_cmpint (pr.best_id[0], ==, 2);
  g_assert_cmpfloat (pr.best_s[1], ==, 1300);
  g_assert_cmpint (pr.best_id[1], ==, 1);
  g_assert_cmpfloat (pr.best_s[2], ==, 2800);
  g_assert_cmpint (pr.best_id[3], ==, 0);
  g_assert_true (isnan (pr.best_s[3]));
  g_assert_cmpfloat (pr.longest_s, ==, 180 * 60);
  g_assert_cmpint (pr.longest_id, ==, 2);
  g_assert_cmpfloat (pr.most_load, ==, 320);
  g_assert_cmpint (pr.most_load_id, ==, 1);
  g_assert_true (sal_personal_records_holds (&pr, 1));
  g_assert_true (sal_personal_records_holds (&pr, 2));
  g_assert_false (sal_personal_records_holds (&pr, 3));
  g_assert_false (sal_personal_records_holds (&pr, 0));
}

/* ---- goals ---- */

/* The week of Monday 2026-03-02 in Shanghai (UTC+8): a run at 23:30 UTC on Sunday 1 March
 * is 07:30 on Monday there (counts); one at 16:30 UTC on Sunday 8 March is 00:30 on
 * Monday 9 March there (next week: does not). Two sessions on one day both count. */
static void
test_goal_progress (void)
{
  g_autoptr(GTimeZone) sh = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  SalGoal dist = { 1, SAL_GOAL_DISTANCE, (char *) "running", 20000 };
  SalGoal time = { 2, SAL_GOAL_TIME, NULL, 5 * 3600 };
  SalGoal count = { 3, SAL_GOAL_SESSIONS, NULL, 4 };

  if (sh == NULL)
    {
      g_test_skip ("no tzdata");
      return;
    }
  g_ptr_array_add (ws, workout ("running", MAR2_2026 * DAY_MS - 30 * 60000, 40, 4, 8000));
  g_ptr_array_add (ws, workout ("running", (MAR2_2026 + 2) * DAY_MS + 2 * HOUR_MS, 30, 4, 6000));
  g_ptr_array_add (ws, workout ("cycling", (MAR2_2026 + 2) * DAY_MS + 9 * HOUR_MS, 90, 4, 40000));
  g_ptr_array_add (ws, workout ("running", (MAR2_2026 + 6) * DAY_MS + 16 * HOUR_MS + 30 * 60000,
                                60, 4, 12000));
  /* Shanghai: the first three (8 + 6 km running; 40 + 30 + 90 min; 3 sessions). */
  g_assert_cmpfloat (sal_goal_done (&dist, ws, sh, MAR2_2026), ==, 14000);
  g_assert_cmpfloat (sal_goal_done (&time, ws, sh, MAR2_2026), ==, 160 * 60);
  g_assert_cmpfloat (sal_goal_done (&count, ws, sh, MAR2_2026), ==, 3);
  /* UTC: the Sunday run falls in the week before, the last one in this week. */
  g_assert_cmpfloat (sal_goal_done (&dist, ws, utc, MAR2_2026), ==, 18000);
  g_assert_cmpfloat (sal_goal_done (&count, ws, utc, MAR2_2026), ==, 3);
  g_assert_cmpfloat (sal_goal_done (&count, ws, sh, MAR2_2026 + 7), ==, 1);
}

/* ---- the store ---- */

typedef struct {
  char     *dir;
  char     *db;
  SalStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = sal_test_tmpdir ();
  f->db = g_build_filename (f->dir, "fitness.db", NULL);
  f->store = sal_store_open (f->db, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static void
test_store_goals (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) goals = NULL;
  SalGoal a = { 0, SAL_GOAL_DISTANCE, (char *) "running", 30000 };
  SalGoal b = { 0, SAL_GOAL_SESSIONS, NULL, 4 };
  SalGoal bad = { 0, SAL_GOAL_TIME, NULL, 0 };
  guint purged = 0;

  g_assert_true (sal_store_put_goal (f->store, &a, &error));
  g_assert_true (sal_store_put_goal (f->store, &b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a.id, >, 0);
  g_assert_cmpint (b.id, >, a.id);
  g_assert_false (sal_store_put_goal (f->store, &bad, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);

  a.target = 40000;
  a.kind = SAL_GOAL_TIME;
  a.sport = NULL;
  g_assert_true (sal_store_put_goal (f->store, &a, &error));
  goals = sal_store_list_goals (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (goals->len, ==, 2);
  {
    SalGoal *g = goals->pdata[0];
    g_assert_cmpint (g->id, ==, a.id);
    g_assert_cmpint (g->kind, ==, SAL_GOAL_TIME);
    g_assert_null (g->sport);
    g_assert_cmpfloat (g->target, ==, 40000);
  }
  g_clear_pointer (&goals, g_ptr_array_unref);

  /* Delete, undo, delete again, purge. */
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_GOAL, b.id, &error));
  goals = sal_store_list_goals (f->store, &error);
  g_assert_cmpuint (goals->len, ==, 1);
  g_clear_pointer (&goals, g_ptr_array_unref);
  g_assert_true (sal_store_undo_delete (f->store, SAL_OBJECT_GOAL, b.id, &error));
  goals = sal_store_list_goals (f->store, &error);
  g_assert_cmpuint (goals->len, ==, 2);
  g_clear_pointer (&goals, g_ptr_array_unref);
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_GOAL, b.id, &error));
  g_assert_true (sal_store_purge_deleted (f->store, G_MAXINT64, &purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (purged, >=, 1);
  g_assert_false (sal_store_undo_delete (f->store, SAL_OBJECT_GOAL, b.id, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Editing a deleted goal says so. */
  b.target = 5;
  g_assert_false (sal_store_put_goal (f->store, &b, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
}

static void
test_store_athlete_and_efforts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(SalAthlete) back = NULL;
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GArray) efforts = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  SalWorkoutEfforts e = { 0, { 200, 1200, NAN, NAN, NAN } };
  guint added, dups;

  a->miles = TRUE;
  a->pounds = TRUE;
  a->time_zone = g_strdup ("America/New_York");
  a->weight_kg = 70;
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  back = sal_store_get_athlete (f->store, &error);
  g_assert_no_error (error);
  g_assert_true (back->miles && back->pounds);
  g_assert_cmpstr (back->time_zone, ==, "America/New_York");
  g_assert_cmpfloat (back->weight_kg, ==, 70);   /* kept in kg whatever is shown */
  tz = sal_athlete_time_zone (back);
  g_assert_cmpstr (g_time_zone_get_identifier (tz), ==, "America/New_York");

  g_ptr_array_add (ws, workout ("running", MAR2_2026 * DAY_MS, 40, 5, 8200));
  g_assert_true (sal_store_add_workouts (f->store, ws, FALSE, &added, &dups, &error));
  e.workout_id = ((SalWorkout *) ws->pdata[0])->id;
  g_assert_true (sal_store_set_efforts (f->store, &e, 1, &error));
  g_assert_no_error (error);
  efforts = sal_store_list_efforts (f->store, &error);
  g_assert_cmpuint (efforts->len, ==, 1);
  g_assert_cmpfloat (g_array_index (efforts, SalWorkoutEfforts, 0).best_s[1], ==, 1200);
  g_assert_true (isnan (g_array_index (efforts, SalWorkoutEfforts, 0).best_s[2]));
  g_clear_pointer (&efforts, g_array_unref);
  /* A deleted workout's efforts go with it. */
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_WORKOUT, e.workout_id, &error));
  efforts = sal_store_list_efforts (f->store, &error);
  g_assert_cmpuint (efforts->len, ==, 0);
}

/* A database of schema 4 with an athlete is migrated: the profile stays, in km and kg
 * and the computer's time zone, and goals can be stored. */
static void
test_migration (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(SalAthlete) back = NULL;
  SalGoal g = { 0, SAL_GOAL_SESSIONS, NULL, 3 };
  sqlite3 *db = NULL;

  a->name = g_strdup ("Old");
  a->max_hr_bpm = 185;
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  g_clear_pointer (&f->store, sal_store_unref);
  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE fitness_goals; DROP TABLE workout_efforts; "
                                     "ALTER TABLE athlete DROP COLUMN time_zone; "
                                     "ALTER TABLE athlete DROP COLUMN weight_unit; "
                                     "ALTER TABLE athlete DROP COLUMN distance_unit; "
                                     "PRAGMA user_version = 4", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = sal_store_open (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_store_get_schema_version (f->store), >=, 5);
  back = sal_store_get_athlete (f->store, &error);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->name, ==, "Old");
  g_assert_cmpfloat (back->max_hr_bpm, ==, 185);
  g_assert_false (back->miles);
  g_assert_false (back->pounds);
  g_assert_null (back->time_zone);
  g_assert_true (sal_store_put_goal (f->store, &g, &error));
  g_assert_no_error (error);
}

/* ---- the overview job in the athlete's time zone ---- */

static SalFitnessResult *
run_overview (SalStore *store, gint64 today)
{
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SalJob) job = sal_fitness_overview_job_new (store, utc, today);

  sal_job_queue_push (queue, job);
  while (!sal_job_is_finished (job))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (sal_job_get_error (job));
  return sal_job_dup_result (job);
}

static double
load_on (SalFitnessResult *r, gint64 day)
{
  gint64 i = day - r->summary->first_day;
  g_assert_true (i >= 0 && i < r->summary->n_days);
  return r->summary->days[i].load;
}

/* Loads by RPE (RPE × minutes) so each session is told apart by its load:
 *   A 2026-03-08 04:30 UTC, 10 min × RPE 1 = 10: 23:30 EST on 7 March in New York
 *     (before the switch), 12:30 on 8 March in Shanghai;
 *   B 2026-03-09 04:30 UTC, 10 × 2 = 20: 00:30 EDT on 9 March (after the switch: with the
 *     winter offset it would wrongly be 23:30 on the 8th);
 *   C 2026-03-02 15:30 UTC, 10 × 3 = 30: 23:30 on 2 March in Shanghai; 10:30 in New York;
 *   D 2026-03-02 16:30 UTC, 10 × 4 = 40: 00:30 on 3 March in Shanghai;
 *   E 2026-11-02 04:30 UTC, 10 × 5 = 50: 23:30 EST on 1 November (after falling back; with
 *     the summer offset it would wrongly be 00:30 on the 2nd). */
static void
test_overview_time_zone (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GTimeZone) ny = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(SalFitnessResult) r1 = NULL, r2 = NULL, r3 = NULL;
  guint added, dups;

  if (ny == NULL)
    {
      g_test_skip ("no tzdata");
      return;
    }
  g_ptr_array_add (ws, workout ("running", MAR8_2026 * DAY_MS + 4 * HOUR_MS + 1800000, 10, 1, 2000));
  g_ptr_array_add (ws, workout ("running", MAR9_2026 * DAY_MS + 4 * HOUR_MS + 1800000, 10, 2, 2000));
  g_ptr_array_add (ws, workout ("running", MAR2_2026 * DAY_MS + 15 * HOUR_MS + 1800000, 10, 3, 2000));
  g_ptr_array_add (ws, workout ("running", MAR2_2026 * DAY_MS + 16 * HOUR_MS + 1800000, 10, 4, 2000));
  g_ptr_array_add (ws, workout ("running", NOV2_2026 * DAY_MS + 4 * HOUR_MS + 1800000, 10, 5, 2000));
  g_assert_true (sal_store_add_workouts (f->store, ws, FALSE, &added, &dups, &error));
  g_assert_cmpuint (added, ==, 5);

  a->time_zone = g_strdup ("America/New_York");
  a->miles = TRUE;
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  r1 = run_overview (f->store, MAR9_2026 + 1);
  g_assert_cmpstr (g_time_zone_get_identifier (r1->tz), ==, "America/New_York");
  g_assert_true (r1->units.miles);
  g_assert_cmpfloat (load_on (r1, MAR8_2026 - 1), ==, 10);
  g_assert_cmpfloat (load_on (r1, MAR8_2026), ==, 0);
  g_assert_cmpfloat (load_on (r1, MAR9_2026), ==, 20);
  g_assert_cmpfloat (load_on (r1, MAR2_2026), ==, 30 + 40);   /* two sessions, one day */
  r2 = run_overview (f->store, NOV2_2026 + 1);
  g_assert_cmpfloat (load_on (r2, NOV1_2026), ==, 50);
  g_assert_cmpfloat (load_on (r2, NOV2_2026), ==, 0);

  g_free (a->time_zone);
  a->time_zone = g_strdup ("Asia/Shanghai");
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  r3 = run_overview (f->store, MAR9_2026 + 1);
  g_assert_cmpfloat (load_on (r3, MAR2_2026), ==, 30);
  g_assert_cmpfloat (load_on (r3, MAR2_2026 + 1), ==, 40);
  g_assert_cmpfloat (load_on (r3, MAR8_2026), ==, 10);
  g_assert_cmpfloat (load_on (r3, MAR9_2026), ==, 20);
  /* The CLI's local days are the profile's too. */
  {
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_clear_pointer (&f->store, sal_store_unref);
    status = sal_test_run_cli (&out, &err, "--db", f->db, "fitness", "summary", "--from",
                               "2026-03-02", "--to", "2026-03-03", "--json", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "Asia/Shanghai"));
    /* SI in JSON: no miles there. */
    g_assert_null (strstr (out, "mi\""));
  }
}

/* The overview finds the records (computing the best efforts once, then from the cache)
 * and this week's goal progress. */
static void
test_overview_records_goals (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(SalFitnessResult) r1 = NULL, r2 = NULL;
  g_autoptr(GArray) cached = NULL;
  SalWorkout *fast;
  SalGoal goal = { 0, SAL_GOAL_DISTANCE, (char *) "running", 20000 };
  guint added, dups;

  fast = workout ("running", MAR2_2026 * DAY_MS + 8 * HOUR_MS, 2000 / 60.0, 5, 8200);
  fast->samples = stepped_samples (fast->start_ms);
  g_ptr_array_add (ws, fast);
  g_ptr_array_add (ws, workout ("cycling", (MAR2_2026 + 1) * DAY_MS + 8 * HOUR_MS, 150, 1, 60000));
  g_ptr_array_add (ws, workout ("running", (MAR2_2026 + 2) * DAY_MS + 8 * HOUR_MS, 30, 9, 6000));
  g_assert_true (sal_store_add_workouts (f->store, ws, FALSE, &added, &dups, &error));
  g_assert_true (sal_store_put_goal (f->store, &goal, &error));

  r1 = run_overview (f->store, MAR2_2026 + 3);
  g_assert_cmpfloat_with_epsilon (r1->records.best_s[0], 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (r1->records.best_s[1], 1200, 1e-9);
  g_assert_cmpint (r1->records.best_id[0], ==, fast->id);
  g_assert_cmpint (r1->record_start_ms[0], ==, fast->start_ms);
  g_assert_cmpint (r1->records.best_id[2], ==, 0);
  g_assert_cmpfloat (r1->records.longest_s, ==, 150 * 60);           /* the ride */
  g_assert_cmpfloat (r1->records.most_load, ==, 9 * 30);             /* RPE 9 × 30 min */
  g_assert_cmpuint (r1->goals->len, ==, 1);
  g_assert_cmpint (r1->week_monday, ==, MAR2_2026);
  g_assert_cmpfloat (g_array_index (r1->goal_done, double, 0), ==, 8200 + 6000);

  /* Cached now: one row per run; the second overview reads the same records. */
  cached = sal_store_list_efforts (f->store, &error);
  g_assert_cmpuint (cached->len, ==, 2);
  r2 = run_overview (f->store, MAR2_2026 + 3);
  g_assert_cmpfloat (r2->records.best_s[1], ==, r1->records.best_s[1]);
  g_assert_cmpint (r2->records.best_id[1], ==, fast->id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/fitness-records/units", test_units);
  g_test_add_func ("/app/fitness-records/entry-miles", test_entry_miles);
  g_test_add_func ("/app/fitness-records/best-efforts", test_best_efforts);
  g_test_add_func ("/app/fitness-records/records", test_records);
  g_test_add_func ("/app/fitness-records/goal-progress", test_goal_progress);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/app/fitness-records/store-goals", test_store_goals);
  ADD ("/app/fitness-records/store-athlete-efforts", test_store_athlete_and_efforts);
  ADD ("/app/fitness-records/migration", test_migration);
  ADD ("/app/fitness-records/overview-time-zone", test_overview_time_zone);
  ADD ("/app/fitness-records/overview-records-goals", test_overview_records_goals);
#undef ADD
  return g_test_run ();
}
