/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-grad.h"

static SalTensor *
random_tensor (GRand *rng, int rank, const int64_t *dims, double scale)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) (g_rand_double_range (rng, -1, 1) * scale);
  return t;
}

/* x[2,4] → Gemm(W1[5,4]ᵀ, b1) = h → h·h = q → Gemm(W2[3,5]ᵀ, b2) = y[2,3]. */
static SalModel *
build_mlp (GRand *rng)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  SalNode *n;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, 4 });
  {
    g_autoptr(SalTensor) w1 = random_tensor (rng, 2, (int64_t[]) { 5, 4 }, 0.7);
    g_autoptr(SalTensor) b1 = random_tensor (rng, 1, (int64_t[]) { 5 }, 0.3);
    g_autoptr(SalTensor) w2 = random_tensor (rng, 2, (int64_t[]) { 3, 5 }, 0.7);
    g_autoptr(SalTensor) b2 = random_tensor (rng, 1, (int64_t[]) { 3 }, 0.3);
    sal_graph_builder_add_initializer (b, "W1", w1);
    sal_graph_builder_add_initializer (b, "b1", b1);
    sal_graph_builder_add_initializer (b, "W2", w2);
    sal_graph_builder_add_initializer (b, "b2", b2);
  }
  n = sal_graph_builder_add_node (b, "Gemm", "fc1", 3, (const char *[]) { "x", "W1", "b1" }, 1,
                                  (const char *[]) { "h" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_node (b, "Mul", "square", 2, (const char *[]) { "h", "h" }, 1,
                              (const char *[]) { "q" });
  n = sal_graph_builder_add_node (b, "Gemm", "fc2", 3, (const char *[]) { "q", "W2", "b2" }, 1,
                                  (const char *[]) { "y" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "y");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

/* f = Σ seed ⊙ y(x) in double, for finite differences. */
static double
objective (SalRun *run, const SalTensor *x, const SalTensor *seed)
{
  g_autoptr(GError) error = NULL;
  const SalTensor *y;
  double f = 0;

  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  y = sal_run_get_output (run, 0);
  for (int64_t i = 0; i < y->numel; i++)
    f += (double) sal_tensor_f32 (y)[i] * sal_tensor_f32 (seed)[i];
  return f;
}

static void
assert_close (double got, double want, double rtol, const char *what, int64_t i)
{
  if (fabs (got - want) > rtol * MAX (fabs (want), 1e-2))
    g_error ("%s[%" G_GINT64_FORMAT "]: analytic %g, numeric %g", what, i, got, want);
}

/* Central differences on x and on every weight against the backward pass. */
static void
test_mlp_finite_differences (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  g_autoptr(SalModel) model = build_mlp (rng);
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalGrad) grad = sal_grad_new (run);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 2, 4 }, 1.0);
  g_autoptr(SalTensor) seed = random_tensor (rng, 2, (int64_t[]) { 2, 3 }, 1.0);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) gx = NULL;
  const float eps = 1e-2f;

  sal_grad_want_inputs (grad);
  sal_grad_want_weights (grad);
  objective (run, x, seed);
  g_assert_true (sal_grad_backward (grad, 0, seed, &error));
  g_assert_no_error (error);
  gx = sal_tensor_copy (sal_grad_get (grad, "x"));

  for (int64_t i = 0; i < x->numel; i++)
    {
      float keep = sal_tensor_f32 (x)[i];
      double fp, fm;
      sal_tensor_f32 (x)[i] = keep + eps;
      fp = objective (run, x, seed);
      sal_tensor_f32 (x)[i] = keep - eps;
      fm = objective (run, x, seed);
      sal_tensor_f32 (x)[i] = keep;
      assert_close (sal_tensor_f32 (gx)[i], (fp - fm) / (2 * eps), 2e-2, "dx", i);
    }

  g_assert_cmpuint (sal_grad_n_weights (grad), ==, 4);
  for (guint w = 0; w < sal_grad_n_weights (grad); w++)
    {
      const char *name;
      SalTensor *param, *pgrad;
      g_autoptr(SalTensor) analytic = NULL;

      /* Recompute the gradients: the objective runs above overwrote nothing of
       * the weight gradients, but be explicit about the state compared. */
      objective (run, x, seed);
      g_assert_true (sal_grad_backward (grad, 0, seed, &error));
      sal_grad_get_weight (grad, w, &name, &param, &pgrad);
      analytic = sal_tensor_copy (pgrad);
      for (int64_t i = 0; i < param->numel; i++)
        {
          float keep = sal_tensor_f32 (param)[i];
          double fp, fm;
          sal_tensor_f32 (param)[i] = keep + eps;
          g_assert_true (sal_model_weights_changed (model, &error));
          fp = objective (run, x, seed);
          sal_tensor_f32 (param)[i] = keep - eps;
          g_assert_true (sal_model_weights_changed (model, &error));
          fm = objective (run, x, seed);
          sal_tensor_f32 (param)[i] = keep;
          g_assert_true (sal_model_weights_changed (model, &error));
          assert_close (sal_tensor_f32 (analytic)[i], (fp - fm) / (2 * eps), 2e-2, name, i);
        }
    }
}

