/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sal-readiness.h"

G_BEGIN_DECLS

typedef struct _SalStore SalStore;

/* Today's readiness for the Fitness overview: the shipped readiness model, fine-tuned on
 * the person's history when it has at least 6 performance tests (sal-readiness.h), applied
 * to today's 8 factors; a suggested session; and the exact Shapley value of each factor
 * (all 2^8 coalitions, interventional, over a background of the person's own last 28
 * days with factors) from the engine's SAL_EXPLAIN_SHAPLEY.
 *
 * Suggested session from readiness R (0..10, 5 = as usual) and L, the mean load of the
 * training days of the last 28 days:
 *   R < 3 rest (0); 3 ≤ R < 4.5 easy (0.6 L); 4.5 ≤ R < 6.5 moderate (L); R ≥ 6.5 hard (1.5 L). */
typedef struct {
  gboolean available;          /* today has all 8 factors */
  double   readiness;          /* predicted readiness for tomorrow's session, 0..10 */
  const char *session;         /* "rest", "easy", "moderate", "hard" */
  double   target_load;        /* TRIMP */
  double   factors[SAL_READINESS_N_FEATURES];
  double   shapley[SAL_READINESS_N_FEATURES];
  double   expected;           /* E[f] over the background */
  double   efficiency_gap;     /* |Σφ − (f(x) − E[f])| */
  int      n_days;             /* days of history */
  int      n_wellness;         /* days with a wellness entry */
  int      n_tests;
  int      n_background;
  gboolean fine_tuned;
  char    *history;            /* one sentence: what it rests on, plainly */
} SalReadinessCard;

void              sal_readiness_card_free    (SalReadinessCard *card);
SalReadinessCard *sal_readiness_card_compute (SalStore     *store,
                                              GTimeZone    *tz,
                                              gint64        today,
                                              const char   *model_path,
                                              GCancellable *cancellable,
                                              GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalReadinessCard, sal_readiness_card_free)

G_END_DECLS
