/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* salient-cli info / infer / run-test: models from the command line. */

#include "config.h"

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

#define MAX_TEXT_BYTES ((gsize) 4 << 20)

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

static void
print_json (JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
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
      print_json (b);
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
      print_json (b);
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
  printf (_("Parameters: %" G_GINT64_FORMAT "\n"), sal_model_parameter_count (model));
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

/* The shape to give an input: its declared shape with dynamic dims as 1. */
static gboolean
concrete_shape (const SalValueInfo *info, int *rank, int64_t *dims, int64_t *known_numel)
{
  *rank = info->rank;
  *known_numel = 1;
  for (int d = 0; d < info->rank; d++)
    {
      dims[d] = info->dims[d] < 0 ? 1 : info->dims[d];
      *known_numel *= dims[d];
    }
  return info->rank >= 0;
}

/* Numbers of a CSV row or a text list: the first line made of numbers (a
 * header line of names is skipped). */
static SalTensor *
numbers_input (const char *text, const SalValueInfo *info, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  int rank;
  int64_t dims[SAL_MAX_RANK], numel;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  SalTensor *t;

  for (char **l = lines; *l != NULL && values->len == 0; l++)
    {
      g_auto(GStrv) fields = g_strsplit_set (*l, ",;\t ", -1);
      gboolean all_numbers = TRUE;
      g_autoptr(GArray) row = g_array_new (FALSE, FALSE, sizeof (double));

      for (char **f = fields; *f != NULL; f++)
        {
          char *end;
          double v;
          g_strstrip (*f);
          if (**f == '\0')
            continue;
          v = g_ascii_strtod (*f, &end);
          if (*end != '\0' || !isfinite (v))
            {
              all_numbers = FALSE;
              break;
            }
          g_array_append_val (row, v);
        }
      if (all_numbers && row->len > 0)
        g_array_append_vals (values, row->data, row->len);
    }
  if (values->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("The input file holds no row of numbers"));
      return NULL;
    }
  if (!concrete_shape (info, &rank, dims, &numel))
    {
      rank = 2;
      dims[0] = 1;
      dims[1] = values->len;
      numel = values->len;
    }
  if (numel != (int64_t) values->len)
    {
      g_autofree char *shape = sal_shape_to_string (info->rank, info->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The input row has %u numbers but the model’s input “%s” %s takes %" G_GINT64_FORMAT),
                   values->len, info->name, shape, numel);
      return NULL;
    }
  t = sal_tensor_new (info->dtype, rank, dims, error);
  if (t == NULL)
    return NULL;
  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);
      switch (info->dtype)
        {
        case SAL_DTYPE_FLOAT: sal_tensor_f32 (t)[i] = (float) v; break;
        case SAL_DTYPE_INT64: sal_tensor_i64 (t)[i] = (int64_t) v; break;
        case SAL_DTYPE_INT32: ((gint32 *) t->data)[i] = (gint32) v; break;
        default: sal_tensor_u8 (t)[i] = (guint8) v; break;
        }
    }
  return t;
}

static SalTensor *
text_input (SalModel *model, const char *text, const SalValueInfo *info, GError **error)
{
  g_autoptr(SalTokenizer) tok = NULL;
  g_autoptr(GArray) tokens = NULL;
  int64_t dims[2] = { 1, 0 };
  int64_t len;
  SalTensor *t;

  if (info->dtype != SAL_DTYPE_INT64 && info->dtype != SAL_DTYPE_INT32)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s input “%s” takes %s values, not words"), info->name,
                   sal_dtype_name (info->dtype));
      return NULL;
    }
  tok = sal_tokenizer_new_from_json (sal_model_get_metadata (model, "salient.vocab"),
                                     sal_model_get_metadata (model, "salient.tokenizer"), error);
  if (tok == NULL)
    return NULL;
  tokens = sal_tokenizer_encode (tok, text);
  if (tokens->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("The text holds no words"));
      return NULL;
    }
  /* A fixed sequence length pads or truncates; otherwise the text's length. */
  len = info->rank == 2 && info->dims[1] > 0 ? info->dims[1] : (int64_t) tokens->len;
  dims[1] = len;
  t = sal_tensor_new (info->dtype, 2, dims, error);
  if (t == NULL)
    return NULL;
  for (int64_t i = 0; i < len; i++)
    {
      int64_t id = i < tokens->len ? g_array_index (tokens, SalToken, i).id
                                   : sal_tokenizer_pad_id (tok);
      if (info->dtype == SAL_DTYPE_INT64)
        sal_tensor_i64 (t)[i] = id;
      else
        ((gint32 *) t->data)[i] = (gint32) id;
    }
  return t;
}

static SalTensor *
image_input (SalModel *model, const char *path, const SalValueInfo *info, GError **error)
{
  SalPreprocess p;
  g_autoptr(SalImage) img = NULL;

  if (!sal_preprocess_parse (sal_model_get_metadata (model, "salient.preprocess"), &p, error))
    return NULL;
  if (info->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s input “%s” takes %s values, not an image"), info->name,
                   sal_dtype_name (info->dtype));
      return NULL;
    }
  img = sal_image_load_png (path, NULL, error);
  if (img == NULL)
    return NULL;
  return sal_preprocess_image (&p, img, error);
}

static SalTensor *
read_input (SalModel *model, const char *path, GError **error)
{
  SalValueInfo info;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *contents = NULL;
  gsize len;

  sal_model_get_input (model, 0, &info);
  if (g_str_has_suffix (lower, ".pb"))
    return sal_conformance_load_pb (path, NULL, error);
  if (g_str_has_suffix (lower, ".png"))
    return image_input (model, path, &info, error);
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > MAX_TEXT_BYTES)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE, _("“%s” is too large"), path);
      return NULL;
    }
  if (!g_utf8_validate_len (contents, len, NULL))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("“%s” is not UTF-8 text"), path);
      return NULL;
    }
  if (g_str_has_suffix (lower, ".csv") || info.dtype == SAL_DTYPE_FLOAT)
    return numbers_input (contents, &info, error);
  return text_input (model, contents, &info, error);
}

/* Labels from salient.labels, when it is an array of strings. */
static GPtrArray *
model_labels (SalModel *model)
{
  const char *json = sal_model_get_metadata (model, "salient.labels");
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  JsonArray *a;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return labels;
  a = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      g_ptr_array_add (labels, g_strdup (JSON_NODE_HOLDS_VALUE (n) &&
                                         json_node_get_value_type (n) == G_TYPE_STRING
                                         ? json_node_get_string (n) : ""));
    }
  return labels;
}

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
  input = read_input (model, o.args[1], &error);
  if (input == NULL)
    return fail (&o, error->message);
  run = sal_run_new (model);
  if (!sal_run_set_input (run, 0, input, &error) || !sal_run_execute (run, &error))
    return fail (&o, error->message);

  labels = model_labels (model);
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
          json_builder_set_member_name (b, "shape");
          json_builder_begin_array (b);
          for (int d = 0; d < t->rank; d++)
            json_builder_add_int_value (b, t->dims[d]);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "values");
          json_builder_begin_array (b);
          for (int64_t i = 0; i < t->numel; i++)
            json_builder_add_double_value (b, sal_tensor_get_f64 (t, i));
          json_builder_end_array (b);
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
      print_json (b);
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
      print_json (b);
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
