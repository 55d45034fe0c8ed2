/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Runs one ONNX test case folder (model.onnx + test_data_set_N/input_K.pb and
 * output_K.pb, the layout of ONNX's node tests and of Debian's
 * libonnx-testdata) and compares the outputs as ONNX's backend runner does:
 * |got - want| <= atol + rtol * |want|, NaN equal to NaN, integers exact. */

#include <glib.h>
#include "sal-engine.h"

G_BEGIN_DECLS

#define SAL_CONFORMANCE_RTOL 1e-3
#define SAL_CONFORMANCE_ATOL 1e-7

typedef struct {
  guint      n_sets;        /* test_data_set_* folders run */
  guint      n_outputs;     /* output tensors compared */
  guint      n_mismatched;  /* output tensors that did not match */
  double     max_abs_error;
  GPtrArray *report;        /* char*: one line per compared output, then the largest errors */
} SalConformanceResult;

void     sal_conformance_result_clear (SalConformanceResult *result);

/* Compares one output; appends lines about the largest errors to `report`
 * (may be NULL). */
gboolean sal_conformance_compare      (const SalTensor *got, const SalTensor *want,
                                       double rtol, double atol, const char *label,
                                       GPtrArray *report, double *max_abs_error);

/* FALSE with `error` when the case cannot run (unreadable files, the model is
 * refused, a run fails); TRUE otherwise, with result->n_mismatched == 0 on a match. */
gboolean sal_conformance_run_case     (const char *dir, SalConformanceResult *result,
                                       GError **error);

/* Runs the test_data_set_* folders of `dir` on an already loaded model (a model
 * file with its test data next to it). `result` is zeroed first unless it
 * already holds a report. */
gboolean sal_conformance_run_sets     (SalModel *model, const char *dir,
                                       SalConformanceResult *result, GError **error);

/* Reads a TensorProto file. */
SalTensor *sal_conformance_load_pb    (const char *path, char **name, GError **error);

G_END_DECLS
