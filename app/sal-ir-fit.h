/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "sal-athlete-sim.h"

G_BEGIN_DECLS

/* Bounds on the impulse-response parameters a fit may take. */
typedef struct {
  double tau1_min, tau1_max;   /* fitness decay, days */
  double tau2_min, tau2_max;   /* fatigue decay, days; tau2_max < tau1_min keeps them apart */
  double k_min, k_max;         /* gains, both */
} SalIrBounds;

typedef struct {
  SalIrParams params;
  SalIrParams stderr_;    /* standard error of each parameter (from the Gauss–Newton
                           * covariance at the optimum; large when parameters trade off) */
  double      rmse;       /* fit residual on the tests used */
  int         n_tests;    /* tests the fit rests on */
  int         iterations;
} SalIrFit;

void sal_ir_bounds_default (SalIrBounds *b);

/* Fits p0, k1, τ1, k2, τ2 to the performance tests (NAN = no test that day)
 * given the daily loads, by projected gradient descent (Adam) on the squared
 * error, started from the best point of a coarse τ grid where p0, k1, k2 are
 * solved exactly (they enter linearly). Needs at least 6 tests. */
gboolean sal_ir_fit (const double *load, const double *test, int n_days,
                     const SalIrBounds *bounds, SalIrFit *out, GError **error);

G_END_DECLS
