/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Explanation methods. Every method explains one input (batch of one) for one
 * target class. Ids are the stable ones of DESIGN.md. */

#include <glib.h>
#include "sal-model.h"

G_BEGIN_DECLS

typedef enum {
  SAL_EXPLAIN_GRADIENT,
  SAL_EXPLAIN_GRADIENT_X_INPUT,
  SAL_EXPLAIN_SMOOTHGRAD,
  SAL_EXPLAIN_INTEGRATED_GRADIENTS,
  SAL_EXPLAIN_GRAD_CAM,
  SAL_EXPLAIN_GRAD_CAM_PP,
  SAL_EXPLAIN_OCCLUSION,
  SAL_EXPLAIN_RISE,
  SAL_EXPLAIN_TOKEN_OCCLUSION,
  SAL_EXPLAIN_ATTENTION,
  SAL_EXPLAIN_SHAPLEY,
  SAL_EXPLAIN_KERNEL_SHAP,
  SAL_EXPLAIN_PERMUTATION,
} SalExplainMethod;

#define SAL_N_EXPLAIN_METHODS 13

const char *sal_explain_method_id      (SalExplainMethod method);
gboolean    sal_explain_method_from_id (const char *id, SalExplainMethod *out);

typedef enum {
  SAL_BASELINE_BLACK,   /* all zeros (after preprocessing) */
  SAL_BASELINE_BLUR,    /* the input blurred (Gaussian, sigma in pixels) */
  SAL_BASELINE_NOISE,   /* uniform noise over the input's range, from the seed */
  SAL_BASELINE_PAD,     /* token inputs: the pad token's embedding (black: zero embeddings) */
} SalBaseline;

const char *sal_baseline_id      (SalBaseline baseline);
gboolean    sal_baseline_from_id (const char *id, SalBaseline *out);

/* How Integrated Gradients sums the path: trapezoid uses the gradients at
 * α = 0, 1/m, …, 1 with half weight at both ends; right uses α = 1/m, …, 1;
 * adaptive starts from the trapezoid grid and bisects the intervals where the
 * trapezoid estimate of ∫ f′ dα misses the change of f most, until the
 * completeness gap is below 0.1 % of |f(x) − f(baseline)| or 16 m + 1 points
 * were used (a model can change steeply over a short stretch of the path, or
 * turn at a kink, which a uniform grid steps over); on images it keeps every
 * point's gradient, so it also stops at twice the memory budget of them. */
typedef enum {
  SAL_IG_TRAPEZOID,
  SAL_IG_RIGHT,
  SAL_IG_ADAPTIVE,
} SalIgRule;

const char *sal_ig_rule_id      (SalIgRule rule);
gboolean    sal_ig_rule_from_id (const char *id, SalIgRule *out);

typedef enum {
  SAL_TARGET_SCORE,        /* the class's pre-softmax score (input of a final Softmax) */
  SAL_TARGET_PROBABILITY,  /* its probability */
} SalTargetKind;

typedef struct {
  SalExplainMethod method;
  int              target;          /* class index; -1 = the predicted class */
  SalTargetKind    target_kind;
  int              steps;           /* Integrated Gradients (default 64) */
  SalIgRule        rule;
  SalBaseline      baseline;
  float            blur_sigma;      /* pixels, for the blurred baseline (default 5) */
  int              samples;         /* SmoothGrad samples (default 32), RISE masks (default 1000),
                                     * KernelSHAP coalitions (default 2048) */
  float            noise;           /* SmoothGrad noise, fraction of the input's range (default 0.15) */
  const char      *layer;           /* Grad-CAM layer (value name); NULL = the last convolution's
                                     * output after its activation */
  int              window, stride;  /* Occlusion (default 8 and 4 pixels; tokens: 1 and 1) */
  float            fill;            /* Occlusion fill value (default 0) */
  int              rise_cells;      /* RISE mask grid (default 7) */
  float            rise_keep;       /* RISE keep probability (default 0.5) */
  guint32          seed;
  gsize            memory_budget;   /* bytes of activations for batched chunks (default 64 MiB) */
  int              n_threads;       /* 0 = engine default */
  /* Tabular methods: background rows [N, M] (Shapley, KernelSHAP: the
   * interventional expectation; permutation importance: the dataset). */
  const SalTensor *background;
  /* Tabular: feature → group index in [0, n_groups) (NULL = each feature its
   * own group); Shapley values are then computed per group. */
  const int       *groups;
  int              n_groups;
  int64_t          pad_id;          /* token methods: the id occluded tokens and the pad
                                     * baseline take (default 0) */
  int              check_steps;     /* deletion/insertion curve points (default 16; 0 = skip) */
  const char      *model_hash;      /* recorded as given (e.g. the file's SHA-256); NULL =
                                     * SHA-256 of the model saved to bytes */
  SalCancelFunc    cancel;
  SalProgressFunc  progress;
  gpointer         user_data;
} SalExplainParams;

