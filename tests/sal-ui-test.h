/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers for UI tests (header-only): start the application as its own instance,
 * open windows, run the main loop until something happens, find widgets, and
 * render a widget or window to a PNG a person can look at and a test can read. */

#include <adwaita.h>
#include <string.h>

#include "sal-application.h"
#include "sal-window.h"

/* GLib drops its first quark block (16 KiB, allocated by its library constructor) on
 * purpose once a program has made 2048 quarks; the big UI tests (window, models, clinic)
 * do. GLib has no frame pointers, so the report's stack ends at g_malloc and no
 * suppression can tell it from a real leak; full stacks (fast_unwind_on_malloc=0) make
 * those programs too slow under ASan. They run without the leak check (ASan's memory
 * errors and UBSan still apply); every other program keeps it, and the code they drive is
 * leak-checked by the app tests. A program opts out with SAL_UI_TEST_NO_LEAK_CHECK once,
 * at file level. */
#if defined(__SANITIZE_ADDRESS__)
#define SAL_UI_TEST_NO_LEAK_CHECK \
  const char *__asan_default_options (void); \
  const char *__asan_default_options (void) { return "detect_leaks=0"; }
#else
#define SAL_UI_TEST_NO_LEAK_CHECK
#endif

typedef gboolean (*SalUiTestCondition) (gpointer user_data);

/* Call instead of g_test_init(). Sets SALIENT_TEST=1 (own instance) and a data folder
 * of the test's own before anything else, binds the translation catalogue, and opens the display. Returns FALSE when
 * there is no display: the caller should then skip (tools/test runs under Xvfb). */
static inline gboolean
sal_ui_test_init (int *argc, char ***argv)
{
  const char *data_home = g_getenv ("XDG_DATA_HOME");
  const char *build_dir = g_getenv ("G_TEST_BUILDDIR");

  g_setenv ("SALIENT_TEST", "1", TRUE);
  /* A window opens the default database (and the Clinic seeds its demo cases there):
   * never the user's. Each test program gets its own under the build folder, unless it
   * made itself a temporary one. */
  if (build_dir != NULL && (data_home == NULL || !g_str_has_prefix (data_home, g_get_tmp_dir ())))
    {
      g_autofree char *name = g_path_get_basename ((*argv)[0]);
      g_autofree char *dir = g_build_filename (build_dir, "ui-data", name, NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv ("XDG_DATA_HOME", dir, TRUE);
    }
  g_test_init (argc, argv, NULL);
  sal_i18n_init ();
  g_set_application_name ("Salient");
  return gtk_init_check ();
}

static inline gboolean
sal_ui_test_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context until @cond returns TRUE or @timeout_ms pass.
 * Returns the last value of @cond. */
static inline gboolean
sal_ui_test_wait_until (SalUiTestCondition cond, gpointer user_data, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, sal_ui_test_timeout_cb, &timed_out);

  while (!cond (user_data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (user_data);
}

/* Runs the main loop until nothing is pending (layout, drawing, idles), but at most
 * @timeout_ms; a frame clock may keep it busy, so the cap is real. */
static inline void
sal_ui_test_wait_idle (guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_pending (NULL))
        {
          /* Give a frame a chance to be scheduled before calling it idle. */
          g_usleep (20 * 1000);
          if (!g_main_context_pending (NULL))
            break;
        }
      g_main_context_iteration (NULL, FALSE);
    }
}

/* A registered application that runs as its own instance (no D-Bus name). */
static inline SalApplication *
sal_ui_test_app_new (void)
{
  g_autoptr(GError) error = NULL;
  SalApplication *app = sal_application_new (G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

static inline gboolean
sal_ui_test_is_mapped_cb (gpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget)) && gtk_widget_get_width (widget) > 0;
}

/* Presents @window and waits until it is on screen and laid out. */
static inline void
sal_ui_test_present (GtkWindow *window)
{
  gtk_window_present (window);
  g_assert_true (sal_ui_test_wait_until (sal_ui_test_is_mapped_cb, window, 5000));
  sal_ui_test_wait_idle (500);
}

/* Activates the application (as a start without files does) and returns its
 * window, presented and laid out. The application owns it. */
static inline SalWindow *
sal_ui_test_window_new (SalApplication *app)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (SAL_IS_WINDOW (window));
  sal_ui_test_present (window);
  return SAL_WINDOW (window);
}

/* Closes every window of @app and waits until they are gone. */
static inline gboolean
sal_ui_test_no_windows_cb (gpointer app)
{
  return gtk_application_get_windows (GTK_APPLICATION (app)) == NULL;
}

/* Destroys every window of @app and checks that each one is finalized (a window
 * kept alive by a stray reference is a leak the test should see). */
