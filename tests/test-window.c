/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "sal-clinic-page.h"
#include "sal-fitness-page.h"
#include "sal-models-page.h"
#include "sal-preferences-window.h"
#include "sal-ui-test.h"

SAL_UI_TEST_NO_LEAK_CHECK

/* One registered application for the fixtures: a registered GApplication exports its
 * actions on the session bus under its id's path, which holds a reference until
 * shutdown, so it is not created anew for each test. */
static SalApplication *the_app;

typedef struct {
  SalApplication *app;
  GSettings      *settings;   /* the same (memory) backend the application uses */
} Fixture;

static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->settings = g_settings_new (APP_ID);
  reset_settings (f->settings);
  f->app = g_object_ref (the_app);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sal_ui_test_close_all (f->app);
  g_clear_object (&f->app);
  reset_settings (f->settings);
  g_clear_object (&f->settings);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *name, *title, *icon;
  } expected[] = {
    { "clinic", "Clinic", "sal-clinic-symbolic" },
    { "fitness", "Fitness", "sal-fitness-symbolic" },
    { "models", "Models", "sal-models-symbolic" },
  };
  SalWindow *window = sal_ui_test_window_new (f->app);
  AdwViewStack *stack = sal_window_get_view_stack (window);
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (stack);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  GType page_types[] = { SAL_TYPE_CLINIC_PAGE, SAL_TYPE_FITNESS_PAGE, SAL_TYPE_MODELS_PAGE };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkWidget *child = adw_view_stack_page_get_child (page);

      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, expected[i].name);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, expected[i].title);
      g_assert_cmpstr (adw_view_stack_page_get_icon_name (page), ==, expected[i].icon);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (child, page_types[i]));
      /* Shipped in the GResource and found through the application's icon path. */
      g_assert_true (gtk_icon_theme_has_icon (theme, expected[i].icon));
      /* Each placeholder states what the workspace will hold, in one line. */
      {
        GtkWidget *status = sal_ui_test_find_nth (child, ADW_TYPE_STATUS_PAGE, 0);
        const char *desc;
        g_assert_nonnull (status);
        desc = adw_status_page_get_description (ADW_STATUS_PAGE (status));
        g_assert_nonnull (desc);
        g_assert_cmpuint (strlen (desc), >, 20);
        g_assert_null (strchr (desc, '\n'));
      }
    }
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  g_assert_cmpstr (sal_window_get_page (window), ==, "clinic");
  /* The wide window shows the switcher in the header bar, with the titles. */
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (window), "Clinic"));
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (window), "Fitness"));
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (window), "Models"));
}

static const struct {
  const char *action;
  const char *accel;
} app_accels[] = {
  { "app.quit", "<Control>q" },
  { "app.preferences", "<Control>comma" },
  { "app.shortcuts", "<Control>question" },
  { "app.about", NULL },              /* menu only, as in GNOME apps */
  { "window.close", "<Control>w" },
};

static const struct {
  const char *action;
  const char *target;
  const char *accel;
} win_accels[] = {
  { "win.show-page", "clinic", "<Alt>1" },
  { "win.show-page", "fitness", "<Alt>2" },
  { "win.show-page", "models", "<Alt>3" },
  { "win.previous-page", NULL, "<Control>Page_Up" },
  { "win.next-page", NULL, "<Control>Page_Down" },
};