/* Wanting an intermediate value stops the walk there: its gradient is
 * W2ᵀ·seed per row, and nothing below it (x, W1) gets a gradient. */
static void
test_stop_at_layer (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (2);
  g_autoptr(SalModel) model = build_mlp (rng);
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalGrad) grad = sal_grad_new (run);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 2, 4 }, 1.0);
  g_autoptr(SalTensor) seed = random_tensor (rng, 2, (int64_t[]) { 2, 3 }, 1.0);
  g_autoptr(GError) error = NULL;
  const SalTensor *gq, *w2 = NULL;
  SalTensor *param;

  g_assert_true (sal_grad_want (grad, "q", &error));
  g_assert_false (sal_grad_want (grad, "no-such-value", &error));
  g_clear_error (&error);
  objective (run, x, seed);
  g_assert_true (sal_grad_backward (grad, 0, seed, &error));
  gq = sal_grad_get (grad, "q");
  g_assert_nonnull (gq);
  g_assert_null (sal_grad_get (grad, "x"));
  g_assert_null (sal_grad_get (grad, "h"));
  for (guint w = 0; w < sal_grad_n_weights (grad); w++)
    {
      const char *name;
      sal_grad_get_weight (grad, w, &name, &param, NULL);
      if (strcmp (name, "W2") == 0)
        w2 = param;
    }
  g_assert_nonnull (w2);
  for (int r = 0; r < 2; r++)
    for (int j = 0; j < 5; j++)
      {
        double want = 0;
        for (int k = 0; k < 3; k++)
          want += sal_tensor_f32 (seed)[r * 3 + k] * sal_tensor_f32 (w2)[k * 5 + j];
        g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gq)[r * 5 + j], want, 1e-5);
      }
}

static void
test_errors (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autoptr(SalModel) model = build_mlp (rng);
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalGrad) grad = sal_grad_new (run);
  g_autoptr(SalTensor) seed = random_tensor (rng, 2, (int64_t[]) { 2, 3 }, 1.0);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 2, 4 }, 1.0);
  g_autoptr(SalTensor) bad_seed = random_tensor (rng, 1, (int64_t[]) { 5 }, 1.0);
  g_autoptr(GError) error = NULL;

  sal_grad_want_inputs (grad);
  /* Backward before any run. */
  g_assert_false (sal_grad_backward (grad, 0, seed, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_FAILED);
  g_clear_error (&error);
  objective (run, x, seed);
  g_assert_false (sal_grad_backward (grad, 0, bad_seed, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sal_grad_backward (grad, 3, seed, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/grad/mlp-finite-differences", test_mlp_finite_differences);
  g_test_add_func ("/engine/grad/stop-at-layer", test_stop_at_layer);
  g_test_add_func ("/engine/grad/errors", test_errors);
  return g_test_run ();
}
