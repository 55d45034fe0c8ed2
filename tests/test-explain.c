/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-explain.h"

#define S 12   /* image side */
#define K 4    /* conv channels */

static SalTensor *
random_tensor (GRand *rng, int rank, const int64_t *dims, double scale)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) (g_rand_double_range (rng, -1, 1) * scale);
  return t;
}

/* x[N,1,S,S] → Conv(K, 3×3, pad 1) → Relu = "act" → GlobalAveragePool → Flatten
 * → Gemm(K→3) = "logits" → Softmax = "probs". */
static SalModel *
build_cnn (guint32 seed, gboolean softmax)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) w = random_tensor (rng, 4, (int64_t[]) { K, 1, 3, 3 }, 0.6);
  g_autoptr(SalTensor) cb = random_tensor (rng, 1, (int64_t[]) { K }, 0.2);
  g_autoptr(SalTensor) fw = random_tensor (rng, 2, (int64_t[]) { 3, K }, 1.0);
  g_autoptr(SalTensor) fb = random_tensor (rng, 1, (int64_t[]) { 3 }, 0.1);
  SalNode *n;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 4, (int64_t[]) { -1, 1, S, S });
  sal_graph_builder_add_initializer (b, "w", w);
  sal_graph_builder_add_initializer (b, "cb", cb);
  sal_graph_builder_add_initializer (b, "fw", fw);
  sal_graph_builder_add_initializer (b, "fb", fb);
  n = sal_graph_builder_add_node (b, "Conv", "conv", 3, (const char *[]) { "x", "w", "cb" }, 1,
                                  (const char *[]) { "conv_out" });
  sal_node_set_ints (n, "pads", 4, (int64_t[]) { 1, 1, 1, 1 });
  sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { 3, 3 });
  sal_graph_builder_add_node (b, "Relu", "relu", 1, (const char *[]) { "conv_out" }, 1, (const char *[]) { "act" });
  sal_graph_builder_add_node (b, "GlobalAveragePool", "gap", 1, (const char *[]) { "act" }, 1, (const char *[]) { "pooled" });
  sal_graph_builder_add_node (b, "Flatten", "flat", 1, (const char *[]) { "pooled" }, 1, (const char *[]) { "feat" });
  n = sal_graph_builder_add_node (b, "Gemm", "fc", 3, (const char *[]) { "feat", "fw", "fb" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  if (softmax)
    {
      n = sal_graph_builder_add_node (b, "Softmax", "softmax", 1, (const char *[]) { "logits" }, 1,
                                      (const char *[]) { "probs" });
      sal_node_set_int (n, "axis", 1);
      sal_graph_builder_add_output (b, "probs");
    }
  else
    sal_graph_builder_add_output (b, "logits");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

static SalTensor *
image (guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  SalTensor *x = sal_tensor_new_f32 (4, (int64_t[]) { 1, 1, S, S });

  for (int i = 0; i < S * S; i++)
    sal_tensor_f32 (x)[i] = (float) g_rand_double (rng);
  return x;
}

/* The target score of the model at x, straight from a run. */
static double
score (SalModel *m, const SalTensor *x, const char *value, int target)
{
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;

  g_assert_true (sal_run_keep_value (run, value, &error));
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  return sal_tensor_f32 (sal_run_get_value (run, value))[target];
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

/* Gradient of the pre-softmax score (the Softmax's input) against central differences. */
static void
test_gradient (void)
{
  g_autoptr(SalModel) m = build_cnn (1, TRUE);
  g_autoptr(SalTensor) x = image (2);
  g_autoptr(SalExplanation) e = NULL;
  SalExplainParams p;

  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  p.target = 1;
  e = explain (m, x, &p);
  g_assert_cmpint (e->target, ==, 1);
  g_assert_cmpfloat_with_epsilon (e->score, score (m, x, "logits", 1), 1e-5);
  for (int i = 0; i < S * S; i += 7)
    {
      float keep = sal_tensor_f32 (x)[i];
      double fp, fm;
      sal_tensor_f32 (x)[i] = keep + 1e-2f;
      fp = score (m, x, "logits", 1);
      sal_tensor_f32 (x)[i] = keep - 1e-2f;
      fm = score (m, x, "logits", 1);
      sal_tensor_f32 (x)[i] = keep;
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[i], (fp - fm) / 2e-2, 2e-3);
    }
}

/* Probability target: d p_t / d x, against differences of the Softmax output;
 * and on a logits-only model, Salient's own softmax gives the same. */
static void
test_probability_target (void)
{
  g_autoptr(SalModel) m = build_cnn (3, TRUE);
  g_autoptr(SalModel) logits_only = build_cnn (3, FALSE);
  g_autoptr(SalTensor) x = image (4);
  g_autoptr(SalExplanation) e = NULL, e2 = NULL;
  SalExplainParams p;

  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  p.target = 0;
  p.target_kind = SAL_TARGET_PROBABILITY;
  e = explain (m, x, &p);
  e2 = explain (logits_only, x, &p);
  g_assert_cmpfloat_with_epsilon (e->score, score (m, x, "probs", 0), 1e-6);
  g_assert_cmpfloat_with_epsilon (e2->score, e->score, 1e-6);
  for (int i = 0; i < S * S; i += 11)
    {
      float keep = sal_tensor_f32 (x)[i];
      double fp, fm;
      sal_tensor_f32 (x)[i] = keep + 1e-2f;
      fp = score (m, x, "probs", 0);
      sal_tensor_f32 (x)[i] = keep - 1e-2f;
      fm = score (m, x, "probs", 0);
      sal_tensor_f32 (x)[i] = keep;
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[i], (fp - fm) / 2e-2, 5e-4);
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e2->attribution)[i], sal_tensor_f32 (e->attribution)[i], 1e-6);
    }
}

