/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-readiness"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-athlete-sim.h"
#include "sal-datasets.h"
#include "sal-error.h"
#include "sal-grad.h"
#include "sal-ir-fit.h"
#include "sal-graph-builder.h"
#include "sal-readiness.h"
#include "sal-recipe.h"
#include "sal-training-load.h"
#include "sal-train.h"

const char *const sal_readiness_feature_names[SAL_READINESS_N_FEATURES] = {
  "acute_load", "chronic_load", "acwr", "monotony", "sleep_h", "soreness", "rhr_delta",
  "days_since_hard",
};
static const char *const feature_units[SAL_READINESS_N_FEATURES] = {
  "AU/day", "AU/day", "1", "1", "h", "1-10", "bpm", "days",
};
static const char *const feature_groups[SAL_READINESS_N_FEATURES] = {
  "training load", "training load", "training load", "training load", "sleep", "soreness",
  "resting heart rate", "training load",
};

/* A hard session: at least 1.5 × the mean load of the training days (load > 0)
 * in the 28 days before, once there are at least 3 of them. */
static gboolean
is_hard (const double *loads, int t)
{
  double sum = 0;
  int m = 0;

  for (int d = MAX (0, t - SAL_READINESS_WARMUP_DAYS); d < t; d++)
    if (loads[d] > 0)
      {
        sum += loads[d];
        m++;
      }
  return loads[t] > 0 && m >= 3 && loads[t] >= SAL_READINESS_HARD_FACTOR * sum / m;
}

void
sal_readiness_features (const SalDailySeries *s, float *out, gboolean *valid)
{
  int n = s->n_days;
  g_autofree SalDayLoad *days = g_new0 (SalDayLoad, MAX (n, 1));
  g_autofree double *loads = g_new0 (double, MAX (n, 1));
  SalLoadParams lp = { 42, 7 };
  int last_hard = -1;

  for (int t = 0; t < n; t++)
    loads[t] = isfinite (s->load[t]) ? s->load[t] : 0;
  sal_daily_load_series (loads, n, &lp, days);
  for (int t = 0; t < n; t++)
    {
      float *f = out + (gsize) t * SAL_READINESS_N_FEATURES;
      double rhr_base = 0;
      int n_rhr = 0;
      gboolean ok;

      if (is_hard (loads, t))
        last_hard = t;
      for (int d = MAX (0, t - SAL_READINESS_WARMUP_DAYS); d < t; d++)
        if (isfinite (s->resting_hr[d]))
          {
            rhr_base += s->resting_hr[d];
            n_rhr++;
          }
      f[0] = (float) days[t].atl;
      f[1] = (float) days[t].ctl;
      f[2] = (float) days[t].acwr_ewma;
      f[3] = (float) days[t].monotony;
      f[4] = (float) s->sleep_h[t];
      f[5] = (float) s->soreness[t];
      f[6] = (float) (n_rhr >= 7 ? s->resting_hr[t] - rhr_base / n_rhr : NAN);
      f[7] = (float) (last_hard < 0 ? 14 : MIN (14, t - last_hard));
      ok = t >= SAL_READINESS_WARMUP_DAYS;
      for (int j = 0; j < SAL_READINESS_N_FEATURES; j++)
        ok = ok && isfinite (f[j]);
      valid[t] = ok;
    }
}

/* The unclamped readiness of `next` (a performance on day t+1) against the
 * level and spread of perf over the four weeks up to day t; NAN when they are
 * not defined (fewer than max (min_points, 2) values). */
static double
score_against_window (const double *perf, int t, double next, int min_points)
{
  double level = 0, var = 0, sd;
  int m = 0;

  if (!isfinite (next) || t + 1 < SAL_READINESS_WARMUP_DAYS)
    return NAN;
  for (int d = t + 1 - SAL_READINESS_WARMUP_DAYS; d <= t; d++)
    if (isfinite (perf[d]))
      {
        level += perf[d];
        m++;
      }
  if (m < MAX (min_points, 2) || level <= 0)
    return NAN;
  level /= m;
  for (int d = t + 1 - SAL_READINESS_WARMUP_DAYS; d <= t; d++)
    if (isfinite (perf[d]))
      var += (perf[d] - level) * (perf[d] - level);
  sd = MAX (sqrt (var / (m - 1)), SAL_READINESS_MIN_SPREAD * level);
  return 5.0 + SAL_READINESS_POINTS_PER_SD * (next - level) / sd;
}

