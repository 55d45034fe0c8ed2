/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include "sal-training-load.h"

#define EPS 1e-6

static SalSample
sample (double t_s, double hr, double dist)
{
  SalSample s = sal_sample_empty ();

  s.time_ms = (gint64) (t_s * 1000);
  s.heart_rate_bpm = hr;
  s.distance_m = dist;
  return s;
}

/* Values computed by hand (see the formulas in sal-training-load.h). */
static void
test_banister (void)
{
  g_autoptr(GArray) s = g_array_new (FALSE, FALSE, sizeof (SalSample));

  g_assert_cmpfloat_with_epsilon (sal_trimp_banister (60, 150, 50, 190, SAL_SEX_MALE), 108.095359, EPS);
  g_assert_cmpfloat_with_epsilon (sal_trimp_banister (60, 150, 50, 190, SAL_SEX_FEMALE), 121.499066, EPS);
  g_assert_cmpfloat (sal_trimp_banister (60, 40, 50, 190, SAL_SEX_MALE), ==, 0);   /* below rest */
  g_assert_true (isnan (sal_trimp_banister (60, NAN, 50, 190, SAL_SEX_MALE)));
  g_assert_true (isnan (sal_trimp_banister (60, 150, 190, 190, SAL_SEX_MALE)));

  /* Two 30 s intervals at 150 = one steady minute; a 5-minute pause is skipped. */
  g_array_append_vals (s, (SalSample[]) { sample (0, 150, 0), sample (30, 150, 100), sample (60, 120, 200),
                                          sample (360, 150, 300) }, 4);
  g_assert_cmpfloat_with_epsilon (sal_trimp_banister_samples (s, 50, 190, SAL_SEX_MALE),
                                  108.095359 / 60 / 2 + sal_trimp_banister (0.5, 150, 50, 190, SAL_SEX_MALE), EPS);
}

static void
test_edwards_and_rpe (void)
{
  g_autoptr(GArray) s = g_array_new (FALSE, FALSE, sizeof (SalSample));

  /* 10 min at 75% of 200 (zone 3), 2 min at 92.5% (zone 5), 1 min at 40% (no zone). */
  for (int t = 0; t < 600; t += 30)
    g_array_append_vals (s, (SalSample[]) { sample (t, 150, NAN) }, 1);
  for (int t = 600; t < 720; t += 30)
    g_array_append_vals (s, (SalSample[]) { sample (t, 185, NAN) }, 1);
  for (int t = 720; t <= 780; t += 30)
    g_array_append_vals (s, (SalSample[]) { sample (t, 80, NAN) }, 1);
  g_assert_cmpfloat_with_epsilon (sal_trimp_edwards_samples (s, 200), 10 * 3 + 2 * 5, EPS);
  g_assert_cmpfloat_with_epsilon (sal_session_rpe_load (6, 45), 270, EPS);
  g_assert_true (isnan (sal_session_rpe_load (NAN, 45)));
}

static void
test_series (void)
{
  double loads[3] = { 100, 0, 50 };
  SalDayLoad d[3];

  sal_daily_load_series (loads, 3, NULL, d);
  g_assert_cmpfloat_with_epsilon (d[0].form, 0, EPS);
  g_assert_cmpfloat_with_epsilon (d[0].ctl, 2.380952381, EPS);
  g_assert_cmpfloat_with_epsilon (d[0].atl, 14.285714286, EPS);
  g_assert_cmpfloat_with_epsilon (d[1].form, -11.904761905, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].form, -9.920634921, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].ctl, 3.459399633, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].atl, 17.638483965, EPS);
  g_assert_cmpfloat_with_epsilon (d[0].acwr_ewma, 3.625, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].acwr_ewma, 2.817889572, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].acwr_rolling, 4.0, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].monotony, 0.588348405, EPS);
  g_assert_cmpfloat_with_epsilon (d[2].strain, 88.252260812, EPS);
}

/* A gap in the log: all-zero windows give no ratio, never NaN from 0/0 shown as a number
 * or infinity. Identical loads every day give zero spread, so no monotony. */
