/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Clinic's measurements panel: the form from the risk model's features, Run as a
 * background job (the risk the CLI gives for the same row, the Shapley waterfall that
 * adds up), refusal of implausible values, undo, and reopening a stored result. */

#include "config.h"

#include <glib/gi18n.h>

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>

#include "sal-case-measurements-private.h"
#include "sal-clinic-jobs.h"
#include "sal-store.h"
#include "sal-test-util.h"
#include "sal-ui-test.h"

/* Data row 74 of WDBC: the model gives it a risk near 25 %, so the probability is not
 * saturated and a wrong input order or scaling shows. */
#define WDBC_ROW 74

typedef struct {
  char                *dir;
  SalStore            *store;
  SalJobQueue         *jobs;
  gint64               case_id;
  GtkWindow           *window;
  SalCaseMeasurements *panel;
  GStrv                names;
  double               values[64];
  guint                n;
  gint64               stored_id;
  guint                n_stored;
} Fixture;

static char *
source_path (const char *a, const char *b)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", a, b, NULL);
}

/* Header names and the values of one data row (1-based) of wdbc.csv, class dropped. */
static void
read_row (Fixture *f, guint row)
{
  g_autofree char *path = source_path ("datasets", "wdbc.csv");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) cells = NULL;
  guint first = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  while (lines[first][0] == '#')
    first++;
  f->names = g_strsplit (g_strstrip (lines[first]), ",", -1);
  cells = g_strsplit (g_strstrip (lines[first + row]), ",", -1);
  f->n = g_strv_length (f->names) - 1;   /* the last column is the diagnosis */
  g_assert_cmpuint (f->n, ==, 30);
  g_free (f->names[f->n]);
  f->names[f->n] = NULL;
  for (guint i = 0; i < f->n; i++)
    f->values[i] = g_ascii_strtod (cells[i], NULL);
}

static void
on_result_stored (SalCaseMeasurements *panel, gint64 id, Fixture *f)
{
  f->stored_id = id;
  f->n_stored++;
}

static gboolean
is_ready_cb (gpointer data)
{
  Fixture *f = data;

  return sal_case_measurements_is_ready (f->panel) && !sal_case_measurements_is_busy (f->panel);
}

static gboolean
is_stored_cb (gpointer data)
{
  Fixture *f = data;

  return f->stored_id != 0 && !sal_case_measurements_is_busy (f->panel);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *db = NULL;
  g_autofree char *models = source_path ("models", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (SalMeasurement));

  f->dir = sal_test_tmpdir ();
  db = g_build_filename (f->dir, "salient.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_register_models_in_dir (f->store, models, NULL, &error));
  g_assert_no_error (error);
  f->case_id = sal_store_add_case (f->store, NULL, "Measurements", FALSE, &error);
  g_assert_no_error (error);
  read_row (f, WDBC_ROW);
  for (guint i = 0; i < f->n; i++)
    {
      SalMeasurement m = { f->names[i], f->values[i], NULL };
      g_array_append_val (rows, m);
    }
  g_assert_true (sal_store_set_measurements (f->store, f->case_id,
                                             (SalMeasurement *) rows->data, rows->len, &error));
  f->jobs = sal_job_queue_new (1);

  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1100, 760);
  f->panel = SAL_CASE_MEASUREMENTS (sal_case_measurements_new ());
  adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->panel));
  g_signal_connect (f->panel, "result-stored", G_CALLBACK (on_result_stored), f);
  sal_ui_test_present (f->window);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_add_weak_pointer (G_OBJECT (f->panel), (gpointer *) &f->panel);
  gtk_window_destroy (f->window);
  sal_ui_test_wait_idle (100);
  g_assert_null (f->panel);
  g_clear_object (&f->jobs);
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_strfreev (f->names);
}

static void
show_case (Fixture *f)
{
  sal_case_measurements_set_case (f->panel, f->store, f->jobs, f->case_id);
  g_assert_true (sal_ui_test_wait_until (is_ready_cb, f, 10000));
  sal_ui_test_wait_idle (100);
}

static void
run (Fixture *f)
{
  f->stored_id = 0;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.run", NULL));
  g_assert_true (sal_ui_test_wait_until (is_stored_cb, f, 20000));
  sal_ui_test_wait_idle (100);
}

