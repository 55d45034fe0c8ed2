/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-engine.h"

static void
test_numel_overflow (void)
{
  int64_t dims_ok[3] = { 2, 3, 4 };
  int64_t dims_big[3] = { G_MAXINT64 / 4, 4, 4 };
  int64_t dims_neg[2] = { 3, -1 };
  int64_t n = -1;

  g_assert_true (sal_shape_numel (3, dims_ok, &n));
  g_assert_cmpint (n, ==, 24);
  g_assert_false (sal_shape_numel (3, dims_big, &n));
  g_assert_false (sal_shape_numel (2, dims_neg, &n));
  g_assert_true (sal_shape_numel (0, NULL, &n));
  g_assert_cmpint (n, ==, 1);
}

static void
test_alloc_accounting (void)
{
  SalAllocStats before, during, after;
  int64_t dims[2] = { 16, 16 };
  SalTensor *t;

  sal_alloc_stats (&before);
  t = sal_tensor_new_f32 (2, dims);
  sal_alloc_stats (&during);
  g_assert_cmpuint (during.n_allocs, ==, before.n_allocs + 1);
  g_assert_cmpint (during.bytes_live, ==, before.bytes_live + 16 * 16 * 4);
  g_assert_cmpfloat (sal_tensor_f32 (t)[255], ==, 0.0f);
  sal_tensor_free (t);
  sal_alloc_stats (&after);
  g_assert_cmpint (after.bytes_live, ==, before.bytes_live);
  g_assert_cmpuint (after.n_frees, ==, before.n_frees + 1);
}

static void
test_shape_error (void)
{
  g_autoptr(GError) error = NULL;
  int64_t dims[2] = { G_MAXINT64 / 2, 3 };
  SalTensor *t = sal_tensor_new (SAL_DTYPE_FLOAT, 2, dims, &error);

  g_assert_null (t);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/tensor/numel-overflow", test_numel_overflow);
  g_test_add_func ("/engine/tensor/alloc-accounting", test_alloc_accounting);
  g_test_add_func ("/engine/tensor/shape-error", test_shape_error);
  return g_test_run ();
}
