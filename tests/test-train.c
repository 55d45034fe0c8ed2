/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-model.h"
#include "sal-graph-builder.h"
#include "sal-train.h"

static void
add_dense (SalGraphBuilder *b, GRand *rng, const char *name, const char *in, const char *out,
           int n_in, int n_out)
{
  g_autofree char *w = g_strconcat (name, ".weight", NULL);
  g_autofree char *bias = g_strconcat (name, ".bias", NULL);
  g_autoptr(SalTensor) wt = sal_tensor_new_f32 (2, (int64_t[]) { n_out, n_in });
  g_autoptr(SalTensor) bt = sal_tensor_new_f32 (1, (int64_t[]) { n_out });
  SalNode *n;

  /* Kaiming-uniform-like initial weights. */
  for (int64_t i = 0; i < wt->numel; i++)
    sal_tensor_f32 (wt)[i] = (float) g_rand_double_range (rng, -1, 1) * sqrtf (6.0f / n_in) * 0.5f;
  sal_graph_builder_add_initializer (b, w, wt);
  sal_graph_builder_add_initializer (b, bias, bt);
  n = sal_graph_builder_add_node (b, "Gemm", name, 3, (const char *[]) { in, w, bias }, 1,
                                  (const char *[]) { out });
  sal_node_set_int (n, "transB", 1);
}

/* 2 → 16 → Relu → 3 */
static SalModel *
build_classifier (guint32 seed)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  SalModel *m;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, 2 });
  add_dense (b, rng, "fc1", "x", "h", 2, 16);
  sal_graph_builder_add_node (b, "Relu", "relu", 1, (const char *[]) { "h" }, 1, (const char *[]) { "a" });
  add_dense (b, rng, "fc2", "a", "logits", 16, 3);
  sal_graph_builder_add_output (b, "logits");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

/* Three classes in rings around the origin: not linearly separable. */
static void
make_rings (int n, guint32 seed, SalTensor **x, SalTensor **y)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);

  *x = sal_tensor_new_f32 (2, (int64_t[]) { n, 2 });
  *y = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { n }, NULL);
  for (int i = 0; i < n; i++)
    {
      int c = i % 3;
      double r = 0.5 + c + g_rand_double_range (rng, -0.3, 0.3), a = g_rand_double_range (rng, 0, 2 * G_PI);
      sal_tensor_f32 (*x)[2 * i] = (float) (r * cos (a));
      sal_tensor_f32 (*x)[2 * i + 1] = (float) (r * sin (a));
      sal_tensor_i64 (*y)[i] = c;
    }
}

static int progress_calls;

static void
on_progress (const SalTrainProgress *p, gpointer data)
{
  progress_calls++;
  g_assert_cmpint (p->epoch, >=, 1);
  g_assert_cmpstr (p->metric, ==, "accuracy");
  g_assert_false (isnan (p->train_loss));
}

static double
accuracy (SalModel *m, const SalTensor *x, const SalTensor *y)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) out = sal_model_predict (m, x, 64, 1, &error);
  int right = 0;

  g_assert_no_error (error);
  for (int64_t i = 0; i < x->dims[0]; i++)
    {
      const float *z = sal_tensor_f32 (out) + i * 3;
      int best = z[1] > z[0] ? 1 : 0;
      best = z[2] > z[best] ? 2 : best;
      right += best == sal_tensor_i64 (y)[i];
    }
  return (double) right / x->dims[0];
}

