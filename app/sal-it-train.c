/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

/* Training the image and note models from their recipes, scoring them on the
 * held-out splits, and writing Salient's metadata and the model card. */

#include "sal-it-models.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-arch.h"
#include "sal-error.h"
#include "sal-graph-builder.h"
#include "sal-json-util.h"
#include "sal-tokenizer.h"

void
sal_it_score (const SalTensor *logits, const SalTensor *y, int n_classes, double *accuracy,
              double *macro_f1)
{
  int64_t n = y->dims[0];
  g_autofree int64_t *tp = g_new0 (int64_t, n_classes);
  g_autofree int64_t *fp = g_new0 (int64_t, n_classes);
  g_autofree int64_t *fn = g_new0 (int64_t, n_classes);
  int64_t correct = 0;
  double f1 = 0;

  for (int64_t i = 0; i < n; i++)
    {
      const float *z = sal_tensor_f32 (logits) + i * n_classes;
      int best = 0;
      int64_t truth = sal_tensor_i64 (y)[i];

      for (int c = 1; c < n_classes; c++)
        if (z[c] > z[best])
          best = c;
      if (best == truth)
        {
          correct++;
          tp[best]++;
        }
      else
        {
          fp[best]++;
          if (truth >= 0 && truth < n_classes)
            fn[truth]++;
        }
    }
  for (int c = 0; c < n_classes; c++)
    {
      double d = 2.0 * tp[c] + fp[c] + fn[c];
      f1 += d > 0 ? 2.0 * tp[c] / d : 0.0;
    }
  *accuracy = n > 0 ? (double) correct / n : NAN;
  *macro_f1 = f1 / n_classes;
}

static gboolean
kf_string (GKeyFile *kf, const char *group, const char *key, const char *def, char **out,
           GError **error)
{
  *out = g_key_file_get_string (kf, group, key, NULL);
  if (*out == NULL && def == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: this key is required"),
                   group, key);
      return FALSE;
    }
  if (*out == NULL)
    *out = g_strdup (def);
  return TRUE;
}

static gboolean
kf_double (GKeyFile *kf, const char *group, const char *key, double def, double lo, double hi,
           double *out, GError **error)
{
  g_autoptr(GError) local = NULL;
  double v = g_key_file_get_double (kf, group, key, &local);

  if (local != NULL)
    {
      if (!g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %s"), group, key,
                       local->message);
          return FALSE;
        }
      v = def;
    }
  if (!(v >= lo && v <= hi))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Recipe [%s] %s: %g is outside %g..%g"),
                   group, key, v, lo, hi);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* [train]: optimizer, lr, weight_decay, schedule (constant, cosine, step), lr_min,
 * epochs, batch, seed, threads. Cross-entropy loss. */
static gboolean
train_config (GKeyFile *kf, SalTrainConfig *c, int *threads, GError **error)
{
  g_autofree char *optim = NULL, *sched = NULL;
  double lr, wd, lr_min, epochs, batch, seed, th;
  SalOptimKind kind;

  sal_train_config_init (c);
  if (!kf_string (kf, "train", "optimizer", "adam", &optim, error)
      || !kf_string (kf, "train", "schedule", "constant", &sched, error)
      || !kf_double (kf, "train", "lr", 1e-3, 1e-7, 10, &lr, error)
      || !kf_double (kf, "train", "weight_decay", 0, 0, 1, &wd, error)
      || !kf_double (kf, "train", "lr_min", 0, 0, lr, &lr_min, error)
      || !kf_double (kf, "train", "epochs", 10, 1, 10000, &epochs, error)
      || !kf_double (kf, "train", "batch", 32, 1, 65536, &batch, error)
      || !kf_double (kf, "train", "seed", 1, 0, G_MAXUINT32, &seed, error)
      || !kf_double (kf, "train", "threads", 1, 1, 64, &th, error))
    return FALSE;
  if (!sal_optim_from_id (optim, &kind))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [train] optimizer: unknown “%s” (known: sgd, adam, adamw)"), optim);
      return FALSE;
    }
  sal_optim_config_init (&c->optim, kind, (float) lr);
  c->optim.weight_decay = (float) wd;
  if (kind == SAL_OPTIM_SGD)
    c->optim.momentum = 0.9f;
  c->schedule.lr = (float) lr;
  c->schedule.lr_min = (float) lr_min;
  if (g_str_equal (sched, "cosine"))
    c->schedule.kind = SAL_LR_COSINE;
  else if (g_str_equal (sched, "constant"))
    c->schedule.kind = SAL_LR_CONSTANT;
  else
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [train] schedule: unknown “%s” (known: constant, cosine)"), sched);
      return FALSE;
    }
  c->loss = SAL_LOSS_CROSS_ENTROPY;
  c->epochs = (int) epochs;
  c->batch_size = (int) batch;
  c->seed = (guint32) seed;
  *threads = (int) th;
  return TRUE;
}