static void
test_actions (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (window);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *name, *pname;
  const GVariantType *ptype;
  GType owner;
  guint n_win = 0;

  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                   app_accels[i].action);
      if (g_str_has_prefix (app_accels[i].action, "app."))
        g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (f->app), app_accels[i].action + 4) != NULL);
      if (app_accels[i].accel == NULL)
        {
          g_assert_cmpuint (g_strv_length (accels), ==, 0);
          continue;
        }
      g_assert_cmpuint (g_strv_length (accels), ==, 1);
      g_assert_cmpstr (accels[0], ==, app_accels[i].accel);
      g_assert_true (g_hash_table_add (seen, g_strdup (accels[0])));
    }
  /* Ctrl+? must reach app.shortcuts alone. */
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                 "win.show-help-overlay");
    g_assert_cmpuint (g_strv_length (accels), ==, 0);
  }

  /* Every window action the class installs has its accelerator(s), and no two
   * actions share one. */
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &ptype, &pname); i++)
    {
      guint found = 0;
      if (!g_str_has_prefix (name, "win."))
        continue;
      n_win++;
      for (guint j = 0; j < G_N_ELEMENTS (win_accels); j++)
        {
          g_autoptr(GVariant) target = NULL;
          g_autofree char *triggers = NULL;

          if (!g_str_equal (win_accels[j].action, name))
            continue;
          found++;
          if (win_accels[j].target != NULL)
            target = g_variant_ref_sink (g_variant_new_string (win_accels[j].target));
          triggers = sal_ui_test_class_shortcuts_for (GTK_WIDGET (window), name, target);
          g_assert_cmpstr (triggers, ==, win_accels[j].accel);
          g_assert_true (g_hash_table_add (seen, g_strdup (triggers)));
        }
      if (found == 0)
        g_error ("window action %s has no accelerator listed in this test", name);
    }
  g_assert_cmpuint (n_win, ==, 3);

  /* The Clinic page's own shortcuts are listed too. */
  {
    static const char * const clinic_actions[] = { "clinic.new-case", "clinic.search",
                                                   "clinic.rename", "clinic.delete",
                                                   "clinic.export", "clinic.back" };
    GtkWidget *clinic = sal_ui_test_find_nth (GTK_WIDGET (window), SAL_TYPE_CLINIC_PAGE, 0);

    g_assert_nonnull (clinic);
    for (guint i = 0; i < G_N_ELEMENTS (clinic_actions); i++)
      {
        g_autofree char *triggers = sal_ui_test_class_shortcuts_for (clinic, clinic_actions[i], NULL);
        g_assert_cmpstr (triggers, !=, "");
        g_hash_table_add (seen, g_steal_pointer (&triggers));
      }
  }

  /* The shortcuts window lists exactly these accelerators. */
  {
    GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
    g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    GtkWidget *sc;

    g_assert_nonnull (help);
    for (guint i = 0; (sc = sal_ui_test_find_nth (GTK_WIDGET (help), GTK_TYPE_SHORTCUTS_SHORTCUT, i)) != NULL; i++)
      {
        g_autofree char *accel = NULL;
        g_object_get (sc, "accelerator", &accel, NULL);
        if (!g_hash_table_contains (seen, accel))
          g_error ("the shortcuts window shows %s, which no action has", accel);
        g_hash_table_add (listed, g_steal_pointer (&accel));
      }
    g_assert_cmpuint (g_hash_table_size (listed), ==, g_hash_table_size (seen));
  }
}

/* A button bound to @action_name shows whether the action is enabled. */
static GtkWidget *
action_button (SalWindow *window, const char *action_name)
{
  GtkWidget *header = sal_ui_test_find_nth (GTK_WIDGET (window), ADW_TYPE_HEADER_BAR, 0);
  GtkWidget *button = gtk_button_new ();

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);
  return button;
}

static void
test_page_actions (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  GtkWidget *prev = action_button (window, "win.previous-page");
  GtkWidget *next = action_button (window, "win.next-page");

  sal_ui_test_wait_idle (200);
  g_assert_cmpstr (sal_window_get_page (window), ==, "clinic");
  g_assert_false (gtk_widget_get_sensitive (prev));
  g_assert_true (gtk_widget_get_sensitive (next));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "models"));
  g_assert_cmpstr (sal_window_get_page (window), ==, "models");
  {
    g_autofree char *saved = g_settings_get_string (f->settings, "last-page");
    g_assert_cmpstr (saved, ==, "models");
  }
  g_assert_true (gtk_widget_get_sensitive (prev));
  g_assert_false (gtk_widget_get_sensitive (next));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-page", NULL));
  g_assert_cmpstr (sal_window_get_page (window), ==, "fitness");
  g_assert_true (gtk_widget_get_sensitive (prev));
  g_assert_true (gtk_widget_get_sensitive (next));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-page", NULL));
  g_assert_cmpstr (sal_window_get_page (window), ==, "models");
}

