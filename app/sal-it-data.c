/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

/* Data sources of the image and note models: generated phantom slices and
 * generated clinical-style notes, each with ground truth. Training and
 * held-out rows come from disjoint seed ranges. */

#include "sal-it-models.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sal-error.h"
#include "sal-image.h"
#include "sal-notegen.h"
#include "sal-phantom.h"
#include "sal-preprocess.h"
#include "sal-tokenizer.h"

#define DEFAULT_PREPROCESS \
  "{\"channels\": 1, \"size\": [128, 128], \"resize\": \"bilinear\", " \
  "\"scaling\": \"fixed\", \"mean\": 0.3, \"std\": 0.2}"

static void
split_free (gpointer p)
{
  SalItSplit *s = p;

  g_free (s->name);
  sal_tensor_free (s->x);
  sal_tensor_free (s->y);
  g_free (s);
}

void
sal_it_data_free (SalItData *d)
{
  if (d == NULL)
    return;
  g_free (d->source);
  g_free (d->input_kind);
  g_strfreev (d->labels);
  g_clear_pointer (&d->splits, g_ptr_array_unref);
  g_free (d->preprocess);
  g_strfreev (d->vocab);
  g_free (d->description);
  g_free (d->params_json);
  g_free (d);
}

static gboolean
get_int (GKeyFile *kf, const char *group, const char *key, int def, int lo, int hi, int *out,
         GError **error)
{
  g_autoptr(GError) local = NULL;
  int v = g_key_file_get_integer (kf, group, key, &local);

  if (local != NULL)
    {
      if (!g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)
          && !g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %s"), group, key,
                       local->message);
          return FALSE;
        }
      v = def;
    }
  if (v < lo || v > hi)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %d is outside %d..%d"),
                   group, key, v, lo, hi);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static SalItSplit *
split_new (const char *name, SalTensor *x, SalTensor *y)
{
  SalItSplit *s = g_new0 (SalItSplit, 1);

  s->name = g_strdup (name);
  s->x = x;
  s->y = y;
  return s;
}

static gboolean
seeds_overlap (int a, int na, int b, int nb)
{
  return (gint64) a < (gint64) b + nb && (gint64) b < (gint64) a + na;
}

/* ------------------------------------------------------------------ phantoms */

static SalTensor *
phantom_rows (const SalPreprocess *pp, guint32 seed0, int n, SalTensor **y, GError **error)
{
  int64_t plane = (int64_t) pp->channels * pp->height * pp->width;
  g_autoptr(SalTensor) x = NULL;
  g_autoptr(SalTensor) labels = NULL;

  x = sal_tensor_new (SAL_DTYPE_FLOAT, 4,
                      (int64_t[]) { n, pp->channels, pp->height, pp->width }, error);
  labels = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { n }, error);
  if (x == NULL || labels == NULL)
    return NULL;
  for (int i = 0; i < n; i++)
    {
      g_autoptr(SalPhantom) p = sal_phantom_generate (seed0 + (guint32) i, SAL_PHANTOM_RANDOM);
      g_autoptr(SalImage) img = sal_image_new (p->width, p->height, 1, 16);
      g_autoptr(SalTensor) t = NULL;

      memcpy (img->pixels, p->pixels, sizeof (guint16) * p->width * p->height);
      /* The same function brings a PNG to the model's input at inference. */
      t = sal_preprocess_image (pp, img, error);
      if (t == NULL)
        return NULL;
      memcpy (sal_tensor_f32 (x) + i * plane, sal_tensor_f32 (t), sizeof (float) * plane);
      sal_tensor_i64 (labels)[i] = p->n_lesions > 0;
    }
  *y = g_steal_pointer (&labels);
  return g_steal_pointer (&x);
}

