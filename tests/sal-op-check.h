/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Header-only helpers for operator tests: run one node through infer, prepare
 * and forward, and check its backward against central finite differences
 * computed in double precision. */

#include "sal-engine.h"
#include "sal-op.h"

#include <math.h>
#include <string.h>

#define SAL_CHECK_MAX_IO 8

static inline SalTensor *
sal_check_random (GRand *rng, int rank, const int64_t *dims, double lo, double hi)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) g_rand_double_range (rng, lo, hi);
  return t;
}

/* Values spaced at least `gap` apart in a random order: keeps max-pooling and
 * ReLU away from ties and kinks in finite-difference checks. */
static inline SalTensor *
sal_check_distinct (GRand *rng, int rank, const int64_t *dims, double gap)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);
  float *v = sal_tensor_f32 (t);

  for (int64_t i = 0; i < t->numel; i++)
    v[i] = (float) ((i - t->numel / 2) * gap + gap * 0.5);
  for (int64_t i = t->numel - 1; i > 0; i--)
    {
      int64_t j = g_rand_int_range (rng, 0, (gint32) (i + 1));
      float tmp = v[i];
      v[i] = v[j];
      v[j] = tmp;
    }
  return t;
}

static inline void
sal_check_free_outs (SalTensor **out, int n_out)
{
  for (int j = 0; j < n_out; j++)
    sal_tensor_free (out[j]);
}

/* Runs the node; out[] receives new tensors (NULL where want_out[j] is FALSE
 * when want_out is given). Returns FALSE with error set when any step fails. */
static inline gboolean
sal_check_run_full (SalNode *node, int n_in, SalTensor *const *in, int n_out,
                    const gboolean *want_out, SalTensor **out, int n_threads,
                    gboolean training, GError **error)
{
  int ins[SAL_CHECK_MAX_IO], outs[SAL_CHECK_MAX_IO];
  SalTensor *shape_out[SAL_CHECK_MAX_IO] = { NULL };
  gsize workspace = 0;
  gpointer scratch = NULL;
  SalExecCtx ctx = { n_threads, training, NULL, NULL };
  gboolean ok = FALSE;

  g_assert_cmpint (n_in, <=, SAL_CHECK_MAX_IO);
  g_assert_cmpint (n_out, <=, SAL_CHECK_MAX_IO);
  for (int i = 0; i < n_in; i++)
    ins[i] = in[i] != NULL ? i : -1;
  for (int j = 0; j < n_out; j++)
    outs[j] = want_out == NULL || want_out[j] ? n_in + j : -1;
  sal_node_set_io (node, n_in, ins, n_out, outs);
  if (node->def == NULL)
    node->def = sal_op_lookup (node->op_type);
  g_assert_nonnull (node->def);

  for (int j = 0; j < n_out; j++)
    {
      out[j] = NULL;
      if (outs[j] >= 0)
        shape_out[j] = g_new0 (SalTensor, 1);
    }
  if (!node->def->infer (node, in, shape_out, &workspace, error))
    goto done;
  if (node->prepared != NULL && node->prepared_free != NULL)
    node->prepared_free (node->prepared);
  node->prepared = NULL;
  node->prepared_free = NULL;
  if (node->def->prepare != NULL && !node->def->prepare (node, in, error))
    goto done;
  for (int j = 0; j < n_out; j++)
    if (shape_out[j] != NULL)
      {
        out[j] = sal_tensor_new (shape_out[j]->dtype, shape_out[j]->rank, shape_out[j]->dims,
                                 error);
        g_assert_nonnull (out[j]);
        /* poison, so an op that leaves elements unwritten is caught */
        if (out[j]->dtype == SAL_DTYPE_FLOAT)
          for (int64_t k = 0; k < out[j]->numel; k++)
            sal_tensor_f32 (out[j])[k] = NAN;
      }
  scratch = workspace > 0 ? sal_alloc (workspace) : NULL;
  ok = node->def->forward (node, in, out, scratch, &ctx, error);
  sal_free (scratch);
done:
  for (int j = 0; j < n_out; j++)
    {
      g_free (shape_out[j]);
      if (!ok)
        g_clear_pointer (&out[j], sal_tensor_free);
    }
  return ok;
}

static inline gboolean
sal_check_run (SalNode *node, int n_in, SalTensor *const *in, int n_out, SalTensor **out,
               GError **error)
{
  return sal_check_run_full (node, n_in, in, n_out, NULL, out, 1, FALSE, error);
}

static inline double
sal_check_loss (SalTensor *const *out, SalTensor *const *w, int n_out)
{
  double l = 0;

  for (int j = 0; j < n_out; j++)
    if (w[j] != NULL && out[j] != NULL)
      for (int64_t k = 0; k < out[j]->numel; k++)
        l += (double) sal_tensor_f32 (out[j])[k] * sal_tensor_f32 (w[j])[k];
  return l;
}

/* Checks backward: L = sum_j <out_j, R_j> for random R_j over the float outputs
 * selected by out_mask; gin of each input selected by in_mask against central
 * differences with step h. Returns the number of mismatches (and logs them). */
