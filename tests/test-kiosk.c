/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo kiosk under Xvfb: locked-down start screen, guided demos, idle reset,
 * language reset, and nothing written to disk. */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "sal-kiosk-window.h"
#include "sal-ui-test.h"

static char *data_home;

static SalApplication *the_app;

/* One kiosk application for the whole program (a GApplication registers once). */
static SalKioskWindow *
kiosk_open (SalApplication **app_out)
{
  SalApplication *app = the_app;
  GtkWindow *window;

  if (app == NULL)
    {
      g_autoptr(GError) error = NULL;

      app = the_app = sal_application_new (G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
      sal_application_set_kiosk (app, TRUE);
      g_application_register (G_APPLICATION (app), NULL, &error);
      g_assert_no_error (error);
    }
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (SAL_IS_KIOSK_WINDOW (window));
  sal_ui_test_present (window);
  *app_out = app;
  return SAL_KIOSK_WINDOW (window);
}

static void
kiosk_close (SalApplication *app)
{
  sal_ui_test_close_all (app);
}

static void
test_start (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  g_autofree char **quit_accels = NULL, **close_accels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *png = sal_ui_test_build_path ("kiosk-start.png");

  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (win)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (win)));
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *b = sal_kiosk_window_get_target (win, i);

      g_assert_true (gtk_widget_get_mapped (b));
      g_assert_cmpint (gtk_widget_get_height (b), >=, 48);
      g_assert_cmpint (gtk_widget_get_width (b), >=, 48);
    }
  /* Locked: no quitting, no preferences, no About (links), no shortcuts. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "preferences"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "about"));
  quit_accels = (char **) gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  close_accels = (char **) gtk_application_get_accels_for_action (GTK_APPLICATION (app), "window.close");
  g_assert_cmpuint (g_strv_length (quit_accels), ==, 0);
  g_assert_cmpuint (g_strv_length (close_accels), ==, 0);
  g_strfreev (quit_accels);
  g_strfreev (close_accels);
  quit_accels = close_accels = NULL;
  /* Closing is refused (Alt+F4 or a window manager's close). */
  gtk_window_close (GTK_WINDOW (win));
  sal_ui_test_wait_idle (200);
  g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (app)));

  tex = sal_ui_test_save_png (GTK_WIDGET (win), png, &error);
  g_assert_no_error (error);
  kiosk_close (app);
}

static gboolean
ready_cb (gpointer win)
{
  return sal_kiosk_window_demo_ready (win);
}

static void
test_demos (void)
{
  static const char * const demos[] = { "lesion", "note", "training" };
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);

  for (guint i = 0; i < G_N_ELEMENTS (demos); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkTexture) tex = NULL;
      g_autofree char *name = g_strdup_printf ("kiosk-%s.png", demos[i]);
      g_autofree char *png = sal_ui_test_build_path (name);

      gtk_widget_activate (sal_kiosk_window_get_target (win, i));
      g_assert_true (sal_ui_test_wait_until (ready_cb, win, 20000));
      g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, demos[i]);
      sal_ui_test_wait_idle (1500);
      tex = sal_ui_test_save_png (GTK_WIDGET (win), png, &error);
      g_assert_no_error (error);
      gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.start", NULL);
      g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
    }
  kiosk_close (app);
}

typedef struct {
  SalKioskWindow *win;
  guint generation;
  gboolean saw_countdown;
} IdleData;

static gboolean
reset_cb (gpointer data)
{
  IdleData *d = data;

  d->saw_countdown |= sal_kiosk_window_counting_down (d->win);
  return sal_kiosk_window_get_generation (d->win) > d->generation
         && g_strcmp0 (sal_kiosk_window_get_page (d->win), "start") == 0;
}

static void
test_idle (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  IdleData d = { win, 0, FALSE };

  sal_kiosk_window_show_demo (win, "note");
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  sal_kiosk_window_set_idle (win, 1);
  d.generation = sal_kiosk_window_get_generation (win);
  /* Still there before the idle period has passed. */
  sal_ui_test_wait_idle (300);
  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "note");
  g_assert_true (sal_ui_test_wait_until (reset_cb, &d, 10000));
  g_assert_cmpuint (sal_kiosk_window_get_generation (win), ==, d.generation + 1);
  g_assert_true (d.saw_countdown);
  g_assert_false (sal_kiosk_window_counting_down (win));
  kiosk_close (app);
}

