/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli subcommands of the Clinic: report (a case as PDF) and clinic-demo. */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-datasets.h"
#include "sal-demo-clinic.h"
#include "sal-report.h"
#include "sal-store.h"

/* A case by id or by pseudonym; 0 (with error) when there is none. */
static gint64
find_case (SalStore *store, const char *ref, GError **error)
{
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, error);
  char *end = NULL;
  gint64 id = g_ascii_strtoll (ref, &end, 10);

  if (cases == NULL)
    return 0;
  for (guint i = 0; i < cases->len; i++)
    {
      const SalCase *c = cases->pdata[i];

      if ((end != ref && *end == '\0' && c->id == id) || g_strcmp0 (c->pseudonym, ref) == 0)
        return c->id;
    }
  g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
               _("No case “%s”: give its number or pseudonym (see “salient-cli cases list”)"),
               ref);
  return 0;
}

int
sal_cli_report_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] report CASE --output FILE.pdf [--models DIR]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  g_autofree char *models_dir = NULL;
  const char *case_ref = NULL;
  const char *output = NULL;
  gint64 id;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("%s\n", usage);
          return 0;
        }
      else if (strcmp (argv[i], "--output") == 0 || strcmp (argv[i], "-o") == 0)
        {
          if (++i >= argc)
            return sal_cli_fail (_("%s: --output needs a file name; usage: %s"), argv[0], usage);
          output = argv[i];
        }
      else if (strcmp (argv[i], "--models") == 0)
        {
          if (++i >= argc)
            return sal_cli_fail (_("%s: --models needs a folder; usage: %s"), argv[0], usage);
          g_free (models_dir);
          models_dir = g_strdup (argv[i]);
        }
      else if (case_ref == NULL && argv[i][0] != '-')
        case_ref = argv[i];
      else
        return sal_cli_fail (_("%s: unknown argument “%s”; usage: %s"), argv[0], argv[i], usage);
    }
  if (case_ref == NULL || output == NULL)
    return sal_cli_fail (_("%s: a case and --output are needed; usage: %s"), argv[0], usage);
  if (models_dir == NULL)
    models_dir = sal_shipped_models_dir ();

  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);
  id = find_case (store, case_ref, &error);
  if (id == 0)
    return sal_cli_fail ("%s", error->message);
  if (!sal_report_write_case (store, id, models_dir, output, &error))
    return sal_cli_fail ("%s", error->message);
  printf ("%s\n", output);
  return 0;
}

int
sal_cli_clinic_demo_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] clinic-demo add|remove");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;

  if (argc != 2 || (strcmp (argv[1], "add") != 0 && strcmp (argv[1], "remove") != 0))
    {
      if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
        {
          printf ("%s\n", usage);
          return 0;
        }
      return sal_cli_fail (_("%s: expected “add” or “remove”; usage: %s"), argv[0], usage);
    }
  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);

  if (strcmp (argv[1], "add") == 0)
    {
      g_autofree char *csv = g_build_filename (sal_data_dir (), "datasets", "wdbc.csv", NULL);
      guint n = 0;

      if (!sal_demo_clinic_seed (store, g_file_test (csv, G_FILE_TEST_EXISTS) ? csv : NULL,
                                 &n, &error))
        return sal_cli_fail ("%s", error->message);
      if (n == 0)
        printf ("%s\n", _("The database already holds cases; no demo cases were added."));
      else
        printf (g_dngettext (GETTEXT_PACKAGE, "Added %u demo case.\n", "Added %u demo cases.\n", n), n);
      return 0;
    }
  if (!sal_store_delete_demo_data (store, &error)
      || !sal_store_purge_deleted (store, G_MAXINT64, NULL, &error))
    return sal_cli_fail ("%s", error->message);
  printf ("%s\n", _("Demo data removed."));
  return 0;
}
