/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-tokenizer.h"
#include "sal-engine.h"

#include <string.h>

static void
test_encode (void)
{
  const char *vocab[] = { "<pad>", "<unk>", "chest", "pain", "2", "café" };
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTokenizer) tok = sal_tokenizer_new (vocab, G_N_ELEMENTS (vocab), &error);
  const char *text = "CHEST pain x2; Café… pain/2";
  g_autoptr(GArray) t = NULL;
  const int64_t ids[] = { 2, 3, 1, 5, 3, 4 };

  g_assert_no_error (error);
  t = sal_tokenizer_encode (tok, text);
  g_assert_cmpuint (t->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < t->len; i++)
    g_assert_cmpint (g_array_index (t, SalToken, i).id, ==, ids[i]);
  /* Spans point into the original text. */
  g_assert_cmpint (g_array_index (t, SalToken, 0).start, ==, 0);
  g_assert_cmpint (g_array_index (t, SalToken, 0).end, ==, 5);
  g_assert_cmpint (strncmp (text + g_array_index (t, SalToken, 3).start, "Café",
                            g_array_index (t, SalToken, 3).end - g_array_index (t, SalToken, 3).start), ==, 0);
  g_assert_cmpint (sal_tokenizer_unk_id (tok), ==, 1);
  g_assert_cmpint (sal_tokenizer_pad_id (tok), ==, 0);
  g_assert_cmpstr (sal_tokenizer_word (tok, 3), ==, "pain");
  g_clear_pointer (&t, g_array_unref);
  t = sal_tokenizer_encode (tok, "  ...  ");
  g_assert_cmpuint (t->len, ==, 0);
}

static void
test_json_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTokenizer) tok = NULL;

  tok = sal_tokenizer_new_from_json ("[\"a\", \"b\"]", NULL, &error);
  g_assert_null (tok);
  g_assert_nonnull (strstr (error->message, "<unk>"));
  g_clear_error (&error);
  g_assert_null (sal_tokenizer_new_from_json ("[\"<unk>\", 3]", NULL, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (sal_tokenizer_new_from_json ("[\"<unk>\"]", "\"bpe\"", &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (sal_tokenizer_new_from_json (NULL, NULL, &error));
  g_clear_error (&error);
  tok = sal_tokenizer_new_from_json ("[\"<unk>\", \"fever\"]", "\"salient-words\"", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sal_tokenizer_vocab_size (tok), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/tokenizer/encode", test_encode);
  g_test_add_func ("/app/tokenizer/json-errors", test_json_errors);
  return g_test_run ();
}
