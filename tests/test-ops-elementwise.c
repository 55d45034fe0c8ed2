/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-test.h"
#include "sal-plan-private.h"
#include "ops/sal-broadcast.h"

#include <math.h>

/* Reference broadcasting by index unravelling, independent of the engine's
 * merged-run iterator: the offset in `t` of output element `i` of shape (rank, dims). */
static int64_t
ref_offset (const SalTensor *t, int rank, const int64_t *dims, int64_t i)
{
  int64_t off = 0, stride = 1;

  for (int d = rank - 1; d >= 0; d--)
    {
      int64_t idx = i % dims[d];
      int td = d - (rank - t->rank);

      i /= dims[d];
      if (td >= 0)
        {
          if (t->dims[td] != 1)
            off += idx * stride;
          stride *= t->dims[td];
        }
    }
  return off;
}

static double
ref_op (const char *op, double a, double b)
{
  if (g_str_equal (op, "Add")) return a + b;
  if (g_str_equal (op, "Sub")) return a - b;
  if (g_str_equal (op, "Mul")) return a * b;
  if (g_str_equal (op, "Div")) return a / b;
  if (g_str_equal (op, "Pow")) return pow (a, b);
  if (g_str_equal (op, "Max")) return MAX (a, b);
  if (g_str_equal (op, "Min")) return MIN (a, b);
  if (g_str_equal (op, "Equal")) return a == b;
  if (g_str_equal (op, "Less")) return a < b;
  if (g_str_equal (op, "Greater")) return a > b;
  if (g_str_equal (op, "LessOrEqual")) return a <= b;
  if (g_str_equal (op, "GreaterOrEqual")) return a >= b;
  g_assert_not_reached ();
  return 0;
}

/* Runs op on a and b (taken) and checks every output against ref_op in double. */
static void
check_binary (const char *op, int opset, SalTensor *a, SalTensor *b, int out_rank,
              const int64_t *out_dims)
{
  g_autoptr(SalOpTest) t = sal_op_test_new (op, opset);
  SalTensor *y;

  sal_op_test_add_input (t, a);
  sal_op_test_add_input (t, b);
  sal_op_test_run (t);
  y = sal_op_test_output (t, 0);
  g_assert_cmpint (y->rank, ==, out_rank);
  for (int d = 0; d < out_rank; d++)
    g_assert_cmpint (y->dims[d], ==, out_dims[d]);
  for (int64_t i = 0; i < y->numel; i++)
    {
      double av = sal_tensor_get_f64 (a, ref_offset (a, out_rank, out_dims, i));
      double bv = sal_tensor_get_f64 (b, ref_offset (b, out_rank, out_dims, i));
      double e = ref_op (op, av, bv), got = sal_tensor_get_f64 (y, i);

      if (y->dtype == SAL_DTYPE_INT64 && g_str_equal (op, "Div"))
        e = trunc (e);
      if (!(fabs (got - e) <= 1e-5 * fabs (e) + 1e-6))
        g_error ("%s element %" G_GINT64_FORMAT ": %g op %g gave %.9g, expected %.9g",
                 op, i, av, bv, got, e);
    }
}

static void
test_add_values (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Add", 14);
  float x[6] = { 1, 2, 3, 4, 5, 6 }, b[3] = { 10, 20, 30 };
  float expect[6] = { 11, 22, 33, 14, 25, 36 };

  sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, b));
  sal_op_test_run (t);
  sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 2, 3 });
  sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 0, 0);
}

