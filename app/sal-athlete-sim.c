/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-athlete-sim.h"

#include <math.h>

void
sal_ir_predict (const SalIrParams *p, const double *load, int n_days, double *out_perf)
{
  double fitness = 0, fatigue = 0;
  double d1 = exp (-1.0 / p->tau1), d2 = exp (-1.0 / p->tau2);

  for (int t = 0; t < n_days; t++)
    {
      if (t > 0)
        {
          fitness = fitness * d1 + load[t - 1];
          fatigue = fatigue * d2 + load[t - 1];
        }
      out_perf[t] = p->p0 + p->k1 * fitness - p->k2 * fatigue;
    }
}

static double
gaussian (GRand *rng)
{
  double u1 = 1.0 - g_rand_double (rng), u2 = g_rand_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

SalAthleteSim *
sal_athlete_simulate (guint32 seed, int n_days, int test_every)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  SalAthleteSim *s = g_new0 (SalAthleteSim, 1);
  double weekly_scale, fatigue = 0, d2, sleep_base;
  int hard_a, hard_b, rest_day;

  g_return_val_if_fail (n_days > 0 && test_every > 0, NULL);

  s->seed = seed;
  s->n_days = n_days;
  s->params.p0 = g_rand_double_range (rng, 80, 120);
  s->params.tau1 = g_rand_double_range (rng, 35, 50);
  s->params.tau2 = g_rand_double_range (rng, 8, 15);
  s->params.k1 = g_rand_double_range (rng, 0.008, 0.015);
  s->params.k2 = s->params.k1 * g_rand_double_range (rng, 1.8, 3.0);
  s->test_noise_sd = g_rand_double_range (rng, 1.0, 2.5);
  s->rhr_baseline = g_rand_double_range (rng, 44, 64);
  sleep_base = g_rand_double_range (rng, 6.5, 8.2);
  weekly_scale = g_rand_double_range (rng, 0.7, 1.3);
  hard_a = g_rand_int_range (rng, 0, 3);
  hard_b = hard_a + 2 + g_rand_int_range (rng, 0, 2);
  rest_day = 6;

  s->load = g_new0 (double, n_days);
  s->performance = g_new0 (double, n_days);
  s->test = g_new0 (double, n_days);
  s->resting_hr = g_new0 (double, n_days);
  s->sleep_h = g_new0 (double, n_days);
  s->soreness = g_new0 (double, n_days);

  /* Training: three build weeks then a recovery week, with a slow trend. */
  for (int t = 0; t < n_days; t++)
    {
      int dow = t % 7, week = t / 7;
      double block = (week % 4 == 3) ? 0.6 : 0.85 + 0.1 * (week % 4);
      double trend = 1.0 + 0.3 * sin (2 * G_PI * t / 180.0 + seed % 7);
      double w;

      if (dow == rest_day || g_rand_double (rng) < 0.06)      /* rest, or a missed day */
        w = 0;
      else if (dow == hard_a || dow == hard_b)
        w = g_rand_double_range (rng, 110, 180);
      else if (g_rand_double (rng) < 0.25)
        w = 0;
      else
        w = g_rand_double_range (rng, 30, 80);
      s->load[t] = w * block * trend * weekly_scale;
    }

  sal_ir_predict (&s->params, s->load, n_days, s->performance);

  d2 = exp (-1.0 / s->params.tau2);
  for (int t = 0; t < n_days; t++)
    {
      double fatigue_norm;

      if (t > 0)
        fatigue = fatigue * d2 + s->load[t - 1];
      /* Fatigue relative to what a steady 60-a-day would give. */
      fatigue_norm = fatigue / (60.0 * s->params.tau2);
      s->test[t] = (t % test_every == test_every - 1)
                   ? s->performance[t] + s->test_noise_sd * gaussian (rng) : NAN;
      s->resting_hr[t] = s->rhr_baseline * (1.0 + 0.06 * (fatigue_norm - 1.0)) + 1.5 * gaussian (rng);
      s->sleep_h[t] = CLAMP (sleep_base - 0.4 * (fatigue_norm - 1.0) + 0.6 * gaussian (rng), 3.0, 11.0);
      s->soreness[t] = CLAMP (round (1.0 + 4.0 * fatigue_norm + (t > 0 ? s->load[t - 1] / 60.0 : 0)
                                     + 0.8 * gaussian (rng)), 1.0, 10.0);
    }
  return s;
}

void
sal_athlete_sim_free (SalAthleteSim *s)
{
  if (s == NULL)
    return;
  g_free (s->load);
  g_free (s->performance);
  g_free (s->test);
  g_free (s->resting_hr);
  g_free (s->sleep_h);
  g_free (s->soreness);
  g_free (s);
}