/* Integrated Gradients: completeness (Σ attributions = f(x) − f(baseline)) for
 * every baseline and rule; chunking under a tiny memory budget changes nothing. */
static void
test_integrated_gradients (void)
{
  g_autoptr(SalModel) m = build_cnn (5, TRUE);
  g_autoptr(SalTensor) x = image (6);
  SalBaseline baselines[3] = { SAL_BASELINE_BLACK, SAL_BASELINE_BLUR, SAL_BASELINE_NOISE };

  for (int b = 0; b < 3; b++)
    for (SalIgRule rule = SAL_IG_TRAPEZOID; rule <= SAL_IG_RIGHT; rule++)
      {
        g_autoptr(SalExplanation) e = NULL;
        SalExplainParams p;
        double sum = 0, delta;

        sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
        p.baseline = baselines[b];
        p.blur_sigma = 2;
        p.rule = rule;
        p.steps = 64;
        e = explain (m, x, &p);
        for (int i = 0; i < S * S; i++)
          sum += sal_tensor_f32 (e->attribution)[i];
        delta = e->score - e->baseline_score;
        g_assert_cmpfloat_with_epsilon (e->completeness_gap, fabs (sum - delta), 1e-5);
        g_test_message ("IG %s/%s: f(x) - f(b) = %.5f, gap %.2e", sal_baseline_id (p.baseline),
                        sal_ig_rule_id (rule), delta, e->completeness_gap);
        if (rule == SAL_IG_TRAPEZOID)
          g_assert_cmpfloat (e->completeness_gap, <=, 0.01 * fabs (delta) + 1e-6);
        g_assert_cmpint (e->n_backward, ==, rule == SAL_IG_TRAPEZOID ? 65 : 64);
      }

  {
    g_autoptr(SalExplanation) big = NULL, small = NULL;
    SalExplainParams p;
    sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
    p.steps = 20;
    big = explain (m, x, &p);
    p.memory_budget = 1;     /* one example per chunk */
    small = explain (m, x, &p);
    g_assert_cmpint (small->chunk, ==, 1);
    g_assert_cmpint (big->chunk, >, 1);
    for (int i = 0; i < S * S; i++)
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (small->attribution)[i],
                                      sal_tensor_f32 (big->attribution)[i], 1e-6);
  }
}

/* The adaptive rule on an image: starting from the trapezoid's grid it bisects
 * where the trapezoid misses f's change, so its gap is within 0.1 % of
 * |f(x) − f(b)| (or it used all 16 × steps + 1 points) and never above the
 * trapezoid's; with no memory for extra points it is the trapezoid itself. */
