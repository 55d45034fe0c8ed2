/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalCaseImages under Xvfb: import a phantom PNG with a known lesion into a case,
 * run the shipped lesion finder, explain it (Grad-CAM, Integrated Gradients) and
 * check in the rendered pixels that the overlay lies over the lesion; cancel an
 * explanation midway; compare methods with synchronised zoom; reopen a stored
 * result exactly. */

#include "config.h"

#include "sal-analysis.h"   /* first: it pulls in the engine's types */

#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-case-images.h"
#include "sal-check-badges.h"
#include "sal-demo-clinic.h"
#include "sal-colorbar.h"
#include "sal-image-view.h"
#include "sal-method-compare.h"
#include "sal-phantom.h"
#include "sal-probabilities.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"

typedef struct {
  char          *dir;
  char          *png;
  SalStore      *store;
  SalJobQueue   *jobs;
  SalPhantom    *phantom;
  gint64         case_id;
  GtkWindow     *window;
  SalCaseImages *images;
  gint64         stored;    /* last "result-stored" id */
} Fixture;

static void
result_stored_cb (SalCaseImages *images, gint64 id, Fixture *f)
{
  f->stored = id;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalImage) img = sal_image_new (SAL_PHANTOM_SIZE, SAL_PHANTOM_SIZE, 1, 16);
  g_autofree char *db = NULL;
  g_autofree char *models = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                              NULL);
  GtkWidget *header;

  f->dir = sal_test_tmpdir ();
  /* A phantom with one lesion (radius 7.8 px, contrast 31 %), as a 16-bit PNG. The
   * shipped lesion finder localises it with both Grad-CAM and Integrated Gradients
   * (it does not on every slice: its Grad-CAM pointing-game rate is low). */
  f->phantom = sal_phantom_generate (37, SAL_PHANTOM_WITH_LESION);
  g_assert_cmpint (f->phantom->n_lesions, >=, 1);
  memcpy (img->pixels, f->phantom->pixels, sizeof (guint16) * SAL_PHANTOM_SIZE * SAL_PHANTOM_SIZE);
  f->png = g_build_filename (f->dir, "phantom.png", NULL);
  g_assert_true (sal_image_save_png (img, f->png, &error));
  g_assert_no_error (error);

  db = g_build_filename (f->dir, "test.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, models, NULL, &error));
  g_assert_no_error (error);
  f->case_id = sal_store_add_case (f->store, NULL, "images", FALSE, &error);
  g_assert_no_error (error);
  f->jobs = sal_job_queue_new (1);

  /* The README's window: 1280 × 800 with a header bar. */
  f->window = GTK_WINDOW (gtk_window_new ());
  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new ("Demo: headache, MRI slice with a lesion",
                                                         "Clinic · Images"));
  gtk_window_set_titlebar (f->window, header);
  gtk_window_set_default_size (f->window, 1280, 760);
  f->images = SAL_CASE_IMAGES (sal_case_images_new ());
  g_signal_connect (f->images, "result-stored", G_CALLBACK (result_stored_cb), f);
  gtk_window_set_child (f->window, GTK_WIDGET (f->images));
  sal_ui_test_present (f->window);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  sal_ui_test_wait_idle (200);
  g_assert_finalize_object (f->jobs);
  sal_store_unref (f->store);
  sal_phantom_free (f->phantom);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->png);
}

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += GTK_IS_LIST_BOX_ROW (c);
  return n;
}

static void
import_phantom (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (f->png);

  sal_case_images_set_case (f->images, f->store, f->jobs, f->case_id);
  g_assert_true (sal_case_images_add_files (f->images, &file, 1, &error));
  g_assert_no_error (error);
  sal_ui_test_wait_idle (300);
}

