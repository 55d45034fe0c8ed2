/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SalAnalysis: the model cache and the "run" and "explain" jobs, with a small
 * CNN built here and registered in a temporary store. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-analysis.h"   /* first: see the note there */
#include "sal-audit.h"
#include "sal-graph-builder.h"
#include "sal-job-queue.h"
#include "sal-test-util.h"

#define SIDE 16

typedef struct {
  char        *dir;
  char        *model_path;
  SalStore    *store;
  SalAnalysis *analysis;
  SalJobQueue *queue;
  gint64       model_id;
  gint64       image_id;
} Fixture;

/* x[1,1,16,16] → Conv 3×3 (2 maps: brightness and darkness) → Relu →
 * GlobalAveragePool → Flatten → scores [1,2] ("absent", "present" flipped so
 * that a bright image scores "present"). */
static SalModel *
build_cnn (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalTensor) w = sal_tensor_new_f32 (4, (int64_t[]) { 2, 1, 3, 3 });
  g_autoptr(SalTensor) bias = sal_tensor_new_f32 (1, (int64_t[]) { 2 });
  g_autoptr(GError) error = NULL;
  SalNode *conv;
  SalModel *m;

  for (int i = 0; i < 9; i++)
    {
      sal_tensor_f32 (w)[i] = -1.0f / 9;      /* map 0: "absent" = darkness */
      sal_tensor_f32 (w)[9 + i] = 1.0f / 9;   /* map 1: "present" = brightness */
    }
  sal_tensor_f32 (bias)[0] = 0.5f;
  sal_tensor_f32 (bias)[1] = 0.0f;
  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 4, (int64_t[]) { 1, 1, SIDE, SIDE });
  sal_graph_builder_add_initializer (b, "w", w);
  sal_graph_builder_add_initializer (b, "b", bias);
  conv = sal_graph_builder_add_node (b, "Conv", "conv", 3, (const char *[]) { "x", "w", "b" },
                                     1, (const char *[]) { "c" });
  sal_node_set_ints (conv, "pads", 4, (int64_t[]) { 1, 1, 1, 1 });
  sal_graph_builder_add_node (b, "Relu", "relu", 1, (const char *[]) { "c" }, 1, (const char *[]) { "r" });
  sal_graph_builder_add_node (b, "GlobalAveragePool", "gap", 1, (const char *[]) { "r" },
                              1, (const char *[]) { "g" });
  sal_graph_builder_add_node (b, "Flatten", "flat", 1, (const char *[]) { "g" }, 1, (const char *[]) { "y" });
  sal_graph_builder_add_output (b, "y");
  sal_graph_builder_set_value_type (b, "y", SAL_DTYPE_FLOAT, 2, (int64_t[]) { 1, 2 });
  sal_graph_builder_set_metadata (b, "salient.task", "\"classification\"");
  sal_graph_builder_set_metadata (b, "salient.input_kind", "\"image\"");
  sal_graph_builder_set_metadata (b, "salient.labels", "[\"absent\", \"present\"]");
  sal_graph_builder_set_metadata (b, "salient.preprocess",
                                  "{\"channels\": 1, \"size\": [16, 16], \"resize\": \"bilinear\", "
                                  "\"scaling\": \"fixed\", \"mean\": [0], \"std\": [1]}");
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return m;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(SalModel) m = build_cnn ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SalImage) img = sal_image_new (SIDE, SIDE, 1, 8);
  g_autofree char *db = NULL;
  g_autofree char *sha = NULL;
  gint64 case_id;

  f->dir = sal_test_tmpdir ();
  f->model_path = g_build_filename (f->dir, "tiny-cnn.onnx", NULL);
  g_assert_true (sal_model_save_file (m, f->model_path, &error));
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "test.db", NULL);
  f->store = sal_store_open (db, &error);
  g_assert_no_error (error);
  sha = sal_file_sha256 (f->model_path, &error);
  g_assert_no_error (error);
  /* Registered without metadata, as shipped models are. */
  f->model_id = sal_store_put_model (f->store, "tiny-cnn", f->model_path, sha, TRUE, "{}", &error);
  g_assert_no_error (error);
  case_id = sal_store_add_case (f->store, NULL, "test", FALSE, &error);
  g_assert_no_error (error);
  /* A bright 6 × 6 square on black. */
  for (int y = 5; y < 11; y++)
    for (int x = 3; x < 9; x++)
      img->pixels[y * SIDE + x] = 255;
  f->image_id = sal_store_add_image (f->store, case_id, "square.png", img, &error);
  g_assert_no_error (error);
  f->analysis = sal_analysis_new (f->store);
  f->queue = sal_job_queue_new (1);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_assert_finalize_object (f->queue);
  g_assert_finalize_object (f->analysis);
  sal_store_unref (f->store);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->model_path);
}

