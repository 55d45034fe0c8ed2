/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli info and infer on models built here with the graph builder:
 * a tabular model (CSV and .pb inputs), a note model (text through the
 * tokenizer) and an image model (PNG through salient.preprocess). */
#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-image.h"
#include "sal-test-util.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sal_test_tmpdir ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

static char *
save (SalGraphBuilder *b, const char *dir, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = sal_graph_builder_finish (b, &error);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_no_error (error);
  g_assert_true (sal_model_save_file (model, path, &error));
  g_assert_no_error (error);
  return path;
}

/* y = x W + b, x [-1, 3], labels benign / malignant. */
static const float tab_w[6] = { 1, -1, 2, 0.5f, -3, 4 };
static const float tab_b[2] = { 0.25f, -0.25f };

static char *
tabular_model (const char *dir)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  int64_t x_dims[2] = { -1, 3 }, w_dims[2] = { 3, 2 }, b_dims[1] = { 2 };
  g_autoptr(SalTensor) w = sal_tensor_new_f32 (2, w_dims);
  g_autoptr(SalTensor) bias = sal_tensor_new_f32 (1, b_dims);
  const char *in[] = { "x", "W", "b" }, *out[] = { "y" };

  memcpy (w->data, tab_w, sizeof tab_w);
  memcpy (bias->data, tab_b, sizeof tab_b);
  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, x_dims);
  sal_graph_builder_add_initializer (b, "W", w);
  sal_graph_builder_add_initializer (b, "b", bias);
  sal_graph_builder_add_node (b, "Gemm", "dense", 3, in, 1, out);
  sal_graph_builder_add_output (b, "y");
  sal_graph_builder_set_metadata (b, "salient.task", "\"classification\"");
  sal_graph_builder_set_metadata (b, "salient.input_kind", "\"measurements\"");
  sal_graph_builder_set_metadata (b, "salient.labels", "[\"benign\", \"malignant\"]");
  return save (b, dir, "tabular.onnx");
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_info (Fixture *f, gconstpointer data)
{
  g_autofree char *path = tabular_model (f->dir);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o, *input;
  JsonArray *shape, *labels;

  g_assert_cmpint (sal_test_run_cli (&out, &err, "info", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "x  float32 [-1, 3]"));
  g_assert_nonnull (strstr (out, "Gemm"));
  g_assert_nonnull (strstr (out, "8"));   /* parameters */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, &err, "info", "--json", path, NULL), ==, 0);
  root = parse_json (out);
  o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (o, "parameters"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (o, "opset"), ==, 13);
  input = json_array_get_object_element (json_object_get_array_member (o, "inputs"), 0);
  g_assert_cmpstr (json_object_get_string_member (input, "name"), ==, "x");
  shape = json_object_get_array_member (input, "shape");
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, -1);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "operators"), 0),
                   ==, "Gemm");
  labels = json_object_get_array_member (json_object_get_object_member (o, "metadata"),
                                         "salient.labels");
  g_assert_cmpstr (json_array_get_string_element (labels, 1), ==, "malignant");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "metadata"),
                                                  "salient.task"), ==, "classification");
}

static void
test_info_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (f->dir, "bad.onnx", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_true (g_file_set_contents (bad, "not a model at all", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "info", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "salient-cli: the model file"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "info", "--json", bad, NULL), ==, 1);
  root = parse_json (out);
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (root), "error"),
                            "ONNX"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "info", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "usage"));
}

/* A third of the malformed corpus (test-onnx-load checks every file in
 * process): exit status 1 and one clear line, also as JSON. */
