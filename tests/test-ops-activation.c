/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-test.h"

#include <math.h>

typedef struct {
  const char *op;
  const char *attr_a, *attr_b;   /* optional attributes set to a_val, b_val */
  double a_val, b_val;
  double (*ref) (double x, double a, double b);   /* a, b: the attributes or defaults */
  double def_a, def_b;
  double kinks[2];               /* points the gradient check keeps away from */
} ActCase;

static double r_relu (double x, double a, double b) { return x > 0 ? x : 0; }
static double r_leaky (double x, double a, double b) { return x >= 0 ? x : a * x; }
static double r_sigmoid (double x, double a, double b) { return 1 / (1 + exp (-x)); }
static double r_hsig (double x, double a, double b) { return MAX (0, MIN (1, a * x + b)); }
static double r_hswish (double x, double a, double b) { return x * MAX (0, MIN (1, x / 6 + 0.5)); }
static double r_tanh (double x, double a, double b) { return tanh (x); }
static double r_elu (double x, double a, double b) { return x >= 0 ? x : a * (exp (x) - 1); }
static double r_selu (double x, double a, double g) { return g * (x > 0 ? x : a * (exp (x) - 1)); }
static double r_softplus (double x, double a, double b) { return log1p (exp (x)); }
static double r_softsign (double x, double a, double b) { return x / (1 + fabs (x)); }

static const ActCase act_cases[] = {
  { "Relu", NULL, NULL, 0, 0, r_relu, 0, 0, { 0, 0 } },
  { "LeakyRelu", NULL, NULL, 0, 0, r_leaky, 0.01, 0, { 0, 0 } },
  { "LeakyRelu", "alpha", NULL, 0.3, 0, r_leaky, 0.01, 0, { 0, 0 } },
  { "Sigmoid", NULL, NULL, 0, 0, r_sigmoid, 0, 0, { 0, 0 } },
  { "HardSigmoid", NULL, NULL, 0, 0, r_hsig, 0.2, 0.5, { -2.5, 2.5 } },
  { "HardSigmoid", "alpha", "beta", 0.5, 0.6, r_hsig, 0.2, 0.5, { -1.2, 0.8 } },
  { "HardSwish", NULL, NULL, 0, 0, r_hswish, 0, 0, { -3, 3 } },
  { "Tanh", NULL, NULL, 0, 0, r_tanh, 0, 0, { 0, 0 } },
  { "Elu", NULL, NULL, 0, 0, r_elu, 1, 0, { 0, 0 } },
  { "Elu", "alpha", NULL, 2, 0, r_elu, 1, 0, { 0, 0 } },
  { "Selu", NULL, NULL, 0, 0, r_selu, 1.67326319217681884765625, 1.05070102214813232421875, { 0, 0 } },
  { "Selu", "alpha", "gamma", 2, 3, r_selu, 1.67326, 1.0507, { 0, 0 } },
  { "Softplus", NULL, NULL, 0, 0, r_softplus, 0, 0, { 0, 0 } },
  { "Softsign", NULL, NULL, 0, 0, r_softsign, 0, 0, { 0, 0 } },
};

static void
test_pointwise (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  int64_t dims[2] = { 4, 6 };

  for (guint k = 0; k < G_N_ELEMENTS (act_cases); k++)
    {
      const ActCase *c = &act_cases[k];
      g_autoptr(SalOpTest) t = sal_op_test_new (c->op, 14);
      SalTensor *x = sal_op_test_random_f32 (rng, 2, dims, -5, 5), *y;
      double a = c->attr_a ? c->a_val : c->def_a, b = c->attr_b ? c->b_val : c->def_b;

      /* keep 0.05 away from the kinks, and include large magnitudes */
      for (int64_t i = 0; i < x->numel; i++)
        for (int j = 0; j < 2; j++)
          if (fabs (sal_tensor_f32 (x)[i] - c->kinks[j]) < 0.05)
            sal_tensor_f32 (x)[i] += 0.1f;
      sal_tensor_f32 (x)[0] = 30;
      sal_tensor_f32 (x)[1] = -30;
      if (c->attr_a)
        sal_node_set_float (t->node, c->attr_a, (float) c->a_val);
      if (c->attr_b)
        sal_node_set_float (t->node, c->attr_b, (float) c->b_val);
      sal_op_test_add_input (t, x);
      sal_op_test_run (t);
      y = sal_op_test_output (t, 0);
      sal_op_test_assert_shape (y, SAL_DTYPE_FLOAT, 2, dims);
      for (int64_t i = 0; i < x->numel; i++)
        {
          double e = c->ref (sal_tensor_f32 (x)[i], a, b), got = sal_tensor_f32 (y)[i];
          if (!(fabs (got - e) <= 1e-6 * MAX (1, fabs (e))))
            g_error ("%s(%g) = %.9g, expected %.9g", c->op, sal_tensor_f32 (x)[i], got, e);
        }
      /* the gradient check on moderate values (the +-30 saturate) */
      sal_tensor_f32 (x)[0] = 1.5f;
      sal_tensor_f32 (x)[1] = -1.5f;
      sal_op_test_grad_check (t, 40 + k, 1e-2);
    }
}

