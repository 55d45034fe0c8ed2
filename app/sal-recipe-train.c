/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-recipe"

#include "config.h"
#include <inttypes.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-error.h"
#include "sal-grad.h"
#include "sal-json-util.h"
#include "sal-recipe.h"

/* ---------------------------------------------------------------- metrics */

GHashTable *
sal_metrics_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
sal_metrics_set (GHashTable *m, const char *name, double value)
{
  double *v = g_new (double, 1);

  *v = value;
  g_hash_table_insert (m, g_strdup (name), v);
}

double
sal_metrics_get (GHashTable *m, const char *name)
{
  double *v = m != NULL ? g_hash_table_lookup (m, name) : NULL;

  return v != NULL ? *v : NAN;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char *
sal_metrics_to_json (GHashTable *m)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GString *s = g_string_new ("{");
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, m);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  for (guint i = 0; i < keys->len; i++)
    {
      double v = sal_metrics_get (m, keys->pdata[i]);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s\"%s\": %s", i ? ", " : "", (char *) keys->pdata[i],
                              isfinite (v) ? g_ascii_formatd (buf, sizeof buf, "%.6g", v) : "null");
    }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

typedef struct {
  double score;
  int    pos;
} ScoredRow;

static int
cmp_scored (const void *a, const void *b)
{
  double x = ((const ScoredRow *) a)->score, y = ((const ScoredRow *) b)->score;

  return (x > y) - (x < y);
}

/* Mann–Whitney: AUC = (sum of the positives' ranks − P(P+1)/2) / (P·N), with
 * tied scores sharing their mean rank. */
double
sal_roc_auc (const double *score, const int *positive, int n)
{
  g_autofree ScoredRow *rows = g_new (ScoredRow, MAX (n, 1));
  double rank_sum = 0, n_pos = 0;

  for (int i = 0; i < n; i++)
    {
      rows[i].score = score[i];
      rows[i].pos = positive[i] != 0;
      n_pos += rows[i].pos;
    }
  if (n_pos == 0 || n_pos == n)
    return NAN;
  qsort (rows, n, sizeof *rows, cmp_scored);
  for (int i = 0; i < n;)
    {
      int j = i;
      while (j < n && rows[j].score == rows[i].score)
        j++;
      /* ranks i+1 .. j share (i+1+j)/2 */
      for (int k = i; k < j; k++)
        if (rows[k].pos)
          rank_sum += (i + 1 + j) / 2.0;
      i = j;
    }
  return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * (n - n_pos));
}

static SalTensor *
gather (const SalTensor *t, const int *rows, int n, GError **error)
{
  return sal_tensor_gather_rows (t, rows, n, error);
}