static void
test_info_malformed (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests",
                                           "malformed-models", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0, seen = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonNode) root = NULL;

      if (!g_str_has_suffix (name, ".onnx") || seen++ % 3 != 0)
        continue;
      g_assert_cmpint (sal_test_run_cli (&out, &err, "info", "--json", path, NULL), ==, 1);
      g_assert_true (g_str_has_prefix (err, "salient-cli: "));
      g_assert_cmpint (strchr (err, '\n') - err, ==, (int) strlen (err) - 1);   /* one line */
      root = parse_json (out);
      g_assert_nonnull (json_object_get_string_member (json_node_get_object (root), "error"));
      n++;
    }
  g_assert_cmpuint (n, >=, 10);
}

static double
tab_ref (const float x[3], int j)
{
  double y = tab_b[j];
  for (int k = 0; k < 3; k++)
    y += x[k] * tab_w[k * 2 + j];
  return y;
}

static void
check_scores (const char *json, const double *expect, int n, const char *top_label)
{
  g_autoptr(JsonNode) root = parse_json (json);
  JsonObject *o = json_node_get_object (root);
  JsonArray *scores = json_object_get_array_member (o, "scores");
  int top = json_object_get_int_member (o, "top");

  g_assert_cmpint (json_array_get_length (scores), ==, n);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (
        json_object_get_double_member (json_array_get_object_element (scores, i), "score"),
        expect[i], 1e-4);
  if (top_label != NULL)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (scores, top),
                                                    "label"), ==, top_label);
}

