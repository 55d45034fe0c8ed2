/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>

#include "sal-test-util.h"

static char *
fixture (const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", "arch", name,
                           "model.onnx", NULL);
}

static void
test_bench_json (void)
{
  g_autofree char *model = fixture ("resnet18_opset13");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;
  JsonArray *times;
  double lo = G_MAXDOUBLE, hi = 0, median;
  int status = sal_test_run_cli (&out, &err, "bench", model, "--runs", "5", "--threads", "2",
                                 "--profile", "--json", NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (o, "batch"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "threads"), ==, 2);
  times = json_object_get_array_member (o, "times_ms");
  g_assert_cmpuint (json_array_get_length (times), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      double t = json_array_get_double_element (times, i);
      g_assert_cmpfloat (t, >, 0);
      lo = MIN (lo, t);
      hi = MAX (hi, t);
    }
  median = json_object_get_double_member (o, "median_ms");
  g_assert_cmpfloat (median, >=, lo);
  g_assert_cmpfloat (median, <=, hi);
  /* the profile names every convolution of resnet18 (20 of them) with a positive rate */
  {
    JsonArray *layers = json_object_get_array_member (o, "layers");
    guint n_conv = 0;
    for (guint i = 0; i < json_array_get_length (layers); i++)
      {
        JsonObject *l = json_array_get_object_element (layers, i);
        if (g_strcmp0 (json_object_get_string_member (l, "op"), "Conv") == 0)
          {
            n_conv++;
            g_assert_cmpfloat (json_object_get_double_member (l, "gflop"), >, 0);
          }
      }
    g_assert_cmpuint (n_conv, ==, 20);
    g_assert_cmpfloat (json_object_get_double_member (o, "sgemm_gflops_per_s"), >, 0);
  }
}

static void
test_bench_errors (void)
{
  g_autofree char *model = fixture ("resnet18_opset13");
  g_autofree char *out = NULL, *err = NULL;

  /* the fixture's batch is fixed at 1 */
  g_assert_cmpint (sal_test_run_cli (&out, &err, "bench", model, "--batch", "4", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "batch"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "bench", model, "--runs", "zero", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--runs"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "bench", "/nonexistent.onnx", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nonexistent"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/bench/json", test_bench_json);
  g_test_add_func ("/cli/bench/errors", test_bench_errors);
  return g_test_run ();
}