static void
test_ig_adaptive_image (void)
{
  g_autoptr(SalModel) m = build_cnn (5, FALSE);
  g_autoptr(SalTensor) x = image (6);
  g_autoptr(SalExplanation) t = NULL, a = NULL, capped = NULL;
  SalExplainParams p;
  double sum = 0, delta;

  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  p.steps = 4;
  p.target = 0;
  p.check_steps = 0;
  t = explain (m, x, &p);
  p.rule = SAL_IG_ADAPTIVE;
  a = explain (m, x, &p);
  delta = a->score - a->baseline_score;
  for (int i = 0; i < S * S; i++)
    sum += sal_tensor_f32 (a->attribution)[i];
  g_test_message ("IG 4 steps: trapezoid gap %.3e, adaptive gap %.3e with %d intervals; "
                  "f(x) - f(b) = %.4f", t->completeness_gap, a->completeness_gap, a->steps, delta);
  g_assert_cmpfloat (fabs (a->score - t->score), <=, 1e-6 * (1 + fabs (t->score)));
  g_assert_cmpfloat (fabs (a->baseline_score - t->baseline_score), <=, 1e-6 * (1 + fabs (t->score)));
  g_assert_cmpfloat_with_epsilon (a->completeness_gap, fabs (sum - delta), 1e-5);
  /* this path has kinks the 4-step trapezoid misses */
  g_assert_cmpfloat (t->completeness_gap, >, 1e-3 * fabs (delta));
  g_assert_cmpint (a->steps, >, 4);
  g_assert_cmpint (a->steps, <=, 16 * 4);
  g_assert_cmpint (a->n_backward, >=, a->steps + 1);   /* chunks are padded */
  g_assert_true (a->completeness_gap <= 1e-3 * fabs (delta) || a->steps == 16 * 4);
  g_assert_cmpfloat (a->completeness_gap, <, t->completeness_gap);

  p.memory_budget = 1;     /* room for the grid only */
  capped = explain (m, x, &p);
  g_assert_cmpint (capped->steps, ==, 4);
  for (int i = 0; i < S * S; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (capped->attribution)[i],
                                    sal_tensor_f32 (t->attribution)[i], 1e-6);
}

/* With global average pooling, Grad-CAM's weights are W[t, k] / (h·w), so the
 * map is ReLU(Σ_k W[t, k] A_k) / (h·w). */
static void
test_grad_cam (void)
{
  g_autoptr(SalModel) m = build_cnn (7, TRUE);
  g_autoptr(SalTensor) x = image (8);
  g_autoptr(SalExplanation) e = NULL, pp = NULL;
  g_autoptr(SalRun) run = sal_run_new (m);
  g_autoptr(GError) error = NULL;
  const SalTensor *act;
  SalExplainParams p;
  const float *fw = NULL;

  g_assert_cmpstr (sal_explain_default_layer (m), ==, "act");
  sal_explain_params_init (&p, SAL_EXPLAIN_GRAD_CAM);
  p.target = 2;
  e = explain (m, x, &p);
  g_assert_cmpstr (e->layer, ==, "act");
  g_assert_true (sal_run_keep_value (run, "act", &error));
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  act = sal_run_get_value (run, "act");
  fw = sal_tensor_f32 (sal_run_get_value (run, "fw"));
  g_assert_cmpint (e->layer_map->dims[0], ==, S);
  for (int i = 0; i < S * S; i++)
    {
      double want = 0;
      for (int k = 0; k < K; k++)
        want += fw[2 * K + k] * sal_tensor_f32 (act)[k * S * S + i];
      want = MAX (want, 0) / (S * S);
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->layer_map)[i], want, 1e-6);
      /* Same resolution here, so the upsampled map is the map. */
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[i], want, 1e-6);
    }
  p.method = SAL_EXPLAIN_GRAD_CAM_PP;
  pp = explain (m, x, &p);
  for (int i = 0; i < S * S; i++)
    g_assert_cmpfloat (sal_tensor_f32 (pp->layer_map)[i], >=, 0);

  /* A layer that does not exist is an error. */
  p.layer = "nope";
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

