/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Runs one operator outside a graph, for the shape, resize and recurrent op
 * tests: infer, forward, backward, and a finite-difference gradient check.
 * Header-only so each test links alone. */

#include <glib.h>
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-op.h"

#define SAL_OPT_MAX 16

typedef struct {
  SalNode        *node;
  const SalOpDef *def;
  int             n_in, n_out;
  SalTensor      *in[SAL_OPT_MAX];    /* borrowed from the caller; NULL when absent */
  SalTensor      *out[SAL_OPT_MAX];   /* owned; NULL when absent */
  gsize           ws;
  void           *scratch;
  SalExecCtx      ctx;
  guint32         seed;               /* re-seeds ctx.rng before every forward, when set */
} SalOpRun;

static inline void
sal_op_run_free (SalOpRun *run)
{
  if (run == NULL)
    return;
  for (int i = 0; i < run->n_out; i++)
    sal_tensor_free (run->out[i]);
  g_free (run->scratch);
  sal_node_free (run->node);
  if (run->ctx.rng != NULL)
    g_rand_free (run->ctx.rng);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalOpRun, sal_op_run_free)

/* Takes the node; `in` are borrowed (NULL for an absent optional input);
 * `out_present` says which of the n_out outputs exist (NULL: all). Runs infer
 * and allocates the outputs. */
static inline SalOpRun *
sal_op_run_new (SalNode *node, int n_in, SalTensor *const *in, int n_out,
                const gboolean *out_present, GError **error)
{
  g_autoptr(SalOpRun) run = g_new0 (SalOpRun, 1);
  int ins[SAL_OPT_MAX], outs[SAL_OPT_MAX];

  g_assert (n_in <= SAL_OPT_MAX && n_out <= SAL_OPT_MAX);
  run->node = node;
  run->n_in = n_in;
  run->n_out = n_out;
  run->ctx.n_threads = 1;
  run->def = sal_op_lookup (node->op_type);
  g_assert_nonnull (run->def);
  node->def = run->def;
  for (int i = 0; i < n_in; i++)
    {
      run->in[i] = in[i];
      ins[i] = in[i] != NULL ? i : -1;
    }
  for (int i = 0; i < n_out; i++)
    {
      gboolean present = out_present == NULL || out_present[i];
      outs[i] = present ? n_in + i : -1;
      if (present)
        run->out[i] = g_new0 (SalTensor, 1);
    }
  sal_node_set_io (node, n_in, ins, n_out, outs);
  if (!run->def->infer (node, run->in, run->out, &run->ws, error))
    return NULL;
  for (int i = 0; i < n_out; i++)
    if (run->out[i] != NULL)
      {
        SalTensor *t = sal_tensor_new (run->out[i]->dtype, run->out[i]->rank,
                                       run->out[i]->dims, error);
        if (t == NULL)
          return NULL;
        sal_tensor_free (run->out[i]);
        run->out[i] = t;
      }
  run->scratch = g_malloc0 (run->ws + 1);
  if (run->def->prepare != NULL && !run->def->prepare (node, run->in, error))
    return NULL;
  return g_steal_pointer (&run);
}

static inline gboolean
sal_op_run_forward (SalOpRun *run, GError **error)
{
  if (run->ctx.rng != NULL && run->seed != 0)
    g_rand_set_seed (run->ctx.rng, run->seed);
  return run->def->forward (run->node, run->in, run->out, run->scratch, &run->ctx, error);
}

/* Builds, infers and runs; asserts success. */
static inline SalOpRun *
sal_op_run (SalNode *node, int n_in, SalTensor *const *in, int n_out)
{
  g_autoptr(GError) error = NULL;
  SalOpRun *run = sal_op_run_new (node, n_in, in, n_out, NULL, &error);

  if (run == NULL)
    g_error ("%s: %s", node->op_type, error->message);
  sal_op_run_forward (run, &error);
  g_assert_no_error (error);
  return run;
}

/* Expects infer (or, when infer passes, forward) to fail with `code`. */
static inline void
sal_op_expect_error (SalNode *node, int n_in, SalTensor *const *in, int n_out, int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalOpRun) run = sal_op_run_new (node, n_in, in, n_out, NULL, &error);

  if (run != NULL)
    g_assert_false (sal_op_run_forward (run, &error));
  g_assert_error (error, SAL_ERROR, code);
  g_test_message ("expected error: %s", error->message);
}

/* ------------------------------------------------------------ tensor builders */

static inline SalTensor *
sal_t_f32 (int rank, const int64_t *dims, const float *vals)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  if (vals != NULL && t->numel > 0)
    memcpy (t->data, vals, t->numel * sizeof (float));
  return t;
}