static SalModel *
build_model (GKeyFile *kf, const SalItData *d, const char *arch, guint32 seed, GError **error)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  const SalItSplit *train = d->splits->pdata[0];

  if (g_str_equal (arch, "cnn"))
    {
      SalCnnSpec spec = { 0 };

      if (!sal_cnn_spec_from_keyfile (&spec, kf, "model", error))
        return NULL;
      spec.channels = (int) train->x->dims[1];
      spec.height = (int) train->x->dims[2];
      spec.width = (int) train->x->dims[3];
      spec.n_classes = g_strv_length (d->labels);
      if (!sal_arch_build_cnn (b, &spec, rng, error))
        return NULL;
    }
  else if (g_str_equal (arch, "gru-attention"))
    {
      SalGruSpec spec = { 0 };

      if (!sal_gru_spec_from_keyfile (&spec, kf, "model", error))
        return NULL;
      spec.vocab_size = g_strv_length (d->vocab);
      spec.max_len = d->max_len;
      spec.pad_id = 0;
      spec.n_classes = g_strv_length (d->labels);
      if (!sal_arch_build_gru_attention (b, &spec, rng, error))
        return NULL;
    }
  else
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [model] architecture: unknown “%s” (known: cnn, gru-attention)"), arch);
      return NULL;
    }
  return sal_graph_builder_finish (b, error);
}

static char *
strv_to_json (char **v)
{
  g_autoptr(JsonBuilder) jb = json_builder_new ();

  json_builder_begin_array (jb);
  for (; *v != NULL; v++)
    json_builder_add_string_value (jb, *v);
  json_builder_end_array (jb);
  return sal_json_builder_to_string (jb);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static GPtrArray *
sorted_keys (GHashTable *metrics)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;

  g_hash_table_iter_init (&it, metrics);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  return keys;
}

static char *
metrics_json (GHashTable *metrics)
{
  g_autoptr(GPtrArray) keys = sorted_keys (metrics);
  GString *s = g_string_new ("{");

  /* JSON numbers: a point whatever the locale (printf's %f writes a comma in
   * de_DE, and the provenance would no longer parse). */
  for (guint i = 0; i < keys->len; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (num, sizeof num, "%.4f",
                       *(double *) g_hash_table_lookup (metrics, keys->pdata[i]));
      g_string_append_printf (s, "%s\"%s\": %s", i ? ", " : "", (char *) keys->pdata[i], num);
    }
  g_string_append (s, "}");
  return g_string_free (s, FALSE);
}

static char *
metrics_table (GHashTable *metrics)
{
  g_autoptr(GPtrArray) keys = sorted_keys (metrics);
  GString *s = g_string_new ("| metric | value |\n|---|---|\n");

  for (guint i = 0; i < keys->len; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (num, sizeof num, "%.4f",
                       *(double *) g_hash_table_lookup (metrics, keys->pdata[i]));
      g_string_append_printf (s, "| %s | %s |\n", (char *) keys->pdata[i], num);
    }
  return g_string_free (s, FALSE);
}

static char *
replace_all (const char *text, const char *what, const char *with)
{
  g_auto(GStrv) parts = g_strsplit (text, what, -1);

  return g_strjoinv (with, parts);
}

static void
set_metric (GHashTable *m, const char *split, const char *name, double v)
{
  double *p = g_new (double, 1);

  *p = v;
  g_hash_table_replace (m, g_strdup_printf ("%s_%s", split, name), p);
}

