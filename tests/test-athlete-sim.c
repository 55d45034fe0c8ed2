/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include "sal-athlete-sim.h"

/* The recursion against the closed-form sums of Banister's model. */
static void
test_ir_closed_form (void)
{
  SalIrParams p = { 100, 0.01, 42, 0.025, 7 };
  double load[60], perf[60];

  for (int t = 0; t < 60; t++)
    load[t] = (t % 3) * 50 + 10;
  sal_ir_predict (&p, load, 60, perf);
  for (int t = 0; t < 60; t++)
    {
      double fit = 0, fat = 0;
      for (int s = 0; s < t; s++)
        {
          fit += load[s] * exp (-(t - 1 - s) / p.tau1);
          fat += load[s] * exp (-(t - 1 - s) / p.tau2);
        }
      g_assert_cmpfloat_with_epsilon (perf[t], p.p0 + p.k1 * fit - p.k2 * fat, 1e-9);
    }
  g_assert_cmpfloat (perf[0], ==, 100);
}

static void
test_simulation (void)
{
  g_autoptr(SalAthleteSim) a = sal_athlete_simulate (3, 182, 2);
  g_autoptr(SalAthleteSim) b = sal_athlete_simulate (3, 182, 2);
  int tests = 0, rest = 0;
  double resid = 0;

  g_assert_cmpmem (a->load, 182 * sizeof (double), b->load, 182 * sizeof (double));
  for (int t = 0; t < 182; t++)
    {
      g_assert_cmpfloat (a->load[t], >=, 0);
      g_assert_cmpfloat (a->soreness[t], >=, 1);
      g_assert_cmpfloat (a->soreness[t], <=, 10);
      g_assert_cmpfloat (a->sleep_h[t], >=, 3);
      rest += a->load[t] == 0;
      if (!isnan (a->test[t]))
        {
          tests++;
          resid += (a->test[t] - a->performance[t]) * (a->test[t] - a->performance[t]);
        }
    }
  g_assert_cmpint (tests, ==, 91);
  g_assert_cmpint (rest, >=, 182 / 7);
  /* Test noise is what the simulation says it is. */
  g_assert_cmpfloat (sqrt (resid / tests), <, 2.0 * a->test_noise_sd);
  g_assert_cmpfloat (sqrt (resid / tests), >, 0.4 * a->test_noise_sd);
}

/* Resting heart rate and soreness rise with fatigue. */
static void
test_wellness_tracks_fatigue (void)
{
  g_autoptr(SalAthleteSim) s = sal_athlete_simulate (11, 365, 7);
  double d2 = exp (-1.0 / s->params.tau2), fat = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;

  for (int t = 0; t < s->n_days; t++)
    {
      if (t > 0)
        fat = fat * d2 + s->load[t - 1];
      sx += fat; sy += s->resting_hr[t]; sxx += fat * fat; sxy += fat * s->resting_hr[t];
    }
  g_assert_cmpfloat (sxy / s->n_days - (sx / s->n_days) * (sy / s->n_days), >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/athlete-sim/ir-closed-form", test_ir_closed_form);
  g_test_add_func ("/app/athlete-sim/simulation", test_simulation);
  g_test_add_func ("/app/athlete-sim/wellness-tracks-fatigue", test_wellness_tracks_fatigue);
  return g_test_run ();
}
