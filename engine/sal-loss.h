/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "sal-tensor.h"

G_BEGIN_DECLS

typedef enum {
  SAL_LOSS_CROSS_ENTROPY,   /* pred: logits [N, C]; target: int64 class [N] */
  SAL_LOSS_BCE,             /* pred: logits [N] or [N, K]; target: float 0/1, same shape */
  SAL_LOSS_MSE,             /* pred, target: float, same shape */
  SAL_LOSS_HUBER,           /* pred, target: float, same shape; delta */
} SalLossKind;

/* The batch-mean loss, and dL/dpred written (not added) into `grad` when non-NULL
 * (same shape as pred). Logit forms are computed stably (log-sum-exp, softplus).
 *   CE    = −mean_n log softmax(z_n)[y_n]
 *   BCE   = mean softplus(z) − y·z
 *   MSE   = mean (p − y)²
 *   Huber = mean ½(p − y)² if |p − y| ≤ δ, else δ(|p − y| − ½δ)
 * Returns FALSE with an error on shape or class-index mismatch. */
gboolean sal_loss (SalLossKind kind, const SalTensor *pred, const SalTensor *target,
                   float huber_delta, double *out_loss, SalTensor *grad, GError **error);

const char *sal_loss_id        (SalLossKind kind);     /* "cross-entropy", "bce", "mse", "huber" */
gboolean    sal_loss_from_id   (const char *id, SalLossKind *out);

G_END_DECLS
