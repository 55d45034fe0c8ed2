/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A year (or any span) of generated training history for a new user to explore. */
#define G_LOG_DOMAIN "sal-demo"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-athlete-sim.h"
#include "sal-demo-athlete.h"
#include "sal-fitness-summary.h"
#include "sal-training-load.h"

#define DEMO_HR_REST 52.0
#define DEMO_HR_MAX  188.0

typedef struct {
  SalAthleteSim *sim;
  gint64         first_day;
  GTimeZone     *tz;
  GRand         *rand;
  GCancellable  *cancellable;
  guint          n_workouts;
} DemoBuild;

/* Banister TRIMP per minute at a heart-rate reserve fraction (men's weighting). */
static double
trimp_per_minute (double hrr)
{
  return hrr * 0.64 * exp (1.92 * hrr);
}

static gint64
local_ms (GTimeZone *tz, gint64 day, int hour, int minute)
{
  g_autoptr(GDate) date = g_date_new_julian ((guint32) (day + 719163));
  g_autoptr(GDateTime) dt = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                                             g_date_get_day (date), hour, minute, 0);
  return g_date_time_to_unix (dt) * 1000;
}

/* A loop around a demo park, sampled every 10 s, at the session's speed and heart rate. */
static void
add_samples (SalWorkout *w, GRand *rand, double hr, double speed)
{
  int n = (int) (w->duration_s / 10.0);
  double lat0 = 48.137, lon0 = 11.575, r_m = w->distance_m / (2 * G_PI) / 3;
  double dist = 0;
  double hr_now = DEMO_HR_REST + 30;

  w->samples = g_array_sized_new (FALSE, FALSE, sizeof (SalSample), n + 1);
  for (int i = 0; i <= n; i++)
    {
      SalSample s = sal_sample_empty ();
      double a = dist / (r_m * 2 * G_PI + 1e-9) * 2 * G_PI;
      /* A lumpy loop: the radius wobbles so the route has a shape. */
      double rr = r_m * (1 + 0.25 * sin (3 * a) + 0.1 * cos (5 * a));
      double target = hr + 6 * sin (i / 40.0);

      hr_now += (target - hr_now) * 0.05 + g_rand_double_range (rand, -1.5, 1.5);
      s.time_ms = w->start_ms + (gint64) i * 10000;
      s.lat_deg = lat0 + rr * sin (a) / 111320.0;
      s.lon_deg = lon0 + rr * cos (a) / (111320.0 * cos (lat0 * G_PI / 180));
      s.elevation_m = 520 + 15 * sin (a) + 6 * sin (4 * a);
      s.distance_m = dist;
      s.speed_mps = speed * (1 + 0.05 * sin (i / 17.0));
      s.heart_rate_bpm = round (hr_now);
      s.cadence_rpm = g_str_equal (w->sport, "running") ? 170 + 4 * sin (i / 9.0) : 88;
      g_array_append_val (w->samples, s);
      dist += s.speed_mps * 10;
    }
  w->distance_m = dist;
}

static SalWorkout *
make_workout (DemoBuild *b, int d, double load)
{
  SalWorkout *w = sal_workout_new ();
  double intensity = CLAMP (load / 180.0, 0, 1);
  /* Mostly easy sessions low in the heart-rate reserve, hard ones near threshold: the
   * polarised pattern of a sensible plan. */
  double hrr = 0.45 + 0.4 * pow (intensity, 1.5);
  double minutes = load / trimp_per_minute (hrr);
  double hr = DEMO_HR_REST + hrr * (DEMO_HR_MAX - DEMO_HR_REST);
  gboolean run = (d % 3) != 1;
  double speed = run ? 2.6 + 1.2 * intensity : 6.5 + 2.5 * intensity;

  g_free (w->sport);
  w->sport = g_strdup (run ? "running" : "cycling");
  w->title = g_strdup (run ? (intensity > 0.6 ? _("Intervals") : _("Easy run"))
                           : (intensity > 0.6 ? _("Hard ride") : _("Endurance ride")));
  w->start_ms = local_ms (b->tz, b->first_day + d, 6 + (d * 7) % 12, (d * 13) % 60);
  w->duration_s = round (minutes * 60);
  w->distance_m = round (w->duration_s * speed);
  w->avg_hr_bpm = round (hr);
  w->max_hr_bpm = round (MIN (DEMO_HR_MAX, hr + 8 + 10 * intensity));
  w->rpe = round (CLAMP (2 + 7 * intensity, 1, 10));
  w->source = g_strdup ("demo");
  if (b->n_workouts % 5 == 0)
    add_samples (w, b->rand, hr, speed);
  b->n_workouts++;
  return w;
}