void
sal_readiness_targets (const double *perf, int n, int min_points, double *out)
{
  for (int t = 0; t < n; t++)
    {
      out[t] = t + 1 < n ? score_against_window (perf, t, perf[t + 1], min_points) : NAN;
      if (isfinite (out[t]))
        out[t] = CLAMP (out[t], 0.0, 10.0);
    }
}

static void
series_from_sim (const SalAthleteSim *sim, SalDailySeries *s)
{
  s->n_days = sim->n_days;
  s->load = sim->load;
  s->sleep_h = sim->sleep_h;
  s->soreness = sim->soreness;
  s->resting_hr = sim->resting_hr;
  s->test = sim->test;
}

/* ---------------------------------------------------- the athletes source */

SalDataset *
sal_dataset_load_athletes (GKeyFile *kf, const char *group, const char *data_dir, GError **error)
{
  const char *keys[] = { "train_athletes", "test_athletes", "days", "seed" };
  int val[] = { 60, 20, 182, 1 };
  const int lo[] = { 1, 0, 60, 0 }, hi[] = { 2000, 2000, 3650, G_MAXINT };
  g_autoptr(SalDataset) d = sal_dataset_new ("athletes", "regression", "fitness");
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) ys = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) split = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) grp = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    if (g_key_file_has_key (kf, group, keys[k], NULL))
      {
        g_autoptr(GError) local = NULL;
        int v = g_key_file_get_integer (kf, group, keys[k], &local);

        if (local != NULL || v < lo[k] || v > hi[k])
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         _("[%s] %s: give a whole number from %d to %d"), group, keys[k], lo[k],
                         hi[k]);
            return NULL;
          }
        val[k] = v;
      }

  for (int a = 0; a < val[0] + val[1]; a++)
    {
      gboolean test = a >= val[0];
      /* Training and test athletes come from disjoint seed ranges. */
      guint32 seed = (guint32) val[3] * 100003u + (test ? 50000u + (guint32) (a - val[0])
                                                        : (guint32) a);
      g_autoptr(SalAthleteSim) sim = sal_athlete_simulate (seed, val[2], 2);
      SalDailySeries s;
      g_autofree float *f = g_new (float, (gsize) val[2] * SAL_READINESS_N_FEATURES);
      g_autofree gboolean *ok = g_new (gboolean, val[2]);
      g_autofree double *target = g_new (double, val[2]);
      int sp = test ? 1 : 0;

      series_from_sim (sim, &s);
      sal_readiness_features (&s, f, ok);
      sal_readiness_targets (sim->performance, val[2], 1, target);
      for (int t = 0; t < val[2]; t++)
        if (ok[t] && isfinite (target[t]))
          {
            float y = (float) target[t];

            g_array_append_vals (xs, f + (gsize) t * SAL_READINESS_N_FEATURES,
                                 SAL_READINESS_N_FEATURES);
            g_array_append_val (ys, y);
            g_array_append_val (split, sp);
            g_array_append_val (grp, a);
          }
    }
  if (ys->len < 10)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the simulated athletes give too few days with features"));
      return NULL;
    }
  for (int j = 0; j < SAL_READINESS_N_FEATURES; j++)
    sal_dataset_add_feature (d, sal_readiness_feature_names[j], feature_units[j],
                             feature_groups[j]);
  d->labels = g_strdupv ((char *[]) { "readiness", NULL });
  d->x = sal_tensor_new_f32 (2, (int64_t[]) { ys->len, SAL_READINESS_N_FEATURES });
  memcpy (d->x->data, xs->data, sizeof (float) * xs->len);
  d->y = sal_tensor_new_f32 (2, (int64_t[]) { ys->len, 1 });
  memcpy (d->y->data, ys->data, sizeof (float) * ys->len);
  d->split = g_memdup2 (split->data, sizeof (int) * split->len);
  d->group_of_row = g_memdup2 (grp->data, sizeof (int) * grp->len);
  d->split_names = g_strdupv ((char *[]) { "train", "test", NULL });
  d->description = g_strdup_printf (
    "%d simulated athletes for training and %d others held out (never seen in training), "
    "%d days each, from Salient's impulse-response fitness-fatigue simulator "
    "(app/sal-athlete-sim.c) with individual parameters and noise; features from "
    "app/sal-training-load.c, target from the simulator's true performance.",
    val[0], val[1], val[2]);
  d->licence = g_strdup ("generated by Salient (GPL-3.0-or-later)");
  d->params_json = g_strdup_printf ("{\"train_athletes\": %d, \"test_athletes\": %d, "
                                    "\"days\": %d, \"seed\": %d, \"test_every\": 2}",
                                    val[0], val[1], val[2], val[3]);
  sal_dataset_compute_ranges (d);
  return g_steal_pointer (&d);
}

