/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-test-util.h"

static char *
triage_model (void)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models", "note-triage.onnx",
                           NULL);
}

static JsonObject *
parse (JsonParser *parser, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* IG on the shipped note-triage model: JSON fields, completeness ≤ 1%,
 * the file's SHA-256, and the same request gives the same bytes. */
static void
test_note_ig (void)
{
  g_autofree char *model = triage_model ();
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *note = g_build_filename (dir, "note.txt", NULL);
  g_autofree char *json = g_build_filename (dir, "out.json", NULL);
  g_autofree char *out = NULL, *out2 = NULL, *err = NULL, *contents = NULL, *hash = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o, *checks, *attr;
  gsize len;
  double score, base, gap;

  g_assert_true (g_file_set_contents (note, "Severe chest pain radiating to the left arm, "
                                      "sweating, onset 30 minutes ago.\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, &err, "explain", model, note, "--method",
                                     "integrated-gradients", "--baseline", "pad", "--steps", "64",
                                     NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpstr (json_object_get_string_member (o, "method"), ==, "integrated-gradients");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "parameters"),
                                                  "baseline"), ==, "pad");
  attr = json_object_get_object_member (o, "attribution");
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (attr, "values")), ==,
                   json_array_get_int_element (json_object_get_array_member (o, "input_shape"), 1));
  checks = json_object_get_object_member (o, "checks");
  score = json_object_get_double_member (o, "score");
  base = json_object_get_double_member (checks, "baseline_score");
  gap = json_object_get_double_member (checks, "completeness_gap");
  g_test_message ("note IG: score %.4f baseline %.4f gap %.4f", score, base, gap);
  g_assert_cmpfloat (gap, <=, 0.01 * fabs (score - base));
  g_assert_true (g_file_get_contents (model, &contents, &len, NULL));
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, len);
  g_assert_cmpstr (json_object_get_string_member (o, "model_sha256"), ==, hash);

  /* Reproducible, and --output writes the same document. */
  g_assert_cmpint (sal_test_run_cli (NULL, NULL, "explain", model, note, "--method",
                                     "integrated-gradients", "--baseline", "pad", "--steps", "64",
                                     "--output", json, NULL), ==, 0);
  g_assert_true (g_file_get_contents (json, &out2, NULL, NULL));
  g_assert_cmpstr (g_strstrip (out2), ==, g_strstrip (out));
  sal_test_rm_rf (dir);
}

/* Token occlusion and attention run; bad requests fail with a reason and
 * write nothing. */
static void
test_other_methods_and_errors (void)
{
  g_autofree char *model = triage_model ();
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *note = g_build_filename (dir, "note.txt", NULL);
  g_autofree char *png = g_build_filename (dir, "o.png", NULL);
  const char *methods[] = { "token-occlusion", "attention" };

  g_assert_true (g_file_set_contents (note, "routine follow up, no complaints\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *out = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_assert_cmpint (sal_test_run_cli (&out, NULL, "explain", model, note, "--method", methods[i],
                                         NULL), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (parse (parser, out), "method"), ==,
                       methods[i]);
    }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain", model, note, "--method", "lime",
                                       NULL), ==, 1);
    g_assert_nonnull (strstr (err, "lime"));
  }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain", model, note, "--method", "grad-cam",
                                       NULL), ==, 1);
    g_assert_nonnull (strstr (err, "token"));
  }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain", model, note, "--method", "attention",
                                       "--overlay", png, NULL), ==, 1);
    g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain", model, note, "--method",
                                       "integrated-gradients", "--steps", "zero", NULL), ==, 1);
  }
  sal_test_rm_rf (dir);
}

static char *
shipped (const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models", name, NULL);
}

/* Shapley on the breast-mass model with background rows from a CSV (the
 * committed WDBC copy) and the model's 10 feature groups filled in from
 * salient.features; without a background the error says what to pass. */
