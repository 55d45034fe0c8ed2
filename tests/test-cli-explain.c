/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <json-glib/json-glib.h>
#include <math.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/cli-explain/note-ig", test_note_ig);
  g_test_add_func ("/app/cli-explain/other-methods-and-errors", test_other_methods_and_errors);
  return g_test_run ();
}