/* The risk of malignancy salient-cli infer gives for the row (softmax of the logits). */
static double
cli_risk (Fixture *f)
{
  g_autofree char *csv = g_build_filename (f->dir, "row.csv", NULL);
  g_autofree char *model = source_path ("models", "breast-mass-risk.onnx");
  g_autofree char *out = NULL;
  g_autoptr(GString) row = g_string_new (NULL);
  g_autoptr(JsonParser) p = json_parser_new ();
  JsonArray *logits;
  double z0, z1;

  for (guint i = 0; i < f->n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (row, "%s%s", i > 0 ? "," : "",
                              g_ascii_dtostr (buf, sizeof buf, f->values[i]));
    }
  g_string_append_c (row, '\n');
  g_assert_true (g_file_set_contents (csv, row->str, -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "infer", model, csv, "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (p, out, -1, NULL));
  logits = json_object_get_array_member (
    json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (json_parser_get_root (p)), "outputs"),
      0),
    "values");
  z0 = json_array_get_double_element (logits, 0);
  z1 = json_array_get_double_element (logits, 1);
  return 1 / (1 + exp (z0 - z1));
}

/* Horizontal bands of the chart's rendering that hold a step's colour (red or blue) of
 * the light or dark style (app/sal-waterfall.c). */
static guint
count_step_bars (GdkTexture *texture, gboolean dark)
{
  static const int light_rgb[2][3] = { { 191, 41, 38 }, { 33, 102, 171 } };
  static const int dark_rgb[2][3] = { { 240, 115, 97 }, { 107, 166, 242 } };
  const int (*want)[3] = dark ? dark_rgb : light_rgb;
  g_autofree guint32 *px = sal_ui_test_download (texture);
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  guint bands = 0;
  gboolean in_band = FALSE;

  for (int y = 0; y < h; y++)
    {
      gboolean has = FALSE;

      for (int x = 0; x < w && !has; x++)
        {
          guint32 c = px[(gsize) y * w + x];
          int r = (c >> 16) & 0xff, g = (c >> 8) & 0xff, b = c & 0xff;

          for (int k = 0; k < 2 && !has; k++)
            has = abs (r - want[k][0]) <= 2 && abs (g - want[k][1]) <= 2
                  && abs (b - want[k][2]) <= 2;
        }
      if (has && !in_band)
        bands++;
      in_band = has;
    }
  return bands;
}

/* Suffix of the PNGs a person looks at: "-zh_CN" when run in Chinese. */
static char *
shot_path (const char *name)
{
  const char *suffix = g_getenv ("SAL_TEST_SHOT_SUFFIX");
  g_autofree char *file = g_strdup_printf ("%s%s.png", name, suffix != NULL ? suffix : "");

  return sal_ui_test_build_path (file);
}

static void
test_form_and_run (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  SalWaterfallChart *chart;
  const double *bars;
  double sum = 0, risk;

  show_case (f);
  g_assert_cmpuint (sal_case_measurements_get_n_fields (f->panel), ==, f->n);
  /* the form holds the case's saved row, in the model's order */
  for (guint i = 0; i < f->n; i++)
    {
      GtkSpinButton *spin = sal_case_measurements_get_spin (f->panel, f->names[i]);

      g_assert_nonnull (spin);
      g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), f->values[i], 1e-9);
    }
  g_assert_cmpstr (sal_case_measurements_get_message (f->panel), ==, "");

  run (f);
  g_assert_cmpint (f->stored_id, >, 0);
  g_assert_cmpint (sal_case_measurements_get_result_id (f->panel), ==, f->stored_id);
  risk = sal_case_measurements_get_risk (f->panel);
  g_assert_cmpfloat_with_epsilon (risk, cli_risk (f), 1e-5);
  g_assert_cmpfloat (risk, >, 0.05);
  g_assert_cmpfloat (risk, <, 0.95);

  /* the waterfall: one bar per feature group, adding up from E[f] to f(x) */
  chart = sal_case_measurements_get_chart (f->panel);
  g_assert_cmpuint (sal_waterfall_chart_get_n (chart), ==, 10);
  bars = sal_waterfall_chart_get_values (chart);
  for (guint i = 0; i < 10; i++)
    sum += bars[i];
  g_assert_cmpfloat_with_epsilon (sum, sal_waterfall_chart_get_prediction (chart)
                                         - sal_waterfall_chart_get_expected (chart), 1e-5);
  g_assert_cmpfloat_with_epsilon (sal_waterfall_chart_get_prediction (chart), risk, 1e-5);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (chart)));

  /* the risk with its label, in the person's language, every glyph drawable */
  {
    g_autofree char *text = g_strdup_printf (_("Probability of “%s”: %.1f %%"), _("malignant"),
                                             100 * risk);
    GtkLabel *label = sal_ui_test_find_label (GTK_WIDGET (f->panel), text);

    g_assert_nonnull (label);
    g_assert_cmpint (pango_layout_get_unknown_glyphs_count (gtk_label_get_layout (label)), ==, 0);
  }

  /* drawn: ten step bars in the light style and in the dark one */
  /* (the Chinese run checks the light style only: the colours do not depend on the language) */
  for (int dark = 0; dark < (g_getenv ("SAL_TEST_SHOT_SUFFIX") != NULL ? 1 : 2); dark++)
    {
      g_autofree char *png = shot_path (dark ? "clinic-waterfall-dark" : "clinic-waterfall");
      g_autofree char *whole = shot_path (dark ? "clinic-measurements-dark"
                                               : "clinic-measurements");
      g_autoptr(GdkTexture) shot = NULL;

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                               : ADW_COLOR_SCHEME_FORCE_LIGHT);
      sal_ui_test_wait_idle (300);
      shot = sal_ui_test_save_png (GTK_WIDGET (chart), png, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count_step_bars (shot, dark), ==, 10);
      g_clear_object (&shot);
      shot = sal_ui_test_save_png (GTK_WIDGET (f->window), whole, &error);
      g_assert_no_error (error);
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

