/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Fitness workspace in a real window: import a FIT file → its detail → the overview,
 * rendered to PNGs (build/tests/fitness-*.png) whose pixels are checked. */
#include "config.h"

#include <math.h>

#include "sal-fitness-page-private.h"   /* first: see sal-fitness-jobs.h */
#include "sal-application.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"
#include "sal-window.h"
#include "sal-workout-dialog.h"
#include "sal-athlete-dialog.h"
#include "sal-wellness-dialog.h"
#include "sal-test-dialog.h"

/* 2024-05-01, the day of the fixture's run (07:30 UTC). */
#define RUN_DAY 19844

static SalApplication *shared_app;

typedef struct {
  SalApplication *app;
  SalWindow      *window;
  SalFitnessPage *page;
  char           *dir;
  SalStore       *store;
} Fixture;

static gboolean
page_idle_cb (gpointer page)
{
  return !sal_fitness_page_is_busy (page);
}

static void
wait_page (Fixture *f)
{
  g_assert_true (sal_ui_test_wait_until (page_idle_cb, f->page, 60000));
  sal_ui_test_wait_idle (300);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  /* One application per program: its D-Bus object path stays taken until exit. */
  if (shared_app == NULL)
    shared_app = sal_ui_test_app_new ();
  f->app = shared_app;
  f->window = sal_ui_test_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 1500);
  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "fitness.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  f->page = SAL_FITNESS_PAGE (sal_ui_test_find_nth (GTK_WIDGET (f->window),
                                                    SAL_TYPE_FITNESS_PAGE, 0));
  g_assert_nonnull (f->page);
  /* Give the page its store before it is shown (it would open the default one). */
  sal_fitness_page_set_time (f->page, utc, GPOINTER_TO_INT (data));
  sal_fitness_page_set_store (f->page, f->store);
  sal_window_set_page (f->window, "fitness");
  wait_page (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  sal_ui_test_close_all (f->app);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* Pixels within `tol` of the colour (r, g, b) in a rectangle of the texture. */
static guint
count_colour (GdkTexture *texture, int x, int y, int w, int h, guint8 r, guint8 g, guint8 b,
              int tol)
{
  g_autofree guint32 *pixels = sal_ui_test_download (texture);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  guint n = 0;

  w = MIN (w, width - x);
  h = MIN (h, height - y);
  for (int j = y; j < y + h; j++)
    for (int i = x; i < x + w; i++)
      {
        guint32 p = pixels[(gsize) j * width + i];
        if (ABS ((int) ((p >> 16) & 0xff) - r) <= tol && ABS ((int) ((p >> 8) & 0xff) - g) <= tol
            && ABS ((int) (p & 0xff) - b) <= tol)
          n++;
      }
  return n;
}

/* The widget's rectangle inside the page's stack, for pixel checks. The PNGs show the
 * stack: toasts float above it, over the charts. */
static graphene_rect_t
bounds_in_page (Fixture *f, GtkWidget *w)
{
  graphene_rect_t r;
  g_assert_true (gtk_widget_compute_bounds (w, GTK_WIDGET (f->page->stack), &r));
  return r;
}

static const char *
stack_name (Fixture *f)
{
  return gtk_stack_get_visible_child_name (f->page->stack);
}

static void
test_import_detail_overview (Fixture *f, gconstpointer data)
{
  g_autofree char *fit = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures",
                                           "import", "fitsdk-run.fit", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "broken.gpx", NULL);
  const char *paths[] = { fit, fit, bad, NULL };
  g_autofree char *png_detail = sal_ui_test_build_path ("fitness-workout-fit.png");
  g_autofree char *png_overview = sal_ui_test_build_path ("fitness-overview-fit.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  SalWorkout *w;
  graphene_rect_t r;

  g_assert_cmpstr (stack_name (f), ==, "empty");
  g_assert_true (g_file_set_contents (bad, "<gpx><trk>", -1, NULL));

  /* The same file twice (one duplicate) and a broken one: one workout stored. */
  sal_fitness_page_import_files (f->page, paths);
  wait_page (f);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 1);
  g_assert_cmpstr (stack_name (f), ==, "overview");
  g_assert_nonnull (f->page->overview);
  g_assert_cmpint (f->page->overview->n_workouts, ==, 1);
  /* The import ran on the application's queue, the one the Models page's monitor lists. */
  {
    GListModel *queue = G_LIST_MODEL (sal_application_get_job_queue (f->app));
    gboolean listed = FALSE;
    for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
      {
        g_autoptr(SalJob) job = g_list_model_get_item (queue, i);
        listed |= g_strcmp0 (sal_job_get_kind (job), "fitness-import") == 0;
      }
    g_assert_true (listed);
  }

  stored = sal_store_list_workouts (f->store, G_MININT64, G_MAXINT64, &error);
  g_assert_no_error (error);
  w = g_ptr_array_index (stored, 0);

  /* Detail: route of 120 points, heart rate and power charts, two laps. */
  sal_fitness_page_open_workout (f->page, w->id);
  wait_page (f);
  g_assert_cmpstr (stack_name (f), ==, "detail");
  g_assert_cmpuint (sal_route_view_get_n_points (f->page->route_view), ==, 120);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->page->detail_zones_chart)));
  {
    guint n_charts = 0;
    for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (f->page->detail_charts));
         c != NULL; c = gtk_widget_get_next_sibling (c))
      n_charts++;
    /* heart rate, pace, elevation, cadence, power */
    g_assert_cmpuint (n_charts, ==, 5);
  }
  /* Time in zones from 1-s samples: 119 s in all. */
  g_assert_cmpfloat_with_epsilon (f->page->overview->zone_total_s, 119, 1e-9);

  tex = sal_ui_test_save_png (GTK_WIDGET (f->page->stack), png_detail, &error);
  g_assert_no_error (error);
  /* The route is drawn in vermilion (#D55E00) inside the route view. */
  r = bounds_in_page (f, GTK_WIDGET (f->page->route_view));
  g_assert_cmpuint (count_colour (tex, r.origin.x, r.origin.y, r.size.width, r.size.height,
                                  0xd5, 0x5e, 0x00, 12), >, 200);
  /* The heart-rate chart's line, same colour, in the first channel chart. */
  r = bounds_in_page (f, gtk_widget_get_first_child (GTK_WIDGET (f->page->detail_charts)));
  g_assert_cmpuint (count_colour (tex, r.origin.x, r.origin.y, r.size.width, r.size.height,
                                  0xd5, 0x5e, 0x00, 12), >, 100);
  g_clear_object (&tex);

  /* Back to the overview: the fitness line (#0072B2) is drawn. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.back", NULL);
  sal_ui_test_wait_idle (300);
  g_assert_cmpstr (stack_name (f), ==, "overview");
  tex = sal_ui_test_save_png (GTK_WIDGET (f->page->stack), png_overview, &error);
  g_assert_no_error (error);
  r = bounds_in_page (f, GTK_WIDGET (f->page->form_chart));
  g_assert_cmpuint (count_colour (tex, r.origin.x, r.origin.y, r.size.width, r.size.height,
                                  0x00, 0x72, 0xb2, 12), >, 50);
  /* The hover readout names the day and the three series. */
  sal_chart_set_hover_x (f->page->form_chart, RUN_DAY);
  {
    g_autofree char *readout = sal_chart_dup_readout (f->page->form_chart);
    g_assert_nonnull (strstr (readout, "May"));
    g_assert_nonnull (strstr (readout, "CTL"));
  }
}