/* Random shape pairs of rank 0..4 with 1s sprinkled in, against the reference. */
static void
test_broadcast_random (void)
{
  static const char *ops[] = { "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Less", "Equal",
                               "Greater", "LessOrEqual", "GreaterOrEqual" };
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);

  for (int trial = 0; trial < 300; trial++)
    {
      const char *op = ops[trial % G_N_ELEMENTS (ops)];
      int out_rank = g_rand_int_range (rng, 0, 5);
      int64_t out_dims[4], ad[4], bd[4];
      int ar = g_rand_int_range (rng, 0, out_rank + 1), br = out_rank;
      double lo = g_str_equal (op, "Pow") ? 0.5 : -2.0;
      SalTensor *a, *b;

      for (int d = 0; d < out_rank; d++)
        out_dims[d] = g_rand_int_range (rng, 1, 5);
      if (g_rand_boolean (rng))
        {
          ar = out_rank;
          br = g_rand_int_range (rng, 0, out_rank + 1);
        }
      for (int d = 0; d < ar; d++)
        ad[d] = g_rand_int_range (rng, 0, 3) == 0 ? 1 : out_dims[out_rank - ar + d];
      for (int d = 0; d < br; d++)
        bd[d] = g_rand_int_range (rng, 0, 3) == 0 ? 1 : out_dims[out_rank - br + d];
      /* the actual output shape: where both are 1 (or absent), it is 1 */
      for (int d = 0; d < out_rank; d++)
        {
          int da = d - (out_rank - ar), db = d - (out_rank - br);
          gboolean a1 = da < 0 || ad[da] == 1, b1 = db < 0 || bd[db] == 1;
          if (a1 && b1)
            out_dims[d] = 1;
        }
      a = sal_op_test_random_f32 (rng, ar, ad, lo, 2.0);
      b = sal_op_test_random_f32 (rng, br, bd, g_str_equal (op, "Div") ? 0.5 : -2.0, 2.0);
      if (g_str_has_suffix (op, "Equal") && b->numel > 0 && a->numel > 0)
        sal_tensor_f32 (b)[0] = sal_tensor_f32 (a)[0];
      check_binary (op, 13, a, b, out_rank, out_dims);
    }
}

static void
test_broadcast_shapes (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  int64_t nchw[4] = { 2, 3, 4, 5 }, c11[3] = { 3, 1, 1 }, w[1] = { 5 }, n1h1[4] = { 2, 1, 4, 1 };
  int64_t col[2] = { 4, 1 }, row[2] = { 1, 3 }, out43[2] = { 4, 3 };
  int64_t zero[2] = { 0, 3 }, one3[2] = { 1, 3 };

  check_binary ("Add", 13, sal_op_test_random_f32 (rng, 4, nchw, -1, 1),
                sal_op_test_random_f32 (rng, 3, c11, -1, 1), 4, nchw);
  check_binary ("Mul", 13, sal_op_test_random_f32 (rng, 4, nchw, -1, 1),
                sal_op_test_random_f32 (rng, 1, w, -1, 1), 4, nchw);
  check_binary ("Sub", 13, sal_op_test_random_f32 (rng, 4, n1h1, -1, 1),
                sal_op_test_random_f32 (rng, 4, nchw, -1, 1), 4, nchw);
  check_binary ("Sub", 13, sal_op_test_random_f32 (rng, 2, col, -1, 1),
                sal_op_test_random_f32 (rng, 2, row, -1, 1), 2, out43);
  /* an empty tensor broadcasts to an empty result */
  check_binary ("Add", 13, sal_op_test_random_f32 (rng, 2, zero, -1, 1),
                sal_op_test_random_f32 (rng, 2, one3, -1, 1), 2, zero);
}

static void
test_broadcast_error (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Mul", 13);
  g_autoptr(SalOpTest) u = sal_op_test_new ("Add", 13);

  sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 4 }, NULL));
  sal_op_test_assert_infer_fails (t, "Mul", "[2, 3]", "[4]", NULL);

  sal_op_test_add_input (u, sal_op_test_f32 (1, (int64_t[]) { 4 }, NULL));
  sal_op_test_add_input (u, sal_op_test_i64 (1, (int64_t[]) { 4 }, NULL));
  sal_op_test_assert_infer_fails (u, "Add", "float32", "int64", NULL);
}

