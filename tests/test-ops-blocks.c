/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The elementwise, activation and reduce operators inside real graphs: blocks
 * that exporters emit from primitive ops (a decomposed layer norm, GELU via
 * Erf, masked activations), run through the planner and differentiated by the
 * engine's backward pass, checked against finite differences. Values used
 * twice (x - mean(x)) make the backward add into one gradient from two ops. */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-grad.h"

#define NODE(b, op, in, out) \
  sal_graph_builder_add_node (b, op, out, G_N_ELEMENTS (in), in, 1, (const char *[]) { out })

static SalTensor *
random_tensor (GRand *rng, int rank, const int64_t *dims, double lo, double hi)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) g_rand_double_range (rng, lo, hi);
  return t;
}

static void
add_scalar (SalGraphBuilder *b, const char *name, float v)
{
  g_autoptr(SalTensor) t = sal_tensor_new_scalar_f32 (v);

  sal_graph_builder_add_initializer (b, name, t);
}

/* x[2,3,4] → layer norm over the last axis (ReduceMean, Sub, Pow, Add, Sqrt,
 * Div, Mul, Add with gamma/beta) = h; then
 *   g = GELU(h) = 0.5 h (1 + erf(h / sqrt 2))
 *   a = Softmax(h * 0.7) along the last axis (opset 13)
 *   m = ReduceMax(h, axes [1], keepdims)           broadcast back over tokens
 *   r = Where(h > 0, h, PRelu-like h * slope)      slope[4] broadcast
 *   s = Sum(a * g, m, r, Clip(h, -0.5, 0.8))
 *   y = LogSoftmax(ReduceSum(s, axes = [2] as an input, keepdims 0))   [2, 3] */
static SalModel *
build_block (GRand *rng, int opset)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (opset);
  g_autoptr(GError) error = NULL;
  int64_t last = -1, tokens = 1, feat = 2;
  SalNode *n;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 3, (int64_t[]) { -1, 3, 4 });
  {
    g_autoptr(SalTensor) gamma = random_tensor (rng, 1, (int64_t[]) { 4 }, 0.5, 1.5);
    g_autoptr(SalTensor) beta = random_tensor (rng, 1, (int64_t[]) { 4 }, -0.3, 0.3);
    g_autoptr(SalTensor) slope = random_tensor (rng, 1, (int64_t[]) { 4 }, 0.05, 0.3);
    g_autoptr(SalTensor) axes = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { 1 }, NULL);
    sal_tensor_i64 (axes)[0] = feat;
    sal_graph_builder_add_initializer (b, "gamma", gamma);
    sal_graph_builder_add_initializer (b, "beta", beta);
    sal_graph_builder_add_initializer (b, "slope", slope);
    sal_graph_builder_add_initializer (b, "axes", axes);
  }
  add_scalar (b, "two", 2);
  add_scalar (b, "eps", 1e-5f);
  add_scalar (b, "half", 0.5f);
  add_scalar (b, "one", 1);
  add_scalar (b, "sqrt2", (float) G_SQRT2);
  add_scalar (b, "temp", 0.7f);
  add_scalar (b, "zero", 0);
  add_scalar (b, "lo", -0.5f);
  add_scalar (b, "hi", 0.8f);

  n = NODE (b, "ReduceMean", ((const char *[]) { "x" }), "mu");
  sal_node_set_ints (n, "axes", 1, &last);
  NODE (b, "Sub", ((const char *[]) { "x", "mu" }), "d");
  NODE (b, "Pow", ((const char *[]) { "d", "two" }), "d2");
  n = NODE (b, "ReduceMean", ((const char *[]) { "d2" }), "var");
  sal_node_set_ints (n, "axes", 1, &last);
  NODE (b, "Add", ((const char *[]) { "var", "eps" }), "ve");
  NODE (b, "Sqrt", ((const char *[]) { "ve" }), "sd");
  NODE (b, "Div", ((const char *[]) { "d", "sd" }), "nrm");
  NODE (b, "Mul", ((const char *[]) { "nrm", "gamma" }), "scaled");
  NODE (b, "Add", ((const char *[]) { "scaled", "beta" }), "h");

  NODE (b, "Div", ((const char *[]) { "h", "sqrt2" }), "hs");
  NODE (b, "Erf", ((const char *[]) { "hs" }), "e");
  NODE (b, "Add", ((const char *[]) { "e", "one" }), "e1");
  NODE (b, "Mul", ((const char *[]) { "h", "half" }), "hh");
  NODE (b, "Mul", ((const char *[]) { "hh", "e1" }), "g");

  NODE (b, "Mul", ((const char *[]) { "h", "temp" }), "ht");
  n = NODE (b, "Softmax", ((const char *[]) { "ht" }), "a");
  sal_node_set_int (n, "axis", -1);
  NODE (b, "Mul", ((const char *[]) { "a", "g" }), "ag");

  n = NODE (b, "ReduceMax", ((const char *[]) { "h" }), "mx");
  sal_node_set_ints (n, "axes", 1, &tokens);

  NODE (b, "Greater", ((const char *[]) { "h", "zero" }), "pos");
  NODE (b, "Mul", ((const char *[]) { "h", "slope" }), "leak");
  NODE (b, "Where", ((const char *[]) { "pos", "h", "leak" }), "r");
  NODE (b, "Clip", ((const char *[]) { "h", "lo", "hi" }), "c");

  NODE (b, "Sum", ((const char *[]) { "ag", "mx", "r", "c" }), "s");
  n = NODE (b, "ReduceSum", ((const char *[]) { "s", "axes" }), "t");
  sal_node_set_int (n, "keepdims", 0);
  n = NODE (b, "LogSoftmax", ((const char *[]) { "t" }), "y");
  sal_node_set_int (n, "axis", 1);
  sal_graph_builder_add_output (b, "y");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