/* Log a session by hand (with a mistake first), edit it, delete it and undo. */
static void
test_log_edit_delete (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(SalWorkout) w = NULL;
  SalWorkoutDialog *dialog = sal_fitness_page_log (f->page, FALSE);
  AdwEntryRow *row;
  gint64 id;

  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  sal_ui_test_wait_idle (200);
  row = ADW_ENTRY_ROW (sal_ui_test_find_nth (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, 1));
  gtk_editable_set_text (GTK_EDITABLE (row), "2024-05-03");          /* date */
  row = ADW_ENTRY_ROW (sal_ui_test_find_nth (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, 3));
  gtk_editable_set_text (GTK_EDITABLE (row), "an hour");             /* duration */
  g_assert_false (sal_workout_dialog_save (dialog));
  g_assert_nonnull (strstr (sal_workout_dialog_get_error (dialog), "an hour"));
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (row), "1:00:00");
  g_assert_true (sal_workout_dialog_save (dialog));
  g_assert_null (dialog);   /* closed */
  wait_page (f);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 1);
  g_assert_cmpstr (stack_name (f), ==, "overview");

  stored = sal_store_list_workouts (f->store, G_MININT64, G_MAXINT64, &error);
  id = ((SalWorkout *) stored->pdata[0])->id;
  /* Session RPE 4 × 60 min = 240 on the last day of the chart (today = 3 May). */
  g_assert_cmpfloat (f->page->overview->summary->days[f->page->overview->summary->n_days - 1].load,
                     ==, 240);

  sal_fitness_page_open_workout (f->page, id);
  wait_page (f);
  dialog = sal_fitness_page_log (f->page, TRUE);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  row = ADW_ENTRY_ROW (sal_ui_test_find_nth (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, 0));
  gtk_editable_set_text (GTK_EDITABLE (row), "Long walk");
  g_assert_true (sal_workout_dialog_save (dialog));
  wait_page (f);
  w = sal_store_get_workout (f->store, id, FALSE, &error);
  g_assert_cmpstr (w->title, ==, "Long walk");

  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.delete-workout", NULL);
  wait_page (f);
  g_assert_cmpstr (stack_name (f), ==, "empty");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.undo-delete", NULL);
  wait_page (f);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 1);
  g_assert_cmpstr (stack_name (f), ==, "overview");

  /* Profile: Karvonen zones from HRrest 60 and HRmax 190 (default spin values), an edit
   * that leaves a gap is refused, then saved. */
  {
    SalAthleteDialog *ad;
    g_autoptr(SalAthlete) a = NULL;

    gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.profile", NULL);
    sal_ui_test_wait_idle (200);
    ad = SAL_ATHLETE_DIALOG (sal_ui_test_find_toplevel (SAL_TYPE_ATHLETE_DIALOG));
    g_assert_nonnull (ad);
    g_assert_true (sal_athlete_dialog_compute_zones (ad, 1));
    /* 60 + 0.5 × 130 = 125; 60 + 0.6 × 130 = 138 */
    g_assert_cmpfloat (gtk_spin_button_get_value (sal_athlete_dialog_get_zone_spin (ad, 0, FALSE)),
                       ==, 125);
    g_assert_cmpfloat (gtk_spin_button_get_value (sal_athlete_dialog_get_zone_spin (ad, 1, FALSE)),
                       ==, 138);
    gtk_spin_button_set_value (sal_athlete_dialog_get_zone_spin (ad, 1, FALSE), 140);
    g_assert_false (sal_athlete_dialog_save (ad));
    gtk_spin_button_set_value (sal_athlete_dialog_get_zone_spin (ad, 0, TRUE), 140);
    g_assert_true (sal_athlete_dialog_save (ad));
    wait_page (f);
    a = sal_store_get_athlete (f->store, &error);
    g_assert_nonnull (a);
    g_assert_cmpuint (a->zones->len, ==, 5);
    g_assert_cmpfloat (g_array_index (a->zones, SalHrZone, 1).low_bpm, ==, 140);
    g_assert_cmpfloat (a->resting_hr_bpm, ==, 60);
  }

  /* A day's wellness: a bad date is refused, then 6.5 h sleep, soreness 3, 58 bpm. */
  {
    SalWellnessDialog *wd;
    g_autoptr(GPtrArray) days = NULL;
    SalWellness *wl;

    gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.wellness", NULL);
    sal_ui_test_wait_idle (200);
    wd = SAL_WELLNESS_DIALOG (sal_ui_test_find_toplevel (SAL_TYPE_WELLNESS_DIALOG));
    g_assert_nonnull (wd);
    gtk_editable_set_text (GTK_EDITABLE (sal_ui_test_find_nth (GTK_WIDGET (wd),
                                                               ADW_TYPE_ENTRY_ROW, 0)),
                           "yesterday");
    g_assert_false (sal_wellness_dialog_save (wd));
    gtk_editable_set_text (GTK_EDITABLE (sal_ui_test_find_nth (GTK_WIDGET (wd),
                                                               ADW_TYPE_ENTRY_ROW, 0)),
                           "2024-05-03");
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (sal_ui_test_find_nth (GTK_WIDGET (wd),
                                                                      GTK_TYPE_SPIN_BUTTON, 0)), 6.5);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (sal_ui_test_find_nth (GTK_WIDGET (wd),
                                                                      GTK_TYPE_SPIN_BUTTON, 1)), 3);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (sal_ui_test_find_nth (GTK_WIDGET (wd),
                                                                      GTK_TYPE_SPIN_BUTTON, 2)), 58);
    g_assert_true (sal_wellness_dialog_save (wd));
    wait_page (f);
    days = sal_store_list_wellness (f->store, NULL, NULL, &error);
    g_assert_cmpuint (days->len, ==, 1);
    wl = days->pdata[0];
    g_assert_cmpstr (wl->day, ==, "2024-05-03");
    g_assert_cmpfloat (wl->sleep_h, ==, 6.5);
    g_assert_cmpfloat (wl->soreness, ==, 3);
    g_assert_cmpfloat (wl->resting_hr_bpm, ==, 58);
  }

  /* A 5 km time trial: "22:30" is stored as 1350 s; "fast" is refused. */
  {
    SalTestDialog *td;
    g_autoptr(GPtrArray) tests = NULL;
    GtkWidget *value;

    gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.performance-test", NULL);
    sal_ui_test_wait_idle (200);
    td = SAL_TEST_DIALOG (sal_ui_test_find_toplevel (SAL_TYPE_TEST_DIALOG));
    g_assert_nonnull (td);
    value = sal_ui_test_find_nth (GTK_WIDGET (td), ADW_TYPE_ENTRY_ROW, 1);
    gtk_editable_set_text (GTK_EDITABLE (value), "fast");
    g_assert_false (sal_test_dialog_save (td));
    gtk_editable_set_text (GTK_EDITABLE (value), "22:30");
    g_assert_true (sal_test_dialog_save (td));
    wait_page (f);
    tests = sal_store_list_performance_tests (f->store, "5k-time", &error);
    g_assert_cmpuint (tests->len, ==, 1);
    g_assert_cmpfloat (((SalPerformanceTest *) tests->pdata[0])->value, ==, 1350);
  }
}