static inline SalTensor *
sal_t_i64 (int rank, const int64_t *dims, const int64_t *vals)
{
  SalTensor *t = sal_tensor_new (SAL_DTYPE_INT64, rank, dims, NULL);

  if (vals != NULL && t->numel > 0)
    memcpy (t->data, vals, t->numel * sizeof (int64_t));
  return t;
}

/* A 1-D int64 tensor of n values. */
static inline SalTensor *
sal_t_ints (int n, const int64_t *vals)
{
  int64_t d = n;

  return sal_t_i64 (1, &d, vals);
}

static inline SalTensor *
sal_t_rand (GRand *rng, int rank, const int64_t *dims)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) g_rand_double_range (rng, -1.0, 1.0);
  return t;
}

static inline void
sal_assert_f32_close (const SalTensor *got, const float *want, int64_t n, double atol,
                      double rtol)
{
  g_assert_cmpint (got->dtype, ==, SAL_DTYPE_FLOAT);
  g_assert_cmpint (got->numel, ==, n);
  for (int64_t i = 0; i < n; i++)
    {
      double a = sal_tensor_f32 (got)[i], b = want[i];
      if (!(fabs (a - b) <= atol + rtol * fabs (b)))
        g_error ("element %" G_GINT64_FORMAT ": got %.7g, want %.7g", i, a, b);
    }
}

static inline void
sal_assert_shape (const SalTensor *t, int rank, const int64_t *dims)
{
  g_autofree char *got = sal_shape_to_string (t->rank, t->dims);
  g_autofree char *want = sal_shape_to_string (rank, dims);

  g_assert_cmpstr (got, ==, want);
}

/* ------------------------------------------------------- finite differences */

static inline double
sal_op_run_loss (SalOpRun *run, SalTensor *const *w)
{
  g_autoptr(GError) error = NULL;
  double loss = 0;

  sal_op_run_forward (run, &error);
  g_assert_no_error (error);
  for (int j = 0; j < run->n_out; j++)
    if (w[j] != NULL)
      for (int64_t k = 0; k < w[j]->numel; k++)
        loss += (double) sal_tensor_f32 (w[j])[k] * sal_tensor_f32 (run->out[j])[k];
  return loss;
}

/* Checks backward against central differences of L = sum_j <w_j, y_j> with
 * random w_j, for the float inputs whose bit is set in `diff_mask` and the
 * float outputs whose bit is set in `out_mask`. Returns the worst relative error. */
static inline double
sal_op_grad_check (SalOpRun *run, guint diff_mask, guint out_mask, double eps,
                   double rtol, double atol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (4242);
  SalTensor *w[SAL_OPT_MAX] = { NULL }, *gin[SAL_OPT_MAX] = { NULL };
  double worst = 0;

  for (int j = 0; j < run->n_out; j++)
    if ((out_mask & (1u << j)) && run->out[j] != NULL && run->out[j]->dtype == SAL_DTYPE_FLOAT)
      w[j] = sal_t_rand (rng, run->out[j]->rank, run->out[j]->dims);
  for (int i = 0; i < run->n_in; i++)
    if ((diff_mask & (1u << i)) && run->in[i] != NULL)
      gin[i] = sal_tensor_new_f32 (run->in[i]->rank, run->in[i]->dims);
  sal_op_run_forward (run, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run->def->backward);
  run->def->backward (run->node, run->in, run->out, w, gin, run->scratch, &run->ctx, &error);
  g_assert_no_error (error);
  for (int i = 0; i < run->n_in; i++)
    {
      if (gin[i] == NULL)
        continue;
      for (int64_t k = 0; k < run->in[i]->numel; k++)
        {
          float *x = sal_tensor_f32 (run->in[i]) + k, x0 = *x;
          double lp, lm, num, ana = sal_tensor_f32 (gin[i])[k], err;
          *x = (float) (x0 + eps);
          lp = sal_op_run_loss (run, w);
          *x = (float) (x0 - eps);
          lm = sal_op_run_loss (run, w);
          *x = x0;
          num = (lp - lm) / (2 * eps);
          err = fabs (ana - num) / (atol + rtol * MAX (fabs (ana), fabs (num)));
          worst = MAX (worst, err * rtol);
          if (err > 1.0)
            g_error ("%s: d input %d [%" G_GINT64_FORMAT "]: backward %.6g, "
                     "finite difference %.6g", run->node->op_type, i, k, ana, num);
        }
      sal_tensor_free (gin[i]);
    }
  for (int j = 0; j < run->n_out; j++)
    sal_tensor_free (w[j]);
  return worst;
}
