/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Elementwise loop helpers shared by the operator groups: numpy-style
 * (multidirectional) broadcasting of shapes, an iterator over the contiguous
 * runs of a broadcast, the reduction of a gradient back to a broadcast input's
 * shape, and parallel maps of float kernels. Private to the engine. */

#include "sal-op.h"

G_BEGIN_DECLS

/* Operands of one broadcast: the full-shape tensor (the output) plus up to three inputs. */
#define SAL_BROADCAST_MAX_OPERANDS 4

/* Element count under which maps stay on the calling thread. */
#define SAL_PARALLEL_MIN_ELEMENTS (1 << 18)

/* The shape all `n` tensors broadcast to (numpy rules: align at the right, each
 * dimension equal or 1). NULL entries are skipped. On failure the error names
 * `op_type` and the shapes. */
gboolean sal_broadcast_shape (const char *op_type, int n, SalTensor *const *in,
                              int *out_rank, int64_t *out_dims, GError **error);

/* Whether `src` broadcasts to exactly `target`'s shape (ONNX unidirectional
 * broadcasting, as PRelu's slope); the error names `op_type`, `what` and both shapes. */
gboolean sal_broadcast_to (const char *op_type, const char *what, const SalTensor *src,
                           const SalTensor *target, GError **error);

/* A broadcast of operands[1..n) to the shape of operands[0], with the
 * dimensions of size 1 dropped and neighbouring dimensions merged where every
 * operand allows it. strides[k][d] is 0 on the axes operand k broadcasts along. */
typedef struct {
  int     n;
  int     rank;                                       /* >= 1 */
  int64_t numel;
  int64_t dims[SAL_MAX_RANK];
  int64_t strides[SAL_BROADCAST_MAX_OPERANDS][SAL_MAX_RANK];
} SalBroadcast;

/* Every operand's shape must broadcast to operands[0]'s (checked by infer). */
void sal_broadcast_init (SalBroadcast *b, int n, const SalTensor *const *operands);

/* Walks the output positions [start, end) of a broadcast in runs along its
 * innermost dimension. In each run operand k starts at element off[k] and
 * steps by b->strides[k][b->rank - 1] (0 or 1 for the output it is 1). */
typedef struct {
  const SalBroadcast *b;
  int64_t pos, end;
  int64_t idx[SAL_MAX_RANK];
  int64_t off[SAL_BROADCAST_MAX_OPERANDS];
} SalBroadcastIter;

void     sal_broadcast_iter_init (SalBroadcastIter *it, const SalBroadcast *b,
                                  int64_t start, int64_t end);
gboolean sal_broadcast_iter_next (SalBroadcastIter *it, int64_t *off, int64_t *len);

static inline int64_t
sal_broadcast_inner_stride (const SalBroadcast *b, int k)
{
  return b->strides[k][b->rank - 1];
}

/* gin += scale * gout summed over the axes gin was broadcast along (gin's
 * shape broadcasts to gout's). Both float. */
void sal_broadcast_reduce_add_f32 (const SalTensor *gout, SalTensor *gin, float scale);

/* The loop of an elementwise kernel: for i in [0, n), OUT[i] OP EXPR (OP is
 * = or +=), where the statements in the variadic arguments run first with `i`
 * bound (to load the operands). Evaluated 8 elements at a time into a local
 * buffer: GCC's -O2 vectoriser then needs no alias checks (a plain loop stays
 * scalar, and a branchy Relu costs a misprediction per element), and OUT may
 * alias an input (in-place folds) because each chunk is read before written. */
#define SAL_CHUNK 8
#define SAL_FOR_CHUNKED(n, T, OUT, OP, EXPR, ...)                                 \
  do                                                                            \
    {                                                                           \
      int64_t n_ = (n), i0_ = 0;                                                \
      for (; i0_ + SAL_CHUNK <= n_; i0_ += SAL_CHUNK)                           \
        {                                                                       \
          T t_[SAL_CHUNK];                                                      \
          for (int j_ = 0; j_ < SAL_CHUNK; j_++)                                \
            {                                                                   \
              int64_t i = i0_ + j_;                                             \
              __VA_ARGS__;                                                      \
              t_[j_] = (EXPR);                                                  \
            }                                                                   \
          for (int j_ = 0; j_ < SAL_CHUNK; j_++)                                \
            (OUT)[i0_ + j_] OP t_[j_];                                          \
        }                                                                       \
      for (int64_t i = i0_; i < n_; i++)                                        \
        {                                                                       \
          T v_;                                                                 \
          __VA_ARGS__;                                                          \
          v_ = (EXPR);                                                          \
          (OUT)[i] OP v_;                                                       \
        }                                                                       \
    }                                                                           \
  while (0)

/* Parallel float maps: kernels see a contiguous range. */
typedef struct {
  float alpha, beta, gamma;
} SalUnaryParams;

/* y[i] = f(x[i]) for i < n */
typedef void (*SalUnaryF32) (int64_t n, const float *x, float *y, const SalUnaryParams *p);
/* gx[i] += gy[i] * f'(x[i]) (y = f(x) is given too) */
typedef void (*SalUnaryGradF32) (int64_t n, const float *x, const float *y, const float *gy,
                                 float *gx, const SalUnaryParams *p);

/* Defines `static void name` as a SalUnaryF32 computing y = EXPR, where EXPR may
 * use x and p. */
#define SAL_UNARY_F32(name, EXPR)                                                  \
  static void name (int64_t n, const float *xs, float *ys, const SalUnaryParams *p) \
  {                                                                                \
    SAL_FOR_CHUNKED (n, float, ys, =, (EXPR), float x = xs[i]);                    \
  }
/* Defines `static void name` as a SalUnaryGradF32 computing gx += gy * DERIV, where
 * DERIV may use x, y = f(x) and p. */
#define SAL_UNARY_GRAD_F32(name, DERIV)                                            \
  static void name (int64_t n, const float *xs, const float *ys, const float *gy,  \
                    float *gx, const SalUnaryParams *p)                            \
  {                                                                                \
    SAL_FOR_CHUNKED (n, float, gx, +=, gy[i] * (DERIV),                            \
                     float x = xs[i]; float y = ys[i]; (void) x; (void) y);        \
  }

void sal_map_unary_f32      (const SalExecCtx *ctx, int64_t n, const float *x, float *y,
                             SalUnaryF32 fn, const SalUnaryParams *p);
void sal_map_unary_grad_f32 (const SalExecCtx *ctx, int64_t n, const float *x, const float *y,
                             const float *gy, float *gx, SalUnaryGradF32 fn,
                             const SalUnaryParams *p);

/* out = f(a, b) elementwise with broadcasting, any element types: the kernel
 * gets n, pointers to the first elements and the strides of a and b (0 or 1);
 * out is contiguous. */
typedef void (*SalBinaryKernel) (int64_t n, const void *a, int64_t sa, const void *b,
                                 int64_t sb, void *out);

void sal_map_binary (const SalExecCtx *ctx, SalTensor *out, const SalTensor *a,
                     const SalTensor *b, SalBinaryKernel fn);

G_END_DECLS
