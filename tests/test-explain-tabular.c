/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-explain.h"

static SalTensor *
random_tensor (GRand *rng, int rank, const int64_t *dims, double scale)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) (g_rand_double_range (rng, -1, 1) * scale);
  return t;
}

/* x[N, M] → Gemm(H) → Relu → Gemm(2) = "logits" (hidden = 0: one Gemm, linear). */
static SalModel *
build_mlp (guint32 seed, int m, int hidden)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  int h = hidden > 0 ? hidden : m;
  g_autoptr(SalTensor) w1 = random_tensor (rng, 2, (int64_t[]) { h, m }, 0.8);
  g_autoptr(SalTensor) b1 = random_tensor (rng, 1, (int64_t[]) { h }, 0.3);
  g_autoptr(SalTensor) w2 = random_tensor (rng, 2, (int64_t[]) { 2, h }, 0.8);
  g_autoptr(SalTensor) b2 = random_tensor (rng, 1, (int64_t[]) { 2 }, 0.1);
  SalNode *n;
  SalModel *model;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, m });
  if (hidden > 0)
    {
      sal_graph_builder_add_initializer (b, "w1", w1);
      sal_graph_builder_add_initializer (b, "b1", b1);
      n = sal_graph_builder_add_node (b, "Gemm", "fc1", 3, (const char *[]) { "x", "w1", "b1" }, 1,
                                      (const char *[]) { "h" });
      sal_node_set_int (n, "transB", 1);
      sal_graph_builder_add_node (b, "Relu", "relu", 1, (const char *[]) { "h" }, 1,
                                  (const char *[]) { "hr" });
    }
  else
    {
      g_clear_pointer (&w2, sal_tensor_free);
      w2 = random_tensor (rng, 2, (int64_t[]) { 2, m }, 0.8);
      sal_tensor_f32 (w2)[m - 1] = 0; /* a feature the model ignores */
      sal_tensor_f32 (w2)[2 * m - 1] = 0;
    }
  sal_graph_builder_add_initializer (b, "w2", w2);
  sal_graph_builder_add_initializer (b, "b2", b2);
  n = sal_graph_builder_add_node (b, "Gemm", "fc2", 3,
                                  (const char *[]) { hidden > 0 ? "hr" : "x", "w2", "b2" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "logits");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return model;
}

static SalExplanation *
explain (SalModel *m, const SalTensor *x, SalExplainParams *p)
{
  g_autoptr(GError) error = NULL;
  SalExplanation *e = sal_explain (m, x, p, &error);

  g_assert_no_error (error);
  g_assert_nonnull (e);
  return e;
}

static double
sum_attr (const SalExplanation *e)
{
  double s = 0;

  for (int64_t i = 0; i < e->attribution->numel; i++)
    s += sal_tensor_f32 (e->attribution)[i];
  return s;
}

static double
rel_l1 (const float *a, const float *b, int n)
{
  double num = 0, den = 0;

  for (int i = 0; i < n; i++)
    {
      num += fabs (a[i] - b[i]);
      den += fabs (b[i]);
    }
  return num / den;
}