static gboolean
build_cb (SalStore *store, gpointer user_data, GError **error)
{
  DemoBuild *b = user_data;
  SalAthleteSim *sim = b->sim;
  g_autoptr(GPtrArray) workouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(SalAthlete) existing = NULL;
  GError *local = NULL;
  guint added = 0, dups = 0;

  existing = sal_store_get_athlete (store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (existing == NULL)
    {
      g_autoptr(SalAthlete) a = sal_athlete_new ();
      static const double bounds[] = { 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };

      a->name = g_strdup (_("Demo athlete"));
      a->birth_year = 1990;
      a->sex = g_strdup ("male");
      a->weight_kg = 70;
      a->height_cm = 178;
      a->resting_hr_bpm = DEMO_HR_REST;
      a->max_hr_bpm = DEMO_HR_MAX;
      a->threshold_hr_bpm = 168;
      a->demo = TRUE;
      for (int z = 0; z < 5; z++)
        {
          SalHrZone zone = { z + 1, bounds[z] * DEMO_HR_MAX, bounds[z + 1] * DEMO_HR_MAX };
          g_array_append_val (a->zones, zone);
        }
      if (!sal_store_set_athlete (store, a, error))
        return FALSE;
    }

  for (int d = 0; d < sim->n_days; d++)
    {
      g_autoptr(SalWellness) wl = NULL;
      g_autofree char *day = sal_day_to_string (b->first_day + d);

      if (g_cancellable_set_error_if_cancelled (b->cancellable, error))
        return FALSE;
      if (sim->load[d] > 0.5)
        g_ptr_array_add (workouts, make_workout (b, d, sim->load[d]));
      wl = sal_wellness_new (day);
      wl->sleep_h = round (sim->sleep_h[d] * 10) / 10;
      wl->resting_hr_bpm = round (sim->resting_hr[d]);
      /* The simulator scores soreness 1..10, the store 1..5. */
      wl->soreness = CLAMP (round ((sim->soreness[d] + 1) / 2), 1, 5);
      wl->mood = CLAMP (round (5 - wl->soreness / 2 + g_rand_double_range (b->rand, -0.5, 0.5)),
                        1, 5);
      if (!sal_store_set_wellness (store, wl, TRUE, error))
        return FALSE;
      if (!isnan (sim->test[d]))
        {
          SalPerformanceTest t = { 0 };
          /* The 5 km time trial scales inversely with the simulated performance. */
          t.kind = (char *) "5k-time";
          t.time_ms = local_ms (b->tz, b->first_day + d, 9, 0);
          t.value = round (1200.0 * 100.0 / MAX (sim->test[d], 50));
          t.unit = (char *) "s";
          if (sal_store_add_performance_test (store, &t, TRUE, error) == 0)
            return FALSE;
        }
    }
  return sal_store_add_workouts (store, workouts, TRUE, &added, &dups, error);
}

gboolean
sal_demo_athlete_generate (SalStore     *store,
                           guint32       seed,
                           int           n_days,
                           gint64        last_day,
                           GTimeZone    *tz,
                           GCancellable *cancellable,
                           guint        *n_workouts,
                           GError      **error)
{
  g_autoptr(SalAthleteSim) sim = NULL;
  DemoBuild b = { 0 };
  gboolean ok;

  g_return_val_if_fail (n_days > 0, FALSE);
  sim = sal_athlete_simulate (seed, n_days, 28);
  b.sim = sim;
  b.first_day = last_day - n_days + 1;
  b.tz = tz;
  b.rand = g_rand_new_with_seed (seed ^ 0x5a17u);
  b.cancellable = cancellable;
  ok = sal_store_run_in_transaction (store, build_cb, &b, error);
  g_rand_free (b.rand);
  if (n_workouts != NULL)
    *n_workouts = ok ? b.n_workouts : 0;
  return ok;
}
