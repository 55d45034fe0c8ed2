/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The operator interface, private to the engine. One SalOpDef per ONNX
 * operator type; see engine/ops/ for the implementations and sal-op-registry.c
 * for the table. */

#include <glib.h>
#include <string.h>
#include "sal-tensor.h"
#include "sal-node.h"

G_BEGIN_DECLS

/* What a running op may use besides its tensors. */
typedef struct _SalExecCtx {
  int      n_threads;     /* engine threads this run may use (>= 1) */
  gboolean training;      /* Dropout and BatchNormalization in training mode */
  GRand   *rng;           /* seeded randomness (training-mode dropout); NULL in inference */
  gpointer runner;        /* engine-private: used by sal_exec_parallel_for */
  gboolean (*cancel) (gpointer data);   /* NULL or the run's cancel callback */
  gpointer cancel_data;
  /* backward only: bit i set means gin[i] holds stale values, and the op
   * stores (=) its gradient there instead of adding to it. Set only for ops
   * whose SalOpDef has backward_sets, when this op is the first to give the
   * value a gradient (the engine then skips zeroing the buffer). */
  guint32  grad_set;
} SalExecCtx;

/* For an op with backward_sets: zeroes the gin[i] whose grad_set bit is on
 * but not in `handled` (the slots the op stores into itself), so the op can
 * go on adding into them. */
static inline void
sal_op_zero_unhandled_grads (const SalExecCtx *ctx, SalTensor **gin, int n_inputs,
                             guint32 handled)
{
  for (int i = 0; i < n_inputs && i < 32; i++)
    if ((ctx->grad_set & ~handled & (1u << i)) && gin[i] != NULL && gin[i]->numel > 0)
      memset (gin[i]->data, 0, sal_tensor_nbytes (gin[i]));
}

/* Long operators (a big recurrent loop...) poll this and return a
 * SAL_ERROR_CANCELLED error when it is TRUE. */
static inline gboolean
sal_exec_cancelled (const SalExecCtx *ctx)
{
  return ctx != NULL && ctx->cancel != NULL && ctx->cancel (ctx->cancel_data);
}

/* Runs fn(i0, i1, data) over [0, n) split into at most ctx->n_threads contiguous
 * ranges, on the engine's own threads; returns when all are done. */
typedef void (*SalRangeFunc) (int64_t i0, int64_t i1, gpointer data);
void sal_exec_parallel_for (const SalExecCtx *ctx, int64_t n, SalRangeFunc fn, gpointer data);

/*
 * infer:    the shape rule. `in[i]` has dtype/rank/dims set (NULL for an absent
 *           optional input); its `data` is non-NULL when the value is known before
 *           the run (an initializer, a Constant, or folded from them, or a graph input
 *           at plan time), which shape-determining inputs (Reshape's shape, Slice's
 *           starts...) need: return an error naming the op when such a value is unknown.
 *           Set dtype/rank/dims/numel of every present `out[i]` (sal_tensor_set_shape)
 *           and the bytes of scratch memory forward/backward need in *workspace.
 * prepare:  optional, once after load when the initializers are known: repack
 *           weights into node->prepared. `in[i]->data` is NULL for non-constant inputs.
 * forward:  compute `out` from `in`; `scratch` has *workspace bytes. No allocation.
 *           May fail only on data-dependent errors (an index out of range).
 * backward: vector-Jacobian product: given `gout[j]` (gradient of the loss wrt out[j];
 *           NULL when out[j] gets no gradient), ADD (+=) into every non-NULL `gin[i]`
 *           the gradient wrt in[i]. NULL for operators that are not differentiable.
 */
typedef struct _SalOpDef {
  const char *op_type;
  gboolean  (*infer)    (SalNode *node, SalTensor *const *in, SalTensor **out,
                         gsize *workspace, GError **error);
  gboolean  (*prepare)  (SalNode *node, SalTensor *const *in, GError **error);
  gboolean  (*forward)  (SalNode *node, SalTensor *const *in, SalTensor **out,
                         void *scratch, const SalExecCtx *ctx, GError **error);
  gboolean  (*backward) (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                         SalTensor *const *gout, SalTensor **gin,
                         void *scratch, const SalExecCtx *ctx, GError **error);
  /* backward honours ctx->grad_set (stores into the marked gin, all of it) */
  gboolean    backward_sets;
} SalOpDef;

/* The operator table. Each group file in ops/ provides one of these, listing
 * its SalOpDefs; sal-op-registry.c joins them. */
const SalOpDef *sal_op_lookup (const char *op_type);
/* All supported op types, sorted; free with g_free (not the strings). */
const char    **sal_op_list   (guint *n_ops);

typedef struct { const SalOpDef *defs; guint n_defs; } SalOpGroup;
extern const SalOpGroup sal_ops_elementwise;   /* ops/sal-ops-elementwise.c: arithmetic, logic, Where, Sum/Mean/Min/Max */
extern const SalOpGroup sal_ops_activation;    /* ops/sal-ops-activation.c: Relu ... Softmax, LogSoftmax */
extern const SalOpGroup sal_ops_reduce;        /* ops/sal-ops-reduce.c: Reduce*, ArgMax, ArgMin */
extern const SalOpGroup sal_ops_shape;         /* ops/sal-ops-shape.c: Reshape ... Cast, Range */
extern const SalOpGroup sal_ops_resize;        /* ops/sal-ops-resize.c: Resize */
extern const SalOpGroup sal_ops_linear;        /* ops/sal-ops-linear.c: MatMul, Gemm */
extern const SalOpGroup sal_ops_conv;          /* ops/sal-ops-conv.c: Conv, ConvTranspose */
extern const SalOpGroup sal_ops_pool;          /* ops/sal-ops-pool.c: MaxPool ... GlobalMaxPool */
extern const SalOpGroup sal_ops_norm;          /* ops/sal-ops-norm.c: BatchNormalization, LayerNormalization, InstanceNormalization */
extern const SalOpGroup sal_ops_recurrent;     /* ops/sal-ops-recurrent.c: RNN, GRU, LSTM */

G_END_DECLS
