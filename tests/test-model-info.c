/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Models workspace shows about a model file, and how import refuses bad ones. */
#include "config.h"

#include <string.h>

#include "sal-datasets.h"
#include "sal-model-info.h"
#include "sal-store.h"
#include "sal-test-util.h"

static void
test_shipped (void)
{
  g_autofree char *dir = sal_shipped_models_dir ();
  g_autofree char *path = g_build_filename (dir, "breast-mass-risk.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModelInfo) info = sal_model_info_load (path, TRUE, &error);
  g_autofree char *sha = sal_file_sha256 (path, NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (info->name, ==, "breast-mass-risk");
  g_assert_cmpstr (info->sha256, ==, sha);
  g_assert_cmpstr (info->task, ==, "classification");
  g_assert_cmpstr (info->input_kind, ==, "measurements");
  g_assert_nonnull (info->labels);
  g_assert_cmpuint (info->inputs->len, ==, 1);
  g_assert_true (strstr (g_ptr_array_index (info->inputs, 0), "30]") != NULL);
  g_assert_true (strstr (info->op_types, "Gemm") != NULL || strstr (info->op_types, "MatMul"));
  g_assert_cmpint (info->n_parameters, >, 30 * 8);
  g_assert_cmpint (info->file_size, >, info->n_parameters * 4 / 2);
  g_assert_nonnull (info->card);
  g_assert_true (strstr (info->card, "#") != NULL);
  g_assert_cmpfloat (info->test_run_ms, >=, 0);
}

static void
test_refused (void)
{
  const struct { const char *file; const char *needle; } cases[] = {
    { "custom-domain.onnx", "FusedConv" },
    { "opset-99.onnx", "99" },
    { "not-protobuf.onnx", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "malformed-models",
                                                     cases[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SalModelInfo) info = sal_model_info_load (path, TRUE, &error);

      g_assert_null (info);
      g_assert_nonnull (error);
      if (cases[i].needle != NULL)
        g_assert_true (strstr (error->message, cases[i].needle) != NULL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/model-info/shipped", test_shipped);
  g_test_add_func ("/app/model-info/refused", test_refused);
  return g_test_run ();
}
