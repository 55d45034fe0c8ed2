/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Fitness overview and a workout's detail in Simplified Chinese, in the light and
 * the dark style, rendered whole to PNGs (build/tests/fitness-*-zh_CN-{light,dark}.png)
 * that a person can look at; checked for untranslated headings, glyphs no font can draw
 * and chart text that vanishes into its background. Runs with LANG=C.UTF-8
 * LANGUAGE=zh_CN like test-window-zh. */
#include "config.h"

#include <math.h>

#include "sal-fitness-page-private.h"   /* first: see sal-fitness-jobs.h */
#include "sal-application.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"
#include "sal-window.h"

#define TODAY 20785   /* 2026-11-28 */

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
  g_assert_true (sal_ui_test_wait_until (page_idle_cb, f->page, 120000));
  sal_ui_test_wait_idle (300);
}

/* The scrolled content of a stack page, to render it whole rather than its window. */
static GtkWidget *
content (Fixture *f, const char *name)
{
  GtkWidget *scrolled = gtk_stack_get_child_by_name (f->page->stack, name);
  GtkWidget *viewport = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  return GTK_IS_VIEWPORT (viewport) ? gtk_viewport_get_child (GTK_VIEWPORT (viewport)) : viewport;
}

/* Every label under root is drawable with the installed fonts. */
static void
assert_labels_render (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_get_mapped (c))
        {
          PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (c));
          if (pango_layout_get_unknown_glyphs_count (layout) != 0)
            g_error ("“%s” has characters no installed font can draw",
                     gtk_label_get_text (GTK_LABEL (c)));
        }
      assert_labels_render (c);
    }
}

/* Renders widget whole over the window background of the style (Adwaita's #fafafa or
 * #242424): widgets draw on a transparent canvas, the window paints behind them. */
static GdkTexture *
render_on_window (GtkWidget *widget, gboolean dark)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  GdkRGBA bg = dark ? (GdkRGBA) { 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0, 1 }
                    : (GdkRGBA) { 0xfa / 255.0, 0xfa / 255.0, 0xfa / 255.0, 1 };
  int w, h;
  GtkSnapshot *snapshot;

  sal_ui_test_wait_idle (200);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  g_assert_cmpint (w, >, 0);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                      node, &GRAPHENE_RECT_INIT (0, 0, w, h));
}

static double
luma (guint32 p)
{
  return 0.2126 * ((p >> 16) & 0xff) + 0.7152 * ((p >> 8) & 0xff) + 0.0722 * (p & 0xff);
}

/* A chart's text and axes stand out from its background: its most common luminance is
 * the background; enough pixels differ from it by half the range (text, axes, lines). */
static void
assert_chart_contrast (GtkWidget *chart, gboolean dark)
{
  g_autoptr(GdkTexture) tex = render_on_window (chart, dark);
  g_autofree guint32 *px = NULL;
  int w, h;
  guint hist[256] = { 0 }, far = 0, bg = 0;

  px = sal_ui_test_download (tex);
  w = gdk_texture_get_width (tex);
  h = gdk_texture_get_height (tex);
  for (int i = 0; i < w * h; i++)
    hist[(int) luma (px[i])]++;
  for (int v = 1; v < 256; v++)
    if (hist[v] > hist[bg])
      bg = v;
  /* The background follows the style. */
  if (dark)
    g_assert_cmpuint (bg, <, 90);
  else
    g_assert_cmpuint (bg, >, 180);
  for (int i = 0; i < w * h; i++)
    far += fabs (luma (px[i]) - bg) > 110;
  g_assert_cmpuint (far, >, 300);
}

static void
render (Fixture *f, const char *name, const char *style)
{
  g_autofree char *file = g_strdup_printf ("fitness-%s-zh_CN-%s.png", name, style);
  g_autofree char *path = sal_ui_test_build_path (file);
  g_autoptr(GdkTexture) tex = render_on_window (
    content (f, g_str_equal (name, "overview") ? "overview" : "detail"), g_str_equal (style, "dark"));

  g_assert_true (gdk_texture_save_to_png (tex, path));
  g_test_message ("wrote %s", path);
}

static void
test_styles (void)
{
  Fixture fx = { 0 }, *f = &fx;
  g_autofree char *db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) sh = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GPtrArray) stored = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  SalGoal goal = { 0, SAL_GOAL_DISTANCE, (char *) "running", 40000 };
  gint64 with_samples = 0;

  f->app = sal_ui_test_app_new ();
  f->window = sal_ui_test_window_new (f->app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 800);
  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "fitness.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_put_goal (f->store, &goal, &error));
  f->page = SAL_FITNESS_PAGE (sal_ui_test_find_nth (GTK_WIDGET (f->window),
                                                    SAL_TYPE_FITNESS_PAGE, 0));
  sal_fitness_page_set_time (f->page, sh, TODAY);
  sal_fitness_page_set_store (f->page, f->store);
  sal_window_set_page (f->window, "fitness");
  wait_page (f);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.add-demo", NULL);
  wait_page (f);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->page->stack), ==, "overview");

  /* Headings are translated, including the new ones. */
  g_assert_nonnull (sal_ui_test_find_label (content (f, "overview"), "本周目标"));
  g_assert_nonnull (sal_ui_test_find_label (content (f, "overview"), "个人纪录"));

  stored = sal_store_list_workouts (f->store, G_MININT64, G_MAXINT64, &error);
  for (guint i = stored->len; i > 0 && with_samples == 0; i--)
    {
      SalWorkout *w = g_ptr_array_index (stored, i - 1);
      g_autoptr(SalWorkout) full = sal_store_get_workout (f->store, w->id, TRUE, &error);
      if (full->samples != NULL && full->samples->len > 100 && g_str_equal (full->sport, "running"))
        with_samples = w->id;
    }
  g_assert_cmpint (with_samples, !=, 0);

  for (int dark = 0; dark < 2; dark++)
    {
      const char *name = dark ? "dark" : "light";

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      sal_ui_test_wait_idle (300);
      g_assert_true (adw_style_manager_get_dark (style) == dark);
      gtk_widget_activate_action (GTK_WIDGET (f->page), "fitness.back", NULL);
      sal_ui_test_wait_idle (300);
      render (f, "overview", name);
      assert_labels_render (content (f, "overview"));
      assert_chart_contrast (GTK_WIDGET (f->page->form_chart), dark);
      assert_chart_contrast (GTK_WIDGET (f->page->volume_chart), dark);
      assert_chart_contrast (GTK_WIDGET (f->page->readiness_chart), dark);

      sal_fitness_page_open_workout (f->page, with_samples);
      wait_page (f);
      render (f, "workout", name);
      assert_labels_render (content (f, "detail"));
      assert_chart_contrast (gtk_widget_get_first_child (GTK_WIDGET (f->page->detail_charts)),
                             dark);
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  sal_ui_test_close_all (f->app);
  g_object_unref (f->app);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
}

int
main (int argc, char **argv)
{
  const char *builddir = g_getenv ("SALIENT_BUILD_DIR");
  g_autofree char *localedir = NULL;

  /* Before anything reads the locale. */
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  if (builddir != NULL)
    {
      localedir = g_build_filename (builddir, "po", NULL);
      g_setenv ("SALIENT_LOCALEDIR", localedir, TRUE);
    }
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add_func ("/ui/fitness-zh/styles", test_styles);
  return g_test_run ();
}
