/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* salient-cli info / infer / run-test: models from the command line. */

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-conformance.h"
#include "sal-engine.h"
#include "sal-image.h"
#include "sal-preprocess.h"
#include "sal-tokenizer.h"
#include "sal-model-input.h"


typedef struct {
  gboolean    json;
  const char *args[2];
  int         n_args;
} Options;

/* --json and positional arguments; FALSE after printing usage or an error. */
static gboolean
parse_options (int argc, char **argv, int n_args, const char *usage, Options *o, int *status)
{
  memset (o, 0, sizeof *o);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        o->json = TRUE;
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("%s\n", usage);
          *status = 0;
          return FALSE;
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        {
          *status = sal_cli_fail (_("unknown option “%s”"), argv[i]);
          return FALSE;
        }
      else if (o->n_args < n_args)
        o->args[o->n_args++] = argv[i];
      else
        {
          *status = sal_cli_fail (_("too many arguments; usage: %s"), usage);
          return FALSE;
        }
    }
  if (o->n_args < n_args)
    {
      *status = sal_cli_fail (_("missing argument; usage: %s"), usage);
      return FALSE;
    }
  return TRUE;
}

/* With --json, errors are JSON on stdout too (and the line on stderr). */
static int
fail (const Options *o, const char *message)
{
  if (o->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, message);
      json_builder_end_object (b);
      sal_cli_write_json (b, NULL, NULL);
    }
  return sal_cli_fail ("%s", message);
}

static char *
shape_text (const SalValueInfo *info)
{
  if (info->rank < 0)
    return g_strdup (_("unknown shape"));
  return sal_shape_to_string (info->rank, info->dims);
}

static void
add_value_info (JsonBuilder *b, const SalValueInfo *info)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, info->name);
  json_builder_set_member_name (b, "dtype");
  json_builder_add_string_value (b, sal_dtype_name (info->dtype));
  json_builder_set_member_name (b, "shape");
  if (info->rank < 0)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_array (b);
      for (int d = 0; d < info->rank; d++)
        json_builder_add_int_value (b, info->dims[d]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

/* Metadata values that are valid JSON go in as JSON, others as strings. */
static void
add_metadata_value (JsonBuilder *b, const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (json_parser_load_from_data (parser, value, -1, NULL) && json_parser_get_root (parser) != NULL)
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_string_value (b, value);
}

int
sal_cli_info_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  Options o;
  int status;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autofree const char **ops = NULL;
  const char *const *warnings;
  guint n_ops, n_warnings;

  if (!parse_options (argc, argv, 1, _("salient-cli info MODEL [--json]"), &o, &status))
    return status;
  model = sal_model_load_file (o.args[0], NULL, &error);
  if (model == NULL)
    return fail (&o, error->message);
  ops = sal_model_op_types (model, &n_ops);
  warnings = sal_model_warnings (model, &n_warnings);

  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      SalValueInfo info;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, o.args[0]);
      json_builder_set_member_name (b, "producer");
      json_builder_add_string_value (b, sal_model_producer (model));
      json_builder_set_member_name (b, "opset");
      json_builder_add_int_value (b, sal_model_opset (model));
      json_builder_set_member_name (b, "nodes");
      json_builder_add_int_value (b, sal_model_n_nodes (model));
      json_builder_set_member_name (b, "inputs");
      json_builder_begin_array (b);
      for (guint i = 0; i < sal_model_n_inputs (model); i++)
        {
          sal_model_get_input (model, i, &info);
          add_value_info (b, &info);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "outputs");
      json_builder_begin_array (b);
      for (guint i = 0; i < sal_model_n_outputs (model); i++)
        {
          sal_model_get_output (model, i, &info);
          add_value_info (b, &info);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "operators");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_ops; i++)
        json_builder_add_string_value (b, ops[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "parameters");
      json_builder_add_int_value (b, sal_model_parameter_count (model));
      json_builder_set_member_name (b, "memory_bytes");
      json_builder_add_int_value (b, sal_model_bytes_held (model));
      json_builder_set_member_name (b, "metadata");
      json_builder_begin_object (b);
      for (guint i = 0; i < sal_model_n_metadata (model); i++)
        {
          const char *k, *v;
          sal_model_get_metadata_entry (model, i, &k, &v);
          json_builder_set_member_name (b, k);
          add_metadata_value (b, v);
        }
      json_builder_end_object (b);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_warnings; i++)
        json_builder_add_string_value (b, warnings[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      sal_cli_write_json (b, NULL, NULL);
      return 0;
    }

  printf (_("Model: %s\n"), o.args[0]);
  printf (_("Producer: %s, ONNX opset %d, %u nodes\n"), sal_model_producer (model),
          sal_model_opset (model), sal_model_n_nodes (model));
  printf ("%s\n", _("Inputs:"));
  for (guint i = 0; i < sal_model_n_inputs (model); i++)
    {
      SalValueInfo info;
      g_autofree char *shape = NULL;
      sal_model_get_input (model, i, &info);
      shape = shape_text (&info);
      printf ("  %s  %s %s\n", info.name, sal_dtype_name (info.dtype), shape);
    }
  printf ("%s\n", _("Outputs:"));
  for (guint i = 0; i < sal_model_n_outputs (model); i++)
    {
      SalValueInfo info;
      g_autofree char *shape = NULL;
      sal_model_get_output (model, i, &info);
      shape = shape_text (&info);
      printf ("  %s  %s %s\n", info.name, sal_dtype_name (info.dtype), shape);
    }
  {
    g_autofree char *list = g_strjoinv (", ", (char **) ops);
    printf (_("Operators: %s\n"), list);
  }
  printf (_("Parameters: %" PRId64 "\n"), sal_model_parameter_count (model));
  {
    g_autofree char *size = g_format_size (sal_model_bytes_held (model));
    printf (_("Memory: %s\n"), size);
  }
  if (sal_model_n_metadata (model) > 0)
    printf ("%s\n", _("Metadata:"));
  for (guint i = 0; i < sal_model_n_metadata (model); i++)
    {
      const char *k, *v;
      sal_model_get_metadata_entry (model, i, &k, &v);
      if (strlen (v) > 200)
        printf ("  %s = %.200s…\n", k, v);
      else
        printf ("  %s = %s\n", k, v);
    }
  for (guint i = 0; i < n_warnings; i++)
    printf (_("Warning: %s\n"), warnings[i]);
  return 0;
}

