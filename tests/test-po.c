/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Translations stay complete: every language in po/LINGUAS has no untranslated or
 * fuzzy message, and every string that xgettext extracts from po/POTFILES.in today
 * has a translation (a new _() string without one fails here, not in a user's face). */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "sal-test-util.h"

static char *
source_path (const char *a, const char *b)
{
  const char *dir = g_getenv ("SALIENT_SOURCE_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, a, b, NULL);
}

/* The .po files named in po/LINGUAS. */
static GPtrArray *
po_files (void)
{
  g_autofree char *linguas_path = source_path ("po", "LINGUAS");
  g_autofree char *linguas = NULL;
  g_auto(GStrv) langs = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  g_file_get_contents (linguas_path, &linguas, NULL, &error);
  g_assert_no_error (error);
  langs = g_strsplit_set (linguas, " \n\t", -1);
  for (guint i = 0; langs[i] != NULL; i++)
    {
      g_autofree char *file = NULL;

      if (*langs[i] == '\0' || *langs[i] == '#')
        continue;
      file = g_strconcat (langs[i], ".po", NULL);
      g_ptr_array_add (files, source_path ("po", file));
    }
  g_assert_cmpuint (files->len, >=, 1);
  return files;
}

/* Runs a gettext tool; returns FALSE (and skips the test) when it is not installed.
 * *out gets standard output and error together. */
static gboolean
run_tool (const char *const *argv, char **out, int *status)
{
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text,
                     &stderr_text, status, &error))
    {
      g_autofree char *msg = g_strdup_printf ("cannot run %s (%s); install gettext", argv[0],
                                              error->message);
      g_test_skip (msg);
      return FALSE;
    }
  *out = g_strconcat (stdout_text, stderr_text, NULL);
  return TRUE;
}

/* msgfmt --statistics counts no untranslated and no fuzzy message. */
static void
test_po_complete (void)
{
  g_autoptr(GPtrArray) files = po_files ();

  for (guint i = 0; i < files->len; i++)
    {
      const char *po = files->pdata[i];
      const char *argv[] = { "msgfmt", "--check", "--statistics", "--output-file=/dev/null", po, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      if (!run_tool (argv, &out, &status))
        return;
      if (!g_spawn_check_wait_status (status, &error))
        g_error ("msgfmt --check failed on %s: %s", po, out);
      g_test_message ("%s: %s", po, out);
      g_assert_nonnull (strstr (out, "translated message"));
      if (strstr (out, "untranslated") != NULL || strstr (out, "fuzzy") != NULL)
        g_error ("%s is incomplete (%s); translate the new strings "
                 "(tools/po-fill.py helps) and fix every fuzzy entry", po, g_strstrip (out));
    }
}

/* A template made now from po/POTFILES.in (the same xgettext call as meson's
 * salient-pot target) has no msgid that a .po file leaves untranslated. */
static void
test_po_template (void)
{
  const char *src = g_getenv ("SALIENT_SOURCE_DIR");
  g_autoptr(GPtrArray) files = po_files ();
  g_autofree char *tmp = sal_test_tmpdir ();
  g_autofree char *pot = g_build_filename (tmp, "salient.pot", NULL);
  g_autofree char *potfiles = source_path ("po", "POTFILES.in");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int status = 0;
  const char *xgettext[] = {
    "xgettext", "--package-name=salient", "-D", src, "-f", potfiles, "-o", pot,
    "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2",
    "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3",
    "--keyword=g_dpgettext2:2c,3", "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
    "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format", "--flag=g_set_error:4:c-format", NULL
  };

  g_assert_nonnull (src);
  if (!run_tool (xgettext, &out, &status))
    {
      sal_test_rm_rf (tmp);
      return;
    }
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("xgettext failed: %s", out);
  /* A msgid cut off by a macro xgettext cannot expand (G_GINT64_FORMAT and friends
   * inside _()) ends in the middle of a directive: use PRId64 or %zu instead. */
  if (strstr (out, "middle of a directive") != NULL)
    g_error ("xgettext cut a translatable string short:\n%s", out);
  g_file_get_contents (pot, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "msgid \"Salient\""));

  for (guint i = 0; i < files->len; i++)
    {
      const char *po = files->pdata[i];
      /* Without --use-untranslated/--use-fuzzy, msgcmp counts only real translations. */
      const char *msgcmp[] = { "msgcmp", po, pot, NULL };
      g_autofree char *cmp = NULL;
      g_autoptr(GError) cmp_error = NULL;

      if (!run_tool (msgcmp, &cmp, &status))
        break;
      if (!g_spawn_check_wait_status (status, &cmp_error))
        g_error ("%s lacks translations for strings in the sources; run meson compile "
                 "salient-update-po (or msgmerge) and translate them:\n%s", po, cmp);
    }
  sal_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/po/complete", test_po_complete);
  g_test_add_func ("/po/template", test_po_template);
  return g_test_run ();
}
