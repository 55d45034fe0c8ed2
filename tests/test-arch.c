/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Real architectures exported from PyTorch (tools/make-arch-fixtures.py):
 * the width-reduced cases in tests/fixtures/arch must reproduce PyTorch's
 * outputs within rtol 1e-4. The full-size cases, generated into
 * tests/cache/arch where PyTorch is installed, run with --full or as
 * test-arch-full (slow suite), which skips with a message when they are absent. */
#include "sal-engine.h"
#include "sal-model.h"

#include <math.h>

#ifndef SAL_ARCH_FULL
#define SAL_ARCH_FULL 0
#endif

static gboolean full = SAL_ARCH_FULL;

static SalTensor *
load_pb (const char *path)
{
  g_autofree char *buf = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  SalTensor *t;

  g_assert_true (g_file_get_contents (path, &buf, &len, &error));
  t = sal_tensor_load_pb ((const guint8 *) buf, len, NULL, &error);
  g_assert_no_error (error);
  return t;
}

static void
run_case (gconstpointer data)
{
  const char *dir = data;
  g_autofree char *model_path = g_build_filename (dir, "model.onnx", NULL);
  g_autofree char *in_path = g_build_filename (dir, "test_data_set_0", "input_0.pb", NULL);
  g_autofree char *out_path = g_build_filename (dir, "test_data_set_0", "output_0.pb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = sal_model_load_file (model_path, NULL, &error);
  g_autoptr(SalTensor) input = NULL, want = NULL;
  g_autoptr(SalRun) run = NULL;
  const SalTensor *got;
  double worst = 0;

  g_assert_no_error (error);
  input = load_pb (in_path);
  want = load_pb (out_path);
  run = sal_run_new (model);
  sal_run_set_threads (run, 2);
  g_assert_true (sal_run_set_input (run, 0, input, &error));
  g_assert_no_error (error);
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  got = sal_run_get_output (run, 0);
  g_assert_true (sal_tensor_same_shape (got, want));
  for (int64_t i = 0; i < want->numel; i++)
    {
      double a = sal_tensor_f32 (got)[i], b = sal_tensor_f32 (want)[i];
      double excess = fabs (a - b) / (1e-6 + 1e-4 * fabs (b));
      if (!(excess <= 1))
        g_test_message ("output[%" G_GINT64_FORMAT "] = %.8g, PyTorch %.8g", i, a, b);
      worst = MAX (worst, isnan (excess) ? INFINITY : excess);
    }
  g_test_message ("%s: largest error %.3g of the tolerance", dir, worst);
  g_assert_cmpfloat (worst, <=, 1.0);

  /* a second run on the same plan gives the same numbers */
  g_assert_true (sal_run_execute (run, &error));
  got = sal_run_get_output (run, 0);
  for (int64_t i = 0; i < want->numel; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (got)[i], sal_tensor_f32 (want)[i],
                                    1e-6 + 1e-4 * fabs (sal_tensor_f32 (want)[i]));
}

static void
skip_full (gconstpointer data)
{
  g_test_skip_printf ("no full-size architectures in %s: generate them with "
                      "/usr/bin/python3 tools/make-arch-fixtures.py --full (needs PyTorch)",
                      (const char *) data);
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  const char *src = g_getenv ("SALIENT_SOURCE_DIR");
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    if (g_strcmp0 (argv[i], "--full") == 0)
      full = TRUE;
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_assert_nonnull (src);
  dir = g_build_filename (src, "tests", full ? "cache" : "fixtures", "arch", NULL);
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    {
      g_assert_true (full);
      g_test_add_data_func ("/engine/arch/full", dir, skip_full);
    }
  else
    {
      const char *name;
      while ((name = g_dir_read_name (d)) != NULL)
        g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, cmp_names);
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_strdup_printf ("/engine/arch/%s%s", full ? "full/" : "", name);
      g_test_add_data_func_full (path, g_build_filename (dir, name, NULL), run_case, g_free);
    }
  return g_test_run ();
}