static void
test_int64 (void)
{
  int64_t a[6] = { -7, 7, 9, G_MAXINT64, -5, 0 }, b[3] = { 2, -2, 4 };
  int64_t d23[2] = { 2, 3 }, d3[1] = { 3 };
  static const char *ops[] = { "Add", "Sub", "Mul", "Max", "Min" };

  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (ops[k], 13);
      SalTensor *y;
      sal_op_test_add_input (t, sal_op_test_i64 (2, d23, a));
      sal_op_test_add_input (t, sal_op_test_i64 (1, d3, b));
      sal_op_test_run (t);
      y = sal_op_test_output (t, 0);
      g_assert_cmpint (y->dtype, ==, SAL_DTYPE_INT64);
      for (int i = 0; i < 6; i++)
        {
          int64_t x = a[i], z = b[i % 3], e;
          if (g_str_equal (ops[k], "Add")) e = (int64_t) ((guint64) x + (guint64) z);
          else if (g_str_equal (ops[k], "Sub")) e = (int64_t) ((guint64) x - (guint64) z);
          else if (g_str_equal (ops[k], "Mul")) e = (int64_t) ((guint64) x * (guint64) z);
          else if (g_str_equal (ops[k], "Max")) e = MAX (x, z);
          else e = MIN (x, z);
          g_assert_cmpint (sal_tensor_i64 (y)[i], ==, e);
        }
    }

  {
    /* Div truncates toward zero, like C and onnxruntime */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Div", 13);
    int64_t expect[6] = { -3, -3, 2, G_MAXINT64 / 2, 2, 0 };
    sal_op_test_add_input (t, sal_op_test_i64 (2, d23, a));
    sal_op_test_add_input (t, sal_op_test_i64 (1, d3, b));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), expect);
  }
  {
    /* shape arithmetic: Equal/Less/Greater of int64 to bool */
    int64_t s[4] = { 1, 2, 3, 4 }, c[1] = { 3 };
    guint8 eq[4] = { 0, 0, 1, 0 }, lt[4] = { 1, 1, 0, 0 }, gt[4] = { 0, 0, 0, 1 };
    const char *names[3] = { "Equal", "Less", "Greater" };
    const guint8 *expect[3] = { eq, lt, gt };

    for (int k = 0; k < 3; k++)
      {
        g_autoptr(SalOpTest) t = sal_op_test_new (names[k], 13);
        sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 4 }, s));
        sal_op_test_add_input (t, sal_op_test_i64 (0, NULL, c));
        sal_op_test_run (t);
        sal_op_test_assert_bool (sal_op_test_output (t, 0), expect[k]);
      }
  }
}

/* 8-bit tensors wrap around like the hardware (numpy's uint8 arithmetic). */
static void
test_8bit (void)
{
  guint8 a[3] = { 250, 3, 7 }, b[3] = { 10, 5, 2 };
  guint8 sum[3] = { 4, 8, 9 }, diff[3] = { 240, 254, 5 }, quot[3] = { 25, 0, 3 };
  gint8 c[3] = { -128, 100, -7 }, d[3] = { -1, 100, 2 }, cq[3] = { -128, 1, -3 }, cmax[3] = { -1, 100, 2 };
  const char *uops[3] = { "Add", "Sub", "Div" };
  const guint8 *uexp[3] = { sum, diff, quot };

  for (int k = 0; k < 3; k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (uops[k], 14);
      sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_UINT8, 1, (int64_t[]) { 3 }, a));
      sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_UINT8, 1, (int64_t[]) { 3 }, b));
      sal_op_test_run (t);
      g_assert_cmpint (sal_op_test_output (t, 0)->dtype, ==, SAL_DTYPE_UINT8);
      g_assert_cmpmem (sal_op_test_output (t, 0)->data, 3, uexp[k], 3);
    }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Div", 14);
    g_autoptr(SalOpTest) u = sal_op_test_new ("Max", 13);
    sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_INT8, 1, (int64_t[]) { 3 }, c));
    sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_INT8, 1, (int64_t[]) { 3 }, d));
    sal_op_test_run (t);
    g_assert_cmpmem (sal_op_test_output (t, 0)->data, 3, cq, 3);
    sal_op_test_add_input (u, sal_op_test_tensor (SAL_DTYPE_INT8, 1, (int64_t[]) { 3 }, c));
    sal_op_test_add_input (u, sal_op_test_tensor (SAL_DTYPE_INT8, 1, (int64_t[]) { 3 }, d));
    sal_op_test_run (u);
    g_assert_cmpmem (sal_op_test_output (u, 0)->data, 3, cmax, 3);
  }
}

