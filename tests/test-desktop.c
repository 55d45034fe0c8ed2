/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desktop integration: the built desktop file, metainfo, GSettings schema and icons
 * pass their validators and say what Salient is. */
#include "config.h"

#include <glib.h>
#include <gio/gio.h>
#include <string.h>

static char *
source_path (const char *first, ...)
{
  const char *dir = g_getenv ("SALIENT_SOURCE_DIR");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  va_list ap;

  g_assert_nonnull (dir);
  g_ptr_array_add (parts, (char *) dir);
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (char *) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

static char *
build_path (const char *a, const char *b)
{
  const char *dir = g_getenv ("SALIENT_BUILD_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, a, b, NULL);
}

/* Runs a validator; fails the test with its output when it is missing or complains. */
static void
run_tool (char **out, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &stdout_text, &stderr_text, &status, &error))
    g_error ("cannot run %s (%s); it is listed in data/debian-packages.txt", first, error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed (%s):\n%s%s", first, error->message, stdout_text, stderr_text);
  g_test_message ("%s: %s%s", first, stdout_text, stderr_text);
  if (out != NULL)
    *out = g_strconcat (stdout_text, stderr_text, NULL);
}

static void
test_desktop_validate (void)
{
  g_autofree char *path = build_path ("data", APP_ID ".desktop");
  g_autofree char *out = NULL;

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  run_tool (&out, "desktop-file-validate", path, NULL);
  /* Hints and warnings are printed with exit 0: none are accepted. */
  g_assert_cmpstr (g_strstrip (out), ==, "");
}

static void
test_desktop_content (void)
{
  g_autofree char *path = build_path ("data", APP_ID ".desktop");
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_zh = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *icon_file = NULL;

  g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_TRANSLATIONS, &error);
  g_assert_no_error (error);
  name = g_key_file_get_string (kf, "Desktop Entry", "Name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Salient");
  exec = g_key_file_get_string (kf, "Desktop Entry", "Exec", &error);
  g_assert_cmpstr (exec, ==, "salient %F");
  icon = g_key_file_get_string (kf, "Desktop Entry", "Icon", &error);
  g_assert_cmpstr (icon, ==, APP_ID);
  icon_file = source_path ("icons", "hicolor", "scalable", "apps", APP_ID ".svg", NULL);
  g_assert_true (g_file_test (icon_file, G_FILE_TEST_IS_REGULAR));
  /* The translation is merged in at build time. */
  name_zh = g_key_file_get_locale_string (kf, "Desktop Entry", "Comment", "zh_CN", &error);
  g_assert_no_error (error);
  g_assert_nonnull (name_zh);
  g_assert_false (g_str_has_prefix (name_zh, "Medical"));
}

static void
test_metainfo_validate (void)
{
  g_autofree char *path = build_path ("data", APP_ID ".metainfo.xml");

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  /* --strict fails on anything above a pedantic hint. */
  run_tool (NULL, "appstreamcli", "validate", "--no-net", "--strict", path, NULL);
}

static void
test_metainfo_content (void)
{
  g_autofree char *path = build_path ("data", APP_ID ".metainfo.xml");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "<id>" APP_ID "</id>"));
  g_assert_nonnull (strstr (text, "<launchable type=\"desktop-id\">" APP_ID ".desktop</launchable>"));
  g_assert_nonnull (strstr (text, "<screenshot type=\"default\">"));
  /* The newest release is this version: bump both together. */
  g_assert_nonnull (strstr (text, "<release version=\"" PACKAGE_VERSION "\""));
  g_assert_nonnull (strstr (text, "xml:lang=\"zh_CN\""));
}

static void
test_schema_strict (void)
{
  g_autofree char *dir = source_path ("data", NULL);

  run_tool (NULL, "glib-compile-schemas", "--strict", "--dry-run", dir, NULL);
}

static void
test_schema_keys (void)
{
  static const char *keys[] = {
    "window-width", "window-height", "window-maximized", "last-page", "appearance",
    "default-method", "overlay-colormap", "overlay-opacity", "engine-threads", "kiosk",
  };
  g_autofree char *dir = build_path ("data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchemaSource) source =
    g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_autoptr(GSettingsSchema) schema = NULL;

  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, APP_ID, FALSE);
  g_assert_nonnull (schema);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (g_settings_schema_has_key (schema, keys[i]));
  {
    g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "window-width");
    g_autoptr(GVariant) def = g_settings_schema_key_get_default_value (key);
    g_assert_cmpint (g_variant_get_int32 (def), ==, 1100);
  }
  {
    g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "overlay-opacity");
    g_autoptr(GVariant) bad = g_variant_ref_sink (g_variant_new_double (1.5));
    g_assert_false (g_settings_schema_key_range_check (key, bad));
  }
}

/* Every icon is well-formed SVG; symbolic ones are 16×16. */
static void
test_icons (void)
{
  static const char *icons[][2] = {
    { "hicolor/scalable/apps/" APP_ID ".svg", NULL },
    { "hicolor/symbolic/apps/" APP_ID "-symbolic.svg", "16" },
    { "scalable/actions/sal-clinic-symbolic.svg", "16" },
    { "scalable/actions/sal-fitness-symbolic.svg", "16" },
    { "scalable/actions/sal-models-symbolic.svg", "16" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      g_autofree char *path = source_path ("icons", icons[i][0], NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GMarkupParseContext) ctx = NULL;
      static const GMarkupParser parser = { NULL };

      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);
      ctx = g_markup_parse_context_new (&parser, G_MARKUP_DEFAULT_FLAGS, NULL, NULL);
      if (!g_markup_parse_context_parse (ctx, text, -1, &error)
          || !g_markup_parse_context_end_parse (ctx, &error))
        g_error ("%s: %s", path, error->message);
      g_assert_nonnull (strstr (text, "<svg"));
      if (icons[i][1] != NULL)
        {
          g_assert_nonnull (strstr (text, "width=\"16\" height=\"16\""));
          g_assert_nonnull (strstr (text, "viewBox=\"0 0 16 16\""));
        }
    }
}

/* Every translation compiles and keeps the format directives of its msgid (a
 * mismatched %s would crash or garble a message at run time). */
static void
test_po_check (void)
{
  g_autofree char *linguas_path = source_path ("po", "LINGUAS", NULL);
  g_autofree char *linguas = NULL;
  g_auto(GStrv) langs = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_file_get_contents (linguas_path, &linguas, NULL, &error);
  g_assert_no_error (error);
  langs = g_strsplit_set (linguas, " \n\t", -1);
  for (guint i = 0; langs[i] != NULL; i++)
    {
      g_autofree char *file = NULL;
      g_autofree char *po = NULL;

      if (*langs[i] == '\0' || *langs[i] == '#')
        continue;
      file = g_strconcat (langs[i], ".po", NULL);
      po = source_path ("po", file, NULL);
      run_tool (NULL, "msgfmt", "--check", "--output-file=/dev/null", po, NULL);
      n++;
    }
  g_assert_cmpuint (n, >=, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/desktop/desktop-file/validate", test_desktop_validate);
  g_test_add_func ("/desktop/desktop-file/content", test_desktop_content);
  g_test_add_func ("/desktop/metainfo/validate", test_metainfo_validate);
  g_test_add_func ("/desktop/metainfo/content", test_metainfo_content);
  g_test_add_func ("/desktop/schema/strict", test_schema_strict);
  g_test_add_func ("/desktop/schema/keys", test_schema_keys);
  g_test_add_func ("/desktop/icons/svg", test_icons);
  g_test_add_func ("/desktop/po/check", test_po_check);
  return g_test_run ();
}