gboolean
sal_recipe_score (const SalDataset *data, SalModel *model, const int *rows, int n,
                  const char *prefix, GHashTable *metrics, GError **error)
{
  g_autoptr(SalTensor) x = gather (data->x, rows, n, error);
  g_autoptr(SalTensor) pred = NULL;
  int nc = sal_dataset_n_classes (data);
  g_autofree char *key = NULL;

  if (x == NULL)
    return FALSE;
  pred = sal_model_predict (model, x, 256, 1, error);
  if (pred == NULL)
    return FALSE;

  if (nc > 0)
    {
      const float *z = sal_tensor_f32 (pred);
      const int64_t *y = sal_tensor_i64 (data->y);
      g_autofree double *prob = g_new (double, (gsize) n * nc);
      g_autofree int *is_pos = g_new (int, n);
      g_autofree double *col = g_new (double, n);
      g_autofree int *tp = g_new0 (int, nc), *fp = g_new0 (int, nc), *fn = g_new0 (int, nc);
      double correct = 0, auc = 0, f1 = 0;
      int n_auc = 0;

      if (pred->rank != 2 || pred->dims[1] != nc)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("the model gives %" PRId64 " outputs per row for %d classes"),
                       pred->rank == 2 ? pred->dims[1] : pred->numel, nc);
          return FALSE;
        }
      for (int i = 0; i < n; i++)
        {
          double mx = -INFINITY, sum = 0;
          int best = 0;
          int64_t truth = y[rows[i]];

          for (int c = 0; c < nc; c++)
            mx = MAX (mx, z[i * nc + c]);
          for (int c = 0; c < nc; c++)
            sum += prob[i * nc + c] = exp (z[i * nc + c] - mx);
          for (int c = 0; c < nc; c++)
            {
              prob[i * nc + c] /= sum;
              if (prob[i * nc + c] > prob[i * nc + best])
                best = c;
            }
          correct += best == truth;
          if (best == truth)
            tp[best]++;
          else
            {
              fp[best]++;
              fn[truth]++;
            }
        }
      /* Binary: the AUC of class 1; more classes: the mean one-vs-rest AUC. */
      for (int c = (nc == 2 ? 1 : 0); c < nc; c++)
        {
          double a;
          for (int i = 0; i < n; i++)
            {
              col[i] = prob[i * nc + c];
              is_pos[i] = y[rows[i]] == c;
            }
          a = sal_roc_auc (col, is_pos, n);
          if (isfinite (a))
            {
              auc += a;
              n_auc++;
            }
        }
      for (int c = 0; c < nc; c++)
        f1 += tp[c] + fp[c] + fn[c] > 0 ? 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]) : 1.0;

      key = g_strconcat (prefix, "accuracy", NULL);
      sal_metrics_set (metrics, key, correct / n);
      g_free (key);
      key = g_strconcat (prefix, "roc_auc", NULL);
      sal_metrics_set (metrics, key, n_auc > 0 ? auc / n_auc : NAN);
      g_free (key);
      key = g_strconcat (prefix, "macro_f1", NULL);
      sal_metrics_set (metrics, key, f1 / nc);
    }
  else
    {
      const float *p = sal_tensor_f32 (pred);
      const float *y = sal_tensor_f32 (data->y);
      double ae = 0, se = 0;

      for (int i = 0; i < n; i++)
        {
          double d = p[i] - y[rows[i]];
          ae += fabs (d);
          se += d * d;
        }
      key = g_strconcat (prefix, "mae", NULL);
      sal_metrics_set (metrics, key, ae / n);
      g_free (key);
      key = g_strconcat (prefix, "rmse", NULL);
      sal_metrics_set (metrics, key, sqrt (se / n));
    }
  return TRUE;
}

/* -------------------------------------------------------- standardisation */

gboolean
sal_model_fold_standardisation (SalModel *model, const char *layer, const double *mean,
                                const double *sd, int n, gboolean inverse, GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalGrad) grad = sal_grad_new (run);
  g_autofree char *wname = g_strconcat (layer, ".weight", NULL);
  g_autofree char *bname = g_strconcat (layer, ".bias", NULL);
  SalTensor *w = NULL, *b = NULL;

  for (guint i = 0; i < sal_grad_n_weights (grad); i++)
    {
      const char *name;
      SalTensor *p, *g;

      sal_grad_get_weight (grad, i, &name, &p, &g);
      if (strcmp (name, wname) == 0)
        w = p;
      else if (strcmp (name, bname) == 0)
        b = p;
    }
  if (w == NULL || b == NULL || w->rank != 2 || w->dims[1] != n || b->numel != w->dims[0])
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("layer “%s” cannot take the standardisation of %d inputs"), layer, n);
      return FALSE;
    }
  for (int64_t o = 0; o < w->dims[0]; o++)
    {
      float *row = sal_tensor_f32 (w) + o * n;
      double shift = 0;

      for (int i = 0; i < n; i++)
        {
          if (inverse)
            {
              shift += row[i] * mean[i];        /* row holds W' = W / sd */
              row[i] = (float) (row[i] * sd[i]);
            }
          else
            {
              row[i] = (float) (row[i] / sd[i]);
              shift += row[i] * mean[i];
            }
        }
      sal_tensor_f32 (b)[o] += (float) (inverse ? shift : -shift);
    }
  return sal_model_weights_changed (model, error);
}

/* ------------------------------------------------------------------ fitting */