static void
test_undefined_ratios (void)
{
  double zeros[30] = { 0 }, flat[10];
  SalDayLoad d[30];

  sal_daily_load_series (zeros, 30, NULL, d);
  for (int t = 0; t < 30; t++)
    {
      g_assert_true (isnan (d[t].acwr_rolling));
      g_assert_true (isnan (d[t].acwr_ewma));
      g_assert_true (isnan (d[t].monotony));
      g_assert_true (isnan (d[t].strain));
      g_assert_cmpfloat (d[t].ctl, ==, 0);
    }
  for (int t = 0; t < 10; t++)
    flat[t] = 60;
  sal_daily_load_series (flat, 10, NULL, d);
  g_assert_true (isnan (d[9].monotony));
  g_assert_false (isinf (d[9].acwr_rolling));
  g_assert_cmpfloat_with_epsilon (d[9].acwr_rolling, (60.0 * 7 / 7) / (60.0 * 10 / 28), EPS);
}

/* Local days: two sessions on one local day add up; a session at 23:30 UTC belongs to the
 * next day in Tokyo and to the same day in New York. */
static void
test_local_days (void)
{
  g_autoptr(GTimeZone) tokyo = g_time_zone_new_identifier ("Asia/Tokyo");
  g_autoptr(GTimeZone) ny = g_time_zone_new_identifier ("America/New_York");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  /* 2026-03-02 23:30 UTC, 2026-03-03 02:00 UTC, 2026-03-05 12:00 UTC (a gap on the 4th). */
  gint64 t[3] = { 1772494200000, 1772503200000, 1772712000000 };
  double load[3] = { 50, 30, 70 };
  gint64 day0 = sal_local_day (t[0], utc);
  double out[4];

  g_assert_cmpint (day0, ==, 20514);   /* 2026-03-02 */
  g_assert_cmpint (sal_local_day (t[0], tokyo), ==, day0 + 1);
  g_assert_cmpint (sal_local_day (t[0], ny), ==, day0);
  g_assert_cmpint (sal_local_day (t[1], ny), ==, day0);   /* 21:00 on the 2nd in New York */

  sal_daily_loads_accumulate (t, load, 3, tokyo, day0, 4, out);
  g_assert_cmpfloat (out[0], ==, 0);
  g_assert_cmpfloat (out[1], ==, 80);   /* both on the 3rd in Tokyo */
  g_assert_cmpfloat (out[2], ==, 0);
  g_assert_cmpfloat (out[3], ==, 70);
  sal_daily_loads_accumulate (t, load, 3, ny, day0, 4, out);
  g_assert_cmpfloat (out[0], ==, 80);   /* both on the 2nd in New York */
  g_assert_cmpfloat (out[1], ==, 0);
}

static void
test_best_effort (void)
{
  g_autoptr(GArray) s = g_array_new (FALSE, FALSE, sizeof (SalSample));

  /* 0–1000 m at 5 m/s, then 1000–3000 m at 4 m/s. */
  for (int t = 0; t <= 200; t += 10)
    g_array_append_vals (s, (SalSample[]) { sample (t, NAN, t * 5.0) }, 1);
  for (int t = 210; t <= 700; t += 10)
    g_array_append_vals (s, (SalSample[]) { sample (t, NAN, 1000 + (t - 200) * 4.0) }, 1);
  g_assert_cmpfloat_with_epsilon (sal_best_effort_s (s, 1000), 200, 1e-6);
  /* Best 1500 m: the fast 1000 m plus 500 m at 4 m/s. */
  g_assert_cmpfloat_with_epsilon (sal_best_effort_s (s, 1500), 200 + 125, 1e-6);
  g_assert_true (isnan (sal_best_effort_s (s, 5000)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/training-load/banister", test_banister);
  g_test_add_func ("/app/training-load/edwards-and-rpe", test_edwards_and_rpe);
  g_test_add_func ("/app/training-load/series", test_series);
  g_test_add_func ("/app/training-load/undefined-ratios", test_undefined_ratios);
  g_test_add_func ("/app/training-load/local-days", test_local_days);
  g_test_add_func ("/app/training-load/best-effort", test_best_effort);
  return g_test_run ();
}
