/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Header-only helpers for operator tests: build one node with its inputs, run
 * SalOpDef.infer, allocate the outputs, run forward and backward, compare
 * values, and check gradients by central finite differences.
 *
 *   g_autoptr(SalOpTest) t = sal_op_test_new ("Add", 13);
 *   sal_op_test_add_input (t, sal_op_test_f32 (2, (int64_t[]) { 2, 3 }, x));
 *   sal_op_test_add_input (t, sal_op_test_f32 (1, (int64_t[]) { 3 }, y));
 *   sal_op_test_run (t);                       // asserts on any error
 *   sal_op_test_assert_f32 (sal_op_test_output (t, 0), expect, 1e-6, 1e-6);
 *   sal_op_test_grad_check (t, 42, 1e-2);      // every float input
 *
 * Values are given in row-major order. Tensors added are owned by the test. */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-node.h"
#include "sal-op.h"

typedef struct {
  SalNode        *node;
  const SalOpDef *def;
  GPtrArray      *in;        /* SalTensor* or NULL (absent optional input) */
  GPtrArray      *out;       /* SalTensor*, allocated by sal_op_test_infer */
  int             n_outputs;
  gsize           workspace;
  void           *scratch;
  SalExecCtx      ctx;
} SalOpTest;

static inline void
sal_op_test_free (SalOpTest *t)
{
  if (t == NULL)
    return;
  sal_node_free (t->node);
  g_ptr_array_unref (t->in);
  g_ptr_array_unref (t->out);
  g_free (t->scratch);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalOpTest, sal_op_test_free)

static inline void
sal_op_test_free_tensor (gpointer p)
{
  sal_tensor_free (p);
}

/* A test node of `op_type` at default-domain `opset`, with one output. */
static inline SalOpTest *
sal_op_test_new (const char *op_type, int opset)
{
  SalOpTest *t = g_new0 (SalOpTest, 1);

  t->node = sal_node_new (op_type, "test-node", opset);
  t->def = sal_op_lookup (op_type);
  if (t->def == NULL)
    g_error ("operator %s is not registered", op_type);
  t->node->def = t->def;
  t->in = g_ptr_array_new_with_free_func (sal_op_test_free_tensor);
  t->out = g_ptr_array_new_with_free_func (sal_op_test_free_tensor);
  t->n_outputs = 1;
  t->ctx.n_threads = 1;
  return t;
}

static inline void
sal_op_test_set_n_outputs (SalOpTest *t, int n_outputs)
{
  t->n_outputs = n_outputs;
}

/* Takes ownership; NULL adds an absent optional input. */
static inline void
sal_op_test_add_input (SalOpTest *t, SalTensor *tensor)
{
  g_ptr_array_add (t->in, tensor);
}

static inline SalTensor *
sal_op_test_input (SalOpTest *t, int i)
{
  return g_ptr_array_index (t->in, i);
}

static inline SalTensor *
sal_op_test_output (SalOpTest *t, int i)
{
  g_assert_cmpuint (i, <, t->out->len);
  return g_ptr_array_index (t->out, i);
}

/* Tensor builders: `values` may be NULL (zeros). */
static inline SalTensor *
sal_op_test_tensor (SalDType dtype, int rank, const int64_t *dims, const void *values)
{
  g_autoptr(GError) error = NULL;
  SalTensor *x = sal_tensor_new (dtype, rank, dims, &error);

  g_assert_no_error (error);
  if (values != NULL && x->numel > 0)
    memcpy (x->data, values, sal_tensor_nbytes (x));
  return x;
}

static inline SalTensor *
sal_op_test_f32 (int rank, const int64_t *dims, const float *values)
{
  return sal_op_test_tensor (SAL_DTYPE_FLOAT, rank, dims, values);
}

static inline SalTensor *
sal_op_test_i64 (int rank, const int64_t *dims, const int64_t *values)
{
  return sal_op_test_tensor (SAL_DTYPE_INT64, rank, dims, values);
}

static inline SalTensor *
sal_op_test_bool (int rank, const int64_t *dims, const guint8 *values)
{
  return sal_op_test_tensor (SAL_DTYPE_BOOL, rank, dims, values);
}

/* A float tensor with values uniform in [lo, hi) from a seeded generator. */
static inline SalTensor *
sal_op_test_random_f32 (GRand *rng, int rank, const int64_t *dims, double lo, double hi)
{
  SalTensor *x = sal_op_test_f32 (rank, dims, NULL);

  for (int64_t i = 0; i < x->numel; i++)
    sal_tensor_f32 (x)[i] = (float) g_rand_double_range (rng, lo, hi);
  return x;
}

/* Runs infer; on success allocates the outputs and scratch. Returns FALSE with
 * the op's error otherwise (for tests of error messages). */