SalModel *
sal_recipe_fit (const SalRecipe *r, const SalDataset *data, const int *rows, int n,
                const SalRecipeRunOptions *opts, guint32 seed, double *mean_out, double *sd_out,
                SalTrainResult *result, GError **error)
{
  const SalArchitecture *arch = sal_architecture_find (r->architecture);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) x = NULL, y = NULL;
  g_autofree int *all = NULL;
  g_autofree double *mean = NULL, *sd = NULL;
  SalTrainConfig cfg = r->train;
  SalTrainResult res;
  gboolean standardise;
  int nf = 0;

  if (rows == NULL)
    {
      n = (int) sal_dataset_n_rows (data);
      all = g_new (int, n);
      for (int i = 0; i < n; i++)
        all[i] = i;
      rows = all;
    }
  model = sal_recipe_build_model (r, data, seed, error);
  if (model == NULL)
    return NULL;
  x = gather (data->x, rows, n, error);
  if (x == NULL)
    return NULL;
  y = gather (data->y, rows, n, error);
  if (y == NULL)
    return NULL;

  standardise = r->standardise && arch->first_dense != NULL && x->rank == 2
                && x->dtype == SAL_DTYPE_FLOAT;
  if (standardise)
    {
      float *xv = sal_tensor_f32 (x);

      nf = (int) x->dims[1];
      mean = g_new0 (double, nf);
      sd = g_new0 (double, nf);
      for (int i = 0; i < n; i++)
        for (int j = 0; j < nf; j++)
          mean[j] += xv[(gsize) i * nf + j];
      for (int j = 0; j < nf; j++)
        mean[j] /= n;
      for (int i = 0; i < n; i++)
        for (int j = 0; j < nf; j++)
          sd[j] += (xv[(gsize) i * nf + j] - mean[j]) * (xv[(gsize) i * nf + j] - mean[j]);
      for (int j = 0; j < nf; j++)
        {
          sd[j] = sqrt (sd[j] / MAX (n - 1, 1));
          if (!(sd[j] > 1e-12))
            sd[j] = 1;   /* a constant column: centre only */
        }
      for (int i = 0; i < n; i++)
        for (int j = 0; j < nf; j++)
          xv[(gsize) i * nf + j] = (float) ((xv[(gsize) i * nf + j] - mean[j]) / sd[j]);
    }

  cfg.seed = seed;
  if (opts != NULL)
    {
      cfg.progress = opts->progress;
      cfg.cancel = opts->cancel;
      cfg.user_data = opts->user_data;
      if (opts->max_epochs > 0 && opts->max_epochs < cfg.epochs)
        cfg.epochs = opts->max_epochs;
    }
  if (!sal_train (model, x, y, &cfg, result != NULL ? result : &res, error))
    return NULL;
  if (standardise
      && !sal_model_fold_standardisation (model, arch->first_dense, mean, sd, nf, FALSE, error))
    return NULL;
  if (mean_out != NULL && standardise)
    memcpy (mean_out, mean, sizeof (double) * nf);
  if (sd_out != NULL && standardise)
    memcpy (sd_out, sd, sizeof (double) * nf);
  return g_steal_pointer (&model);
}

/* Stratified K-fold: each class's rows, shuffled, are dealt to the folds in
 * turn (continuing from class to class so the folds' sizes differ by at most one). */
static void
stratified_folds (const SalDataset *data, int k, GRand *rng, int *fold)
{
  int n = (int) sal_dataset_n_rows (data), nc = sal_dataset_n_classes (data), next = 0;
  g_autofree int *idx = g_new (int, n);

  for (int c = 0; c < MAX (nc, 1); c++)
    {
      int m = 0;

      for (int i = 0; i < n; i++)
        if (nc == 0 || sal_tensor_i64 (data->y)[i] == c)
          idx[m++] = i;
      for (int i = m - 1; i > 0; i--)
        {
          int j = g_rand_int_range (rng, 0, i + 1), t = idx[i];
          idx[i] = idx[j];
          idx[j] = t;
        }
      for (int i = 0; i < m; i++)
        fold[idx[i]] = next++ % k;
    }
}

static void
add_sample (GHashTable *sums, const char *name, double v)
{
  GArray *a = g_hash_table_lookup (sums, name);

  if (a == NULL)
    {
      a = g_array_new (FALSE, FALSE, sizeof (double));
      g_hash_table_insert (sums, g_strdup (name), a);
    }
  g_array_append_val (a, v);
}