/* ---- infer ---- */

int
sal_cli_infer_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  Options o;
  int status;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalTensor) input = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  const SalTensor *scores;
  int64_t best = 0;

  if (!parse_options (argc, argv, 2,
                      _("salient-cli infer MODEL INPUT [--json]  (INPUT: .png, .csv, .pb or a text file)"),
                      &o, &status))
    return status;
  model = sal_model_load_file (o.args[0], NULL, &error);
  if (model == NULL)
    return fail (&o, error->message);
  if (sal_model_n_inputs (model) != 1)
    {
      g_autofree char *msg = g_strdup_printf (_("The model takes %u inputs; infer gives it one"),
                                              sal_model_n_inputs (model));
      return fail (&o, msg);
    }
  input = sal_model_input_from_file (model, o.args[1], &error);
  if (input == NULL)
    return fail (&o, error->message);
  run = sal_run_new (model);
  if (!sal_run_set_input (run, 0, input, &error) || !sal_run_execute (run, &error))
    return fail (&o, error->message);

  labels = sal_model_labels (model);
  scores = sal_run_get_output (run, 0);
  for (int64_t i = 1; i < scores->numel; i++)
    if (sal_tensor_get_f64 (scores, i) > sal_tensor_get_f64 (scores, best))
      best = i;

  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, o.args[0]);
      json_builder_set_member_name (b, "input");
      json_builder_add_string_value (b, o.args[1]);
      json_builder_set_member_name (b, "outputs");
      json_builder_begin_array (b);
      for (guint k = 0; k < sal_model_n_outputs (model); k++)
        {
          const SalTensor *t = sal_run_get_output (run, k);
          SalValueInfo info;
          sal_model_get_output (model, k, &info);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, info.name);
          sal_cli_add_tensor (b, t);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "scores");
      json_builder_begin_array (b);
      for (int64_t i = 0; i < scores->numel; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "label");
          if (i < labels->len)
            json_builder_add_string_value (b, g_ptr_array_index (labels, i));
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "score");
          json_builder_add_double_value (b, sal_tensor_get_f64 (scores, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "top");
      json_builder_add_int_value (b, best);
      json_builder_end_object (b);
      sal_cli_write_json (b, NULL, NULL);
      return 0;
    }

  printf ("%s\n", _("Scores:"));
  for (int64_t i = 0; i < scores->numel; i++)
    printf ("  %-24s %.6g%s\n",
            i < labels->len ? (const char *) g_ptr_array_index (labels, i) : "",
            sal_tensor_get_f64 (scores, i), i == best && scores->numel > 1 ? "  ←" : "");
  if (scores->numel > 1)
    {
      g_autofree char *name = best < labels->len ? g_strdup (g_ptr_array_index (labels, best))
                                                 : g_strdup_printf ("#%" G_GINT64_FORMAT, best);
      printf (_("Top: %s\n"), name);
    }
  return 0;
}

/* ---- run-test ---- */

int
sal_cli_run_test_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  Options o;
  int status;
  g_autoptr(GError) error = NULL;
  SalConformanceResult result = { 0 };
  gboolean ok;

  if (!parse_options (argc, argv, 1, _("salient-cli run-test DIR  (model.onnx + test_data_set_*/)"),
                      &o, &status))
    return status;
  ok = sal_conformance_run_case (o.args[0], &result, &error);
  if (!ok)
    {
      sal_conformance_result_clear (&result);
      return fail (&o, error->message);
    }
  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "match");
      json_builder_add_boolean_value (b, result.n_mismatched == 0);
      json_builder_set_member_name (b, "data_sets");
      json_builder_add_int_value (b, result.n_sets);
      json_builder_set_member_name (b, "outputs");
      json_builder_add_int_value (b, result.n_outputs);
      json_builder_set_member_name (b, "mismatched");
      json_builder_add_int_value (b, result.n_mismatched);
      json_builder_set_member_name (b, "max_abs_error");
      json_builder_add_double_value (b, result.max_abs_error);
      json_builder_set_member_name (b, "report");
      json_builder_begin_array (b);
      for (guint i = 0; i < result.report->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (result.report, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      sal_cli_write_json (b, NULL, NULL);
    }
  else
    {
      for (guint i = 0; i < result.report->len; i++)
        printf ("%s\n", (const char *) g_ptr_array_index (result.report, i));
      printf (result.n_mismatched == 0
              ? _("PASS: %u outputs in %u data sets match (rtol %g, atol %g)\n")
              : _("FAIL: %u outputs in %u data sets compared (rtol %g, atol %g)\n"),
              result.n_outputs, result.n_sets, SAL_CONFORMANCE_RTOL, SAL_CONFORMANCE_ATOL);
    }
  status = result.n_mismatched == 0 ? 0 : 1;
  sal_conformance_result_clear (&result);
  return status;
}
