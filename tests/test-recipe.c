/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-recipe.h"
#include "sal-test-util.h"

static char *
recipe_path (const char *id)
{
  g_autofree char *name = g_strconcat (id, ".recipe", NULL);

  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models", "recipes", name,
                           NULL);
}

static const char *good =
  "[recipe]\nid=t\noutput=t.onnx\n[data]\nsource=wdbc\n[model]\narchitecture=mlp\nhidden=4\n"
  "[train]\nloss=cross-entropy\nepochs=3\n";

static void
expect_error (const char *from, const char *to, const char *fragment)
{
  g_autoptr(GString) text = g_string_new (good);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalRecipe) r = NULL;

  g_string_replace (text, from, to, 1);
  r = sal_recipe_new_from_data (text->str, "x.recipe", &error);
  g_assert_null (r);
  g_assert_nonnull (error);
  if (strstr (error->message, fragment) == NULL)
    g_error ("expected “%s” in: %s", fragment, error->message);
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalRecipe) r = sal_recipe_new_from_data (good, "x.recipe", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (r->id, ==, "t");
  g_assert_cmpint (r->train.epochs, ==, 3);
  g_assert_cmpint (r->train.batch_size, ==, 32);
  g_assert_cmpstr (r->evaluation, ==, "holdout");
  g_assert_true (r->standardise);

  expect_error ("epochs=3", "epochs=three", "[train] epochs: “three” is not a whole number");
  expect_error ("epochs=3", "epochs=0", "[train] epochs: 0 is out of range");
  expect_error ("epochs=3\n", "epochs=3\nepoch=4\n", "[train] epoch: unknown key");
  expect_error ("loss=cross-entropy", "loss=hinge", "unknown loss “hinge”");
  expect_error ("source=wdbc", "source=mnist", "unknown data source “mnist”");
  expect_error ("architecture=mlp", "architecture=transformer", "unknown architecture");
  expect_error ("output=t.onnx", "output=../t.onnx", "[recipe] output");
  expect_error ("[data]\nsource=wdbc\n", "", "[data]: this group is missing");
  expect_error ("epochs=3\n", "epochs=3\npatience=3\n", "needs a validation split");
  expect_error ("[model]", "[modle]", "[modle]: unknown group");
  expect_error ("id=t\n", "", "[recipe] id: this key is required");
  expect_error ("[recipe]", "recipe]", "x.recipe");
}