typedef struct {
  SalWindow  *window;
  const char *page;
} PageWait;

static gboolean
page_is_cb (gpointer data)
{
  PageWait *w = data;
  return g_strcmp0 (sal_window_get_page (w->window), w->page) == 0;
}

static gboolean
has_preferences_cb (gpointer data)
{
  return sal_ui_test_find_toplevel (SAL_TYPE_PREFERENCES_WINDOW) != NULL;
}

static gboolean
has_shortcuts_cb (gpointer data)
{
  return sal_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW) != NULL;
}

/* Real key presses through the X server reach the actions. */
static void
test_keys (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  PageWait w = { window, NULL };
  static const struct { const char *keys, *page; } steps[] = {
    { "alt+3", "models" },
    { "alt+1", "clinic" },
    { "ctrl+Next", "fitness" },
    { "ctrl+Next", "models" },
    { "ctrl+Prior", "fitness" },
    { "alt+2", "fitness" },
  };

  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());

  /* Without a window manager focus follows the pointer: put it over the window,
   * wherever it was placed. */
  if (!sal_ui_test_xdotool ("search", "--sync", "--onlyvisible", "--pid", pid, "--name", "^Salient$",
                            "mousemove", "--window", "%1", "200", "300", NULL))
    {
      g_test_skip ("xdotool is not installed");
      return;
    }
  sal_ui_test_wait_idle (300);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      w.page = steps[i].page;
      sal_ui_test_xdotool ("key", "--clearmodifiers", steps[i].keys, NULL);
      if (!sal_ui_test_wait_until (page_is_cb, &w, 3000))
        g_error ("after %s the page is %s, not %s", steps[i].keys,
                 sal_window_get_page (window), steps[i].page);
    }

  sal_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+comma", NULL);
  g_assert_true (sal_ui_test_wait_until (has_preferences_cb, NULL, 3000));
  gtk_window_destroy (sal_ui_test_find_toplevel (SAL_TYPE_PREFERENCES_WINDOW));
  sal_ui_test_wait_idle (300);

  sal_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+question", NULL);
  g_assert_true (sal_ui_test_wait_until (has_shortcuts_cb, NULL, 3000));
  gtk_widget_hide (GTK_WIDGET (sal_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW)));
  sal_ui_test_wait_idle (300);

  /* Ctrl+W closes the window, which saves its state on the way. */
  g_settings_set_string (f->settings, "last-page", "clinic");
  sal_ui_test_xdotool ("key", "--clearmodifiers", "ctrl+w", NULL);
  g_assert_true (sal_ui_test_wait_until (sal_ui_test_no_windows_cb, f->app, 3000));
  {
    g_autofree char *page = g_settings_get_string (f->settings, "last-page");
    g_assert_cmpstr (page, ==, "fitness");
  }
}

static void
test_state_saved (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  int width, height;
  g_autofree char *page = NULL;

  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1100);
  g_assert_cmpint (height, ==, 720);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "fitness"));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  sal_ui_test_wait_idle (300);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (sal_ui_test_wait_until (sal_ui_test_no_windows_cb, f->app, 5000));

  page = g_settings_get_string (f->settings, "last-page");
  g_assert_cmpstr (page, ==, "fitness");
  g_assert_cmpint (g_settings_get_int (f->settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (f->settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (f->settings, "window-maximized"));

  /* A new window (a new start) comes back the same. */
  window = sal_ui_test_window_new (f->app);
  g_assert_cmpstr (sal_window_get_page (window), ==, "fitness");
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  /* The default size counts the client-side frame as well. */
  g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (window)) - 900), <=, 24);
  g_assert_cmpint (ABS (gtk_widget_get_height (GTK_WIDGET (window)) - 640), <=, 24);
  sal_ui_test_close_all (f->app);

  /* app.quit saves too (quitting closes no window by itself). */
  window = sal_ui_test_window_new (f->app);
  sal_window_set_page (window, "models");
  g_settings_set_string (f->settings, "last-page", "clinic");
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "quit", NULL);
  g_free (page);
  page = g_settings_get_string (f->settings, "last-page");
  g_assert_cmpstr (page, ==, "models");
}

