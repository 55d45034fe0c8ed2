/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Mini-batch training of a model's weights in place. The model has one input
 * (the batch on its first axis) and one output (logits or predictions); the
 * loss is applied to that output. */

#include <glib.h>
#include "sal-model.h"
#include "sal-loss.h"
#include "sal-optim.h"

G_BEGIN_DECLS

typedef struct {
  int         epoch;          /* 1-based, finished */
  int         epochs;
  double      train_loss;     /* mean over the epoch's batches */
  double      val_loss;       /* NAN without a validation split */
  double      val_metric;     /* accuracy (classification) or mean absolute error */
  const char *metric;         /* "accuracy" or "mae" */
  float       lr;
} SalTrainProgress;

typedef void (*SalTrainProgressFunc) (const SalTrainProgress *progress, gpointer user_data);

typedef struct {
  SalLossKind          loss;
  float                huber_delta;
  SalOptimConfig       optim;
  SalLrSchedule        schedule;
  int                  epochs;
  int                  batch_size;
  double               val_fraction;  /* held out for validation, stratified by class; 0 = none */
  int                  patience;      /* stop after this many epochs without a better validation
                                       * loss, keeping the best weights; 0 = never */
  guint32              seed;          /* shuffling, the split, dropout */
  int                  n_threads;     /* 0 = engine default */
  SalCancelFunc        cancel;        /* polled between batches */
  SalTrainProgressFunc progress;      /* after each epoch */
  gpointer             user_data;
} SalTrainConfig;

typedef struct {
  int    epochs_run;
  int    best_epoch;
  double train_loss;       /* last epoch */
  double val_loss;         /* at the best epoch */
  double val_metric;       /* at the best epoch */
} SalTrainResult;

void     sal_train_config_init (SalTrainConfig *cfg);

/* x: [N, ...] (float, or int64 token ids); y: int64 classes [N] for cross-entropy,
 * else float shaped like the model's output for N rows. Fails with
 * SAL_ERROR_CANCELLED when cancelled (the weights are then those of the last
 * finished batch). */
gboolean sal_train             (SalModel *model, const SalTensor *x, const SalTensor *y,
                                const SalTrainConfig *cfg, SalTrainResult *result, GError **error);

/* Rows `rows[0..n)` of x (first axis) gathered into a new tensor. */
SalTensor *sal_tensor_gather_rows (const SalTensor *x, const int *rows, int n, GError **error);

/* Runs the model over x in batches (inference mode) and returns the stacked
 * first output [N, ...]. */
SalTensor *sal_model_predict    (SalModel *model, const SalTensor *x, int batch_size,
                                 int n_threads, GError **error);

G_END_DECLS

G_BEGIN_DECLS
/* Sets (or replaces) a metadata_props entry, e.g. the metrics after training,
 * before the model is saved with sal_model_save_file. */
void sal_model_set_metadata (SalModel *model, const char *key, const char *value);
G_END_DECLS