/* Import: one good file is added and shown; a bad one among good ones adds nothing. */
static void
test_import (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.png", NULL);
  g_autoptr(GFile) good = g_file_new_for_path (f->png);
  g_autoptr(GFile) broken = g_file_new_for_path (bad);
  GFile *both[2] = { good, broken };
  g_autoptr(GPtrArray) list = NULL;
  SalImageView *view;
  const SalImage *shown;
  GtkWidget *strip;

  /* No case: the empty state, and adding is refused with a reason. */
  sal_case_images_set_case (f->images, NULL, NULL, 0);
  g_assert_false (sal_case_images_add_files (f->images, &good, 1, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  import_phantom (f);
  strip = sal_ui_test_find_nth (GTK_WIDGET (f->images), GTK_TYPE_LIST_BOX, 0);
  g_assert_cmpuint (count_rows (strip), ==, 1);
  view = SAL_IMAGE_VIEW (sal_ui_test_find_nth (GTK_WIDGET (f->images), SAL_TYPE_IMAGE_VIEW, 0));
  shown = sal_image_view_get_image (view);
  g_assert_nonnull (shown);
  g_assert_cmpint (shown->width, ==, SAL_PHANTOM_SIZE);
  g_assert_cmpint (shown->bit_depth, ==, 16);
  g_assert_cmpint (shown->pixels[64 * SAL_PHANTOM_SIZE + 64], ==,
                   f->phantom->pixels[64 * SAL_PHANTOM_SIZE + 64]);

  g_assert_true (g_file_set_contents (bad, "\x89PNG\r\n\x1a\nbroken", -1, NULL));
  g_assert_false (sal_case_images_add_files (f->images, both, 2, &error));
  g_assert_error (error, SAL_IMPORT_ERROR, error->code);
  g_assert_nonnull (strstr (error->message, "bad.png"));
  list = sal_store_list_images (f->store, f->case_id, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (count_rows (strip), ==, 1);
}

static GObject *
child (Fixture *f, const char *id)
{
  GObject *o = gtk_widget_get_template_child (GTK_WIDGET (f->images), SAL_TYPE_CASE_IMAGES, id);

  g_assert_nonnull (o);
  return o;
}

static gboolean
stored_cb (gpointer data)
{
  Fixture *f = data;
  return f->stored > 0;
}

/* Activates @action and waits for the result it stores; returns its id. */
static gint64
run_and_wait (Fixture *f, const char *action)
{
  f->stored = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), action, NULL));
  g_assert_true (sal_ui_test_wait_until (stored_cb, f, 60000));
  sal_ui_test_wait_idle (200);
  return f->stored;
}

static void
select_method (Fixture *f, const char *name)
{
  GtkDropDown *methods = GTK_DROP_DOWN (child (f, "method_dropdown"));
  GListModel *names = gtk_drop_down_get_model (methods);

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i), name) == 0)
      {
        gtk_drop_down_set_selected (methods, i);
        return;
      }
  g_error ("no method %s", name);
}

typedef struct {
  double inside;      /* fraction of lesion pixels drawn in colour */
  double far;         /* the same for brain pixels ≥ 16 px from the lesion */
  double warm_in;     /* mean warmth ((R + G) / 2 − B: viridis' strong end is yellow,
                       * its weak end blue-violet, grey is 0) over the lesion */
  double warm_far;    /* the same far from it */
  double hot_dist;    /* image pixels from the lesion's centre to the centroid of
                       * the warmest 0.5 % of the image */
} OverlayPlace;

static int
compare_doubles (gconstpointer a, gconstpointer b, gpointer data)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Renders the image view to @name and measures where the overlay's colours are:
 * the base image is grey, so a pixel with R, G, B apart is overlay. */
