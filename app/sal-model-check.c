/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sal-conformance.h"
#include "sal-model-check.h"
#include "sal-model-input.h"
#include "sal-model.h"

/* Free dimensions other than the batch (a sequence length) take this size. */
#define FREE_DIM 8

void
sal_model_check_clear (SalModelCheck *check)
{
  g_clear_pointer (&check->test_data_dir, g_free);
  g_clear_pointer (&check->batch_skipped, g_free);
}

static gboolean
cancel_cb (gpointer cancellable)
{
  return g_cancellable_is_cancelled (cancellable);
}

SalTensor *
sal_model_random_input (const SalValueInfo *info, int batch, gboolean strict, GRand *rng,
                        GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  SalTensor *t;

  if (info->rank < 1 || info->rank > SAL_MAX_RANK)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   _("Input “%s” has no declared shape, so no input can be generated for it"),
                   info->name);
      return NULL;
    }
  for (int i = 0; i < info->rank; i++)
    {
      dims[i] = info->dims[i];
      if (i == 0 && batch < 0)
        dims[i] = dims[i] > 0 ? dims[i] : 1;
      else if (i == 0 && dims[i] < 0)
        dims[i] = batch;
      else if (i == 0 && dims[i] != batch)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("Input “%s” has a fixed batch of %" PRId64 "; export the model with a "
                         "dynamic first dimension to run batch %d"),
                       info->name, (gint64) dims[i], batch);
          return NULL;
        }
      else if (dims[i] < 0 && strict)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       _("Input “%s” has a dynamic dimension %d; only the batch may be dynamic"),
                       info->name, i);
          return NULL;
        }
      else if (dims[i] < 0)
        dims[i] = FREE_DIM;
    }
  t = sal_tensor_new (info->dtype == SAL_DTYPE_UNDEFINED ? SAL_DTYPE_FLOAT : info->dtype,
                      info->rank, dims, error);
  if (t == NULL)
    return NULL;
  for (int64_t i = 0; i < t->numel; i++)
    switch (t->dtype)
      {
      case SAL_DTYPE_FLOAT:
        sal_tensor_f32 (t)[i] = (float) g_rand_double_range (rng, -1, 1);
        break;
      case SAL_DTYPE_INT64:
        sal_tensor_i64 (t)[i] = g_rand_int_range (rng, 0, 10);
        break;
      case SAL_DTYPE_INT32:
        ((gint32 *) t->data)[i] = g_rand_int_range (rng, 0, 10);
        break;
      case SAL_DTYPE_BOOL:
      case SAL_DTYPE_UINT8:
      case SAL_DTYPE_INT8:
        sal_tensor_u8 (t)[i] = (guint8) g_rand_int_range (rng, 0, 2);
        break;
      case SAL_DTYPE_UNDEFINED:
      default:
        g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                     _("Input “%s” has a type no input can be generated for"), info->name);
        sal_tensor_free (t);
        return NULL;
      }
  return t;
}

/* Inputs for every graph input at `batch`; NULL-free array of SalTensor*. */
static GPtrArray *
make_inputs (SalModel *model, int batch, gboolean strict, guint32 seed, GError **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);

  for (guint i = 0; i < sal_model_n_inputs (model); i++)
    {
      SalValueInfo info;
      SalTensor *t;

      sal_model_get_input (model, i, &info);
      t = sal_model_random_input (&info, batch, strict, rng, error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (inputs, t);
    }
  return g_steal_pointer (&inputs);
}

/* Sample `index` of a batched tensor, as a batch of one. */
static SalTensor *
slice (const SalTensor *t, int64_t index, GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  SalTensor *s;
  gsize elem;

  memcpy (dims, t->dims, sizeof (int64_t) * t->rank);
  dims[0] = 1;
  s = sal_tensor_new (t->dtype, t->rank, dims, error);
  if (s == NULL)
    return NULL;
  elem = sal_dtype_size (t->dtype);
  memcpy (s->data, (const guint8 *) t->data + (gsize) index * s->numel * elem,
          (gsize) s->numel * elem);
  return s;
}

static gboolean
execute (SalRun *run, GPtrArray *inputs, GError **error)
{
  for (guint i = 0; i < inputs->len; i++)
    if (!sal_run_set_input (run, i, g_ptr_array_index (inputs, i), error))
      return FALSE;
  return sal_run_execute (run, error);
}

/* The float outputs of the last run, copied. */
static GPtrArray *
copy_outputs (SalRun *run, SalModel *model, GError **error)
{
  g_autoptr(GPtrArray) outs = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);

  for (guint i = 0; i < sal_model_n_outputs (model); i++)
    {
      const SalTensor *o = sal_run_get_output (run, i);
      SalTensor *copy;

      if (o == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Output %u was not computed"), i);
          return NULL;
        }
      copy = sal_tensor_new (o->dtype, o->rank, o->dims, error);
      if (copy == NULL)
        return NULL;
      memcpy (copy->data, o->data, (gsize) o->numel * sal_dtype_size (o->dtype));
      g_ptr_array_add (outs, copy);
    }
  return g_steal_pointer (&outs);
}