static void
test_auc (void)
{
  /* Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered. */
  const double s1[] = { 0.1, 0.4, 0.35, 0.8 };
  const int p1[] = { 0, 0, 1, 1 };
  /* A tie between a positive and a negative counts one half. */
  const double s2[] = { 0.5, 0.5, 0.9 };
  const int p2[] = { 1, 0, 1 };
  const double s3[] = { 0.9, 0.8, 0.1 };
  const int p3[] = { 0, 0, 1 };

  g_assert_cmpfloat_with_epsilon (sal_roc_auc (s1, p1, 4), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_roc_auc (s2, p2, 3), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (sal_roc_auc (s3, p3, 3), 0.0, 1e-12);
  g_assert_true (isnan (sal_roc_auc (s3, (const int[]) { 1, 1, 1 }, 3)));
}

static SalDataset *
load_wdbc (SalRecipe **recipe_out)
{
  g_autofree char *path = recipe_path ("breast-mass-risk");
  g_autoptr(GError) error = NULL;
  SalRecipe *r = sal_recipe_new_from_file (path, &error);
  SalDataset *d;

  g_assert_no_error (error);
  d = sal_recipe_load_data (r, &error);
  g_assert_no_error (error);
  *recipe_out = r;
  return d;
}

static void
test_wdbc (void)
{
  g_autoptr(SalRecipe) r = NULL;
  g_autoptr(SalDataset) d = load_wdbc (&r);
  g_autoptr(GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);
  SalFeature *f0, *f29;
  int malignant = 0;

  g_assert_cmpint (sal_dataset_n_rows (d), ==, 569);
  g_assert_cmpint (d->features->len, ==, 30);
  for (int i = 0; i < 569; i++)
    malignant += sal_tensor_i64 (d->y)[i] == 1;
  g_assert_cmpint (malignant, ==, 212);
  f0 = g_ptr_array_index (d->features, 0);
  f29 = g_ptr_array_index (d->features, 29);
  g_assert_cmpstr (f0->name, ==, "radius_mean");
  g_assert_cmpstr (f0->unit, ==, "px");
  g_assert_cmpstr (f0->group, ==, "radius");
  g_assert_cmpfloat_with_epsilon (f0->min, 6.981, 1e-4);
  g_assert_cmpfloat_with_epsilon (f0->max, 28.11, 1e-4);
  g_assert_cmpstr (f29->name, ==, "fractal_dimension_worst");
  for (guint i = 0; i < 30; i++)
    g_hash_table_add (groups, ((SalFeature *) g_ptr_array_index (d->features, i))->group);
  g_assert_cmpint (g_hash_table_size (groups), ==, 10);
}

/* Folding the standardisation into the first layer gives the same outputs on
 * raw inputs as the unfolded model on standardised ones; unfolding restores it. */
static void
test_fold (void)
{
  g_autoptr(SalRecipe) r = NULL;
  g_autoptr(SalDataset) d = load_wdbc (&r);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = sal_recipe_build_model (r, d, 5, &error);
  g_autoptr(SalTensor) xs = sal_tensor_new_f32 (2, (int64_t[]) { 8, 30 });
  g_autoptr(SalTensor) x = NULL, p0 = NULL, p1 = NULL, p2 = NULL;
  double mean[30], sd[30];

  g_assert_no_error (error);
  x = sal_tensor_gather_rows (d->x, (const int[]) { 0, 1, 2, 3, 100, 200, 300, 400 }, 8, &error);
  for (int j = 0; j < 30; j++)
    {
      mean[j] = sal_tensor_f32 (d->x)[j] * 0.9;
      sd[j] = 0.5 + j * 0.1;
    }
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 30; j++)
      sal_tensor_f32 (xs)[i * 30 + j] = (float) ((sal_tensor_f32 (x)[i * 30 + j] - mean[j]) / sd[j]);
  p0 = sal_model_predict (m, xs, 8, 1, &error);
  g_assert_no_error (error);
  g_assert_true (sal_model_fold_standardisation (m, "fc1", mean, sd, 30, FALSE, &error));
  p1 = sal_model_predict (m, x, 8, 1, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (p1)[i], sal_tensor_f32 (p0)[i],
                                    1e-3 * (1 + fabsf (sal_tensor_f32 (p0)[i])));
  g_assert_true (sal_model_fold_standardisation (m, "fc1", mean, sd, 30, TRUE, &error));
  p2 = sal_model_predict (m, xs, 8, 1, &error);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (p2)[i], sal_tensor_f32 (p0)[i],
                                    1e-3 * (1 + fabsf (sal_tensor_f32 (p0)[i])));
  g_assert_false (sal_model_fold_standardisation (m, "fc1", mean, sd, 29, FALSE, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

/* A short training from the shipped recipe learns: a model trained for a few
 * epochs on 4/5 of the rows classifies the other fifth far better than chance,
 * and carries Salient's metadata. */
static void
test_short_train (void)
{
  g_autoptr(SalRecipe) r = NULL;
  g_autoptr(SalDataset) d = load_wdbc (&r);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) untrained = NULL, m = NULL, final = NULL, reloaded = NULL;
  g_autoptr(GHashTable) before = sal_metrics_new (), after = sal_metrics_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *card = NULL;
  SalRecipeRunOptions opts = { .max_epochs = 15 };
  int tr[455], te[114], ntr = 0, nte = 0;
  JsonObject *prov;

  for (int i = 0; i < 569; i++)
    {
      if (i % 5 == 0 && nte < 114)
        te[nte++] = i;
      else
        tr[ntr++] = i;
    }
  untrained = sal_recipe_build_model (r, d, r->train.seed, &error);
  g_assert_no_error (error);
  g_assert_true (sal_recipe_score (d, untrained, te, nte, "", before, &error));
  m = sal_recipe_fit (r, d, tr, ntr, &opts, r->train.seed, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sal_recipe_score (d, m, te, nte, "", after, &error));
  g_test_message ("accuracy %.3f → %.3f, AUC %.3f", sal_metrics_get (before, "accuracy"),
                  sal_metrics_get (after, "accuracy"), sal_metrics_get (after, "roc_auc"));
  g_assert_cmpfloat (sal_metrics_get (after, "accuracy"), >=, 0.93);
  g_assert_cmpfloat (sal_metrics_get (after, "roc_auc"), >=, 0.97);
  g_assert_cmpfloat (sal_metrics_get (after, "accuracy"), >, sal_metrics_get (before, "accuracy"));

  /* The final model's metadata, through an ONNX round trip. */
  sal_metrics_set (after, "cv_accuracy_mean", 0.5);
  sal_metrics_set (after, "cv_accuracy_sd", 0.1);
  sal_metrics_set (after, "cv_roc_auc_mean", 0.5);
  sal_metrics_set (after, "cv_roc_auc_sd", 0.1);
  sal_metrics_set (after, "cv_macro_f1_mean", 0.5);
  final = sal_recipe_train_final (r, d, after, &opts, &card, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (card, "not for diagnosis"));
  g_assert_nonnull (strstr (card, "accuracy 0.5000 (SD 0.1000)"));
  bytes = sal_model_save_bytes (final, &error);
  g_assert_no_error (error);
  reloaded = sal_model_load_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL,
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_model_opset (reloaded), >=, 13);
  g_assert_cmpstr (sal_model_get_metadata (reloaded, "salient.task"), ==, "\"classification\"");
  g_assert_cmpstr (sal_model_get_metadata (reloaded, "salient.input_kind"), ==, "\"measurements\"");
  g_assert_cmpstr (sal_model_get_metadata (reloaded, "salient.labels"), ==, "[\"benign\",\"malignant\"]");
  g_assert_nonnull (strstr (sal_model_get_metadata (reloaded, "salient.features"),
                            "{\"name\":\"concave_points_worst\",\"unit\":\"1\""));
  g_assert_true (json_parser_load_from_data (parser, sal_model_get_metadata (reloaded, "salient.provenance"),
                                             -1, &error));
  prov = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (prov, "recipe_id"), ==, "breast-mass-risk");
  g_assert_cmpint (json_object_get_int_member (prov, "seed"), ==, r->train.seed);
  g_assert_cmpstr (json_object_get_string_member (prov, "engine_version"), ==, sal_engine_version ());
  g_assert_nonnull (strstr (json_object_get_string_member (prov, "recipe"), "[train]"));
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (prov, "metrics"),
                                                    "cv_accuracy_mean"), ==, 0.5);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (
                     json_object_get_object_member (prov, "standardisation"), "sd")), ==, 30);
}