typedef struct {
  gboolean done;
  gpointer result;
  GError  *error;
} AsyncResult;

static void
on_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncResult *ar = data;

  ar->result = sal_job_queue_submit_finish (SAL_JOB_QUEUE (source), res, &ar->error);
  ar->done = TRUE;
}

static gpointer
run_job (Fixture *f, SalJob *job, GError **error)
{
  AsyncResult ar = { 0 };

  sal_job_queue_submit_async (f->queue, job, NULL, on_done, &ar);
  while (!ar.done)
    g_main_context_iteration (NULL, TRUE);
  if (ar.error != NULL)
    g_propagate_error (error, ar.error);
  return ar.result;
}

static void
test_cache (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) a = sal_analysis_get_model (f->analysis, f->model_id, &error);
  g_autoptr(SalModel) b = sal_analysis_get_model (f->analysis, f->model_id, &error);
  g_autoptr(GPtrArray) image_models = NULL;

  g_assert_no_error (error);
  g_assert_true (a == b);
  image_models = sal_analysis_list_image_models (f->analysis, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image_models->len, ==, 1);
  g_assert_cmpstr (((SalModelRecord *) image_models->pdata[0])->name, ==, "tiny-cnn");

  /* A model id that does not exist is an error, not a crash. */
  g_assert_null (sal_analysis_get_model (f->analysis, 9999, &error));
  g_assert_nonnull (error);
}

static void
test_changed_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAnalysis) fresh = sal_analysis_new (f->store);

  /* The file no longer matches the recorded hash: refused, with the reason. */
  g_assert_true (g_file_set_contents (f->model_path, "not a model", -1, &error));
  g_assert_null (sal_analysis_get_model (fresh, f->model_id, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "changed"));
}

static void
test_run (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalJob) job = sal_analysis_run_job_new (f->analysis, f->model_id, f->image_id);
  g_autoptr(SalPrediction) p = run_job (f, job, &error);
  g_autoptr(GPtrArray) audit = NULL;
  double present, absent, sum_relu0 = 0, sum_relu1 = 0;
  gboolean audited = FALSE;

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_cmpuint (p->n_classes, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (p->labels, 0), ==, "absent");
  g_assert_cmpstr (g_ptr_array_index (p->labels, 1), ==, "present");

  /* Closed form: brightness is 1 inside the square, 0 outside; each output
   * pixel averages its 3 × 3 zero-padded neighbourhood. */
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      {
        double m = 0;
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int yy = y + dy, xx = x + dx;
              if (yy >= 5 && yy < 11 && xx >= 3 && xx < 9)
                m += 1.0 / 9;
            }
        sum_relu0 += MAX (0.0, 0.5 - m);
        sum_relu1 += MAX (0.0, m);
      }
  absent = sum_relu0 / (SIDE * SIDE);
  present = sum_relu1 / (SIDE * SIDE);
  g_assert_cmpfloat_with_epsilon (p->probabilities[1],
                                  1.0 / (1.0 + exp (absent - present)), 1e-5);
  g_assert_cmpfloat_with_epsilon (p->probabilities[0] + p->probabilities[1], 1.0, 1e-9);
  g_assert_cmpuint (p->predicted, ==, p->probabilities[1] > p->probabilities[0] ? 1 : 0);

  audit = sal_audit_list (f->store, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    audited |= g_strcmp0 (((SalAuditEntry *) audit->pdata[i])->what, "run-model") == 0;
  g_assert_true (audited);
}