static OverlayPlace
measure_overlay (Fixture *f, SalImageView *view, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = sal_ui_test_build_path (name);
  g_autoptr(GdkTexture) tex = sal_ui_test_save_png (GTK_WIDGET (view), path, &error);
  g_autofree guint32 *px = NULL;
  const SalPhantom *ph = f->phantom;
  int vw = gtk_widget_get_width (GTK_WIDGET (view)), vh = gtk_widget_get_height (GTK_WIDGET (view));
  int tw, th, n_in = 0, n_far = 0, c_in = 0, c_far = 0;
  double w_in = 0, w_far = 0;
  g_autofree double *warmth = g_new0 (double, (gsize) ph->width * ph->height);
  g_autofree double *sorted = NULL;
  double cut, sx = 0, sy = 0, sn = 0;
  gsize n_px = (gsize) ph->width * ph->height;
  SalViewState st;

  g_assert_no_error (error);
  tw = gdk_texture_get_width (tex);
  th = gdk_texture_get_height (tex);
  px = sal_ui_test_download (tex);
  sal_image_view_get_state (view, &st);
  for (int iy = 0; iy < ph->height; iy++)
    for (int ix = 0; ix < ph->width; ix++)
      {
        int wx = (int) floor (vw / 2.0 + (ix + 0.5 - st.cx) * st.zoom);
        int wy = (int) floor (vh / 2.0 + (iy + 0.5 - st.cy) * st.zoom);
        gboolean lesion = ph->lesion_mask[iy * ph->width + ix];
        gboolean far = ph->brain_mask[iy * ph->width + ix];
        guint32 p;
        int r, g, b, coloured;

        if (wx < 0 || wy < 0 || wx >= tw || wy >= th)
          continue;
        for (int k = 0; far && k < ph->n_lesions; k++)
          far = hypot (ix - ph->lesions[k].cx, iy - ph->lesions[k].cy) > ph->lesions[k].radius + 16;
        p = px[(gsize) wy * tw + wx];
        r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
        coloured = abs (r - g) + abs (g - b) + abs (r - b) > 12;
        warmth[iy * ph->width + ix] = (r + g) / 2.0 - b;
        if (lesion)
          n_in++, c_in += coloured, w_in += warmth[iy * ph->width + ix];
        else if (far)
          n_far++, c_far += coloured, w_far += warmth[iy * ph->width + ix];
      }
  g_assert_cmpint (n_in, >, 10);
  g_assert_cmpint (n_far, >, 1000);
  sorted = g_memdup2 (warmth, n_px * sizeof (double));
  g_qsort_with_data (sorted, n_px, sizeof (double), compare_doubles, NULL);
  /* Only pixels drawn warm: with fewer than 0.5 % of them, those. */
  cut = MAX (sorted[n_px - n_px / 200], 20);
  for (int iy = 0; iy < ph->height; iy++)
    for (int ix = 0; ix < ph->width; ix++)
      if (warmth[iy * ph->width + ix] >= cut)
        sx += ix + 0.5, sy += iy + 0.5, sn++;
  return (OverlayPlace) { (double) c_in / n_in, (double) c_far / n_far, w_in / n_in, w_far / n_far,
                          hypot (sx / sn - ph->lesions[0].cx, sy / sn - ph->lesions[0].cy) };
}

static gboolean
compare_full_cb (gpointer data)
{
  return sal_method_compare_get_n_results (data) == 4;
}

/* Run shows the lesion finder's probabilities (and stores them); Grad-CAM and
 * Integrated Gradients draw their strongest 20 % over the lesion. */
/* A number member of a stored checks object. */
static double
checks_member (const char *json, const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_double_member (o, name);
}

