/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The readiness fine-tuning figure over 200 simulated athletes. (Retraining
 * the shipped models from their recipes: test-train-cli-slow.c.) */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-athlete-sim.h"
#include "sal-engine.h"
#include "sal-readiness.h"
#include "sal-recipe.h"
#include "sal-test-util.h"

static char *
data_path (const char *a, const char *b)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models", a, b, NULL);
}

static void
finetune_200 (void)
{
  g_autofree char *mpath = data_path ("readiness.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) shipped = sal_model_load_file (mpath, NULL, &error);
  int better = 0, strictly = 0, worse = 0, n = 200;
  double s0 = 0, s1 = 0;

  g_assert_no_error (error);
  for (int i = 0; i < n; i++)
    {
      enum { N = 182, HOLD = 28 };
      g_autoptr(SalAthleteSim) sim = sal_athlete_simulate (880001 + (guint32) i, N, 2);
      SalDailySeries all = { N, sim->load, sim->sleep_h, sim->soreness, sim->resting_hr, sim->test };
      SalDailySeries hist = all;
      SalReadinessTuneReport rep = { 0 };
      g_autoptr(SalModel) tuned = NULL;
      double truth[N], p0[N], p1[N], e0 = 0, e1 = 0;
      int m = 0;

      hist.n_days = N - HOLD;
      tuned = sal_readiness_finetune (shipped, &hist, NULL, &rep, &error);
      g_assert_no_error (error);
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
      better += e1 <= e0;
      strictly += e1 < e0 - 1e-9;
      worse += e1 > e0 + 1e-9;
      s0 += e0 / m;
      s1 += e1 / m;
      sal_readiness_tune_report_clear (&rep);
    }
  g_test_message ("readiness fine-tuning: MAE on the last 4 weeks no worse for %d of %d athletes "
                  "(%d better, %d unchanged, %d worse); mean %.3f (shipped) → %.3f (fine-tuned)",
                  better, n, strictly, better - strictly, worse, s0 / n, s1 / n);
  g_assert_cmpint (better, >, n / 2);
  /* Not worse on average (refitting the whole last layer was: 1.20 → 1.28 on
   * these athletes), and rarely worse for one person. */
  g_assert_cmpfloat (s1, <=, s0 * 1.005);
  g_assert_cmpint (worse, <=, n / 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/slow/models/readiness-finetune-200", finetune_200);
  return g_test_run ();
}
