/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>
#include <gio/gio.h>

#include "sal-ir-fit.h"

/* Parameter vector order: p0, k1, tau1, k2, tau2. */
enum { P0, K1, T1, K2, T2, NP };

void
sal_ir_bounds_default (SalIrBounds *b)
{
  b->tau1_min = 20;
  b->tau1_max = 70;
  b->tau2_min = 3;
  b->tau2_max = 19;
  b->k_min = 1e-4;
  b->k_max = 0.2;
}

/* Fitness and fatigue sums for each day, and their derivatives wrt tau. */
static void
components (const double *load, int n, double tau, double *g, double *dg)
{
  double d = exp (-1.0 / tau), dd = d / (tau * tau);   /* d(e^(−1/τ))/dτ */
  double acc = 0, dacc = 0;

  for (int t = 0; t < n; t++)
    {
      if (t > 0)
        {
          /* acc_t = acc_{t−1}·d + w_{t−1} ⇒ dacc_t = dacc_{t−1}·d + acc_{t−1}·dd */
          dacc = dacc * d + acc * dd;
          acc = acc * d + load[t - 1];
        }
      g[t] = acc;
      if (dg)
        dg[t] = dacc;
    }
}

/* Solves the 3×3 least squares for p0, k1, k2 given the two component series. */
static double
solve_linear (const double *g1, const double *g2, const double *test, int n, double *p0,
              double *k1, double *k2)
{
  double A[3][3] = { { 0 } }, b[3] = { 0 }, x[3], sse = 0;
  int m = 0;

  for (int t = 0; t < n; t++)
    {
      double row[3] = { 1, g1[t], -g2[t] };
      if (isnan (test[t]))
        continue;
      m++;
      for (int i = 0; i < 3; i++)
        {
          b[i] += row[i] * test[t];
          for (int j = 0; j < 3; j++)
            A[i][j] += row[i] * row[j];
        }
    }
  /* Gaussian elimination with a tiny ridge for safety. */
  for (int i = 0; i < 3; i++)
    A[i][i] += 1e-9 * (1 + A[i][i]);
  for (int c = 0; c < 3; c++)
    for (int r = c + 1; r < 3; r++)
      {
        double f = A[r][c] / A[c][c];
        for (int k = c; k < 3; k++)
          A[r][k] -= f * A[c][k];
        b[r] -= f * b[c];
      }
  for (int r = 2; r >= 0; r--)
    {
      x[r] = b[r];
      for (int k = r + 1; k < 3; k++)
        x[r] -= A[r][k] * x[k];
      x[r] /= A[r][r];
    }
  *p0 = x[0];
  *k1 = x[1];
  *k2 = x[2];
  for (int t = 0; t < n; t++)
    if (!isnan (test[t]))
      {
        double e = x[0] + x[1] * g1[t] - x[2] * g2[t] - test[t];
        sse += e * e;
      }
  return m ? sse / m : INFINITY;
}

static void
clamp_params (double *p, const SalIrBounds *b)
{
  p[K1] = CLAMP (p[K1], b->k_min, b->k_max);
  p[K2] = CLAMP (p[K2], b->k_min, b->k_max);
  p[T1] = CLAMP (p[T1], b->tau1_min, b->tau1_max);
  p[T2] = CLAMP (p[T2], b->tau2_min, b->tau2_max);
}

/* Mean squared error and its gradient; jac (n_tests × NP) filled when non-NULL. */
static double
loss_grad (const double *p, const double *load, const double *test, int n,
           double *g1, double *dg1, double *g2, double *dg2, double *grad, double *jac)
{
  double sse = 0;
  int m = 0;

  components (load, n, p[T1], g1, dg1);
  components (load, n, p[T2], g2, dg2);
  for (int i = 0; i < NP; i++)
    grad[i] = 0;
  for (int t = 0; t < n; t++)
    {
      double e, J[NP];
      if (isnan (test[t]))
        continue;
      e = p[P0] + p[K1] * g1[t] - p[K2] * g2[t] - test[t];
      J[P0] = 1;
      J[K1] = g1[t];
      J[T1] = p[K1] * dg1[t];
      J[K2] = -g2[t];
      J[T2] = -p[K2] * dg2[t];
      for (int i = 0; i < NP; i++)
        grad[i] += 2 * e * J[i];
      if (jac)
        for (int i = 0; i < NP; i++)
          jac[m * NP + i] = J[i];
      sse += e * e;
      m++;
    }
  for (int i = 0; i < NP; i++)
    grad[i] /= m;
  return sse / m;
}

/* Inverts a symmetric positive matrix in place (Gauss–Jordan); FALSE when singular. */
static gboolean
invert (double *a, int n)
{
  g_autofree double *inv = g_new0 (double, n * n);

  for (int i = 0; i < n; i++)
    inv[i * n + i] = 1;
  for (int c = 0; c < n; c++)
    {
      int piv = c;
      for (int r = c + 1; r < n; r++)
        if (fabs (a[r * n + c]) > fabs (a[piv * n + c]))
          piv = r;
      if (fabs (a[piv * n + c]) < 1e-300)
        return FALSE;
      for (int k = 0; k < n; k++)
        {
          double t = a[c * n + k]; a[c * n + k] = a[piv * n + k]; a[piv * n + k] = t;
          t = inv[c * n + k]; inv[c * n + k] = inv[piv * n + k]; inv[piv * n + k] = t;
        }
      for (int r = 0; r < n; r++)
        if (r != c)
          {
            double f = a[r * n + c] / a[c * n + c];
            for (int k = 0; k < n; k++)
              {
                a[r * n + k] -= f * a[c * n + k];
                inv[r * n + k] -= f * inv[c * n + k];
              }
          }
    }
  /* The eliminated matrix is diagonal: scale each row of the inverse by its pivot. */
  for (int r = 0; r < n; r++)
    {
      double pivot = a[r * n + r];
      for (int k = 0; k < n; k++)
        a[r * n + k] = inv[r * n + k] / pivot;
    }
  return TRUE;
}