static void
test_state_invalid (Fixture *f, gconstpointer data)
{
  SalWindow *window;

  /* A page name that does not exist (say, from another version) opens the first page
   * and warns about nothing (warnings are fatal here). */
  g_settings_set_string (f->settings, "last-page", "no-such-page");
  g_settings_set_boolean (f->settings, "window-maximized", TRUE);
  window = sal_ui_test_window_new (f->app);
  g_assert_cmpstr (sal_window_get_page (window), ==, "clinic");
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (window)));
}

static void
test_preferences (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *prefs, *appearance, *method, *colormap, *scale, *spin;
  g_autofree char *value = NULL;
  GListModel *model;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "app.preferences", NULL));
  prefs = GTK_WIDGET (sal_ui_test_find_toplevel (SAL_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  sal_ui_test_present (GTK_WINDOW (prefs));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (window));

  appearance = sal_ui_test_find_nth (prefs, ADW_TYPE_COMBO_ROW, 0);
  method = sal_ui_test_find_nth (prefs, ADW_TYPE_COMBO_ROW, 1);
  colormap = sal_ui_test_find_nth (prefs, ADW_TYPE_COMBO_ROW, 2);
  scale = sal_ui_test_find_nth (prefs, GTK_TYPE_SCALE, 0);
  spin = sal_ui_test_find_nth (prefs, GTK_TYPE_SPIN_BUTTON, 0);
  g_assert_nonnull (appearance);
  g_assert_nonnull (method);
  g_assert_nonnull (colormap);
  g_assert_nonnull (scale);
  g_assert_nonnull (spin);

  /* Appearance: the row writes the key and the style manager follows. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (appearance)), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_combo_row_set_selected (ADW_COMBO_ROW (appearance), 2);
  g_assert_cmpint (g_settings_get_enum (f->settings, "appearance"), ==, 2);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  adw_combo_row_set_selected (ADW_COMBO_ROW (appearance), 1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_settings_set_string (f->settings, "appearance", "system");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (appearance)), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);

  /* Method: eight methods by display name, stored by id. */
  model = adw_combo_row_get_model (ADW_COMBO_ROW (method));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 8);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 3), ==, "Integrated Gradients");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (method)), ==, 4);  /* grad-cam */
  adw_combo_row_set_selected (ADW_COMBO_ROW (method), 3);
  value = g_settings_get_string (f->settings, "default-method");
  g_assert_cmpstr (value, ==, "integrated-gradients");
  g_clear_pointer (&value, g_free);
  g_settings_set_string (f->settings, "default-method", "occlusion");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (method)), ==, 6);
  /* An id this version does not know is shown as the first entry, not a crash. */
  g_settings_set_string (f->settings, "default-method", "future-method");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (method)), ==, 0);

  /* Colormap. */
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (ADW_COMBO_ROW (colormap))), ==, 4);
  adw_combo_row_set_selected (ADW_COMBO_ROW (colormap), 3);
  value = g_settings_get_string (f->settings, "overlay-colormap");
  g_assert_cmpstr (value, ==, "diverging");
  g_clear_pointer (&value, g_free);
  adw_combo_row_set_selected (ADW_COMBO_ROW (colormap), 2);
  value = g_settings_get_string (f->settings, "overlay-colormap");
  g_assert_cmpstr (value, ==, "cividis");

  /* Opacity and threads, both ways. */
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (scale)), 0.5, 1e-9);
  gtk_range_set_value (GTK_RANGE (scale), 0.25);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (f->settings, "overlay-opacity"), 0.25, 1e-9);
  g_settings_set_double (f->settings, "overlay-opacity", 0.8);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (scale)), 0.8, 1e-9);

  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 4);
  g_assert_cmpint (g_settings_get_int (f->settings, "engine-threads"), ==, 4);
  g_settings_set_int (f->settings, "engine-threads", 7);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 7);

  {
    g_autofree char *path = sal_ui_test_build_path ("preferences-en.png");
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = sal_ui_test_save_png (prefs, path, &error);
    g_assert_no_error (error);
  }
  g_settings_reset (f->settings, "appearance");
}

