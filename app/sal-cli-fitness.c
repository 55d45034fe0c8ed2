/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli fitness: the daily training-load values, and the demo athlete. */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-demo-athlete.h"
#include "sal-fitness-summary.h"
#include "sal-store.h"

#define USAGE "fitness summary [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--tz ZONE] [--json]\n" \
              "       fitness demo [--days N] [--seed N] [--tz ZONE]\n" \
              "       fitness remove-demo"

static gint64
today (GTimeZone *tz)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return sal_local_day (g_date_time_to_unix (now) * 1000, tz);
}

static int
print_summary (const SalFitnessSummary *s, const char *tz_id, gboolean json)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "time_zone");
      json_builder_add_string_value (b, tz_id);
      json_builder_set_member_name (b, "days");
      json_builder_begin_array (b);
      for (int i = 0; i < s->n_days; i++)
        {
          const SalDayLoad *d = &s->days[i];
          g_autofree char *day = sal_day_to_string (s->first_day + i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "day");
          json_builder_add_string_value (b, day);
          json_builder_set_member_name (b, "sessions");
          json_builder_add_int_value (b, s->n_sessions[i]);
          sal_cli_add_double (b, "duration_s", s->duration_s[i]);
          sal_cli_add_double (b, "distance_m", s->distance_m[i]);
          sal_cli_add_double (b, "load", d->load);
          sal_cli_add_double (b, "ctl", d->ctl);
          sal_cli_add_double (b, "atl", d->atl);
          sal_cli_add_double (b, "form", d->form);
          sal_cli_add_double (b, "acwr_rolling", d->acwr_rolling);
          sal_cli_add_double (b, "acwr_ewma", d->acwr_ewma);
          sal_cli_add_double (b, "monotony", d->monotony);
          sal_cli_add_double (b, "strain", d->strain);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      sal_cli_write_json (b, NULL, NULL);
      return 0;
    }
  printf ("%-10s %3s %7s %7s %7s %7s %6s %6s\n", "day", "n", "load", "CTL", "ATL", "form",
          "ACWR", "mono");
  for (int i = 0; i < s->n_days; i++)
    {
      const SalDayLoad *d = &s->days[i];
      g_autofree char *day = sal_day_to_string (s->first_day + i);
      char acwr[16] = "—", mono[16] = "—";

      if (isfinite (d->acwr_rolling))
        g_snprintf (acwr, sizeof acwr, "%.2f", d->acwr_rolling);
      if (isfinite (d->monotony))
        g_snprintf (mono, sizeof mono, "%.2f", d->monotony);
      printf ("%-10s %3d %7.1f %7.1f %7.1f %7.1f %6s %6s\n", day, s->n_sessions[i], d->load,
              d->ctl, d->atl, d->form, acwr, mono);
    }
  return 0;
}

static GTimeZone *
parse_tz (const char *id, int *status)
{
  GTimeZone *tz;

  if (id == NULL)
    return g_time_zone_new_local ();
  tz = g_time_zone_new_identifier (id);
  if (tz == NULL)
    *status = sal_cli_fail (_("fitness: unknown time zone “%s” (use e.g. Europe/Berlin or UTC)"),
                            id);
  return tz;
}

int
sal_cli_fitness_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *from = NULL, *to = NULL, *tz_id = NULL, *days_s = NULL, *seed_s = NULL;
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(SalStore) store = NULL;
  int status = 1;

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      if (argc < 2)
        return sal_cli_fail (_("fitness: expected a subcommand; usage: %s"), USAGE);
      printf ("%s\n", USAGE);
      return 0;
    }
  for (int i = 2; i < argc; i++)
    {
      const char **slot = NULL;

      if (strcmp (argv[i], "--json") == 0)
        {
          json = TRUE;
          continue;
        }
      if (strcmp (argv[i], "--from") == 0)
        slot = &from;
      else if (strcmp (argv[i], "--to") == 0)
        slot = &to;
      else if (strcmp (argv[i], "--tz") == 0)
        slot = &tz_id;
      else if (strcmp (argv[i], "--days") == 0)
        slot = &days_s;
      else if (strcmp (argv[i], "--seed") == 0)
        slot = &seed_s;
      if (slot == NULL || i + 1 >= argc)
        return sal_cli_fail (_("fitness: unknown or incomplete argument “%s”; usage: %s"),
                             argv[i], USAGE);
      *slot = argv[++i];
    }
  if (tz_id != NULL)
    {
      tz = parse_tz (tz_id, &status);
      if (tz == NULL)
        return status;
    }
  store = sal_cli_open_store (g, &error);
  if (store == NULL)
    return sal_cli_fail ("%s", error->message);
  if (tz == NULL)
    {
      /* Local days are the athlete's: the profile's time zone, else this computer's. */
      g_autoptr(SalAthlete) athlete = sal_store_get_athlete (store, &error);
      if (error != NULL)
        return sal_cli_fail ("%s", error->message);
      tz = sal_athlete_time_zone (athlete);
    }

  if (strcmp (argv[1], "summary") == 0)
    {
      gint64 first, last;
      g_autoptr(SalFitnessSummary) s = NULL;
      SalLoadParams params = { 42, 7 };

      last = today (tz);
      if (to != NULL && !sal_day_from_string (to, &last))
        return sal_cli_fail (_("fitness: “%s” is not a date like 2024-03-31"), to);
      first = last - 27;
      if (from != NULL && !sal_day_from_string (from, &first))
        return sal_cli_fail (_("fitness: “%s” is not a date like 2024-03-01"), from);
      if (first > last)
        return sal_cli_fail (_("fitness: --from %s comes after --to"), from);
      if (last - first > 366 * 50)
        return sal_cli_fail (_("fitness: the range is longer than 50 years"));
      s = sal_store_fitness_summary (store, tz, &params, first, last, &error);
      if (s == NULL)
        return sal_cli_fail ("%s", error->message);
      return print_summary (s, g_time_zone_get_identifier (tz), json);
    }
  if (strcmp (argv[1], "demo") == 0)
    {
      guint64 n_days = 365, seed = 1;
      guint n = 0;

      if ((days_s != NULL && (!g_ascii_string_to_unsigned (days_s, 10, 1, 366 * 20, &n_days, NULL)))
          || (seed_s != NULL && !g_ascii_string_to_unsigned (seed_s, 10, 0, G_MAXUINT32, &seed,
                                                             NULL)))
        return sal_cli_fail (_("fitness demo: --days takes 1 to 7320 and --seed a whole number"));
      if (!sal_demo_athlete_generate (store, (guint32) seed, (int) n_days, today (tz), tz, NULL,
                                      &n, &error))
        return sal_cli_fail ("%s", error->message);
      printf (_("Added a demo athlete with %u workouts over %d days.\n"), n, (int) n_days);
      return 0;
    }
  if (strcmp (argv[1], "remove-demo") == 0)
    {
      guint n = 0;
      if (!sal_store_delete_demo_data (store, &error)
          || !sal_store_purge_deleted (store, G_MAXINT64, &n, &error))
        return sal_cli_fail ("%s", error->message);
      printf (_("Removed the demo data.\n"));
      return 0;
    }
  return sal_cli_fail (_("fitness: unknown subcommand “%s”; usage: %s"), argv[1], USAGE);
}
