/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-error.h"
#include "sal-it-models.h"
#include "sal-recipe.h"

static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  interrupted = 1;
}

static gboolean
is_cancelled (gpointer user_data)
{
  return interrupted != 0;
}

typedef struct {
  FILE   *out;
  gint64  last_us;
  const char *stage;
} Progress;

/* One line per epoch, at most ~10 a second (the last epoch always). */
static void
on_progress (const SalTrainProgress *p, gpointer user_data)
{
  Progress *pr = user_data;
  gint64 now = g_get_monotonic_time ();

  if (p->epoch != p->epochs && now - pr->last_us < 100000)
    return;
  pr->last_us = now;
  if (isnan (p->val_metric))
    fprintf (pr->out, _("%s: epoch %d/%d  loss %.4f  lr %.2g\n"), pr->stage, p->epoch, p->epochs,
             p->train_loss, p->lr);
  else
    fprintf (pr->out, _("%s: epoch %d/%d  loss %.4f  validation loss %.4f  validation %s %.4f\n"),
             pr->stage, p->epoch, p->epochs, p->train_loss, p->val_loss, p->metric,
             p->val_metric);
  fflush (pr->out);
}

typedef struct {
  const char *recipe_path;
  const char *output;
  gboolean    json;
  gboolean    no_eval;
  int         epochs;
  int         folds, repeats;
} TrainArgs;

static int
parse_args (int argc, char **argv, TrainArgs *a, gboolean train, const char *usage)
{
  memset (a, 0, sizeof *a);
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          printf ("%s\n", usage);
          return 0;
        }
      else if (strcmp (arg, "--json") == 0)
        a->json = TRUE;
      else if (train && strcmp (arg, "--no-eval") == 0)
        a->no_eval = TRUE;
      else if (train && strcmp (arg, "--output") == 0 && i + 1 < argc)
        a->output = argv[++i];
      else if (strcmp (arg, "--epochs") == 0 && i + 1 < argc)
        {
          char *end;
          gint64 v = g_ascii_strtoll (argv[++i], &end, 10);
          if (*end != '\0' || v < 1 || v > 1000000)
            return sal_cli_fail (_("--epochs needs a whole number from 1 to 1000000"));
          a->epochs = (int) v;
        }
      else if (!train && strcmp (arg, "--cv") == 0 && i + 1 < argc)
        {
          /* K×R or KxR: K folds, R repeats */
          const char *s = argv[++i];
          char *end;
          gint64 k = g_ascii_strtoll (s, &end, 10), r = 1;

          if (*end == 'x' || g_str_has_prefix (end, "×"))
            {
              const char *rs = end + (*end == 'x' ? 1 : strlen ("×"));
              r = g_ascii_strtoll (rs, &end, 10);
            }
          if (*end != '\0' || k < 2 || k > 100 || r < 1 || r > 100)
            return sal_cli_fail (_("--cv needs K×R (e.g. 5x5): 2 to 100 folds, 1 to 100 repeats"));
          a->folds = (int) k;
          a->repeats = (int) r;
        }
      else if (arg[0] == '-')
        return sal_cli_fail (_("unknown or incomplete option “%s”; usage: %s"), arg, usage);
      else if (a->recipe_path == NULL)
        a->recipe_path = arg;
      else
        return sal_cli_fail (_("unexpected argument “%s”; usage: %s"), arg, usage);
    }
  if (a->recipe_path == NULL)
    return sal_cli_fail (_("usage: %s"), usage);
  return -1;
}

static void
print_metrics (FILE *out, GHashTable *metrics)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (metrics), (GCompareFunc) strcmp);

  for (GList *l = keys; l != NULL; l = l->next)
    fprintf (out, "  %-28s %.4f\n", (char *) l->data, sal_metrics_get (metrics, l->data));
}

static void
install_sigint (struct sigaction *old)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset (&sa.sa_mask);
  interrupted = 0;
  sigaction (SIGINT, &sa, old);
}

static int
fail_error (GError *error)
{
  if (g_error_matches (error, SAL_ERROR, SAL_ERROR_CANCELLED))
    {
      sal_cli_fail (_("training was cancelled; nothing was written"));
      return 130;
    }
  return sal_cli_fail ("%s", error->message);
}

/* The recipe's [data] source, read without validating the rest: the image and
 * note sources (phantoms, notes) train through sal_it_train_recipe, the
 * tabular ones through SalRecipe. NULL when the file cannot be read (the
 * caller's own loading then reports why). */
static char *
recipe_source (const char *path)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_key_file_get_string (kf, "data", "source", NULL);
}

