/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-alloc.h"
#include "sal-model-info.h"
#include "sal-model-input.h"
#include "sal-model.h"
#include "sal-store.h"

void
sal_model_info_free (SalModelInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->name);
  g_free (info->sha256);
  g_free (info->task);
  g_free (info->input_kind);
  g_free (info->labels);
  g_free (info->preprocess);
  g_free (info->card);
  g_clear_pointer (&info->inputs, g_ptr_array_unref);
  g_clear_pointer (&info->outputs, g_ptr_array_unref);
  g_free (info->op_types);
  g_free (info->producer);
  g_clear_pointer (&info->warnings, g_ptr_array_unref);
  g_free (info);
}

static char *
describe_value (const SalValueInfo *v)
{
  GString *s = g_string_new (v->name);

  g_string_append_printf (s, "  %s [", sal_dtype_name (v->dtype));
  for (int i = 0; i < v->rank; i++)
    {
      if (v->dims[i] > 0)
        g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", (gint64) v->dims[i]);
      else
        g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", "N");
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* salient.task is stored as a JSON string; show its value. */
static char *
json_string_or_raw (const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (value == NULL)
    return NULL;
  if (json_parser_load_from_data (parser, value, -1, NULL)
      && (root = json_parser_get_root (parser)) != NULL
      && JSON_NODE_HOLDS_VALUE (root) && json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));
  return g_strdup (value);
}

static char *
json_labels (const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) s = NULL;
  JsonNode *root;
  JsonArray *array;

  if (value == NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, value, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return g_strdup (value);
  array = json_node_get_array (root);
  s = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);
      if (s->len > 0)
        g_string_append (s, ", ");
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_string_append (s, json_node_get_string (n));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
test_run (SalModel *model, double *ms, GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  gint64 start;

  sal_run_set_threads (run, 1);
  for (guint i = 0; i < sal_model_n_inputs (model); i++)
    {
      SalValueInfo v;
      int64_t dims[SAL_MAX_RANK];
      SalTensor *t;

      sal_model_get_input (model, i, &v);
      for (int d = 0; d < v.rank && d < SAL_MAX_RANK; d++)
        dims[d] = v.dims[d] > 0 ? v.dims[d] : 1;
      t = sal_tensor_new (v.dtype == SAL_DTYPE_UNDEFINED ? SAL_DTYPE_FLOAT : v.dtype,
                          MIN (v.rank, SAL_MAX_RANK), dims, error);
      if (t == NULL)
        return FALSE;
      g_ptr_array_add (tensors, t);
      /* Mid-range values for float inputs; zeros (a valid id) for integer ones. */
      if (t->dtype == SAL_DTYPE_FLOAT)
        for (int64_t k = 0; k < t->numel; k++)
          sal_tensor_f32 (t)[k] = 0.5f;
      if (!sal_run_set_input (run, i, t, error))
        return FALSE;
    }
  start = g_get_monotonic_time ();
  if (!sal_run_execute (run, error))
    {
      g_prefix_error (error, _("The test inference failed: "));
      return FALSE;
    }
  *ms = (g_get_monotonic_time () - start) / 1000.0;
  for (guint i = 0; i < sal_model_n_outputs (model); i++)
    {
      const SalTensor *out = sal_run_get_output (run, i);
      if (out == NULL || out->dtype != SAL_DTYPE_FLOAT)
        continue;
      for (int64_t k = 0; k < out->numel; k++)
        if (!isfinite (sal_tensor_f32 (out)[k]))
          {
            SalValueInfo v;
            sal_model_get_output (model, i, &v);
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("The test inference gave a value that is not a number in output "
                           "“%s”: the model’s weights or operators are broken."), v.name);
            return FALSE;
          }
    }
  return TRUE;
}

SalModelInfo *
sal_model_info_load (const char *path, gboolean do_test_run, GError **error)
{
  return sal_model_info_load_with_metadata (path, NULL, do_test_run, error);
}

