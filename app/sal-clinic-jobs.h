/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Clinic's background work on notes and measurements, as SalJobs for the job queue
 * (the image jobs are in sal-analysis.h): scoring a case's measurements with a tabular
 * model and explaining the score with exact Shapley values over the model's feature
 * groups, and analysing a note (triage probabilities and per-token attributions). Both
 * store their explanation record with its provenance, so the History and the report
 * reopen them as they were; a cancelled job stores nothing. Also: reading a note from a
 * text file in one of the encodings Salient accepts. */

#include "sal-store.h"

#include "sal-job.h"

G_BEGIN_DECLS

/* ---- notes from files ------------------------------------------------------------- */

#define SAL_NOTE_MAX_BYTES (1024 * 1024)

/* The text of a note file: UTF-8 (a BOM is dropped), UTF-16 with a BOM, or else
 * windows-1252 / ISO-8859-1. Binary files (NUL bytes, control characters) and files
 * over SAL_NOTE_MAX_BYTES are refused with a message naming the file. Line ends
 * become "\n". name: shown in messages. */
char *sal_note_text_from_bytes (GBytes      *bytes,
                                const char  *name,
                                const char **encoding,
                                GError     **error);

/* ---- results ----------------------------------------------------------------------- */

typedef struct {
  gint64     record_id;        /* the stored explanation */
  char      *model_sha256;
  char      *method;           /* stable id */
  char      *target;           /* class name explained */
  int        target_index;
  GPtrArray *labels;           /* of char*, one per class */
  double    *probabilities;    /* per class */
  guint      n_classes;
  /* measurements: one value per feature group (or feature), names in the same order */
  GPtrArray *names;
  double    *values;
  guint      n_values;
  double     expected;         /* E[f] over the background rows (probability of target) */
  double     prediction;       /* f(x) */
  double     gap;              /* efficiency or completeness gap */
  /* notes: tokens' byte ranges in the note text, one attribution each */
  GArray    *token_starts;     /* of gsize */
  GArray    *token_ends;       /* of gsize */
} SalClinicResult;

#define SAL_TYPE_CLINIC_RESULT (sal_clinic_result_get_type ())
GType            sal_clinic_result_get_type (void) G_GNUC_CONST;
SalClinicResult *sal_clinic_result_copy     (const SalClinicResult *r);
void             sal_clinic_result_free     (SalClinicResult *r);

/* The result as stored in an explanation record, without recomputing anything (for
 * the History). Notes' tokens come back from the record's params. NULL with an error
 * when the record is not a Clinic record of this kind. */
SalClinicResult *sal_clinic_result_from_record (const SalExplanationRecord *e,
                                                GError                    **error);

/* The class a tabular risk model scores as "risk": the label "malignant" when there is
 * one, else the last class. */
int sal_clinic_risk_target (GPtrArray *labels);

/* ---- models ------------------------------------------------------------------------ */

typedef enum {
  SAL_CLINIC_MODEL_NOTE,          /* salient.input_kind "note": note-triage */
  SAL_CLINIC_MODEL_MEASUREMENTS,  /* "measurements": breast-mass-risk */
} SalClinicModelKind;

/* The stored model the Clinic uses for this kind: the shipped one by name, else the
 * first whose recorded metadata names the input kind. 0 with an error a person can act
 * on when there is none. */
gint64 sal_clinic_find_model (SalStore           *store,
                              SalClinicModelKind  kind,
                              GError            **error);

/* ---- jobs -------------------------------------------------------------------------- */

/* Scores values (in the model's feature order) with the stored tabular model and
 * explains the risk class with exact Shapley values over the feature groups, the
 * interventional expectation over up to 100 rows of background_csv (a CSV with a header
 * naming the model's features; other columns ignored). */
SalJob *sal_clinic_score_job_new (SalStore     *store,
                                  gint64        case_id,
                                  gint64        model_id,
                                  const double *values,
                                  guint         n_values,
                                  const char   *background_csv);

/* Runs the stored note model on the note and explains its predicted class with method
 * ("integrated-gradients", "token-occlusion" or "attention"). */
SalJob *sal_clinic_note_job_new  (SalStore   *store,
                                  gint64      note_id,
                                  gint64      model_id,
                                  const char *method);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalClinicResult, sal_clinic_result_free)

G_END_DECLS