static gboolean
is_image_text_source (const char *source)
{
  return source != NULL && (strcmp (source, "phantoms") == 0 || strcmp (source, "notes") == 0);
}

/* data/models/recipes/x.recipe with output=x.onnx → data/models/x.onnx */
static char *
image_text_output_path (const char *recipe_path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *name = NULL, *dir = NULL, *parent = NULL;

  if (!g_key_file_load_from_file (kf, recipe_path, G_KEY_FILE_NONE, error))
    return NULL;
  name = g_key_file_get_string (kf, "recipe", "output", NULL);
  if (name == NULL || name[0] == '\0' || strchr (name, '/') != NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("Recipe [recipe] output: give a file name ending in .onnx"));
      return NULL;
    }
  dir = g_path_get_dirname (recipe_path);
  parent = g_path_get_dirname (dir);
  return g_build_filename (parent, name, NULL);
}

/* Writes the model and its card so that both appear together or not at all. */
static int
write_model_and_card (SalModel *model, const char *output, const char *card_path,
                      const char *card)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_model = g_strconcat (output, ".part", NULL);
  g_autofree char *tmp_card = g_strconcat (card_path, ".part", NULL);

  if (!sal_model_save_file (model, tmp_model, &error)
      || !g_file_set_contents (tmp_card, card, -1, &error))
    {
      g_unlink (tmp_model);
      g_unlink (tmp_card);
      return sal_cli_fail ("%s", error->message);
    }
  if (g_rename (tmp_model, output) != 0 || g_rename (tmp_card, card_path) != 0)
    {
      int e = errno;
      g_unlink (tmp_model);
      g_unlink (tmp_card);
      g_unlink (output);
      return sal_cli_fail (_("could not write %s: %s"), output, g_strerror (e));
    }
  return 0;
}

/* The lesion finder and note triage recipes: trained on the source's training
 * split and scored on each held-out split. With `write` FALSE (evaluate) no
 * file is written. */
static int
train_image_text (const TrainArgs *a, gboolean write)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autofree char *output = NULL, *card_path = NULL, *card = NULL, *base = NULL, *id = NULL;
  g_autofree char *rbase = NULL;
  struct sigaction old;
  Progress pr = { NULL, 0, "" };
  SalItOptions opts = { 0 };
  int rc;

  if (write)
    {
      output = a->output != NULL ? g_strdup (a->output)
                                 : image_text_output_path (a->recipe_path, &error);
      if (output == NULL)
        return sal_cli_fail ("%s", error->message);
      if (!g_str_has_suffix (output, ".onnx"))
        return sal_cli_fail (_("the output file name must end in .onnx: %s"), output);
      base = g_strndup (output, strlen (output) - strlen (".onnx"));
      card_path = g_strconcat (base, ".md", NULL);
    }

  rbase = g_path_get_basename (a->recipe_path);
  id = g_strndup (rbase, strcspn (rbase, "."));
  pr.out = a->json ? stderr : stdout;
  pr.stage = id;
  opts.max_epochs = a->epochs;
  opts.progress = (a->json && !write) ? NULL : on_progress;
  opts.cancel = is_cancelled;
  opts.user_data = &pr;
  install_sigint (&old);
  model = sal_it_train_recipe (a->recipe_path, &opts, &metrics, &card, &error);
  sigaction (SIGINT, &old, NULL);
  if (model == NULL)
    return fail_error (error);

  if (write)
    {
      rc = write_model_and_card (model, output, card_path, card);
      if (rc != 0)
        return rc;
    }
  if (a->json)
    {
      if (write)
        printf ("{\"recipe\": \"%s\", \"output\": \"%s\", \"card\": \"%s\", \"provenance\": %s}\n",
                id, output, card_path, sal_model_get_metadata (model, "salient.provenance"));
      else
        {
          g_autofree char *js = sal_metrics_to_json (metrics);
          printf ("{\"recipe\": \"%s\", \"evaluation\": \"holdout\", \"metrics\": %s}\n", id, js);
        }
    }
  else
    {
      print_metrics (stdout, metrics);
      if (write)
        printf (_("wrote %s and %s\n"), output, card_path);
    }
  return 0;
}