static gboolean
evaluate_cv (const SalRecipe *r, const SalDataset *data, const SalRecipeRunOptions *opts,
             GHashTable *metrics, GError **error)
{
  int n = (int) sal_dataset_n_rows (data), k = r->cv_folds;
  g_autofree int *fold = g_new (int, n), *tr = g_new (int, n), *te = g_new (int, n);
  g_autoptr(GHashTable) samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_array_unref);
  GHashTableIter it;
  gpointer key, value;

  for (int rep = 0; rep < r->cv_repeats; rep++)
    {
      g_autoptr(GRand) rng = g_rand_new_with_seed (r->train.seed * 7919u + (guint32) rep);

      stratified_folds (data, k, rng, fold);
      for (int f = 0; f < k; f++)
        {
          g_autoptr(SalModel) model = NULL;
          g_autoptr(GHashTable) m = sal_metrics_new ();
          int ntr = 0, nte = 0;

          for (int i = 0; i < n; i++)
            {
              if (fold[i] == f)
                te[nte++] = i;
              else
                tr[ntr++] = i;
            }
          model = sal_recipe_fit (r, data, tr, ntr, opts, r->train.seed + (guint32) (rep * k + f),
                                  NULL, NULL, NULL, error);
          if (model == NULL || !sal_recipe_score (data, model, te, nte, "", m, error))
            return FALSE;
          g_hash_table_iter_init (&it, m);
          while (g_hash_table_iter_next (&it, &key, &value))
            add_sample (samples, key, *(double *) value);
        }
    }
  g_hash_table_iter_init (&it, samples);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      GArray *a = value;
      double mean = 0, var = 0;
      g_autofree char *km = g_strdup_printf ("cv_%s_mean", (char *) key);
      g_autofree char *ks = g_strdup_printf ("cv_%s_sd", (char *) key);

      for (guint i = 0; i < a->len; i++)
        mean += g_array_index (a, double, i);
      mean /= a->len;
      for (guint i = 0; i < a->len; i++)
        var += (g_array_index (a, double, i) - mean) * (g_array_index (a, double, i) - mean);
      sal_metrics_set (metrics, km, mean);
      sal_metrics_set (metrics, ks, a->len > 1 ? sqrt (var / (a->len - 1)) : 0);
    }
  sal_metrics_set (metrics, "cv_folds", k);
  sal_metrics_set (metrics, "cv_repeats", r->cv_repeats);
  return TRUE;
}

/* Scores `model` on each held-out split of data; regression also gets the
 * baseline of predicting the training rows' mean. */
static gboolean
score_holdout (const SalDataset *data, SalModel *model, GHashTable *metrics, GError **error)
{
  int n = (int) sal_dataset_n_rows (data), nsplits = (int) g_strv_length (data->split_names);
  g_autofree int *rows = g_new (int, MAX (n, 1));
  double train_mean = 0;
  int ntr = 0;

  if (sal_dataset_n_classes (data) == 0)
    {
      for (int i = 0; i < n; i++)
        if (data->split[i] == 0)
          {
            train_mean += sal_tensor_f32 (data->y)[i];
            ntr++;
          }
      train_mean /= MAX (ntr, 1);
    }
  for (int s = 1; s < nsplits; s++)
    {
      g_autofree char *prefix = g_strconcat (data->split_names[s], "_", NULL);
      int m = 0;

      for (int i = 0; i < n; i++)
        if (data->split[i] == s)
          rows[m++] = i;
      if (m == 0)
        continue;
      if (!sal_recipe_score (data, model, rows, m, prefix, metrics, error))
        return FALSE;
      if (sal_dataset_n_classes (data) == 0)
        {
          g_autofree char *kb = g_strconcat (prefix, "baseline_mae", NULL);
          g_autofree char *kr = g_strconcat (prefix, "mae_ratio", NULL);
          g_autofree char *km = g_strconcat (prefix, "mae", NULL);
          double ae = 0;

          for (int i = 0; i < m; i++)
            ae += fabs (sal_tensor_f32 (data->y)[rows[i]] - train_mean);
          sal_metrics_set (metrics, kb, ae / m);
          sal_metrics_set (metrics, kr, sal_metrics_get (metrics, km) / (ae / m));
        }
    }
  return TRUE;
}

static int *
training_rows (const SalDataset *data, int *n_out)
{
  int n = (int) sal_dataset_n_rows (data), m = 0;
  int *rows = g_new (int, MAX (n, 1));

  for (int i = 0; i < n; i++)
    if (data->split[i] == 0)
      rows[m++] = i;
  *n_out = m;
  return rows;
}

