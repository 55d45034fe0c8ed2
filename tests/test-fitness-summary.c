/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Fitness workspace's numbers against values computed by hand. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-fitness-jobs.h"   /* first: see there */
#include "sal-demo-athlete.h"
#include "sal-fitness-summary.h"
#include "sal-readiness-card.h"
#include "sal-store.h"
#include "sal-hr-zones.h"
#include "sal-test-util.h"
#include "sal-workout-entry.h"

/* 2024-01-01 (a Monday) is local day 19723. */
#define JAN1 19723
#define DAY_MS 86400000LL

static SalWorkout *
workout (const char *sport, gint64 start_ms, double minutes, double avg_hr, double rpe,
         double distance_m)
{
  SalWorkout *w = sal_workout_new ();
  g_free (w->sport);
  w->sport = g_strdup (sport);
  w->start_ms = start_ms;
  w->duration_s = minutes * 60;
  w->avg_hr_bpm = avg_hr;
  w->rpe = rpe;
  w->distance_m = distance_m;
  return w;
}

static SalAthlete *
athlete (void)
{
  SalAthlete *a = sal_athlete_new ();
  a->sex = g_strdup ("male");
  a->resting_hr_bpm = 60;
  a->max_hr_bpm = 180;
  return a;
}

/* Two sessions on day 0 (one by heart rate, one by RPE), a two-day gap, one on day 3.
 *   day 0: 60 min at HR 120: HRr = 0.5, TRIMP = 60 × 0.5 × 0.64 e^0.96 = 50.14457;
 *          + 30 min at RPE 5 = 150                 → L0 = 200.14457
 *   CTL0 = L0/42 = 4.765347, ATL0 = L0/7 = 28.592082
 *   days 1, 2 (gap): CTL ×41/42, ATL ×6/7          → CTL2 = 4.541127, ATL2 = 21.006427
 *   day 3: 50 min at RPE 4 = 200: CTL3 = 9.194910, ATL3 = 46.576938,
 *          form3 = CTL2 − ATL2 = −16.465300 */
