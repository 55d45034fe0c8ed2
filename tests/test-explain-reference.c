/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Explanations against independent reference values (issue 6, item 8):
 * tests/fixtures/explain, written by tools/make-explain-fixtures.py in
 * PyTorch. Image methods on a small CNN and a width-reduced resnet18,
 * exact Shapley values on a Statlog-heart MLP and a linear model (whose
 * Shapley values are coef × (x − mean of the background)), all within rtol
 * 1e-3; KernelSHAP within 0.05 of exact at 2048 samples on those models and on
 * the shipped breast-mass model's 10 feature groups; Shapley efficiency gap
 * ≤ 1e-5 relative. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-explain.h"
#include "sal-model-input.h"

#define RTOL 1e-3

static char *
fixture (const char *name, const char *file)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", "explain", name,
                           file, NULL);
}

static SalTensor *
load_pb (const char *name, const char *file)
{
  g_autofree char *path = fixture (name, file);
  g_autofree char *buf = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  SalTensor *t;

  g_assert_true (g_file_get_contents (path, &buf, &len, &error));
  t = sal_tensor_load_pb ((const guint8 *) buf, len, NULL, &error);
  g_assert_no_error (error);
  return t;
}

static SalModel *
load_model (const char *name)
{
  g_autofree char *path = fixture (name, "model.onnx");
  g_autoptr(GError) error = NULL;
  SalModel *m = sal_model_load_file (path, NULL, &error);

  g_assert_no_error (error);
  return m;
}

/* Every element within RTOL of the reference, as numpy's allclose with
 * rtol = 1e-3 and atol = 2e-5 × the reference's largest magnitude (elements
 * near zero are differences of nearly equal float32 sums: an occlusion drop
 * is the difference of two forward passes). Returns the worst ratio of the
 * error to that allowance (≤ 1 passes). */
static double
compare (const char *what, const SalTensor *got, const SalTensor *want)
{
  double peak = 0, worst = 0, max_err = 0;

  g_assert_cmpint (got->numel, ==, want->numel);
  for (int64_t i = 0; i < want->numel; i++)
    peak = MAX (peak, fabs (sal_tensor_f32 (want)[i]));
  g_assert_cmpfloat (peak, >, 0);
  for (int64_t i = 0; i < want->numel; i++)
    {
      double a = sal_tensor_f32 (got)[i], b = sal_tensor_f32 (want)[i];
      double allow = RTOL * fabs (b) + 2e-5 * peak;
      worst = MAX (worst, fabs (a - b) / allow);
      max_err = MAX (max_err, fabs (a - b) / peak);
    }
  g_test_message ("%-32s max |error| / max |reference| = %.2e, worst error / allowance = %.3f",
                  what, max_err, worst);
  g_assert_cmpfloat (worst, <=, 1.0);
  return worst;
}

