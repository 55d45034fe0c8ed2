/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-deid.h"

/* Notes are small; this only stops a wrong file (a disk image) from filling memory. */
#define MAX_NOTE_BYTES (16 * 1024 * 1024)

static char *
read_note (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (g_str_equal (path, "-"))
    {
      GString *s = g_string_new (NULL);
      char buf[65536];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        {
          g_string_append_len (s, buf, n);
          if (s->len > MAX_NOTE_BYTES)
            {
              g_string_free (s, TRUE);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("standard input is longer than %d MiB; "
                             "de-identify notes one at a time"),
                           MAX_NOTE_BYTES / (1024 * 1024));
              return NULL;
            }
        }
      len = s->len;
      contents = g_string_free (s, FALSE);
    }
  else if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  else if (len > MAX_NOTE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("“%s” is larger than %d MiB; is it really a note?"), path,
                   MAX_NOTE_BYTES / (1024 * 1024));
      return NULL;
    }
  if (memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” contains NUL bytes: it is not a text file"), path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static void
print_json (const char *path, const char *text, const char *out, GPtrArray *changes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "spans");
  json_builder_begin_array (b);
  for (guint i = 0; i < changes->len; i++)
    {
      SalDeidChange *c = g_ptr_array_index (changes, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, sal_deid_category_id (c->category));
      /* Byte offsets into the UTF-8 file, and the same in characters. */
      json_builder_set_member_name (b, "start");
      json_builder_add_int_value (b, (gint64) c->start);
      json_builder_set_member_name (b, "end");
      json_builder_add_int_value (b, (gint64) c->end);
      json_builder_set_member_name (b, "char_start");
      json_builder_add_int_value (b, g_utf8_pointer_to_offset (text, text + c->start));
      json_builder_set_member_name (b, "char_end");
      json_builder_add_int_value (b, g_utf8_pointer_to_offset (text, text + c->end));
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, c->original);
      json_builder_set_member_name (b, "replacement");
      json_builder_add_string_value (b, c->replacement);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "deidentified");
  json_builder_add_string_value (b, out);
  json_builder_end_object (b);
  sal_cli_write_json (b, NULL, NULL);
}

int
sal_cli_deid_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalDeid) deid = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  const char *path = NULL;
  gboolean json = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          printf ("%s\n\n%s\n", _("Usage: salient-cli deid FILE [--json]"),
                  _("Prints the note in FILE (or standard input for “-”) with names, dates, "
                    "ages over 89, phone and fax numbers, e-mail and web addresses, street "
                    "addresses, ZIP codes and record numbers replaced by tags such as [NAME]; "
                    "the year of a date is kept. With --json, prints each replaced span with "
                    "its category instead."));
          return 0;
        }
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return sal_cli_fail (_("unknown option “%s”; see salient-cli deid --help"), argv[i]);
      else if (path == NULL)
        path = argv[i];
      else
        return sal_cli_fail (_("deid takes one file; run it once per note"));
    }
  if (path == NULL)
    {
      fprintf (stderr, "%s\n", _("Usage: salient-cli deid FILE [--json]"));
      return 2;
    }

  if ((text = read_note (path, &error)) == NULL)
    return sal_cli_fail ("%s", error->message);
  if ((deid = sal_deid_new (&error)) == NULL)
    return sal_cli_fail (_("cannot load the de-identification lists: %s"), error->message);
  if ((out = sal_deid_replace (deid, text, &changes, &error)) == NULL)
    return sal_cli_fail ("%s: %s", path, error->message);

  if (json)
    print_json (path, text, out, changes);
  else
    fputs (out, stdout);
  return 0;
}