static const char *
row_subtitle (GtkListBox *list, int index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, index);
  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* As the dialog's button does: the response, then the dialog closes. */
static void
respond (GtkWidget *dialog, const char *response)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  if (gtk_widget_get_visible (dialog))
    gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Units in miles from the profile, a weekly goal (create, edit, delete, undo) and the
 * detail's charts over distance. */
static void
test_goals_units (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) goals = NULL;
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(GPtrArray) ws = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  SalWorkout *w = sal_workout_new ();
  GtkWidget *dialog;
  guint added, dups;
  gint64 goal_id;

  /* A 3.2186880 km (2 mi) run today, sampled every 10 s at 4 m/s, with heart rate. */
  g_free (w->sport);
  w->sport = g_strdup ("running");
  w->start_ms = (gint64) RUN_DAY * 86400000 + 8 * 3600000;
  w->duration_s = 3218.688 / 4;
  w->distance_m = 3218.688;
  w->samples = g_array_new (FALSE, FALSE, sizeof (SalSample));
  for (int t = 0; t * 4.0 <= 3218.688 + 40; t += 10)
    {
      SalSample x = sal_sample_empty ();
      x.time_ms = w->start_ms + t * 1000LL;
      x.distance_m = MIN (4.0 * t, 3218.688);
      x.speed_mps = 4;
      x.heart_rate_bpm = 140 + (t % 60) / 6;
      g_array_append_val (w->samples, x);
    }
  g_ptr_array_add (ws, w);
  g_assert_true (sal_store_add_workouts (f->store, ws, FALSE, &added, &dups, &error));
  a->miles = TRUE;
  a->time_zone = g_strdup ("UTC");
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.profile", NULL);
  sal_ui_test_wait_idle (200);
  {
    /* The profile dialog shows the units stored and keeps them. */
    SalAthleteDialog *ad = SAL_ATHLETE_DIALOG (sal_ui_test_find_toplevel (SAL_TYPE_ATHLETE_DIALOG));
    g_assert_nonnull (ad);
    g_assert_true (sal_athlete_dialog_save (ad));
  }
  wait_page (f);
  g_assert_true (f->page->overview->units.miles);
  /* This week's distance in miles. */
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->page->week_box), "2.0 mi"));
  /* Records: best 1 km = 250 s at 4 m/s, shown with its pace per mile (402 s = 6:42 /mi). */
  g_assert_cmpfloat_with_epsilon (f->page->overview->records.best_s[0], 250, 1e-6);
  g_assert_nonnull (strstr (row_subtitle (f->page->records_list, 0), "6:42 /mi"));

  /* A goal of 5 miles a week, running: 2 of 5 done. */
  dialog = sal_fitness_page_edit_goal (f->page, NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (sal_ui_test_find_nth (dialog, GTK_TYPE_DROP_DOWN, 1)),
                              1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sal_ui_test_find_nth (dialog, GTK_TYPE_SPIN_BUTTON,
                                                                    0)), 5);
  respond (dialog, "save");
  wait_page (f);
  goals = sal_store_list_goals (f->store, &error);
  g_assert_cmpuint (goals->len, ==, 1);
  goal_id = ((SalGoal *) goals->pdata[0])->id;
  g_assert_cmpfloat_with_epsilon (((SalGoal *) goals->pdata[0])->target, 5 * 1609.344, 1e-6);
  g_assert_cmpstr (((SalGoal *) goals->pdata[0])->sport, ==, "running");
  g_clear_pointer (&goals, g_ptr_array_unref);
  g_assert_nonnull (strstr (row_subtitle (f->page->goals_list, 0), "2.0 of 5.0 mi"));
  g_assert_nonnull (strstr (row_subtitle (f->page->goals_list, 0), "40 %"));

  /* Edit it to 4 sessions; delete it and undo. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.edit-goal", "x", goal_id);
  sal_ui_test_wait_idle (100);
  dialog = GTK_WIDGET (sal_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (sal_ui_test_find_nth (dialog, GTK_TYPE_DROP_DOWN, 0)),
                              SAL_GOAL_SESSIONS);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (sal_ui_test_find_nth (dialog, GTK_TYPE_SPIN_BUTTON,
                                                                    0)), 4);
  respond (dialog, "save");
  wait_page (f);
  g_assert_nonnull (strstr (row_subtitle (f->page->goals_list, 0), "1 of 4 done"));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.delete-goal", "x", goal_id);
  wait_page (f);
  g_assert_cmpuint (f->page->overview->goals->len, ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.undo-delete-goal", NULL);
  wait_page (f);
  g_assert_cmpuint (f->page->overview->goals->len, ==, 1);

  /* The detail: it holds the records; splits by the mile; charts over distance in mi. */
  sal_fitness_page_open_workout (f->page, w->id);
  wait_page (f);
  g_assert_nonnull (strstr (gtk_label_get_text (f->page->detail_stats), "Personal record"));
  g_assert_null (strstr (gtk_label_get_text (f->page->detail_stats), "/km"));
  g_assert_nonnull (strstr (gtk_label_get_text (f->page->detail_stats), "pace 6:42 /mi"));
  g_assert_nonnull (strstr (gtk_label_get_text (f->page->detail_stats), "2.00 mi"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                     gtk_list_box_get_row_at_index (f->page->splits_list, 1))), ==, "Mile 2");
  gtk_toggle_button_set_active (f->page->x_distance_button, TRUE);
  sal_ui_test_wait_idle (100);
  g_assert_true (f->page->plot_distance);
  {
    SalChart *hr = SAL_CHART (gtk_widget_get_first_child (GTK_WIDGET (f->page->detail_charts)));
    g_autofree char *readout = NULL;
    sal_chart_set_hover_x (hr, 1.0);
    readout = sal_chart_dup_readout (hr);
    g_assert_nonnull (strstr (readout, "mi"));
  }
  gtk_toggle_button_set_active (f->page->x_time_button, TRUE);
  sal_ui_test_wait_idle (100);
  g_assert_false (f->page->plot_distance);
}

