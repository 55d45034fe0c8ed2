/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-explain.h"
#include "sal-train.h"

#define V 40   /* vocabulary */
#define D 6    /* embedding width */
#define T 9    /* tokens */

static SalTensor *
random_tensor (GRand *rng, int rank, const int64_t *dims, double scale)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) (g_rand_double_range (rng, -1, 1) * scale);
  return t;
}

/* ids[N, T] → Gather(E) = "emb" → MatMul(wa) → Softmax over tokens = "attn"
 * → Mul(emb) → ReduceMean over tokens → Tanh → Gemm(3) = "logits". */
static SalModel *
build_text (guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) E = random_tensor (rng, 2, (int64_t[]) { V, D }, 1.0);
  g_autoptr(SalTensor) wa = random_tensor (rng, 2, (int64_t[]) { D, 1 }, 1.5);
  g_autoptr(SalTensor) fw = random_tensor (rng, 2, (int64_t[]) { 3, D }, 2.0);
  g_autoptr(SalTensor) fb = random_tensor (rng, 1, (int64_t[]) { 3 }, 0.1);
  SalNode *n;
  SalModel *m;

  sal_graph_builder_add_input (b, "ids", SAL_DTYPE_INT64, 2, (int64_t[]) { -1, T });
  sal_graph_builder_add_initializer (b, "E", E);
  sal_graph_builder_add_initializer (b, "wa", wa);
  sal_graph_builder_add_initializer (b, "fw", fw);
  sal_graph_builder_add_initializer (b, "fb", fb);
  sal_graph_builder_add_node (b, "Gather", "embed", 2, (const char *[]) { "E", "ids" }, 1,
                              (const char *[]) { "emb" });
  sal_graph_builder_add_node (b, "MatMul", "score", 2, (const char *[]) { "emb", "wa" }, 1,
                              (const char *[]) { "s" });
  n = sal_graph_builder_add_node (b, "Softmax", "attn_softmax", 1, (const char *[]) { "s" }, 1,
                                  (const char *[]) { "attn" });
  sal_node_set_int (n, "axis", 1);
  sal_graph_builder_add_node (b, "Mul", "weigh", 2, (const char *[]) { "emb", "attn" }, 1,
                              (const char *[]) { "wemb" });
  n = sal_graph_builder_add_node (b, "ReduceMean", "pool", 1, (const char *[]) { "wemb" }, 1,
                                  (const char *[]) { "pooled" });
  sal_node_set_ints (n, "axes", 1, (int64_t[]) { 1 });
  sal_node_set_int (n, "keepdims", 0);
  sal_graph_builder_add_node (b, "Tanh", "tanh", 1, (const char *[]) { "pooled" }, 1,
                              (const char *[]) { "h" });
  n = sal_graph_builder_add_node (b, "Gemm", "fc", 3, (const char *[]) { "h", "fw", "fb" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "logits");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  sal_model_set_metadata (m, "salient.attention", "\"attn\"");
  return m;
}

static SalTensor *
tokens (guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  SalTensor *x = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { 1, T }, NULL);

  for (int t = 0; t < T; t++)
    ((int64_t *) x->data)[t] = g_rand_int_range (rng, 1, V);
  return x;
}

static const SalTensor *
run_value (SalRun *run, const SalTensor *x, const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sal_run_keep_value (run, value, &error));
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  return sal_run_get_value (run, value);
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

/* IG on embeddings: completeness ≤ 1% at 64 steps for both baselines, and
 * f(baseline) for the pad baseline equals the model's score on all-pad ids. */