static void
test_relu_zero_gradient (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Relu", 14);
  g_autoptr(GError) error = NULL;
  float x[3] = { -1, 0, 2 }, one[3] = { 1, 1, 1 }, expect[3] = { 0, 0, 1 };
  g_autoptr(SalTensor) g = sal_op_test_f32 (1, (int64_t[]) { 3 }, one);
  g_autoptr(SalTensor) gx = sal_op_test_f32 (1, (int64_t[]) { 3 }, NULL);
  SalTensor *gout[1] = { g }, *gin[1] = { gx };

  sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, x));
  sal_op_test_run (t);
  t->def->backward (t->node, (SalTensor *const *) t->in->pdata,
                    (SalTensor *const *) t->out->pdata, gout, gin, t->scratch, &t->ctx, &error);
  g_assert_no_error (error);
  sal_op_test_assert_f32 (gx, expect, 0, 0);
}

/* NaN goes through the pointwise activations, as in numpy and PyTorch. */
static void
test_nan (void)
{
  static const char *ops[] = { "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
                               "Elu", "Selu", "Softplus", "Softsign" };

  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      g_autoptr(SalOpTest) t = sal_op_test_new (ops[k], 14);
      float x[2] = { NAN, 1 };
      sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 2 }, x));
      sal_op_test_run (t);
      if (!isnan (sal_tensor_f32 (sal_op_test_output (t, 0))[0]))
        g_error ("%s(NaN) = %g", ops[k], sal_tensor_f32 (sal_op_test_output (t, 0))[0]);
    }
}

static void
test_float_only (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Sigmoid", 13);

  sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 2 }, NULL));
  sal_op_test_assert_infer_fails (t, "Sigmoid", "int64", NULL);
}

