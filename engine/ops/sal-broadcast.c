/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-broadcast.h"
#include "sal-error.h"

#include <string.h>

static char *
shapes_to_string (int n, SalTensor *const *in)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *one = NULL;

      if (in[i] == NULL)
        continue;
      one = sal_shape_to_string (in[i]->rank, in[i]->dims);
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, one);
    }
  return g_string_free (s, FALSE);
}

gboolean
sal_broadcast_shape (const char *op_type, int n, SalTensor *const *in,
                     int *out_rank, int64_t *out_dims, GError **error)
{
  int rank = 0;

  for (int i = 0; i < n; i++)
    if (in[i] != NULL)
      rank = MAX (rank, in[i]->rank);
  for (int d = 0; d < rank; d++)
    out_dims[d] = 1;
  for (int i = 0; i < n; i++)
    {
      if (in[i] == NULL)
        continue;
      for (int d = 0; d < in[i]->rank; d++)
        {
          int od = rank - in[i]->rank + d;
          int64_t v = in[i]->dims[d];

          if (v == out_dims[od] || v == 1)
            continue;
          if (out_dims[od] == 1)
            {
              out_dims[od] = v;
              continue;
            }
          {
            g_autofree char *shapes = shapes_to_string (n, in);
            g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                         "%s: input shapes %s cannot be broadcast together "
                         "(dimension %d from the right: %" G_GINT64_FORMAT " vs %"
                         G_GINT64_FORMAT ")", op_type, shapes, rank - od,
                         out_dims[od], v);
            return FALSE;
          }
        }
    }
  *out_rank = rank;
  return TRUE;
}

gboolean
sal_broadcast_to (const char *op_type, const char *what, const SalTensor *src,
                  const SalTensor *target, GError **error)
{
  gboolean ok = src->rank <= target->rank;

  for (int d = 0; ok && d < src->rank; d++)
    {
      int64_t v = src->dims[d], t = target->dims[target->rank - src->rank + d];
      ok = v == t || v == 1;
    }
  if (!ok)
    {
      g_autofree char *s = sal_shape_to_string (src->rank, src->dims);
      g_autofree char *t = sal_shape_to_string (target->rank, target->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s: %s of shape %s cannot be broadcast to the input shape %s",
                   op_type, what, s, t);
    }
  return ok;
}

void
sal_broadcast_init (SalBroadcast *b, int n, const SalTensor *const *operands)
{
  const SalTensor *full = operands[0];
  int64_t dims[SAL_MAX_RANK];
  int64_t strides[SAL_BROADCAST_MAX_OPERANDS][SAL_MAX_RANK];
  int rank = 0;

  g_assert (n >= 1 && n <= SAL_BROADCAST_MAX_OPERANDS);
  memset (b, 0, sizeof *b);
  b->n = n;
  b->numel = full->numel;

  /* Row-major strides of each operand aligned at the right; 0 where it has size 1. */
  for (int k = 0; k < n; k++)
    {
      const SalTensor *t = operands[k];
      int64_t s = 1;

      g_assert (t->rank <= full->rank);
      for (int d = full->rank - 1; d >= 0; d--)
        {
          int td = d - (full->rank - t->rank);
          int64_t v = td >= 0 ? t->dims[td] : 1;

          strides[k][d] = v == 1 ? 0 : s;
          s *= v;
        }
    }

  /* Drop size-1 output dimensions, then merge neighbours (outer a, inner c)
   * when every operand's stride satisfies stride[a] == stride[c] * dims[c]. */
  for (int d = 0; d < full->rank; d++)
    {
      gboolean merge = rank > 0;

      if (full->dims[d] == 1)
        continue;
      for (int k = 0; merge && k < n; k++)
        merge = strides[k][rank - 1] == strides[k][d] * full->dims[d];
      if (merge)
        {
          dims[rank - 1] *= full->dims[d];
          for (int k = 0; k < n; k++)
            strides[k][rank - 1] = strides[k][d];
        }
      else
        {
          dims[rank] = full->dims[d];
          for (int k = 0; k < n; k++)
            strides[k][rank] = strides[k][d];
          rank++;
        }
    }
  if (rank == 0)
    {
      /* A single element (or an empty tensor with only 0 or 1 dimensions). */
      dims[0] = full->numel;
      for (int k = 0; k < n; k++)
        strides[k][0] = operands[k]->numel > 1 ? 1 : 0;
      rank = 1;
    }
  b->rank = rank;
  memcpy (b->dims, dims, rank * sizeof (int64_t));
  for (int k = 0; k < n; k++)
    memcpy (b->strides[k], strides[k], rank * sizeof (int64_t));
}

void
sal_broadcast_iter_init (SalBroadcastIter *it, const SalBroadcast *b, int64_t start, int64_t end)
{
  int64_t rest = start;

  memset (it, 0, sizeof *it);
  it->b = b;
  it->pos = start;
  it->end = MIN (end, b->numel);
  if (start >= it->end)
    return;
  for (int d = b->rank - 1; d >= 0; d--)
    {
      it->idx[d] = rest % b->dims[d];
      rest /= b->dims[d];
      for (int k = 0; k < b->n; k++)
        it->off[k] += it->idx[d] * b->strides[k][d];
    }
}