/* The same run in Simplified Chinese (a child process: the language is chosen before
 * anything reads the locale), so the screenshots and glyph checks cover zh_CN. */
static void
test_zh_cn (void)
{
  const char *builddir = g_getenv ("SALIENT_BUILD_DIR");
  g_autofree char *localedir = NULL;
  g_autofree char *self = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { NULL, "-p", "/ui/case-measurements/form-and-run", NULL };

  if (g_getenv ("SAL_TEST_SHOT_SUFFIX") != NULL)
    {
      g_test_skip ("already the child");
      return;
    }
  localedir = g_build_filename (builddir, "po", NULL);
  self = g_build_filename (builddir, "tests", "test-case-measurements", NULL);
  argv[0] = self;
  env = g_environ_setenv (env, "LANG", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "LANGUAGE", "zh_CN", TRUE);
  env = g_environ_unsetenv (env, "LC_ALL");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  env = g_environ_setenv (env, "SALIENT_LOCALEDIR", localedir, TRUE);
  env = g_environ_setenv (env, "SAL_TEST_SHOT_SUFFIX", "-zh_CN", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_test_message ("%s", out);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "ok 1 /ui/case-measurements/form-and-run"));
}

static void
test_out_of_range (Fixture *f, gconstpointer data)
{
  GtkSpinButton *spin;
  const char *msg;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  show_case (f);
  spin = sal_case_measurements_get_spin (f->panel, "radius_mean");
  gtk_spin_button_set_value (spin, 480);   /* millimetres typed where pixels belong */
  sal_ui_test_wait_idle (100);
  msg = sal_case_measurements_get_message (f->panel);
  g_test_message ("%s", msg);
  g_assert_nonnull (strstr (msg, "Radius, mean"));
  g_assert_nonnull (strstr (msg, "480"));
  g_assert_nonnull (strstr (msg, "plausible range"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (spin), "error"));
  g_assert_true (gtk_widget_has_css_class (
    sal_ui_test_find_nth (GTK_WIDGET (sal_ui_test_find_label (GTK_WIDGET (f->panel), msg)),
                          GTK_TYPE_LABEL, 0), "error"));

  /* Run refuses: nothing is stored */
  before = sal_store_list_explanations (f->store, SAL_OBJECT_CASE, f->case_id, NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.run", NULL);
  sal_ui_test_wait_idle (300);
  g_assert_false (sal_case_measurements_is_busy (f->panel));
  after = sal_store_list_explanations (f->store, SAL_OBJECT_CASE, f->case_id, NULL);
  g_assert_cmpuint (after->len, ==, before->len);
  g_assert_cmpuint (f->n_stored, ==, 0);

  /* undo brings the saved value back, and the form can run again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.undo", NULL));
  sal_ui_test_wait_idle (100);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), f->values[0], 1e-9);
  g_assert_cmpstr (sal_case_measurements_get_message (f->panel), ==, "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (spin), "error"));

  /* an emptied value is missing, not zero */
  gtk_editable_set_text (GTK_EDITABLE (spin), "");
  gtk_spin_button_update (spin);
  sal_ui_test_wait_idle (100);
  g_assert_nonnull (strstr (sal_case_measurements_get_message (f->panel), "missing"));
  g_assert_false (gtk_widget_has_css_class (
    GTK_WIDGET (sal_ui_test_find_label (GTK_WIDGET (f->panel),
                                        sal_case_measurements_get_message (f->panel))),
    "error"));
  gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.run", NULL);
  g_assert_false (sal_case_measurements_is_busy (f->panel));
}

static void
test_save_and_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) rows = NULL;
  GtkSpinButton *spin;
  SalWaterfallChart *chart;
  g_autofree double *bars = NULL;
  double risk, expected;
  gint64 id;

  show_case (f);
  spin = sal_case_measurements_get_spin (f->panel, "texture_mean");
  gtk_spin_button_set_value (spin, 25.5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.save", NULL));
  rows = sal_store_list_measurements (f->store, f->case_id, NULL);
  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (((SalMeasurement *) rows->pdata[i])->name, "texture_mean"))
      g_assert_cmpfloat (((SalMeasurement *) rows->pdata[i])->value, ==, 25.5);

  run (f);
  id = f->stored_id;
  risk = sal_case_measurements_get_risk (f->panel);
  chart = sal_case_measurements_get_chart (f->panel);
  bars = g_memdup2 (sal_waterfall_chart_get_values (chart), sizeof (double) * 10);
  expected = sal_waterfall_chart_get_expected (chart);

  /* the form can be filled from the inputs of an earlier result, and that is undone */
  {
    GtkDropDown *source = GTK_DROP_DOWN (sal_ui_test_find_nth (GTK_WIDGET (f->panel),
                                                               GTK_TYPE_DROP_DOWN, 0));

    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (source)), ==, 2);
    gtk_spin_button_set_value (spin, 11.0);
    sal_ui_test_wait_idle (50);
    gtk_drop_down_set_selected (source, 1);
    g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), 25.5, 1e-9);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.undo",
                                               NULL));
    g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), 11.0, 1e-9);
  }

  /* another case shown, then the History reopens the first result */
  sal_case_measurements_set_case (f->panel, NULL, NULL, 0);
  show_case (f);
  sal_case_measurements_show_result (f->panel, id);
  sal_ui_test_wait_idle (100);
  g_assert_cmpint (sal_case_measurements_get_result_id (f->panel), ==, id);
  chart = sal_case_measurements_get_chart (f->panel);
  g_assert_cmpfloat (sal_case_measurements_get_risk (f->panel), ==, risk);
  g_assert_cmpfloat (sal_waterfall_chart_get_expected (chart), ==, expected);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpfloat_with_epsilon (sal_waterfall_chart_get_values (chart)[i], bars[i], 1e-7);
  /* and its inputs are in the form */
  spin = sal_case_measurements_get_spin (f->panel, "texture_mean");
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (spin), 25.5, 1e-9);
}

