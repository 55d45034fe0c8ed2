/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window in Simplified Chinese. A fresh machine has no generated zh_CN locale,
 * so this runs with LANG=C.UTF-8 LANGUAGE=zh_CN (see DATA.md), using the catalogue
 * the build compiles into build/po. */
#include "config.h"

#include "sal-preferences-window.h"
#include "sal-ui-test.h"

static SalApplication *the_app;

/* TRUE when every glyph of @label is in some installed font (no boxes). */
static void
assert_label_renders (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);

  g_assert_nonnull (layout);
  if (pango_layout_get_unknown_glyphs_count (layout) != 0)
    g_error ("“%s” has %d characters no installed font can draw; install fonts-wqy-microhei",
             gtk_label_get_text (label), pango_layout_get_unknown_glyphs_count (layout));
}

static gboolean
has_titles_cb (gpointer window)
{
  return sal_ui_test_find_label (GTK_WIDGET (window), "模型") != NULL;
}

static void
test_titles (void)
{
  static const char *titles[] = { "临床", "健身", "模型" };
  SalWindow *window = sal_ui_test_window_new (the_app);
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (sal_window_get_view_stack (window));
  GtkWidget *status;

  g_assert_true (sal_ui_test_wait_until (has_titles_cb, window, 2000));
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkLabel *label;

      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, titles[i]);
      /* Shown in the view switcher of the header bar, and drawable. */
      label = sal_ui_test_find_label (GTK_WIDGET (window), titles[i]);
      g_assert_nonnull (label);
      assert_label_renders (label);
    }

  /* The Clinic's empty state is translated too. */
  {
    gboolean found = FALSE;

    for (guint i = 0; !found; i++)
      {
        status = sal_ui_test_find_nth (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, i);
        g_assert_nonnull (status);
        if (g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (status)), "没有病例") == 0)
          {
            g_assert_true (g_str_has_prefix (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                                             "病例以化名"));
            found = TRUE;
          }
      }
  }
  {
    GtkWidget *menu_button = sal_ui_test_find_nth (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, 0);
    g_assert_cmpstr (gtk_widget_get_tooltip_text (menu_button), ==, "主菜单");
  }
  sal_ui_test_close_all (the_app);
}

static void
test_preferences (void)
{
  SalWindow *window = sal_ui_test_window_new (the_app);
  GtkWidget *prefs, *appearance;
  GListModel *model;
  g_autofree char *path = sal_ui_test_build_path ("preferences-zh_CN.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  prefs = GTK_WIDGET (sal_ui_test_find_toplevel (SAL_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  sal_ui_test_present (GTK_WINDOW (prefs));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (prefs)), ==, "首选项");
  appearance = sal_ui_test_find_nth (prefs, ADW_TYPE_COMBO_ROW, 0);
  model = adw_combo_row_get_model (ADW_COMBO_ROW (appearance));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==, "跟随系统");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 2), ==, "深色");
  assert_label_renders (sal_ui_test_find_label (prefs, "跟随系统"));

  texture = sal_ui_test_save_png (prefs, path, &error);
  g_assert_no_error (error);
  sal_ui_test_close_all (the_app);
}

static void
test_png (void)
{
  SalWindow *window = sal_ui_test_window_new (the_app);
  g_autofree char *path = sal_ui_test_build_path ("window-zh_CN.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width;

  g_assert_true (sal_ui_test_wait_until (has_titles_cb, window, 2000));
  texture = sal_ui_test_save_png (GTK_WIDGET (window), path, &error);
  g_assert_no_error (error);
  g_test_message ("wrote %s", path);
  width = gdk_texture_get_width (texture);
  g_assert_cmpint (width, ==, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpuint (sal_ui_test_count_colours (texture, 0, 0, width, 46), >, 8);
  sal_ui_test_close_all (the_app);
}

int
main (int argc, char **argv)
{
  const char *builddir = g_getenv ("SALIENT_BUILD_DIR");
  g_autofree char *localedir = NULL;
  g_autofree char *mo = NULL;
  int status;

  /* Before anything reads the locale. */
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  if (builddir != NULL)
    {
      localedir = g_build_filename (builddir, "po", NULL);
      g_setenv ("SALIENT_LOCALEDIR", localedir, TRUE);
      mo = g_build_filename (localedir, "zh_CN", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
    }

  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  if (mo == NULL || !g_file_test (mo, G_FILE_TEST_IS_REGULAR))
    g_error ("no compiled catalogue at %s: build the project first (meson compile)",
             mo != NULL ? mo : "(SALIENT_BUILD_DIR unset)");

  g_test_add_func ("/ui/zh/titles", test_titles);
  g_test_add_func ("/ui/zh/preferences", test_preferences);
  g_test_add_func ("/ui/zh/png", test_png);

  the_app = sal_ui_test_app_new ();
  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