static void
test_int_div_zero (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Div", 13);
  g_autoptr(GError) error = NULL;
  int64_t a[2] = { 4, 5 }, b[2] = { 2, 0 };

  sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 2 }, a));
  sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 2 }, b));
  g_assert_true (sal_op_test_infer (t, &error));
  g_assert_false (sal_op_test_forward (t, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "division by zero"));
}

static void
test_pow_types (void)
{
  float x[3] = { 2, 3, 0.5f }, e[3] = { 3, 0.5f, -2 };
  int64_t ie[3] = { 3, 2, -1 }, ix[3] = { 1, 2, 3 }, ixe[3] = { 4, 5, 6 };

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Pow", 13);
    float expect[3] = { 8, sqrtf (3), 4 };
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, e));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 1e-6, 0);
  }
  {
    /* float base, int64 exponent: the result is float */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Pow", 15);
    float expect[3] = { 8, 9, 2 };
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ie));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 1e-6, 0);
    /* and its gradient wrt the base only */
    sal_op_test_grad_check (t, 5, 1e-2);
  }
  {
    /* the x^2 fast path: same values as powf, with a float or an int64 exponent */
    g_autoptr(GRand) rng = g_rand_new_with_seed (2);
    for (int k = 0; k < 2; k++)
      {
        g_autoptr(SalOpTest) t = sal_op_test_new ("Pow", 13);
        float two = 2;
        int64_t itwo = 2;
        SalTensor *base = sal_op_test_random_f32 (rng, 2, (int64_t[]) { 3, 5 }, -3, 3), *y;
        sal_op_test_add_input (t, base);
        sal_op_test_add_input (t, k == 0 ? sal_op_test_f32 (0, NULL, &two)
                                         : sal_op_test_i64 (1, (int64_t[]) { 1 }, &itwo));
        sal_op_test_run (t);
        y = sal_op_test_output (t, 0);
        for (int64_t i = 0; i < base->numel; i++)
          g_assert_cmpfloat (sal_tensor_f32 (y)[i], ==, powf (sal_tensor_f32 (base)[i], 2.0f));
        /* the base only: x^e is undefined for negative x near e = 2 */
        sal_op_test_grad_check_mask (t, 30 + k, 1e-2, 1u << 0);
      }
  }
  {
    /* results beyond int64 saturate instead of being undefined */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Pow", 15);
    int64_t base[3] = { 10, -10, 2 }, ex[3] = { 30, 31, -1 }, expect[3] = { G_MAXINT64, G_MININT64, 0 };
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, base));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ex));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), expect);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Pow", 15);
    int64_t expect[3] = { 1, 32, 729 };
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ix));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ixe));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), expect);
  }
}

static void
test_where (void)
{
  guint8 c[3] = { 1, 0, 1 };
  float x[6] = { 1, 2, 3, 4, 5, 6 }, y[1] = { -1 };
  float expect[6] = { 1, -1, 3, 4, -1, 6 };
  int64_t ix[3] = { 10, 20, 30 }, iy[3] = { -1, -2, -3 }, iexpect[3] = { 10, -2, 30 };

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Where", 16);
    sal_op_test_add_input (t, sal_op_test_bool (1, (int64_t[]) { 3 }, c));
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, y));
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 2, 3 });
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 0, 0);
    sal_op_test_grad_check (t, 11, 1e-2);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Where", 9);
    sal_op_test_add_input (t, sal_op_test_bool (1, (int64_t[]) { 3 }, c));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ix));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, iy));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), iexpect);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Where", 16);
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
    sal_op_test_assert_infer_fails (t, "Where", "bool", NULL);
  }
}

