/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared machinery of the explanation methods (engine-private): evaluating
 * the target score of a batch of inputs, with its gradient when asked. */

#include "sal-explain.h"
#include "sal-grad.h"

G_BEGIN_DECLS

/* The explainer (public type in sal-explain.h) keeps runs for batches of
 * examples. sal_explainer_begin starts an explanation of `input` with
 * `params` (borrowed until sal_explainer_end): it resolves the target with one
 * forward pass on the runner the method starts with (first_grad: the input's
 * gradient; first_layer: stopping at that layer), so that method's first
 * evaluation of the input needs only its backward pass. */
gboolean      sal_explainer_begin     (SalExplainer *ex, const SalTensor *input,
                                       const SalExplainParams *params, gboolean first_grad,
                                       const char *first_layer, GError **error);
/* Drops runners of earlier explanations beyond twice the memory budget. */
void          sal_explainer_end       (SalExplainer *ex);
SalModel     *sal_explainer_get_model (SalExplainer *ex);
/* The resolved target class, class count and the number of elements of one example. */
int           sal_explainer_target    (SalExplainer *ex);
int           sal_explainer_n_classes (SalExplainer *ex);
int64_t       sal_explainer_example_size (SalExplainer *ex);
/* Examples per batch within the memory budget (1 when the model's batch is fixed). */
int           sal_explainer_chunk     (SalExplainer *ex, gboolean with_grad);
/* Target scores of `n` examples stored back to back in `x` (each the input's
 * shape); with `grad` non-NULL also d score / d x for each (same layout). With
 * `layer` non-NULL the layer's activations and gradients of the batch are
 * copied into *act and *act_grad (new tensors); without `grad` the backward
 * pass stops at the layer. Polls cancel. */
gboolean      sal_explainer_eval      (SalExplainer *ex, const float *x, int n, double *scores,
                                       float *grad, const char *layer, SalTensor **act,
                                       SalTensor **act_grad, GError **error);
/* The same for the gradient to the input without copies: fill the runner's
 * input buffer for a batch of `n` (sal_explainer_batch), then run it; *grad
 * points at d score / d x of the batch inside the runner, valid until the
 * next evaluation. */
float        *sal_explainer_batch      (SalExplainer *ex, int n, GError **error);
gboolean      sal_explainer_eval_batch (SalExplainer *ex, int n, double *scores,
                                        const float **grad, GError **error);
/* Scores for the same model on another input type (int64 token ids for notes). */
gboolean      sal_explainer_eval_any  (SalExplainer *ex, const SalTensor *batch, double *scores,
                                       GError **error);
void          sal_explainer_count     (SalExplainer *ex, int *n_forward, int *n_backward);
gboolean      sal_explainer_cancelled (SalExplainer *ex, GError **error);
void          sal_explainer_progress  (SalExplainer *ex, double fraction);

/* Runs `run` (of this model or a copy with other weights, its SalGrad
 * wanting `value`) on `batch` and returns the target scores and
 * d score / d value (a new tensor). */
gboolean      sal_explainer_eval_value_grad (SalExplainer *ex, SalRun *run, SalGrad *grad,
                                             const SalTensor *batch, const char *value,
                                             double *scores, SalTensor **value_grad,
                                             GError **error);
const char   *sal_explainer_score_value (SalExplainer *ex);

/* Token methods (sal-explain-text.c): Integrated Gradients on the embeddings,
 * token occlusion, attention weights; for int64 token ids [1, T]. */
gboolean      sal_explain_text        (SalExplainer *ex, SalModel *model, const SalTensor *x,
                                       const SalExplainParams *p, SalExplanation *e,
                                       GError **error);

/* The tabular methods (sal-explain-tabular.c): Shapley, KernelSHAP, permutation. */
gboolean      sal_explain_tabular     (SalExplainer *ex, const SalTensor *x,
                                       const SalExplainParams *p, SalExplanation *e,
                                       GError **error);

/* Checks (sal-explain-checks.c) filled into e: deletion and insertion AUC. */
gboolean      sal_explain_checks      (SalExplainer *ex, const SalTensor *x,
                                       const SalExplainParams *p, SalExplanation *e,
                                       GError **error);
char         *sal_explain_model_hash  (SalModel *model, GError **error);

/* Integrated Gradients' adaptive rule, shared by images and tokens. The path's
 * n points (any order) have α, the score f and the derivative of f along the
 * path (Σ gradient · (x − baseline)). sal_ig_path_order: their indices in
 * order of α (free with g_free). sal_ig_path_refine: the midpoints (*mid, up
 * to `want`) of the intervals whose trapezoid estimate of ∫ f′ dα misses f's
 * change by most, while the completeness gap is above 0.1 % of
 * |f(1) − f(0)| and fewer than max_points were used; FALSE when done. */
int          *sal_ig_path_order       (const double *alpha, int n);
gboolean      sal_ig_path_refine      (const double *alpha, const double *f, const double *deriv,
                                       int n, int max_points, int want, double **mid,
                                       int *n_mid);

G_END_DECLS
