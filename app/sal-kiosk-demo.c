/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-kiosk"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-datasets.h"
#include "sal-demo-athlete.h"
#include "sal-demo-clinic.h"
#include "sal-explain.h"
#include "sal-kiosk-demo.h"
#include "sal-model-input.h"
#include "sal-notegen.h"
#include "sal-tokenizer.h"
#include "sal-training-load.h"

SalStore *
sal_kiosk_store_new (GTimeZone *tz, gint64 today, GError **error)
{
  SalStore *store = sal_store_open (":memory:", error);

  if (store == NULL)
    return NULL;
  if (today == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      today = sal_local_day (g_date_time_to_unix (now) * 1000, tz);
    }
  {
    /* The shipped models, the Clinic's demo cases (phantom slices, generated notes,
     * measurement rows) and a simulated athlete's year: all in memory. */
    g_autofree char *models = sal_shipped_models_dir ();
    g_autofree char *csv = g_build_filename (sal_data_dir (), "datasets", "wdbc.csv", NULL);

    if (!sal_store_register_models_in_dir (store, models, NULL, error)
        || !sal_demo_clinic_seed (store, csv, NULL, error)
        || !sal_demo_athlete_generate (store, 1, 365, today, tz, NULL, NULL, error))
      {
        sal_store_unref (store);
        return NULL;
      }
  }
  return store;
}

void
sal_kiosk_note_demo_free (SalKioskNoteDemo *demo)
{
  if (demo == NULL)
    return;
  g_free (demo->text);
  g_free (demo->starts);
  g_free (demo->ends);
  g_free (demo->attribution);
  g_free (demo);
}

SalKioskNoteDemo *
sal_kiosk_note_demo_compute (guint32 seed, GError **error)
{
  g_autofree char *dir = sal_shipped_models_dir ();
  g_autofree char *path = g_build_filename (dir, "note-triage.onnx", NULL);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalGeneratedNote) note = NULL;
  g_autoptr(SalTensor) input = NULL;
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(SalExplanation) e = NULL;
  SalExplainParams p;
  SalKioskNoteDemo *demo;

  model = sal_model_load_file (path, NULL, error);
  if (model == NULL)
    return NULL;
  /* The first urgent note from the seed on (a third of the notes are). */
  for (guint32 s = seed; s < seed + 1000; s++)
    {
      g_clear_pointer (&note, sal_generated_note_free);
      note = sal_note_generate (s, SAL_NOTE_TEMPLATES_HELD_OUT);
      if (note->label == SAL_TRIAGE_URGENT)
        break;
    }
  if (note == NULL || note->label != SAL_TRIAGE_URGENT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The note generator gave no urgent note; try another seed"));
      return NULL;
    }
  input = sal_model_input_from_text (model, note->text, &tokens, error);
  if (input == NULL)
    return NULL;
  sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  p.target = SAL_TRIAGE_URGENT;
  p.target_kind = SAL_TARGET_PROBABILITY;
  p.baseline = SAL_BASELINE_PAD;
  p.steps = 32;
  p.check_steps = 0;
  e = sal_explain (model, input, &p, error);
  if (e == NULL)
    return NULL;

  demo = g_new0 (SalKioskNoteDemo, 1);
  demo->text = g_strdup (note->text);
  demo->label = note->label;
  demo->target = SAL_TRIAGE_URGENT;
  demo->probability = e->score;
  demo->n_tokens = MIN (tokens->len, (guint) e->attribution->numel);
  demo->starts = g_new (gsize, demo->n_tokens);
  demo->ends = g_new (gsize, demo->n_tokens);
  demo->attribution = g_new (double, demo->n_tokens);
  for (guint i = 0; i < demo->n_tokens; i++)
    {
      const SalToken *t = &g_array_index (tokens, SalToken, i);

      demo->starts[i] = t->start;
      demo->ends[i] = t->end;
      demo->attribution[i] = sal_tensor_f32 (e->attribution)[i];
    }
  return demo;
}