/* Random three-way broadcasts of Where against the reference offsets. */
static void
test_where_random (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (13);

  for (int trial = 0; trial < 100; trial++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new ("Where", 16);
      int rank = g_rand_int_range (rng, 1, 5), ranks[3];
      int64_t full[4], dims[3][4];
      SalTensor *in[3], *y;

      for (int d = 0; d < rank; d++)
        full[d] = g_rand_int_range (rng, 2, 4);
      for (int k = 0; k < 3; k++)
        {
          ranks[k] = k == trial % 3 ? rank : g_rand_int_range (rng, 0, rank + 1);
          for (int d = 0; d < ranks[k]; d++)
            dims[k][d] = k == trial % 3 || g_rand_boolean (rng) ? full[rank - ranks[k] + d] : 1;
        }
      in[0] = sal_op_test_bool (ranks[0], dims[0], NULL);
      for (int64_t i = 0; i < in[0]->numel; i++)
        sal_tensor_u8 (in[0])[i] = g_rand_boolean (rng);
      in[1] = sal_op_test_random_f32 (rng, ranks[1], dims[1], 0, 1);
      in[2] = sal_op_test_random_f32 (rng, ranks[2], dims[2], -1, 0);
      for (int k = 0; k < 3; k++)
        sal_op_test_add_input (t, in[k]);
      sal_op_test_run (t);
      y = sal_op_test_output (t, 0);
      sal_op_test_assert_shape (y, SAL_DTYPE_FLOAT, rank, full);
      for (int64_t i = 0; i < y->numel; i++)
        {
          gboolean c = sal_tensor_u8 (in[0])[ref_offset (in[0], rank, full, i)];
          const SalTensor *src = c ? in[1] : in[2];
          float e = sal_tensor_f32 (src)[ref_offset (src, rank, full, i)];
          g_assert_cmpfloat (sal_tensor_f32 (y)[i], ==, e);
        }
      if (trial < 20)
        sal_op_test_grad_check (t, trial, 1e-2);
    }
}

static void
test_logic (void)
{
  guint8 a[4] = { 0, 0, 1, 1 }, b[4] = { 0, 1, 0, 1 };
  guint8 not_a[4] = { 1, 1, 0, 0 }, eq[4] = { 1, 0, 0, 1 };
  g_autoptr(SalOpTest) t = sal_op_test_new ("Not", 13);
  g_autoptr(SalOpTest) u = sal_op_test_new ("Equal", 13);
  g_autoptr(SalOpTest) v = sal_op_test_new ("Not", 13);

  sal_op_test_add_input (t, sal_op_test_bool (1, (int64_t[]) { 4 }, a));
  sal_op_test_run (t);
  sal_op_test_assert_bool (sal_op_test_output (t, 0), not_a);

  sal_op_test_add_input (u, sal_op_test_bool (1, (int64_t[]) { 4 }, a));
  sal_op_test_add_input (u, sal_op_test_bool (1, (int64_t[]) { 4 }, b));
  sal_op_test_run (u);
  sal_op_test_assert_bool (sal_op_test_output (u, 0), eq);

  sal_op_test_add_input (v, sal_op_test_f32 (1, (int64_t[]) { 4 }, NULL));
  sal_op_test_assert_infer_fails (v, "Not", "float32", NULL);

  {
    const char *names[3] = { "And", "Or", "Xor" };
    guint8 e_and[4] = { 0, 0, 0, 1 }, e_or[4] = { 0, 1, 1, 1 }, e_xor[4] = { 0, 1, 1, 0 };
    const guint8 *expect[3] = { e_and, e_or, e_xor };

    for (int k = 0; k < 3; k++)
      {
        g_autoptr(SalOpTest) w = sal_op_test_new (names[k], 13);
        sal_op_test_add_input (w, sal_op_test_bool (1, (int64_t[]) { 4 }, a));
        sal_op_test_add_input (w, sal_op_test_bool (1, (int64_t[]) { 4 }, b));
        sal_op_test_run (w);
        sal_op_test_assert_bool (sal_op_test_output (w, 0), expect[k]);
      }
  }
}

typedef struct {
  const char *op;
  double (*ref) (double);
  double lo, hi;        /* input range for values and the gradient check */
} UnaryCase;