static void
test_run_explain (Fixture *f, gconstpointer data)
{
  SalImageView *view = SAL_IMAGE_VIEW (child (f, "view"));
  SalProbabilities *probs = SAL_PROBABILITIES (child (f, "probabilities"));
  SalCheckBadges *checks = SAL_CHECK_BADGES (child (f, "checks"));
  GtkLabel *prediction = GTK_LABEL (child (f, "prediction_label"));
  g_autoptr(SalExplanationRecord) run = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const char *caption;
  OverlayPlace place;
  gint64 id;

  import_phantom (f);
  gtk_range_set_value (GTK_RANGE (child (f, "topk_scale")), 20);

  id = run_and_wait (f, "images.run");
  run = sal_store_get_explanation (f->store, id, NULL);
  g_assert_nonnull (run);
  g_assert_cmpstr (run->method, ==, "prediction");
  g_assert_cmpstr (run->target, ==, "lesion");
  /* "lesion" is class 1 and drawn first, as the most likely. */
  g_assert_cmpuint (sal_probabilities_get_row_index (probs, 0), ==, 1);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (prediction), "Most likely: lesion"));

  select_method (f, "Grad-CAM");
  id = run_and_wait (f, "images.explain");
  g_assert_cmpint (id, >, run->id);
  g_assert_true (sal_image_view_has_attribution (view));
  caption = sal_colorbar_get_caption (SAL_COLORBAR (child (f, "colorbar")));
  g_assert_nonnull (strstr (caption, "Grad-CAM for “lesion”"));
  g_assert_cmpuint (sal_check_badges_get_n (checks), >=, 3);
  place = measure_overlay (f, view, "case-images-grad-cam.png");
  g_test_message ("Grad-CAM: %.2f of the lesion coloured, %.2f far from it; warmth %.1f vs %.1f; "
                  "hot spot %.1f px from the lesion", place.inside, place.far, place.warm_in,
                  place.warm_far, place.hot_dist);
  /* Grad-CAM's map is 32 × 32 (4 px cells): its hot spot may sit beside the lesion, and
   * the top 20 % of a coarse map also colours the tissue around it. */
  g_assert_cmpfloat (place.inside, >=, 0.4);
  g_assert_cmpfloat (place.inside, >=, 1.5 * place.far);
  g_assert_cmpfloat (place.warm_in, >, place.warm_far + 5);
  g_assert_cmpfloat (place.hot_dist, <=, f->phantom->lesions[0].radius + 6);

  select_method (f, "Integrated Gradients");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f, "steps_spin")), 16);
  id = run_and_wait (f, "images.explain");
  caption = sal_colorbar_get_caption (SAL_COLORBAR (child (f, "colorbar")));
  g_assert_nonnull (strstr (caption, "Integrated Gradients"));
  g_assert_nonnull (strstr (caption, "baseline black"));
  g_assert_nonnull (sal_check_badges_get_note (checks));
  g_assert_cmpstr (sal_check_badges_get_id (checks, 0), ==, "completeness");
  place = measure_overlay (f, view, "case-images-ig.png");
  g_test_message ("IG: %.2f of the lesion coloured, %.2f far from it; warmth %.1f vs %.1f; "
                  "hot spot %.1f px from the lesion", place.inside, place.far, place.warm_in,
                  place.warm_far, place.hot_dist);
  /* IG of the lesion finder is spread thinly over the white matter besides its peak
   * on the lesion, so the top 20 % also colours scattered pixels far from it (0.22 of
   * them against 0.43 of the lesion here); the warmth and the hot spot tell them apart. */
  g_assert_cmpfloat (place.inside, >=, 0.4);
  g_assert_cmpfloat (place.inside, >=, 1.5 * place.far);
  g_assert_cmpfloat (place.warm_in, >, place.warm_far + 10);
  g_assert_cmpfloat (place.hot_dist, <=, f->phantom->lesions[0].radius);

  list = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE, run->object_id, NULL);
  g_assert_cmpuint (list->len, ==, 3);

  /* History: change everything, then reopen the IG result: the same pixels. */
  {
    g_autoptr(GdkTexture) before = sal_ui_test_render (GTK_WIDGET (view), NULL);
    g_autoptr(GdkTexture) after = NULL;
    g_autofree guint32 *a = NULL;
    g_autofree guint32 *b = NULL;
    g_autofree char *ig_caption = g_strdup (caption);
    gsize n;

    select_method (f, "Occlusion");
    gtk_range_set_value (GTK_RANGE (child (f, "topk_scale")), 70);
    gtk_range_set_value (GTK_RANGE (child (f, "opacity_scale")), 0.9);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "colormap_dropdown")), SAL_COLORMAP_INFERNO);
    gtk_switch_set_active (GTK_SWITCH (child (f, "contour_switch")), TRUE);
    sal_case_images_show_result (f->images, run->id);
    g_assert_false (sal_image_view_has_attribution (view));
    g_assert_true (g_str_has_prefix (gtk_label_get_text (prediction), "Most likely: lesion"));

    sal_case_images_show_result (f->images, id);
    sal_ui_test_wait_idle (200);
    g_assert_cmpstr (sal_colorbar_get_caption (SAL_COLORBAR (child (f, "colorbar"))), ==, ig_caption);
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (child (f, "method_dropdown"))), ==, 2);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "steps_spin"))), ==, 16);
    g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (child (f, "topk_scale"))), ==, 20);
    g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (f, "contour_switch"))));
    g_assert_cmpstr (sal_check_badges_get_id (checks, 0), ==, "completeness");
    /* The side panel relayouts as the restored controls settle: render until the
     * frame is stable (a few tries), then it must equal the first rendering. */
    a = sal_ui_test_download (before);
    n = (gsize) gdk_texture_get_width (before) * gdk_texture_get_height (before);
    for (int tries = 0; tries < 5; tries++)
      {
        g_clear_object (&after);
        g_clear_pointer (&b, g_free);
        sal_ui_test_wait_idle (300);
        after = sal_ui_test_render (GTK_WIDGET (view), NULL);
        g_assert_cmpint (gdk_texture_get_width (after), ==, gdk_texture_get_width (before));
        g_assert_cmpint (gdk_texture_get_height (after), ==, gdk_texture_get_height (before));
        b = sal_ui_test_download (after);
        if (memcmp (a, b, n * 4) == 0)
          break;
      }
    if (g_getenv ("SALIENT_DEBUG_PNG"))
      {
        g_autofree char *p1 = sal_ui_test_build_path ("restore-before.png");
        g_autofree char *p2 = sal_ui_test_build_path ("restore-after.png");
        gdk_texture_save_to_png (before, p1);
        gdk_texture_save_to_png (after, p2);
      }
    g_assert_cmpmem (a, n * 4, b, n * 4);
  }

  /* Compare: the two stored maps are reused, Gradient and Grad-CAM++ are run (in
   * place of the default Occlusion, which is slower). */
  {
    SalMethodCompare *compare = SAL_METHOD_COMPARE (child (f, "compare"));
    SalViewState s0, s;
    g_autoptr(GPtrArray) all = NULL;

    GtkWidget *box = GTK_WIDGET (child (f, "compare_methods_box"));

    for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_CHECK_BUTTON (c))
        {
          const char *label = gtk_check_button_get_label (GTK_CHECK_BUTTON (c));
          if (g_str_equal (label, "Occlusion"))
            gtk_check_button_set_active (GTK_CHECK_BUTTON (c), FALSE);
          else if (g_str_equal (label, "Grad-CAM++"))
            gtk_check_button_set_active (GTK_CHECK_BUTTON (c), TRUE);
        }
    f->stored = 0;
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (f, "compare_button")), TRUE);
    g_assert_cmpuint (sal_method_compare_get_n_results (compare), ==, 2);
    g_assert_true (sal_ui_test_wait_until (compare_full_cb, compare, 60000));
    sal_ui_test_wait_idle (300);
    all = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE, run->object_id, NULL);
    g_assert_cmpuint (all->len, ==, 5);
    for (guint i = 0; i < 4; i++)
      for (guint j = i + 1; j < 4; j++)
        {
          double rho = sal_method_compare_get_agreement (compare, i, j);
          g_test_message ("agreement %u–%u: %.3f", i, j, rho);
          g_assert_true (rho >= -1 && rho <= 1);
        }
    /* Zoom keys act on the first view; all four follow, and panning another moves all. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.zoom-in", NULL));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.zoom-in", NULL));
    sal_image_view_set_center (sal_method_compare_get_view (compare, 2), 40, 90);
    sal_image_view_get_state (sal_method_compare_get_view (compare, 0), &s0);
    g_assert_cmpfloat (s0.cx, ==, 40);
    g_assert_cmpfloat (s0.cy, ==, 90);
    for (guint i = 1; i < 4; i++)
      {
        sal_image_view_get_state (sal_method_compare_get_view (compare, i), &s);
        g_assert_cmpfloat (s.zoom, ==, s0.zoom);
        g_assert_cmpfloat (s.cx, ==, s0.cx);
        g_assert_cmpfloat (s.cy, ==, s0.cy);
        g_assert_false (sal_image_view_get_fit (sal_method_compare_get_view (compare, i)));
      }
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.fit", NULL));
    for (guint i = 0; i < 4; i++)
      g_assert_true (sal_image_view_get_fit (sal_method_compare_get_view (compare, i)));
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (f, "compare_button")), FALSE);
  }

  /* The path rule: Adaptive is stored with the result, its completeness gap is no
   * larger than the trapezoid's at the same steps, and reopening the trapezoid
   * result sets the choice back. */
  {
    g_autoptr(SalExplanationRecord) trap = sal_store_get_explanation (f->store, id, NULL);
    g_autoptr(SalExplanationRecord) adapt = NULL;
    gint64 adapt_id;
    double gap_t, gap_a;

    select_method (f, "Integrated Gradients");
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f, "rule_dropdown"))));
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f, "steps_spin")), 16);
    gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "rule_dropdown")), 2);
    adapt_id = run_and_wait (f, "images.explain");
    adapt = sal_store_get_explanation (f->store, adapt_id, NULL);
    g_assert_nonnull (strstr (adapt->params_json, "\"rule\":\"adaptive\""));
    g_assert_nonnull (strstr (trap->params_json, "\"rule\":\"trapezoid\""));
    gap_t = checks_member (trap->checks_json, "completeness_gap");
    gap_a = checks_member (adapt->checks_json, "completeness_gap");
    g_test_message ("IG 16 steps: completeness gap trapezoid %.4g, adaptive %.4g", gap_t, gap_a);
    g_assert_cmpfloat (gap_a, <=, gap_t);
    sal_case_images_show_result (f->images, id);
    sal_ui_test_wait_idle (200);
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (child (f, "rule_dropdown"))), ==, 0);
    sal_case_images_show_result (f->images, adapt_id);
    sal_ui_test_wait_idle (200);
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (child (f, "rule_dropdown"))), ==, 2);
  }
}

