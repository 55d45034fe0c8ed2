/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Checks a person can run on any model before trusting it, and its latency: run on a
 * worker thread (as jobs of the Models page), each polls `cancellable` between runs.
 *
 * Self-check:
 *  - test data: when ONNX test cases lie next to the file (test_data_set_N/ in the
 *    model's folder when the file is model.onnx, or in a folder named like the file
 *    without .onnx), they are run and the largest error reported;
 *  - batch: N seeded inputs are run one at a time and as one batch of N; the outputs
 *    must agree (different kernels: sgemv vs sgemm, per-sample vs batched);
 *  - reload: the file is loaded a second time and the batch-1 outputs compared.
 * Each agreement is |a − b| <= SAL_MODEL_CHECK_ATOL + SAL_MODEL_CHECK_RTOL × |b|. */

#include <gio/gio.h>

#include "sal-model.h"

G_BEGIN_DECLS

#define SAL_MODEL_CHECK_RTOL 1e-4
#define SAL_MODEL_CHECK_ATOL 1e-5
#define SAL_MODEL_CHECK_BATCH 4

typedef struct {
  char     *test_data_dir;     /* NULL when no test data is attached */
  guint     n_test_sets;
  guint     n_test_outputs;
  guint     n_test_mismatched;
  double    test_max_error;    /* largest |got − want| over the test data */
  int       batch_n;           /* batch compared against batch 1; 0 when not possible */
  char     *batch_skipped;     /* why the batch comparison was not made, or NULL */
  double    batch_max_diff;
  double    reload_max_diff;
  gboolean  passed;
} SalModelCheck;

void      sal_model_check_clear (SalModelCheck *check);

/* `metadata_json`: what the store holds for the model (may be NULL). `progress` is
 * called on the worker thread with a fraction and a short status. FALSE with `error`
 * when the checks cannot run (the model is refused, a run fails, cancelled); TRUE with
 * check->passed telling the verdict otherwise. */
gboolean  sal_model_check_run   (const char     *path,
                                 const char     *metadata_json,
                                 void          (*progress) (double fraction, const char *status,
                                                            gpointer user_data),
                                 gpointer        user_data,
                                 GCancellable   *cancellable,
                                 SalModelCheck  *check,
                                 GError        **error);

typedef struct {
  int    batch;
  int    runs;
  double median_ms;
  double p10_ms;
  double p90_ms;
} SalModelBench;

/* Latency as `salient-cli bench` measures it: seeded random inputs with the batch as
 * first dimension, one engine thread, warm-up runs, then the median of `runs` timed
 * runs. Fails (with the reason) when the model's batch is fixed to another size. */
gboolean  sal_model_bench       (const char    *path,
                                 int            batch,
                                 int            runs,
                                 GCancellable  *cancellable,
                                 SalModelBench *out,
                                 GError       **error);

/* Seeded values of an input's type at `batch` (first dimension; -1: the model's own
 * batch, 1 when dynamic): floats in [-1, 1], integers in [0, 10) (valid token ids of
 * any vocabulary). `strict`: refuse dynamic dimensions other than the batch (else
 * they get a small fixed size). Shared by the self-check, the benchmark job and
 * salient-cli bench. */
SalTensor *sal_model_random_input (const SalValueInfo *info, int batch, gboolean strict,
                                   GRand *rng, GError **error);

/* The q-quantile of n ascending values, linearly interpolated. */
double     sal_sorted_quantile   (const double *sorted, int n, double q);

/* qsort comparison of doubles, ascending. */
int        sal_compare_doubles   (gconstpointer a, gconstpointer b);

G_END_DECLS