static inline gboolean
sal_op_test_infer (SalOpTest *t, GError **error)
{
  g_autofree int *in_idx = g_new0 (int, t->in->len + 1);
  g_autofree int *out_idx = g_new0 (int, t->n_outputs + 1);
  g_autofree SalTensor **shells = g_new0 (SalTensor *, t->n_outputs + 1);
  g_autofree SalTensor *shell_mem = g_new0 (SalTensor, t->n_outputs + 1);

  for (guint i = 0; i < t->in->len; i++)
    in_idx[i] = g_ptr_array_index (t->in, i) != NULL ? (int) i : -1;
  for (int j = 0; j < t->n_outputs; j++)
    {
      out_idx[j] = (int) t->in->len + j;
      shells[j] = &shell_mem[j];
    }
  sal_node_set_io (t->node, t->in->len, in_idx, t->n_outputs, out_idx);
  g_ptr_array_set_size (t->out, 0);
  g_clear_pointer (&t->scratch, g_free);
  t->workspace = 0;
  if (!t->def->infer (t->node, (SalTensor *const *) t->in->pdata, shells, &t->workspace, error))
    return FALSE;
  for (int j = 0; j < t->n_outputs; j++)
    {
      SalTensor *o = sal_tensor_new (shells[j]->dtype, shells[j]->rank, shells[j]->dims, error);
      if (o == NULL)
        return FALSE;
      g_ptr_array_add (t->out, o);
    }
  t->scratch = g_malloc0 (MAX (t->workspace, 1));
  return TRUE;
}

static inline gboolean
sal_op_test_forward (SalOpTest *t, GError **error)
{
  return t->def->forward (t->node, (SalTensor *const *) t->in->pdata,
                          (SalTensor **) t->out->pdata, t->scratch, &t->ctx, error);
}

/* infer + forward, asserting success. */
static inline void
sal_op_test_run (SalOpTest *t)
{
  g_autoptr(GError) error = NULL;

  if (t->def->prepare != NULL)
    {
      t->def->prepare (t->node, (SalTensor *const *) t->in->pdata, &error);
      g_assert_no_error (error);
    }
  sal_op_test_infer (t, &error);
  g_assert_no_error (error);
  sal_op_test_forward (t, &error);
  g_assert_no_error (error);
}

/* Asserts infer fails and its message contains every NULL-terminated fragment. */
G_GNUC_NULL_TERMINATED static inline void
sal_op_test_assert_infer_fails (SalOpTest *t, const char *first_fragment, ...)
{
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_assert_false (sal_op_test_infer (t, &error));
  g_assert_nonnull (error);
  va_start (ap, first_fragment);
  for (const char *f = first_fragment; f != NULL; f = va_arg (ap, const char *))
    if (strstr (error->message, f) == NULL)
      g_error ("error message \"%s\" lacks \"%s\"", error->message, f);
  va_end (ap);
}

static inline void
sal_op_test_assert_shape (const SalTensor *x, SalDType dtype, int rank, const int64_t *dims)
{
  g_assert_cmpint (x->dtype, ==, dtype);
  g_assert_cmpint (x->rank, ==, rank);
  for (int i = 0; i < rank; i++)
    g_assert_cmpint (x->dims[i], ==, dims[i]);
}

/* |x - expect| <= atol + rtol * |expect| elementwise; NaN matches NaN. */
static inline void
sal_op_test_assert_f32 (const SalTensor *x, const float *expect, double rtol, double atol)
{
  g_assert_cmpint (x->dtype, ==, SAL_DTYPE_FLOAT);
  for (int64_t i = 0; i < x->numel; i++)
    {
      double a = sal_tensor_f32 (x)[i], e = expect[i];

      if (isnan (e) && isnan (a))
        continue;
      if (isinf (e) && a == e)
        continue;
      if (!(fabs (a - e) <= atol + rtol * fabs (e)))
        g_error ("element %" G_GINT64_FORMAT ": got %.9g, expected %.9g", i, a, e);
    }
}

static inline void
sal_op_test_assert_i64 (const SalTensor *x, const int64_t *expect)
{
  g_assert_cmpint (x->dtype, ==, SAL_DTYPE_INT64);
  for (int64_t i = 0; i < x->numel; i++)
    if (sal_tensor_i64 (x)[i] != expect[i])
      g_error ("element %" G_GINT64_FORMAT ": got %" G_GINT64_FORMAT ", expected %"
               G_GINT64_FORMAT, i, sal_tensor_i64 (x)[i], expect[i]);
}

static inline void
sal_op_test_assert_bool (const SalTensor *x, const guint8 *expect)
{
  g_assert_cmpint (x->dtype, ==, SAL_DTYPE_BOOL);
  for (int64_t i = 0; i < x->numel; i++)
    if (sal_tensor_u8 (x)[i] != expect[i])
      g_error ("element %" G_GINT64_FORMAT ": got %u, expected %u", i,
               sal_tensor_u8 (x)[i], expect[i]);
}

