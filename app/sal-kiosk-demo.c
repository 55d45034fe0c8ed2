/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-kiosk"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-clinic-jobs.h"
#include "sal-datasets.h"
#include "sal-demo-athlete.h"
#include "sal-demo-clinic.h"
#include "sal-kiosk-demo.h"
#include "sal-model-input.h"
#include "sal-notegen.h"
#include "sal-train.h"
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

typedef struct {
  const char *text;
  gint64      case_id;
  gint64      note_id;
} NoteCase;

static gboolean
add_note_case_txn (SalStore *store, gpointer data, GError **error)
{
  NoteCase *nc = data;

  nc->case_id = sal_store_add_case (store, NULL, _("Made-up note"), TRUE, error);
  if (nc->case_id <= 0)
    return FALSE;
  nc->note_id = sal_store_add_note (store, nc->case_id, _("Made-up note"), nc->text, error);
  return nc->note_id > 0;
}

/* The store's note model, or NULL (no error) when it has none. */
static SalModel *
load_note_model (SalStore *store, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(SalModelRecord) rec = NULL;
  gint64 id = sal_clinic_find_model (store, SAL_CLINIC_MODEL_NOTE, &local);

  if (id == 0)
    return NULL;
  rec = sal_store_get_model (store, id, error);
  if (rec == NULL)
    return NULL;
  return sal_model_load_with_metadata (rec->path, rec->metadata_json, error);
}

/* Whether the model's most likely class for text is "urgent". */
static gboolean
reads_urgent (SalModel *model, const char *text, GError **error)
{
  g_autoptr(SalTensor) x = sal_model_input_from_text (model, text, NULL, error);
  g_autoptr(SalTensor) out = NULL;
  g_autoptr(GPtrArray) labels = sal_model_labels (model);
  guint best = 0;

  if (x == NULL)
    return FALSE;
  out = sal_model_predict (model, x, 1, 1, error);
  if (out == NULL)
    return FALSE;
  for (guint i = 1; i < out->numel; i++)
    if (sal_tensor_f32 (out)[i] > sal_tensor_f32 (out)[best])
      best = i;
  return best < labels->len && g_strcmp0 (labels->pdata[best], "urgent") == 0;
}

gint64
sal_kiosk_add_note_case (SalStore *store, guint32 seed, gint64 *note_id, guint32 *note_seed,
                         GError **error)
{
  g_autoptr(SalGeneratedNote) note = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GError) local = NULL;
  NoteCase nc = { 0 };
  gboolean found = FALSE;

  g_return_val_if_fail (store != NULL, 0);
  model = load_note_model (store, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return 0;
    }
  /* The first urgent note from the seed on (a third of the notes are) that the note
   * model also reads as urgent (about 1 in 80 it does not). */
  for (guint32 s = seed; s < seed + 1000 && !found; s++)
    {
      g_clear_pointer (&note, sal_generated_note_free);
      note = sal_note_generate (s, SAL_NOTE_TEMPLATES_TRAIN);
      if (note->label != SAL_TRIAGE_URGENT)
        continue;
      found = model == NULL || reads_urgent (model, note->text, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return 0;
        }
    }
  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The note generator gave no urgent note; try another seed"));
      return 0;
    }
  /* The case and its note together, or neither. */
  nc.text = note->text;
  if (!sal_store_run_in_transaction (store, add_note_case_txn, &nc, error))
    return 0;
  if (note_id != NULL)
    *note_id = nc.note_id;
  if (note_seed != NULL)
    *note_seed = note->seed;
  return nc.case_id;
}