static inline void
sal_ui_test_close_all (SalApplication *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_autoptr(GPtrArray) weak = g_ptr_array_new_with_free_func (g_free);

  for (GList *l = windows; l != NULL; l = l->next)
    {
      gpointer *slot = g_new (gpointer, 1);
      *slot = l->data;
      g_object_add_weak_pointer (G_OBJECT (l->data), slot);
      g_ptr_array_add (weak, slot);
      gtk_window_destroy (GTK_WINDOW (l->data));
    }
  g_list_free (windows);
  g_assert_true (sal_ui_test_wait_until (sal_ui_test_no_windows_cb, app, 5000));
  sal_ui_test_wait_idle (200);
  for (guint i = 0; i < weak->len; i++)
    if (*(gpointer *) weak->pdata[i] != NULL)
      g_error ("%s was not finalized after it was destroyed",
               G_OBJECT_TYPE_NAME (*(gpointer *) weak->pdata[i]));
}

/* The first widget of @type under @root (depth first, @root included), skipping
 * @skip matches. */
static inline GtkWidget *
sal_ui_test_find_type (GtkWidget *root, GType type, guint *skip)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      if (*skip == 0)
        return root;
      (*skip)--;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = sal_ui_test_find_type (c, type, skip);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline GtkWidget *
sal_ui_test_find_nth (GtkWidget *root, GType type, guint n)
{
  return sal_ui_test_find_type (root, type, &n);
}

/* The first visible GtkLabel under @root showing exactly @text. */
static inline GtkLabel *
sal_ui_test_find_label (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root)
      && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = sal_ui_test_find_label (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The toplevel of @type among the visible windows, or NULL. */
static inline GtkWindow *
sal_ui_test_find_toplevel (GType type)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

/* The triggers (as strings, "<Alt>1") of the shortcuts a widget's class installed for
 * @action_name with @target (NULL for none), joined by "|"; empty when there are none. */
static inline char *
sal_ui_test_class_shortcuts_for (GtkWidget *widget, const char *action_name, GVariant *target)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) sc = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (sc);
          GVariant *args = gtk_shortcut_get_arguments (sc);
          g_autofree char *trigger = NULL;

          if (!GTK_IS_NAMED_ACTION (action)
              || g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)), action_name) != 0)
            continue;
          if ((target == NULL) != (args == NULL) || (target != NULL && !g_variant_equal (target, args)))
            continue;
          trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (sc));
          if (out->len > 0)
            g_string_append_c (out, '|');
          g_string_append (out, trigger);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Renders @widget (realized and laid out; a window too) at its current size with its
 * window's renderer. Returns NULL with @error set when it cannot be drawn. */
static inline GdkTexture *
sal_ui_test_render (GtkWidget *widget, GError **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  native = gtk_widget_get_native (widget);
  if (native == NULL || !gtk_widget_get_realized (widget) || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "%s is not realized and laid out; present its window first",
                   G_OBJECT_TYPE_NAME (widget));
      return NULL;
    }
  paintable = gtk_widget_paintable_new (widget);
  /* A widget waiting for a new layout draws nothing: let the frame clock run. */
  for (int tries = 0; node == NULL && tries < 50; tries++)
    {
      sal_ui_test_wait_idle (100);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s drew nothing",
                   G_OBJECT_TYPE_NAME (widget));
      return NULL;
    }
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Renders @widget to @path (PNG). Returns the texture for pixel checks. */
static inline GdkTexture *
sal_ui_test_save_png (GtkWidget *widget, const char *path, GError **error)
{
  g_autoptr(GdkTexture) texture = sal_ui_test_render (widget, error);

  if (texture == NULL)
    return NULL;
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return NULL;
    }
  return g_steal_pointer (&texture);
}

/* Pixels of @texture as 8-bit ARGB (premultiplied, native-endian words), owned by the
 * caller: pixel (x, y) is at [y * width + x]. */
static inline guint32 *
sal_ui_test_download (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  guint32 *pixels = g_new (guint32, (gsize) width * height);

  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);
  return pixels;
}

/* How many distinct colours a rectangle of @texture holds (capped at 1024): a blank or
 * failed rendering has one. */
static inline guint
sal_ui_test_count_colours (GdkTexture *texture, int x, int y, int w, int h)
{
  g_autofree guint32 *pixels = sal_ui_test_download (texture);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  int width = gdk_texture_get_width (texture);

  g_assert_cmpint (x + w, <=, width);
  g_assert_cmpint (y + h, <=, gdk_texture_get_height (texture));
  for (int j = y; j < y + h; j++)
    for (int i = x; i < x + w && g_hash_table_size (seen) < 1024; i++)
      g_hash_table_add (seen, GUINT_TO_POINTER (pixels[(gsize) j * width + i]));
  return g_hash_table_size (seen);
}

/* Runs xdotool with the NULL-terminated arguments against this display (real key
 * presses and pointer moves). Returns FALSE when xdotool is not installed. */
G_GNUC_NULL_TERMINATED static inline gboolean
sal_ui_test_xdotool (const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *path = g_find_program_in_path ("xdotool");
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list ap;

  if (path == NULL)
    return FALSE;
  g_ptr_array_add (argv, path);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("xdotool %s: %s %s", first, error->message, err != NULL ? err : "");
  return TRUE;
}

/* Path of a file in the build's tests folder (where PNGs for people go). */
static inline char *
sal_ui_test_build_path (const char *name)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");

  return g_build_filename (dir != NULL ? dir : ".", name, NULL);
}