typedef struct {
  gint64 last;
  gint64 max_gap;
} Ticks;

static gboolean
tick_cb (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last > 0)
    t->max_gap = MAX (t->max_gap, now - t->last);
  t->last = now;
  return G_SOURCE_CONTINUE;
}

static gboolean
progressed_cb (gpointer data)
{
  Fixture *f = data;
  GtkProgressBar *bar = GTK_PROGRESS_BAR (child (f, "progress_bar"));

  return gtk_progress_bar_get_fraction (bar) > 0.02;
}

static gboolean
job_over_cb (gpointer data)
{
  Fixture *f = data;

  /* The buttons follow their actions' enabled state. */
  return !gtk_widget_get_sensitive (GTK_WIDGET (child (f, "cancel_button")))
         && gtk_widget_get_sensitive (GTK_WIDGET (child (f, "explain_button")));
}

/* Cancel midway: nothing is stored, and the main loop kept running meanwhile. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) images = NULL;
  Ticks ticks = { 0, 0 };
  guint tick;

  import_phantom (f);
  select_method (f, "Integrated Gradients");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f, "steps_spin")), 256);
  tick = g_timeout_add (10, tick_cb, &ticks);
  f->stored = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.explain", NULL));
  g_assert_false (job_over_cb (f));
  g_assert_true (sal_ui_test_wait_until (progressed_cb, f, 30000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.cancel", NULL));
  g_assert_true (sal_ui_test_wait_until (job_over_cb, f, 10000));
  g_source_remove (tick);
  g_test_message ("longest main-loop gap while explaining: %" G_GINT64_FORMAT " ms",
                  ticks.max_gap / 1000);
  /* The job takes seconds; the main loop never stopped for anything near that (the
   * bound is loose because the test machine's two cores are shared). */
  g_assert_cmpint (ticks.max_gap, <, 1000 * 1000);
  g_assert_cmpint (f->stored, ==, 0);
  images = sal_store_list_images (f->store, f->case_id, NULL);
  g_assert_cmpuint (images->len, ==, 1);
  list = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE,
                                      ((SalStoredImage *) images->pdata[0])->id, NULL);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_false (sal_image_view_has_attribution (SAL_IMAGE_VIEW (child (f, "view"))));
}