static double ref_neg (double x) { return -x; }
static double ref_recip (double x) { return 1 / x; }

static const UnaryCase unary_cases[] = {
  { "Neg", ref_neg, -3, 3 },
  { "Abs", fabs, -3, 3 },
  { "Sqrt", sqrt, 0.2, 4 },
  { "Reciprocal", ref_recip, 0.3, 3 },
  { "Exp", exp, -3, 3 },
  { "Log", log, 0.2, 5 },
  { "Erf", erf, -2.5, 2.5 },
  { "Floor", floor, -3, 3 },
  { "Ceil", ceil, -3, 3 },
};

/* Moves values off kinks (0 for Abs, the integers for Floor/Ceil). */
static void
away_from_kinks (SalTensor *x)
{
  for (int64_t i = 0; i < x->numel; i++)
    {
      float *v = &sal_tensor_f32 (x)[i];
      float frac = *v - floorf (*v);
      if (frac < 0.05f)
        *v += 0.1f;
      else if (frac > 0.95f)
        *v -= 0.1f;
    }
}

static void
test_unary (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (21);
  int64_t dims[3] = { 2, 3, 4 };

  for (guint k = 0; k < G_N_ELEMENTS (unary_cases); k++)
    {
      const UnaryCase *c = &unary_cases[k];
      g_autoptr(SalOpTest) t = sal_op_test_new (c->op, 13);
      SalTensor *x = sal_op_test_random_f32 (rng, 3, dims, c->lo, c->hi), *y;

      away_from_kinks (x);
      sal_op_test_add_input (t, x);
      sal_op_test_run (t);
      y = sal_op_test_output (t, 0);
      sal_op_test_assert_shape (y, SAL_DTYPE_FLOAT, 3, dims);
      for (int64_t i = 0; i < x->numel; i++)
        {
          double e = c->ref (sal_tensor_f32 (x)[i]);
          g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[i], e, 2e-6 * MAX (1, fabs (e)));
        }
      sal_op_test_grad_check (t, 100 + k, 1e-2);
    }
}

static void
test_unary_int (void)
{
  int64_t x[4] = { -3, 0, 5, G_MININT64 };
  int64_t neg[4] = { 3, 0, -5, G_MININT64 }, abs_[4] = { 3, 0, 5, G_MININT64 };
  g_autoptr(SalOpTest) t = sal_op_test_new ("Neg", 13);
  g_autoptr(SalOpTest) u = sal_op_test_new ("Abs", 13);
  g_autoptr(SalOpTest) v = sal_op_test_new ("Sqrt", 13);

  sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 4 }, x));
  sal_op_test_run (t);
  sal_op_test_assert_i64 (sal_op_test_output (t, 0), neg);
  sal_op_test_add_input (u, sal_op_test_i64 (1, (int64_t[]) { 4 }, x));
  sal_op_test_run (u);
  sal_op_test_assert_i64 (sal_op_test_output (u, 0), abs_);
  sal_op_test_add_input (v, sal_op_test_i64 (1, (int64_t[]) { 4 }, x));
  sal_op_test_assert_infer_fails (v, "Sqrt", "int64", NULL);
}

static void
test_variadic (void)
{
  float a[6] = { 1, 5, 2, 8, 0, 3 }, b[3] = { 4, 4, 4 }, c[1] = { 2.5f };
  float sum[6] = { 7.5f, 11.5f, 8.5f, 14.5f, 6.5f, 9.5f };
  float max[6] = { 4, 5, 4, 8, 4, 4 }, min[6] = { 1, 2.5f, 2, 2.5f, 0, 2.5f };
  const char *names[4] = { "Sum", "Mean", "Max", "Min" };

  for (int k = 0; k < 4; k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (names[k], 13);
      float expect[6];

      for (int i = 0; i < 6; i++)
        expect[i] = k == 0 ? sum[i] : k == 1 ? sum[i] / 3 : k == 2 ? max[i] : min[i];
      sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, a));
      sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, b));
      sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, c));
      sal_op_test_run (t);
      sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 2, 3 });
      sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 1e-6, 0);
    }
  {
    /* one input: a copy */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Max", 8);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, a));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), a, 0, 0);
  }
  {
    int64_t ia[3] = { 1, 9, -4 }, ib[3] = { 3, 2, -5 }, imax[3] = { 3, 9, -4 };
    g_autoptr(SalOpTest) t = sal_op_test_new ("Max", 13);
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ia));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 3 }, ib));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), imax);
  }
}