static void
test_daily_series (void)
{
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(SalAthlete) a = athlete ();
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SalFitnessSummary) s = NULL;
  SalLoadParams p = { 42, 7 };
  SalLoadSource src;

  g_ptr_array_add (ws, workout ("running", JAN1 * DAY_MS + 7 * 3600000, 60, 120, NAN, 10000));
  g_ptr_array_add (ws, workout ("strength", JAN1 * DAY_MS + 18 * 3600000, 30, NAN, 5, NAN));
  g_ptr_array_add (ws, workout ("cycling", (JAN1 + 3) * DAY_MS + 9 * 3600000, 50, NAN, 4, 20000));

  g_assert_cmpfloat_with_epsilon (sal_workout_session_load (ws->pdata[0], a, &src), 50.14457, 1e-4);
  g_assert_cmpint (src, ==, SAL_LOAD_SOURCE_HR_AVERAGE);
  g_assert_cmpfloat_with_epsilon (sal_workout_session_load (ws->pdata[1], a, &src), 150, 1e-9);
  g_assert_cmpint (src, ==, SAL_LOAD_SOURCE_RPE);

  s = sal_fitness_summary_compute (ws, a, utc, &p, JAN1 + 2, JAN1 + 3);
  g_assert_cmpint (s->n_days, ==, 2);
  /* Day 2 is in the gap; the history before the range still counts. */
  g_assert_cmpfloat_with_epsilon (s->days[0].load, 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s->days[0].ctl, 4.541127, 1e-5);
  g_assert_cmpfloat_with_epsilon (s->days[0].atl, 21.006427, 1e-5);
  g_assert_cmpint (s->n_sessions[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (s->days[1].load, 200, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->days[1].ctl, 9.194910, 1e-5);
  g_assert_cmpfloat_with_epsilon (s->days[1].atl, 46.576938, 1e-5);
  g_assert_cmpfloat_with_epsilon (s->days[1].form, -16.465300, 1e-5);
  g_assert_cmpint (s->n_sessions[1], ==, 1);
  g_assert_cmpfloat_with_epsilon (s->distance_m[1], 20000, 1e-9);

  g_clear_pointer (&s, sal_fitness_summary_free);
  s = sal_fitness_summary_compute (ws, a, utc, &p, JAN1, JAN1);
  g_assert_cmpint (s->n_sessions[0], ==, 2);
  g_assert_cmpfloat_with_epsilon (s->days[0].load, 200.14457, 1e-4);
  g_assert_cmpfloat_with_epsilon (s->duration_s[0], 90 * 60, 1e-9);
  /* One day of history: the 7-day spread is not zero but the 28-day ratio is defined. */
  g_assert_false (isinf (s->days[0].acwr_rolling));
}

/* A run at 23:30 UTC on 1 January is on 2 January in Berlin (UTC+1). */
static void
test_local_days (void)
{
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(SalFitnessSummary) s1 = NULL, s2 = NULL;
  SalLoadParams p = { 42, 7 };

  if (berlin == NULL)
    {
      g_test_skip ("no tzdata");
      return;
    }
  g_ptr_array_add (ws, workout ("running", JAN1 * DAY_MS + 23 * 3600000 + 1800000, 10, NAN, 6,
                                NAN));
  s1 = sal_fitness_summary_compute (ws, NULL, utc, &p, JAN1, JAN1 + 1);
  s2 = sal_fitness_summary_compute (ws, NULL, berlin, &p, JAN1, JAN1 + 1);
  g_assert_cmpfloat (s1->days[0].load, ==, 60);
  g_assert_cmpfloat (s1->days[1].load, ==, 0);
  g_assert_cmpfloat (s2->days[0].load, ==, 0);
  g_assert_cmpfloat (s2->days[1].load, ==, 60);
}

static void
test_days_and_weeks (void)
{
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GArray) weeks = NULL;
  g_autofree char *s = sal_day_to_string (JAN1);
  gint64 day;

  g_assert_cmpstr (s, ==, "2024-01-01");
  g_assert_true (sal_day_from_string ("2024-02-29", &day));
  g_assert_cmpint (day, ==, JAN1 + 59);
  g_assert_false (sal_day_from_string ("2023-02-29", &day));
  g_assert_false (sal_day_from_string ("2024-1-1", &day));
  g_assert_false (sal_day_from_string ("2024-01-01x", &day));
  g_assert_cmpint (sal_day_monday (JAN1 + 6), ==, JAN1);   /* Sunday 7 Jan */
  g_assert_cmpint (sal_day_monday (JAN1 + 7), ==, JAN1 + 7);

  /* Week 1: two runs 10 + 5 km; week 2: a ride, 20 km; Sunday 14 Jan stays in week 2. */
  g_ptr_array_add (ws, workout ("running", JAN1 * DAY_MS, 50, NAN, NAN, 10000));
  g_ptr_array_add (ws, workout ("running", (JAN1 + 6) * DAY_MS, 25, NAN, NAN, 5000));
  g_ptr_array_add (ws, workout ("cycling", (JAN1 + 13) * DAY_MS, 60, NAN, NAN, 20000));
  g_ptr_array_add (ws, workout ("yoga", (JAN1 + 13) * DAY_MS, 30, NAN, NAN, NAN));
  weeks = sal_weekly_volume (ws, utc, JAN1 + 13, 3);
  g_assert_cmpint (weeks->len, ==, 3);
  g_assert_cmpint (g_array_index (weeks, SalWeekVolume, 1).monday, ==, JAN1);
  g_assert_cmpfloat (g_array_index (weeks, SalWeekVolume, 0).n_sessions, ==, 0);
  g_assert_cmpfloat (g_array_index (weeks, SalWeekVolume, 1).distance_m[SAL_SPORT_RUNNING], ==, 15000);
  g_assert_cmpint (g_array_index (weeks, SalWeekVolume, 1).n_sessions, ==, 2);
  g_assert_cmpfloat (g_array_index (weeks, SalWeekVolume, 2).distance_m[SAL_SPORT_CYCLING], ==, 20000);
  g_assert_cmpfloat (g_array_index (weeks, SalWeekVolume, 2).duration_s[SAL_SPORT_OTHER], ==, 1800);
}

/* Samples every 10 s at 100, 130, 150, 175 bpm, then a 5-minute pause, then 120 bpm. */
static void
test_time_in_zones (void)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (SalSample));
  g_autoptr(GArray) zones = g_array_new (FALSE, FALSE, sizeof (SalHrZone));
  static const double hr[] = { 100, 130, 150, 175, 120, 120 };
  static const gint64 t[] = { 0, 10, 20, 30, 330, 340 };
  double out[3];
  SalHrZone z[] = { { 1, 0, 125 }, { 2, 125, 160 }, { 3, 160, 200 } };

  for (guint i = 0; i < G_N_ELEMENTS (hr); i++)
    {
      SalSample s = sal_sample_empty ();
      s.time_ms = t[i] * 1000;
      s.heart_rate_bpm = hr[i];
      g_array_append_val (samples, s);
    }
  g_array_append_vals (zones, z, 3);
  /* 100 → z1 10 s; 130, 150 → z2 20 s; 175 held 300 s is a pause; 120 → z1 10 s. */
  g_assert_cmpfloat (sal_time_in_zones (samples, zones, out), ==, 40);
  g_assert_cmpfloat (out[0], ==, 20);
  g_assert_cmpfloat (out[1], ==, 20);
  g_assert_cmpfloat (out[2], ==, 0);
}

