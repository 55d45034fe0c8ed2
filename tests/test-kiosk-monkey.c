/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 1,000 random taps, drags and key presses (xdotool) on the kiosk under a real window
 * manager (openbox): it must not crash nor leave the kiosk — still full screen (the
 * window's size equals the screen's) and on one of its own pages. The events start on
 * the note demo, reached by a real tap on its start-screen button. */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "sal-kiosk-window.h"
#include "sal-note-editor.h"
#include "sal-ui-test.h"

#define N_EVENTS 1000
#define PER_CALL 10
#define WARM_UP  200
/* Resident memory may grow by at most this much between the end of the warm-up and
 * the last event (plain build; the sanitizers' quarantine keeps freed memory). */
#define GROWTH_BOUND_MIB 48.0

static double
resident_mib (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;
  return resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static const char * const keys[] = {
  "ctrl+q", "ctrl+w", "alt+F4", "Escape", "Tab", "Return", "space", "F11", "ctrl+comma",
  "ctrl+question", "alt+1", "alt+2", "Up", "Down", "ctrl+Page_Down", "super", "a", "F1",
  "ctrl+o", "ctrl+s", "ctrl+p", "shift+Tab", "BackSpace",
};

static SalKioskWindow *
current_window (SalApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (SAL_IS_KIOSK_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
check_kiosk (SalApplication *app, int sw, int sh)
{
  SalKioskWindow *win = current_window (app);
  const char *page;

  g_assert_nonnull (win);
  /* Only the kiosk's own windows. */
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  page = sal_kiosk_window_get_page (win);
  g_assert_true (g_strv_contains ((const char *[]) { "start", "lesion", "note", "training", NULL },
                                  page));
  g_assert_true (gtk_window_is_fullscreen (GTK_WINDOW (win)));
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (win))), ==, sw);
  g_assert_cmpint (gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (win))), ==, sh);
}

static int screen_w, screen_h;

/* The X window's size (what the window manager gave it). */
static int
surface_w (SalKioskWindow *win)
{
  return gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (win)));
}

static int
surface_h (SalKioskWindow *win)
{
  return gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (win)));
}

static gboolean
fullscreen_cb (gpointer app)
{
  SalKioskWindow *win = current_window (app);

  return win != NULL && gtk_window_is_fullscreen (GTK_WINDOW (win))
         && (screen_w == 0 || (surface_w (win) == screen_w && surface_h (win) == screen_h));
}

static gboolean
on_note_cb (gpointer app)
{
  SalKioskWindow *win = current_window (app);

  return win != NULL && g_strcmp0 (sal_kiosk_window_get_page (win), "note") == 0;
}

static gboolean
note_ready_cb (gpointer app)
{
  SalKioskWindow *win = current_window (app);

  return win != NULL && sal_kiosk_window_demo_ready (win);
}

/* A real tap (xdotool) on the start screen's note button leads into the Clinic's Notes
 * view with its analysis finished: the monkey's events then start on the note demo. */
static void
tap_note_demo (SalApplication *app)
{
  SalKioskWindow *win = current_window (app);
  GtkWidget *button = sal_kiosk_window_get_target (win, 1);
  g_autofree char *x = NULL, *y = NULL;
  graphene_rect_t r;

  g_assert_cmpstr (sal_kiosk_window_get_page (win), ==, "start");
  g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (win), &r));
  x = g_strdup_printf ("%d", (int) (r.origin.x + r.size.width / 2));
  y = g_strdup_printf ("%d", (int) (r.origin.y + r.size.height / 2));
  g_assert_true (sal_ui_test_xdotool ("mousemove", x, y, "click", "1", NULL));
  g_assert_true (sal_ui_test_wait_until (on_note_cb, app, 5000));
  g_assert_nonnull (sal_ui_test_find_nth (GTK_WIDGET (win), SAL_TYPE_NOTE_EDITOR, 0));
  g_assert_true (sal_ui_test_wait_until (note_ready_cb, app, 60000));
}

static gboolean
have_monitor (gpointer data)
{
  return g_list_model_get_n_items (gdk_display_get_monitors (gdk_display_get_default ())) > 0;
}