void sal_explain_params_init (SalExplainParams *params, SalExplainMethod method);

typedef struct {
  SalExplainMethod method;
  int              target;
  SalTargetKind    target_kind;
  SalTensor       *attribution;     /* signed, the input's shape (batch of one) */
  SalTensor       *layer_map;       /* CAM methods: [h, w] at the layer's resolution */
  char            *layer;           /* CAM methods: the layer used */
  double           score;           /* target score (or probability) at the input */
  double           baseline_score;  /* at the baseline (Integrated Gradients), else NAN */
  double           completeness_gap;/* IG: |Σ attribution − (f(x) − f(baseline))|, else NAN */
  double           expected_score;  /* Shapley, KernelSHAP: E_background[f], else NAN */
  double           efficiency_gap;  /* Shapley, KernelSHAP: |Σφ − (f(x) − E[f])|, else NAN */
  SalTensor       *group_attribution; /* [n_groups] when groups were given (the per-feature
                                     * attribution then splits each group's value evenly) */
  double           deletion_auc;    /* mean target score while the most important elements are
                                     * removed (set to the baseline) in order; NAN if skipped */
  double           insertion_auc;   /* the same, inserting them into the baseline */
  char            *model_hash;      /* provenance: SHA-256 (hex) */
  SalBaseline      baseline;        /* provenance: as requested, with the seed and steps */
  guint32          seed;
  int              steps, samples;  /* IG: the intervals used (adaptive: may exceed the request) */
  int              n_forward;       /* examples run forward */
  int              n_backward;      /* examples run backward */
  int              chunk;           /* batch size used for batched methods */
} SalExplanation;

void             sal_explanation_free (SalExplanation *e);

/* Explains `input` (the model's single float input, batch of one). */
SalExplanation  *sal_explain          (SalModel *model, const SalTensor *input,
                                       const SalExplainParams *params, GError **error);

/* An explainer keeps the runs of a model's explanations (their plans,
 * activation and gradient buffers) for the next explanation: explaining
 * several inputs of one model with one explainer plans and allocates them
 * once. It keeps at most about twice the memory budget of the explanations
 * it ran. Use it from one thread at a time; sal_explain is the same with a
 * new explainer each time. */
typedef struct _SalExplainer SalExplainer;

SalExplainer    *sal_explainer_new     (SalModel *model);
void             sal_explainer_free    (SalExplainer *explainer);
SalExplanation  *sal_explainer_explain (SalExplainer *explainer, const SalTensor *input,
                                        const SalExplainParams *params, GError **error);

/* The value name whose activations Grad-CAM uses by default: the last Conv's
 * output, after the activation that directly follows it (or follows a
 * BatchNormalization that directly follows it); NULL when the model
 * has no convolution. */
const char      *sal_explain_default_layer (SalModel *model);

/* Spearman rank correlation of a and b (ties get their mean rank); NAN when
 * either is constant. */
double           sal_spearman (const float *a, const float *b, gsize n);

/* Model-randomisation sanity check (cascading, from the top layer down):
 * stage k re-initialises the k last weighted layers (seeded, same scale as
 * the trained weights) and explains `input` again with the same params.
 * rho[k − 1] = Spearman between |attribution| of the trained and the
 * randomised model; returns the number of stages written (≤ max_stages). */
int              sal_explain_sanity_check (SalModel *model, const SalTensor *input,
                                           const SalExplainParams *params, double *rho,
                                           int max_stages, GError **error);

/* Ground truth. Pointing game: the map's maximum (summed over channels) lies
 * within `tolerance` pixels of a mask pixel. Overlap: the fraction of the
 * mask's pixel count covered by the same number of top-attributed pixels. */
gboolean         sal_explain_pointing_game (const SalTensor *attribution, const guint8 *mask,
                                            int h, int w, int tolerance);
double           sal_explain_mask_overlap  (const SalTensor *attribution, const guint8 *mask,
                                            int h, int w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalExplanation, sal_explanation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalExplainer, sal_explainer_free)

G_END_DECLS