static void
test_demo_and_cli (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "fit.db", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *days;
  int status;

  status = sal_test_run_cli (&out, &err, "--db", db, "fitness", "demo", "--days", "120",
                             "--tz", "UTC", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "--db", db, "fitness", "summary", "--tz", "UTC",
                             "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  days = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                       "days");
  g_assert_cmpint (json_array_get_length (days), ==, 28);
  {
    double ctl_sum = 0;
    int sessions = 0;
    for (guint i = 0; i < 28; i++)
      {
        JsonObject *d = json_array_get_object_element (days, i);
        ctl_sum += json_object_get_double_member (d, "ctl");
        sessions += json_object_get_int_member (d, "sessions");
      }
    /* A trained demo athlete: a real chronic load and most days with a session. */
    g_assert_cmpfloat (ctl_sum / 28, >, 20);
    g_assert_cmpint (sessions, >, 10);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "--db", db, "fitness", "summary", "--from",
                             "2024-13-01", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "2024-13-01"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "--db", db, "fitness", "remove-demo", NULL);
  g_assert_cmpint (status, ==, 0);
  {
    g_autoptr(SalStore) store = sal_store_open (db, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sal_store_count_workouts (store, &error), ==, 0);
  }
  sal_test_rm_rf (dir);
}

static void
test_entry (void)
{
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalWorkout) w = NULL;
  SalWorkoutEntry e = { "running", "Tempo", "2024-01-01", "07:30", "1:05:30", "12,5", "150",
                        "171", 7, "felt good", NULL };
  double sec;

  g_assert_true (sal_parse_duration ("45", &sec));
  g_assert_cmpfloat (sec, ==, 2700);
  g_assert_true (sal_parse_duration (" 45:30 ", &sec));
  g_assert_cmpfloat (sec, ==, 2730);
  g_assert_true (sal_parse_duration ("1:00:01", &sec));
  g_assert_cmpfloat (sec, ==, 3601);
  g_assert_false (sal_parse_duration ("1:60", &sec));
  g_assert_false (sal_parse_duration ("0", &sec));
  g_assert_false (sal_parse_duration ("soon", &sec));

  if (berlin == NULL)
    berlin = g_time_zone_new_utc ();
  w = sal_workout_from_entry (&e, berlin, &error);
  g_assert_no_error (error);
  /* 07:30 in Berlin (UTC+1) on 2024-01-01 = 06:30 UTC. */
  g_assert_cmpint (w->start_ms, ==, (JAN1 * DAY_MS + 6 * 3600000 + 1800000));
  g_assert_cmpfloat (w->duration_s, ==, 3930);
  g_assert_cmpfloat (w->distance_m, ==, 12500);
  g_assert_cmpfloat (w->rpe, ==, 7);
  g_assert_cmpstr (w->notes, ==, "felt good");
  g_clear_pointer (&w, sal_workout_free);

  e.max_hr = "140";
  g_assert_null (sal_workout_from_entry (&e, berlin, &error));
  g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_HEART_RATE);
  g_assert_nonnull (strstr (error->message, "below the average"));
  g_clear_error (&error);
  e.max_hr = NULL;
  e.date = "2024-02-30";
  g_assert_null (sal_workout_from_entry (&e, berlin, &error));
  g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DATE);
  g_clear_error (&error);
  e.date = "2024-01-01";
  e.duration = "";
  g_assert_null (sal_workout_from_entry (&e, berlin, &error));
  g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_DURATION);
  g_clear_error (&error);
  e.duration = "30";
  e.sport = "strength";
  e.sets = "squat, 5 x 80\nbench press, 8 × 60\n\npull-up, 10";
  w = sal_workout_from_entry (&e, berlin, &error);
  g_assert_no_error (error);
  /* Loads get the athlete's unit (kg here) so the note says what was lifted. */
  g_assert_cmpstr (w->notes, ==, "felt good\nsquat, 5 x 80 kg\nbench press, 8 × 60 kg\npull-up, 10");
  g_clear_pointer (&w, sal_workout_free);
  e.sets = "squat five times";
  g_assert_null (sal_workout_from_entry (&e, berlin, &error));
  g_assert_error (error, SAL_WORKOUT_ENTRY_ERROR, SAL_WORKOUT_ENTRY_ERROR_SETS);
}

/* HRrest 50, HRmax 190, LTHR 170:
 *   %HRmax:   95 114 133 152 171 190
 *   Karvonen: 50 + f × 140 = 120 134 148 162 176 190
 *   LTHR:     50, 0.85×170 = 144.5 → 145 (rounded half up), 153, 161.5 → 162, 170, 190 */