/* Largest |a[offset + k] − b[k]| over b's elements, and whether all are within tolerance;
 * integer outputs must match exactly. */
static gboolean
compare (const SalTensor *a, int64_t offset, const SalTensor *b, double *max_diff)
{
  gboolean ok = TRUE;

  for (int64_t k = 0; k < b->numel; k++)
    {
      double x, y, d;

      if (b->dtype == SAL_DTYPE_FLOAT)
        {
          x = sal_tensor_f32 (a)[offset + k];
          y = sal_tensor_f32 (b)[k];
        }
      else if (b->dtype == SAL_DTYPE_INT64)
        {
          x = (double) sal_tensor_i64 (a)[offset + k];
          y = (double) sal_tensor_i64 (b)[k];
        }
      else
        continue;
      if (isnan (x) && isnan (y))
        continue;
      d = fabs (x - y);
      if (isnan (d))
        d = INFINITY;
      *max_diff = MAX (*max_diff, d);
      if (!(d <= SAL_MODEL_CHECK_ATOL + SAL_MODEL_CHECK_RTOL * fabs (y)))
        ok = FALSE;
    }
  return ok;
}

/* ONNX test cases attached to a model file, or NULL. */
static char *
find_test_data (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *stem = g_str_has_suffix (base, ".onnx")
                          ? g_strndup (base, strlen (base) - 5) : g_strdup (base);
  g_autofree char *own = g_build_filename (dir, stem, NULL);
  g_autofree char *set0 = g_build_filename (own, "test_data_set_0", NULL);

  if (g_file_test (set0, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&own);
  if (g_strcmp0 (base, "model.onnx") == 0)
    {
      g_autofree char *here = g_build_filename (dir, "test_data_set_0", NULL);
      if (g_file_test (here, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&dir);
    }
  return NULL;
}

/* The inputs of each single-sample run: slices of the batched inputs, or (when the
 * model's batch is fixed) one generated sample. */
static GPtrArray *
single_inputs (SalModel *model, GPtrArray *batched, GError **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  if (batched == NULL)
    {
      GPtrArray *one = make_inputs (model, -1, FALSE, 20261129, error);
      if (one == NULL)
        return NULL;
      g_ptr_array_add (all, one);
      return g_steal_pointer (&all);
    }
  for (int s = 0; s < SAL_MODEL_CHECK_BATCH; s++)
    {
      GPtrArray *one = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
      g_ptr_array_add (all, one);
      for (guint i = 0; i < batched->len; i++)
        {
          SalTensor *t = slice (g_ptr_array_index (batched, i), s, error);
          if (t == NULL)
            return NULL;
          g_ptr_array_add (one, t);
        }
    }
  return g_steal_pointer (&all);
}

/* Runs each set of inputs; an array (per sample) of arrays of outputs. */
static GPtrArray *
run_each (SalModel *model, GPtrArray *samples, GCancellable *cancellable, GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  sal_run_set_threads (run, 1);
  sal_run_set_callbacks (run, cancel_cb, NULL, cancellable);
  for (guint s = 0; s < samples->len; s++)
    {
      GPtrArray *outs;
      if (!execute (run, g_ptr_array_index (samples, s), error)
          || (outs = copy_outputs (run, model, error)) == NULL)
        return NULL;
      g_ptr_array_add (all, outs);
    }
  return g_steal_pointer (&all);
}

static void
report (void (*progress) (double, const char *, gpointer), gpointer user_data, double f,
        const char *status)
{
  if (progress != NULL)
    progress (f, status, user_data);
}

gboolean
sal_model_check_run (const char     *path,
                     const char     *metadata_json,
                     void          (*progress) (double, const char *, gpointer),
                     gpointer        user_data,
                     GCancellable   *cancellable,
                     SalModelCheck  *check,
                     GError        **error)
{
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalModel) again = NULL;
  g_autoptr(GPtrArray) batched = NULL;
  g_autoptr(GPtrArray) samples = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GError) local = NULL;

  memset (check, 0, sizeof *check);
  check->passed = TRUE;
  report (progress, user_data, 0.0, _("Loading the model"));
  model = sal_model_load_with_metadata (path, metadata_json, error);
  if (model == NULL)
    return FALSE;

  check->test_data_dir = find_test_data (path);
  if (check->test_data_dir != NULL)
    {
      SalConformanceResult result = { 0 };
      gboolean ran;

      report (progress, user_data, 0.1, _("Running the attached test data"));
      ran = sal_conformance_run_sets (model, check->test_data_dir, &result, error);
      check->n_test_sets = result.n_sets;
      check->n_test_outputs = result.n_outputs;
      check->n_test_mismatched = result.n_mismatched;
      check->test_max_error = result.max_abs_error;
      sal_conformance_result_clear (&result);
      if (!ran)
        return FALSE;
      if (check->n_test_mismatched > 0)
        check->passed = FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  report (progress, user_data, 0.4, _("Comparing batch 1 with a batch of several"));
  batched = make_inputs (model, SAL_MODEL_CHECK_BATCH, FALSE, 20261129, &local);
  if (batched == NULL)
    check->batch_skipped = g_strdup (local->message);
  samples = single_inputs (model, batched, error);
  if (samples == NULL)
    return FALSE;
  first = run_each (model, samples, cancellable, error);
  if (first == NULL)
    return FALSE;
  if (batched != NULL)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      g_autoptr(GPtrArray) big = NULL;

      g_ptr_array_add (one, batched);
      big = run_each (model, one, cancellable, error);
      if (big == NULL)
        return FALSE;
      for (guint o = 0; o < sal_model_n_outputs (model) && check->batch_skipped == NULL; o++)
        {
          const SalTensor *b = g_ptr_array_index ((GPtrArray *) big->pdata[0], o);
          const SalTensor *s0 = g_ptr_array_index ((GPtrArray *) first->pdata[0], o);
          if (b->rank < 1 || b->dims[0] != SAL_MODEL_CHECK_BATCH
              || b->numel != s0->numel * SAL_MODEL_CHECK_BATCH)
            check->batch_skipped = g_strdup (_("the model’s outputs are not one row per "
                                               "sample"));
        }
      if (check->batch_skipped == NULL)
        {
          check->batch_n = SAL_MODEL_CHECK_BATCH;
          for (guint s = 0; s < SAL_MODEL_CHECK_BATCH; s++)
            for (guint o = 0; o < sal_model_n_outputs (model); o++)
              {
                const SalTensor *b = g_ptr_array_index ((GPtrArray *) big->pdata[0], o);
                const SalTensor *one_out = g_ptr_array_index ((GPtrArray *) first->pdata[s], o);
                if (!compare (b, s * one_out->numel, one_out, &check->batch_max_diff))
                  check->passed = FALSE;
              }
        }
    }

  report (progress, user_data, 0.7, _("Loading the file again and comparing"));
  again = sal_model_load_with_metadata (path, metadata_json, error);
  if (again == NULL)
    return FALSE;
  second = run_each (again, samples, cancellable, error);
  if (second == NULL)
    return FALSE;
  for (guint s = 0; s < samples->len; s++)
    for (guint o = 0; o < sal_model_n_outputs (model); o++)
      if (!compare (g_ptr_array_index ((GPtrArray *) first->pdata[s], o), 0,
                    g_ptr_array_index ((GPtrArray *) second->pdata[s], o),
                    &check->reload_max_diff))
        check->passed = FALSE;
  report (progress, user_data, 1.0, check->passed ? _("Passed") : _("Failed"));
  return TRUE;
}

