/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Bringing a user's input to a model's first input, as the model's
 * salient.* metadata says (DESIGN.md): images through salient.preprocess,
 * notes through the one tokenizer and salient.vocab, numbers in the order of
 * the model's input; and reading that metadata. */

#include <glib.h>
#include "sal-engine.h"
#include "sal-model.h"
#include "sal-image.h"

G_BEGIN_DECLS

typedef enum {
  SAL_INPUT_KIND_UNKNOWN,
  SAL_INPUT_KIND_IMAGE,
  SAL_INPUT_KIND_NOTE,
  SAL_INPUT_KIND_MEASUREMENTS,
  SAL_INPUT_KIND_FITNESS,
} SalInputKind;

/* A tabular feature from salient.features. */
typedef struct {
  char  *name;
  char  *unit;     /* or NULL */
  double min, max; /* plausible range; NAN when not given */
  char  *group;    /* or NULL */
} SalFeatureInfo;

/* From a file: .pb tensor, .png image, .csv or text row of numbers, or a text note. */
SalTensor    *sal_model_input_from_file    (SalModel *model, const char *path, GError **error);
SalTensor    *sal_model_input_from_image   (SalModel *model, const SalImage *image, GError **error);
/* A note's token ids; `tokens` (optional) receives the SalToken array with byte offsets. */
SalTensor    *sal_model_input_from_text    (SalModel *model, const char *text, GArray **tokens,
                                            GError **error);
/* One row of numbers in the model's feature order. */
SalTensor    *sal_model_input_from_values  (SalModel *model, const double *values, guint n,
                                            GError **error);

/* Background rows [N, n_columns] for the tabular explainers, from a CSV file. When
 * features (SalFeatureInfo*) has n_columns entries, the header names them (other
 * columns are ignored) and the columns are taken in the features' order; otherwise
 * every row holds n_columns numbers and a header line of names is skipped. Lines
 * starting with '#' and blank lines are skipped. At most max_rows rows, evenly
 * spaced over the file. */
SalTensor    *sal_background_from_csv      (const char *path, GPtrArray *features,
                                            guint n_columns, int max_rows, GError **error);

/* Names for the n classes of the model's first output: salient.labels, then "class i". */
GPtrArray    *sal_model_class_labels       (SalModel *model, guint n);

/* salient.labels (empty when absent); salient.input_kind; salient.task is
 * "classification" or "regression" (NULL when absent). */
GPtrArray    *sal_model_labels             (SalModel *model);
SalInputKind  sal_model_input_kind         (SalModel *model);
const char   *sal_input_kind_id            (SalInputKind kind);
/* salient.features as SalFeatureInfo* (free with sal_feature_info_free); empty when absent. */
GPtrArray    *sal_model_features           (SalModel *model);
void          sal_feature_info_free        (SalFeatureInfo *f);

/* What the user set for a model at import (the store's models.metadata_json: an
 * object of salient.* keys with JSON values, e.g. {"salient.input_kind": "image",
 * "salient.labels": ["a", "b"]}) is laid over the file's own metadata_props, so every
 * reader above sees it. Checked first (kinds, label names, a parsable preprocess);
 * nothing is changed on error. Call before the model is shared between threads. */
gboolean      sal_model_apply_stored_metadata (SalModel *model, const char *metadata_json,
                                               GError **error);
/* sal_model_load_file + sal_model_apply_stored_metadata: how the app loads a stored model. */
SalModel     *sal_model_load_with_metadata (const char *path, const char *metadata_json,
                                            GError **error);

G_END_DECLS
