/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Models page's self-check (attached ONNX test data, batch 1 vs batch N, reload),
 * its latency benchmark, and what the user stores for a model at import. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sal-datasets.h"
#include "sal-model-check.h"
#include "sal-model-input.h"
#include "sal-store.h"
#include "sal-test-util.h"

static char *
shipped (const char *name)
{
  g_autofree char *dir = sal_shipped_models_dir ();
  g_autofree char *file = g_strconcat (name, ".onnx", NULL);
  return g_build_filename (dir, file, NULL);
}

static void
progress_cb (double fraction, const char *status, gpointer user_data)
{
  double *last = user_data;
  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_nonnull (status);
  *last = fraction;
}

/* Every shipped model, lesion-finder included: its BatchNormalization nodes (opset 13)
 * once listed running-mean/variance outputs nobody reads, which ONNX takes as training
 * mode (batch statistics: a sample's logits changed with its batch, by ~0.3). The engine
 * now drops unread ones at load and never writes them (engine/sal-fuse.h). */
static void
test_shipped (void)
{
  const char *names[] = { "breast-mass-risk", "note-triage", "readiness", "lesion-finder" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = shipped (names[i]);
      g_autoptr(GError) error = NULL;
      SalModelCheck check;
      double last = 0;

      g_assert_true (sal_model_check_run (path, NULL, progress_cb, &last, NULL, &check, &error));
      g_assert_no_error (error);
      g_test_message ("%s: batch %g reload %g", names[i], check.batch_max_diff, check.reload_max_diff);
      g_assert_cmpfloat (last, ==, 1.0);
      g_assert_true (check.passed);
      g_assert_null (check.test_data_dir);
      g_assert_cmpint (check.batch_n, ==, SAL_MODEL_CHECK_BATCH);
      g_assert_null (check.batch_skipped);
      /* Per-sample and batched kernels sum in another order: close, not always equal. */
      g_assert_cmpfloat (check.batch_max_diff, <, 1e-4);
      /* The same file, the same thread count: the same bits. */
      g_assert_cmpfloat (check.reload_max_diff, ==, 0.0);
      sal_model_check_clear (&check);
    }
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (from, &data, &len, &error));
  g_assert_true (g_file_set_contents (to, data, len, &error));
  g_assert_no_error (error);
}

/* Test data in a folder named like the model file: the fixture's PyTorch outputs match;
 * its batch is fixed to 2, so the batch comparison is skipped and says why. */