GHashTable *
sal_recipe_evaluate (const SalRecipe *r, const SalDataset *data, const SalRecipeRunOptions *opts,
                     GError **error)
{
  g_autoptr(GHashTable) metrics = sal_metrics_new ();

  if (strcmp (r->evaluation, "cv") == 0)
    {
      if (!evaluate_cv (r, data, opts, metrics, error))
        return NULL;
    }
  else
    {
      int ntr;
      g_autofree int *tr = training_rows (data, &ntr);
      g_autoptr(SalModel) model = sal_recipe_fit (r, data, tr, ntr, opts, r->train.seed, NULL,
                                                  NULL, NULL, error);

      if (model == NULL || !score_holdout (data, model, metrics, error))
        return NULL;
    }
  return g_steal_pointer (&metrics);
}

/* ------------------------------------------------------ the shipped model */

static void
add_double_array (JsonBuilder *b, const char *name, const double *v, int n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

static char *
features_json (const SalDataset *data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < data->features->len; i++)
    {
      SalFeature *f = g_ptr_array_index (data->features, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, f->name);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, f->unit);
      json_builder_set_member_name (b, "min");
      json_builder_add_double_value (b, f->min);
      json_builder_set_member_name (b, "max");
      json_builder_add_double_value (b, f->max);
      json_builder_set_member_name (b, "group");
      json_builder_add_string_value (b, f->group);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return sal_json_builder_to_string (b);
}

static char *
labels_json (const SalDataset *data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; data->labels != NULL && data->labels[i] != NULL; i++)
    json_builder_add_string_value (b, data->labels[i]);
  json_builder_end_array (b);
  return sal_json_builder_to_string (b);
}

static int
cmp_key (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A Markdown table of the metrics, sorted by name. */
static char *
metrics_table (GHashTable *metrics)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GString *s = g_string_new ("| metric | value |\n|---|---|\n");
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, metrics);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_key);
  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (s, "| %s | %.4f |\n", (char *) keys->pdata[i],
                            sal_metrics_get (metrics, keys->pdata[i]));
  return g_string_free (s, FALSE);
}

/* The card template with @NAME@, @METRICS@, @SEED@, @ENGINE_VERSION@,
 * @DATA@, @LICENCE@ and @metric_name@ (a metric's value, 4 decimals) filled in. */
static char *
fill_card (const SalRecipe *r, const SalDataset *data, GHashTable *metrics, GError **error)
{
  g_autofree char *dir = r->path ? g_path_get_dirname (r->path) : g_strdup (".");
  g_autofree char *path = NULL, *tmpl = NULL;
  g_auto(GStrv) parts = NULL;
  GString *out = g_string_new (NULL);

  if (r->card == NULL || r->card[0] == '\0')
    {
      g_autofree char *table = metrics_table (metrics);
      g_string_append_printf (out, "# %s\n\n%s\n\n## Metrics\n\n%s", r->name, data->description,
                              table);
      return g_string_free (out, FALSE);
    }
  path = g_build_filename (dir, r->card, NULL);
  if (!g_file_get_contents (path, &tmpl, NULL, error))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  /* Odd pieces are placeholder names. */
  parts = g_strsplit (tmpl, "@", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *p = parts[i];

      if (i % 2 == 0)
        g_string_append (out, p);
      else if (strcmp (p, "NAME") == 0)
        g_string_append (out, r->name);
      else if (strcmp (p, "METRICS") == 0)
        {
          g_autofree char *table = metrics_table (metrics);
          g_string_append (out, table);
        }
      else if (strcmp (p, "SEED") == 0)
        g_string_append_printf (out, "%u", r->train.seed);
      else if (strcmp (p, "ENGINE_VERSION") == 0)
        g_string_append (out, sal_engine_version ());
      else if (strcmp (p, "DATA") == 0)
        g_string_append (out, data->description);
      else if (strcmp (p, "LICENCE") == 0)
        g_string_append (out, data->licence);
      else if (g_hash_table_contains (metrics, p))
        g_string_append_printf (out, "%.4f", sal_metrics_get (metrics, p));
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("%s: unknown placeholder @%s@ (metrics: see salient-cli evaluate)"),
                       path, p);
          g_string_free (out, TRUE);
          return NULL;
        }
    }
  return g_string_free (out, FALSE);
}

