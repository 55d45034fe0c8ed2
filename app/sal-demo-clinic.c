/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-demo-clinic"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-demo-clinic.h"
#include "sal-notegen.h"
#include "sal-phantom.h"

typedef struct {
  const char *wdbc_csv;
  guint       n_cases;
} SeedData;

/* One WDBC row as measurements: names from the header, values from line `row`
 * (1-based data line). The class column is dropped: the model should not see it. */
static GArray *
read_wdbc_row (const char *path, guint row, char **label, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) values = NULL;
  GArray *rows;
  guint first = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  while (lines[first] != NULL && lines[first][0] == '#')
    first++;
  if (lines[first] == NULL || g_strv_length (lines + first) <= row + 1)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” has no data row %u"), path, row);
      return NULL;
    }
  names = g_strsplit (g_strstrip (lines[first]), ",", -1);
  values = g_strsplit (g_strstrip (lines[first + row]), ",", -1);
  if (g_strv_length (names) != g_strv_length (values) || g_strv_length (names) < 2)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("Row %u of “%s” does not match its header"), row, path);
      return NULL;
    }

  rows = g_array_new (FALSE, TRUE, sizeof (SalMeasurement));
  for (guint i = 0; names[i] != NULL; i++)
    {
      SalMeasurement m = { 0 };
      char *end = NULL;
      double v;

      if (g_str_equal (names[i], "diagnosis") || g_str_equal (names[i], "label")
          || g_str_equal (names[i], "target"))
        {
          *label = g_strdup (values[i]);
          continue;
        }
      v = g_ascii_strtod (values[i], &end);
      if (end == values[i] || *end != '\0' || !isfinite (v))
        {
          if (names[i + 1] == NULL)
            {
              /* the last column is the class */
              *label = g_strdup (values[i]);
              continue;
            }
          for (guint j = 0; j < rows->len; j++)
            g_free (g_array_index (rows, SalMeasurement, j).name);
          g_array_free (rows, TRUE);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("Row %u of “%s”: “%s” is not a number"), row, path, values[i]);
          return NULL;
        }
      m.name = g_strdup (names[i]);
      m.value = v;
      g_array_append_val (rows, m);
    }
  return rows;
}

static void
free_rows (GArray *rows)
{
  for (guint j = 0; j < rows->len; j++)
    g_free (g_array_index (rows, SalMeasurement, j).name);
  g_array_free (rows, TRUE);
}

static gint64
add_phantom (SalStore *store, gint64 case_id, guint32 seed, SalPhantomKind kind,
             const char *source, GError **error)
{
  g_autoptr(SalPhantom) p = sal_phantom_generate (seed, kind);
  g_autoptr(SalImage) img = sal_image_new (p->width, p->height, 1, 16);

  memcpy (img->pixels, p->pixels, sizeof (guint16) * p->width * p->height);
  return sal_store_add_image (store, case_id, source, img, error);
}

/* A generated note of the wanted triage level: the generator draws the label from the
 * seed, so walk seeds until one has it (a few tries at most). */
static SalGeneratedNote *
note_with_label (SalTriage label, guint32 first_seed)
{
  for (guint32 s = first_seed; s < first_seed + 200; s++)
    {
      SalGeneratedNote *n = sal_note_generate (s, SAL_NOTE_TEMPLATES_HELD_OUT);

      if (n->label == label)
        return n;
      sal_generated_note_free (n);
    }
  return sal_note_generate (first_seed, SAL_NOTE_TEMPLATES_HELD_OUT);
}

static gboolean
seed_txn (SalStore *store, gpointer user_data, GError **error)
{
  SeedData *d = user_data;
  struct {
    const char    *title;
    SalPhantomKind image;
    SalTriage      triage;
    guint          wdbc_row;
  } cases[] = {
    /* Case titles are stored data, written in English like the generated notes. */
    { "Demo: headache, MRI slice with a lesion", SAL_PHANTOM_WITH_LESION, SAL_TRIAGE_EMERGENCY, 1 },
    { "Demo: follow-up, healthy MRI slice", SAL_PHANTOM_HEALTHY, SAL_TRIAGE_ROUTINE, 20 },
    { "Demo: breast mass work-up", SAL_PHANTOM_WITH_LESION, SAL_TRIAGE_URGENT, 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SalGeneratedNote) note = note_with_label (cases[i].triage, 7001 + 31 * i);
      g_autofree char *source = g_strdup_printf ("demo-phantom-%u.png", 11 + i);
      g_autofree char *note_title = g_strdup_printf ("Demo note (%s)",
                                                     sal_triage_id (note->label));
      gint64 id = sal_store_add_case (store, NULL, cases[i].title, TRUE, error);

      if (id == 0)
        return FALSE;
      if (add_phantom (store, id, 11 + i, cases[i].image, source, error) == 0)
        return FALSE;
      if (sal_store_add_note (store, id, note_title, note->text, error) == 0)
        return FALSE;
      if (d->wdbc_csv != NULL)
        {
          g_autofree char *label = NULL;
          GArray *rows = read_wdbc_row (d->wdbc_csv, cases[i].wdbc_row, &label, error);
          gboolean ok;

          if (rows == NULL)
            return FALSE;
          ok = sal_store_set_measurements (store, id, (SalMeasurement *) (void *) rows->data,
                                           rows->len, error);
          free_rows (rows);
          if (!ok)
            return FALSE;
        }
      d->n_cases++;
    }
  return TRUE;
}

gboolean
sal_demo_clinic_seed (SalStore   *store,
                      const char *wdbc_csv,
                      guint      *n_cases,
                      GError    **error)
{
  g_autoptr(GPtrArray) existing = NULL;
  SeedData d = { wdbc_csv, 0 };

  g_return_val_if_fail (store != NULL, FALSE);

  if (n_cases != NULL)
    *n_cases = 0;
  existing = sal_store_list_cases (store, error);
  if (existing == NULL)
    return FALSE;
  if (existing->len > 0)
    return TRUE;
  if (!sal_store_run_in_transaction (store, seed_txn, &d, error))
    return FALSE;
  if (n_cases != NULL)
    *n_cases = d.n_cases;
  return TRUE;
}