/* Max/Min route the whole gradient to the chosen input; on a tie, the first. */
static void
test_max_tie_gradient (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Max", 13);
  g_autoptr(GError) error = NULL;
  float a[3] = { 1, 5, 2 }, b[3] = { 1, 4, 3 }, one[3] = { 1, 1, 1 };
  float ga_expect[3] = { 1, 1, 0 }, gb_expect[3] = { 0, 0, 1 };
  g_autoptr(SalTensor) g = sal_op_test_f32 (1, (int64_t[]) { 3 }, one);
  g_autoptr(SalTensor) ga = sal_op_test_f32 (1, (int64_t[]) { 3 }, NULL);
  g_autoptr(SalTensor) gb = sal_op_test_f32 (1, (int64_t[]) { 3 }, NULL);
  SalTensor *gout[1] = { g }, *gin[2] = { ga, gb };

  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, a));
  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, b));
  sal_op_test_run (t);
  t->def->backward (t->node, (SalTensor *const *) t->in->pdata,
                    (SalTensor *const *) t->out->pdata, gout, gin, t->scratch, &t->ctx, &error);
  g_assert_no_error (error);
  sal_op_test_assert_f32 (ga, ga_expect, 0, 0);
  sal_op_test_assert_f32 (gb, gb_expect, 0, 0);
}

/* Finite differences for every differentiable binary and variadic op, with
 * broadcasting on both sides. */
static void
test_gradients (void)
{
  static const char *binary[] = { "Add", "Sub", "Mul", "Div", "Pow" };
  static const char *variadic[] = { "Sum", "Mean", "Max", "Min" };
  g_autoptr(GRand) rng = g_rand_new_with_seed (99);
  int64_t d234[3] = { 2, 3, 4 }, d14[2] = { 1, 4 }, d31[2] = { 3, 1 };

  for (guint k = 0; k < G_N_ELEMENTS (binary); k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (binary[k], 13);
      g_autoptr(SalOpTest) u = sal_op_test_new (binary[k], 13);
      double lo = g_str_equal (binary[k], "Pow") ? 0.5 : -2;
      double blo = g_str_equal (binary[k], "Div") ? 0.5 : -2;

      sal_op_test_add_input (t, sal_op_test_random_f32 (rng, 3, d234, lo, 2));
      sal_op_test_add_input (t, sal_op_test_random_f32 (rng, 2, d14, blo, 2));
      sal_op_test_grad_check (t, k, 1e-2);
      /* both sides broadcast: [3,1] op [1,4] */
      sal_op_test_add_input (u, sal_op_test_random_f32 (rng, 2, d31, lo, 2));
      sal_op_test_add_input (u, sal_op_test_random_f32 (rng, 2, d14, blo, 2));
      sal_op_test_grad_check (u, 10 + k, 1e-2);
      {
        /* no broadcasting (the vectorised paths) */
        g_autoptr(SalOpTest) v = sal_op_test_new (binary[k], 13);
        sal_op_test_add_input (v, sal_op_test_random_f32 (rng, 3, d234, lo, 2));
        sal_op_test_add_input (v, sal_op_test_random_f32 (rng, 3, d234, blo, 2));
        sal_op_test_grad_check (v, 40 + k, 1e-2);
      }
    }
  for (guint k = 0; k < G_N_ELEMENTS (variadic); k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (variadic[k], 13);

      /* distinct values so Max/Min have no ties near the step */
      sal_op_test_add_input (t, sal_op_test_random_f32 (rng, 3, d234, -2, 2));
      sal_op_test_add_input (t, sal_op_test_random_f32 (rng, 2, d14, -2, 2));
      sal_op_test_add_input (t, sal_op_test_random_f32 (rng, 2, d31, -2, 2));
      sal_op_test_grad_check (t, 20 + k, 1e-2);
    }
}