/* Linear model: φ_j = w_tj (x_j − mean_b b_j) exactly; efficiency holds. */
static void
test_shapley_linear (void)
{
  const int M = 6, N = 20;
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autoptr(SalModel) m = build_mlp (4, M, 0);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.0);
  g_autoptr(SalTensor) bg = random_tensor (rng, 2, (int64_t[]) { N, M }, 1.0);
  g_autoptr(SalExplanation) e = NULL;
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;
  SalExplainParams p;
  const float *w;

  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.target = 1;
  p.background = bg;
  e = explain (m, x, &p);
  /* Recover the weights of class 1 from the model itself: f(e_j) − f(0). */
  {
    g_autoptr(SalTensor) probe = sal_tensor_new_f32 (2, (int64_t[]) { M + 1, M });
    g_autoptr(SalTensor) wt = NULL;
    const SalTensor *out;

    for (int j = 0; j < M; j++)
      sal_tensor_f32 (probe)[(j + 1) * M + j] = 1;
    g_assert_true (sal_run_set_input (run, 0, probe, &error));
    g_assert_true (sal_run_execute (run, &error));
    out = sal_run_get_output (run, 0);
    wt = sal_tensor_new_f32 (1, (int64_t[]) { M });
    for (int j = 0; j < M; j++)
      sal_tensor_f32 (wt)[j] = sal_tensor_f32 (out)[(j + 1) * 2 + 1] - sal_tensor_f32 (out)[1];
    w = sal_tensor_f32 (wt);
    for (int j = 0; j < M; j++)
      {
        double mean = 0, expect;
        for (int r = 0; r < N; r++)
          mean += sal_tensor_f32 (bg)[r * M + j];
        mean /= N;
        expect = w[j] * (sal_tensor_f32 (x)[j] - mean);
        g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[j], expect, 1e-4);
      }
    g_assert_cmpfloat (fabs (w[M - 1]), <, 1e-6);
  }
  g_assert_cmpfloat (e->efficiency_gap, <=, 1e-5 * MAX (fabs (e->score - e->expected_score), 1e-3));
  g_assert_cmpfloat_with_epsilon (sum_attr (e), e->score - e->expected_score, 1e-4);

  /* Deletion/insertion to the background mean: for a linear model the curve
   * after removing the top k features is f(x) − Σ_topk φ (insertion: E[f] + Σ_topk φ). */
  {
    float phi[6];
    double del = 0, ins = 0, cd[7], ci[7];
    gboolean used[6] = { 0 };

    memcpy (phi, e->attribution->data, sizeof phi);
    cd[0] = e->score;
    ci[0] = e->expected_score;
    for (int k = 1; k <= M; k++)
      {
        int best = -1;
        for (int j = 0; j < M; j++)
          if (!used[j] && (best < 0 || phi[j] > phi[best]))
            best = j;
        used[best] = TRUE;
        cd[k] = cd[k - 1] - phi[best];
        ci[k] = ci[k - 1] + phi[best];
      }
    for (int k = 0; k < M; k++)
      {
        del += (cd[k] + cd[k + 1]) / 2 / M;
        ins += (ci[k] + ci[k + 1]) / 2 / M;
      }
    g_assert_cmpfloat_with_epsilon (e->deletion_auc, del, 1e-4);
    g_assert_cmpfloat_with_epsilon (e->insertion_auc, ins, 1e-4);
  }
}

/* Nonlinear MLP, 13 features: brute-force Shapley over a one-row background
 * (interaction effects make the order matter) against the permutation
 * definition, efficiency, and KernelSHAP within 0.05 at 2048 samples. */
static void
test_shapley_mlp (void)
{
  const int M = 13, N = 16;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  g_autoptr(SalModel) m = build_mlp (8, M, 24);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.5);
  g_autoptr(SalTensor) bg = random_tensor (rng, 2, (int64_t[]) { N, M }, 1.0);
  g_autoptr(SalExplanation) exact = NULL, kernel = NULL, again = NULL;
  SalExplainParams p;
  double rel, gap;

  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.target = 0;
  p.background = bg;
  exact = explain (m, x, &p);
  gap = exact->efficiency_gap / fabs (exact->score - exact->expected_score);
  g_test_message ("exact: efficiency gap %.3g relative, %d forward", gap, exact->n_forward);
  g_assert_cmpfloat (gap, <=, 1e-5);
  g_assert_cmpint (exact->n_forward, >=, (1 << M) * N);

  sal_explain_params_init (&p, SAL_EXPLAIN_KERNEL_SHAP);
  p.target = 0;
  p.background = bg;
  p.seed = 11;
  kernel = explain (m, x, &p);
  rel = rel_l1 (sal_tensor_f32 (kernel->attribution), sal_tensor_f32 (exact->attribution), M);
  g_test_message ("KernelSHAP 2048 samples: Σ|φ−φ_exact|/Σ|φ_exact| = %.4f", rel);
  g_assert_cmpfloat (rel, <=, 0.05);
  g_assert_cmpfloat (kernel->efficiency_gap, <=, 1e-5 * fabs (kernel->score - kernel->expected_score));
  /* The same request reproduces the same numbers; another seed does not. */
  again = explain (m, x, &p);
  g_assert_cmpmem (again->attribution->data, M * 4, kernel->attribution->data, M * 4);
  p.seed = 12;
  g_clear_pointer (&again, sal_explanation_free);
  again = explain (m, x, &p);
  g_assert_true (memcmp (again->attribution->data, kernel->attribution->data, M * 4) != 0);
}

