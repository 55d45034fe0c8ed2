/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-athlete-sim.h"
#include "sal-engine.h"
#include "sal-readiness.h"
#include "sal-test-util.h"

#define NF SAL_READINESS_N_FEATURES

static void
test_features (void)
{
  enum { N = 40 };
  double load[N], sleep[N], sore[N], rhr[N], test[N];
  float f[N * NF];
  gboolean ok[N];
  SalDailySeries s = { N, load, sleep, sore, rhr, test };

  for (int t = 0; t < N; t++)
    {
      load[t] = t % 2 ? 60 : 30;
      sleep[t] = 7.5;
      sore[t] = 3;
      rhr[t] = 50 + (t % 3);   /* 50, 51, 52, ... */
      test[t] = NAN;
    }
  load[33] = 80;    /* hard: ≥ 1.5 × the 45 of the training days before */
  sal_readiness_features (&s, f, ok);

  g_assert_false (ok[27]);   /* the four-week warm-up */
  g_assert_true (ok[28]);
  g_assert_true (ok[39]);
  /* rhr_delta of day 30: 50 − mean(days 2..29) = 50 − (28 values cycling 52, 50, 51 …) */
  {
    double mean = 0;
    for (int d = 2; d < 30; d++)
      mean += rhr[d];
    mean /= 28;
    g_assert_cmpfloat_with_epsilon (f[30 * NF + 6], 50 + (30 % 3) - mean, 1e-4);
  }
  g_assert_cmpfloat (f[30 * NF + 7], ==, 14);   /* no hard session yet */
  g_assert_cmpfloat (f[33 * NF + 7], ==, 0);
  g_assert_cmpfloat (f[36 * NF + 7], ==, 3);
  g_assert_cmpfloat (f[30 * NF + 4], ==, 7.5f);
  g_assert_cmpfloat (f[30 * NF + 5], ==, 3);
  /* Monotony of alternating 30/60 days: mean 45 (or 300/7 …) over SD. */
  {
    double m = 0, v = 0;
    for (int d = 24; d <= 30; d++)
      m += load[d];
    m /= 7;
    for (int d = 24; d <= 30; d++)
      v += (load[d] - m) * (load[d] - m);
    g_assert_cmpfloat_with_epsilon (f[30 * NF + 3], m / sqrt (v / 7), 0.02 * m / sqrt (v / 7));
  }
  g_assert_cmpfloat (f[30 * NF + 0], >, f[30 * NF + 1] * 0.9);   /* ATL ≈ CTL after steady weeks */
}

static void
test_targets (void)
{
  enum { N = 40 };
  double p[N], r[N];

  for (int t = 0; t < N; t++)
    p[t] = 100;
  p[35] = 101;   /* 1 % above a flat level whose spread is the floor 0.5 %: +2 spreads */
  sal_readiness_targets (p, N, 1, r);
  g_assert_true (isnan (r[25]));
  g_assert_cmpfloat_with_epsilon (r[30], 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (r[34], 9.0, 1e-9);
  g_assert_true (isnan (r[N - 1]));
  p[36] = 80;    /* far below: clamped */
  sal_readiness_targets (p, N, 1, r);
  g_assert_cmpfloat (r[35], ==, 0.0);
}

static SalModel *
load_shipped (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                            "readiness.onnx", NULL);
  g_autoptr(GError) error = NULL;
  SalModel *m = sal_model_load_file (path, NULL, &error);

  g_assert_no_error (error);
  return m;
}

/* Fine-tuning on all but the last four weeks of a simulated athlete's log
 * (tests every other day), scored on those four weeks against the true readiness. */
static void
finetune_athlete (SalModel *shipped, guint32 seed, double *mae_shipped, double *mae_tuned,
                  SalReadinessTuneReport *rep)
{
  enum { N = 182, HOLD = 28 };
  g_autoptr(SalAthleteSim) sim = sal_athlete_simulate (seed, N, 2);
  SalDailySeries all = { N, sim->load, sim->sleep_h, sim->soreness, sim->resting_hr, sim->test };
  SalDailySeries hist = all;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) tuned = NULL;
  double truth[N], p0[N], p1[N], e0 = 0, e1 = 0;
  int m = 0;

  hist.n_days = N - HOLD;
  tuned = sal_readiness_finetune (shipped, &hist, NULL, rep, &error);
  g_assert_no_error (error);
  /* The copy says what it rests on; the shipped model is untouched. */
  g_assert_nonnull (strstr (sal_model_get_metadata (tuned, "salient.provenance"),
                            "\"fine_tuning\":{\"days\":154,\"tests\":77,"));
  g_assert_null (strstr (sal_model_get_metadata (shipped, "salient.provenance"), "fine_tuning"));
  sal_readiness_targets (sim->performance, N, 1, truth);
  g_assert_true (sal_readiness_predict (shipped, &all, p0, &error));
  g_assert_true (sal_readiness_predict (tuned, &all, p1, &error));
  for (int t = N - HOLD; t < N; t++)
    if (isfinite (truth[t]) && isfinite (p0[t]))
      {
        e0 += fabs (p0[t] - truth[t]);
        e1 += fabs (p1[t] - truth[t]);
        m++;
      }
  g_assert_cmpint (m, >=, 20);
  *mae_shipped = e0 / m;
  *mae_tuned = e1 / m;
}

static void
test_finetune (void)
{
  g_autoptr(SalModel) shipped = load_shipped ();
  int better = 0, n = 6;
  double s0 = 0, s1 = 0;

  for (int i = 0; i < n; i++)
    {
      SalReadinessTuneReport rep = { 0 };
      double a, b;

      finetune_athlete (shipped, 770001 + (guint32) i, &a, &b, &rep);
      g_test_message ("athlete %d: MAE %.3f → %.3f (%s)", i, a, b, rep.summary);
      g_assert_cmpint (rep.n_days, ==, 154);
      g_assert_cmpint (rep.n_tests, ==, 77);
      g_assert_cmpint (rep.n_examples, >, 40);
      g_assert_nonnull (strstr (rep.summary, "154"));
      better += b <= a;
      s0 += a;
      s1 += b;
      sal_readiness_tune_report_clear (&rep);
    }
  g_test_message ("fine-tuned no worse on %d of %d; mean MAE %.3f → %.3f", better, n, s0 / n, s1 / n);
  g_assert_cmpint (better, >=, n / 2 + 1);
  g_assert_cmpfloat (s1, <=, s0 * 1.02);
}

static void
test_finetune_short (void)
{
  g_autoptr(SalModel) shipped = load_shipped ();
  g_autoptr(SalAthleteSim) sim = sal_athlete_simulate (5, 35, 2);
  SalDailySeries s = { 35, sim->load, sim->sleep_h, sim->soreness, sim->resting_hr, sim->test };
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) tuned = sal_readiness_finetune (shipped, &s, NULL, NULL, &error);

  g_assert_null (tuned);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "four weeks of history"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/app/readiness/features", test_features);
  g_test_add_func ("/app/readiness/targets", test_targets);
  g_test_add_func ("/app/readiness/finetune", test_finetune);
  g_test_add_func ("/app/readiness/finetune-short", test_finetune_short);
  return g_test_run ();
}