/* One window covering the whole image: every pixel gets f(x) − f(fill). */
static void
test_occlusion (void)
{
  g_autoptr(SalModel) m = build_cnn (9, TRUE);
  g_autoptr(SalTensor) x = image (10);
  g_autoptr(SalTensor) fill = sal_tensor_new_f32 (4, (int64_t[]) { 1, 1, S, S });
  g_autoptr(SalExplanation) e = NULL, small = NULL;
  SalExplainParams p;
  double want;

  for (int i = 0; i < S * S; i++)
    sal_tensor_f32 (fill)[i] = 0.5f;
  want = score (m, x, "logits", 0) - score (m, fill, "logits", 0);
  sal_explain_params_init (&p, SAL_EXPLAIN_OCCLUSION);
  p.target = 0;
  p.window = S;
  p.stride = S;
  p.fill = 0.5f;
  e = explain (m, x, &p);
  for (int i = 0; i < S * S; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[i], want, 1e-5);
  /* f(x) (the first pass, which also finds the target, is reused), one window */
  g_assert_cmpint (e->n_forward, ==, 1 + 1);

  /* Windows of 4 with stride 3 on 12 px: origins 0, 3, 6, 8 per axis. */
  p.window = 4;
  p.stride = 3;
  small = explain (m, x, &p);
  g_assert_cmpint (small->n_forward, >=, 1 + 16);
}

/* RISE is reproducible from its seed, and on a model whose score is a positive
 * weighted sum it ranks pixels like their weight × value. */
static void
test_rise (void)
{
  g_autoptr(SalModel) m = build_cnn (11, TRUE);
  g_autoptr(SalTensor) x = image (12);
  g_autoptr(SalExplanation) a = NULL, b = NULL, c = NULL;
  SalExplainParams p;
  gboolean differ = FALSE;

  sal_explain_params_init (&p, SAL_EXPLAIN_RISE);
  p.samples = 200;
  p.rise_cells = 4;
  a = explain (m, x, &p);
  b = explain (m, x, &p);
  p.seed = 99;
  c = explain (m, x, &p);
  for (int i = 0; i < S * S; i++)
    {
      g_assert_cmpfloat (sal_tensor_f32 (a->attribution)[i], ==, sal_tensor_f32 (b->attribution)[i]);
      differ |= sal_tensor_f32 (a->attribution)[i] != sal_tensor_f32 (c->attribution)[i];
    }
  g_assert_true (differ);
  g_assert_cmpint (a->n_forward, ==, 200 + 1);   /* the masks, f(x) once */
}

static void
test_smoothgrad_and_gxi (void)
{
  g_autoptr(SalModel) m = build_cnn (13, TRUE);
  g_autoptr(SalTensor) x = image (14);
  g_autoptr(SalExplanation) g = NULL, sg = NULL, gxi = NULL;
  SalExplainParams p;

  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  g = explain (m, x, &p);
  p.method = SAL_EXPLAIN_SMOOTHGRAD;
  p.noise = 0;          /* no noise: the mean of identical gradients */
  p.samples = 5;
  sg = explain (m, x, &p);
  p.method = SAL_EXPLAIN_GRADIENT_X_INPUT;
  gxi = explain (m, x, &p);
  for (int i = 0; i < S * S; i++)
    {
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (sg->attribution)[i], sal_tensor_f32 (g->attribution)[i], 1e-5);
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gxi->attribution)[i],
                                      sal_tensor_f32 (g->attribution)[i] * sal_tensor_f32 (x)[i], 1e-6);
    }
}

static gboolean
cancel_after (gpointer data)
{
  return ++*(int *) data > 5;
}