static inline int
sal_check_gradients_full (SalNode *node, int n_in, SalTensor *const *in_const, int n_out,
                          guint out_mask, guint in_mask, gboolean training, double h,
                          double rtol, double atol)
{
  SalTensor *in[SAL_CHECK_MAX_IO], *out[SAL_CHECK_MAX_IO], *w[SAL_CHECK_MAX_IO] = { NULL };
  SalTensor *gin[SAL_CHECK_MAX_IO] = { NULL };
  g_autoptr(GRand) rng = g_rand_new_with_seed (4242);
  g_autoptr(GError) error = NULL;
  SalExecCtx ctx = { 1, training, NULL, NULL };
  gsize workspace = 0;
  gpointer scratch;
  int bad = 0;

  for (int i = 0; i < n_in; i++)
    in[i] = in_const[i];
  g_assert_true (sal_check_run_full (node, n_in, in, n_out, NULL, out, 1, training, &error));
  g_assert_no_error (error);
  for (int j = 0; j < n_out; j++)
    if ((out_mask & (1u << j)) && out[j] != NULL && out[j]->dtype == SAL_DTYPE_FLOAT)
      w[j] = sal_check_random (rng, out[j]->rank, out[j]->dims, -1, 1);
  for (int i = 0; i < n_in; i++)
    if ((in_mask & (1u << i)) && in[i] != NULL)
      gin[i] = sal_tensor_new_f32 (in[i]->rank, in[i]->dims);

  {
    SalTensor *shape_out[SAL_CHECK_MAX_IO];
    for (int j = 0; j < n_out; j++)
      shape_out[j] = g_new0 (SalTensor, 1);
    g_assert_true (node->def->infer (node, in, shape_out, &workspace, &error));
    for (int j = 0; j < n_out; j++)
      g_free (shape_out[j]);
  }
  scratch = workspace > 0 ? sal_alloc (workspace) : NULL;
  g_assert_nonnull (node->def->backward);
  g_assert_true (node->def->backward (node, in, out, w, gin, scratch, &ctx, &error));
  g_assert_no_error (error);
  if (node->def->backward_sets)
    {
      /* Storing mode (the engine's first gradient of a value): into buffers
       * full of NaN, the op must write every element, with the same values. */
      SalTensor *gset[SAL_CHECK_MAX_IO] = { NULL };
      SalExecCtx set_ctx = ctx;
      set_ctx.grad_set = in_mask;
      for (int i = 0; i < n_in; i++)
        if (gin[i] != NULL)
          {
            gset[i] = sal_tensor_new_f32 (in[i]->rank, in[i]->dims);
            for (int64_t k = 0; k < gset[i]->numel; k++)
              sal_tensor_f32 (gset[i])[k] = NAN;
          }
      g_assert_true (node->def->backward (node, in, out, w, gset, scratch, &set_ctx, &error));
      g_assert_no_error (error);
      for (int i = 0; i < n_in; i++)
        if (gset[i] != NULL)
          {
            for (int64_t k = 0; k < gset[i]->numel; k++)
              {
                float a = sal_tensor_f32 (gin[i])[k], b = sal_tensor_f32 (gset[i])[k];
                if (!(a == b || (isnan (a) && isnan (b))))
                  {
                    g_test_message ("%s: storing backward, input %d [%" G_GINT64_FORMAT
                                    "]: %.9g, adding from zero: %.9g", node->op_type, i, k, b, a);
                    bad++;
                  }
              }
            sal_tensor_free (gset[i]);
          }
    }
  sal_free (scratch);
  sal_check_free_outs (out, n_out);

  for (int i = 0; i < n_in; i++)
    {
      SalTensor *x;
      if (gin[i] == NULL)
        continue;
      x = sal_tensor_copy (in[i]);
      in[i] = x;
      for (int64_t k = 0; k < x->numel; k++)
        {
          float *v = &sal_tensor_f32 (x)[k];
          float saved = *v;
          double lp, lm, fd, an = sal_tensor_f32 (gin[i])[k];
          *v = (float) (saved + h);
          g_assert_true (sal_check_run_full (node, n_in, in, n_out, NULL, out, 1, training,
                                             NULL));
          lp = sal_check_loss (out, w, n_out);
          sal_check_free_outs (out, n_out);
          *v = (float) (saved - h);
          g_assert_true (sal_check_run_full (node, n_in, in, n_out, NULL, out, 1, training,
                                             NULL));
          lm = sal_check_loss (out, w, n_out);
          sal_check_free_outs (out, n_out);
          *v = saved;
          fd = (lp - lm) / (((double) (float) (saved + h)) - ((double) (float) (saved - h)));
          if (fabs (an - fd) > atol + rtol * MAX (fabs (an), fabs (fd)))
            {
              if (bad < 10)
                g_test_message ("%s: d/d input %d [%" G_GINT64_FORMAT "]: backward %.6g,"
                                " finite difference %.6g", node->op_type, i, k, an, fd);
              bad++;
            }
        }
      in[i] = in_const[i];
      sal_tensor_free (x);
    }
  for (int j = 0; j < n_out; j++)
    sal_tensor_free (w[j]);
  for (int i = 0; i < n_in; i++)
    sal_tensor_free (gin[i]);
  return bad;
}

static inline void
sal_check_gradients (SalNode *node, int n_in, SalTensor *const *in, int n_out, guint in_mask,
                     double h)
{
  int bad = sal_check_gradients_full (node, n_in, in, n_out, 1u, in_mask, FALSE, h, 1e-2, 1e-3);

  g_assert_cmpint (bad, ==, 0);
}

/* Compares float results against a double reference. */
static inline void
sal_check_close (const float *got, const double *want, int64_t n, double rtol, double atol)
{
  for (int64_t i = 0; i < n; i++)
    if (!(fabs (got[i] - want[i]) <= atol + rtol * fabs (want[i])))
      {
        g_test_message ("element %" G_GINT64_FORMAT ": got %.8g, expected %.8g", i,
                        (double) got[i], want[i]);
        g_assert_cmpfloat_with_epsilon (got[i], want[i], atol + rtol * fabs (want[i]));
      }
}