/* f = sum seed * y(x), in double */
static double
objective (SalRun *run, const SalTensor *x, const SalTensor *seed)
{
  g_autoptr(GError) error = NULL;
  const SalTensor *y;
  double f = 0;

  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  y = sal_run_get_output (run, 0);
  for (int64_t i = 0; i < y->numel; i++)
    f += (double) sal_tensor_f32 (y)[i] * sal_tensor_f32 (seed)[i];
  return f;
}

static void
check_tensor (SalModel *model, SalRun *run, SalTensor *param, const SalTensor *analytic,
              const SalTensor *x, const SalTensor *seed, const char *what)
{
  g_autoptr(GError) error = NULL;
  const float eps = 1e-3f;

  for (int64_t i = 0; i < param->numel; i++)
    {
      float keep = sal_tensor_f32 (param)[i];
      double fp, fm, num, ana = sal_tensor_f32 (analytic)[i];

      sal_tensor_f32 (param)[i] = keep + eps;
      g_assert_true (sal_model_weights_changed (model, &error));
      fp = objective (run, x, seed);
      sal_tensor_f32 (param)[i] = keep - eps;
      g_assert_true (sal_model_weights_changed (model, &error));
      fm = objective (run, x, seed);
      sal_tensor_f32 (param)[i] = keep;
      g_assert_true (sal_model_weights_changed (model, &error));
      num = (fp - fm) / (2 * eps);
      if (!(fabs (ana - num) <= 2e-2 * MAX (fabs (ana), fabs (num)) + 2e-3))
        g_error ("%s[%" G_GINT64_FORMAT "]: backward %.6g, finite difference %.6g", what, i, ana,
                 num);
    }
}

static void
test_block_gradient (gconstpointer data)
{
  int opset = GPOINTER_TO_INT (data);
  g_autoptr(GRand) rng = g_rand_new_with_seed (77 + opset);
  g_autoptr(SalModel) model = build_block (rng, opset);
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalGrad) grad = sal_grad_new (run);
  g_autoptr(SalTensor) x = random_tensor (rng, 3, (int64_t[]) { 2, 3, 4 }, -2, 2);
  g_autoptr(SalTensor) seed = random_tensor (rng, 2, (int64_t[]) { 2, 3 }, -1, 1);
  g_autoptr(SalTensor) gx = NULL, ggamma = NULL, gslope = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[3] = { "gamma", "beta", "slope" };

  sal_grad_want_inputs (grad);
  for (int k = 0; k < 3; k++)
    g_assert_true (sal_grad_want (grad, names[k], &error));
  objective (run, x, seed);
  g_assert_true (sal_grad_backward (grad, 0, seed, &error));
  g_assert_no_error (error);
  gx = sal_tensor_copy (sal_grad_get (grad, "x"));

  /* the input, by finite differences on x itself */
  {
    const float eps = 1e-3f;
    for (int64_t i = 0; i < x->numel; i++)
      {
        float keep = sal_tensor_f32 (x)[i];
        double fp, fm, num, ana = sal_tensor_f32 (gx)[i];
        sal_tensor_f32 (x)[i] = keep + eps;
        fp = objective (run, x, seed);
        sal_tensor_f32 (x)[i] = keep - eps;
        fm = objective (run, x, seed);
        sal_tensor_f32 (x)[i] = keep;
        num = (fp - fm) / (2 * eps);
        if (!(fabs (ana - num) <= 2e-2 * MAX (fabs (ana), fabs (num)) + 2e-3))
          g_error ("dx[%" G_GINT64_FORMAT "]: backward %.6g, finite difference %.6g", i, ana, num);
      }
  }

  /* the weights, as the model's own tensors */
  for (guint w = 0; w < sal_grad_n_weights (grad); w++)
    {
      const char *name;
      SalTensor *param, *pgrad;
      g_autoptr(SalTensor) analytic = NULL;
      gboolean wanted = FALSE;

      objective (run, x, seed);
      g_assert_true (sal_grad_backward (grad, 0, seed, &error));
      sal_grad_get_weight (grad, w, &name, &param, &pgrad);
      for (int k = 0; k < 3; k++)
        wanted = wanted || strcmp (name, names[k]) == 0;
      if (!wanted)
        continue;
      analytic = sal_tensor_copy (sal_grad_get (grad, name));
      /* a gradient that is all zero would pass trivially: these are not */
      {
        double norm = 0;
        for (int64_t i = 0; i < analytic->numel; i++)
          norm += fabs (sal_tensor_f32 (analytic)[i]);
        g_assert_cmpfloat (norm, >, 1e-3);
      }
      check_tensor (model, run, param, analytic, x, seed, name);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_data_func ("/engine/ops/blocks/gradient-opset13", GINT_TO_POINTER (13),
                        test_block_gradient);
  g_test_add_data_func ("/engine/ops/blocks/gradient-opset17", GINT_TO_POINTER (17),
                        test_block_gradient);
  return g_test_run ();
}
