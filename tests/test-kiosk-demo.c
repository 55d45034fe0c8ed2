/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's demo data: an in-memory store with the demo athlete, and the note
 * demo's case (a generated urgent note). */

#include "config.h"

#include <string.h>

#include "sal-clinic-jobs.h"
#include "sal-kiosk-demo.h"
#include "sal-model-input.h"
#include "sal-notegen.h"
#include "sal-train.h"

static void
test_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  SalStore *store = sal_kiosk_store_new (utc, 20000, &error);
  SalAthlete *athlete;

  g_assert_no_error (error);
  g_assert_nonnull (store);
  athlete = sal_store_get_athlete (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (athlete);
  sal_athlete_free (athlete);
  sal_store_unref (store);
}

static void
test_note (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  SalStore *store = sal_kiosk_store_new (utc, 20000, &error);
  g_autoptr(SalGeneratedNote) note = NULL;
  g_autoptr(SalNote) stored = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  gint64 case_id, note_id = 0;
  guint32 seed = 0;
  gboolean urgent_evidence = FALSE;

  g_assert_no_error (error);
  case_id = sal_kiosk_add_note_case (store, 7, &note_id, &seed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (case_id, >, 0);
  g_assert_cmpint (note_id, >, 0);
  g_assert_cmpuint (seed, >=, 7);
  /* The stored note is the generator's urgent note of that seed, in a demo case. */
  note = sal_note_generate (seed, SAL_NOTE_TEMPLATES_TRAIN);
  g_assert_cmpint (note->label, ==, SAL_TRIAGE_URGENT);
  for (guint i = 0; i < note->spans->len; i++)
    {
      const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, i);
      urgent_evidence |= sp->level == SAL_TRIAGE_URGENT && !sp->negated;
    }
  g_assert_true (urgent_evidence);
  stored = sal_store_get_note (store, note_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->text, ==, note->text);
  g_assert_cmpint (stored->case_id, ==, case_id);
  cases = sal_store_list_cases (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < cases->len; i++)
    if (((SalCase *) cases->pdata[i])->id == case_id)
      g_assert_true (((SalCase *) cases->pdata[i])->demo);

  /* Every note it picks is one the shipped note model reads as urgent, also where the
   * first urgent note of a seed is not. */
  for (guint32 first = 1; first < 400; first += 37)
    {
      g_autoptr(SalModelRecord) rec = NULL;
      g_autoptr(SalModel) model = NULL;
      g_autoptr(SalNote) n = NULL;
      g_autoptr(SalTensor) x = NULL;
      g_autoptr(SalTensor) out = NULL;
      gint64 id = 0;

      g_assert_cmpint (sal_kiosk_add_note_case (store, first, &id, NULL, &error), >, 0);
      g_assert_no_error (error);
      rec = sal_store_get_model (store, sal_clinic_find_model (store, SAL_CLINIC_MODEL_NOTE, NULL),
                                 &error);
      g_assert_no_error (error);
      model = sal_model_load_with_metadata (rec->path, rec->metadata_json, &error);
      g_assert_no_error (error);
      n = sal_store_get_note (store, id, &error);
      x = sal_model_input_from_text (model, n->text, NULL, &error);
      g_assert_no_error (error);
      out = sal_model_predict (model, x, 1, 1, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (sal_tensor_f32 (out)[SAL_TRIAGE_URGENT], >, sal_tensor_f32 (out)[SAL_TRIAGE_ROUTINE]);
      g_assert_cmpfloat (sal_tensor_f32 (out)[SAL_TRIAGE_URGENT], >, sal_tensor_f32 (out)[SAL_TRIAGE_EMERGENCY]);
    }
  sal_store_unref (store);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/kiosk-demo/store", test_store);
  g_test_add_func ("/app/kiosk-demo/note", test_note);
  return g_test_run ();
}
