/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The analysis service the Clinic's image panel uses (no GTK): a cache of
 * stored models (each loaded once, shared between threads) and constructors of
 * jobs for the job queue that run a model on a stored image ("run") or explain
 * its result ("explain"), storing the explanation with its provenance and
 * checks. A cancelled job stores nothing. */

#include <gio/gio.h>

#include "sal-overlay.h"
#include "sal-store.h"

#include "sal-explain.h"
#include "sal-job.h"

G_BEGIN_DECLS

/* Result of a "run" job: one probability per class, in output order. */
typedef struct {
  gint64     model_id;
  gint64     image_id;
  char      *model_sha256;
  GPtrArray *labels;          /* of char*, one per class ("class N" when unnamed) */
  double    *probabilities;   /* n_classes, sum 1 */
  guint      n_classes;
  guint      predicted;       /* index of the largest */
  gint64     record_id;       /* the stored result: an explanation record of method
                               * "prediction" whose map is the probabilities, shape [n] */
} SalPrediction;

#define SAL_TYPE_PREDICTION (sal_prediction_get_type ())
GType          sal_prediction_get_type (void) G_GNUC_CONST;
SalPrediction *sal_prediction_copy     (const SalPrediction *p);
void           sal_prediction_free     (SalPrediction *p);

/* What to explain: method and its main parameters (the rest are defaults). */
typedef struct {
  SalExplainMethod method;
  int              target;      /* class index; -1 = the predicted class */
  SalBaseline      baseline;    /* Integrated Gradients */
  int              steps;       /* Integrated Gradients; 0 = default */
  SalIgRule        rule;        /* Integrated Gradients (default trapezoid) */
  int              samples;     /* SmoothGrad / RISE; 0 = default */
  guint32          seed;
  gboolean         has_overlay; /* store `overlay` with the result (params_json "overlay"),
                                 * so it reopens as it was shown */
  SalOverlayStyle  overlay;
} SalExplainSpec;

void sal_explain_spec_init (SalExplainSpec *spec, SalExplainMethod method);

/* Result of an "explain" job: the stored record's id and the map as shown. */
typedef struct {
  gint64  record_id;
  gint64  model_id;
  gint64  image_id;
  char   *model_sha256;
  char   *method;          /* stable id, "grad-cam" */
  char   *target;          /* class name */
  int     target_index;
  char   *baseline;        /* "black", … or NULL when the method has none */
  char   *params_json;
  char   *checks_json;
  guint32 seed;
  float  *attribution;     /* width × height, summed over channels */
  int     width, height;
  double  score;           /* the target's score at the input */
  double  completeness_gap;/* NAN when the method has no such check */
  double  deletion_auc;    /* mean target score while the top pixels are removed; NAN if skipped */
  double  insertion_auc;   /* the same, inserting them into the baseline */
  double  sanity_rho;      /* Spearman of |map| against the map after the top weighted
                            * layer is randomised (high: the map may show the image
                            * rather than what the model learned); NAN if not run */
} SalAttributionResult;

#define SAL_TYPE_ATTRIBUTION_RESULT (sal_attribution_result_get_type ())
GType                 sal_attribution_result_get_type (void) G_GNUC_CONST;
SalAttributionResult *sal_attribution_result_copy     (const SalAttributionResult *r);
void                  sal_attribution_result_free     (SalAttributionResult *r);

#define SAL_TYPE_ANALYSIS (sal_analysis_get_type ())
G_DECLARE_FINAL_TYPE (SalAnalysis, sal_analysis, SAL, ANALYSIS, GObject)

SalAnalysis *sal_analysis_new             (SalStore    *store);
/* The stored model, loaded on first use and checked against its recorded
 * SHA-256; any thread. A new reference. */
SalModel    *sal_analysis_get_model       (SalAnalysis *self,
                                           gint64       model_id,
                                           GError     **error);
/* Stored models whose salient.input_kind is "image", as SalModelRecord*. Models
 * whose record holds no metadata are loaded (into the cache) to find out. */
GPtrArray   *sal_analysis_list_image_models (SalAnalysis *self,
                                             GError     **error);

/* A stored image explanation as the explain job returned it (model_id found by
 * the record's model hash in @store, 0 when that model is gone; target_index −1).
 * An error for records that are not image maps or whose map does not match its shape. */
SalAttributionResult *sal_attribution_result_from_record (SalStore                   *store,
                                                          const SalExplanationRecord *e,
                                                          GError                    **error);
/* The probabilities stored with a result (checks_json "probabilities": a Run's
 * record, or an explanation's), or NULL when it holds none. */
SalPrediction *sal_prediction_from_record (const SalExplanationRecord *e);

/* Rank agreement of two maps (Spearman of their absolute values), after
 * resampling the smaller to the larger's grid (bilinear); NAN when either is
 * constant. */
double       sal_analysis_agreement       (const float *a, int aw, int ah,
                                           const float *b, int bw, int bh);

/* Jobs for sal_job_queue_push / submit_async; the result types are above. */
SalJob      *sal_analysis_run_job_new     (SalAnalysis          *self,
                                           gint64                model_id,
                                           gint64                image_id);
SalJob      *sal_analysis_explain_job_new (SalAnalysis          *self,
                                           gint64                model_id,
                                           gint64                image_id,
                                           const SalExplainSpec *spec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalPrediction, sal_prediction_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalAttributionResult, sal_attribution_result_free)

G_END_DECLS