static void
test_language (void)
{
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  GtkWindow *next;

  sal_kiosk_window_show_demo (win, "lesion");
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  /* The toggle is on the start screen; it is a full reset. */
  gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.start", NULL);
  gtk_widget_activate_action (GTK_WIDGET (win), "kiosk.language", "s", "zh_CN");
  sal_ui_test_wait_idle (500);
  g_assert_null (win);
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "zh_CN");
  next = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (next == NULL)
    next = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  g_assert_true (SAL_IS_KIOSK_WINDOW (next));
  sal_ui_test_present (next);
  g_assert_cmpstr (sal_kiosk_window_get_page (SAL_KIOSK_WINDOW (next)), ==, "start");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) tex = NULL;
    g_autofree char *png = sal_ui_test_build_path ("kiosk-start-zh.png");

    tex = sal_ui_test_save_png (GTK_WIDGET (next), png, &error);
    g_assert_no_error (error);
  }
  {
    /* The guided lesion explanation in Chinese, explanation included. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GdkTexture) tex = NULL;
    g_autofree char *png = sal_ui_test_build_path ("kiosk-lesion-zh.png");

    sal_kiosk_window_show_demo (SAL_KIOSK_WINDOW (next), "lesion");
    g_assert_true (sal_ui_test_wait_until (ready_cb, next, 60000));
    sal_ui_test_wait_idle (300);
    g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (next), "模型为什么认为存在病灶？"));
    tex = sal_ui_test_save_png (GTK_WIDGET (next), png, &error);
    g_assert_no_error (error);
    gtk_widget_activate_action (GTK_WIDGET (next), "kiosk.start", NULL);
  }
  sal_kiosk_set_language ("en");
  kiosk_close (app);
}

static gboolean
dir_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir == NULL || g_dir_read_name (dir) == NULL;
}

/* Runs last: after every demo, the data, config and cache folders are still empty and
 * the process has no regular file open in them. */
static void
test_no_disk (void)
{
  /* Not XDG_CACHE_HOME: the GL driver and the accessibility bus keep their own caches
   * there (shaders), which hold nothing of a visitor's. */
  static const char * const vars[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME" };
  SalApplication *app;
  SalKioskWindow *win = kiosk_open (&app);
  const char *demos[] = { "lesion", "note", "training" };
  g_autoptr(GDir) fds = NULL;
  const char *fd;

  for (guint i = 0; i < G_N_ELEMENTS (demos); i++)
    {
      sal_kiosk_window_show_demo (win, demos[i]);
      sal_ui_test_wait_idle (1500);
    }
  /* The training page computes in the background: let it finish. */
  sal_ui_test_wait_idle (3000);

  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  g_assert_nonnull (fds);
  while ((fd = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_build_filename ("/proc/self/fd", fd, NULL);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL)
        {
          g_autofree char *data = g_build_filename (data_home, "data", NULL);
          g_autofree char *config = g_build_filename (data_home, "config", NULL);

          g_assert_false (g_str_has_prefix (target, data));
          g_assert_false (g_str_has_prefix (target, config));
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      if (!dir_is_empty (g_getenv (vars[i])))
        g_error ("%s (%s) is not empty after a kiosk session", vars[i], g_getenv (vars[i]));
    }
  kiosk_close (app);
  g_assert_true (dir_is_empty (g_getenv ("XDG_DATA_HOME")));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* The language test switches to Chinese: the build's catalogue, and a locale in which
   * gettext honours LANGUAGE (a fresh machine has no generated zh_CN locale). */
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  if (g_getenv ("SALIENT_BUILD_DIR") != NULL)
    {
      g_autofree char *localedir = g_build_filename (g_getenv ("SALIENT_BUILD_DIR"), "po", NULL);
      g_setenv ("SALIENT_LOCALEDIR", localedir, TRUE);
    }
  /* Before GLib caches them: fresh, empty folders the kiosk must leave alone. */
  data_home = g_dir_make_tmp ("salient-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *d = g_build_filename (data_home, "data", NULL);
    g_autofree char *c = g_build_filename (data_home, "config", NULL);
    g_autofree char *k = g_build_filename (data_home, "cache", NULL);

    g_mkdir (d, 0700);
    g_mkdir (c, 0700);
    g_mkdir (k, 0700);
    g_setenv ("XDG_DATA_HOME", d, TRUE);
    g_setenv ("XDG_CONFIG_HOME", c, TRUE);
    g_setenv ("XDG_CACHE_HOME", k, TRUE);
  }
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  g_test_add_func ("/ui/kiosk/start", test_start);
  g_test_add_func ("/ui/kiosk/demos", test_demos);
  g_test_add_func ("/ui/kiosk/idle", test_idle);
  g_test_add_func ("/ui/kiosk/language", test_language);
  g_test_add_func ("/ui/kiosk/no-disk", test_no_disk);
  ret = g_test_run ();
  g_clear_object (&the_app);
  return ret;
}