static void
test_explain (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalJob) job = NULL;
  g_autoptr(SalAttributionResult) r = NULL;
  g_autoptr(SalExplanationRecord) rec = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  SalExplainSpec spec;
  double sum = 0, inside = 0;

  sal_explain_spec_init (&spec, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
  spec.target = 1;
  spec.steps = 32;
  spec.seed = 7;
  job = sal_analysis_explain_job_new (f->analysis, f->model_id, f->image_id, &spec);
  r = run_job (f, job, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpint (r->width, ==, SIDE);
  g_assert_cmpint (r->height, ==, SIDE);
  g_assert_cmpstr (r->method, ==, "integrated-gradients");
  g_assert_cmpstr (r->target, ==, "present");
  g_assert_cmpstr (r->baseline, ==, "black");
  g_assert_false (isnan (r->completeness_gap));
  /* The Relu kinks make a 32-step path sum inexact, but only slightly. */
  g_test_message ("score %g, completeness gap %g", r->score, r->completeness_gap);
  g_assert_cmpfloat (r->completeness_gap, <, 0.05 * fabs (r->score));
  /* On a black baseline only the bright square carries attribution. */
  for (int i = 0; i < SIDE * SIDE; i++)
    {
      int x = i % SIDE, y = i / SIDE;
      sum += fabs (r->attribution[i]);
      if (y >= 5 && y < 11 && x >= 3 && x < 9)
        inside += fabs (r->attribution[i]);
    }
  g_assert_cmpfloat (sum, >, 0);
  g_assert_cmpfloat_with_epsilon (inside / sum, 1.0, 1e-6);

  /* Stored with its provenance. */
  rec = sal_store_get_explanation (f->store, r->record_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rec->method, ==, "integrated-gradients");
  g_assert_cmpstr (rec->model_sha256, ==, r->model_sha256);
  g_assert_cmpstr (rec->target, ==, "present");
  g_assert_cmpstr (rec->baseline, ==, "black");
  g_assert_cmpint (rec->seed, ==, 7);
  g_assert_cmpstr (rec->shape_json, ==, "[16,16]");
  g_assert_nonnull (strstr (rec->params_json, "\"steps\":32"));
  g_assert_nonnull (strstr (rec->checks_json, "completeness_gap"));
  /* Deletion removes the evidence first, so the score falls faster than
   * insertion brings it back. */
  g_test_message ("deletion AUC %g, insertion AUC %g, sanity rho %g", r->deletion_auc,
                  r->insertion_auc, r->sanity_rho);
  g_assert_false (isnan (r->deletion_auc));
  g_assert_cmpfloat (r->deletion_auc, <, r->insertion_auc);
  g_assert_nonnull (strstr (rec->checks_json, "deletion_auc"));
  g_assert_cmpuint (g_bytes_get_size (rec->attribution), ==, SIDE * SIDE * sizeof (float));
  g_assert_cmpmem (g_bytes_get_data (rec->attribution, NULL), SIDE * SIDE * sizeof (float),
                   r->attribution, SIDE * SIDE * sizeof (float));
  stored = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE, f->image_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 1);
}

static void
on_progress (SalJob *job, GParamSpec *pspec, gpointer data)
{
  if (sal_job_get_progress (job) > 0.05)
    sal_job_cancel (job);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalJob) job = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  SalExplainSpec spec;
  gpointer r;

  /* Many SmoothGrad samples: long enough to be cancelled midway. */
  sal_explain_spec_init (&spec, SAL_EXPLAIN_SMOOTHGRAD);
  spec.samples = 200000;
  job = sal_analysis_explain_job_new (f->analysis, f->model_id, f->image_id, &spec);
  g_signal_connect (job, "notify::progress", G_CALLBACK (on_progress), NULL);
  r = run_job (f, job, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (sal_job_get_state (job), ==, SAL_JOB_STATE_CANCELLED);
  g_clear_error (&error);
  stored = sal_store_list_explanations (f->store, SAL_OBJECT_IMAGE, f->image_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/app/analysis/cache", Fixture, NULL, fixture_setup, test_cache, fixture_teardown);
  g_test_add ("/app/analysis/changed-file", Fixture, NULL, fixture_setup, test_changed_file,
              fixture_teardown);
  g_test_add ("/app/analysis/run", Fixture, NULL, fixture_setup, test_run, fixture_teardown);
  g_test_add ("/app/analysis/explain", Fixture, NULL, fixture_setup, test_explain, fixture_teardown);
  g_test_add ("/app/analysis/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  return g_test_run ();
}