/* Kiosk: no file actions, and touch targets of at least 48 px. */
static void
test_kiosk (Fixture *f, gconstpointer data)
{
  const char *buttons[] = { "run_button", "explain_button", "method_button", "cancel_button" };
  const char *hidden[] = { "compare_button", "invert_button" };

  import_phantom (f);
  g_object_set (f->images, "kiosk", TRUE, NULL);
  sal_ui_test_wait_idle (300);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child (f, "add_button"))));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->images), "images.add", NULL)
                  && gtk_widget_get_visible (GTK_WIDGET (child (f, "add_button"))));
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *w = GTK_WIDGET (child (f, buttons[i]));
      int min = 0;

      gtk_widget_measure (w, GTK_ORIENTATION_VERTICAL, -1, &min, NULL, NULL, NULL);
      g_test_message ("%s: %d px high", buttons[i], min);
      g_assert_cmpint (min, >=, 48);
    }
  /* Compare and the view buttons make way on a kiosk's screen (touch zooms and pans). */
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    g_assert_false (gtk_widget_is_visible (GTK_WIDGET (child (f, hidden[i]))));
  g_object_set (f->images, "kiosk", FALSE, NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f, "add_button"))));
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    g_assert_true (gtk_widget_is_visible (GTK_WIDGET (child (f, hidden[i]))));
}

static gboolean
progress_hidden_cb (gpointer revealer)
{
  return !gtk_revealer_get_child_revealed (revealer);
}

static void
set_compare_methods (Fixture *f, const char *const *names)
{
  GtkWidget *box = GTK_WIDGET (child (f, "compare_methods_box"));

  /* Untick all first: at most four can be ticked at once. */
  for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_CHECK_BUTTON (c))
      gtk_check_button_set_active (GTK_CHECK_BUTTON (c), FALSE);
  for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_CHECK_BUTTON (c)
        && g_strv_contains (names, gtk_check_button_get_label (GTK_CHECK_BUTTON (c))))
      gtk_check_button_set_active (GTK_CHECK_BUTTON (c), TRUE);
}