static SalExplanation *
run (SalModel *m, const SalTensor *x, SalExplainParams *p, int target)
{
  g_autoptr(GError) error = NULL;
  SalExplanation *e;

  p->target = target;
  p->check_steps = 0;
  e = sal_explain (m, x, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (e);
  return e;
}

static void
image_case (gconstpointer data)
{
  const char *name = data;
  g_autoptr(SalModel) m = load_model (name);
  g_autoptr(SalTensor) x = load_pb (name, "input.pb");
  g_autofree char *layer_path = fixture (name, "layer.txt");
  g_autofree char *target_path = fixture (name, "target.txt");
  g_autofree char *baseline_path = fixture (name, "baseline.txt");
  g_autofree char *layer = NULL, *target = NULL, *baseline = NULL;
  g_autoptr(GError) error = NULL;
  SalBaseline base;
  static const struct {
    SalExplainMethod method;
    SalIgRule rule;
    const char *file;
  } cases[] = {
    { SAL_EXPLAIN_GRADIENT, SAL_IG_TRAPEZOID, "gradient.pb" },
    { SAL_EXPLAIN_GRADIENT_X_INPUT, SAL_IG_TRAPEZOID, "gradient_x_input.pb" },
    { SAL_EXPLAIN_INTEGRATED_GRADIENTS, SAL_IG_TRAPEZOID, "ig_trapezoid.pb" },
    { SAL_EXPLAIN_INTEGRATED_GRADIENTS, SAL_IG_RIGHT, "ig_right.pb" },
    { SAL_EXPLAIN_OCCLUSION, SAL_IG_TRAPEZOID, "occlusion.pb" },
    { SAL_EXPLAIN_GRAD_CAM, SAL_IG_TRAPEZOID, "grad_cam.pb" },
  };

  g_assert_true (g_file_get_contents (layer_path, &layer, NULL, &error));
  g_assert_true (g_file_get_contents (target_path, &target, NULL, &error));
  g_assert_true (g_file_get_contents (baseline_path, &baseline, NULL, &error));
  g_strstrip (layer);
  g_assert_true (sal_baseline_from_id (g_strstrip (baseline), &base));
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(SalTensor) want = load_pb (name, cases[c].file);
      g_autoptr(SalExplanation) e = NULL;
      g_autofree char *what = g_strdup_printf ("%s %s", name, cases[c].file);
      SalExplainParams p;

      sal_explain_params_init (&p, cases[c].method);
      p.steps = 32;
      p.rule = cases[c].rule;
      p.window = 8;
      p.stride = 4;
      p.fill = 0;
      p.layer = layer;
      p.baseline = base;
      p.blur_sigma = 5;
      e = run (m, x, &p, atoi (target));
      compare (what, e->attribution, want);
      if (cases[c].method == SAL_EXPLAIN_GRAD_CAM)
        {
          g_autoptr(SalTensor) want_layer = load_pb (name, "grad_cam_layer.pb");
          g_autofree char *what2 = g_strdup_printf ("%s grad_cam_layer.pb", name);
          compare (what2, e->layer_map, want_layer);
        }
    }
  /* The small CNN's default Grad-CAM layer is that last ReLU. */
  if (strcmp (name, "small_cnn") == 0)
    g_assert_cmpstr (sal_explain_default_layer (m), ==, layer);
}

/* Σ|φ − φ_exact| / Σ|φ_exact|. */
static double
l1_rel (const float *phi, const float *exact, int n)
{
  double num = 0, den = 0;

  for (int i = 0; i < n; i++)
    {
      num += fabs ((double) phi[i] - exact[i]);
      den += fabs (exact[i]);
    }
  return num / den;
}

static void
tabular_case (gconstpointer data)
{
  const char *name = data;
  g_autoptr(SalModel) m = load_model (name);
  g_autoptr(SalTensor) x = load_pb (name, "x.pb");
  g_autoptr(SalTensor) bg = load_pb (name, "background.pb");
  g_autoptr(SalTensor) want = load_pb (name, "shapley.pb");
  g_autoptr(SalExplanation) e = NULL, k = NULL;
  g_autofree char *what = g_strdup_printf ("%s shapley.pb", name);
  SalExplainParams p;
  double rel_gap, l1;

  sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
  p.background = bg;
  e = run (m, x, &p, 1);
  compare (what, e->attribution, want);
  rel_gap = e->efficiency_gap / fabs (e->score - e->expected_score);
  g_test_message ("%s exact Shapley efficiency gap %.2e relative", name, rel_gap);
  g_assert_cmpfloat (rel_gap, <=, 1e-5);
  if (strcmp (name, "heart_linear") == 0)
    {
      g_autoptr(SalTensor) closed = load_pb (name, "linear_closed_form.pb");
      compare ("heart_linear closed form", e->attribution, closed);
    }

  sal_explain_params_init (&p, SAL_EXPLAIN_KERNEL_SHAP);
  p.background = bg;
  p.samples = 2048;
  k = run (m, x, &p, 1);
  l1 = l1_rel (sal_tensor_f32 (k->attribution), sal_tensor_f32 (want), (int) want->numel);
  g_test_message ("%s KernelSHAP 2048 samples vs exact: %.4f", name, l1);
  g_assert_cmpfloat (l1, <=, 0.05);
  g_assert_cmpfloat (k->efficiency_gap / fabs (k->score - k->expected_score), <=, 1e-5);
}