static void
test_zones (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) a = sal_hr_zones_compute (SAL_ZONES_PERCENT_MAX, 50, 190, 170, &error);
  g_autoptr(GArray) b = sal_hr_zones_compute (SAL_ZONES_KARVONEN, 50, 190, 170, &error);
  g_autoptr(GArray) c = sal_hr_zones_compute (SAL_ZONES_LTHR, 50, 190, 170, &error);
  static const double ea[] = { 95, 114, 133, 152, 171, 190 };
  static const double eb[] = { 120, 134, 148, 162, 176, 190 };
  static const double ec[] = { 50, 145, 153, 162, 170, 190 };

  g_assert_no_error (error);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpfloat (g_array_index (a, SalHrZone, i).low_bpm, ==, ea[i]);
      g_assert_cmpfloat (g_array_index (a, SalHrZone, i).high_bpm, ==, ea[i + 1]);
      g_assert_cmpfloat (g_array_index (b, SalHrZone, i).low_bpm, ==, eb[i]);
      g_assert_cmpfloat (g_array_index (c, SalHrZone, i).low_bpm, ==, ec[i]);
      g_assert_cmpfloat (g_array_index (c, SalHrZone, i).high_bpm, ==, ec[i + 1]);
    }
  g_assert_null (sal_hr_zones_compute (SAL_ZONES_KARVONEN, NAN, 190, NAN, &error));
  g_assert_nonnull (strstr (error->message, "resting"));
  g_clear_error (&error);
  g_assert_null (sal_hr_zones_compute (SAL_ZONES_LTHR, 50, 190, 195, &error));
  g_clear_error (&error);
  /* An edited boundary that leaves a gap is refused. */
  g_array_index (a, SalHrZone, 2).low_bpm = 130;
  g_assert_false (sal_hr_zones_validate (a, &error));
  g_assert_nonnull (strstr (error->message, "Zone 3"));
}

/* A year of the demo athlete: fine-tuned on its 13 tests, today's factors explained
 * exactly (the values sum to f(x) − E[f]); three weeks are too little, and it says so. */
static void
test_readiness_card (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (":memory:", &error);
  g_autoptr(SalStore) short_store = sal_store_open (":memory:", &error);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *model = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                             "readiness.onnx", NULL);
  g_autoptr(SalReadinessCard) c = NULL, c2 = NULL;
  double sum = 0;
  gint64 today = JAN1 + 400;

  g_assert_true (sal_demo_athlete_generate (store, 3, 365, today, utc, NULL, NULL, &error));
  c = sal_readiness_card_compute (store, utc, today, model, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (c->available);
  g_assert_cmpint (c->n_tests, >=, 6);
  g_assert_true (c->fine_tuned);
  g_assert_cmpint (c->n_background, ==, 28);
  g_assert_nonnull (c->history);
  for (int k = 0; k < SAL_READINESS_N_FEATURES; k++)
    sum += c->shapley[k];
  g_assert_cmpfloat (c->efficiency_gap, <, 1e-3);
  if (c->readiness > 0 && c->readiness < 10)
    g_assert_cmpfloat_with_epsilon (sum, c->readiness - c->expected, 1e-3);
  if (c->readiness < 3)
    g_assert_cmpstr (c->session, ==, "rest");
  else if (c->readiness < 4.5)
    g_assert_cmpstr (c->session, ==, "easy");
  else if (c->readiness < 6.5)
    g_assert_cmpstr (c->session, ==, "moderate");
  else
    g_assert_cmpstr (c->session, ==, "hard");
  g_assert_cmpfloat (c->target_load, >=, 0);

  g_assert_true (sal_demo_athlete_generate (short_store, 3, 21, today, utc, NULL, NULL, &error));
  c2 = sal_readiness_card_compute (short_store, utc, today, model, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (c2->available);
  g_assert_false (c2->fine_tuned);
  g_assert_nonnull (strstr (c2->history, "Not enough history"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/fitness/daily-series", test_daily_series);
  g_test_add_func ("/app/fitness/local-days", test_local_days);
  g_test_add_func ("/app/fitness/days-and-weeks", test_days_and_weeks);
  g_test_add_func ("/app/fitness/time-in-zones", test_time_in_zones);
  g_test_add_func ("/app/fitness/demo-and-cli", test_demo_and_cli);
  g_test_add_func ("/app/fitness/entry", test_entry);
  g_test_add_func ("/app/fitness/zones", test_zones);
  g_test_add_func ("/app/fitness/readiness-card", test_readiness_card);
  return g_test_run ();
}