/* The README's screenshots (docs/screenshots/clinic-overlay.png and
 * clinic-compare.png): the first demo case's phantom slice, the lesion finder's
 * probabilities, an Integrated Gradients overlay with its checks, and four
 * methods compared. Slow (a minute on two busy cores): run with SALIENT_SCREENSHOTS=1. */
static void
test_screenshots (Fixture *f, gconstpointer data)
{
  const char *const methods[] = { "Grad-CAM", "Integrated Gradients", "Gradient", "Occlusion", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autofree char *overlay_png = sal_ui_test_build_path ("clinic-overlay.png");
  g_autofree char *compare_png = sal_ui_test_build_path ("clinic-compare.png");
  SalMethodCompare *compare = SAL_METHOD_COMPARE (child (f, "compare"));
  guint n_cases = 0;

  if (g_getenv ("SALIENT_SCREENSHOTS") == NULL)
    {
      g_test_skip ("set SALIENT_SCREENSHOTS=1 to render the screenshots");
      return;
    }
  /* The demo set goes only into a store without cases: a fresh one. */
  {
    g_autofree char *db = g_build_filename (f->dir, "demo.db", NULL);
    g_autofree char *models = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data",
                                                "models", NULL);

    sal_case_images_set_case (f->images, NULL, NULL, 0);
    sal_store_unref (f->store);
    f->store = sal_store_open (db, &error);
    g_assert_no_error (error);
    g_assert_true (sal_store_register_models_in_dir (f->store, models, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (sal_demo_clinic_seed (f->store, NULL, &n_cases, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_cases, ==, 3);
  cases = sal_store_list_cases (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < cases->len; i++)
    if (g_str_has_prefix (((SalCase *) cases->pdata[i])->title, "Demo: headache"))
      f->case_id = ((SalCase *) cases->pdata[i])->id;

  sal_case_images_set_case (f->images, f->store, f->jobs, f->case_id);
  sal_ui_test_wait_idle (300);

  run_and_wait (f, "images.run");
  select_method (f, "Integrated Gradients");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f, "steps_spin")), 64);
  gtk_range_set_value (GTK_RANGE (child (f, "topk_scale")), 10);
  gtk_range_set_value (GTK_RANGE (child (f, "opacity_scale")), 0.7);
  {
    g_autoptr(SalExplanationRecord) e = sal_store_get_explanation (f->store, run_and_wait (f, "images.explain"), NULL);
    g_test_message ("IG checks: %s; params: %s", e->checks_json, e->params_json);
  }
  /* Xvfb has no window manager to focus the window: draw it as focused. */
  gtk_widget_unset_state_flags (GTK_WIDGET (f->window), GTK_STATE_FLAG_BACKDROP);
  sal_ui_test_wait_idle (500);
  tex = sal_ui_test_save_png (GTK_WIDGET (f->window), overlay_png, &error);
  g_assert_no_error (error);
  g_clear_object (&tex);

  set_compare_methods (f, methods);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (f, "compare_button")), TRUE);
  g_assert_true (sal_ui_test_wait_until (compare_full_cb, compare, 240000));
  g_assert_true (sal_ui_test_wait_until (progress_hidden_cb, child (f, "progress_revealer"), 5000));
  gtk_widget_unset_state_flags (GTK_WIDGET (f->window), GTK_STATE_FLAG_BACKDROP);
  sal_ui_test_wait_idle (500);
  tex = sal_ui_test_save_png (GTK_WIDGET (f->window), compare_png, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display");
      return g_test_run ();
    }
  g_test_add ("/ui/case-images/import", Fixture, NULL, fixture_setup, test_import,
              fixture_teardown);
  g_test_add ("/ui/case-images/screenshots", Fixture, NULL, fixture_setup, test_screenshots,
              fixture_teardown);
  g_test_add ("/ui/case-images/kiosk", Fixture, NULL, fixture_setup, test_kiosk,
              fixture_teardown);
  g_test_add ("/ui/case-images/cancel", Fixture, NULL, fixture_setup, test_cancel,
              fixture_teardown);
  g_test_add ("/ui/case-images/run-explain", Fixture, NULL, fixture_setup, test_run_explain,
              fixture_teardown);
  return g_test_run ();
}