/* Large maps split over a thread team give exactly the serial result,
 * including broadcast runs that start mid-row. */
static void
test_parallel (void)
{
  static const char *ops[] = { "Add", "Mul", "Where", "Exp", "Max" };
  g_autoptr(GRand) rng = g_rand_new_with_seed (4);
  SalThreadTeam *team = sal_thread_team_new (3);
  int64_t big[3] = { 31, 129, 67 }, row[2] = { 129, 1 };   /* above SAL_PARALLEL_MIN_ELEMENTS */

  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      g_autoptr(SalOpTest) serial = sal_op_test_new (ops[k], 13);
      g_autoptr(SalOpTest) par = sal_op_test_new (ops[k], 13);
      SalOpTest *both[2] = { serial, par };
      SalTensor *a = sal_op_test_random_f32 (rng, 3, big, -1, 1);
      SalTensor *b = sal_op_test_random_f32 (rng, 2, row, -1, 1);
      SalTensor *c = sal_op_test_bool (2, row, NULL);

      for (int64_t i = 0; i < c->numel; i++)
        sal_tensor_u8 (c)[i] = g_rand_boolean (rng);
      for (int j = 0; j < 2; j++)
        {
          if (g_str_equal (ops[k], "Where"))
            sal_op_test_add_input (both[j], sal_tensor_copy (c));
          sal_op_test_add_input (both[j], sal_tensor_copy (a));
          if (!g_str_equal (ops[k], "Exp"))
            sal_op_test_add_input (both[j], sal_tensor_copy (b));
        }
      g_assert_cmpint (a->numel, >=, SAL_PARALLEL_MIN_ELEMENTS);
      par->ctx.n_threads = 3;
      par->ctx.runner = team;
      sal_op_test_run (serial);
      sal_op_test_run (par);
      g_assert_cmpint (sal_op_test_output (par, 0)->numel, ==, 31 * 129 * 67);
      g_assert_cmpmem (sal_op_test_output (par, 0)->data, sal_tensor_nbytes (sal_op_test_output (par, 0)),
                       sal_op_test_output (serial, 0)->data,
                       sal_tensor_nbytes (sal_op_test_output (serial, 0)));
      sal_tensor_free (a);
      sal_tensor_free (b);
      sal_tensor_free (c);
    }
  sal_thread_team_free (team);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops/elementwise/add-values", test_add_values);
  g_test_add_func ("/engine/ops/elementwise/broadcast-random", test_broadcast_random);
  g_test_add_func ("/engine/ops/elementwise/broadcast-shapes", test_broadcast_shapes);
  g_test_add_func ("/engine/ops/elementwise/broadcast-error", test_broadcast_error);
  g_test_add_func ("/engine/ops/elementwise/int64", test_int64);
  g_test_add_func ("/engine/ops/elementwise/8bit", test_8bit);
  g_test_add_func ("/engine/ops/elementwise/int-div-zero", test_int_div_zero);
  g_test_add_func ("/engine/ops/elementwise/pow-types", test_pow_types);
  g_test_add_func ("/engine/ops/elementwise/where", test_where);
  g_test_add_func ("/engine/ops/elementwise/where-random", test_where_random);
  g_test_add_func ("/engine/ops/elementwise/logic", test_logic);
  g_test_add_func ("/engine/ops/elementwise/unary", test_unary);
  g_test_add_func ("/engine/ops/elementwise/unary-int", test_unary_int);
  g_test_add_func ("/engine/ops/elementwise/variadic", test_variadic);
  g_test_add_func ("/engine/ops/elementwise/max-tie-gradient", test_max_tie_gradient);
  g_test_add_func ("/engine/ops/elementwise/gradients", test_gradients);
  g_test_add_func ("/engine/ops/elementwise/parallel", test_parallel);
  return g_test_run ();
}