int
sal_cli_evaluate_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli evaluate RECIPE [--cv K×R] [--epochs N] [--json]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalRecipe) recipe = NULL;
  g_autoptr(SalDataset) data = NULL;
  g_autoptr(GHashTable) metrics = NULL;
  struct sigaction old;
  TrainArgs a;
  Progress pr = { NULL, 0, "" };
  SalRecipeRunOptions opts = { NULL };
  g_autofree char *source = NULL;
  int rc = parse_args (argc, argv, &a, FALSE, usage);

  if (rc >= 0)
    return rc;
  source = recipe_source (a.recipe_path);
  if (is_image_text_source (source))
    {
      if (a.folds > 0)
        return sal_cli_fail (_("--cv is for tabular recipes; %s is scored on its held-out sets"),
                             a.recipe_path);
      return train_image_text (&a, FALSE);
    }
  recipe = sal_recipe_new_from_file (a.recipe_path, &error);
  if (recipe == NULL)
    return sal_cli_fail ("%s", error->message);
  if (a.folds > 0)
    {
      g_free (recipe->evaluation);
      recipe->evaluation = g_strdup ("cv");
      recipe->cv_folds = a.folds;
      recipe->cv_repeats = a.repeats;
    }
  data = sal_recipe_load_data (recipe, &error);
  if (data == NULL)
    return sal_cli_fail ("%s", error->message);

  pr.out = stderr;
  pr.stage = recipe->id;
  opts.progress = a.json ? NULL : on_progress;
  opts.cancel = is_cancelled;
  opts.user_data = &pr;
  opts.max_epochs = a.epochs;
  install_sigint (&old);
  metrics = sal_recipe_evaluate (recipe, data, &opts, &error);
  sigaction (SIGINT, &old, NULL);
  if (metrics == NULL)
    return fail_error (error);
  if (a.json)
    {
      g_autofree char *js = sal_metrics_to_json (metrics);
      printf ("{\"recipe\": \"%s\", \"evaluation\": \"%s\", \"metrics\": %s}\n", recipe->id,
              recipe->evaluation, js);
    }
  else
    {
      printf (_("%s (%s):\n"), recipe->name, recipe->evaluation);
      print_metrics (stdout, metrics);
    }
  return 0;
}

int
sal_cli_train_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli train RECIPE [--output FILE] [--epochs N] [--no-eval] [--json]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalRecipe) recipe = NULL;
  g_autoptr(SalDataset) data = NULL;
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autofree char *output = NULL, *card_path = NULL, *card = NULL, *base = NULL;
  struct sigaction old;
  TrainArgs a;
  Progress pr = { NULL, 0, "" };
  SalRecipeRunOptions opts = { NULL };
  g_autofree char *source = NULL;
  int rc = parse_args (argc, argv, &a, TRUE, usage);

  if (rc >= 0)
    return rc;
  source = recipe_source (a.recipe_path);
  if (is_image_text_source (source))
    return train_image_text (&a, TRUE);
  recipe = sal_recipe_new_from_file (a.recipe_path, &error);
  if (recipe == NULL)
    return sal_cli_fail ("%s", error->message);
  output = a.output != NULL ? g_strdup (a.output) : sal_recipe_output_path (recipe);
  if (!g_str_has_suffix (output, ".onnx"))
    return sal_cli_fail (_("the output file name must end in .onnx: %s"), output);
  base = g_strndup (output, strlen (output) - strlen (".onnx"));
  card_path = g_strconcat (base, ".md", NULL);

  data = sal_recipe_load_data (recipe, &error);
  if (data == NULL)
    return sal_cli_fail ("%s", error->message);

  pr.out = a.json ? stderr : stdout;
  opts.progress = on_progress;
  opts.cancel = is_cancelled;
  opts.user_data = &pr;
  opts.max_epochs = a.epochs;
  install_sigint (&old);
  if (strcmp (recipe->evaluation, "cv") == 0 && !a.no_eval)
    {
      g_autofree char *stage = g_strdup_printf (_("cross-validation %d×%d"), recipe->cv_folds,
                                                recipe->cv_repeats);
      pr.stage = stage;
      opts.progress = NULL;
      fprintf (pr.out, "%s…\n", stage);
      metrics = sal_recipe_evaluate (recipe, data, &opts, &error);
      if (metrics == NULL)
        {
          sigaction (SIGINT, &old, NULL);
          return fail_error (error);
        }
      opts.progress = on_progress;
    }
  if (metrics == NULL)
    metrics = sal_metrics_new ();
  pr.stage = _("final model");
  model = sal_recipe_train_final (recipe, data, metrics, &opts, &card, &error);
  sigaction (SIGINT, &old, NULL);
  if (model == NULL)
    return fail_error (error);

  rc = write_model_and_card (model, output, card_path, card);
  if (rc != 0)
    return rc;

  if (a.json)
    printf ("{\"recipe\": \"%s\", \"output\": \"%s\", \"card\": \"%s\", \"provenance\": %s}\n",
            recipe->id, output, card_path, sal_model_get_metadata (model, "salient.provenance"));
  else
    {
      print_metrics (stdout, metrics);
      printf (_("wrote %s and %s\n"), output, card_path);
    }
  return 0;
}
