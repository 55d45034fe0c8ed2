/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the linear, convolution, pooling and normalisation op
 * groups (engine-private). */

#include "sal-op.h"
#include "sal-error.h"
#include "sal-blas.h"

#include <math.h>
#include <string.h>

G_BEGIN_DECLS

/* Work that runs in parallel over a batch gets one scratch slot per worker;
 * infer() does not know the thread count, so scratch is sized for at most
 * this many concurrent slots. */
#define SAL_NN_MAX_SLOTS 4

/* Hot loops: vectorised at -O3 and cloned for AVX + FMA with a plain x86-64
 * fallback chosen at load time (GCC's target_clones); -O2 alone leaves loops
 * of unknown length scalar. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SAL_NN_HOT __attribute__ ((optimize ("O3"), target_clones ("fma", "default")))
#else
#define SAL_NN_HOT
#endif

/* Spatial rank handled by Conv, ConvTranspose and the pools: 1-D and 2-D
 * inputs are treated as 3-D with leading extents of 1. */
#define SAL_NN_MAX_SPATIAL 3

/* ---- Fused activation ------------------------------------------------------
 *
 * A Conv, ConvTranspose or Gemm node may carry a fused activation, set by the
 * graph rewrite in engine/sal-fuse.c (or by any builder) as node attributes:
 *   "salient.activation"  string: "Relu", "LeakyRelu" or "Clip"
 *   "salient.alpha"       float: LeakyRelu's slope
 *   "salient.min", "salient.max"  floats: Clip's bounds
 * The op then writes act(conv(x)) to its output. Backward takes the
 * activation's derivative from the output, so nothing else is kept. */
typedef enum {
  SAL_NN_ACT_NONE,
  SAL_NN_ACT_RELU,
  SAL_NN_ACT_LEAKY_RELU,
  SAL_NN_ACT_CLIP,
} SalNnActKind;

typedef struct {
  SalNnActKind kind;
  float        alpha;
  float        lo, hi;
} SalNnAct;

gboolean sal_nn_act_from_node (const SalNode *node, SalNnAct *act, GError **error);
void     sal_nn_act_apply     (const SalNnAct *act, float *y, int64_t n);
/* g[i] *= act'(y[i]) given the activation's output y. */
void     sal_nn_act_grad      (const SalNnAct *act, const float *y, float *g, int64_t n);
/* g = gy masked the same way, in one pass */
void     sal_nn_act_grad_copy (const SalNnAct *act, const float *y, const float *gy, float *g,
                               int64_t n);
/* Relu's backward: gx = (x > 0 ? gy : 0), or gx += that when !store */
void     sal_nn_relu_grad     (const float *x, const float *gy, float *gx, int64_t n,
                               gboolean store);

/* ---- Small utilities -------------------------------------------------------*/

/* Fails with a message naming the node unless `t` is a float tensor. */
gboolean sal_nn_check_float   (const SalNode *node, const SalTensor *t, const char *what,
                               GError **error);

/* Reads an INTS attribute of exactly `n` values (or the default `def` when it is
 * absent); fails when it is present with another count or with values < min_value. */
gboolean sal_nn_attr_ints     (const SalNode *node, const char *name, int n, int64_t def,
                               int64_t min_value, int64_t *out, GError **error);

/* Runs fn over [0, n) on the engine's threads, in at most SAL_NN_MAX_SLOTS chunks;
 * fn receives the chunk index as its slot for scratch memory. */
typedef void (*SalNnSlotFunc) (int slot, int64_t i0, int64_t i1, gpointer data);
int      sal_nn_n_slots       (const SalExecCtx *ctx, int64_t n);
void     sal_nn_parallel      (const SalExecCtx *ctx, int64_t n, SalNnSlotFunc fn,
                               gpointer data);

/* C (M x N) = alpha op(A) op(B) + beta C with rows of C split over the engine's
 * threads (single calls to sal_sgemm / sal_sgemv when small or single-threaded). */
void     sal_nn_sgemm         (const SalExecCtx *ctx, gboolean trans_a, gboolean trans_b,
                               int M, int N, int K, float alpha, const float *A, int lda,
                               const float *B, int ldb, float beta, float *C, int ldc);

G_END_DECLS