static char *
provenance_json (const SalRecipe *r, const SalDataset *data, GHashTable *metrics,
                 const SalTrainResult *res, int n_rows, const double *mean, const double *sd,
                 int nf)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *mjson = sal_metrics_to_json (metrics);
  g_autoptr(JsonNode) mnode = json_from_string (mjson, NULL);
  g_autoptr(JsonNode) pnode = json_from_string (data->params_json ? data->params_json : "{}", NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "recipe_id");
  json_builder_add_string_value (b, r->id);
  json_builder_set_member_name (b, "recipe");
  json_builder_add_string_value (b, r->text);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, data->source);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, data->description);
  json_builder_set_member_name (b, "licence");
  json_builder_add_string_value (b, data->licence);
  json_builder_set_member_name (b, "parameters");
  json_builder_add_value (b, g_steal_pointer (&pnode));
  json_builder_set_member_name (b, "training_rows");
  json_builder_add_int_value (b, n_rows);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, r->train.seed);
  json_builder_set_member_name (b, "evaluation");
  json_builder_add_string_value (b, r->evaluation);
  json_builder_set_member_name (b, "metrics");
  json_builder_add_value (b, g_steal_pointer (&mnode));
  json_builder_set_member_name (b, "training");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epochs_run");
  json_builder_add_int_value (b, res->epochs_run);
  json_builder_set_member_name (b, "best_epoch");
  json_builder_add_int_value (b, res->best_epoch);
  json_builder_set_member_name (b, "train_loss");
  json_builder_add_double_value (b, res->train_loss);
  json_builder_end_object (b);
  if (mean != NULL)
    {
      json_builder_set_member_name (b, "standardisation");
      json_builder_begin_object (b);
      add_double_array (b, "mean", mean, nf);
      add_double_array (b, "sd", sd, nf);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "engine_version");
  json_builder_add_string_value (b, sal_engine_version ());
  json_builder_set_member_name (b, "producer");
  json_builder_add_string_value (b, "salient-cli train " PACKAGE_VERSION);
  json_builder_end_object (b);
  return sal_json_builder_to_string (b);
}

SalModel *
sal_recipe_train_final (const SalRecipe *r, const SalDataset *data, GHashTable *metrics_in,
                        const SalRecipeRunOptions *opts, char **card_out, GError **error)
{
  g_autoptr(GHashTable) metrics = metrics_in != NULL ? g_hash_table_ref (metrics_in)
                                                    : sal_metrics_new ();
  g_autoptr(SalModel) model = NULL;
  g_autofree int *rows = NULL;
  g_autofree double *mean = NULL, *sd = NULL;
  g_autofree char *card = NULL, *s = NULL;
  SalTrainResult res = { 0 };
  int n, nf = data->x->rank == 2 ? (int) data->x->dims[1] : 0;
  gboolean tabular = data->features->len > 0 && data->features->len == (guint) nf;

  rows = training_rows (data, &n);
  if (tabular)
    {
      mean = g_new0 (double, nf);
      sd = g_new0 (double, nf);
    }
  model = sal_recipe_fit (r, data, rows, n, opts, r->train.seed, mean, sd, &res, error);
  if (model == NULL)
    return NULL;
  if (strcmp (r->evaluation, "holdout") == 0 && !score_holdout (data, model, metrics, error))
    return NULL;
  if (!r->standardise)
    g_clear_pointer (&mean, g_free);

  card = fill_card (r, data, metrics, error);
  if (card == NULL)
    return NULL;

  s = sal_json_quote (data->task);
  sal_model_set_metadata (model, "salient.task", s);
  g_free (s);
  s = sal_json_quote (data->input_kind);
  sal_model_set_metadata (model, "salient.input_kind", s);
  g_free (s);
  s = labels_json (data);
  sal_model_set_metadata (model, "salient.labels", s);
  g_free (s);
  if (tabular)
    {
      s = features_json (data);
      sal_model_set_metadata (model, "salient.features", s);
      g_free (s);
    }
  s = sal_json_quote (card);
  sal_model_set_metadata (model, "salient.card", s);
  g_free (s);
  s = provenance_json (r, data, metrics, &res, n, mean, sd, nf);
  sal_model_set_metadata (model, "salient.provenance", s);
  g_clear_pointer (&s, g_free);

  if (card_out != NULL)
    *card_out = g_steal_pointer (&card);
  return g_steal_pointer (&model);
}