/* ------------------------------------------------------------ fine-tuning */

void
sal_readiness_tune_options_init (SalReadinessTuneOptions *o)
{
  memset (o, 0, sizeof *o);
  o->val_fraction = 0.25;
  o->min_examples = 12;
}

void
sal_readiness_tune_report_clear (SalReadinessTuneReport *r)
{
  g_clear_pointer (&r->summary, g_free);
}

static SalModel *
copy_model (SalModel *model, GError **error)
{
  g_autoptr(GBytes) bytes = sal_model_save_bytes (model, error);
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return sal_model_load_bytes (data, len, NULL, NULL, error);
}

gboolean
sal_readiness_predict (SalModel *model, const SalDailySeries *s, double *out, GError **error)
{
  int n = s->n_days, m = 0;
  g_autofree float *f = g_new (float, (gsize) MAX (n, 1) * SAL_READINESS_N_FEATURES);
  g_autofree gboolean *ok = g_new (gboolean, MAX (n, 1));
  g_autofree int *rows = g_new (int, MAX (n, 1));
  g_autoptr(SalTensor) x = NULL, pred = NULL;

  sal_readiness_features (s, f, ok);
  for (int t = 0; t < n; t++)
    {
      out[t] = NAN;
      if (ok[t])
        rows[m++] = t;
    }
  if (m == 0)
    return TRUE;
  x = sal_tensor_new_f32 (2, (int64_t[]) { m, SAL_READINESS_N_FEATURES });
  for (int i = 0; i < m; i++)
    memcpy (sal_tensor_f32 (x) + (gsize) i * SAL_READINESS_N_FEATURES,
            f + (gsize) rows[i] * SAL_READINESS_N_FEATURES, sizeof (float) * SAL_READINESS_N_FEATURES);
  pred = sal_model_predict (model, x, 256, 1, error);
  if (pred == NULL)
    return FALSE;
  if (pred->numel != m)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("the readiness model must give one value per day"));
      return FALSE;
    }
  for (int i = 0; i < m; i++)
    out[rows[i]] = sal_tensor_f32 (pred)[i];
  return TRUE;
}

static double
mae_on (SalModel *model, const SalTensor *x, const double *y, int n, GError **error)
{
  g_autoptr(SalTensor) p = sal_model_predict (model, x, 256, 1, error);
  double ae = 0;

  if (p == NULL)
    return NAN;
  for (int i = 0; i < n; i++)
    ae += fabs (CLAMP (sal_tensor_f32 (p)[i], 0.0f, 10.0f) - y[i]);
  return ae / n;
}

static void
add_finetune_provenance (SalModel *model, const SalReadinessTuneReport *r)
{
  const char *prov = sal_model_get_metadata (model, "salient.provenance");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *ft;
  g_autofree char *text = NULL;

  if (prov == NULL || !json_parser_load_from_data (parser, prov, -1, NULL))
    return;
  root = json_node_get_object (json_parser_get_root (parser));
  ft = json_object_new ();
  json_object_set_int_member (ft, "days", r->n_days);
  json_object_set_int_member (ft, "tests", r->n_tests);
  json_object_set_int_member (ft, "examples", r->n_examples);
  json_object_set_int_member (ft, "first_day", r->first_day);
  json_object_set_int_member (ft, "last_day", r->last_day);
  if (isfinite (r->lambda))
    json_object_set_double_member (ft, "pull_toward_shipped", r->lambda);
  else
    json_object_set_null_member (ft, "pull_toward_shipped");
  json_object_set_double_member (ft, "ir_fit_rmse", r->ir_rmse);
  json_object_set_double_member (ft, "mae_before", r->mae_before);
  json_object_set_double_member (ft, "mae_after", r->mae_after);
  json_object_set_object_member (root, "fine_tuning", ft);
  text = json_to_string (json_parser_get_root (parser), FALSE);
  sal_model_set_metadata (model, "salient.provenance", text);
}

/* The last dense layer of the recipe's MLP ("fcK", the largest K) and the
 * value that feeds it ("dK-1" after dropout, else "aK-1"). */