/* Independent brute force from the permutation definition of Shapley values,
 * over a one-row background, with values from plain runs. */
static void
test_shapley_brute_force (void)
{
  const int M = 5;
  g_autoptr(GRand) rng = g_rand_new_with_seed (21);
  g_autoptr(SalModel) m = build_mlp (22, M, 8);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.5);
  g_autoptr(SalTensor) bg = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.0);
  g_autoptr(SalTensor) all = sal_tensor_new_f32 (2, (int64_t[]) { 1 << M, M });
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalExplanation) e = NULL;
  double phi[5] = { 0 };
  int perm[5] = { 0, 1, 2, 3, 4 }, n_perm = 0;
  const SalTensor *out;
  SalExplainParams p;

  for (int s = 0; s < (1 << M); s++)
    for (int j = 0; j < M; j++)
      sal_tensor_f32 (all)[s * M + j] = (s >> j) & 1 ? sal_tensor_f32 (x)[j] : sal_tensor_f32 (bg)[j];
  g_assert_true (sal_run_set_input (run, 0, all, &error));
  g_assert_true (sal_run_execute (run, &error));
  out = sal_run_get_output (run, 0);
  /* All 120 orders (Heap's algorithm would do; nested swaps keep it short). */
  for (int a = 0; a < 120; a++)
    {
      int order[5], used = 0, s = 0, k = a;
      for (int i = 0; i < M; i++)
        {
          int pick = k % (M - i), c = -1;
          k /= M - i;
          for (int j = 0; j < M; j++)
            if (!(used & (1 << j)) && ++c == pick)
              {
                order[i] = j;
                used |= 1 << j;
                break;
              }
        }
      for (int i = 0; i < M; i++)
        {
          int t = s | (1 << order[i]);
          phi[order[i]] += sal_tensor_f32 (out)[t * 2 + 1] - sal_tensor_f32 (out)[s * 2 + 1];
          s = t;
        }
      n_perm++;
    }
  (void) perm;
  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.target = 1;
  p.background = bg;
  e = explain (m, x, &p);
  for (int j = 0; j < M; j++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[j], phi[j] / n_perm, 1e-4);
}

/* 30 features in 10 groups (the breast-mass layout: 10 measurements × mean,
 * standard error, worst): per-group values, efficiency, KernelSHAP agrees. */