static void
test_shapley_background (void)
{
  g_autofree char *model = shipped ("breast-mass-risk.onnx");
  g_autofree char *csv = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "datasets",
                                           "wdbc.csv", NULL);
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *row = g_build_filename (dir, "row.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *text = NULL, *out = NULL, *out2 = NULL, *err = NULL, *err2 = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *o, *params, *checks;
  JsonArray *groups, *values;
  double sum = 0, score, expected;
  guint first = 0;

  /* the 30 measurements of one row (its diagnosis column dropped) */
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  while (lines[first][0] == '#')
    first++;
  *strrchr (lines[first + 20], ',') = '\0';
  g_assert_true (g_file_set_contents (row, lines[first + 20], -1, NULL));

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "explain", model, row, "--method", "shapley",
                                     "--background", csv, "--target", "1", NULL), ==, 0);
  o = parse (parser, out);
  params = json_object_get_object_member (o, "parameters");
  g_assert_cmpint (json_object_get_int_member (params, "background_rows"), ==, 100);
  groups = json_object_get_array_member (params, "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 10);
  g_assert_cmpstr (json_array_get_string_element (groups, 0), ==, "radius");
  values = json_object_get_array_member (json_object_get_object_member (o, "group_attribution"),
                                         "values");
  g_assert_cmpuint (json_array_get_length (values), ==, 10);
  for (guint i = 0; i < 10; i++)
    sum += json_array_get_double_element (values, i);
  checks = json_object_get_object_member (o, "checks");
  score = json_object_get_double_member (o, "score");
  expected = json_object_get_double_member (checks, "expected_score");
  g_assert_cmpfloat (fabs (sum - (score - expected)), <=, 1e-5 * fabs (score - expected));
  g_assert_cmpfloat (json_object_get_double_member (checks, "efficiency_gap"), <=,
                     1e-5 * fabs (score - expected));

  /* --no-groups: one value per feature, no group values */
  g_assert_cmpint (sal_test_run_cli (&out2, NULL, "explain", model, row, "--method", "kernel-shap",
                                     "--background", csv, "--no-groups", NULL), ==, 0);
  o = parse (parser2, out2);
  g_assert_false (json_object_has_member (o, "group_attribution"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (o, "attribution"), "values")), ==, 30);

  g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain", model, row, "--method", "shapley",
                                     NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--background"));
  g_assert_true (g_file_set_contents (bad, "radius_mean,texture_mean\n1,2\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (NULL, &err2, "explain", model, row, "--method", "shapley",
                                     "--background", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "perimeter_mean"));
  sal_test_rm_rf (dir);
}

/* explain-eval on the shipped models, a few images and notes: the JSON
 * holds every requested figure, each a rate in [0, 1]. (The full figures
 * are in engine/README.md; test-explain-eval runs them in the slow suite.) */
static void
test_explain_eval_small (void)
{
  g_autofree char *lesion = shipped ("lesion-finder.onnx");
  g_autofree char *notes = shipped ("note-triage.onnx");
  g_autofree char *out = NULL, *out2 = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  JsonObject *o, *pg, *rates, *sanity;
  JsonArray *stages;
  double r;

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "explain-eval", lesion, "--images", "2",
                                     "--sanity-images", "1", "--methods", "gradient,grad-cam",
                                     "--sanity-methods", "grad-cam", NULL), ==, 0);
  o = parse (parser, out);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, "image");
  pg = json_object_get_object_member (o, "pointing_game");
  g_assert_cmpint (json_object_get_int_member (pg, "images"), ==, 2);
  rates = json_object_get_object_member (pg, "hit_rate");
  g_assert_cmpuint (json_object_get_size (rates), ==, 2);
  r = json_object_get_double_member (rates, "grad-cam");
  g_assert_true (r == 0 || r == 0.5 || r == 1);
  r = json_object_get_double_member (pg, "random_map");
  g_assert_true (r >= 0 && r <= 1);
  sanity = json_object_get_object_member (o, "sanity_check");
  stages = json_object_get_array_member (json_object_get_object_member (sanity,
                                                                        "spearman_by_stage"),
                                         "grad-cam");
  g_assert_cmpuint (json_array_get_length (stages), >=, 3);

  g_assert_cmpint (sal_test_run_cli (&out2, NULL, "explain-eval", notes, "--notes", "3", NULL), ==,
                   0);
  o = parse (parser2, out2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "held_out_notes"),
                                               "notes"), ==, 3);
  r = json_object_get_double_member (json_object_get_object_member (o, "held_out_templates"),
                                     "top3_hit_rate");
  g_assert_true (r >= 0 && r <= 1);

  g_assert_cmpint (sal_test_run_cli (NULL, &err, "explain-eval", lesion, "--methods", "shapley",
                                     NULL), ==, 1);
  g_assert_nonnull (strstr (err, "shapley"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli-explain/note-ig", test_note_ig);
  g_test_add_func ("/app/cli-explain/other-methods-and-errors", test_other_methods_and_errors);
  g_test_add_func ("/app/cli-explain/shapley-background", test_shapley_background);
  g_test_add_func ("/app/cli-explain/explain-eval", test_explain_eval_small);
  return g_test_run ();
}
