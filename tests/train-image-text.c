/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trains the lesion finder or note triage model from its recipe and writes the
 * ONNX file and the model card (how the shipped files were made):
 *   train-image-text RECIPE [OUT.onnx OUT.md] [--epochs N] [--n-train N] [--threads N] */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-it-models.h"

static void
progress (const SalTrainProgress *p, gpointer user_data)
{
  GTimer *t = user_data;

  fprintf (stderr, "epoch %d/%d loss %.4f lr %.5f (%.1f s)\n", p->epoch, p->epochs, p->train_loss,
           p->lr, g_timer_elapsed (t, NULL));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autofree char *card = NULL;
  SalItOptions opts = { 0 };
  const char *pos[3] = { NULL, NULL, NULL };
  int n_pos = 0;
  GHashTableIter it;
  gpointer k, v;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--epochs") == 0 && i + 1 < argc)
        opts.max_epochs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--n-train") == 0 && i + 1 < argc)
        opts.n_train = atoi (argv[++i]);
      else if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
        opts.n_threads = atoi (argv[++i]);
      else if (n_pos < 3)
        pos[n_pos++] = argv[i];
    }
  if (n_pos != 1 && n_pos != 3)
    {
      fprintf (stderr, "usage: train-image-text RECIPE [OUT.onnx OUT.md] [--epochs N] "
                       "[--n-train N] [--threads N]\n");
      return 2;
    }
  opts.progress = progress;
  opts.user_data = timer;
  model = sal_it_train_recipe (pos[0], &opts, &metrics, &card, &error);
  if (model == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  g_hash_table_iter_init (&it, metrics);
  while (g_hash_table_iter_next (&it, &k, &v))
    printf ("%s %.4f\n", (char *) k, *(double *) v);
  printf ("seconds %.1f\n", g_timer_elapsed (timer, NULL));
  if (n_pos == 3)
    {
      if (!sal_model_save_file (model, pos[1], &error)
          || !g_file_set_contents (pos[2], card, -1, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
    }
  return 0;
}
