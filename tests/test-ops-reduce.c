/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-test.h"

#include <math.h>

static const char *reduce_ops[] = { "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin" };

/* Reference: reduces x over the axes in `mask` in double, output in the
 * kept-dims layout (row-major over the non-reduced axes). */
static void
ref_reduce (const char *op, const SalTensor *x, guint mask, double *out, int64_t n_out)
{
  g_autofree int64_t *count = g_new0 (int64_t, n_out);
  gboolean is_max = g_str_equal (op, "ReduceMax"), is_min = g_str_equal (op, "ReduceMin");

  for (int64_t j = 0; j < n_out; j++)
    out[j] = is_max ? -INFINITY : is_min ? INFINITY : 0;
  for (int64_t i = 0; i < x->numel; i++)
    {
      int64_t rest = i, o = 0, stride = 1;
      double v = sal_tensor_get_f64 (x, i);

      for (int d = x->rank - 1; d >= 0; d--)
        {
          int64_t idx = rest % x->dims[d];
          rest /= x->dims[d];
          if (!(mask & (1u << d)))
            {
              o += idx * stride;
              stride *= x->dims[d];
            }
        }
      count[o]++;
      if (is_max)
        out[o] = MAX (out[o], v);
      else if (is_min)
        out[o] = MIN (out[o], v);
      else
        out[o] += v;
    }
  if (g_str_equal (op, "ReduceMean"))
    for (int64_t j = 0; j < n_out; j++)
      out[j] /= count[j];
}

/* Random ranks, dims and axis subsets, both keepdims, axes as attribute
 * (opset 11) and as input (ReduceSum from 13, all from 18). */
static void
test_random (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (31);

  for (int trial = 0; trial < 200; trial++)
    {
      const char *op = reduce_ops[trial % 4];
      int opset = (trial / 4) % 3 == 0 ? 11 : (trial / 4) % 3 == 1 ? 13 : 18;
      gboolean as_input = opset >= (g_str_equal (op, "ReduceSum") ? 13 : 18);
      gboolean keep = g_rand_boolean (rng);
      int rank = g_rand_int_range (rng, 1, 5), n_axes = 0, out_rank = 0;
      int64_t dims[4], axes[4], out_dims[4];
      guint mask = 0;
      g_autoptr(SalOpTest) t = sal_op_test_new (op, opset);
      SalTensor *x, *y;
      g_autofree double *ref = NULL;
      int64_t n_out = 1;

      for (int d = 0; d < rank; d++)
        dims[d] = g_rand_int_range (rng, 1, 5);
      for (int d = 0; d < rank; d++)
        if (g_rand_boolean (rng))
          {
            mask |= 1u << d;
            /* mix negative and positive axis numbers */
            axes[n_axes++] = g_rand_boolean (rng) ? d : d - rank;
          }
      if (n_axes == 0)
        mask = (1u << rank) - 1;   /* no axes: reduce all */
      for (int d = 0; d < rank; d++)
        {
          gboolean r = mask & (1u << d);
          if (!r)
            n_out *= dims[d];
          if (!r || keep)
            out_dims[out_rank++] = r ? 1 : dims[d];
        }
      x = sal_op_test_random_f32 (rng, rank, dims, -3, 3);
      sal_op_test_add_input (t, x);
      if (as_input)
        {
          if (n_axes > 0 || g_rand_boolean (rng))
            sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { n_axes }, axes));
        }
      else if (n_axes > 0)
        sal_node_set_ints (t->node, "axes", n_axes, axes);
      sal_node_set_int (t->node, "keepdims", keep);
      sal_op_test_run (t);
      y = sal_op_test_output (t, 0);
      sal_op_test_assert_shape (y, SAL_DTYPE_FLOAT, out_rank, out_dims);
      ref = g_new (double, n_out);
      ref_reduce (op, x, mask, ref, n_out);
      for (int64_t j = 0; j < n_out; j++)
        if (!(fabs (sal_tensor_f32 (y)[j] - ref[j]) <= 1e-5 * MAX (1, fabs (ref[j]))))
          g_error ("%s opset %d trial %d element %" G_GINT64_FORMAT ": %.9g, expected %.9g",
                   op, opset, trial, j, sal_tensor_f32 (y)[j], ref[j]);
      if (trial < 40)
        sal_op_test_grad_check (t, trial, 1e-2);
    }
}

