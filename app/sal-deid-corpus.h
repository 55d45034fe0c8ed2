/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sal-deid.h"

G_BEGIN_DECLS

/* Generated clinical-style notes with every identifier annotated, for measuring the
 * de-identifier. Two sets with disjoint templates, name, place and distractor lists:
 * DEVELOPMENT (the rules were tuned on it) and HELD_OUT (written before the rules and
 * never used while tuning them). Everything is made up. */
typedef enum {
  SAL_DEID_CORPUS_DEVELOPMENT,
  SAL_DEID_CORPUS_HELD_OUT,
} SalDeidCorpusSet;

typedef struct {
  char   *text;
  GArray *gold;   /* SalDeidSpan, in text order */
} SalDeidCorpusNote;

GPtrArray *sal_deid_corpus_generate (SalDeidCorpusSet set,
                                     guint            n_notes,
                                     guint32          seed);
void       sal_deid_corpus_note_free (SalDeidCorpusNote *note);
char      *sal_deid_corpus_overlap  (void);

/* Span-level scores of `found` against `gold` over many notes: a gold span is recalled
 * when found spans cover every byte of it; a found span is precise when it overlaps a
 * gold span. */
typedef struct {
  guint gold_total;
  guint gold_recalled;
  guint found_total;
  guint found_correct;
  guint per_category_gold[SAL_DEID_N_CATEGORIES];
  guint per_category_missed[SAL_DEID_N_CATEGORIES];
} SalDeidScore;

void       sal_deid_score_add       (SalDeidScore *score,
                                     const char   *text,
                                     GArray       *gold,
                                     GArray       *found,
                                     GString      *misses);
double     sal_deid_score_recall    (const SalDeidScore *score);
double     sal_deid_score_precision (const SalDeidScore *score);

G_END_DECLS