/* The shipped files record the metrics the issue asks for. */
static void
test_shipped (void)
{
  const char *ids[] = { "breast-mass-risk", "readiness" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *name = g_strconcat (ids[i], ".onnx", NULL);
      g_autofree char *path = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                                name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SalModel) m = sal_model_load_file (path, NULL, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *metrics;

      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, sal_model_get_metadata (m, "salient.provenance"),
                                                 -1, &error));
      metrics = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                               "metrics");
      if (i == 0)
        {
          g_assert_cmpfloat (json_object_get_double_member (metrics, "cv_accuracy_mean"), >=, 0.96);
          g_assert_cmpfloat (json_object_get_double_member (metrics, "cv_roc_auc_mean"), >=, 0.99);
          g_assert_cmpint (json_object_get_int_member (metrics, "cv_folds"), ==, 5);
          g_assert_cmpint (json_object_get_int_member (metrics, "cv_repeats"), ==, 5);
        }
      else
        g_assert_cmpfloat (json_object_get_double_member (metrics, "test_mae_ratio"), <=, 0.6);
      g_assert_nonnull (strstr (sal_model_get_metadata (m, "salient.card"), "demonstration model"));
    }
}

static void
test_cli (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *out_path = g_build_filename (dir, "r.onnx", NULL);
  g_autofree char *card_path = g_build_filename (dir, "r.md", NULL);
  g_autofree char *recipe = recipe_path ("readiness");
  g_autofree char *bad = g_build_filename (dir, "bad.recipe", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = NULL;
  int status;

  status = sal_test_run_cli (&out, &err, "train", recipe, "--epochs", "2", "--output", out_path,
                             NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "final model: epoch 2/2"));
  g_assert_nonnull (strstr (out, "test_mae_ratio"));
  m = sal_model_load_file (out_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.task"), ==, "\"regression\"");
  g_assert_true (g_file_test (card_path, G_FILE_TEST_EXISTS));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (bad, "[recipe]\nid=x\n", -1, NULL));
  status = sal_test_run_cli (&out, &err, "train", bad, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "[data]: this group is missing"));
  sal_test_rm_rf (dir);
}

/* Uninstalled, the shipped models are found in the source tree. */
static void
test_data_dir (void)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "models", NULL);
  g_autofree char *models = sal_shipped_models_dir ();
  g_autofree char *onnx = g_build_filename (models, "breast-mass-risk.onnx", NULL);

  if (g_getenv ("SALIENT_DATA_DIR") == NULL && !g_file_test (installed, G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (sal_data_dir (), ==, SOURCE_DATADIR);
  g_assert_true (g_file_test (onnx, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/app/recipe/parse", test_parse);
  g_test_add_func ("/app/recipe/auc", test_auc);
  g_test_add_func ("/app/recipe/wdbc", test_wdbc);
  g_test_add_func ("/app/recipe/fold", test_fold);
  g_test_add_func ("/app/recipe/short-train", test_short_train);
  g_test_add_func ("/app/recipe/shipped", test_shipped);
  g_test_add_func ("/app/recipe/cli", test_cli);
  g_test_add_func ("/app/recipe/data-dir", test_data_dir);
  return g_test_run ();
}