gboolean
sal_broadcast_iter_next (SalBroadcastIter *it, int64_t *off, int64_t *len)
{
  const SalBroadcast *b = it->b;
  int last = b->rank - 1;
  int64_t run;

  if (it->pos >= it->end)
    return FALSE;
  run = MIN (b->dims[last] - it->idx[last], it->end - it->pos);
  memcpy (off, it->off, b->n * sizeof (int64_t));
  *len = run;

  it->pos += run;
  it->idx[last] += run;
  for (int k = 0; k < b->n; k++)
    it->off[k] += run * b->strides[k][last];
  for (int d = last; d > 0 && it->idx[d] == b->dims[d]; d--)
    {
      it->idx[d] = 0;
      it->idx[d - 1]++;
      for (int k = 0; k < b->n; k++)
        it->off[k] += b->strides[k][d - 1] - b->dims[d] * b->strides[k][d];
    }
  return TRUE;
}

void
sal_broadcast_reduce_add_f32 (const SalTensor *gout, SalTensor *gin, float scale)
{
  const SalTensor *ops[2] = { gout, gin };
  const float *g = sal_tensor_f32 (gout);
  float *gi = sal_tensor_f32 (gin);
  SalBroadcast b;
  SalBroadcastIter it;
  int64_t off[2], len, s;

  if (sal_tensor_same_shape (gout, gin))
    {
      SAL_FOR_CHUNKED (gout->numel, float, gi, +=, scale * g[i], (void) 0);
      return;
    }
  sal_broadcast_init (&b, 2, ops);
  s = sal_broadcast_inner_stride (&b, 1);
  sal_broadcast_iter_init (&it, &b, 0, b.numel);
  while (sal_broadcast_iter_next (&it, off, &len))
    {
      const float *gr = g + off[0];
      float *dst = gi + off[1];

      if (s == 0)
        {
          double acc = 0;
          for (int64_t j = 0; j < len; j++)
            acc += gr[j];
          *dst += (float) (scale * acc);
        }
      else
        for (int64_t j = 0; j < len; j++)
          dst[j] += scale * gr[j];
    }
}

/* Parallel maps */

typedef struct {
  const float *x, *y, *gy;
  float *out;
  SalUnaryF32 fn;
  SalUnaryGradF32 grad;
  const SalUnaryParams *p;
} UnaryJob;

static void
unary_range (int64_t i0, int64_t i1, gpointer data)
{
  UnaryJob *job = data;

  job->fn (i1 - i0, job->x + i0, job->out + i0, job->p);
}

static void
unary_grad_range (int64_t i0, int64_t i1, gpointer data)
{
  UnaryJob *job = data;

  job->grad (i1 - i0, job->x + i0, job->y != NULL ? job->y + i0 : NULL, job->gy + i0,
             job->out + i0, job->p);
}

void
sal_map_unary_f32 (const SalExecCtx *ctx, int64_t n, const float *x, float *y,
                   SalUnaryF32 fn, const SalUnaryParams *p)
{
  UnaryJob job = { .x = x, .out = y, .fn = fn, .p = p };

  if (n >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, n, unary_range, &job);
  else if (n > 0)
    fn (n, x, y, p);
}

void
sal_map_unary_grad_f32 (const SalExecCtx *ctx, int64_t n, const float *x, const float *y,
                        const float *gy, float *gx, SalUnaryGradF32 fn, const SalUnaryParams *p)
{
  UnaryJob job = { .x = x, .y = y, .gy = gy, .out = gx, .grad = fn, .p = p };

  if (n >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, n, unary_grad_range, &job);
  else if (n > 0)
    fn (n, x, y, gy, gx, p);
}

typedef struct {
  SalBroadcast b;
  const char *a, *bb;
  char *out;
  gsize sa, sb, so;        /* element sizes */
  SalBinaryKernel fn;
} BinaryJob;

static void
binary_range (int64_t i0, int64_t i1, gpointer data)
{
  BinaryJob *job = data;
  int64_t ia = sal_broadcast_inner_stride (&job->b, 1);
  int64_t ib = sal_broadcast_inner_stride (&job->b, 2);
  SalBroadcastIter it;
  int64_t off[3], len;

  sal_broadcast_iter_init (&it, &job->b, i0, i1);
  while (sal_broadcast_iter_next (&it, off, &len))
    job->fn (len, job->a + off[1] * job->sa, ia, job->bb + off[2] * job->sb, ib,
             job->out + off[0] * job->so);
}

void
sal_map_binary (const SalExecCtx *ctx, SalTensor *out, const SalTensor *a,
                const SalTensor *b, SalBinaryKernel fn)
{
  const SalTensor *ops[3] = { out, a, b };
  BinaryJob job = {
    .a = a->data, .bb = b->data, .out = out->data,
    .sa = sal_dtype_size (a->dtype), .sb = sal_dtype_size (b->dtype),
    .so = sal_dtype_size (out->dtype), .fn = fn,
  };

  if (out->numel == 0)
    return;
  sal_broadcast_init (&job.b, 3, ops);
  if (out->numel >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, out->numel, binary_range, &job);
  else
    binary_range (0, out->numel, &job);
}