static void
test_groups (void)
{
  const int M = 30, G = 10, N = 12;
  g_autoptr(GRand) rng = g_rand_new_with_seed (31);
  g_autoptr(SalModel) m = build_mlp (32, M, 16);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.5);
  g_autoptr(SalTensor) bg = random_tensor (rng, 2, (int64_t[]) { N, M }, 1.0);
  g_autoptr(SalExplanation) exact = NULL, kernel = NULL, perm = NULL;
  g_autoptr(GError) error = NULL;
  int groups[30];
  SalExplainParams p;
  double s = 0, rel;

  for (int j = 0; j < M; j++)
    groups[j] = j % G;
  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.background = bg;
  p.groups = groups;
  p.n_groups = G;
  exact = explain (m, x, &p);
  g_assert_nonnull (exact->group_attribution);
  g_assert_cmpint (exact->group_attribution->numel, ==, G);
  for (int g = 0; g < G; g++)
    {
      float *a = sal_tensor_f32 (exact->attribution);
      s += sal_tensor_f32 (exact->group_attribution)[g];
      g_assert_cmpfloat_with_epsilon (a[g] + a[g + G] + a[g + 2 * G],
                                      sal_tensor_f32 (exact->group_attribution)[g], 1e-5);
    }
  g_assert_cmpfloat (fabs (s - (exact->score - exact->expected_score)), <=,
                     1e-5 * fabs (exact->score - exact->expected_score));

  sal_explain_params_init (&p, SAL_EXPLAIN_KERNEL_SHAP);
  p.background = bg;
  p.groups = groups;
  p.n_groups = G;
  kernel = explain (m, x, &p);
  rel = rel_l1 (sal_tensor_f32 (kernel->group_attribution),
                sal_tensor_f32 (exact->group_attribution), G);
  g_test_message ("10 groups, KernelSHAP vs exact: %.5f", rel);
  g_assert_cmpfloat (rel, <=, 0.05);

  /* Bad groups are refused with a reason. */
  groups[3] = G;
  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.background = bg;
  p.groups = groups;
  p.n_groups = G;
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  groups[3] = 3;
  /* Too many features for exact Shapley; no background. */
  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.background = bg;
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  sal_explain_params_init (&p, SAL_EXPLAIN_KERNEL_SHAP);
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);

  /* Permutation importance per group is non-negative. */
  sal_explain_params_init (&p, SAL_EXPLAIN_PERMUTATION);
  p.background = bg;
  p.groups = groups;
  p.n_groups = G;
  perm = explain (m, x, &p);
  for (int g = 0; g < G; g++)
    g_assert_cmpfloat (sal_tensor_f32 (perm->group_attribution)[g], >=, 0);
}

/* Permutation importance of a linear model: |w_j| · mean |x_ij − x_π(i)j|;
 * the ignored feature scores exactly 0. */
static void
test_permutation (void)
{
  const int M = 4, N = 50;
  g_autoptr(GRand) rng = g_rand_new_with_seed (41);
  g_autoptr(SalModel) m = build_mlp (42, M, 0);
  g_autoptr(SalTensor) x = random_tensor (rng, 2, (int64_t[]) { 1, M }, 1.0);
  g_autoptr(SalTensor) bg = random_tensor (rng, 2, (int64_t[]) { N, M }, 1.0);
  g_autoptr(SalExplanation) e = NULL, again = NULL;
  SalExplainParams p;

  /* Feature 0 varies 4× as much as the others. */
  for (int r = 0; r < N; r++)
    sal_tensor_f32 (bg)[r * M] *= 4;
  sal_explain_params_init (&p, SAL_EXPLAIN_PERMUTATION);
  p.background = bg;
  p.target = 0;
  e = explain (m, x, &p);
  g_assert_cmpfloat (sal_tensor_f32 (e->attribution)[M - 1], ==, 0);
  for (int j = 0; j < M - 1; j++)
    g_assert_cmpfloat (sal_tensor_f32 (e->attribution)[j], >, 0);
  g_assert_true (isnan (e->efficiency_gap));
  again = explain (m, x, &p);
  g_assert_cmpmem (again->attribution->data, M * 4, e->attribution->data, M * 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/explain-tabular/shapley-linear", test_shapley_linear);
  g_test_add_func ("/engine/explain-tabular/shapley-brute-force", test_shapley_brute_force);
  g_test_add_func ("/engine/explain-tabular/shapley-mlp", test_shapley_mlp);
  g_test_add_func ("/engine/explain-tabular/groups", test_groups);
  g_test_add_func ("/engine/explain-tabular/permutation", test_permutation);
  return g_test_run ();
}
