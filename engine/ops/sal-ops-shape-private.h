/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the shape and data-movement operator files (sal-ops-shape*.c,
 * sal-ops-resize.c, sal-ops-recurrent.c). Private to engine/ops. */

#include "sal-op.h"
#include "sal-error.h"

G_BEGIN_DECLS

/* Sets an error that names the operator (and node, when named). */
G_GNUC_INTERNAL G_GNUC_PRINTF (4, 5)
void     sal_op_fail           (GError **error, SalErrorCode code, const SalNode *node,
                                const char *fmt, ...);

/* TRUE when input i is present (the index exists and the tensor is there). */
static inline gboolean
sal_op_has_in (const SalNode *node, SalTensor *const *in, int i)
{
  return i < node->n_inputs && node->inputs[i] >= 0 && in[i] != NULL;
}

static inline gboolean
sal_op_has_out (const SalNode *node, SalTensor *const *out, int i)
{
  return i < node->n_outputs && node->outputs[i] >= 0 && out[i] != NULL;
}

/* Reads a 1-D (or scalar) integer tensor whose value must be known at plan
 * time (a shape, starts, pads...). `what` names it in errors. At most `max`
 * values; returns the count or -1 with an error set. */
G_GNUC_INTERNAL
int      sal_op_read_ints      (const SalNode *node, const SalTensor *t, const char *what,
                                int64_t *vals, int max, GError **error);
/* Same for float values (Resize's scales and roi). */
G_GNUC_INTERNAL
int      sal_op_read_floats    (const SalNode *node, const SalTensor *t, const char *what,
                                double *vals, int max, GError **error);

/* Normalises a possibly negative axis against rank; FALSE (error set) when out of range. */
G_GNUC_INTERNAL
gboolean sal_op_axis           (const SalNode *node, int64_t axis, int rank, int *out,
                                GError **error);

/* Row-major element strides of a shape. */
G_GNUC_INTERNAL
void     sal_op_strides        (int rank, const int64_t *dims, int64_t *strides);

/* An affine walk: for every index i of the row-major shape `dims` (rank up to
 * 2 * SAL_MAX_RANK), element `base + sum i_k * strides[k]` of the strided side.
 * GATHER copies strided -> contiguous (any element size); SCATTER_ADD adds
 * contiguous float into strided float (used by backward passes). */
typedef enum { SAL_WALK_GATHER, SAL_WALK_SCATTER_ADD } SalWalkMode;
#define SAL_WALK_MAX_RANK (2 * SAL_MAX_RANK)
G_GNUC_INTERNAL
void     sal_op_walk           (SalWalkMode mode, int rank, const int64_t *dims,
                                const int64_t *strides, int64_t base, gsize elem,
                                void *strided, void *contig);

/* Operator entry points, declared for the group table in sal-ops-shape.c. */
#define SAL_OP_DECLARE(name)                                                               \
  G_GNUC_INTERNAL gboolean name##_infer (SalNode *node, SalTensor *const *in, SalTensor **out, \
                                         gsize *workspace, GError **error);                \
  G_GNUC_INTERNAL gboolean name##_forward (SalNode *node, SalTensor *const *in,            \
                                           SalTensor **out, void *scratch,                 \
                                           const SalExecCtx *ctx, GError **error);         \
  G_GNUC_INTERNAL gboolean name##_backward (SalNode *node, SalTensor *const *in,           \
                                            SalTensor *const *out, SalTensor *const *gout, \
                                            SalTensor **gin, void *scratch,                \
                                            const SalExecCtx *ctx, GError **error);

/* sal-ops-shape-index.c */
SAL_OP_DECLARE (sal_concat)
SAL_OP_DECLARE (sal_split)
SAL_OP_DECLARE (sal_slice)
SAL_OP_DECLARE (sal_gather)
SAL_OP_DECLARE (sal_expand)
SAL_OP_DECLARE (sal_tile)

/* sal-ops-shape-pad.c */
SAL_OP_DECLARE (sal_pad)

/* sal-ops-shape-values.c */
SAL_OP_DECLARE (sal_constant)
SAL_OP_DECLARE (sal_constant_of_shape)
SAL_OP_DECLARE (sal_cast)
SAL_OP_DECLARE (sal_range)
SAL_OP_DECLARE (sal_dropout)

/* y = x in another shape (a plain copy) and its backward dx += dy; sal-ops-shape.c */
G_GNUC_INTERNAL gboolean sal_op_copy_forward (SalNode *node, SalTensor *const *in,
                                              SalTensor **out, void *scratch,
                                              const SalExecCtx *ctx, GError **error);
G_GNUC_INTERNAL gboolean sal_op_copy_backward (SalNode *node, SalTensor *const *in,
                                               SalTensor *const *out,
                                               SalTensor *const *gout, SalTensor **gin,
                                               void *scratch, const SalExecCtx *ctx,
                                               GError **error);

G_END_DECLS