/* The shipped breast-mass model over its 10 measurement groups (from
 * salient.features), 100 background rows of the committed WDBC copy. */
static void
test_breast_mass_groups (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                            "breast-mass-risk.onnx", NULL);
  g_autofree char *csv = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "datasets",
                                           "wdbc.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = sal_model_load_file (path, NULL, &error);
  g_autoptr(GPtrArray) features = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(SalTensor) bg = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree int *groups = NULL;
  guint M, first = 0, n_rows = 0;
  int n_groups = 0;
  double worst_l1 = 0, worst_gap = 0;

  g_assert_no_error (error);
  features = sal_model_features (m);
  M = features->len;
  g_assert_cmpuint (M, ==, 30);
  groups = g_new (int, M);
  for (guint f = 0; f < M; f++)
    {
      const SalFeatureInfo *fi = features->pdata[f];
      guint gi;
      g_assert_nonnull (fi->group);
      for (gi = 0; gi < names->len; gi++)
        if (strcmp (names->pdata[gi], fi->group) == 0)
          break;
      if (gi == names->len)
        g_ptr_array_add (names, fi->group);
      groups[f] = (int) gi;
    }
  n_groups = (int) names->len;
  g_assert_cmpint (n_groups, ==, 10);

  /* wdbc.csv's columns are the model's features in order, then the diagnosis. */
  g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  while (lines[first] != NULL && lines[first][0] == '#')
    first++;
  first++; /* header */
  for (guint i = first; lines[i] != NULL; i++)
    n_rows += lines[i][0] != '\0';
  bg = sal_tensor_new_f32 (2, (int64_t[]) { 100, M });
  for (int r = 0; r < 100; r++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[first + (gsize) r * n_rows / 100], ",", -1);
      for (guint f = 0; f < M; f++)
        sal_tensor_f32 (bg)[(gsize) r * M + f] = (float) g_ascii_strtod (cells[f], NULL);
    }

  /* Five rows explained, spread over the file. */
  for (int r = 0; r < 5; r++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[first + 7 + r * 111], ",", -1);
      g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, (int64_t[]) { 1, M });
      g_autoptr(SalExplanation) e = NULL, k = NULL;
      SalExplainParams p;
      double l1;

      for (guint f = 0; f < M; f++)
        sal_tensor_f32 (x)[f] = (float) g_ascii_strtod (cells[f], NULL);
      sal_explain_params_init (&p, SAL_EXPLAIN_SHAPLEY);
      p.background = bg;
      p.groups = groups;
      p.n_groups = n_groups;
      e = run (m, x, &p, 1);
      worst_gap = MAX (worst_gap, e->efficiency_gap / fabs (e->score - e->expected_score));
      sal_explain_params_init (&p, SAL_EXPLAIN_KERNEL_SHAP);
      p.background = bg;
      p.groups = groups;
      p.n_groups = n_groups;
      p.samples = 2048;
      k = run (m, x, &p, 1);
      l1 = l1_rel (sal_tensor_f32 (k->group_attribution), sal_tensor_f32 (e->group_attribution),
                   n_groups);
      worst_l1 = MAX (worst_l1, l1);
    }
  g_test_message ("breast-mass, 10 groups, 100 background rows, 5 rows: KernelSHAP 2048 vs exact "
                  "worst %.4f; exact efficiency gap worst %.2e relative", worst_l1, worst_gap);
  g_assert_cmpfloat (worst_l1, <=, 0.05);
  g_assert_cmpfloat (worst_gap, <=, 1e-5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/explain/reference/small-cnn", "small_cnn", image_case);
  g_test_add_data_func ("/explain/reference/resnet18", "resnet18", image_case);
  g_test_add_data_func ("/explain/reference/heart-mlp", "heart_mlp", tabular_case);
  g_test_add_data_func ("/explain/reference/heart-linear", "heart_linear", tabular_case);
  g_test_add_func ("/explain/reference/breast-mass-groups", test_breast_mass_groups);
  return g_test_run ();
}
