/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Clinic's demo set and the case report (PDF). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-clinic-jobs.h"
#include "sal-job-queue.h"

#include "sal-audit.h"
#include "sal-demo-clinic.h"
#include "sal-report.h"
#include "sal-store.h"
#include "sal-test-util.h"

static char *
source_path (const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", name, NULL);
}

static SalStore *
open_seeded (const char *dir, guint *n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (dir, "test.db", NULL);
  g_autofree char *csv = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "datasets",
                                           "wdbc.csv", NULL);
  SalStore *store = sal_store_open (db, &error);

  g_assert_no_error (error);
  g_assert_true (sal_demo_clinic_seed (store, csv, n, &error));
  g_assert_no_error (error);
  return store;
}

static void
test_demo_seed (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  guint n = 0, n_lesion = 0;

  store = open_seeded (dir, &n);
  g_assert_cmpuint (n, ==, 3);
  cases = sal_store_list_cases (store, &error);
  g_assert_cmpuint (cases->len, ==, 3);
  for (guint i = 0; i < cases->len; i++)
    {
      const SalCase *c = cases->pdata[i];
      g_autoptr(GPtrArray) images = sal_store_list_images (store, c->id, &error);
      g_autoptr(GPtrArray) notes = sal_store_list_notes (store, c->id, &error);
      g_autoptr(GPtrArray) rows = sal_store_list_measurements (store, c->id, &error);

      g_assert_true (c->demo);
      g_assert_cmpuint (images->len, ==, 1);
      g_assert_cmpuint (notes->len, ==, 1);
      g_assert_cmpuint (rows->len, ==, 30);   /* the 30 WDBC features, not the class */
      if (strstr (c->title, "lesion") != NULL)
        n_lesion++;
    }
  g_assert_cmpuint (n_lesion, ==, 1);

  /* Seeding again adds nothing. */
  g_assert_true (sal_demo_clinic_seed (store, NULL, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_clear_pointer (&cases, g_ptr_array_unref);
  cases = sal_store_list_cases (store, &error);
  g_assert_cmpuint (cases->len, ==, 3);

  /* One action removes it all, and the user's own case stays. */
  g_assert_cmpint (sal_store_add_case (store, NULL, "own", FALSE, &error), >, 0);
  g_assert_true (sal_store_delete_demo_data (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&cases, g_ptr_array_unref);
  cases = sal_store_list_cases (store, &error);
  g_assert_cmpuint (cases->len, ==, 1);
  g_assert_cmpstr (((SalCase *) cases->pdata[0])->title, ==, "own");

  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

static void
test_demo_bad_csv (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "t.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "bad.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (db, &error);
  g_autoptr(GPtrArray) cases = NULL;
  guint n = 7;

  g_assert_true (g_file_set_contents (csv, "a,b\n1,x\n", -1, NULL));
  g_assert_false (sal_demo_clinic_seed (store, csv, &n, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (n, ==, 0);
  /* nothing half-seeded */
  cases = sal_store_list_cases (store, NULL);
  g_assert_cmpuint (cases->len, ==, 0);
  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

/* The first case with a lesion, with explanation records on its image, note and
 * measurements as the Clinic stores them. */
static gint64
add_explanations (SalStore *store, char **risk_sha)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, &error);
  g_autofree char *models = source_path ("models");
  g_autofree char *risk = g_build_filename (models, "breast-mass-risk.onnx", NULL);
  g_autofree char *triage = g_build_filename (models, "note-triage.onnx", NULL);
  g_autofree char *triage_sha = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  const SalCase *c = NULL;
  float *attr;
  SalExplanationRecord e = { 0 };

  g_assert_true (sal_store_register_models_in_dir (store, models, NULL, &error));
  g_assert_no_error (error);
  *risk_sha = sal_file_sha256 (risk, &error);
  triage_sha = sal_file_sha256 (triage, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < cases->len && c == NULL; i++)
    if (strstr (((SalCase *) cases->pdata[i])->title, "lesion") != NULL)
      c = cases->pdata[i];
  g_assert (c != NULL);

  /* image: a blob at the centre of a 32 × 32 map (the model's input size) */
  images = sal_store_list_images (store, c->id, &error);
  attr = g_new (float, 32 * 32);
  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 32; x++)
      attr[y * 32 + x] = (float) exp (-((x - 16) * (x - 16) + (y - 16) * (y - 16)) / 20.0);
  e.object_kind = SAL_OBJECT_IMAGE;
  e.object_id = ((SalStoredImage *) images->pdata[0])->id;
  e.model_sha256 = *risk_sha;  /* any registered model: the caption names it */
  e.method = "grad-cam";
  e.params_json = "{\"layer\": \"conv3\"}";
  e.target = "lesion";
  e.seed = 5;
  e.shape_json = "[32,32]";
  e.attribution = g_bytes_new_take (attr, sizeof (float) * 32 * 32);
  e.checks_json = "{\"probabilities\": {\"no lesion\": 0.08, \"lesion\": 0.92}, "
                  "\"deletion_auc\": 0.21}";
  g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
  g_clear_pointer (&e.attribution, g_bytes_unref);

  /* note: one value per token */
  notes = sal_store_list_notes (store, c->id, &error);
  {
    float *ta = g_new0 (float, 400);

    for (int k = 0; k < 400; k++)
      ta[k] = (float) sin (k * 0.7);
    e.object_kind = SAL_OBJECT_NOTE;
    e.object_id = ((SalNote *) notes->pdata[0])->id;
    e.model_sha256 = triage_sha;
    e.method = "integrated-gradients";
    e.params_json = "{\"steps\": 64}";
    e.target = "emergency";
    e.baseline = "pad";
    e.shape_json = "[400]";
    e.attribution = g_bytes_new_take (ta, sizeof (float) * 400);
    e.checks_json = "{\"completeness_gap\": 0.001}";
    g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
    g_clear_pointer (&e.attribution, g_bytes_unref);
  }

  /* measurements: Shapley over three groups */
  {
    float sv[3] = { 0.31f, -0.12f, 0.05f };

    e.object_kind = SAL_OBJECT_CASE;
    e.object_id = c->id;
    e.model_sha256 = *risk_sha;
    e.method = "shapley";
    e.params_json = "{\"names\": [\"radius\", \"texture\", \"concavity\"]}";
    e.target = "malignant";
    e.baseline = NULL;
    e.shape_json = "[3]";
    e.attribution = g_bytes_new (sv, sizeof sv);
    e.checks_json = "{\"expected_value\": 0.37, \"prediction\": 0.61, \"efficiency_gap\": 0}";
    g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
    g_clear_pointer (&e.attribution, g_bytes_unref);
  }
  return c->id;
}

static char *
run_tool (const char *tool, const char *arg1, const char *arg2, const char *arg3,
          const char *arg4)
{
  const char *argv[] = { tool, arg1, arg2, arg3, arg4, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    g_clear_pointer (&out, g_free);
  return out;
}

static void
test_report_pdf (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *pdf = g_build_filename (dir, "case.pdf", NULL);
  g_autofree char *models = source_path ("models");
  g_autofree char *risk_sha = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = open_seeded (dir, NULL);
  g_autoptr(GPtrArray) audit = NULL;
  gint64 case_id = add_explanations (store, &risk_sha);
  gsize len;

  g_assert_true (sal_report_write_case (store, case_id, models, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 2000);
  g_assert_true (memcmp (contents, "%PDF-", 5) == 0);
  {
    /* kept in the build folder for a person to look at */
    g_autofree char *keep = g_build_filename (g_getenv ("SALIENT_BUILD_DIR"), "clinic-report.pdf",
                                              NULL);
    g_assert_true (g_file_set_contents (keep, contents, (gssize) len, NULL));
  }

  audit = sal_audit_list (store, 1, &error);
  g_assert_cmpuint (audit->len, ==, 1);
  g_assert_cmpstr (((SalAuditEntry *) audit->pdata[0])->what, ==, "export");

  text = run_tool ("pdftotext", "-layout", pdf, "-", NULL);
  if (text == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
    }
  else
    {
      g_assert_nonnull (strstr (text, "breast-mass-risk"));
      g_assert_nonnull (strstr (text, "note-triage"));
      g_assert_nonnull (strstr (text, "Grad-CAM"));
      g_assert_nonnull (strstr (text, "Integrated Gradients"));
      g_assert_nonnull (strstr (text, "Exact Shapley values"));
      g_assert_nonnull (strstr (text, "Demonstration model, not for diagnosis."));
      g_assert_nonnull (strstr (text, "92.0 %"));        /* the lesion probability */
      g_assert_nonnull (strstr (text, "+0.310"));        /* the largest Shapley step */
      g_assert_nonnull (strstr (text, "radius_mean"));   /* a measurement row */
    }

  /* page 1 renders, and the overlay puts saturated colour on the grey slice */
  {
    g_autofree char *prefix = g_build_filename (dir, "page", NULL);
    g_autofree char *png = g_strconcat (prefix, "-1.png", NULL);
    g_autofree char *out = run_tool ("pdftoppm", "-png", "-r", "40", pdf);
    const char *argv[] = { "pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, prefix,
                           NULL };
    int status = 0;

    (void) out;
    if (g_spawn_sync (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL)
        && g_spawn_check_wait_status (status, NULL))
      {
        g_autoptr(SalImage) img = sal_image_load_png (png, NULL, &error);
        guint n_colour = 0;

        g_assert_no_error (error);
        g_assert_cmpint (img->channels, >=, 3);
        for (gsize i = 0; i < (gsize) img->width * img->height; i++)
          {
            const guint16 *p = img->pixels + i * img->channels;
            int mx = MAX (p[0], MAX (p[1], p[2])), mn = MIN (p[0], MIN (p[1], p[2]));

            if (mx - mn > 60)
              n_colour++;
          }
        /* the overlay blob covers a few percent of a 128-pt image at 40 dpi */
        g_assert_cmpuint (n_colour, >, 40);
      }
  }

  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

static void
test_report_errors (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *pdf = g_build_filename (dir, "none.pdf", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-folder", "x.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = open_seeded (dir, NULL);
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, NULL);
  g_autoptr(GPtrArray) audit = NULL;
  gint64 id = ((SalCase *) cases->pdata[0])->id;

  g_assert_false (sal_report_write_case (store, 999999, NULL, pdf, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_false (sal_report_write_case (store, id, NULL, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "x.pdf"));
  g_clear_error (&error);

  /* no export was logged for either */
  audit = sal_audit_list (store, 0, &error);
  for (guint i = 0; i < audit->len; i++)
    g_assert_cmpstr (((SalAuditEntry *) audit->pdata[i])->what, !=, "export");

  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

static void
test_report_cli (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "cli.db", NULL);
  g_autofree char *pdf = g_build_filename (dir, "cli.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (sal_test_run_cli (&out, &err, "--db", db, "clinic-demo", "add", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "--db", db, "report", "1", "--output", pdf,
                                     NULL), ==, 0);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "--db", db, "report", "C-NOPE", "--output", pdf,
                                     NULL), ==, 1);
  g_assert_nonnull (strstr (err, "C-NOPE"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "--db", db, "clinic-demo", "remove", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, &err, "--db", db, "cases", "list", "--json", NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "[]");
  sal_test_rm_rf (dir);
}

static char *
decode (const void *data, gsize len, const char **enc, GError **error)
{
  g_autoptr(GBytes) b = g_bytes_new (data, len);

  return sal_note_text_from_bytes (b, "note.txt", enc, error);
}

static void
test_note_decoding (void)
{
  g_autoptr(GError) error = NULL;
  const char *enc = NULL;
  char *t;
  /* "Café\r\n" in UTF-8 with BOM, UTF-16LE with BOM, windows-1252 (with a curly quote) */
  const guint8 utf8[] = { 0xef, 0xbb, 0xbf, 'C', 'a', 'f', 0xc3, 0xa9, '\r', '\n' };
  const guint8 utf16[] = { 0xff, 0xfe, 'C', 0, 'a', 0, 'f', 0, 0xe9, 0, '\n', 0 };
  const guint8 cp1252[] = { 'C', 'a', 'f', 0xe9, ' ', 0x93, 'x', 0x94 };
  const guint8 binary[] = { 0x89, 'P', 'N', 'G', 0, 0, 0, 13 };

  t = decode (utf8, sizeof utf8, &enc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t, ==, "Caf\xc3\xa9\n");
  g_assert_cmpstr (enc, ==, "UTF-8");
  g_free (t);
  t = decode (utf16, sizeof utf16, &enc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t, ==, "Caf\xc3\xa9\n");
  g_assert_cmpstr (enc, ==, "UTF-16LE");
  g_free (t);
  t = decode (cp1252, sizeof cp1252, &enc, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t, ==, "Caf\xc3\xa9 \xe2\x80\x9cx\xe2\x80\x9d");
  g_assert_cmpstr (enc, ==, "WINDOWS-1252");
  g_free (t);
  t = decode (binary, sizeof binary, &enc, &error);
  g_assert_null (t);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "note.txt"));
}

static void
on_done (GObject *source, GAsyncResult *res, gpointer data)
{
  GError *error = NULL;
  SalClinicResult **out = data;

  *out = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res, &error);
  g_assert_no_error (error);
}

static void
test_score_job (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *models = source_path ("models");
  g_autofree char *csv = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "datasets",
                                           "wdbc.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = open_seeded (dir, NULL);
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, NULL);
  g_autoptr(GPtrArray) expl = NULL;
  g_autoptr(SalClinicResult) again = NULL;
  SalClinicResult *r = NULL;
  const SalCase *c = cases->pdata[0];
  double values[30], sum = 0;
  gint64 model_id;
  SalJob *job;

  g_assert_true (sal_store_register_models_in_dir (store, models, NULL, &error));
  model_id = sal_clinic_find_model (store, SAL_CLINIC_MODEL_MEASUREMENTS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (model_id, >, 0);
  /* the WDBC row of the case, in the model's feature order (the CSV's order) */
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) cells = NULL;

    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    cells = g_strsplit (lines[2], ",", -1);
    for (guint i = 0; i < 30; i++)
      values[i] = g_ascii_strtod (cells[i], NULL);
  }
  job = sal_clinic_score_job_new (store, c->id, model_id, values, 30, csv);
  sal_job_queue_submit_async (queue, job, NULL, on_done, &r);
  g_object_unref (job);
  while (r == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* efficiency: E[f] + sum of the group values = f(x), in probability */
  g_assert_cmpuint (r->n_values, ==, 10);
  for (guint i = 0; i < r->n_values; i++)
    sum += r->values[i];
  g_assert_cmpfloat_with_epsilon (r->expected + sum, r->prediction, 1e-4);
  g_assert_cmpfloat_with_epsilon (r->prediction, r->probabilities[r->target_index], 1e-4);
  g_assert_cmpstr (r->target, ==, "malignant");
  g_assert_cmpfloat (r->prediction, >, 0.5);   /* row 1 of WDBC is malignant */

  /* stored, and reopened from the record exactly */
  expl = sal_store_list_explanations (store, SAL_OBJECT_CASE, c->id, &error);
  g_assert_cmpuint (expl->len, ==, 1);
  again = sal_clinic_result_from_record (expl->pdata[0], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_values, ==, r->n_values);
  for (guint i = 0; i < r->n_values; i++)
    {
      g_assert_cmpstr (again->names->pdata[i], ==, r->names->pdata[i]);
      g_assert_cmpfloat_with_epsilon (again->values[i], r->values[i], 1e-6);
    }
  g_assert_cmpfloat_with_epsilon (again->expected, r->expected, 1e-9);
  sal_clinic_result_free (r);
  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

static void
test_note_job (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *models = source_path ("models");
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = open_seeded (dir, NULL);
  g_autoptr(SalJobQueue) queue = sal_job_queue_new (1);
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, NULL);
  g_autoptr(GPtrArray) notes = NULL;
  SalClinicResult *r = NULL;
  gint64 model_id;
  SalJob *job;

  g_assert_true (sal_store_register_models_in_dir (store, models, NULL, &error));
  model_id = sal_clinic_find_model (store, SAL_CLINIC_MODEL_NOTE, &error);
  g_assert_cmpint (model_id, >, 0);
  notes = sal_store_list_notes (store, ((SalCase *) cases->pdata[0])->id, &error);
  job = sal_clinic_note_job_new (store, ((SalNote *) notes->pdata[0])->id, model_id,
                                 "integrated-gradients");
  sal_job_queue_submit_async (queue, job, NULL, on_done, &r);
  g_object_unref (job);
  while (r == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (r->n_values, >, 10);
  g_assert_cmpuint (r->token_starts->len, ==, r->n_values);
  g_assert_cmpuint (r->n_classes, ==, 3);
  g_assert_true (isfinite (r->gap));
  sal_clinic_result_free (r);
  g_clear_pointer (&store, sal_store_unref);
  sal_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/demo-clinic/seed", test_demo_seed);
  g_test_add_func ("/app/demo-clinic/bad-csv", test_demo_bad_csv);
  g_test_add_func ("/app/clinic/note-decoding", test_note_decoding);
  g_test_add_func ("/app/clinic/score-job", test_score_job);
  g_test_add_func ("/app/clinic/note-job", test_note_job);
  g_test_add_func ("/app/report/pdf", test_report_pdf);
  g_test_add_func ("/app/report/errors", test_report_errors);
  g_test_add_func ("/app/report/cli", test_report_cli);
  return g_test_run ();
}