/* ---- latency ---- */

/* Nanosecond clock: a small model runs in a few microseconds. */
static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int
sal_compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
sal_sorted_quantile (const double *sorted, int n, double q)
{
  double pos = q * (n - 1);
  int lo = (int) floor (pos);
  int hi = MIN (lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

gboolean
sal_model_bench (const char    *path,
                 int            batch,
                 int            runs,
                 GCancellable  *cancellable,
                 SalModelBench *out,
                 GError       **error)
{
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_autofree double *times = NULL;
  double warm_s = 0;
  int warm = 0;

  g_return_val_if_fail (batch >= 1 && runs >= 1, FALSE);
  memset (out, 0, sizeof *out);
  model = sal_model_load_file (path, NULL, error);
  if (model == NULL)
    return FALSE;
  inputs = make_inputs (model, batch, TRUE, 20261128, error);
  if (inputs == NULL)
    return FALSE;
  run = sal_run_new (model);
  sal_run_set_threads (run, 1);
  sal_run_set_callbacks (run, cancel_cb, NULL, cancellable);
  /* Warm-up: at least 3 runs and 0.2 s, as salient-cli bench. */
  while ((warm < 3 || warm_s < 0.2) && warm < 1000)
    {
      double t0 = now_ms ();
      if (!execute (run, inputs, error))
        return FALSE;
      warm_s += (now_ms () - t0) * 1e-3;
      warm++;
    }
  times = g_new (double, runs);
  for (int r = 0; r < runs; r++)
    {
      double t0 = now_ms ();
      if (!execute (run, inputs, error))
        return FALSE;
      times[r] = now_ms () - t0;
    }
  qsort (times, runs, sizeof (double), sal_compare_doubles);
  out->batch = batch;
  out->runs = runs;
  out->median_ms = sal_sorted_quantile (times, runs, 0.5);
  out->p10_ms = sal_sorted_quantile (times, runs, 0.1);
  out->p90_ms = sal_sorted_quantile (times, runs, 0.9);
  return TRUE;
}
