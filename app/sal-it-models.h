/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The image and note models (lesion finder, note triage): their data sources
 * ("phantoms", "notes"), and training from a recipe (data/models/recipes/,
 * GKeyFile groups [recipe], [data], [model], [train]) to an ONNX model with
 * Salient's metadata and a model card. */

#include <glib.h>
#include "sal-model.h"
#include "sal-train.h"

G_BEGIN_DECLS

typedef struct {
  char      *name;     /* "train", "test", "test_held_out_templates" */
  SalTensor *x;        /* [N, 1, H, W] float or [N, T] int64 */
  SalTensor *y;        /* [N] int64 */
} SalItSplit;

typedef struct {
  char      *source;        /* "phantoms" or "notes" */
  char      *input_kind;    /* "image" or "note" */
  GStrv      labels;
  GPtrArray *splits;        /* SalItSplit*; the first is "train" */
  char      *preprocess;    /* images: salient.preprocess JSON */
  GStrv      vocab;         /* notes: the vocabulary (index = token id) */
  int        max_len;       /* notes */
  char      *description;   /* for the card and provenance */
  char      *params_json;   /* the source's parameters (seeds, counts) */
} SalItData;

void       sal_it_data_free (SalItData *d);
/* Keys of `group`: phantoms — train_seed, n_train, test_seed, n_test, preprocess;
 * notes — train_seed, n_train, test_seed, n_test, n_test_held_out, max_len, min_count. */
SalItData *sal_it_data_load_phantoms (GKeyFile *kf, const char *group, GError **error);
SalItData *sal_it_data_load_notes    (GKeyFile *kf, const char *group, GError **error);

/* Accuracy and macro-F1 of logits [N, C] against classes y [N]. */
void       sal_it_score (const SalTensor *logits, const SalTensor *y, int n_classes,
                         double *accuracy, double *macro_f1);

typedef struct {
  int                  max_epochs;   /* > 0: cap the recipe's epochs (short runs) */
  int                  n_train;      /* > 0: cap the training rows */
  int                  n_threads;    /* 0: the recipe's */
  SalTrainProgressFunc progress;
  SalCancelFunc        cancel;
  gpointer             user_data;
} SalItOptions;

/* Trains the recipe's model and scores it on every held-out split. Returns the
 * model with metadata_props set (task, input_kind, labels, preprocess or
 * vocab/tokenizer, attention, card, provenance with metrics); `metrics`
 * receives "<split>_accuracy" and "<split>_macro_f1" (g_free'd doubles);
 * `card` the model card. */
SalModel  *sal_it_train_recipe (const char *recipe_path, const SalItOptions *opts,
                                GHashTable **metrics, char **card, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalItData, sal_it_data_free)

G_END_DECLS
