/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli subcommands over the store: cases, workouts, backup, restore, audit. */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-audit.h"
#include "sal-cli-private.h"
#include "sal-import-util.h"
#include "sal-store.h"

SalStore *
sal_cli_open_store (const SalCliGlobals *g, GError **error)
{
  return sal_store_open (g->db_path, error);
}

static gboolean
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      return TRUE;
  return FALSE;
}

/* Parses "list [--json]"; FALSE (after printing why) on anything else. */
static gboolean
parse_list (int argc, char **argv, const char *usage, gboolean *json, int *status)
{
  *json = FALSE;
  if (wants_help (argc, argv))
    {
      printf ("%s\n", usage);
      *status = 0;
      return FALSE;
    }
  if (argc < 2 || strcmp (argv[1], "list") != 0)
    {
      *status = sal_cli_fail (_("%s: expected “list”; usage: %s"), argv[0], usage);
      return FALSE;
    }
  for (int i = 2; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        *json = TRUE;
      else
        {
          *status = sal_cli_fail (_("%s: unknown argument “%s”; usage: %s"), argv[0], argv[i],
                                  usage);
          return FALSE;
        }
    }
  return TRUE;
}

static void
add_number (JsonBuilder *b, const char *key, double v)
{
  json_builder_set_member_name (b, key);
  if (isnan (v))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *key, const char *v)
{
  json_builder_set_member_name (b, key);
  if (v == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, v);
}

static void
add_time (JsonBuilder *b, const char *key, gint64 ms)
{
  g_autofree char *t = sal_import_format_time (ms);

  add_string (b, key, t);
}

int
sal_cli_cases_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] cases list [--json]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  gboolean json;
  int status = 1;

  if (!parse_list (argc, argv, usage, &json, &status))
    return status;
  store = sal_cli_open_store (g, &error);
  if (store != NULL)
    cases = sal_store_list_cases (store, &error);
  if (cases == NULL)
    return sal_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < cases->len; i++)
        {
          SalCase *c = cases->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, c->id);
          add_string (b, "pseudonym", c->pseudonym);
          add_string (b, "title", c->title);
          json_builder_set_member_name (b, "demo");
          json_builder_add_boolean_value (b, c->demo);
          add_time (b, "created", c->created_ms);
          add_time (b, "updated", c->updated_ms);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      sal_cli_write_json (b, NULL, NULL);
      return 0;
    }
  if (cases->len == 0)
    {
      printf ("%s\n", _("No cases yet."));
      return 0;
    }
  printf ("%-6s %-12s %-21s %s\n", "ID", _("PSEUDONYM"), _("CREATED"), _("TITLE"));
  for (guint i = 0; i < cases->len; i++)
    {
      SalCase *c = cases->pdata[i];
      g_autofree char *created = sal_import_format_time (c->created_ms - c->created_ms % 1000);

      printf ("%-6" G_GINT64_FORMAT " %-12s %-21s %s%s\n", c->id, c->pseudonym, created, c->title,
              c->demo ? _(" (demo)") : "");
    }
  return 0;
}

int
sal_cli_workouts_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] workouts list [--json]");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  g_autoptr(GPtrArray) workouts = NULL;
  gboolean json;
  int status = 1;

  if (!parse_list (argc, argv, usage, &json, &status))
    return status;
  store = sal_cli_open_store (g, &error);
  if (store != NULL)
    workouts = sal_store_list_workouts (store, G_MININT64, G_MAXINT64, &error);
  if (workouts == NULL)
    return sal_cli_fail ("%s", error->message);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < workouts->len; i++)
        {
          SalWorkout *w = workouts->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, w->id);
          add_string (b, "sport", w->sport);
          add_string (b, "title", w->title);
          add_time (b, "start", w->start_ms);
          add_number (b, "duration_s", w->duration_s);
          add_number (b, "distance_m", w->distance_m);
          add_number (b, "avg_hr_bpm", w->avg_hr_bpm);
          add_number (b, "max_hr_bpm", w->max_hr_bpm);
          add_number (b, "rpe", w->rpe);
          add_string (b, "source", w->source);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      sal_cli_write_json (b, NULL, NULL);
      return 0;
    }
  if (workouts->len == 0)
    {
      printf ("%s\n", _("No workouts yet."));
      return 0;
    }
  printf ("%-6s %-21s %-10s %9s %9s %s\n", "ID", _("START"), _("SPORT"), _("MINUTES"), _("KM"),
          _("TITLE"));
  for (guint i = 0; i < workouts->len; i++)
    {
      SalWorkout *w = workouts->pdata[i];
      g_autofree char *start = sal_import_format_time (w->start_ms - w->start_ms % 1000);
      g_autofree char *km = isnan (w->distance_m) ? g_strdup ("-")
                                                  : g_strdup_printf ("%.2f", w->distance_m / 1000);

      printf ("%-6" G_GINT64_FORMAT " %-21s %-10s %9.1f %9s %s\n", w->id, start, w->sport,
              w->duration_s / 60.0, km, w->title != NULL ? w->title : "");
    }
  return 0;
}

int
sal_cli_backup_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] backup OUT");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;

  if (wants_help (argc, argv))
    {
      printf ("%s\n", usage);
      return 0;
    }
  if (argc != 2)
    return sal_cli_fail (_("backup needs one output file; usage: %s"), usage);
  store = sal_cli_open_store (g, &error);
  if (store == NULL || !sal_store_backup (store, argv[1], &error))
    return sal_cli_fail ("%s", error->message);
  printf (_("Backup written to %s\n"), argv[1]);
  return 0;
}

int
sal_cli_restore_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] restore FILE");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;

  if (wants_help (argc, argv))
    {
      printf ("%s\n", usage);
      return 0;
    }
  if (argc != 2)
    return sal_cli_fail (_("restore needs one backup file; usage: %s"), usage);
  /* Check before opening (and so perhaps creating) the database. */
  if (!sal_store_check_file (argv[1], NULL, &error))
    return sal_cli_fail ("%s", error->message);
  store = sal_cli_open_store (g, &error);
  if (store == NULL || !sal_store_restore (store, argv[1], &error))
    return sal_cli_fail ("%s", error->message);
  printf (_("Restored %s into %s\n"), argv[1], sal_store_get_path (store));
  return 0;
}

int
sal_cli_audit_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *usage = _("salient-cli [--db FILE] audit verify");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  guint64 n = 0;
  gint64 broken = 0;

  if (wants_help (argc, argv))
    {
      printf ("%s\n", usage);
      return 0;
    }
  if (argc != 2 || strcmp (argv[1], "verify") != 0)
    return sal_cli_fail (_("audit: expected “verify”; usage: %s"), usage);
  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);
  if (!sal_audit_verify (store, &n, &broken, &error))
    return sal_cli_fail ("%s", error->message);
  printf (g_dngettext (GETTEXT_PACKAGE, "Audit log intact: %" PRIu64 " entry verified\n",
                       "Audit log intact: %" PRIu64 " entries verified\n", n), n);
  return 0;
}
