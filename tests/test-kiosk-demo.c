/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kiosk's demo data: an in-memory store with the demo athlete, and the note
 * explanation (Integrated Gradients on the shipped note-triage model). */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-kiosk-demo.h"
#include "sal-notegen.h"

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
  g_autoptr(SalKioskNoteDemo) demo = sal_kiosk_note_demo_compute (7, &error);
  double best = -INFINITY;
  guint best_i = 0;
  gsize len;

  g_assert_no_error (error);
  g_assert_nonnull (demo);
  g_assert_cmpint (demo->label, ==, SAL_TRIAGE_URGENT);
  g_assert_cmpfloat (demo->probability, >, 0.5);
  g_assert_cmpfloat (demo->probability, <=, 1.0);
  g_assert_cmpuint (demo->n_tokens, >, 5);
  len = strlen (demo->text);
  for (guint i = 0; i < demo->n_tokens; i++)
    {
      g_assert_cmpuint (demo->starts[i], <, demo->ends[i]);
      g_assert_cmpuint (demo->ends[i], <=, len);
      g_assert_true (isfinite (demo->attribution[i]));
      if (demo->attribution[i] > best)
        {
          best = demo->attribution[i];
          best_i = i;
        }
    }
  /* Some word pushes towards "urgent". */
  g_assert_cmpfloat (best, >, 0);
  g_assert_cmpuint (best_i, <, demo->n_tokens);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/kiosk-demo/store", test_store);
  g_test_add_func ("/app/kiosk-demo/note", test_note);
  return g_test_run ();
}