static void
test_about_and_shortcuts (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  GtkWindow *about, *help;

  g_assert_null (sal_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  about = sal_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Salient");
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (window));
  {
    g_autofree char *path = sal_ui_test_build_path ("about-en.png");
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = NULL;

    sal_ui_test_present (about);
    texture = sal_ui_test_save_png (GTK_WIDGET (about), path, &error);
    g_assert_no_error (error);
  }
  gtk_window_destroy (about);

  g_assert_null (sal_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "shortcuts", NULL);
  help = sal_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (help);
  g_assert_true (help == GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window))));
  {
    g_autofree char *path = sal_ui_test_build_path ("shortcuts-en.png");
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) texture = NULL;

    sal_ui_test_present (help);
    texture = sal_ui_test_save_png (GTK_WIDGET (help), path, &error);
    g_assert_no_error (error);
  }
}

static gboolean
no_pending_cb (gpointer model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model)) == 0;
}

static gboolean
clinic_idle_cb (gpointer page)
{
  return !sal_clinic_page_is_busy (page);
}

static void
test_open_files (Fixture *f, gconstpointer data)
{
  g_autoptr(GFile) a = g_file_new_for_path ("/tmp/salient-a.png");
  g_autoptr(GFile) b = g_file_new_for_path ("/tmp/salient-b.png");
  GFile *files[] = { a, b };
  GListModel *pending;
  SalWindow *window;
  SalClinicPage *clinic;

  g_application_open (G_APPLICATION (f->app), files, 2, "");
  window = SAL_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (window);
  pending = sal_window_get_pending_files (window);
  clinic = SAL_CLINIC_PAGE (sal_ui_test_find_nth (GTK_WIDGET (window), SAL_TYPE_CLINIC_PAGE, 0));
  /* The Clinic takes them as one new case; these files do not exist, and it says so. */
  g_assert_true (sal_ui_test_wait_until (no_pending_cb, pending, 5000));
  g_assert_true (sal_ui_test_wait_until (clinic_idle_cb, clinic, 30000));
  g_assert_nonnull (strstr (sal_clinic_page_get_last_toast (clinic), "salient-a.png"));
  /* A second open goes to the same window. */
  g_application_open (G_APPLICATION (f->app), files + 1, 1, "");
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (f->app)) == GTK_WINDOW (window));
  g_assert_true (sal_ui_test_wait_until (no_pending_cb, pending, 5000));
  g_assert_true (sal_ui_test_wait_until (clinic_idle_cb, clinic, 30000));
  g_assert_nonnull (strstr (sal_clinic_page_get_last_toast (clinic), "salient-b.png"));
}

static void
on_activate_quit (GApplication *app)
{
  g_application_quit (app);
}

/* Runs the application in this process with @args, quitting as soon as it is
 * activated. Returns the exit status. */
static int
run_app (SalApplication *app, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (argv, (char *) "salient");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate_quit), NULL);
  return g_application_run (G_APPLICATION (app), (int) argv->len - 1, (char **) argv->pdata);
}