static void
test_values (void)
{
  /* [[1, 2, 3], [4, 5, 6]] */
  float x[6] = { 1, 2, 3, 4, 5, 6 };
  float sum0[3] = { 5, 7, 9 }, mean1[2] = { 2, 5 }, max_all[1] = { 6 }, min1[2] = { 1, 4 };
  int64_t ax0 = 0, ax1 = 1;

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceSum", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 1 }, &ax0));
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 1, (int64_t[]) { 3 });
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), sum0, 0, 0);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMean", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_node_set_ints (t->node, "axes", 1, &ax1);
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 2, 1 });
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), mean1, 0, 0);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMax", 11);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 0, NULL);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), max_all, 0, 0);
  }
  {
    /* opset 18: axes as input for the others too */
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMin", 18);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 1 }, &ax1));
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), min1, 0, 0);
  }
}

static void
test_noop_with_empty_axes (void)
{
  float x[4] = { 1, 2, 3, 4 }, all[1] = { 10 };

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceSum", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 2 }, x));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 0 }, NULL));
    sal_node_set_int (t->node, "noop_with_empty_axes", 1);
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 2, 2 });
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), x, 0, 0);
    sal_op_test_grad_check (t, 1, 1e-2);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceSum", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 2 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 2, (int64_t[]) { 1, 1 });
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), all, 0, 0);
  }
}

/* Reducing an empty axis: the sum is 0, the mean NaN, the max an error. */
static void
test_empty_axis (void)
{
  int64_t dims[2] = { 0, 3 }, ax = 0;
  float zeros[3] = { 0, 0, 0 }, nans[3] = { NAN, NAN, NAN };
  const char *ops[3] = { "ReduceSum", "ReduceMean", "ReduceMax" };

  for (int k = 0; k < 3; k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (ops[k], 13);
      sal_op_test_add_input (t, sal_op_test_f32 (2, dims, NULL));
      if (k == 0)
        sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 1 }, &ax));
      else
        sal_node_set_ints (t->node, "axes", 1, &ax);
      sal_node_set_int (t->node, "keepdims", 0);
      if (k == 2)
        {
          sal_op_test_assert_infer_fails (t, "ReduceMax", "empty", NULL);
          continue;
        }
      sal_op_test_run (t);
      sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_FLOAT, 1, (int64_t[]) { 3 });
      sal_op_test_assert_f32 (sal_op_test_output (t, 0), k == 0 ? zeros : nans, 0, 0);
    }
}

static void
test_int64 (void)
{
  int64_t x[6] = { 1, -2, 3, G_MAXINT64, 5, -6 }, ax = 1;
  int64_t sum[2] = { 2, (int64_t) ((guint64) G_MAXINT64 - 1) }, max[2] = { 3, G_MAXINT64 };

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceSum", 13);
    sal_op_test_add_input (t, sal_op_test_i64 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 1 }, &ax));
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), sum);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMax", 13);
    sal_op_test_add_input (t, sal_op_test_i64 (2, (int64_t[]) { 2, 3 }, x));
    sal_node_set_ints (t->node, "axes", 1, &ax);
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), max);
  }
}