static gboolean
not_busy_cb (gpointer data)
{
  return !sal_case_measurements_is_busy (SAL_CASE_MEASUREMENTS (data));
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) stored = NULL;

  show_case (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.run", NULL));
  g_assert_true (sal_case_measurements_is_busy (f->panel));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.cancel", NULL));
  g_assert_true (sal_ui_test_wait_until (not_busy_cb, f->panel, 10000));
  sal_ui_test_wait_idle (200);
  stored = sal_store_list_explanations (f->store, SAL_OBJECT_CASE, f->case_id, NULL);
  g_assert_cmpuint (stored->len, ==, 0);
  g_assert_cmpuint (f->n_stored, ==, 0);
  g_assert_cmpint (sal_case_measurements_get_result_id (f->panel), ==, 0);
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->panel),
                                            _("Cancelled; nothing was stored")));
}

static void
test_empty (Fixture *f, gconstpointer data)
{
  sal_case_measurements_set_case (f->panel, NULL, NULL, 0);
  sal_ui_test_wait_idle (100);
  g_assert_false (sal_case_measurements_is_ready (f->panel));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->panel), "measurements.run", NULL)
                  && sal_case_measurements_is_busy (f->panel));
  g_assert_nonnull (sal_ui_test_find_label (GTK_WIDGET (f->panel), "No case"));
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  adw_init ();
  g_test_add ("/ui/case-measurements/form-and-run", Fixture, NULL, fixture_setup,
              test_form_and_run, fixture_teardown);
  g_test_add ("/ui/case-measurements/out-of-range", Fixture, NULL, fixture_setup,
              test_out_of_range, fixture_teardown);
  g_test_add ("/ui/case-measurements/save-and-reopen", Fixture, NULL, fixture_setup,
              test_save_and_reopen, fixture_teardown);
  g_test_add ("/ui/case-measurements/empty", Fixture, NULL, fixture_setup, test_empty,
              fixture_teardown);
  g_test_add ("/ui/case-measurements/cancel", Fixture, NULL, fixture_setup, test_cancel,
              fixture_teardown);
  g_test_add_func ("/ui/case-measurements/zh_CN", test_zh_cn);
  return g_test_run ();
}