static void
test_options (void)
{
  const char *builddir = g_getenv ("SALIENT_BUILD_DIR");
  g_autofree char *exe = g_build_filename (builddir, "ui", "salient", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalApplication) app = NULL;
  int status = -1;

  /* --version and --help work without starting anything. */
  g_assert_true (g_spawn_sync (NULL, (char *[]) { exe, (char *) "--version", NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "salient " PACKAGE_VERSION "\n");
  g_clear_pointer (&out, g_free);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { exe, (char *) "--help", NULL }, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "--db=FILE"));
  g_assert_nonnull (strstr (out, "--kiosk"));
  g_assert_nonnull (strstr (out, "--version"));

  /* Single instance by default; tests (SALIENT_TEST=1) run as their own. */
  g_unsetenv ("SALIENT_TEST");
  app = sal_application_new (G_APPLICATION_HANDLES_OPEN);
  g_assert_false (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_NON_UNIQUE);
  g_setenv ("SALIENT_TEST", "1", TRUE);
  g_clear_object (&app);
  app = sal_application_new (G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_NON_UNIQUE);
  g_clear_object (&app);

  /* --db: its own instance, the path made absolute. */
  g_unsetenv ("SALIENT_TEST");
  app = sal_application_new (G_APPLICATION_HANDLES_OPEN);
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".TestDb");
  g_assert_cmpint (run_app (app, "--db", "some.db", NULL), ==, 0);
  g_assert_true (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_NON_UNIQUE);
  {
    g_autofree char *cwd = g_get_current_dir ();
    g_autofree char *expected = g_build_filename (cwd, "some.db", NULL);
    g_assert_cmpstr (sal_application_get_db_path (app), ==, expected);
  }
  g_assert_false (sal_application_get_kiosk (app));
  sal_ui_test_close_all (app);
  g_clear_object (&app);

  /* --kiosk: its own instance, settings that live only in memory. */
  app = sal_application_new (G_APPLICATION_HANDLES_OPEN);
  g_application_set_application_id (G_APPLICATION (app), APP_ID ".TestKiosk");
  g_assert_cmpint (run_app (app, "--kiosk", NULL), ==, 0);
  g_setenv ("SALIENT_TEST", "1", TRUE);
  g_assert_true (g_application_get_flags (G_APPLICATION (app)) & G_APPLICATION_NON_UNIQUE);
  g_assert_true (sal_application_get_kiosk (app));
  g_assert_null (sal_application_get_db_path (app));
  {
    g_autoptr(GSettings) shared = g_settings_new (APP_ID);
    GSettings *own = sal_application_get_settings (app);
    g_settings_set_string (own, "last-page", "models");
    g_assert_true (g_settings_get_boolean (own, "kiosk"));
    g_assert_false (g_settings_get_boolean (shared, "kiosk"));
    {
      g_autofree char *page = g_settings_get_string (shared, "last-page");
      g_assert_cmpstr (page, ==, "clinic");
    }
  }
  sal_ui_test_close_all (app);
  g_clear_object (&app);
}

static gboolean
has_chrome_cb (gpointer window)
{
  return sal_ui_test_find_label (GTK_WIDGET (window), "Models") != NULL;
}

static void
test_png (Fixture *f, gconstpointer data)
{
  SalWindow *window = sal_ui_test_window_new (f->app);
  g_autofree char *path = sal_ui_test_build_path ("window-en.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) reread = NULL;
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  g_assert_true (sal_ui_test_wait_until (has_chrome_cb, window, 2000));
  g_unlink (path);
  texture = sal_ui_test_save_png (GTK_WIDGET (window), path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, height);
  g_test_message ("wrote %s (%d×%d)", path, width, height);

  reread = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (reread), ==, width);
  /* The header bar holds text and icons; the page holds an icon, a title and a line. */
  g_assert_cmpuint (sal_ui_test_count_colours (reread, 0, 0, width, 46), >, 8);
  g_assert_cmpuint (sal_ui_test_count_colours (reread, 0, 60, width, height - 60), >, 8);
  /* The header bar is not the colour of the page below it. */
  {
    g_autofree guint32 *px = sal_ui_test_download (reread);
    g_assert_cmpuint (px[(gsize) 4 * width + 4], !=, px[(gsize) (height - 4) * width + 4]);
  }
}

int
main (int argc, char **argv)
{
  gboolean display;
  int status;

  /* These checks compare English strings. */
  g_setenv ("LANGUAGE", "en", TRUE);
  display = sal_ui_test_init (&argc, &argv);
  if (!display)
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }

#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/ui/window/pages", test_pages);
  ADD ("/ui/window/actions", test_actions);
  ADD ("/ui/window/page-actions", test_page_actions);
  ADD ("/ui/window/keys", test_keys);
  ADD ("/ui/window/state-saved", test_state_saved);
  ADD ("/ui/window/state-invalid", test_state_invalid);
  ADD ("/ui/window/open-files", test_open_files);
  ADD ("/ui/window/png", test_png);
  ADD ("/ui/preferences/settings", test_preferences);
  ADD ("/ui/app/about-and-shortcuts", test_about_and_shortcuts);
#undef ADD
  g_test_add_func ("/ui/app/options", test_options);

  the_app = sal_ui_test_app_new ();
  status = g_test_run ();
  g_clear_object (&the_app);
  return status;
}
