/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-model-input.h"
#include "sal-tokenizer.h"

/* x[1,3] → Identity, with tabular metadata. */
static SalModel *
tabular_model (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, 3 });
  sal_graph_builder_add_node (b, "Identity", "id", 1, (const char *[]) { "x" }, 1, (const char *[]) { "y" });
  sal_graph_builder_add_output (b, "y");
  sal_graph_builder_set_metadata (b, "salient.input_kind", "\"measurements\"");
  sal_graph_builder_set_metadata (b, "salient.labels", "[\"benign\", \"malignant\"]");
  sal_graph_builder_set_metadata (b, "salient.features",
                                  "[{\"name\": \"radius_mean\", \"unit\": \"mm\", \"min\": 6, \"max\": 29, \"group\": \"radius\"},"
                                  " {\"name\": \"texture_mean\", \"min\": 9.5, \"max\": 40},"
                                  " \"area_mean\"]");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

static void
test_tabular (void)
{
  g_autoptr(SalModel) m = tabular_model ();
  g_autoptr(GPtrArray) labels = sal_model_labels (m);
  g_autoptr(GPtrArray) features = sal_model_features (m);
  g_autoptr(SalTensor) t = NULL;
  g_autoptr(GError) error = NULL;
  const SalFeatureInfo *f;

  g_assert_cmpint (sal_model_input_kind (m), ==, SAL_INPUT_KIND_MEASUREMENTS);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (labels, 1), ==, "malignant");
  {
    g_autoptr(GPtrArray) classes = sal_model_class_labels (m, 3);

    g_assert_cmpuint (classes->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (classes, 1), ==, "malignant");
    g_assert_cmpstr (g_ptr_array_index (classes, 2), ==, "class 2");
  }
  g_assert_cmpuint (features->len, ==, 3);
  f = g_ptr_array_index (features, 0);
  g_assert_cmpstr (f->name, ==, "radius_mean");
  g_assert_cmpstr (f->unit, ==, "mm");
  g_assert_cmpstr (f->group, ==, "radius");
  g_assert_cmpfloat (f->min, ==, 6);
  g_assert_cmpfloat (f->max, ==, 29);
  f = g_ptr_array_index (features, 1);
  g_assert_null (f->unit);
  g_assert_cmpfloat (f->min, ==, 9.5);
  f = g_ptr_array_index (features, 2);
  g_assert_cmpstr (f->name, ==, "area_mean");
  g_assert_true (isnan (f->min));

  t = sal_model_input_from_values (m, (double[]) { 14.5, 20.25, 650 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->rank, ==, 2);
  g_assert_cmpint (t->dims[1], ==, 3);
  g_assert_cmpfloat (sal_tensor_f32 (t)[1], ==, 20.25f);
  g_clear_pointer (&t, sal_tensor_free);
  t = sal_model_input_from_values (m, (double[]) { 1, 2 }, 2, &error);
  g_assert_null (t);
  g_assert_nonnull (strstr (error->message, "2 numbers"));
  g_clear_error (&error);
  t = sal_model_input_from_values (m, (double[]) { 1, NAN, 3 }, 3, &error);
  g_assert_null (t);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

static void
test_note (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalTensor) t = NULL;
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "Crushing chest PAIN today";

  sal_graph_builder_add_input (b, "ids", SAL_DTYPE_INT64, 2, (int64_t[]) { -1, 6 });
  sal_graph_builder_add_node (b, "Identity", "id", 1, (const char *[]) { "ids" }, 1, (const char *[]) { "y" });
  sal_graph_builder_add_output (b, "y");
  sal_graph_builder_set_metadata (b, "salient.input_kind", "\"note\"");
  sal_graph_builder_set_metadata (b, "salient.vocab", "[\"<pad>\", \"<unk>\", \"chest\", \"pain\"]");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_model_input_kind (m), ==, SAL_INPUT_KIND_NOTE);
  t = sal_model_input_from_text (m, text, &tokens, &error);
  g_assert_no_error (error);
  /* crushing → <unk>, chest, pain, today → <unk>, then padding to the fixed length 6. */
  g_assert_cmpint (t->dims[1], ==, 6);
  g_assert_cmpint (sal_tensor_i64 (t)[0], ==, 1);
  g_assert_cmpint (sal_tensor_i64 (t)[1], ==, 2);
  g_assert_cmpint (sal_tensor_i64 (t)[2], ==, 3);
  g_assert_cmpint (sal_tensor_i64 (t)[3], ==, 1);
  g_assert_cmpint (sal_tensor_i64 (t)[5], ==, 0);
  g_assert_cmpuint (tokens->len, ==, 4);
  g_assert_cmpuint (g_array_index (tokens, SalToken, 2).start, ==, 15);
  g_assert_cmpuint (g_array_index (tokens, SalToken, 2).end, ==, 19);
}

static SalTensor *
background (const char *csv, GPtrArray *features, guint n_columns, int max_rows,
            GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("salient-bg-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bg.csv", NULL);
  SalTensor *t;

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  t = sal_background_from_csv (path, features, n_columns, max_rows, error);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  return t;
}

/* Background rows: named columns in the features' order (others ignored), comments
 * and blank lines skipped, at most max_rows evenly spaced; or unnamed columns. */
static void
test_background (void)
{
  g_autoptr(SalModel) m = tabular_model ();
  g_autoptr(GPtrArray) features = sal_model_features (m);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  SalTensor *t;

  t = background ("# exported\n\nid, area_mean, texture_mean,radius_mean\n"
                  "1,500,10,11\n# a note\n2,600,20,12\n\n3,700,30,13\n4,800,40,14\n",
                  features, 3, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->dims[0], ==, 2);
  g_assert_cmpint (t->dims[1], ==, 3);
  /* rows 0 and 2 of 4, in the order radius, texture, area */
  g_assert_cmpfloat (sal_tensor_f32 (t)[0], ==, 11);
  g_assert_cmpfloat (sal_tensor_f32 (t)[1], ==, 10);
  g_assert_cmpfloat (sal_tensor_f32 (t)[2], ==, 500);
  g_assert_cmpfloat (sal_tensor_f32 (t)[3], ==, 13);
  g_assert_cmpfloat (sal_tensor_f32 (t)[5], ==, 700);
  sal_tensor_free (t);

  t = background ("radius_mean,area_mean\n1,2\n", features, 3, 100, &error);
  g_assert_null (t);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "no column “texture_mean”"));
  g_clear_error (&error);
  t = background ("radius_mean,texture_mean,area_mean\n1,x,3\n", features, 3, 100, &error);
  g_assert_null (t);
  g_assert_nonnull (strstr (error->message, "not a table of numbers with a header"));
  g_clear_error (&error);

  /* without feature names: a header line is skipped, every row has n_columns numbers */
  t = background ("a,b\n1,2\n3,4\n", none, 2, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->dims[0], ==, 2);
  g_assert_cmpfloat (sal_tensor_f32 (t)[3], ==, 4);
  sal_tensor_free (t);
  t = background ("1,2\n3\n", none, 2, 100, &error);
  g_assert_null (t);
  g_assert_nonnull (strstr (error->message, "not a table of 2 numbers per row"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/app/model-input/tabular", test_tabular);
  g_test_add_func ("/app/model-input/note", test_note);
  g_test_add_func ("/app/model-input/background", test_background);
  return g_test_run ();
}