static gboolean
find_last_layer (SalModel *model, SalGrad *grad, SalTensor **w, SalTensor **b, char **input,
                 GError **error)
{
  int best = 0;

  *w = *b = NULL;
  for (guint i = 0; i < sal_grad_n_weights (grad); i++)
    {
      const char *name;
      SalTensor *p, *g;
      int k;

      sal_grad_get_weight (grad, i, &name, &p, &g);
      if (sscanf (name, "fc%d.", &k) == 1 && k >= best)
        {
          best = k;
          if (g_str_has_suffix (name, ".weight"))
            *w = p;
          else if (g_str_has_suffix (name, ".bias"))
            *b = p;
        }
    }
  if (best < 2 || *w == NULL || *b == NULL || (*w)->rank != 2 || (*w)->dims[0] != 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("this is not a readiness model from Salient’s recipe (no hidden layer "
                     "feeding one output)"));
      return FALSE;
    }
  *input = g_strdup_printf ("d%d", best - 1);
  {
    g_autoptr(SalRun) probe = sal_run_new (model);
    if (!sal_run_keep_value (probe, *input, NULL))
      {
        g_free (*input);
        *input = g_strdup_printf ("a%d", best - 1);
      }
  }
  return TRUE;
}

/* The hidden activations feeding the last layer for each row of x: [m, H]. */
static SalTensor *
hidden_values (SalModel *model, const char *name, const SalTensor *x, GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  const SalTensor *h;

  sal_run_set_threads (run, 1);
  if (!sal_run_keep_value (run, name, error) || !sal_run_set_input (run, 0, x, error)
      || !sal_run_execute (run, error))
    return NULL;
  h = sal_run_get_value (run, name);
  if (h == NULL || h->rank != 2 || h->dims[0] != x->dims[0])
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("the readiness model’s layers do not match"));
      return NULL;
    }
  return sal_tensor_copy (h);
}

/* Ridge regression of y on [h, 1] pulled toward θ0 (the shipped last layer):
 *   θ = argmin Σ (y − [h,1]·θ)² + λ·n·‖θ − θ0‖²  ⇔  (AᵀA + λn I) θ = Aᵀy + λn θ0,
 * solved by Gaussian elimination with partial pivoting (H + 1 ≤ a few dozen). */
static gboolean
ridge_toward (const float *h, int H, const double *y, const int *rows, int n, double lambda,
              const double *theta0, double *theta)
{
  int d = H + 1;
  g_autofree double *a = g_new0 (double, (gsize) d * (d + 1));

  for (int r = 0; r < n; r++)
    {
      const float *hr = h + (gsize) rows[r] * H;
      for (int i = 0; i < d; i++)
        {
          double ai = i < H ? hr[i] : 1.0;
          for (int j = 0; j < d; j++)
            a[i * (d + 1) + j] += ai * (j < H ? hr[j] : 1.0);
          a[i * (d + 1) + d] += ai * y[rows[r]];
        }
    }
  for (int i = 0; i < d; i++)
    {
      a[i * (d + 1) + i] += lambda * n;
      a[i * (d + 1) + d] += lambda * n * theta0[i];
    }
  for (int c = 0; c < d; c++)
    {
      int piv = c;
      for (int r = c + 1; r < d; r++)
        if (fabs (a[r * (d + 1) + c]) > fabs (a[piv * (d + 1) + c]))
          piv = r;
      if (fabs (a[piv * (d + 1) + c]) < 1e-12)
        return FALSE;
      for (int j = 0; j <= d; j++)
        {
          double t = a[c * (d + 1) + j];
          a[c * (d + 1) + j] = a[piv * (d + 1) + j];
          a[piv * (d + 1) + j] = t;
        }
      for (int r = 0; r < d; r++)
        if (r != c)
          {
            double f = a[r * (d + 1) + c] / a[c * (d + 1) + c];
            for (int j = c; j <= d; j++)
              a[r * (d + 1) + j] -= f * a[c * (d + 1) + j];
          }
    }
  for (int i = 0; i < d; i++)
    theta[i] = a[i * (d + 1) + d] / a[i * (d + 1) + i];
  return TRUE;
}

static double
mae_theta (const float *h, int H, const double *y, const int *rows, int n, const double *theta)
{
  double ae = 0;

  for (int r = 0; r < n; r++)
    {
      double p = theta[H];
      for (int i = 0; i < H; i++)
        p += theta[i] * h[(gsize) rows[r] * H + i];
      ae += fabs (CLAMP (p, 0.0, 10.0) - y[rows[r]]);
    }
  return ae / MAX (n, 1);
}

#define SAL_READINESS_TUNE_MARGIN 0.05