static void
test_errors (void)
{
  int64_t bad = 2, dup[2] = { 1, -1 };
  g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMean", 13);
  g_autoptr(SalOpTest) u = sal_op_test_new ("ReduceSum", 11);
  g_autoptr(SalOpTest) v = sal_op_test_new ("ReduceSum", 13);
  SalTensor *axes;

  sal_node_set_ints (t->node, "axes", 1, &bad);
  sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  sal_op_test_assert_infer_fails (t, "ReduceMean", "axis 2", "[2, 3]", NULL);

  sal_node_set_ints (u->node, "axes", 2, dup);
  sal_op_test_add_input (u, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  sal_op_test_assert_infer_fails (u, "ReduceSum", "twice", NULL);

  {
    /* more axes than dimensions */
    g_autoptr(SalOpTest) w = sal_op_test_new ("ReduceSum", 13);
    int64_t three[3] = { 0, 1, 0 };
    sal_op_test_add_input (w, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
    sal_op_test_add_input (w, sal_op_test_i64 (1, (int64_t[]) { 3 }, three));
    sal_op_test_assert_infer_fails (w, "ReduceSum", "3 axes", "rank 2", NULL);
  }

  /* an axes input whose value is not known before the run */
  sal_op_test_add_input (v, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  axes = g_new0 (SalTensor, 1);
  sal_tensor_set_shape (axes, SAL_DTYPE_INT64, 1, (int64_t[]) { 1 }, NULL);
  sal_op_test_add_input (v, axes);
  sal_op_test_assert_infer_fails (v, "ReduceSum", "axes", "known", NULL);
}

/* Max/Min send each output's gradient to one element: the first maximum. */
static void
test_max_tie_gradient (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("ReduceMax", 13);
  g_autoptr(GError) error = NULL;
  float x[4] = { 3, 1, 3, 2 }, one[1] = { 1 }, expect[4] = { 1, 0, 0, 0 };
  g_autoptr(SalTensor) g = sal_op_test_f32 (1, (int64_t[]) { 1 }, one);
  g_autoptr(SalTensor) gx = sal_op_test_f32 (1, (int64_t[]) { 4 }, NULL);
  SalTensor *gout[1] = { g }, *gin[1] = { gx };

  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 4 }, x));
  sal_op_test_run (t);
  t->def->backward (t->node, (SalTensor *const *) t->in->pdata,
                    (SalTensor *const *) t->out->pdata, gout, gin, t->scratch, &t->ctx, &error);
  g_assert_no_error (error);
  sal_op_test_assert_f32 (gx, expect, 0, 0);
}

static void
test_argmax (void)
{
  /* [[2, 7, 7], [9, 1, 9]] */
  float x[6] = { 2, 7, 7, 9, 1, 9 };
  int64_t max_ax1[2] = { 1, 0 }, max_ax1_last[2] = { 2, 2 }, min_ax0[3] = { 0, 1, 0 };

  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMax", 13);
    sal_node_set_int (t->node, "axis", -1);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_INT64, 2, (int64_t[]) { 2, 1 });
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), max_ax1);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMax", 12);
    sal_node_set_int (t->node, "axis", 1);
    sal_node_set_int (t->node, "keepdims", 0);
    sal_node_set_int (t->node, "select_last_index", 1);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_INT64, 1, (int64_t[]) { 2 });
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), max_ax1_last);
  }
  {
    /* opset 11 has no select_last_index: the first index */
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMax", 11);
    sal_node_set_int (t->node, "axis", 1);
    sal_node_set_int (t->node, "select_last_index", 1);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), max_ax1);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMin", 13);
    sal_node_set_int (t->node, "keepdims", 0);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_shape (sal_op_test_output (t, 0), SAL_DTYPE_INT64, 1, (int64_t[]) { 3 });
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), min_ax0);
  }
  {
    int64_t ix[4] = { G_MAXINT64 - 1, G_MAXINT64, -3, G_MAXINT64 - 2 }, e[1] = { 1 };
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMax", 13);
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 4 }, ix));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), e);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("ArgMin", 13);
    sal_node_set_int (t->node, "axis", 2);
    sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
    sal_op_test_assert_infer_fails (t, "ArgMin", "axis 2", NULL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops/reduce/random", test_random);
  g_test_add_func ("/engine/ops/reduce/values", test_values);
  g_test_add_func ("/engine/ops/reduce/noop-with-empty-axes", test_noop_with_empty_axes);
  g_test_add_func ("/engine/ops/reduce/empty-axis", test_empty_axis);
  g_test_add_func ("/engine/ops/reduce/int64", test_int64);
  g_test_add_func ("/engine/ops/reduce/errors", test_errors);
  g_test_add_func ("/engine/ops/reduce/max-tie-gradient", test_max_tie_gradient);
  g_test_add_func ("/engine/ops/reduce/argmax", test_argmax);
  return g_test_run ();
}
