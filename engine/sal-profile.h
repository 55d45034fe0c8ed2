/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Per-operator timing of a planned run, for `salient-cli bench --profile`. */

#include <glib.h>
#include "sal-model.h"

G_BEGIN_DECLS

typedef struct {
  const char *op_type;    /* borrowed from the model */
  const char *name;       /* node name, may be "" */
  double      seconds;    /* median process CPU time of the repetitions */
  double      flops;      /* multiply-adds x 2 for Conv, ConvTranspose, Gemm, MatMul; else 0 */
} SalProfileEntry;

/* Times every step of `run` on its own, `reps` times each (median kept). The
 * run must have executed once with sal_run_keep_all (TRUE), so every node's
 * inputs still hold real values. Returns a GArray of SalProfileEntry in run
 * order, or NULL with `error` set. */
GArray *sal_run_profile        (SalRun *run, int reps, GError **error);

/* GFLOP/s of one sal_sgemm of the given size on this thread, per CPU second
 * (best of `reps`). */
double  sal_profile_sgemm_rate (int M, int N, int K, int reps);
/* The same for Salient's own convolution GEMM (the kernel this CPU runs, B
 * already packed); *kernel is set to the kernel's name. */
double  sal_profile_gemm_kernel_rate (int M, int N, int K, int reps, const char **kernel);

G_END_DECLS
