/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-loss.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

static const char *const loss_ids[] = { "cross-entropy", "bce", "mse", "huber" };

const char *
sal_loss_id (SalLossKind kind)
{
  return (guint) kind < G_N_ELEMENTS (loss_ids) ? loss_ids[kind] : "unknown";
}

gboolean
sal_loss_from_id (const char *id, SalLossKind *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (loss_ids); i++)
    if (g_strcmp0 (id, loss_ids[i]) == 0)
      {
        *out = (SalLossKind) i;
        return TRUE;
      }
  return FALSE;
}

static double
softplus (double z)
{
  return z > 0 ? z + log1p (exp (-z)) : log1p (exp (z));
}

static gboolean
cross_entropy (const SalTensor *pred, const SalTensor *target, double *out, SalTensor *grad,
               GError **error)
{
  int64_t n, c;
  const float *z = sal_tensor_f32 (pred);
  double total = 0;

  if (pred->rank != 2 || target->rank != 1 || target->dims[0] != pred->dims[0] ||
      (target->dtype != SAL_DTYPE_INT64 && target->dtype != SAL_DTYPE_INT32))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "cross-entropy needs logits [N, C] and integer classes [N]");
      return FALSE;
    }
  n = pred->dims[0];
  c = pred->dims[1];
  for (int64_t i = 0; i < n; i++)
    {
      int64_t y = sal_tensor_get_i64 (target, i);
      double mx = -INFINITY, sum = 0, lse;
      if (y < 0 || y >= c)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "class %" G_GINT64_FORMAT " is outside 0..%" G_GINT64_FORMAT, y, c - 1);
          return FALSE;
        }
      for (int64_t j = 0; j < c; j++)
        mx = MAX (mx, z[i * c + j]);
      for (int64_t j = 0; j < c; j++)
        sum += exp (z[i * c + j] - mx);
      lse = mx + log (sum);
      total += lse - z[i * c + y];
      if (grad)
        for (int64_t j = 0; j < c; j++)
          sal_tensor_f32 (grad)[i * c + j] =
            (float) ((exp (z[i * c + j] - lse) - (j == y)) / n);
    }
  *out = n ? total / n : 0;
  return TRUE;
}

gboolean
sal_loss (SalLossKind kind, const SalTensor *pred, const SalTensor *target, float huber_delta,
          double *out_loss, SalTensor *grad, GError **error)
{
  const float *p = sal_tensor_f32 (pred);
  double total = 0;
  int64_t n = pred->numel;

  if (pred->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "loss predictions must be float32");
      return FALSE;
    }
  if (grad && (grad->numel != pred->numel || grad->dtype != SAL_DTYPE_FLOAT))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "loss gradient has the wrong shape");
      return FALSE;
    }
  if (kind == SAL_LOSS_CROSS_ENTROPY)
    return cross_entropy (pred, target, out_loss, grad, error);

  if (target->numel != pred->numel || target->dtype != SAL_DTYPE_FLOAT)
    {
      g_autofree char *ps = sal_shape_to_string (pred->rank, pred->dims);
      g_autofree char *ts = sal_shape_to_string (target->rank, target->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s loss needs float targets shaped like the predictions (%s vs %s)",
                   sal_loss_id (kind), ps, ts);
      return FALSE;
    }
  for (int64_t i = 0; i < n; i++)
    {
      double z = p[i], y = sal_tensor_f32 (target)[i], d = z - y, g;
      switch (kind)
        {
        case SAL_LOSS_BCE:
          total += softplus (z) - y * z;
          g = 1.0 / (1.0 + exp (-z)) - y;
          break;
        case SAL_LOSS_MSE:
          total += d * d;
          g = 2 * d;
          break;
        case SAL_LOSS_HUBER:
        case SAL_LOSS_CROSS_ENTROPY:
        default:
          if (fabs (d) <= huber_delta)
            {
              total += 0.5 * d * d;
              g = d;
            }
          else
            {
              total += huber_delta * (fabs (d) - 0.5 * huber_delta);
              g = d > 0 ? huber_delta : -huber_delta;
            }
          break;
        }
      if (grad)
        sal_tensor_f32 (grad)[i] = (float) (g / n);
    }
  *out_loss = n ? total / n : 0;
  return TRUE;
}
