/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>
#include "sal-engine.h"
#include "sal-loss.h"
#include "sal-optim.h"

/* Reference values from PyTorch 1.13 (tools/reference-optim.py prints them). */
static void
check_optimizer (SalOptimKind kind, float wd, float momentum, gboolean nesterov, const float *expect)
{
  int64_t dims[1] = { 2 };
  g_autoptr(SalTensor) p = sal_tensor_new_f32 (1, dims);
  g_autoptr(SalTensor) g = sal_tensor_new_f32 (1, dims);
  const float grads[3][2] = { { 0.5f, 0.1f }, { 0.5f, -0.3f }, { -0.2f, 0.7f } };
  SalOptimConfig cfg;
  g_autoptr(SalOptimizer) opt = NULL;

  sal_optim_config_init (&cfg, kind, 0.1f);
  cfg.weight_decay = wd;
  cfg.momentum = momentum;
  cfg.nesterov = nesterov;
  opt = sal_optimizer_new (&cfg);
  sal_tensor_f32 (p)[0] = 1.0f;
  sal_tensor_f32 (p)[1] = -2.0f;
  sal_optimizer_add (opt, p, g);
  for (int s = 0; s < 3; s++)
    {
      sal_optimizer_zero_grad (opt);
      g_assert_cmpfloat (sal_tensor_f32 (g)[0], ==, 0);
      sal_tensor_f32 (g)[0] = grads[s][0];
      sal_tensor_f32 (g)[1] = grads[s][1];
      sal_optimizer_step (opt, cfg.lr);
    }
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (p)[0], expect[0], 1e-5);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (p)[1], expect[1], 1e-5);
}

static void
test_optimizers (void)
{
  check_optimizer (SAL_OPTIM_ADAM, 0.05f, 0, FALSE, (float[]) { 0.7372816205f, -1.9470878839f });
  check_optimizer (SAL_OPTIM_ADAMW, 0.1f, 0, FALSE, (float[]) { 0.7163093090f, -2.0321853161f });
  check_optimizer (SAL_OPTIM_SGD, 0.01f, 0.9f, FALSE, (float[]) { 0.7841347456f, -2.0288815498f });
  check_optimizer (SAL_OPTIM_SGD, 0.0f, 0.9f, TRUE, (float[]) { 0.7305499315f, -2.0860900879f });
}

static void
test_losses (void)
{
  int64_t d23[2] = { 2, 3 }, d2[1] = { 2 }, d3[1] = { 3 };
  g_autoptr(SalTensor) z = sal_tensor_new_f32 (2, d23);
  g_autoptr(SalTensor) gz = sal_tensor_new_f32 (2, d23);
  g_autoptr(SalTensor) y = sal_tensor_new (SAL_DTYPE_INT64, 1, d2, NULL);
  g_autoptr(SalTensor) b = sal_tensor_new_f32 (1, d3);
  g_autoptr(SalTensor) bt = sal_tensor_new_f32 (1, d3);
  g_autoptr(SalTensor) gb = sal_tensor_new_f32 (1, d3);
  g_autoptr(GError) error = NULL;
  const float zv[6] = { 1.0f, 2.0f, 0.5f, 0.1f, -1.0f, 3.0f };
  const float ce_grad[6] = { 0.11561194f, -0.18573415f, 0.07012219f, 0.02563180f, 0.00853209f, -0.03416389f };
  double loss;

  memcpy (z->data, zv, sizeof zv);
  sal_tensor_i64 (y)[0] = 1;
  sal_tensor_i64 (y)[1] = 2;
  g_assert_true (sal_loss (SAL_LOSS_CROSS_ENTROPY, z, y, 0, &loss, gz, &error));
  g_assert_cmpfloat_with_epsilon (loss, 0.2675715089, 1e-6);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gz)[i], ce_grad[i], 1e-6);

  memcpy (b->data, (float[]) { 0.3f, -1.2f, 2.0f }, 12);
  memcpy (bt->data, (float[]) { 1.0f, 0.0f, 1.0f }, 12);
  g_assert_true (sal_loss (SAL_LOSS_BCE, b, bt, 0, &loss, gb, &error));
  g_assert_cmpfloat_with_epsilon (loss, 0.3148552477, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gb)[0], -0.1418524981, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gb)[2], -0.0397343226, 1e-6);

  memcpy (bt->data, (float[]) { 1.0f, 0.0f, -1.0f }, 12);
  g_assert_true (sal_loss (SAL_LOSS_HUBER, b, bt, 1.0f, &loss, gb, &error));
  g_assert_cmpfloat_with_epsilon (loss, 1.1483334303, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gb)[0], -0.2333333343, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gb)[2], 0.3333333433, 1e-6);

  g_assert_true (sal_loss (SAL_LOSS_MSE, b, bt, 0, &loss, gb, &error));
  g_assert_cmpfloat_with_epsilon (loss, (0.49 + 1.44 + 9.0) / 3, 1e-6);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (gb)[2], 2 * 3.0 / 3, 1e-6);

  /* A class index out of range is an error, not a crash. */
  sal_tensor_i64 (y)[1] = 3;
  g_assert_false (sal_loss (SAL_LOSS_CROSS_ENTROPY, z, y, 0, &loss, gz, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

static void
test_schedules (void)
{
  SalLrSchedule step = { SAL_LR_STEP, 0.1f, 0, 10, 0.5f, 0 };
  SalLrSchedule cosine = { SAL_LR_COSINE, 0.1f, 0.0f, 0, 0, 2 };

  g_assert_cmpfloat_with_epsilon (sal_lr_at (&step, 9, 30), 0.1, 1e-7);
  g_assert_cmpfloat_with_epsilon (sal_lr_at (&step, 25, 30), 0.025, 1e-7);
  g_assert_cmpfloat_with_epsilon (sal_lr_at (&cosine, 0, 12), 0.1 / 3, 1e-7);
  g_assert_cmpfloat_with_epsilon (sal_lr_at (&cosine, 2, 12), 0.1, 1e-7);
  g_assert_cmpfloat_with_epsilon (sal_lr_at (&cosine, 7, 12), 0.05, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/optim/optimizers", test_optimizers);
  g_test_add_func ("/engine/optim/losses", test_losses);
  g_test_add_func ("/engine/optim/schedules", test_schedules);
  return g_test_run ();
}