static void
test_prelu (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (8);
  int64_t dx[4] = { 2, 3, 2, 2 }, ds[3] = { 3, 1, 1 };
  g_autoptr(SalOpTest) t = sal_op_test_new ("PRelu", 9);
  g_autoptr(SalOpTest) bad = sal_op_test_new ("PRelu", 16);
  SalTensor *x = sal_op_test_random_f32 (rng, 4, dx, -2, 2);
  SalTensor *s = sal_op_test_random_f32 (rng, 3, ds, 0.1, 0.5), *y;

  sal_op_test_add_input (t, x);
  sal_op_test_add_input (t, s);
  sal_op_test_run (t);
  y = sal_op_test_output (t, 0);
  for (int64_t i = 0; i < x->numel; i++)
    {
      int c = (int) ((i / 4) % 3);
      float v = sal_tensor_f32 (x)[i];
      float e = v >= 0 ? v : sal_tensor_f32 (s)[c] * v;
      g_assert_cmpfloat (sal_tensor_f32 (y)[i], ==, e);
    }
  sal_op_test_grad_check (t, 3, 1e-2);

  {
    /* a slope along the last axis: it changes within each run */
    g_autoptr(SalOpTest) u = sal_op_test_new ("PRelu", 16);
    float ux[6] = { -1, -2, 3, -4, 5, -6 }, us[2] = { 0.5f, 0.25f };
    float e[6] = { -0.5f, -0.5f, 3, -1, 5, -1.5f };
    sal_op_test_add_input (u, sal_op_test_f32 (2, (int64_t[]) { 3, 2 }, ux));
    sal_op_test_add_input (u, sal_op_test_f32 (1, (int64_t[]) { 2 }, us));
    sal_op_test_run (u);
    sal_op_test_assert_f32 (sal_op_test_output (u, 0), e, 0, 0);
    sal_op_test_grad_check (u, 4, 1e-2);
  }

  sal_op_test_add_input (bad, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  sal_op_test_add_input (bad, sal_op_test_f32 (1, (int64_t[]) { 2 }, NULL));
  sal_op_test_assert_infer_fails (bad, "PRelu", "slope", "[2]", "[2, 3]", NULL);
}

static void
test_clip_versions (void)
{
  float x[5] = { -3, -0.5f, 0.25f, 1, 4 };
  float e_both[5] = { -1, -0.5f, 0.25f, 1, 2 }, e_max[5] = { -3, -0.5f, 0.25f, 0.5f, 0.5f };
  float lo = -1, hi = 2, only_max = 0.5f;

  {
    /* opset 6: bounds are attributes */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 6);
    sal_node_set_float (t->node, "min", lo);
    sal_node_set_float (t->node, "max", hi);
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 5 }, x));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), e_both, 0, 0);
  }
  {
    /* opset 11: bounds are inputs; attributes are ignored */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 11);
    sal_node_set_float (t->node, "min", 100);
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 5 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &lo));
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &hi));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), e_both, 0, 0);
  }
  {
    /* opset 13: min absent */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 5 }, x));
    sal_op_test_add_input (t, NULL);
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &only_max));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), e_max, 0, 0);
  }
  {
    /* min > max: every value becomes max */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
    float big = 3, small = 1, e[5] = { 1, 1, 1, 1, 1 };
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 5 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &big));
    sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &small));
    sal_op_test_run (t);
    sal_op_test_assert_f32 (sal_op_test_output (t, 0), e, 0, 0);
  }
  {
    /* opset 12+: int64 */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
    int64_t ix[4] = { -5, 0, 5, G_MAXINT64 }, ilo = -2, ihi = 3, e[4] = { -2, 0, 3, 3 };
    sal_op_test_add_input (t, sal_op_test_i64 (1, (int64_t[]) { 4 }, ix));
    sal_op_test_add_input (t, sal_op_test_i64 (0, NULL, &ilo));
    sal_op_test_add_input (t, sal_op_test_i64 (0, NULL, &ihi));
    sal_op_test_run (t);
    sal_op_test_assert_i64 (sal_op_test_output (t, 0), e);
  }
  {
    /* uint8 with only min: max defaults to 255 */
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
    guint8 ux[3] = { 1, 200, 255 }, ulo = 5, e[3] = { 5, 200, 255 };
    sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_UINT8, 1, (int64_t[]) { 3 }, ux));
    sal_op_test_add_input (t, sal_op_test_tensor (SAL_DTYPE_UINT8, 0, NULL, &ulo));
    sal_op_test_run (t);
    g_assert_cmpmem (sal_op_test_output (t, 0)->data, 3, e, 3);
  }
  {
    g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 5 }, x));
    sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 2 }, NULL));
    sal_op_test_assert_infer_fails (t, "Clip", "min", "scalar", NULL);
  }
}

static void
test_clip_gradient (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (12);
  g_autoptr(SalOpTest) t = sal_op_test_new ("Clip", 13);
  g_autoptr(SalOpTest) u = sal_op_test_new ("Clip", 6);
  float lo = -0.7f, hi = 0.9f;
  SalTensor *x = sal_op_test_random_f32 (rng, 2, (int64_t[]) { 3, 5 }, -2, 2);
  SalTensor *x2;

  for (int64_t i = 0; i < x->numel; i++)
    {
      float *v = &sal_tensor_f32 (x)[i];
      if (fabsf (*v - lo) < 0.05f || fabsf (*v - hi) < 0.05f)
        *v += 0.1f;
    }
  x2 = sal_tensor_copy (x);
  sal_op_test_add_input (t, x);
  sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &lo));
  sal_op_test_add_input (t, sal_op_test_f32 (0, NULL, &hi));
  /* gradients to x and to both bounds */
  sal_op_test_grad_check (t, 1, 1e-2);

  sal_node_set_float (u->node, "min", lo);
  sal_node_set_float (u->node, "max", hi);
  sal_op_test_add_input (u, x2);
  sal_op_test_grad_check (u, 2, 1e-2);
}