static void
test_classifier_learns (void)
{
  g_autoptr(SalModel) m = build_classifier (5);
  g_autoptr(SalTensor) x = NULL, y = NULL, tx = NULL, ty = NULL;
  g_autoptr(GError) error = NULL;
  SalTrainConfig cfg;
  SalTrainResult r;
  double before;

  make_rings (600, 1, &x, &y);
  make_rings (300, 2, &tx, &ty);
  before = accuracy (m, tx, ty);
  sal_train_config_init (&cfg);
  cfg.optim.lr = cfg.schedule.lr = 0.02f;
  cfg.epochs = 60;
  cfg.batch_size = 50;   /* 480 training rows: 9 full batches and a remainder of 30 */
  cfg.val_fraction = 0.2;
  cfg.n_threads = 1;
  cfg.progress = on_progress;
  progress_calls = 0;
  g_assert_true (sal_train (m, x, y, &cfg, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (progress_calls, ==, r.epochs_run);
  g_test_message ("held-out accuracy %.3f before, %.3f after; validation %.3f at epoch %d",
                  before, accuracy (m, tx, ty), r.val_metric, r.best_epoch);
  g_assert_cmpfloat (accuracy (m, tx, ty), >=, 0.95);
  g_assert_cmpfloat (r.val_metric, >=, 0.93);
}

/* Same seed, same weights; another seed, other weights. */
static void
test_deterministic (void)
{
  g_autoptr(SalTensor) x = NULL, y = NULL;
  double out[3];

  make_rings (90, 3, &x, &y);
  for (int k = 0; k < 3; k++)
    {
      g_autoptr(SalModel) m = build_classifier (5);
      g_autoptr(GError) error = NULL;
      g_autoptr(SalTensor) pred = NULL;
      SalTrainConfig cfg;
      SalTrainResult r;

      sal_train_config_init (&cfg);
      cfg.epochs = 5;
      cfg.batch_size = 16;
      cfg.seed = k < 2 ? 7 : 8;
      cfg.n_threads = 1;
      g_assert_true (sal_train (m, x, y, &cfg, &r, &error));
      pred = sal_model_predict (m, x, 90, 1, &error);
      out[k] = sal_tensor_f32 (pred)[0];
    }
  g_assert_cmpfloat (out[0], ==, out[1]);
  g_assert_cmpfloat (out[0], !=, out[2]);
}

static gboolean
cancel_now (gpointer data)
{
  return ++*(int *) data > 3;
}

static void
test_cancel_and_errors (void)
{
  g_autoptr(SalModel) m = build_classifier (5);
  g_autoptr(SalTensor) x = NULL, y = NULL, short_y = NULL;
  g_autoptr(GError) error = NULL;
  SalTrainConfig cfg;
  SalTrainResult r;
  int polls = 0;

  make_rings (300, 4, &x, &y);
  sal_train_config_init (&cfg);
  cfg.epochs = 100;
  cfg.cancel = cancel_now;
  cfg.user_data = &polls;
  g_assert_false (sal_train (m, x, y, &cfg, &r, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_CANCELLED);
  g_clear_error (&error);

  short_y = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { 10 }, NULL);
  cfg.cancel = NULL;
  g_assert_false (sal_train (m, x, short_y, &cfg, &r, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

/* Regression with MSE and early stopping keeps the best epoch. */
static void
test_regression_early_stop (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (9);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, (int64_t[]) { 400, 2 });
  g_autoptr(SalTensor) y = sal_tensor_new_f32 (2, (int64_t[]) { 400, 1 });
  g_autoptr(GError) error = NULL;
  SalTrainConfig cfg;
  SalTrainResult r;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, 2 });
  add_dense (b, rng, "fc", "x", "y", 2, 1);
  sal_graph_builder_add_output (b, "y");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 400; i++)
    {
      float a = (float) g_rand_double_range (rng, -1, 1), c = (float) g_rand_double_range (rng, -1, 1);
      sal_tensor_f32 (x)[2 * i] = a;
      sal_tensor_f32 (x)[2 * i + 1] = c;
      sal_tensor_f32 (y)[i] = 3 * a - 2 * c + 0.5f + 0.05f * (float) g_rand_double_range (rng, -1, 1);
    }
  sal_train_config_init (&cfg);
  cfg.loss = SAL_LOSS_MSE;
  cfg.optim.lr = cfg.schedule.lr = 0.05f;
  cfg.epochs = 200;
  cfg.batch_size = 32;
  cfg.val_fraction = 0.25;
  cfg.patience = 5;
  cfg.n_threads = 1;
  g_assert_true (sal_train (m, x, y, &cfg, &r, &error));
  g_test_message ("stopped after %d epochs, best %d, validation MAE %.4f", r.epochs_run, r.best_epoch, r.val_metric);
  g_assert_cmpint (r.epochs_run, <, 200);
  g_assert_cmpint (r.epochs_run, ==, r.best_epoch + cfg.patience);
  g_assert_cmpfloat (r.val_metric, <, 0.05);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/train/classifier-learns", test_classifier_learns);
  g_test_add_func ("/engine/train/deterministic", test_deterministic);
  g_test_add_func ("/engine/train/cancel-and-errors", test_cancel_and_errors);
  g_test_add_func ("/engine/train/regression-early-stop", test_regression_early_stop);
  return g_test_run ();
}