SalItData *
sal_it_data_load_phantoms (GKeyFile *kf, const char *group, GError **error)
{
  g_autoptr(SalItData) d = g_new0 (SalItData, 1);
  g_autofree char *pre = g_key_file_get_string (kf, group, "preprocess", NULL);
  SalPreprocess pp;
  int train_seed, n_train, test_seed, n_test;
  SalTensor *x, *y = NULL;

  if (!get_int (kf, group, "train_seed", 1, 0, G_MAXINT / 2, &train_seed, error)
      || !get_int (kf, group, "n_train", 2000, 2, 200000, &n_train, error)
      || !get_int (kf, group, "test_seed", 1000000, 0, G_MAXINT / 2, &test_seed, error)
      || !get_int (kf, group, "n_test", 1000, 1, 200000, &n_test, error))
    return NULL;
  if (seeds_overlap (train_seed, n_train, test_seed, n_test))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s]: the held-out seeds overlap the training seeds"), group);
      return NULL;
    }
  if (pre == NULL)
    pre = g_strdup (DEFAULT_PREPROCESS);
  if (!sal_preprocess_parse (pre, &pp, error))
    return NULL;
  if (pp.channels != 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s] preprocess: phantoms are grey, so channels must be 1"), group);
      return NULL;
    }
  d->source = g_strdup ("phantoms");
  d->input_kind = g_strdup ("image");
  d->labels = g_strdupv ((char *[]) { "no lesion", "lesion", NULL });
  d->preprocess = g_steal_pointer (&pre);
  d->splits = g_ptr_array_new_with_free_func (split_free);
  x = phantom_rows (&pp, (guint32) train_seed, n_train, &y, error);
  if (x == NULL)
    return NULL;
  g_ptr_array_add (d->splits, split_new ("train", x, y));
  x = phantom_rows (&pp, (guint32) test_seed, n_test, &y, error);
  if (x == NULL)
    return NULL;
  g_ptr_array_add (d->splits, split_new ("test", x, y));
  d->description = g_strdup_printf (
      _("%d training and %d held-out brain-MRI-like phantom slices (128 × 128, 16-bit) from "
        "Salient's phantom generator (app/sal-phantom.c), seeds %d–%d for training and %d–%d "
        "held out; about half contain one to three lesions of radius 2–10 px and contrast "
        "10–40%% of the surrounding tissue. Generated data, no licence restrictions."),
      n_train, n_test, train_seed, train_seed + n_train - 1, test_seed, test_seed + n_test - 1);
  d->params_json = g_strdup_printf ("{\"generator\": \"sal-phantom\", \"train_seed\": %d, "
                                    "\"n_train\": %d, \"test_seed\": %d, \"n_test\": %d}",
                                    train_seed, n_train, test_seed, n_test);
  return g_steal_pointer (&d);
}

/* --------------------------------------------------------------------- notes */

static gint
count_desc (gconstpointer a, gconstpointer b, gpointer counts)
{
  const char *wa = *(const char *const *) a, *wb = *(const char *const *) b;
  int ca = GPOINTER_TO_INT (g_hash_table_lookup (counts, wa));
  int cb = GPOINTER_TO_INT (g_hash_table_lookup (counts, wb));

  return ca != cb ? cb - ca : strcmp (wa, wb);
}

/* Counts the words the tokenizer sees (lower-cased, split on non-alphanumerics). */
static void
count_words (SalTokenizer *plain, const char *text, GHashTable *counts)
{
  g_autoptr(GArray) toks = sal_tokenizer_encode (plain, text);

  for (guint i = 0; i < toks->len; i++)
    {
      SalToken *t = &g_array_index (toks, SalToken, i);
      char *w = g_utf8_strdown (text + t->start, t->end - t->start);
      int c = GPOINTER_TO_INT (g_hash_table_lookup (counts, w));

      g_hash_table_replace (counts, w, GINT_TO_POINTER (c + 1));
    }
}

static SalTensor *
note_rows (SalTokenizer *tok, guint32 seed0, int n, SalNoteTemplates templates, int max_len,
           SalTensor **y, GError **error)
{
  g_autoptr(SalTensor) x = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { n, max_len }, error);
  g_autoptr(SalTensor) labels = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { n }, error);
  int64_t pad = sal_tokenizer_pad_id (tok);

  if (x == NULL || labels == NULL)
    return NULL;
  for (int i = 0; i < n; i++)
    {
      g_autoptr(SalGeneratedNote) note = sal_note_generate (seed0 + (guint32) i, templates);
      g_autoptr(GArray) toks = sal_tokenizer_encode (tok, note->text);

      /* As salient-cli infer does: truncate or pad to the fixed length. */
      for (int t = 0; t < max_len; t++)
        sal_tensor_i64 (x)[(int64_t) i * max_len + t] =
          t < (int) toks->len ? g_array_index (toks, SalToken, t).id : pad;
      sal_tensor_i64 (labels)[i] = note->label;
    }
  *y = g_steal_pointer (&labels);
  return g_steal_pointer (&x);
}