static void
test_infer_csv (Fixture *f, gconstpointer data)
{
  g_autofree char *model = tabular_model (f->dir);
  g_autofree char *csv = g_build_filename (f->dir, "row.csv", NULL);
  g_autofree char *short_csv = g_build_filename (f->dir, "short.csv", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const float x[3] = { 0.5f, -1.5f, 2 };
  double expect[2] = { tab_ref (x, 0), tab_ref (x, 1) };

  g_assert_true (g_file_set_contents (csv, "radius,texture,area\n0.5,-1.5,2\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, csv, "--json", NULL), ==, 0);
  check_scores (out, expect, 2, expect[1] > expect[0] ? "malignant" : "benign");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, csv, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "malignant"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (short_csv, "1,2\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, short_csv, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "2 numbers"));
}

static void
test_infer_pb (Fixture *f, gconstpointer data)
{
  g_autofree char *model = tabular_model (f->dir);
  g_autofree char *pb = g_build_filename (f->dir, "x.pb", NULL);
  g_autofree char *out = NULL, *err = NULL;
  const float x[3] = { -2, 0.25f, 1 };
  double expect[2] = { tab_ref (x, 0), tab_ref (x, 1) };
  /* TensorProto: dims 1, 3; data_type float; raw_data 12 bytes */
  guint8 bytes[6 + 2 + 12] = { 0x08, 0x01, 0x08, 0x03, 0x10, 0x01, 0x4a, 12 };

  memcpy (bytes + 8, x, sizeof x);
  g_assert_true (g_file_set_contents (pb, (const char *) bytes, sizeof bytes, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, pb, "--json", NULL), ==, 0);
  check_scores (out, expect, 2, NULL);
}

/* ids [1, -1] -> Gather (E, ids) [1, T, 1] -> ReduceMean over T -> [1, 1]; E[i] = i. */
static void
test_infer_text (Fixture *f, gconstpointer data)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  int64_t ids_dims[2] = { 1, -1 }, e_dims[2] = { 4, 1 };
  g_autoptr(SalTensor) e = sal_tensor_new_f32 (2, e_dims);
  const char *g_in[] = { "E", "ids" }, *g_out[] = { "emb" };
  const char *r_in[] = { "emb" }, *r_out[] = { "score" };
  const int64_t axes[1] = { 1 };
  g_autofree char *model = NULL;
  g_autofree char *note = g_build_filename (f->dir, "note.txt", NULL);
  g_autofree char *out = NULL, *err = NULL;
  double expect[1] = { (2 + 3 + 2 + 3 + 1) / 5.0 };
  SalNode *mean;

  for (int i = 0; i < 4; i++)
    sal_tensor_f32 (e)[i] = i;
  sal_graph_builder_add_input (b, "ids", SAL_DTYPE_INT64, 2, ids_dims);
  sal_graph_builder_add_initializer (b, "E", e);
  sal_graph_builder_add_node (b, "Gather", "embed", 2, g_in, 1, g_out);
  mean = sal_graph_builder_add_node (b, "ReduceMean", "pool", 1, r_in, 1, r_out);
  sal_node_set_ints (mean, "axes", 1, axes);
  sal_node_set_int (mean, "keepdims", 0);
  sal_graph_builder_add_output (b, "score");
  sal_graph_builder_set_metadata (b, "salient.input_kind", "\"note\"");
  sal_graph_builder_set_metadata (b, "salient.vocab", "[\"<pad>\", \"<unk>\", \"chest\", \"pain\"]");
  sal_graph_builder_set_metadata (b, "salient.tokenizer", "\"salient-words\"");
  model = save (b, f->dir, "note.onnx");

  g_assert_true (g_file_set_contents (note, "Chest pain, CHEST-pain! zzz\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, note, "--json", NULL), ==, 0);
  check_scores (out, expect, 1, NULL);
}

/* [1, 1, 4, 4] -> ReduceMean over everything; a PNG half white, half black. */
static void
test_infer_png (Fixture *f, gconstpointer data)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  int64_t x_dims[4] = { 1, 1, 4, 4 };
  const char *r_in[] = { "image" }, *r_out[] = { "brightness" };
  const int64_t axes[3] = { 1, 2, 3 };
  g_autofree char *model = NULL;
  g_autofree char *png = g_build_filename (f->dir, "half.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(SalImage) img = sal_image_new (12, 6, 3, 16);
  g_autoptr(GError) error = NULL;
  double expect[1] = { 0.5 };
  SalNode *mean;

  for (int y = 0; y < 6; y++)
    for (int x = 0; x < 6; x++)
      for (int c = 0; c < 3; c++)
        img->pixels[(y * 12 + x) * 3 + c] = 65535;
  g_assert_true (sal_image_save_png (img, png, &error));
  sal_graph_builder_add_input (b, "image", SAL_DTYPE_FLOAT, 4, x_dims);
  mean = sal_graph_builder_add_node (b, "ReduceMean", "mean", 1, r_in, 1, r_out);
  sal_node_set_ints (mean, "axes", 3, axes);
  sal_node_set_int (mean, "keepdims", 0);
  sal_graph_builder_add_output (b, "brightness");
  sal_graph_builder_set_metadata (b, "salient.preprocess",
                                  "{\"channels\": 1, \"size\": [4, 4], \"resize\": \"bilinear\","
                                  " \"scaling\": \"fixed\", \"mean\": 0, \"std\": 1}");
  model = save (b, f->dir, "image.onnx");
  g_assert_cmpint (sal_test_run_cli (&out, &err, "infer", model, png, "--json", NULL), ==, 0);
  check_scores (out, expect, 1, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add ("/app/cli-model/info", Fixture, NULL, fixture_setup, test_info, fixture_teardown);
  g_test_add ("/app/cli-model/info-errors", Fixture, NULL, fixture_setup, test_info_errors,
              fixture_teardown);
  g_test_add ("/app/cli-model/info-malformed", Fixture, NULL, fixture_setup, test_info_malformed,
              fixture_teardown);
  g_test_add ("/app/cli-model/infer-csv", Fixture, NULL, fixture_setup, test_infer_csv,
              fixture_teardown);
  g_test_add ("/app/cli-model/infer-pb", Fixture, NULL, fixture_setup, test_infer_pb,
              fixture_teardown);
  g_test_add ("/app/cli-model/infer-text", Fixture, NULL, fixture_setup, test_infer_text,
              fixture_teardown);
  g_test_add ("/app/cli-model/infer-png", Fixture, NULL, fixture_setup, test_infer_png,
              fixture_teardown);
  return g_test_run ();
}
