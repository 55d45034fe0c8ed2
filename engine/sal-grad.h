/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Reverse-mode gradients through a run. After sal_run_execute, a backward
 * pass seeded with dL/d(output) walks the run's nodes in reverse, calling
 * each operator's vector–Jacobian product, and only through the nodes that
 * lie between a wanted value and the output: wanting only the inputs computes
 * no weight gradients, and wanting an intermediate value (a convolution's
 * activations for Grad-CAM) stops the walk at its producer. */

#include <glib.h>
#include "sal-model.h"

G_BEGIN_DECLS

typedef struct _SalGrad SalGrad;

/* Sets keep_all on the run (the backward pass reads every activation). */
SalGrad         *sal_grad_new          (SalRun *run);
void             sal_grad_free         (SalGrad *grad);

/* What to differentiate with respect to; call before sal_grad_backward. */
gboolean         sal_grad_want         (SalGrad *grad, const char *value_name, GError **error);
void             sal_grad_want_inputs  (SalGrad *grad);    /* every float graph input */
void             sal_grad_want_weights (SalGrad *grad);    /* every float initializer */

/* Runs the backward pass from graph output `output_index` with `seed` = dL/d(output)
 * (its shape). Needs a successful sal_run_execute on the same inputs just before. */
gboolean         sal_grad_backward     (SalGrad *grad, guint output_index, const SalTensor *seed,
                                        GError **error);
/* The same, seeded at any float value of the run (e.g. the logits that feed a
 * final Softmax): nodes after it take no part. */
gboolean         sal_grad_backward_value (SalGrad *grad, const char *value_name,
                                          const SalTensor *seed, GError **error);
/* The gradient of a wanted value (its shape), valid until the next backward. */
const SalTensor *sal_grad_get          (SalGrad *grad, const char *value_name);

/* The trainable weights: float initializers, with their gradient buffers
 * (valid after a backward with sal_grad_want_weights). `param` is the model's
 * own tensor: updating it in place changes the model; call
 * sal_model_weights_changed afterwards. */
guint            sal_grad_n_weights    (SalGrad *grad);
void             sal_grad_get_weight   (SalGrad *grad, guint index, const char **name,
                                        SalTensor **param, SalTensor **param_grad);

/* After weights were changed in place: ops re-pack their prepared weights.
 * Fails when a weight feeds a node folded at load (its folded value would be stale). */
gboolean         sal_model_weights_changed (SalModel *model, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalGrad, sal_grad_free)

G_END_DECLS