/* A stack page's whole scrolled content drawn over the light window background, to
 * path: the README's screenshots show all of it, not one window's height. */
static void
save_whole_page (Fixture *f, const char *name, const char *path)
{
  GtkWidget *scrolled = gtk_stack_get_child_by_name (f->page->stack, name);
  GtkWidget *child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  GdkRGBA bg = { 0xfa / 255.0, 0xfa / 255.0, 0xfa / 255.0, 1 };
  GtkSnapshot *snapshot;
  int w, h;

  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));
  sal_ui_test_wait_idle (200);
  paintable = gtk_widget_paintable_new (child);
  w = gtk_widget_get_width (child);
  h = gtk_widget_get_height (child);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (-16, -12, w + 32, h + 24));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  tex = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (child)), node,
                                     &GRAPHENE_RECT_INIT (-16, -12, w + 32, h + 24));
  g_assert_true (gdk_texture_save_to_png (tex, path));
}

/* A demo athlete, its overview and one workout with samples; then removed in one action.
 * These PNGs are the README's screenshots (docs/screenshots/). */
static void
test_demo (Fixture *f, gconstpointer data)
{
  g_autofree char *png_detail = sal_ui_test_build_path ("fitness-workout.png");
  g_autofree char *png_overview = sal_ui_test_build_path ("fitness-overview.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  graphene_rect_t r;
  gint64 with_samples = 0;

  /* A goal, so the screenshot shows one with its progress. */
  {
    SalGoal goal = { 0, SAL_GOAL_DISTANCE, (char *) "running", 40000 };
    g_assert_true (sal_store_put_goal (f->store, &goal, &error));
  }
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.add-demo", NULL);
  wait_page (f);
  g_assert_cmpstr (stack_name (f), ==, "overview");
  g_assert_true (f->page->overview->has_demo);
  g_assert_cmpuint (f->page->overview->goals->len, ==, 1);
  g_assert_cmpint (f->page->overview->n_workouts, >, 150);
  g_assert_true (gtk_widget_get_visible (f->page->demo_button));
  save_whole_page (f, "overview", png_overview);
  /* Running hours in blue bars, cycling in orange (#E69F00); the chart may be scrolled
   * out of view, so it is rendered on its own. */
  tex = sal_ui_test_render (GTK_WIDGET (f->page->volume_chart), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_colour (tex, 0, 0, gdk_texture_get_width (tex),
                                  gdk_texture_get_height (tex), 0xe6, 0x9f, 0x00, 12), >, 100);
  g_clear_object (&tex);
  /* The readiness card: a demo year is enough for the athlete's own model, and the
   * Shapley bars are drawn (green #009E73 raises, vermilion #D55E00 lowers). */
  g_assert_nonnull (f->page->overview->readiness);
  g_assert_true (f->page->overview->readiness->available);
  g_assert_true (f->page->overview->readiness->fine_tuned);
  {
    g_autofree char *png_card = sal_ui_test_build_path ("fitness-readiness.png");
    guint green, red;
    tex = sal_ui_test_save_png (f->page->readiness_card, png_card, &error);
    g_assert_no_error (error);
    green = count_colour (tex, 0, 0, gdk_texture_get_width (tex), gdk_texture_get_height (tex),
                          0x00, 0x9e, 0x73, 12);
    red = count_colour (tex, 0, 0, gdk_texture_get_width (tex), gdk_texture_get_height (tex),
                        0xd5, 0x5e, 0x00, 12);
    g_assert_cmpuint (green + red, >, 200);
    /* Every factor is labelled, none skipped. */
    g_assert_cmpfloat (sal_chart_get_x_label_step (f->page->readiness_chart), ==, 1);
    g_clear_object (&tex);
  }

  /* The newest demo workout with samples. */
  stored = sal_store_list_workouts (f->store, G_MININT64, G_MAXINT64, &error);
  for (guint i = stored->len; i > 0 && with_samples == 0; i--)
    {
      SalWorkout *w = g_ptr_array_index (stored, i - 1);
      g_autoptr(SalWorkout) full = sal_store_get_workout (f->store, w->id, TRUE, &error);
      if (full->samples != NULL && full->samples->len > 100 && g_str_equal (full->sport, "running"))
        with_samples = w->id;
    }
  g_assert_cmpint (with_samples, !=, 0);
  sal_fitness_page_open_workout (f->page, with_samples);
  wait_page (f);
  save_whole_page (f, "detail", png_detail);
  tex = sal_ui_test_render (GTK_WIDGET (f->page->stack), &error);
  g_assert_no_error (error);
  r = bounds_in_page (f, GTK_WIDGET (f->page->route_view));
  g_assert_cmpuint (count_colour (tex, r.origin.x, r.origin.y, r.size.width, r.size.height,
                                  0xd5, 0x5e, 0x00, 12), >, 200);
  g_clear_object (&tex);

  /* Records on the overview: a demo year has runs with samples of 5 and 10 km; the row
   * opens the workout, whose detail says it holds the record. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.back", NULL);
  sal_ui_test_wait_idle (100);
  g_assert_cmpint (f->page->overview->records.best_id[1], !=, 0);
  g_assert_cmpfloat (f->page->overview->records.best_s[1], >, 5000 / 6.0);   /* slower than 6 m/s */
  g_assert_cmpfloat (f->page->overview->records.best_s[1], <, 5000 / 2.0);
  g_assert_cmpfloat (f->page->overview->records.best_s[0], <, f->page->overview->records.best_s[1] / 4);
  g_signal_emit_by_name (f->page->records_list, "row-activated",
                         gtk_list_box_get_row_at_index (f->page->records_list, 1));
  wait_page (f);
  g_assert_cmpint (f->page->shown_workout, ==, f->page->overview->records.best_id[1]);
  g_assert_nonnull (strstr (gtk_label_get_text (f->page->detail_stats), "best 5 km"));

  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.remove-demo", NULL);
  wait_page (f);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 0);
  g_assert_cmpstr (stack_name (f), ==, "empty");
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      /* Exit status 77 is an ERROR under meson's TAP protocol: print a skip plan instead. */
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add ("/ui/fitness/import-detail-overview", Fixture, GINT_TO_POINTER (RUN_DAY + 3),
              fixture_set_up, test_import_detail_overview, fixture_tear_down);
  g_test_add ("/ui/fitness/log-edit-delete", Fixture, GINT_TO_POINTER (RUN_DAY + 2),
              fixture_set_up, test_log_edit_delete, fixture_tear_down);
  g_test_add ("/ui/fitness/goals-units", Fixture, GINT_TO_POINTER (RUN_DAY),
              fixture_set_up, test_goals_units, fixture_tear_down);
  /* The demo ends on "today" = 2026-11-28 for stable screenshots. */
  g_test_add ("/ui/fitness/demo", Fixture, GINT_TO_POINTER (20785), fixture_set_up, test_demo,
              fixture_tear_down);
  {
    int status = g_test_run ();
    g_clear_object (&shared_app);
    return status;
  }
}
