/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by sal-deid.c (patterns, merging, replacement) and sal-deid-names.c. */

#include "sal-deid.h"

G_BEGIN_DECLS

typedef struct {
  GHashTable *given;       /* lower-cased word → itself */
  GHashTable *surnames;
  GHashTable *places;
  GHashTable *ambiguous;   /* names that are also common words: need context */
} SalDeidLexicon;

/* A word of the text: letters with inner apostrophes and hyphens. */
typedef struct {
  gsize    start;
  gsize    end;
  char    *lower;          /* lower-cased copy */
  guint    cap : 1;        /* starts with an upper-case letter */
  guint    upper : 1;      /* every letter upper case (and more than one) */
  guint    initial : 1;    /* one upper-case letter followed by '.' */
  guint    sentence_start : 1;
} SalDeidToken;

GPtrArray *sal_deid_tokenize     (const char *text);
void       sal_deid_token_free   (SalDeidToken *token);

void       sal_deid_find_names   (const SalDeidLexicon *lex,
                                  const char           *text,
                                  GPtrArray            *tokens,
                                  GArray               *spans);

void       sal_deid_add_span     (GArray          *spans,
                                  gsize            start,
                                  gsize            end,
                                  SalDeidCategory  category);

G_END_DECLS