SalModelInfo *
sal_model_info_load_with_metadata (const char *path, const char *metadata_json,
                                   gboolean do_test_run, GError **error)
{
  g_autoptr(SalModelInfo) info = g_new0 (SalModelInfo, 1);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) finfo = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *md_path = NULL;
  g_autoptr(GString) ops = g_string_new (NULL);
  const char *const *warnings;
  const char **types;
  guint n;

  finfo = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, error);
  if (finfo == NULL)
    return NULL;
  model = sal_model_load_with_metadata (path, metadata_json, error);
  if (model == NULL)
    return NULL;
  info->path = g_strdup (path);
  info->name = g_str_has_suffix (base, ".onnx") ? g_strndup (base, strlen (base) - 5)
                                                 : g_strdup (base);
  info->file_size = g_file_info_get_size (finfo);
  info->sha256 = sal_file_sha256 (path, error);
  if (info->sha256 == NULL)
    return NULL;
  info->task = json_string_or_raw (sal_model_get_metadata (model, "salient.task"));
  info->input_kind = json_string_or_raw (sal_model_get_metadata (model, "salient.input_kind"));
  info->labels = json_labels (sal_model_get_metadata (model, "salient.labels"));
  info->preprocess = g_strdup (sal_model_get_metadata (model, "salient.preprocess"));
  if (g_str_has_suffix (path, ".onnx"))
    {
      g_autofree char *stem = g_strndup (path, strlen (path) - 5);
      md_path = g_strconcat (stem, ".md", NULL);
    }
  if (md_path == NULL || !g_file_get_contents (md_path, &info->card, NULL, NULL))
    info->card = json_string_or_raw (sal_model_get_metadata (model, "salient.card"));

  info->inputs = g_ptr_array_new_with_free_func (g_free);
  info->outputs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < sal_model_n_inputs (model); i++)
    {
      SalValueInfo v;
      sal_model_get_input (model, i, &v);
      g_ptr_array_add (info->inputs, describe_value (&v));
    }
  for (guint i = 0; i < sal_model_n_outputs (model); i++)
    {
      SalValueInfo v;
      sal_model_get_output (model, i, &v);
      g_ptr_array_add (info->outputs, describe_value (&v));
    }
  if (sal_model_n_outputs (model) > 0)
    {
      SalValueInfo v;
      sal_model_get_output (model, 0, &v);
      if (v.rank >= 1 && v.dims[v.rank - 1] > 0 && v.dims[v.rank - 1] <= G_MAXINT)
        info->n_classes = (int) v.dims[v.rank - 1];
    }
  if (sal_model_n_inputs (model) > 0)
    {
      SalValueInfo v;
      sal_model_get_input (model, 0, &v);
      if (v.rank == 4 && v.dtype == SAL_DTYPE_FLOAT && (v.dims[1] == 1 || v.dims[1] == 3)
          && v.dims[2] > 0 && v.dims[3] > 0 && v.dims[2] <= 65536 && v.dims[3] <= 65536)
        {
          info->image_channels = (int) v.dims[1];
          info->image_height = (int) v.dims[2];
          info->image_width = (int) v.dims[3];
        }
    }
  types = sal_model_op_types (model, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (ops, "%s%s", i > 0 ? ", " : "", types[i]);
  g_free (types);
  info->op_types = g_string_free (g_steal_pointer (&ops), FALSE);
  info->n_nodes = sal_model_n_nodes (model);
  info->opset = sal_model_opset (model);
  info->producer = g_strdup (sal_model_producer (model));
  info->n_parameters = sal_model_parameter_count (model);
  info->bytes_held = sal_model_bytes_held (model);
  info->warnings = g_ptr_array_new_with_free_func (g_free);
  warnings = sal_model_warnings (model, &n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (info->warnings, g_strdup (warnings[i]));
  info->test_run_ms = -1;
  if (do_test_run && !test_run (model, &info->test_run_ms, error))
    return NULL;
  return g_steal_pointer (&info);
}

void
sal_model_info_engine_memory (gint64 *bytes_live, gint64 *bytes_peak)
{
  SalAllocStats stats;

  sal_alloc_stats (&stats);
  if (bytes_live != NULL)
    *bytes_live = stats.bytes_live;
  if (bytes_peak != NULL)
    *bytes_peak = stats.bytes_peak;
}