gboolean
sal_ir_fit (const double *load, const double *test, int n_days, const SalIrBounds *bounds,
            SalIrFit *out, GError **error)
{
  SalIrBounds defaults;
  g_autofree double *g1 = g_new (double, n_days), *g2 = g_new (double, n_days);
  g_autofree double *dg1 = g_new (double, n_days), *dg2 = g_new (double, n_days);
  g_autofree double *jac = NULL;
  double best[NP], best_mse = INFINITY, p[NP], m[NP] = { 0 }, v[NP] = { 0 }, grad[NP], scale[NP];
  int n_tests = 0;

  if (bounds == NULL)
    {
      sal_ir_bounds_default (&defaults);
      bounds = &defaults;
    }
  for (int t = 0; t < n_days; t++)
    n_tests += !isnan (test[t]);
  if (n_tests < 6)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Only %d performance tests were logged; at least 6 are needed to fit a fitness–fatigue model."),
                   n_tests);
      return FALSE;
    }

  /* Coarse grid over the decays; gains and baseline solved exactly at each point. */
  for (double t1 = bounds->tau1_min; t1 <= bounds->tau1_max + 1e-9; t1 += (bounds->tau1_max - bounds->tau1_min) / 10)
    {
      components (load, n_days, t1, g1, NULL);
      for (double t2 = bounds->tau2_min; t2 <= bounds->tau2_max + 1e-9; t2 += (bounds->tau2_max - bounds->tau2_min) / 8)
        {
          double q[NP], mse;
          components (load, n_days, t2, g2, NULL);
          mse = solve_linear (g1, g2, test, n_days, &q[P0], &q[K1], &q[K2]);
          q[T1] = t1;
          q[T2] = t2;
          clamp_params (q, bounds);
          if (mse < best_mse)
            {
              best_mse = mse;
              memcpy (best, q, sizeof best);
            }
        }
    }

  /* Adam on all five, with steps scaled to each parameter's range, projected onto the bounds. */
  memcpy (p, best, sizeof p);
  scale[P0] = 1.0;
  scale[K1] = scale[K2] = 0.002;
  scale[T1] = 1.0;
  scale[T2] = 0.5;
  best_mse = loss_grad (p, load, test, n_days, g1, dg1, g2, dg2, grad, NULL);
  memcpy (best, p, sizeof best);
  out->iterations = 0;
  for (int it = 1; it <= 3000; it++)
    {
      double mse;
      for (int i = 0; i < NP; i++)
        {
          double gs = grad[i] * scale[i];
          m[i] = 0.9 * m[i] + 0.1 * gs;
          v[i] = 0.999 * v[i] + 0.001 * gs * gs;
          p[i] -= 0.02 * scale[i] * (m[i] / (1 - pow (0.9, it))) / (sqrt (v[i] / (1 - pow (0.999, it))) + 1e-12);
        }
      clamp_params (p, bounds);
      mse = loss_grad (p, load, test, n_days, g1, dg1, g2, dg2, grad, NULL);
      if (mse < best_mse)
        {
          best_mse = mse;
          memcpy (best, p, sizeof best);
        }
      out->iterations = it;
    }

  out->params.p0 = best[P0];
  out->params.k1 = best[K1];
  out->params.tau1 = best[T1];
  out->params.k2 = best[K2];
  out->params.tau2 = best[T2];
  out->n_tests = n_tests;
  out->rmse = sqrt (best_mse);

  /* Uncertainty: covariance ≈ σ² (JᵀJ)⁻¹ at the optimum. */
  jac = g_new (double, (gsize) n_tests * NP);
  loss_grad (best, load, test, n_days, g1, dg1, g2, dg2, grad, jac);
  {
    double jtj[NP * NP] = { 0 }, sigma2 = best_mse * n_tests / MAX (n_tests - NP, 1);
    double se[NP];
    for (int r = 0; r < n_tests; r++)
      for (int i = 0; i < NP; i++)
        for (int j = 0; j < NP; j++)
          jtj[i * NP + j] += jac[r * NP + i] * jac[r * NP + j];
    if (invert (jtj, NP))
      for (int i = 0; i < NP; i++)
        se[i] = sqrt (MAX (jtj[i * NP + i], 0) * sigma2);
    else
      for (int i = 0; i < NP; i++)
        se[i] = INFINITY;
    out->stderr_.p0 = se[P0];
    out->stderr_.k1 = se[K1];
    out->stderr_.tau1 = se[T1];
    out->stderr_.k2 = se[K2];
    out->stderr_.tau2 = se[T2];
  }
  return TRUE;
}
