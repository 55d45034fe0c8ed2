/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-tokenizer"

#include "config.h"
#include "sal-tokenizer.h"
#include "sal-engine.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

struct _SalTokenizer {
  GPtrArray  *words;   /* char*, by id */
  GHashTable *ids;     /* word -> id + 1 */
  int64_t     unk;
  int64_t     pad;
};

SalTokenizer *
sal_tokenizer_new (const char *const *vocab, guint n_words, GError **error)
{
  g_autoptr(SalTokenizer) tok = g_new0 (SalTokenizer, 1);

  tok->words = g_ptr_array_new_with_free_func (g_free);
  tok->ids = g_hash_table_new (g_str_hash, g_str_equal);
  tok->unk = -1;
  for (guint i = 0; i < n_words; i++)
    {
      char *w = g_strdup (vocab[i]);
      g_ptr_array_add (tok->words, w);
      if (!g_hash_table_contains (tok->ids, w))
        g_hash_table_insert (tok->ids, w, GSIZE_TO_POINTER ((gsize) i + 1));
      if (strcmp (w, "<unk>") == 0 && tok->unk < 0)
        tok->unk = i;
      if (strcmp (w, "<pad>") == 0 && tok->pad == 0)
        tok->pad = i;
    }
  if (tok->unk < 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s vocabulary has no “<unk>” word for unknown words"));
      return NULL;
    }
  return g_steal_pointer (&tok);
}

SalTokenizer *
sal_tokenizer_new_from_json (const char *vocab_json, const char *tokenizer_json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  JsonArray *array;

  if (tokenizer_json != NULL)
    {
      g_autoptr(JsonParser) tp = json_parser_new ();
      JsonNode *root;
      if (!json_parser_load_from_data (tp, tokenizer_json, -1, NULL) ||
          (root = json_parser_get_root (tp)) == NULL ||
          !JSON_NODE_HOLDS_VALUE (root) ||
          json_node_get_value_type (root) != G_TYPE_STRING ||
          strcmp (json_node_get_string (root), SAL_TOKENIZER_ID) != 0)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       _("The model asks for tokenizer %s; Salient has only “%s”"),
                       tokenizer_json, SAL_TOKENIZER_ID);
          return NULL;
        }
    }
  if (vocab_json == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model has no vocabulary (salient.vocab), so it cannot read text"));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, vocab_json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s vocabulary (salient.vocab) is not a JSON array of words"));
      return NULL;
    }
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("The model’s vocabulary (salient.vocab) has a non-string entry at %u"), i);
          return NULL;
        }
      g_ptr_array_add (words, (gpointer) json_node_get_string (n));
    }
  return sal_tokenizer_new ((const char *const *) words->pdata, words->len, error);
}

void
sal_tokenizer_free (SalTokenizer *tok)
{
  if (tok == NULL)
    return;
  g_clear_pointer (&tok->ids, g_hash_table_unref);
  g_clear_pointer (&tok->words, g_ptr_array_unref);
  g_free (tok);
}

GArray *
sal_tokenizer_encode (SalTokenizer *tok, const char *text)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (SalToken));
  const char *p = text, *start = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    return tokens;
  for (;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char = c != 0 && g_unichar_isalnum (c);

      if (word_char && start == NULL)
        start = p;
      else if (!word_char && start != NULL)
        {
          g_autofree char *lower = g_utf8_strdown (start, p - start);
          gpointer id = g_hash_table_lookup (tok->ids, lower);
          SalToken t = { id != NULL ? (int64_t) GPOINTER_TO_SIZE (id) - 1 : tok->unk,
                         start - text, p - text };
          g_array_append_val (tokens, t);
          start = NULL;
        }
      if (c == 0)
        break;
    }
  return tokens;
}

int64_t
sal_tokenizer_unk_id (SalTokenizer *tok)
{
  return tok->unk;
}

int64_t
sal_tokenizer_pad_id (SalTokenizer *tok)
{
  return tok->pad;
}

guint
sal_tokenizer_vocab_size (SalTokenizer *tok)
{
  return tok->words->len;
}

const char *
sal_tokenizer_word (SalTokenizer *tok, int64_t id)
{
  return id >= 0 && id < tok->words->len ? g_ptr_array_index (tok->words, id) : NULL;
}
