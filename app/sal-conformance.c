/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-conformance"

#include "config.h"
#include "sal-conformance.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#define MAX_PB_BYTES ((gsize) 512 << 20)

void
sal_conformance_result_clear (SalConformanceResult *result)
{
  g_clear_pointer (&result->report, g_ptr_array_unref);
  memset (result, 0, sizeof *result);
}

SalTensor *
sal_conformance_load_pb (const char *path, char **name, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local = NULL;
  SalTensor *t;

  mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO, _("Cannot read “%s”: %s"), path,
                   local->message);
      return NULL;
    }
  if (g_mapped_file_get_length (mapped) > MAX_PB_BYTES)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE, _("“%s” is too large"), path);
      return NULL;
    }
  t = sal_tensor_load_pb ((const guint8 *) g_mapped_file_get_contents (mapped),
                          g_mapped_file_get_length (mapped), name, &local);
  if (t == NULL)
    g_set_error (error, SAL_ERROR, local->code, "%s: %s", path, local->message);
  return t;
}

typedef struct {
  int64_t index;
  double  got, want, err;
} Worst;

gboolean
sal_conformance_compare (const SalTensor *got, const SalTensor *want, double rtol, double atol,
                         const char *label, GPtrArray *report, double *max_abs_error)
{
  Worst worst[5] = { { -1 } , { -1 }, { -1 }, { -1 }, { -1 } };
  int64_t n_bad = 0;
  double max_err = 0;

  if (got->dtype != want->dtype && !(got->dtype == SAL_DTYPE_BOOL && want->dtype == SAL_DTYPE_BOOL))
    {
      if (report != NULL)
        g_ptr_array_add (report, g_strdup_printf ("%s: type %s, expected %s", label,
                                                  sal_dtype_name (got->dtype),
                                                  sal_dtype_name (want->dtype)));
      return FALSE;
    }
  if (!sal_tensor_same_shape (got, want))
    {
      g_autofree char *a = sal_shape_to_string (got->rank, got->dims);
      g_autofree char *b = sal_shape_to_string (want->rank, want->dims);
      if (report != NULL)
        g_ptr_array_add (report, g_strdup_printf ("%s: shape %s, expected %s", label, a, b));
      return FALSE;
    }
  for (int64_t i = 0; i < want->numel; i++)
    {
      double g = sal_tensor_get_f64 (got, i), w = sal_tensor_get_f64 (want, i);
      double err;
      gboolean ok;

      if (want->dtype == SAL_DTYPE_FLOAT)
        {
          if (isnan (w) || isnan (g))
            {
              ok = isnan (w) && isnan (g);
              err = ok ? 0 : INFINITY;
            }
          else if (isinf (w) || isinf (g))
            {
              ok = g == w;
              err = ok ? 0 : INFINITY;
            }
          else
            {
              err = fabs (g - w);
              ok = err <= atol + rtol * fabs (w);
            }
        }
      else
        {
          ok = sal_tensor_get_i64 (got, i) == sal_tensor_get_i64 (want, i);
          err = fabs (g - w);
        }
      max_err = MAX (max_err, err);
      if (!ok)
        n_bad++;
      /* Keep the five largest errors. */
      for (int k = 0; k < 5; k++)
        if (worst[k].index < 0 || err > worst[k].err)
          {
            memmove (&worst[k + 1], &worst[k], (4 - k) * sizeof (Worst));
            worst[k] = (Worst) { i, g, w, err };
            break;
          }
    }
  if (max_abs_error != NULL)
    *max_abs_error = MAX (*max_abs_error, max_err);
  if (report != NULL)
    {
      g_ptr_array_add (report, g_strdup_printf ("%s: %s — %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                                                " values outside tolerance, largest error %.3g",
                                                label, n_bad == 0 ? "match" : "MISMATCH",
                                                n_bad, want->numel, max_err));
      for (int k = 0; k < 5 && worst[k].index >= 0 && worst[k].err > 0; k++)
        g_ptr_array_add (report, g_strdup_printf ("    [%" G_GINT64_FORMAT "] got %.9g, expected %.9g, "
                                                  "error %.3g", worst[k].index, worst[k].got,
                                                  worst[k].want, worst[k].err));
    }
  return n_bad == 0;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names in `dir` starting with `prefix` (input_0.pb ... input_10.pb sort by number). */
static GPtrArray *
list_prefixed (const char *dir, const char *prefix, GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  GPtrArray *names;
  const char *name;

  if (d == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_str);
  return names;
}

static int
pb_index (const char *name)
{
  const char *us = strrchr (name, '_');

  return us != NULL ? atoi (us + 1) : 0;
}

static gboolean
run_set (SalModel *model, const char *set_dir, const char *set_name,
         SalConformanceResult *result, GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  g_autoptr(GPtrArray) names = list_prefixed (set_dir, "input_", error);
  g_autoptr(GPtrArray) outs = NULL;

  if (names == NULL)
    return FALSE;
  g_ptr_array_set_size (inputs, sal_model_n_inputs (model));
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (set_dir, name, NULL);
      g_autofree char *tname = NULL;
      SalTensor *t = sal_conformance_load_pb (path, &tname, error);
      int index;

      if (t == NULL)
        return FALSE;
      /* Match by name when the file names the input, else by position. */
      index = tname != NULL && tname[0] != '\0' ? sal_model_find_input (model, tname) : -1;
      if (index < 0)
        index = pb_index (name);
      if (index < 0 || (guint) index >= sal_model_n_inputs (model) ||
          g_ptr_array_index (inputs, index) != NULL)
        {
          sal_tensor_free (t);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("%s: “%s” matches no input of the model"), set_name, name);
          return FALSE;
        }
      inputs->pdata[index] = t;
      if (!sal_run_set_input (run, index, t, error))
        return FALSE;
    }
  if (!sal_run_execute (run, error))
    return FALSE;

  outs = list_prefixed (set_dir, "output_", error);
  if (outs == NULL)
    return FALSE;
  for (guint i = 0; i < outs->len; i++)
    {
      const char *name = g_ptr_array_index (outs, i);
      g_autofree char *path = g_build_filename (set_dir, name, NULL);
      g_autofree char *tname = NULL;
      g_autoptr(SalTensor) want = sal_conformance_load_pb (path, &tname, error);
      g_autofree char *label = NULL;
      int index;
      const SalTensor *got;

      if (want == NULL)
        return FALSE;
      index = tname != NULL && tname[0] != '\0' ? sal_model_find_output (model, tname) : -1;
      if (index < 0)
        index = pb_index (name);
      got = index >= 0 ? sal_run_get_output (run, index) : NULL;
      if (got == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("%s: “%s” matches no output of the model"), set_name, name);
          return FALSE;
        }
      label = g_strdup_printf ("%s/%s", set_name, name);
      result->n_outputs++;
      if (!sal_conformance_compare (got, want, SAL_CONFORMANCE_RTOL, SAL_CONFORMANCE_ATOL,
                                    label, result->report, &result->max_abs_error))
        result->n_mismatched++;
    }
  result->n_sets++;
  return TRUE;
}