/* L = sum_j sum_k w_j[k] * out_j[k], in double. */
static inline double
sal_op_test_weighted_loss (SalOpTest *t, SalTensor **w)
{
  g_autoptr(GError) error = NULL;
  double loss = 0;

  sal_op_test_forward (t, &error);
  g_assert_no_error (error);
  for (guint j = 0; j < t->out->len; j++)
    if (w[j] != NULL)
      {
        SalTensor *o = g_ptr_array_index (t->out, j);
        for (int64_t k = 0; k < o->numel; k++)
          loss += (double) sal_tensor_f32 (w[j])[k] * sal_tensor_f32 (o)[k];
      }
  return loss;
}

/* Finite-difference check of backward for the float inputs whose bit is set in
 * `input_mask` (all float inputs when 0). Runs infer + forward itself. The
 * gradients are pre-filled with random values to check that backward adds
 * (+=) instead of overwriting. The comparison per element is
 * |analytic - numeric| <= rtol * max(|analytic|, |numeric|) + rtol / 10,
 * with step eps = 1e-3 * max(1, |x|). Returns the largest relative error. */
static inline double
sal_op_test_grad_check_mask (SalOpTest *t, guint64 seed, double rtol, guint input_mask)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed ((guint32) seed);
  g_autoptr(GError) error = NULL;
  g_autofree SalTensor **w = NULL;
  g_autofree SalTensor **gin = NULL;
  g_autofree SalTensor **gin0 = NULL;
  double worst = 0;

  g_assert_nonnull (t->def->backward);
  sal_op_test_run (t);
  w = g_new0 (SalTensor *, t->out->len + 1);
  for (guint j = 0; j < t->out->len; j++)
    {
      SalTensor *o = g_ptr_array_index (t->out, j);
      if (o->dtype == SAL_DTYPE_FLOAT)
        w[j] = sal_op_test_random_f32 (rng, o->rank, o->dims, -1.0, 1.0);
    }
  gin = g_new0 (SalTensor *, t->in->len + 1);
  gin0 = g_new0 (SalTensor *, t->in->len + 1);
  for (guint i = 0; i < t->in->len; i++)
    {
      SalTensor *x = g_ptr_array_index (t->in, i);
      if (x == NULL || x->dtype != SAL_DTYPE_FLOAT)
        continue;
      if (input_mask != 0 && !(input_mask & (1u << i)))
        continue;
      gin0[i] = sal_op_test_random_f32 (rng, x->rank, x->dims, -0.5, 0.5);
      gin[i] = sal_tensor_copy (gin0[i]);
    }
  t->def->backward (t->node, (SalTensor *const *) t->in->pdata, (SalTensor *const *) t->out->pdata,
                    w, gin, t->scratch, &t->ctx, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < t->in->len; i++)
    {
      SalTensor *x = g_ptr_array_index (t->in, i);
      if (gin[i] == NULL)
        continue;
      for (int64_t k = 0; k < x->numel; k++)
        {
          float *px = &sal_tensor_f32 (x)[k];
          float x0 = *px;
          double eps = 1e-3 * MAX (1.0, fabs (x0));
          double lp, lm, num, ana, err;

          *px = (float) (x0 + eps);
          lp = sal_op_test_weighted_loss (t, w);
          *px = (float) (x0 - eps);
          lm = sal_op_test_weighted_loss (t, w);
          *px = x0;
          /* the step actually taken in float */
          num = (lp - lm) / ((double) (float) (x0 + eps) - (double) (float) (x0 - eps));
          ana = (double) sal_tensor_f32 (gin[i])[k] - sal_tensor_f32 (gin0[i])[k];
          err = fabs (ana - num) / MAX (MAX (fabs (ana), fabs (num)), 1e-3);
          worst = MAX (worst, err);
          if (!(fabs (ana - num) <= rtol * MAX (fabs (ana), fabs (num)) + rtol / 10))
            g_error ("%s (opset %d): gradient of input %u element %" G_GINT64_FORMAT
                     " (x = %g): backward %.6g, finite difference %.6g",
                     t->node->op_type, t->node->opset, i, k, x0, ana, num);
        }
    }
  sal_op_test_weighted_loss (t, w);   /* leave the outputs as they were */
  for (guint j = 0; j < t->out->len; j++)
    sal_tensor_free (w[j]);
  for (guint i = 0; i < t->in->len; i++)
    {
      sal_tensor_free (gin[i]);
      sal_tensor_free (gin0[i]);
    }
  return worst;
}

static inline double
sal_op_test_grad_check (SalOpTest *t, guint64 seed, double rtol)
{
  return sal_op_test_grad_check_mask (t, seed, rtol, 0);
}
