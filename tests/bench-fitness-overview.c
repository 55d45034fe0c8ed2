/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark (not a test): time to open the Fitness overview — the overview job (read every
 * workout, daily series, weekly volume, zone time) plus the first rendering of the page —
 * with 5 years of daily workouts, against the same with 1 year as the peer in this run.
 * Run by hand: xvfb-run -a build/tests/bench-fitness-overview */
#include "config.h"

#include <math.h>
#include <sys/resource.h>

#include "sal-fitness-page-private.h"   /* first: see sal-fitness-jobs.h */
#include "sal-application.h"
#include "sal-demo-athlete.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"

#define TODAY 20785   /* 2026-11-28 */

/* The demo athlete's history plus an easy logged session on every day without one, so
 * every day of the span has at least one workout. */
static SalStore *
make_store (const char *path, int n_days)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  SalStore *store = sal_store_open (path, &error);
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GHashTable) days = g_hash_table_new (NULL, NULL);
  guint added, dups;

  g_assert_no_error (error);
  g_assert_true (sal_demo_athlete_generate (store, 7, n_days, TODAY, utc, NULL, NULL, &error));
  all = sal_store_list_workouts (store, G_MININT64, G_MAXINT64, &error);
  for (guint i = 0; i < all->len; i++)
    g_hash_table_add (days, GSIZE_TO_POINTER ((gsize) sal_local_day (
                              ((SalWorkout *) all->pdata[i])->start_ms, utc)));
  for (gint64 d = TODAY - n_days + 1; d <= TODAY; d++)
    if (!g_hash_table_contains (days, GSIZE_TO_POINTER ((gsize) d)))
      {
        SalWorkout *w = sal_workout_new ();
        w->sport = g_strdup ("walking");
        w->start_ms = d * 86400000 + 18 * 3600000;
        w->duration_s = 1800;
        w->distance_m = 2500;
        w->rpe = 2;
        g_ptr_array_add (extra, w);
      }
  g_assert_true (sal_store_add_workouts (store, extra, TRUE, &added, &dups, &error));
  g_print ("# %d days: %" G_GINT64_FORMAT " workouts\n", n_days,
           sal_store_count_workouts (store, &error));
  return store;
}

static gboolean
idle_cb (gpointer page)
{
  return !sal_fitness_page_is_busy (page);
}

static double
cpu_seconds (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Seconds from giving the page its store to the overview drawn once: wall clock, and the
 * CPU time of all the program's threads (on a loaded machine the niced job thread waits
 * for a core, so the wall clock says more about the load than about Salient). */
static double
open_overview (SalFitnessPage *page, SalStore *store, double *cpu)
{
  gint64 t0 = g_get_monotonic_time ();
  double c0 = cpu_seconds ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) tex = NULL;

  sal_fitness_page_set_store (page, store);
  g_assert_true (sal_ui_test_wait_until (idle_cb, page, 120000));
  tex = sal_ui_test_render (GTK_WIDGET (page->stack), &error);
  g_assert_no_error (error);
  *cpu = cpu_seconds () - c0;
  return (g_get_monotonic_time () - t0) / 1e6;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *db5 = NULL, *db1 = NULL;
  g_autofree char *loadavg = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  SalApplication *app;
  SalWindow *window;
  SalFitnessPage *page;
  SalStore *s5, *s1;
  double t5[3], t1[3], c5[3], c1[3];

  if (!sal_ui_test_init (&argc, &argv))
    {
      g_printerr ("bench-fitness-overview needs a display (run it under xvfb-run)\n");
      return 1;
    }
  dir = sal_test_tmpdir ();
  db5 = g_build_filename (dir, "five.db", NULL);
  db1 = g_build_filename (dir, "one.db", NULL);
  s5 = make_store (db5, 5 * 365 + 1);
  s1 = make_store (db1, 365);

  app = sal_ui_test_app_new ();
  window = sal_ui_test_window_new (app);
  sal_window_set_page (window, "fitness");
  page = SAL_FITNESS_PAGE (sal_ui_test_find_nth (GTK_WIDGET (window), SAL_TYPE_FITNESS_PAGE, 0));
  sal_fitness_page_set_time (page, utc, TODAY);
  for (int r = 0; r < 3; r++)
    {
      /* Alternate so both see the same machine load. */
      t5[r] = open_overview (page, s5, &c5[r]);
      t1[r] = open_overview (page, s1, &c1[r]);
    }
  /* The first opening also computes and caches every run's best efforts (personal
   * records); later ones read them from the cache. */
  g_print ("open overview, 5 years: first %.0f ms (fills the best-effort cache), then %.0f ms "
           "(runs %.0f %.0f)\n", t5[0] * 1000, MIN (t5[1], t5[2]) * 1000, t5[1] * 1000,
           t5[2] * 1000);
  g_print ("open overview, 1 year (peer): first %.0f ms, then %.0f ms (runs %.0f %.0f)\n",
           t1[0] * 1000, MIN (t1[1], t1[2]) * 1000, t1[1] * 1000, t1[2] * 1000);
  g_print ("ratio 5 years / 1 year (cached): %.2f\n", MIN (t5[1], t5[2]) / MIN (t1[1], t1[2]));
  g_print ("CPU time, 5 years: first %.0f ms, then %.0f ms; 1 year: first %.0f ms, then %.0f ms\n",
           c5[0] * 1000, MIN (c5[1], c5[2]) * 1000, c1[0] * 1000, MIN (c1[1], c1[2]) * 1000);
  g_print ("load average now: %s", g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL)
                                     ? loadavg : "?\n");
  sal_fitness_page_set_store (page, NULL);
  sal_ui_test_close_all (app);
  g_object_unref (app);
  sal_store_unref (s5);
  sal_store_unref (s1);
  sal_test_rm_rf (dir);
  return 0;
}