static void
test_errors_and_cancel (void)
{
  g_autoptr(SalModel) m = build_cnn (15, TRUE);
  g_autoptr(SalTensor) x = image (16);
  g_autoptr(SalTensor) two = sal_tensor_new_f32 (4, (int64_t[]) { 2, 1, S, S });
  g_autoptr(GError) error = NULL;
  SalExplainParams p;
  SalExplainMethod meth;
  int polls = 0;

  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  p.target = 3;
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  p.target = -1;
  g_assert_null (sal_explain (m, two, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);

  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  p.memory_budget = 1;
  p.cancel = cancel_after;
  p.user_data = &polls;
  g_assert_null (sal_explain (m, x, &p, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_CANCELLED);

  for (int i = 0; i < SAL_N_EXPLAIN_METHODS; i++)
    {
      g_assert_true (sal_explain_method_from_id (sal_explain_method_id (i), &meth));
      g_assert_cmpint (meth, ==, i);
    }
  g_assert_false (sal_explain_method_from_id ("lime", &meth));
}

/* Spearman with ties (mean ranks), reversed order, constant input. */
static void
test_spearman (void)
{
  const float a[] = { 1, 2, 2, 3 }, b[] = { 1, 2, 3, 4 }, c[] = { 4, 3, 2, 1 }, k[] = { 5, 5, 5, 5 };

  g_assert_cmpfloat_with_epsilon (sal_spearman (a, b, 4), 4.5 / sqrt (22.5), 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_spearman (b, b, 4), 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_spearman (b, c, 4), -1.0, 1e-12);
  g_assert_true (isnan (sal_spearman (b, k, 4)));
}

/* Pointing game within a radius, and mask overlap of the top pixels. */
static void
test_ground_truth (void)
{
  g_autoptr(SalTensor) a = sal_tensor_new_f32 (4, (int64_t[]) { 1, 2, 10, 10 });
  guint8 mask[100] = { 0 };

  /* Channels are summed: the maximum is at (5, 5) though channel 0 peaks elsewhere. */
  sal_tensor_f32 (a)[5 * 10 + 5] = 2;
  sal_tensor_f32 (a)[100 + 5 * 10 + 5] = 2;
  sal_tensor_f32 (a)[0] = 3;
  sal_tensor_f32 (a)[1] = 0.5f;
  mask[7 * 10 + 7] = 1;      /* √8 ≈ 2.8 px away */
  g_assert_true (sal_explain_pointing_game (a, mask, 10, 10, 3));
  g_assert_false (sal_explain_pointing_game (a, mask, 10, 10, 2));
  mask[7 * 10 + 7] = 0;
  mask[9 * 10 + 5] = 1;      /* 4 px away */
  g_assert_false (sal_explain_pointing_game (a, mask, 10, 10, 3));
  /* Top-2 pixels are (5,5) and (0,0): one of them in a 2-pixel mask. */
  mask[9 * 10 + 5] = 0;
  mask[5 * 10 + 5] = 1;
  mask[9 * 10 + 9] = 1;
  g_assert_cmpfloat_with_epsilon (sal_explain_mask_overlap (a, mask, 10, 10), 0.5, 1e-12);
}

/* Deletion/insertion AUC: a faithful map deletes faster than its reverse;
 * the model-randomisation check leaves the trained model alone; provenance. */
static void
test_checks_and_provenance (void)
{
  g_autoptr(SalModel) m = build_cnn (51, TRUE);
  g_autoptr(SalTensor) x = image (52);
  g_autoptr(SalExplanation) e = NULL, again = NULL, after = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  SalExplainParams p;
  double rho[4];
  int stages;

  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  p.steps = 32;
  p.seed = 9;
  e = explain (m, x, &p);
  g_test_message ("IG: deletion AUC %.4f, insertion AUC %.4f, score %.4f, baseline %.4f",
                  e->deletion_auc, e->insertion_auc, e->score, e->baseline_score);
  g_assert_cmpfloat (e->deletion_auc, <, e->insertion_auc);
  g_assert_cmpfloat (e->deletion_auc, <, e->score);
  /* Provenance: SHA-256 of the saved model, parameters, and the numbers again. */
  bytes = sal_model_save_bytes (m, &error);
  g_assert_no_error (error);
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_assert_cmpstr (e->model_hash, ==, hash);
  g_assert_cmpint (e->steps, ==, 32);
  g_assert_cmpuint (e->seed, ==, 9);
  g_assert_cmpint (e->baseline, ==, SAL_BASELINE_BLACK);
  again = explain (m, x, &p);
  g_assert_cmpmem (again->attribution->data, S * S * 4, e->attribution->data, S * S * 4);
  g_assert_cmpfloat (again->deletion_auc, ==, e->deletion_auc);
  p.model_hash = "given";
  g_clear_pointer (&again, sal_explanation_free);
  again = explain (m, x, &p);
  g_assert_cmpstr (again->model_hash, ==, "given");
  p.model_hash = NULL;

  /* Cascading randomisation: two weighted layers (fc, then conv). */
  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  stages = sal_explain_sanity_check (m, x, &p, rho, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stages, ==, 2);
  for (int k = 0; k < stages; k++)
    {
      g_test_message ("gradient sanity stage %d: Spearman %.3f", k + 1, rho[k]);
      g_assert_cmpfloat (rho[k], >=, -1);
      g_assert_cmpfloat (rho[k], <, 0.99);
    }
  after = explain (m, x, &p);
  g_clear_pointer (&again, sal_explanation_free);
  sal_explain_params_init (&p, SAL_EXPLAIN_GRADIENT);
  again = explain (m, x, &p);
  g_assert_cmpmem (again->attribution->data, S * S * 4, after->attribution->data, S * S * 4);
  g_assert_cmpstr (after->model_hash, ==, hash);
}

static void
assert_same_explanation (const SalExplanation *a, const SalExplanation *b)
{
  g_assert_cmpint (a->target, ==, b->target);
  g_assert_cmpint (a->chunk, ==, b->chunk);
  g_assert_cmpfloat (a->score, ==, b->score);
  g_assert_cmpint (a->attribution->numel, ==, b->attribution->numel);
  g_assert_cmpmem (a->attribution->data, sal_tensor_nbytes (a->attribution),
                   b->attribution->data, sal_tensor_nbytes (b->attribution));
  g_assert_true ((a->layer_map == NULL) == (b->layer_map == NULL));
  if (a->layer_map != NULL)
    g_assert_cmpmem (a->layer_map->data, sal_tensor_nbytes (a->layer_map),
                     b->layer_map->data, sal_tensor_nbytes (b->layer_map));
}

/* x[N,1,H,W] (any size) → Conv(K, 3×3, pad 1) → Relu → GlobalAveragePool →
 * Flatten → Gemm(K→3) = "logits". */
static SalModel *
build_any_size_cnn (guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) w = random_tensor (rng, 4, (int64_t[]) { K, 1, 3, 3 }, 0.6);
  g_autoptr(SalTensor) fw = random_tensor (rng, 2, (int64_t[]) { 3, K }, 1.0);
  SalNode *n;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 4, (int64_t[]) { -1, 1, -1, -1 });
  sal_graph_builder_add_initializer (b, "w", w);
  sal_graph_builder_add_initializer (b, "fw", fw);
  n = sal_graph_builder_add_node (b, "Conv", "conv", 2, (const char *[]) { "x", "w" }, 1,
                                  (const char *[]) { "conv_out" });
  sal_node_set_ints (n, "pads", 4, (int64_t[]) { 1, 1, 1, 1 });
  sal_node_set_ints (n, "kernel_shape", 2, (int64_t[]) { 3, 3 });
  sal_graph_builder_add_node (b, "Relu", "relu", 1, (const char *[]) { "conv_out" }, 1, (const char *[]) { "act" });
  sal_graph_builder_add_node (b, "GlobalAveragePool", "gap", 1, (const char *[]) { "act" }, 1, (const char *[]) { "pooled" });
  sal_graph_builder_add_node (b, "Flatten", "flat", 1, (const char *[]) { "pooled" }, 1, (const char *[]) { "feat" });
  n = sal_graph_builder_add_node (b, "Gemm", "fc", 2, (const char *[]) { "feat", "fw" }, 1,
                                  (const char *[]) { "logits" });
  sal_node_set_int (n, "transB", 1);
  sal_graph_builder_add_output (b, "logits");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

/* One explainer kept across explanations (its runs, plans and buffers
 * reused) gives what a new one gives, bit for bit: two inputs in turn, with
 * methods that share runners (the first pass, chunked IG with a padded last
 * chunk, Grad-CAM's backward to its layer, the forward-only runners). */
static void
test_reused_explainer (void)
{
  g_autoptr(SalModel) m = build_cnn (21, TRUE);
  g_autoptr(SalTensor) x1 = image (22), x2 = image (23);
  g_autoptr(SalExplainer) ex = sal_explainer_new (m);
  const SalTensor *inputs[] = { x1, x2 };
  SalExplainMethod methods[] = { SAL_EXPLAIN_INTEGRATED_GRADIENTS, SAL_EXPLAIN_GRAD_CAM,
                                 SAL_EXPLAIN_GRADIENT, SAL_EXPLAIN_OCCLUSION,
                                 SAL_EXPLAIN_SMOOTHGRAD, SAL_EXPLAIN_INTEGRATED_GRADIENTS };
  g_autoptr(SalExplanation) big = NULL;
  gsize budget = 0;
  int padded_chunk = 0;

  /* A budget whose IG chunks do not divide the 65 points, so the last chunk
   * is padded; the result stays that of one chunk of 65. */
  for (gsize kb = 8; kb <= 8192 && padded_chunk == 0; kb = kb * 5 / 4 + 1)
    {
      g_autoptr(SalExplanation) e = NULL;
      SalExplainParams p;

      sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
      p.n_threads = 1;
      p.memory_budget = kb << 10;
      e = explain (m, x1, &p);
      if (e->chunk > 1 && e->chunk < 65 && 65 % e->chunk != 0)
        {
          padded_chunk = e->chunk;
          budget = p.memory_budget;
          g_assert_cmpint (e->n_backward, ==, (65 + e->chunk - 1) / e->chunk * e->chunk);
          p.memory_budget = (gsize) 1 << 30;
          big = explain (m, x1, &p);
          g_assert_cmpint (big->chunk, ==, 65);
          for (int64_t i = 0; i < e->attribution->numel; i++)
            g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (e->attribution)[i],
                                            sal_tensor_f32 (big->attribution)[i], 1e-6);
          g_assert_cmpfloat_with_epsilon (e->completeness_gap, big->completeness_gap, 1e-6);
        }
    }
  g_assert_cmpint (padded_chunk, >, 0);

  for (int round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
      for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
        {
          g_autoptr(SalExplanation) reused = NULL, fresh = NULL;
          g_autoptr(GError) error = NULL;
          SalExplainParams p;

          sal_explain_params_init (&p, methods[k]);
          p.n_threads = 1;
          p.samples = 8;
          if (methods[k] == SAL_EXPLAIN_INTEGRATED_GRADIENTS)
            p.memory_budget = budget;
          if (k == G_N_ELEMENTS (methods) - 1)
            p.target_kind = SAL_TARGET_PROBABILITY;   /* another score value */
          reused = sal_explainer_explain (ex, inputs[i], &p, &error);
          g_assert_no_error (error);
          fresh = explain (m, inputs[i], &p);
          assert_same_explanation (reused, fresh);
        }

  /* Inputs of other sizes in turn get runs of their own size. */
  {
    g_autoptr(SalModel) any = build_any_size_cnn (24);
    g_autoptr(SalExplainer) ex2 = sal_explainer_new (any);
    const int64_t sizes[][2] = { { S, S }, { 9, 15 }, { S, S }, { 20, 7 } };

    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      for (guint k = 0; k < 3; k++)
        {
          g_autoptr(GRand) rng = g_rand_new_with_seed (30 + i);
          g_autoptr(SalTensor) x = random_tensor (rng, 4, (int64_t[]) { 1, 1, sizes[i][0],
                                                                        sizes[i][1] }, 1.0);
          g_autoptr(SalExplanation) reused = NULL, fresh = NULL;
          g_autoptr(GError) error = NULL;
          SalExplainParams p;

          sal_explain_params_init (&p, methods[k]);
          p.n_threads = 1;
          reused = sal_explainer_explain (ex2, x, &p, &error);
          g_assert_no_error (error);
          fresh = explain (any, x, &p);
          assert_same_explanation (reused, fresh);
        }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/explain/gradient", test_gradient);
  g_test_add_func ("/engine/explain/probability-target", test_probability_target);
  g_test_add_func ("/engine/explain/integrated-gradients", test_integrated_gradients);
  g_test_add_func ("/engine/explain/ig-adaptive-image", test_ig_adaptive_image);
  g_test_add_func ("/engine/explain/grad-cam", test_grad_cam);
  g_test_add_func ("/engine/explain/occlusion", test_occlusion);
  g_test_add_func ("/engine/explain/rise", test_rise);
  g_test_add_func ("/engine/explain/smoothgrad-and-gxi", test_smoothgrad_and_gxi);
  g_test_add_func ("/engine/explain/errors-and-cancel", test_errors_and_cancel);
  g_test_add_func ("/engine/explain/spearman", test_spearman);
  g_test_add_func ("/engine/explain/ground-truth", test_ground_truth);
  g_test_add_func ("/engine/explain/checks-and-provenance", test_checks_and_provenance);
  g_test_add_func ("/engine/explain/reused-explainer", test_reused_explainer);
  return g_test_run ();
}