static void
test_monkey (void)
{
  g_autofree char *openbox = g_find_program_in_path ("openbox");
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  SalApplication *app;
  GdkRectangle geo;
  GPid wm = 0;
  GdkMonitor *monitor;
  double warm = -1, end;
  g_autoptr(GHashTable) pages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (openbox == NULL || xdotool == NULL)
    {
      g_test_skip ("openbox and xdotool are needed");
      return;
    }
  g_assert_true (g_spawn_async (NULL, (char *[]) { openbox, (char *) "--sm-disable", NULL }, NULL,
                                G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                &wm, &error));
  g_assert_no_error (error);
  g_usleep (1500 * 1000);

  app = sal_application_new (G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  sal_application_set_kiosk (app, TRUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* The monitor list fills in when the X server answers (RandR, after the window manager
   * started): a window laid out before that makes GTK ask for a monitor that is not there. */
  sal_ui_test_wait_until (have_monitor, NULL, 10000);
  g_application_activate (G_APPLICATION (app));
  sal_ui_test_present (GTK_WINDOW (current_window (app)));
  monitor = g_list_model_get_item (gdk_display_get_monitors (gdk_display_get_default ()), 0);
  g_assert_nonnull (monitor);
  gdk_monitor_get_geometry (monitor, &geo);
  g_object_unref (monitor);
  screen_w = geo.width;
  screen_h = geo.height;
  sal_ui_test_wait_until (fullscreen_cb, app, 10000);
  sal_ui_test_wait_idle (500);
  check_kiosk (app, geo.width, geo.height);
  tap_note_demo (app);
  check_kiosk (app, geo.width, geo.height);

  for (int done = 0; done < N_EVENTS; done += PER_CALL)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *err = NULL;
      int status = 0;

      g_ptr_array_add (argv, g_strdup (xdotool));
      for (int i = 0; i < PER_CALL; i++)
        {
          int kind = g_rand_int_range (rand, 0, 10);
          int x = g_rand_int_range (rand, 0, geo.width), y = g_rand_int_range (rand, 0, geo.height);

          g_ptr_array_add (argv, g_strdup ("mousemove"));
          g_ptr_array_add (argv, g_strdup_printf ("%d", x));
          g_ptr_array_add (argv, g_strdup_printf ("%d", y));
          if (kind < 4)        /* tap */
            {
              g_ptr_array_add (argv, g_strdup ("click"));
              g_ptr_array_add (argv, g_strdup ("1"));
            }
          else if (kind < 6)   /* drag */
            {
              g_ptr_array_add (argv, g_strdup ("mousedown"));
              g_ptr_array_add (argv, g_strdup ("1"));
              g_ptr_array_add (argv, g_strdup ("mousemove"));
              g_ptr_array_add (argv, g_strdup_printf ("%d", g_rand_int_range (rand, 0, geo.width)));
              g_ptr_array_add (argv, g_strdup_printf ("%d", g_rand_int_range (rand, 0, geo.height)));
              g_ptr_array_add (argv, g_strdup ("mouseup"));
              g_ptr_array_add (argv, g_strdup ("1"));
            }
          else                 /* key */
            {
              g_ptr_array_add (argv, g_strdup ("key"));
              g_ptr_array_add (argv, g_strdup (keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (keys))]));
            }
        }
      g_ptr_array_add (argv, NULL);
      if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                         NULL, &err, &status, &error))
        g_error ("xdotool: %s", error->message);
      sal_ui_test_wait_idle (150);
      if (current_window (app) != NULL)
        {
          const char *page = sal_kiosk_window_get_page (current_window (app));
          gpointer n = g_hash_table_lookup (pages, page);

          g_hash_table_replace (pages, g_strdup (page), GUINT_TO_POINTER (GPOINTER_TO_UINT (n) + 1));
        }
      if (done + PER_CALL == WARM_UP)
        warm = resident_mib ();
      if ((done + PER_CALL) % 100 == 0)
        {
          /* The window manager may take a moment after a new window (language reset). */
          sal_ui_test_wait_until (fullscreen_cb, app, 3000);
          sal_ui_test_wait_idle (300);
          check_kiosk (app, geo.width, geo.height);
        }
    }

  {
    /* Where the events landed (pages seen after each batch of PER_CALL). */
    static const char * const names[] = { "start", "lesion", "note", "training" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      g_test_message ("%s: %u batches", names[i],
                      GPOINTER_TO_UINT (g_hash_table_lookup (pages, names[i])));
  }
  end = resident_mib ();
  g_test_message ("resident memory: %.1f MiB after %d events, %.1f MiB after %d (bound: +%.0f MiB)",
                  warm, WARM_UP, end, N_EVENTS, GROWTH_BOUND_MIB);
#if defined(__SANITIZE_ADDRESS__)
  g_test_message ("memory bound not checked under AddressSanitizer");
#else
  g_assert_cmpfloat (warm, >, 0);
  g_assert_cmpfloat (end - warm, <=, GROWTH_BOUND_MIB);
#endif

  sal_kiosk_set_language ("en");
  sal_ui_test_close_all (app);
  g_object_unref (app);
  kill (wm, SIGTERM);
  g_spawn_close_pid (wm);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  /* GTK 4.8 guesses a window's default size from the monitor its surface is on and
   * calls gdk_monitor_get_geometry (NULL) when it is on none, which happens here while
   * openbox moves the full-screen kiosk window as it starts (2 of 5 runs on
   * 2026-11-29; harmless: GTK uses an empty work area). G_DEBUG=fatal-warnings would
   * abort on it, and a test fatal handler does not see it, so in this program
   * criticals and warnings are logged, not fatal; the test's own checks (no crash,
   * still full screen on an allowed page, memory bound) decide. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_test_add_func ("/ui/kiosk/monkey", test_monkey);
  return g_test_run ();
}