static void
test_attached_data (void)
{
  g_autofree char *tmp = sal_test_tmpdir ();
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "arch",
                                                    "gru_classifier_opset17", NULL);
  g_autofree char *model = g_build_filename (tmp, "triage-gru.onnx", NULL);
  g_autofree char *set = g_build_filename (tmp, "triage-gru", "test_data_set_0", NULL);
  const char *files[] = { "input_0.pb", "output_0.pb" };
  g_autoptr(GError) error = NULL;
  SalModelCheck check;

  {
    g_autofree char *src = g_build_filename (fixture, "model.onnx", NULL);
    copy_file (src, model);
  }
  g_assert_cmpint (g_mkdir_with_parents (set, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *src = g_build_filename (fixture, "test_data_set_0", files[i], NULL);
      g_autofree char *dst = g_build_filename (set, files[i], NULL);
      copy_file (src, dst);
    }
  g_assert_true (sal_model_check_run (model, NULL, NULL, NULL, NULL, &check, &error));
  g_assert_no_error (error);
  g_assert_nonnull (check.test_data_dir);
  g_assert_cmpuint (check.n_test_sets, ==, 1);
  g_assert_cmpuint (check.n_test_outputs, ==, 1);
  g_assert_cmpuint (check.n_test_mismatched, ==, 0);
  g_assert_cmpfloat (check.test_max_error, <, 1e-4);
  g_assert_cmpint (check.batch_n, ==, 0);
  g_assert_nonnull (check.batch_skipped);
  g_assert_true (strstr (check.batch_skipped, "fixed batch of 2") != NULL);
  g_assert_cmpfloat (check.reload_max_diff, ==, 0.0);
  g_assert_true (check.passed);
  sal_model_check_clear (&check);

  /* Expected outputs of another model's inputs: the verdict is a failure. */
  {
    g_autofree char *other = g_test_build_filename (G_TEST_DIST, "fixtures", "arch",
                                                    "transformer_classifier_opset17",
                                                    "test_data_set_0", "input_0.pb", NULL);
    g_autofree char *dst = g_build_filename (set, "input_0.pb", NULL);
    copy_file (other, dst);
  }
  g_assert_true (sal_model_check_run (model, NULL, NULL, NULL, NULL, &check, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (check.n_test_mismatched, ==, 1);
  g_assert_cmpfloat (check.test_max_error, >, 1e-3);
  g_assert_false (check.passed);
  sal_model_check_clear (&check);

  /* Test data that is not a tensor: a clear error, not a verdict. */
  {
    g_autofree char *dst = g_build_filename (set, "input_0.pb", NULL);
    g_assert_true (g_file_set_contents (dst, "\xff\xff\xff", 3, NULL));
  }
  g_assert_false (sal_model_check_run (model, NULL, NULL, NULL, NULL, &check, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, !=, "");
  sal_model_check_clear (&check);
  sal_test_rm_rf (tmp);
}

static void
test_cancelled (void)
{
  g_autofree char *path = shipped ("lesion-finder");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SalModelCheck check;
  SalModelBench bench;

  g_cancellable_cancel (cancellable);
  g_assert_false (sal_model_check_run (path, NULL, NULL, NULL, cancellable, &check, &error));
  g_assert_nonnull (error);
  sal_model_check_clear (&check);
  g_clear_error (&error);
  g_assert_false (sal_model_bench (path, 64, 10, cancellable, &bench, &error));
  g_assert_nonnull (error);
}

static void
test_bench (void)
{
  g_autofree char *path = shipped ("breast-mass-risk");
  g_autofree char *fixed = g_test_build_filename (G_TEST_DIST, "fixtures", "arch",
                                                  "gru_classifier_opset17", "model.onnx", NULL);
  g_autoptr(GError) error = NULL;
  SalModelBench b1, b64;

  g_assert_true (sal_model_bench (path, 1, 30, NULL, &b1, &error));
  g_assert_no_error (error);
  g_assert_true (sal_model_bench (path, 64, 30, NULL, &b64, &error));
  g_assert_no_error (error);
  g_assert_cmpint (b1.batch, ==, 1);
  g_assert_cmpint (b64.batch, ==, 64);
  g_assert_cmpfloat (b1.median_ms, >, 0);
  g_assert_cmpfloat (b1.p10_ms, <=, b1.median_ms);
  g_assert_cmpfloat (b1.median_ms, <=, b1.p90_ms);
  /* 64 samples take longer than one (a ratio in one run, not a time). */
  g_assert_cmpfloat (b64.median_ms, >, b1.median_ms);

  g_assert_false (sal_model_bench (fixed, 64, 5, NULL, &b64, &error));
  g_assert_nonnull (error);
  g_assert_true (strstr (error->message, "fixed batch of 2") != NULL);
}

static void
test_stored_metadata (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "onnx-models",
                                                 "external-weights.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = sal_model_load_with_metadata (path, "{}", &error);
  g_autoptr(SalModel) set = NULL;
  g_autoptr(GPtrArray) labels = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sal_model_input_kind (model), ==, SAL_INPUT_KIND_UNKNOWN);
  set = sal_model_load_with_metadata (path, "{\"salient.input_kind\": \"measurements\", "
                                            "\"salient.labels\": [\"low\", \"high\"]}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_model_input_kind (set), ==, SAL_INPUT_KIND_MEASUREMENTS);
  labels = sal_model_labels (set);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (labels, 1), ==, "high");

  /* Refused before anything changes. */
  g_assert_false (sal_model_apply_stored_metadata (model, "{\"salient.labels\": [\"a\"], "
                                                          "\"salient.input_kind\": \"x-ray\"}",
                                                   &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) none = sal_model_labels (model);
    g_assert_cmpuint (none->len, ==, 0);
  }
  g_assert_false (sal_model_apply_stored_metadata (model, "{\"salient.labels\": [1, 2]}", &error));
  g_clear_error (&error);
  g_assert_false (sal_model_apply_stored_metadata (model, "{\"salient.preprocess\": "
                                                          "{\"channels\": 7}}", &error));
  g_clear_error (&error);
  g_assert_false (sal_model_apply_stored_metadata (model, "[not json", &error));
  g_clear_error (&error);
  g_assert_cmpint (sal_model_input_kind (model), ==, SAL_INPUT_KIND_UNKNOWN);
}

static void
test_results_count (void)
{
  g_autoptr(GError) error = NULL;
  SalStore *store = sal_store_open (":memory:", &error);
  g_autofree char *sha = g_strnfill (64, 'a');
  g_autofree char *other = g_strnfill (64, 'b');
  float value = 1.0f;
  SalExplanationRecord e = { 0 };
  gint64 id;

  g_assert_no_error (error);
  id = sal_store_put_model (store, "m", "/nowhere/m.onnx", sha, FALSE, "{}", &error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (sal_store_count_model_results (store, sha, &error), ==, 0);
  e.object_kind = SAL_OBJECT_CASE;
  e.object_id = 1;
  e.model_sha256 = sha;
  e.method = (char *) "gradient";
  e.target = (char *) "0";
  e.shape_json = (char *) "[1]";
  e.attribution = g_bytes_new (&value, sizeof value);
  g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
  g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
  e.model_sha256 = other;
  g_assert_cmpint (sal_store_add_explanation (store, &e, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (sal_store_count_model_results (store, sha, &error), ==, 2);
  g_bytes_unref (e.attribution);

  g_assert_true (sal_store_set_model_metadata (store, id, "{\"salient.input_kind\": \"image\"}",
                                               &error));
  {
    g_autoptr(SalModelRecord) m = sal_store_get_model (store, id, &error);
    g_assert_true (strstr (m->metadata_json, "image") != NULL);
  }
  g_assert_false (sal_store_set_model_metadata (store, id + 100, "{}", &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  sal_store_unref (store);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/model-check/shipped", test_shipped);
  g_test_add_func ("/app/model-check/attached-data", test_attached_data);
  g_test_add_func ("/app/model-check/cancelled", test_cancelled);
  g_test_add_func ("/app/model-check/bench", test_bench);
  g_test_add_func ("/app/model-check/stored-metadata", test_stored_metadata);
  g_test_add_func ("/app/model-check/results-count", test_results_count);
  return g_test_run ();
}