static void
test_integrated_gradients (void)
{
  g_autoptr(SalModel) m = build_text (1);
  g_autoptr(SalTensor) x = tokens (2);
  g_autoptr(SalTensor) pads = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { 1, T }, NULL);
  g_autoptr(SalRun) run = sal_run_new (m);
  SalExplainParams p;

  for (int b = 0; b < 2; b++)
    {
      g_autoptr(SalExplanation) e = NULL, again = NULL;
      double sum = 0;

      sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
      p.baseline = b == 0 ? SAL_BASELINE_BLACK : SAL_BASELINE_PAD;
      p.pad_id = 0;
      e = explain (m, x, &p);
      for (int t = 0; t < T; t++)
        sum += sal_tensor_f32 (e->attribution)[t];
      g_test_message ("%s: Σ %.5f, f(x) − f(b) %.5f, gap %.2g", sal_baseline_id (p.baseline), sum,
                      e->score - e->baseline_score, e->completeness_gap);
      g_assert_cmpfloat (e->completeness_gap, <=, 0.01 * fabs (e->score - e->baseline_score));
      g_assert_cmpfloat (fabs (e->score - e->baseline_score), >, 1e-3);
      g_assert_cmpfloat_with_epsilon (e->score,
                                      sal_tensor_f32 (run_value (run, x, "logits"))[e->target], 1e-5);
      if (b == 1)
        g_assert_cmpfloat_with_epsilon (e->baseline_score,
                                        sal_tensor_f32 (run_value (run, pads, "logits"))[e->target],
                                        1e-5);
      again = explain (m, x, &p);
      g_assert_cmpmem (again->attribution->data, T * 4, e->attribution->data, T * 4);
    }
  /* The right rule converges to the same values. */
  {
    g_autoptr(SalExplanation) trap = NULL, right = NULL;
    sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
    p.steps = 256;
    trap = explain (m, x, &p);
    p.rule = SAL_IG_RIGHT;
    right = explain (m, x, &p);
    for (int t = 0; t < T; t++)
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (right->attribution)[t],
                                      sal_tensor_f32 (trap->attribution)[t], 0.02);
  }
}

/* Token occlusion with window 1 is f(x) − f(x with token t → pad), run by hand. */
static void
test_occlusion (void)
{
  g_autoptr(SalModel) m = build_text (3);
  g_autoptr(SalTensor) x = tokens (4);
  g_autoptr(SalExplanation) e = NULL, w3 = NULL;
  g_autoptr(SalRun) run = sal_run_new (m);
  SalExplainParams p;
  double fx;

  sal_explain_params_init (&p, SAL_EXPLAIN_TOKEN_OCCLUSION);
  p.pad_id = 1;
  e = explain (m, x, &p);
  fx = sal_tensor_f32 (run_value (run, x, "logits"))[e->target];
  for (int t = 0; t < T; t++)
    {
      g_autoptr(SalTensor) y = sal_tensor_copy (x);
      ((int64_t *) y->data)[t] = 1;
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[t],
                                      fx - sal_tensor_f32 (run_value (run, y, "logits"))[e->target],
                                      1e-5);
    }
  /* A window of 3 with stride 3 gives each token its window's drop. */
  p.window = 3;
  p.stride = 3;
  w3 = explain (m, x, &p);
  for (int t = 0; t < T; t++)
    g_assert_cmpfloat (sal_tensor_f32 (w3->attribution)[t], ==,
                       sal_tensor_f32 (w3->attribution)[t / 3 * 3]);
}

/* Attention weights are the Softmax of emb · wa, computed here by hand. */
static void
test_attention (void)
{
  g_autoptr(SalModel) m = build_text (5);
  g_autoptr(SalTensor) x = tokens (6);
  g_autoptr(SalExplanation) e = NULL;
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;
  double s[T], mx = -INFINITY, sum = 0;
  SalExplainParams p;

  sal_explain_params_init (&p, SAL_EXPLAIN_ATTENTION);
  e = explain (m, x, &p);
  /* The pre-softmax token scores "s" = emb · wa, read from a run. */
  {
    g_autoptr(SalRun) r2 = sal_run_new (m);
    const SalTensor *sv = run_value (r2, x, "s");
    for (int t = 0; t < T; t++)
      {
        s[t] = sal_tensor_f32 (sv)[t];
        mx = MAX (mx, s[t]);
      }
  }
  for (int t = 0; t < T; t++)
    sum += exp (s[t] - mx);
  for (int t = 0; t < T; t++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[t], exp (s[t] - mx) / sum, 1e-6);

  /* Image methods refuse token ids; a model without attention says so. */
  sal_explain_params_init (&p, SAL_EXPLAIN_GRAD_CAM);
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  sal_model_set_metadata (m, "salient.attention", "\"nothing\"");
  sal_explain_params_init (&p, SAL_EXPLAIN_ATTENTION);
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  ((int64_t *) x->data)[0] = V + 5;
  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/explain-text/integrated-gradients", test_integrated_gradients);
  g_test_add_func ("/engine/explain-text/occlusion", test_occlusion);
  g_test_add_func ("/engine/explain-text/attention", test_attention);
  return g_test_run ();
}