/* Mean squared error against the test-based scores (rows without one skipped);
 * INFINITY with fewer than 6 of them. */
static double
mse_check (const float *h, int H, const double *yc, const int *rows, int n, const double *theta)
{
  double se = 0;
  int k = 0;

  for (int r = 0; r < n; r++)
    {
      double p = theta[H];

      if (!isfinite (yc[rows[r]]))
        continue;
      for (int i = 0; i < H; i++)
        p += theta[i] * h[(gsize) rows[r] * H + i];
      se += (CLAMP (p, 0.0, 10.0) - yc[rows[r]]) * (CLAMP (p, 0.0, 10.0) - yc[rows[r]]);
      k++;
    }
  return k >= 6 ? se / k : INFINITY;
}

/* The pull toward the shipped weights, strongest first; the first entry keeps them. */
static const double lambdas[] = { INFINITY, 1000, 300, 100 };

SalModel *
sal_readiness_finetune (SalModel *shipped, const SalDailySeries *s,
                        const SalReadinessTuneOptions *options, SalReadinessTuneReport *report,
                        GError **error)
{
  SalReadinessTuneOptions o;
  SalReadinessTuneReport rep = { 0 };
  int n = s->n_days, m = 0, H, n_fit, best = 0;
  g_autofree float *f = g_new (float, (gsize) MAX (n, 1) * SAL_READINESS_N_FEATURES);
  g_autofree gboolean *ok = g_new (gboolean, MAX (n, 1));
  g_autofree double *target = g_new (double, MAX (n, 1));
  g_autofree double *check = g_new (double, MAX (n, 1));
  g_autofree int *rows = g_new (int, MAX (n, 1)), *idx = NULL;
  g_autofree double *y = NULL, *yc = NULL, *theta0 = NULL, *theta = NULL;
  g_autofree char *hname = NULL;
  g_autoptr(SalTensor) x = NULL, hid = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalGrad) grad = NULL;
  SalTensor *w, *b;
  double best_mae = INFINITY;

  if (options != NULL)
    o = *options;
  else
    sal_readiness_tune_options_init (&o);

  sal_readiness_features (s, f, ok);
  rep.n_days = n;
  rep.first_day = rep.last_day = -1;
  for (int t = 0; t < n; t++)
    rep.n_tests += isfinite (s->test[t]);
  /* Single tests are noisy (and their spread overstates the person's): the
   * targets come from the person's impulse-response fit to all their tests,
   * which gives a performance for every day. */
  {
    g_autofree double *loads = g_new (double, MAX (n, 1));
    g_autofree double *perf = g_new (double, MAX (n, 1));
    g_autoptr(GError) fit_error = NULL;
    SalIrBounds bounds;
    SalIrFit fit;

    for (int t = 0; t < n; t++)
      loads[t] = isfinite (s->load[t]) ? s->load[t] : 0;
    sal_ir_bounds_default (&bounds);
    if (rep.n_tests < 6 || !sal_ir_fit (loads, s->test, n, &bounds, &fit, &fit_error))
      {
        g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                     _("fine-tuning needs at least 6 performance tests over at least four weeks "
                       "of training; this history has %d tests over %d days"), rep.n_tests, n);
        return NULL;
      }
    rep.ir_rmse = fit.rmse;
    sal_ir_predict (&fit.params, loads, n, perf);
    sal_readiness_targets (perf, n, 1, target);
    /* The choice of pull is scored on the person's own test results of the
     * later days, not on the fit's targets: a pull that only agrees better
     * with the fit (which rests on the same tests) must not win. Test noise
     * adds the same expected error to every candidate's squared error. */
    for (int t = 0; t < n; t++)
      check[t] = t + 1 < n ? score_against_window (perf, t, s->test[t + 1], 1) : NAN;
  }
  for (int t = 0; t < n; t++)
    {
      if (ok[t] && isfinite (target[t]))
        {
          rows[m++] = t;
          if (rep.first_day < 0)
            rep.first_day = t;
          rep.last_day = t;
        }
    }
  rep.n_examples = m;
  if (m < MAX (o.min_examples, 4))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("fine-tuning needs at least %d days with the features (four weeks of "
                     "history first); this history has %d"),
                   MAX (o.min_examples, 4), m);
      return NULL;
    }

  x = sal_tensor_new_f32 (2, (int64_t[]) { m, SAL_READINESS_N_FEATURES });
  y = g_new (double, m);
  yc = g_new (double, m);
  idx = g_new (int, m);
  for (int i = 0; i < m; i++)
    {
      memcpy (sal_tensor_f32 (x) + (gsize) i * SAL_READINESS_N_FEATURES,
              f + (gsize) rows[i] * SAL_READINESS_N_FEATURES,
              sizeof (float) * SAL_READINESS_N_FEATURES);
      y[i] = target[rows[i]];
      yc[i] = check[rows[i]];
      idx[i] = i;
    }

  model = copy_model (shipped, error);
  if (model == NULL)
    return NULL;
  run = sal_run_new (model);
  grad = sal_grad_new (run);
  if (!find_last_layer (model, grad, &w, &b, &hname, error))
    return NULL;
  H = (int) w->dims[1];
  hid = hidden_values (model, hname, x, error);
  if (hid == NULL)
    return NULL;
  if (hid->dims[1] != H)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("the readiness model’s layers do not match"));
      return NULL;
    }
  theta0 = g_new (double, H + 1);
  theta = g_new (double, H + 1);
  for (int i = 0; i < H; i++)
    theta0[i] = sal_tensor_f32 (w)[i];
  theta0[H] = sal_tensor_f32 (b)[0];
  rep.mae_before = mae_theta (sal_tensor_f32 (hid), H, y, idx, m, theta0);

  /* The refit is a calibration of the shipped score s = θ0·[h, 1]:
   * readiness ≈ c·s + a, pulled toward c = 1, a = 0. Two numbers, not the
   * whole last layer: refitting every weight followed the fit's targets into
   * the person's noise and predicted their next weeks worse (over 200
   * simulated athletes the mean error rose from 1.22 to 1.30). The pull is
   * chosen in time order: fitted on the first three quarters of the examples,
   * scored on the last quarter against the person's own test results. */
  {
    g_autofree float *q = g_new (float, m);
    double cal0[2] = { 1, 0 }, cal[2];

    for (int r = 0; r < m; r++)
      {
        double p = theta0[H];
        for (int i = 0; i < H; i++)
          p += theta0[i] * sal_tensor_f32 (hid)[(gsize) r * H + i];
        q[r] = (float) p;
      }
    n_fit = MAX (2, (int) (m * (1 - o.val_fraction)));
    for (guint l = 0; l < G_N_ELEMENTS (lambdas); l++)
      {
        double e;

        if (isinf (lambdas[l]))
          memcpy (cal, cal0, sizeof cal);
        else if (!ridge_toward (q, 1, y, idx, n_fit, lambdas[l], cal0, cal))
          continue;
        e = mse_check (q, 1, yc, idx + n_fit, m - n_fit, cal);
        /* A change must earn its keep: 5 % better than the shipped weights on
         * the later days (a few noisy weeks easily favour a fluke). */
        if (!isinf (lambdas[l]))
          e /= 1.0 - SAL_READINESS_TUNE_MARGIN;
        if (e < best_mae - 1e-9)
          {
            best_mae = e;
            best = (int) l;
          }
      }
    rep.lambda = lambdas[best];
    if (isinf (lambdas[best]) || !ridge_toward (q, 1, y, idx, m, lambdas[best], cal0, cal))
      memcpy (cal, cal0, sizeof cal);
    for (int i = 0; i < H; i++)
      theta[i] = cal[0] * theta0[i];
    theta[H] = cal[0] * theta0[H] + cal[1];
  }
  for (int i = 0; i < H; i++)
    sal_tensor_f32 (w)[i] = (float) theta[i];
  sal_tensor_f32 (b)[0] = (float) theta[H];
  g_clear_pointer (&grad, sal_grad_free);
  g_clear_pointer (&run, sal_run_free);
  if (!sal_model_weights_changed (model, error))
    return NULL;

  rep.mae_after = mae_on (model, x, y, m, error);
  if (isnan (rep.mae_after))
    return NULL;
  if (isinf (rep.lambda))
    rep.summary = g_strdup_printf (
      _("Kept the general model: adjusting it to your %d days of history (%d performance "
        "tests; days %d–%d have all the features) did not predict your later days better."),
      n, rep.n_tests, rep.first_day + 1, rep.last_day + 1);
  else
    rep.summary = g_strdup_printf (
      _("Fine-tuned on your %d days of history: %d performance tests, and days %d–%d with all "
        "the features."), n, rep.n_tests, rep.first_day + 1, rep.last_day + 1);
  add_finetune_provenance (model, &rep);
  if (report != NULL)
    *report = rep;
  else
    sal_readiness_tune_report_clear (&rep);
  return g_steal_pointer (&model);
}