gboolean
sal_conformance_run_case (const char *dir, SalConformanceResult *result, GError **error)
{
  g_autofree char *model_path = g_build_filename (dir, "model.onnx", NULL);
  g_autoptr(SalModel) model = NULL;

  memset (result, 0, sizeof *result);
  result->report = g_ptr_array_new_with_free_func (g_free);
  model = sal_model_load_file (model_path, NULL, error);
  if (model == NULL)
    return FALSE;
  return sal_conformance_run_sets (model, dir, result, error);
}

gboolean
sal_conformance_run_sets (SalModel *model, const char *dir, SalConformanceResult *result,
                          GError **error)
{
  g_autoptr(GPtrArray) sets = NULL;

  if (result->report == NULL)
    {
      memset (result, 0, sizeof *result);
      result->report = g_ptr_array_new_with_free_func (g_free);
    }
  sets = list_prefixed (dir, "test_data_set_", error);
  if (sets == NULL)
    return FALSE;
  if (sets->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("“%s” has no test_data_set_* folder"), dir);
      return FALSE;
    }
  for (guint i = 0; i < sets->len; i++)
    {
      const char *set = g_ptr_array_index (sets, i);
      g_autofree char *set_dir = g_build_filename (dir, set, NULL);
      if (!run_set (model, set_dir, set, result, error))
        return FALSE;
    }
  return TRUE;
}