SalItData *
sal_it_data_load_notes (GKeyFile *kf, const char *group, GError **error)
{
  g_autoptr(SalItData) d = g_new0 (SalItData, 1);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  g_autoptr(GPtrArray) vocab = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SalTokenizer) plain = NULL;
  g_autoptr(SalTokenizer) tok = NULL;
  int train_seed, n_train, test_seed, n_test, n_held, max_len, min_count;
  SalTensor *x, *y = NULL;
  GHashTableIter it;
  gpointer key, value;

  if (!get_int (kf, group, "train_seed", 1, 0, G_MAXINT / 2, &train_seed, error)
      || !get_int (kf, group, "n_train", 4000, 2, 500000, &n_train, error)
      || !get_int (kf, group, "test_seed", 1000000, 0, G_MAXINT / 2, &test_seed, error)
      || !get_int (kf, group, "n_test", 1000, 1, 200000, &n_test, error)
      || !get_int (kf, group, "n_test_held_out", 1000, 0, 200000, &n_held, error)
      || !get_int (kf, group, "max_len", 160, 4, 4096, &max_len, error)
      || !get_int (kf, group, "min_count", 2, 1, 1000, &min_count, error))
    return NULL;
  if (seeds_overlap (train_seed, n_train, test_seed, n_test + n_held))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [%s]: the held-out seeds overlap the training seeds"), group);
      return NULL;
    }

  /* The vocabulary: words of the training notes seen at least min_count times,
   * most frequent first, after "<pad>" (id 0) and "<unk>" (id 1). */
  plain = sal_tokenizer_new ((const char *const[]) { "<unk>" }, 1, error);
  if (plain == NULL)
    return NULL;
  for (int i = 0; i < n_train; i++)
    {
      g_autoptr(SalGeneratedNote) note = sal_note_generate ((guint32) (train_seed + i),
                                                            SAL_NOTE_TEMPLATES_TRAIN);
      count_words (plain, note->text, counts);
    }
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (GPOINTER_TO_INT (value) >= min_count)
      g_ptr_array_add (words, key);
  g_ptr_array_sort_with_data (words, count_desc, counts);
  g_ptr_array_add (vocab, g_strdup ("<pad>"));
  g_ptr_array_add (vocab, g_strdup ("<unk>"));
  for (guint i = 0; i < words->len; i++)
    g_ptr_array_add (vocab, g_strdup (words->pdata[i]));
  g_ptr_array_add (vocab, NULL);
  d->vocab = (GStrv) g_ptr_array_free (g_steal_pointer (&vocab), FALSE);
  tok = sal_tokenizer_new ((const char *const *) d->vocab, g_strv_length (d->vocab), error);
  if (tok == NULL)
    return NULL;

  d->source = g_strdup ("notes");
  d->input_kind = g_strdup ("note");
  d->labels = g_strdupv ((char *[]) { "routine", "urgent", "emergency", NULL });
  d->max_len = max_len;
  d->splits = g_ptr_array_new_with_free_func (split_free);
  x = note_rows (tok, (guint32) train_seed, n_train, SAL_NOTE_TEMPLATES_TRAIN, max_len, &y, error);
  if (x == NULL)
    return NULL;
  g_ptr_array_add (d->splits, split_new ("train", x, y));
  x = note_rows (tok, (guint32) test_seed, n_test, SAL_NOTE_TEMPLATES_TRAIN, max_len, &y, error);
  if (x == NULL)
    return NULL;
  g_ptr_array_add (d->splits, split_new ("test", x, y));
  if (n_held > 0)
    {
      x = note_rows (tok, (guint32) (test_seed + n_test), n_held, SAL_NOTE_TEMPLATES_HELD_OUT,
                     max_len, &y, error);
      if (x == NULL)
        return NULL;
      g_ptr_array_add (d->splits, split_new ("test_held_out_templates", x, y));
    }
  d->description = g_strdup_printf (
      _("%d training notes (seeds %d–%d) and %d held-out notes (seeds %d–%d) from the "
        "training templates, plus %d notes (seeds %d–%d) written only from templates held out "
        "of training, all from Salient's note generator (app/sal-notegen.c), labels drawn "
        "uniformly from routine / urgent / emergency and decided by recorded evidence phrases, "
        "some negated. Vocabulary: the %u words seen at least %d times in the training notes. "
        "Generated data, no licence restrictions."),
      n_train, train_seed, train_seed + n_train - 1, n_test, test_seed, test_seed + n_test - 1,
      n_held, test_seed + n_test, test_seed + n_test + n_held - 1,
      g_strv_length (d->vocab) - 2, min_count);
  d->params_json = g_strdup_printf ("{\"generator\": \"sal-notegen\", \"train_seed\": %d, "
                                    "\"n_train\": %d, \"test_seed\": %d, \"n_test\": %d, "
                                    "\"n_test_held_out\": %d, \"max_len\": %d, "
                                    "\"min_count\": %d}",
                                    train_seed, n_train, test_seed, n_test, n_held, max_len,
                                    min_count);
  return g_steal_pointer (&d);
}