SalModel *
sal_it_train_recipe (const char *recipe_path, const SalItOptions *opts, GHashTable **metrics_out,
                     char **card_out, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *text = NULL;
  g_autofree char *id = NULL, *source = NULL, *arch = NULL, *card_name = NULL;
  g_autofree char *card_tmpl = NULL, *card = NULL, *card_path = NULL, *dir = NULL;
  g_autofree char *mjson = NULL, *mtable = NULL, *prov = NULL;
  g_autoptr(SalItData) d = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalModel) scored = NULL;   /* the model as saved and reloaded */
  g_autoptr(GHashTable) metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SalTrainConfig cfg;
  SalTrainResult res;
  SalItSplit *train;
  int threads = 1, n_classes;

  if (!g_file_get_contents (recipe_path, &text, NULL, error)
      || !g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, _("Cannot read the recipe %s: "), recipe_path);
      return NULL;
    }
  if (!kf_string (kf, "recipe", "id", NULL, &id, error)
      || !kf_string (kf, "recipe", "card", NULL, &card_name, error)
      || !kf_string (kf, "data", "source", NULL, &source, error)
      || !kf_string (kf, "model", "architecture", NULL, &arch, error)
      || !train_config (kf, &cfg, &threads, error))
    return NULL;

  if (opts != NULL && opts->n_train > 0)
    {
      /* A short run: fewer training rows (the generators are deterministic per seed). */
      int n = 0;
      if (g_key_file_has_key (kf, "data", "n_train", NULL))
        n = g_key_file_get_integer (kf, "data", "n_train", NULL);
      if (n == 0 || opts->n_train < n)
        g_key_file_set_integer (kf, "data", "n_train", opts->n_train);
    }
  if (g_str_equal (source, "phantoms"))
    d = sal_it_data_load_phantoms (kf, "data", error);
  else if (g_str_equal (source, "notes"))
    d = sal_it_data_load_notes (kf, "data", error);
  else
    g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                 _("Recipe [data] source: unknown “%s” (known: phantoms, notes)"), source);
  if (d == NULL)
    return NULL;

  model = build_model (kf, d, arch, cfg.seed, error);
  if (model == NULL)
    return NULL;

  if (opts != NULL)
    {
      if (opts->max_epochs > 0)
        cfg.epochs = MIN (cfg.epochs, opts->max_epochs);
      if (opts->n_threads > 0)
        threads = opts->n_threads;
      cfg.progress = opts->progress;
      cfg.cancel = opts->cancel;
      cfg.user_data = opts->user_data;
    }
  cfg.n_threads = threads;
  train = d->splits->pdata[0];
  if (!sal_train (model, train->x, train->y, &cfg, &res, error))
    return NULL;

  n_classes = g_strv_length (d->labels);
  {
    /* Score the model as it will be saved and loaded: the file's BatchNormalization
     * uses its running statistics, where the training graph would use each batch's. */
    g_autoptr(GBytes) bytes = sal_model_save_bytes (model, error);

    if (bytes == NULL)
      return NULL;
    scored = sal_model_load_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   NULL, NULL, error);
    if (scored == NULL)
      return NULL;
  }
  for (guint s = 0; s < d->splits->len; s++)
    {
      SalItSplit *sp = d->splits->pdata[s];
      g_autoptr(SalTensor) logits = sal_model_predict (scored, sp->x, 64, threads, error);
      double acc, f1;

      if (logits == NULL)
        return NULL;
      sal_it_score (logits, sp->y, n_classes, &acc, &f1);
      set_metric (metrics, sp->name, "accuracy", acc);
      set_metric (metrics, sp->name, "macro_f1", f1);
    }

  /* Metadata. */
  sal_model_set_metadata (model, "salient.task", "\"classification\"");
  {
    g_autofree char *kind = sal_json_quote (d->input_kind);
    g_autofree char *labels = strv_to_json (d->labels);

    sal_model_set_metadata (model, "salient.input_kind", kind);
    sal_model_set_metadata (model, "salient.labels", labels);
  }
  if (d->preprocess != NULL)
    sal_model_set_metadata (model, "salient.preprocess", d->preprocess);
  if (d->vocab != NULL)
    {
      g_autofree char *vocab = strv_to_json (d->vocab);
      g_autofree char *tok = sal_json_quote (SAL_TOKENIZER_ID);

      sal_model_set_metadata (model, "salient.vocab", vocab);
      sal_model_set_metadata (model, "salient.tokenizer", tok);
      sal_model_set_metadata (model, "salient.attention", "\"" SAL_ARCH_ATTENTION "\"");
    }

  mjson = metrics_json (metrics);
  mtable = metrics_table (metrics);
  {
    g_autofree char *recipe_js = sal_json_quote (text);
    g_autofree char *desc_js = sal_json_quote (d->description);
    g_autofree char *id_js = sal_json_quote (id);

    prov = g_strdup_printf ("{\"recipe\": %s, \"recipe_text\": %s, \"data\": %s, "
                            "\"data_params\": %s, \"licence\": \"generated data (no restrictions)\", "
                            "\"seed\": %u, \"epochs_run\": %d, \"final_train_loss\": %.6f, "
                            "\"metrics\": %s}",
                            id_js, recipe_js, desc_js, d->params_json, cfg.seed, res.epochs_run,
                            res.train_loss, mjson);
  }
  sal_model_set_metadata (model, "salient.provenance", prov);

  dir = g_path_get_dirname (recipe_path);
  card_path = g_build_filename (dir, card_name, NULL);
  if (!g_file_get_contents (card_path, &card_tmpl, NULL, error))
    {
      g_prefix_error (error, _("Cannot read the model card template: "));
      return NULL;
    }
  {
    g_autofree char *a = replace_all (card_tmpl, "@METRICS@", mtable);
    g_autofree char *b = replace_all (a, "@DATA@", d->description);
    g_autofree char *seed = g_strdup_printf ("%u", cfg.seed);
    g_autofree char *c = replace_all (b, "@SEED@", seed);
    card = replace_all (c, "@RECIPE@", text);
  }
  {
    g_autofree char *card_js = sal_json_quote (card);
    sal_model_set_metadata (model, "salient.card", card_js);
  }

  /* The caller gets the inference model, as a file holds it (see the scoring above). */
  {
    g_autoptr(GBytes) bytes = sal_model_save_bytes (model, error);

    g_clear_pointer (&scored, sal_model_unref);
    if (bytes == NULL)
      return NULL;
    scored = sal_model_load_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   NULL, NULL, error);
    if (scored == NULL)
      return NULL;
  }
  if (metrics_out != NULL)
    *metrics_out = g_steal_pointer (&metrics);
  if (card_out != NULL)
    *card_out = g_steal_pointer (&card);
  return g_steal_pointer (&scored);
}
