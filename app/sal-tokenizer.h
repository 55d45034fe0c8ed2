/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Salient's one tokenizer for notes (tokenizer id "salient-words"): text is
 * lowercased and split on every character that is not a letter or a digit;
 * each word maps to its index in the model's vocabulary (salient.vocab, a
 * JSON array of strings), unknown words to the index of "<unk>". */

#include <glib.h>

G_BEGIN_DECLS

#define SAL_TOKENIZER_ID "salient-words"

typedef struct _SalTokenizer SalTokenizer;

typedef struct {
  int64_t id;
  gsize   start;   /* byte offsets of the word in the original text */
  gsize   end;
} SalToken;

/* `vocab` must hold "<unk>"; "<pad>", when present, is what sal_tokenizer_pad_id returns. */
SalTokenizer *sal_tokenizer_new           (const char *const *vocab, guint n_words, GError **error);
/* From model metadata: salient.vocab (JSON array of strings) and salient.tokenizer
 * (JSON string; NULL or "salient-words"). */
SalTokenizer *sal_tokenizer_new_from_json (const char *vocab_json, const char *tokenizer_json,
                                           GError **error);
void          sal_tokenizer_free          (SalTokenizer *tok);
/* The tokens of `text` (UTF-8), as a GArray of SalToken. */
GArray       *sal_tokenizer_encode        (SalTokenizer *tok, const char *text);
int64_t       sal_tokenizer_unk_id        (SalTokenizer *tok);
/* The id of "<pad>", else 0. */
int64_t       sal_tokenizer_pad_id        (SalTokenizer *tok);
guint         sal_tokenizer_vocab_size    (SalTokenizer *tok);
const char   *sal_tokenizer_word          (SalTokenizer *tok, int64_t id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalTokenizer, sal_tokenizer_free)

G_END_DECLS