/* Reference softmax over [outer, n, inner] in double. */
static void
ref_softmax (const float *x, double *y, int64_t outer, int64_t n, int64_t inner, gboolean log_)
{
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++)
      {
        double m = -INFINITY, s = 0;
        for (int64_t k = 0; k < n; k++)
          m = MAX (m, x[(o * n + k) * inner + i]);
        for (int64_t k = 0; k < n; k++)
          s += exp (x[(o * n + k) * inner + i] - m);
        for (int64_t k = 0; k < n; k++)
          {
            double v = x[(o * n + k) * inner + i] - m;
            y[(o * n + k) * inner + i] = log_ ? v - log (s) : exp (v) / s;
          }
      }
}

static void
check_softmax (const char *op, int opset, int axis_or_default, int64_t outer, int64_t n,
               int64_t inner, GRand *rng)
{
  g_autoptr(SalOpTest) t = sal_op_test_new (op, opset);
  int64_t dims[3] = { 2, 3, 4 };
  SalTensor *x = sal_op_test_random_f32 (rng, 3, dims, -3, 3), *y;
  double ref[24];

  if (axis_or_default != G_MININT)
    sal_node_set_int (t->node, "axis", axis_or_default);
  sal_op_test_add_input (t, x);
  sal_op_test_run (t);
  y = sal_op_test_output (t, 0);
  ref_softmax (sal_tensor_f32 (x), ref, outer, n, inner, g_str_equal (op, "LogSoftmax"));
  for (int i = 0; i < 24; i++)
    if (!(fabs (sal_tensor_f32 (y)[i] - ref[i]) <= 1e-6 * MAX (1, fabs (ref[i]))))
      g_error ("%s opset %d axis %d element %d: %.9g, expected %.9g", op, opset,
               axis_or_default, i, sal_tensor_f32 (y)[i], ref[i]);
  sal_op_test_grad_check (t, (guint64) opset * 10 + (guint64) (axis_or_default + 5), 1e-2);
}

/* Before opset 13 the input is flattened to 2-D at axis; from 13 one axis. */
static void
test_softmax_versions (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (17);
  const char *ops[2] = { "Softmax", "LogSoftmax" };

  for (int k = 0; k < 2; k++)
    {
      check_softmax (ops[k], 11, G_MININT, 2, 12, 1, rng);   /* default axis 1: rows of 12 */
      check_softmax (ops[k], 11, 2, 6, 4, 1, rng);
      check_softmax (ops[k], 11, 0, 1, 24, 1, rng);
      check_softmax (ops[k], 11, -2, 2, 12, 1, rng);
      check_softmax (ops[k], 13, G_MININT, 6, 4, 1, rng);    /* default axis -1 */
      check_softmax (ops[k], 13, 1, 2, 3, 4, rng);           /* the middle axis alone */
      check_softmax (ops[k], 13, 0, 1, 2, 12, rng);
    }
}

static void
test_softmax_errors (void)
{
  g_autoptr(SalOpTest) t = sal_op_test_new ("Softmax", 13);
  float big[3] = { 1000, 1001, 1002 };
  g_autoptr(SalOpTest) u = sal_op_test_new ("Softmax", 13);
  double ref[3];

  sal_node_set_int (t->node, "axis", 3);
  sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, NULL));
  sal_op_test_assert_infer_fails (t, "Softmax", "axis 3", "[2, 3]", NULL);

  /* large logits do not overflow */
  sal_op_test_add_input (u, sal_op_test_f32 (1, (int64_t[]) { 3 }, big));
  sal_op_test_run (u);
  ref_softmax (big, ref, 1, 3, 1, FALSE);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (sal_op_test_output (u, 0))[i], ref[i], 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops/activation/pointwise", test_pointwise);
  g_test_add_func ("/engine/ops/activation/relu-zero-gradient", test_relu_zero_gradient);
  g_test_add_func ("/engine/ops/activation/nan", test_nan);
  g_test_add_func ("/engine/ops/activation/float-only", test_float_only);
  g_test_add_func ("/engine/ops/activation/prelu", test_prelu);
  g_test_add_func ("/engine/ops/activation/clip-versions", test_clip_versions);
  g_test_add_func ("/engine/ops/activation/clip-gradient", test_clip_gradient);
  g_test_add_func ("/engine/ops/activation/softmax-versions", test_softmax_versions);
  g_test_add_func ("/engine/ops/activation/softmax-errors", test_softmax_errors);
  return g_test_run ();
}
