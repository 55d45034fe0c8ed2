/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli import and export: files in and out of the store, all or nothing. */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sal-audit.h"
#include "sal-cli-private.h"
#include "sal-import.h"
#include "sal-store.h"

typedef struct {
  GPtrArray *workouts;     /* of SalWorkout, from every file */
  GPtrArray *images;       /* of SalImage */
  GPtrArray *image_names;  /* file base names, parallel to images */
  gint64     case_id;      /* 0: make a case for the images */
  guint      n_added;
  guint      n_duplicates;
} ImportData;

static gboolean
store_import (SalStore *store, gpointer user_data, GError **error)
{
  ImportData *d = user_data;

  if (d->workouts->len > 0
      && !sal_store_add_workouts (store, d->workouts, FALSE, &d->n_added, &d->n_duplicates, error))
    return FALSE;
  if (d->images->len > 0 && d->case_id == 0)
    {
      d->case_id = sal_store_add_case (store, NULL, _("Imported images"), FALSE, error);
      if (d->case_id == 0)
        return FALSE;
    }
  for (guint i = 0; i < d->images->len; i++)
    {
      g_autofree char *object = NULL;
      gint64 id = sal_store_add_image (store, d->case_id, d->image_names->pdata[i],
                                       d->images->pdata[i], error);
      if (id == 0)
        return FALSE;
      object = g_strdup_printf ("image/%" G_GINT64_FORMAT, id);
      if (!sal_audit_append (store, "import", object, error))
        return FALSE;
    }
  return TRUE;
}

int
sal_cli_import_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] import [--case ID] FILE…");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  ImportData d = { 0 };
  g_autoptr(GPtrArray) workouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_image_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("%s\n", usage);
          return 0;
        }
      else if (strcmp (argv[i], "--case") == 0)
        {
          char *end = NULL;

          if (i + 1 >= argc)
            return sal_cli_fail (_("--case needs a case id; usage: %s"), usage);
          d.case_id = g_ascii_strtoll (argv[++i], &end, 10);
          if (end == argv[i] || *end != '\0' || d.case_id <= 0)
            return sal_cli_fail (_("“%s” is not a case id"), argv[i]);
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return sal_cli_fail (_("import: unknown option “%s”; usage: %s"), argv[i], usage);
      else
        g_ptr_array_add (files, argv[i]);
    }
  if (files->len == 0)
    return sal_cli_fail (_("import needs at least one file; usage: %s"), usage);

  /* Read everything first: one bad file and nothing is stored. */
  for (guint i = 0; i < files->len; i++)
    {
      g_auto(SalImportResult) result = { 0 };

      if (!sal_import_file (files->pdata[i], NULL, &result, &error))
        return sal_cli_fail (_("nothing was imported: %s"), error->message);
      if (result.workouts != NULL)
        for (guint k = 0; k < result.workouts->len; k++)
          g_ptr_array_add (workouts, g_steal_pointer (&result.workouts->pdata[k]));
      if (result.image != NULL)
        {
          g_ptr_array_add (images, g_steal_pointer (&result.image));
          g_ptr_array_add (names, g_path_get_basename (files->pdata[i]));
        }
    }

  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);
  if (d.case_id > 0)
    {
      g_autoptr(SalCase) c = sal_store_get_case (store, d.case_id, &error);
      if (c == NULL)
        return sal_cli_fail ("%s", error->message);
    }
  d.workouts = workouts;
  d.images = images;
  d.image_names = names;
  if (!sal_store_run_in_transaction (store, store_import, &d, &error))
    return sal_cli_fail (_("nothing was imported: %s"), error->message);

  printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u workout", "Imported %u workouts", d.n_added),
          d.n_added);
  if (d.n_duplicates > 0)
    printf (g_dngettext (GETTEXT_PACKAGE, " (%u was already stored)", " (%u were already stored)",
                         d.n_duplicates), d.n_duplicates);
  if (images->len > 0)
    printf (g_dngettext (GETTEXT_PACKAGE, " and %u image into case %" PRId64,
                         " and %u images into case %" PRId64, images->len),
            images->len, d.case_id);
  printf (g_dngettext (GETTEXT_PACKAGE, " from %u file\n", " from %u files\n", files->len),
          files->len);
  return 0;
}

int
sal_cli_export_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] export --format csv|gpx --output FILE "
                        "[--workout ID]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  g_autoptr(GPtrArray) workouts = NULL;
  g_autofree char *object = NULL;
  const char *format_id = NULL, *output = NULL;
  SalExportFormat format;
  gint64 workout_id = 0;

  for (int i = 1; i < argc; i++)
    {
      const char *value = i + 1 < argc ? argv[i + 1] : NULL;

      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("%s\n", usage);
          return 0;
        }
      else if (strcmp (argv[i], "--format") == 0 && value != NULL)
        format_id = argv[++i];
      else if (strcmp (argv[i], "--output") == 0 && value != NULL)
        output = argv[++i];
      else if (strcmp (argv[i], "--workout") == 0 && value != NULL)
        {
          char *end = NULL;

          workout_id = g_ascii_strtoll (argv[++i], &end, 10);
          if (end == argv[i] || *end != '\0' || workout_id <= 0)
            return sal_cli_fail (_("“%s” is not a workout id"), argv[i]);
        }
      else
        return sal_cli_fail (_("export: unexpected “%s”; usage: %s"), argv[i], usage);
    }
  if (format_id == NULL || output == NULL)
    return sal_cli_fail (_("export needs --format and --output; usage: %s"), usage);
  if (!sal_export_format_from_id (format_id, &format))
    return sal_cli_fail (_("unknown export format “%s”; use csv or gpx"), format_id);

  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);
  if (workout_id > 0)
    {
      SalWorkout *w = sal_store_get_workout (store, workout_id, TRUE, &error);

      if (w == NULL)
        return sal_cli_fail ("%s", error->message);
      workouts = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
      g_ptr_array_add (workouts, w);
      object = g_strdup_printf ("workout/%" G_GINT64_FORMAT, workout_id);
    }
  else
    {
      workouts = sal_store_list_workouts (store, G_MININT64, G_MAXINT64, &error);
      if (workouts == NULL)
        return sal_cli_fail ("%s", error->message);
      /* Tracks need their samples; the summary CSV does not. */
      if (format != SAL_EXPORT_CSV)
        for (guint i = 0; i < workouts->len; i++)
          {
            SalWorkout *w = sal_store_get_workout (store, ((SalWorkout *) workouts->pdata[i])->id,
                                                   TRUE, &error);
            if (w == NULL)
              return sal_cli_fail ("%s", error->message);
            sal_workout_free (workouts->pdata[i]);
            workouts->pdata[i] = w;
          }
      object = g_strdup_printf ("workouts:%u", workouts->len);
    }
  if (workouts->len == 0)
    return sal_cli_fail (_("there are no workouts to export"));
  if (!sal_export_workouts (workouts, format, output, &error))
    return sal_cli_fail ("%s", error->message);
  if (!sal_audit_append (store, "export", object, &error))
    return sal_cli_fail ("%s", error->message);
  printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u workout to %s\n",
                       "Exported %u workouts to %s\n", workouts->len), workouts->len, output);
  return 0;
}
