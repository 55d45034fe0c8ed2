/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lesion finder and note triage models: architectures, data sources and
 * short training runs from small recipes (the full ones are in the slow suite). */

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-arch.h"
#include "sal-engine.h"
#include "sal-grad.h"
#include "sal-graph-builder.h"
#include "sal-image.h"
#include "sal-it-models.h"
#include "sal-phantom.h"
#include "sal-preprocess.h"
#include "sal-test-util.h"
#include "sal-tokenizer.h"

static char *
write_recipe (const char *dir, const char *body)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "r.recipe", NULL);
  g_autofree char *card = g_build_filename (dir, "card.md", NULL);

  g_file_set_contents (path, body, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (card, "# Card\n@METRICS@\nseed @SEED@\n", -1, &error);
  g_assert_no_error (error);
  return path;
}

static double
metric (GHashTable *m, const char *name)
{
  double *v = g_hash_table_lookup (m, name);

  g_assert_nonnull (v);
  return *v;
}

typedef struct { double first, last; int n; } Losses;

static void
record_loss (const SalTrainProgress *p, gpointer user_data)
{
  Losses *l = user_data;

  if (l->n++ == 0)
    l->first = p->train_loss;
  l->last = p->train_loss;
}

static void
test_cnn_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (4, (int64_t[]) { 2, 1, 128, 128 });
  SalCnnSpec spec = { .channels = 1, .height = 128, .width = 128, .n_conv = 3,
                      .filters = { 4, 8, 8 }, .kernel = { 5, 3, 3 }, .stride = { 2, 1, 1 },
                      .batch_norm = TRUE, .global_max = TRUE, .n_classes = 2 };
  SalRun *run;
  const SalTensor *feat, *out;

  g_assert_true (sal_arch_build_cnn (b, &spec, rng, &error));
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  for (int64_t i = 0; i < x->numel; i++)
    sal_tensor_f32 (x)[i] = (float) ((i * 7919) % 101) / 101.0f;
  run = sal_run_new (m);
  g_assert_true (sal_run_keep_value (run, SAL_ARCH_CNN_FEATURES, &error));
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  /* 128 → stride 2 → 64 → pool → 32 → pool → 16: this CNN's Grad-CAM map is 16 × 16. */
  feat = sal_run_get_value (run, SAL_ARCH_CNN_FEATURES);
  g_assert_nonnull (feat);
  g_assert_cmpint (feat->rank, ==, 4);
  g_assert_cmpint (feat->dims[1], ==, 8);
  g_assert_cmpint (feat->dims[2], ==, 16);
  g_assert_cmpint (feat->dims[3], ==, 16);
  out = sal_run_get_output (run, 0);
  g_assert_cmpint (out->dims[0], ==, 2);
  g_assert_cmpint (out->dims[1], ==, 2);
  /* Global max pool of ReLU features: the logits are the dense layer of the
   * per-channel maxima. */
  {
    const float *f = sal_tensor_f32 (feat);
    float mx = 0;
    for (int64_t i = 0; i < 256; i++)
      mx = MAX (mx, f[i]);
    g_assert_cmpfloat (mx, >=, 0);
  }
  sal_run_free (run);
}

/* The smooth variant: Softplus, per-stage pooling and the log-sum-exp global
 * pool. Checks the shapes, that "gpool" is log Σ exp of each channel's map
 * (computed here in double), and the input gradient against central
 * differences — the pool's hidden maximum must not leak a wrong gradient. */
static void
test_cnn_smooth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (11);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (4, (int64_t[]) { 1, 1, 16, 16 });
  g_autoptr(SalTensor) seed = sal_tensor_new_f32 (2, (int64_t[]) { 1, 2 });
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  SalCnnSpec spec = { 0 };
  SalRun *run;
  SalGrad *grad;
  const SalTensor *feat, *pooled;
  g_autofree float *gx = NULL;
  const float h = 1e-2f;
  double worst = 0;

  g_assert_true (g_key_file_load_from_data (kf,
                                            "[model]\nfilters=4;6;5\nbatch_norm=false\n"
                                            "activation=softplus\nstage_pools=max;average\n"
                                            "pool=logsumexp\n", -1, 0, &error));
  g_assert_true (sal_cnn_spec_from_keyfile (&spec, kf, "model", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (spec.activation, ==, "Softplus");
  g_assert_cmpint (spec.stage_pool[0], ==, SAL_CNN_POOL_MAX);
  g_assert_cmpint (spec.stage_pool[1], ==, SAL_CNN_POOL_AVERAGE);
  g_assert_cmpint (spec.stage_pool[2], ==, SAL_CNN_POOL_DEFAULT);
  g_assert_true (spec.global_logsumexp);
  spec.channels = 1;
  spec.height = spec.width = 16;
  spec.n_classes = 2;
  g_assert_true (sal_arch_build_cnn (b, &spec, rng, &error));
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  for (int64_t i = 0; i < x->numel; i++)
    sal_tensor_f32 (x)[i] = (float) ((i * 7919) % 101) / 50.0f - 1.0f;

  run = sal_run_new (m);
  g_assert_true (sal_run_keep_value (run, SAL_ARCH_CNN_FEATURES, &error));
  g_assert_true (sal_run_keep_value (run, "gpool", &error));
  grad = sal_grad_new (run);
  sal_grad_want_inputs (grad);
  g_assert_true (sal_run_set_input (run, 0, x, &error) && sal_run_execute (run, &error));
  g_assert_no_error (error);
  /* 16 → max pool → 8 → average pool → 4, the last stage unpooled. */
  feat = sal_run_get_value (run, SAL_ARCH_CNN_FEATURES);
  g_assert_cmpint (feat->dims[1], ==, 5);
  g_assert_cmpint (feat->dims[2], ==, 4);
  g_assert_cmpint (feat->dims[3], ==, 4);
  pooled = sal_run_get_value (run, "gpool");
  for (int c = 0; c < 5; c++)
    {
      double sum = 0;
      for (int i = 0; i < 16; i++)
        sum += exp (sal_tensor_f32 (feat)[c * 16 + i]);
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (pooled)[c], log (sum), 1e-5 * (1 + log (sum)));
    }

  /* d logit[1] / d x against central differences. */
  sal_tensor_f32 (seed)[1] = 1.0f;
  sal_grad_backward (grad, 0, seed, &error);
  g_assert_no_error (error);
  gx = g_memdup2 (sal_grad_get (grad, "image")->data, sizeof (float) * x->numel);
  sal_grad_free (grad);
  for (int64_t i = 0; i < x->numel; i += 7)
    {
      float keep = sal_tensor_f32 (x)[i];
      double up, down;

      sal_tensor_f32 (x)[i] = keep + h;
      g_assert_true (sal_run_set_input (run, 0, x, &error) && sal_run_execute (run, &error));
      up = sal_tensor_f32 (sal_run_get_output (run, 0))[1];
      sal_tensor_f32 (x)[i] = keep - h;
      g_assert_true (sal_run_set_input (run, 0, x, &error) && sal_run_execute (run, &error));
      down = sal_tensor_f32 (sal_run_get_output (run, 0))[1];
      sal_tensor_f32 (x)[i] = keep;
      worst = MAX (worst, fabs ((up - down) / (2 * h) - gx[i]) / (1e-2 + fabs (gx[i])));
    }
  g_assert_cmpfloat (worst, <, 2e-2);
  sal_run_free (run);

  /* Unknown values are refused by name. */
  g_key_file_set_string (kf, "model", "stage_pools", "max;median");
  g_assert_false (sal_cnn_spec_from_keyfile (&spec, kf, "model", &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "median"));
  g_clear_error (&error);
  g_key_file_set_string (kf, "model", "stage_pools", "max");
  g_key_file_set_string (kf, "model", "activation", "swish");
  g_assert_false (sal_cnn_spec_from_keyfile (&spec, kf, "model", &error));
  g_assert_nonnull (strstr (error->message, "swish"));
}

/* The bad spec is refused with a message. */
static void
test_cnn_bad_spec (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  SalCnnSpec spec = { .channels = 1, .height = 32, .width = 32, .n_conv = 0, .n_classes = 2 };

  g_assert_false (sal_arch_build_cnn (b, &spec, rng, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
}

/* Attention: weights over time sum to 1 and are 0 on padding. */
static void
test_gru_attention_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalTensor) x = sal_tensor_new (SAL_DTYPE_INT64, 2, (int64_t[]) { 2, 6 }, &error);
  SalGruSpec spec = { .vocab_size = 10, .max_len = 6, .embed_dim = 4, .hidden = 5, .pad_id = 0,
                      .n_classes = 3 };
  int64_t ids[12] = { 3, 4, 5, 0, 0, 0, 9, 8, 7, 6, 5, 4 };
  const SalTensor *att;
  SalRun *run;

  g_assert_true (sal_arch_build_gru_attention (b, &spec, rng, &error));
  m = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  memcpy (x->data, ids, sizeof ids);
  run = sal_run_new (m);
  g_assert_true (sal_run_keep_value (run, SAL_ARCH_ATTENTION, &error));
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  att = sal_run_get_value (run, SAL_ARCH_ATTENTION);
  g_assert_nonnull (att);
  g_assert_cmpint (att->dims[0], ==, 2);
  g_assert_cmpint (att->dims[1], ==, 6);
  for (int r = 0; r < 2; r++)
    {
      double s = 0;
      for (int t = 0; t < 6; t++)
        {
          float a = sal_tensor_f32 (att)[r * 6 + t];
          if (ids[r * 6 + t] == 0)
            g_assert_cmpfloat (a, ==, 0.0f);
          else
            g_assert_cmpfloat (a, >, 0.0f);
          s += a;
        }
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-5);
    }
  g_assert_cmpint (sal_run_get_output (run, 0)->dims[1], ==, 3);
  sal_run_free (run);
}

/* A phantom written as a 16-bit PNG gives the same model input as the data
 * source's row (one preprocessing path). */
static void
test_phantom_png_matches (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *recipe = NULL;
  g_autofree char *png = g_build_filename (dir, "p.png", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SalItData) d = NULL;
  g_autoptr(SalPhantom) p = sal_phantom_generate (12, SAL_PHANTOM_RANDOM);
  g_autoptr(SalImage) img = sal_image_new (128, 128, 1, 16);
  g_autoptr(SalImage) back = NULL;
  g_autoptr(SalTensor) t = NULL;
  SalPreprocess pp;
  SalItSplit *train;

  g_assert_true (g_key_file_load_from_data (kf,
      "[data]\nsource=phantoms\ntrain_seed=10\nn_train=4\ntest_seed=100\nn_test=2\n", -1, 0,
      &error));
  d = sal_it_data_load_phantoms (kf, "data", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->input_kind, ==, "image");
  memcpy (img->pixels, p->pixels, sizeof (guint16) * 128 * 128);
  g_assert_true (sal_image_save_png (img, png, &error));
  back = sal_image_load_png (png, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sal_preprocess_parse (d->preprocess, &pp, &error));
  t = sal_preprocess_image (&pp, back, &error);
  g_assert_no_error (error);
  train = d->splits->pdata[0];
  /* Seed 12 is row 2 of the training split (seeds 10..13). */
  for (int i = 0; i < 128 * 128; i++)
    g_assert_cmpfloat (sal_tensor_f32 (t)[i], ==, sal_tensor_f32 (train->x)[2 * 128 * 128 + i]);
  g_assert_cmpint (sal_tensor_i64 (train->y)[2], ==, p->n_lesions > 0);
  sal_test_rm_rf (dir);
  (void) recipe;
}

static void
test_overlapping_seeds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SalItData) d = NULL;

  g_assert_true (g_key_file_load_from_data (kf,
      "[data]\nsource=notes\ntrain_seed=10\nn_train=40\ntest_seed=20\nn_test=5\n", -1, 0, &error));
  d = sal_it_data_load_notes (kf, "data", &error);
  g_assert_null (d);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "overlap"));
}

static void
test_score (void)
{
  g_autoptr(SalTensor) z = sal_tensor_new_f32 (2, (int64_t[]) { 4, 3 });
  g_autoptr(SalTensor) y = sal_tensor_new (SAL_DTYPE_INT64, 1, (int64_t[]) { 4 }, NULL);
  float zv[12] = { 1, 0, 0,  0, 1, 0,  0, 1, 0,  0, 0, 1 };
  int64_t yv[4] = { 0, 1, 2, 2 };
  double acc, f1;

  memcpy (z->data, zv, sizeof zv);
  memcpy (y->data, yv, sizeof yv);
  sal_it_score (z, y, 3, &acc, &f1);
  g_assert_cmpfloat_with_epsilon (acc, 0.75, 1e-12);
  /* F1: class 0 = 1, class 1 = 2/3, class 2 = 2/3. */
  g_assert_cmpfloat_with_epsilon (f1, (1.0 + 2.0 / 3 + 2.0 / 3) / 3, 1e-12);
}

/* A short note-triage run learns: held-out accuracy well above chance (1/3),
 * and the metadata a note model needs. */
static void
test_notes_short (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *path = write_recipe (dir,
      "[recipe]\nid=t\ncard=card.md\n"
      "[data]\nsource=notes\ntrain_seed=1\nn_train=600\ntest_seed=5000\nn_test=200\n"
      "n_test_held_out=100\nmax_len=80\n"
      "[model]\narchitecture=gru-attention\nembed_dim=16\nhidden=16\n"
      "[train]\noptimizer=adam\nlr=0.01\nepochs=3\nbatch=32\nseed=3\n");
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(SalModel) m = NULL;
  g_autofree char *card = NULL;
  g_autoptr(SalTokenizer) tok = NULL;
  Losses l = { 0 };
  SalItOptions opts = { .progress = record_loss, .user_data = &l };

  m = sal_it_train_recipe (path, &opts, &metrics, &card, &error);
  g_assert_no_error (error);
  g_assert_cmpint (l.n, ==, 3);
  g_assert_cmpfloat (l.last, <, l.first * 0.7);
  g_assert_cmpfloat (metric (metrics, "test_accuracy"), >, 0.6);
  g_assert_cmpfloat (metric (metrics, "test_macro_f1"), >, 0.5);
  g_assert_true (isfinite (metric (metrics, "test_held_out_templates_macro_f1")));
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.input_kind"), ==, "\"note\"");
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.attention"), ==, "\"attention\"");
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.tokenizer"), ==, "\"salient-words\"");
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.labels"), ==,
                   "[\"routine\",\"urgent\",\"emergency\"]");
  tok = sal_tokenizer_new_from_json (sal_model_get_metadata (m, "salient.vocab"),
                                     sal_model_get_metadata (m, "salient.tokenizer"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_tokenizer_pad_id (tok), ==, 0);
  g_assert_cmpint (sal_tokenizer_unk_id (tok), ==, 1);
  g_assert_nonnull (strstr (sal_model_get_metadata (m, "salient.provenance"), "\"metrics\""));
  g_assert_nonnull (strstr (card, "test_accuracy"));
  g_assert_nonnull (strstr (card, "seed 3"));
  sal_test_rm_rf (dir);
}

/* A short lesion-finder run: the training loss falls, and the exported model
 * reloads with the same outputs and its image metadata. */
static void
test_phantoms_short (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *path = write_recipe (dir,
      "[recipe]\nid=t\ncard=card.md\n"
      "[data]\nsource=phantoms\ntrain_seed=1\nn_train=160\ntest_seed=5000\nn_test=32\n"
      "[model]\narchitecture=cnn\nfilters=4;8;8\nkernels=5;3;3\nstrides=2;1;1\n"
      "batch_norm=true\npool=max\n"
      "[train]\noptimizer=adam\nlr=0.005\nepochs=3\nbatch=16\nseed=3\n");
  g_autofree char *onnx = g_build_filename (dir, "m.onnx", NULL);
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(SalModel) m = NULL;
  g_autoptr(SalModel) again = NULL;
  Losses l = { 0 };
  SalItOptions opts = { .progress = record_loss, .user_data = &l };
  g_autoptr(SalItData) d = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(SalTensor) a = NULL;
  g_autoptr(SalTensor) b = NULL;

  m = sal_it_train_recipe (path, &opts, &metrics, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (l.n, ==, 3);
  g_assert_cmpfloat (l.last, <, l.first);
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.input_kind"), ==, "\"image\"");
  g_assert_nonnull (strstr (sal_model_get_metadata (m, "salient.preprocess"), "fixed"));
  g_assert_true (sal_model_save_file (m, onnx, &error));
  again = sal_model_load_file (onnx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sal_model_get_metadata (again, "salient.labels"), ==,
                   "[\"no lesion\",\"lesion\"]");
  g_assert_true (g_key_file_load_from_file (kf, path, 0, &error));
  d = sal_it_data_load_phantoms (kf, "data", &error);
  g_assert_no_error (error);
  a = sal_model_predict (m, ((SalItSplit *) d->splits->pdata[1])->x, 16, 1, &error);
  b = sal_model_predict (again, ((SalItSplit *) d->splits->pdata[1])->x, 16, 1, &error);
  g_assert_no_error (error);
  for (int64_t i = 0; i < a->numel; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (a)[i], sal_tensor_f32 (b)[i], 1e-4);
  sal_test_rm_rf (dir);
}

/* The shipped files load and run in salient-cli: info, and infer on a phantom
 * PNG or a note in a text file; the note model calls a red-flag note an
 * emergency and a negated one routine. */
static void
test_shipped_cli (void)
{
  const char *src = g_getenv ("SALIENT_SOURCE_DIR");
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *lesion = g_build_filename (src, "data", "models", "lesion-finder.onnx", NULL);
  g_autofree char *notes = g_build_filename (src, "data", "models", "note-triage.onnx", NULL);
  g_autofree char *png = g_build_filename (dir, "phantom.png", NULL);
  g_autofree char *red = g_build_filename (dir, "red.txt", NULL);
  g_autofree char *neg = g_build_filename (dir, "neg.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalPhantom) p = sal_phantom_generate (4242, SAL_PHANTOM_WITH_LESION);
  g_autoptr(SalImage) img = sal_image_new (128, 128, 1, 16);

  memcpy (img->pixels, p->pixels, sizeof (guint16) * 128 * 128);
  g_assert_true (sal_image_save_png (img, png, &error));
  g_assert_true (g_file_set_contents (red, "History: 61-year-old man with crushing chest pain "
                                      "radiating to the left arm since this morning, sweating. "
                                      "Plan: call cardiology now.\n", -1, &error));
  g_assert_true (g_file_set_contents (neg, "Follow-up visit. Patient denies chest pain and "
                                      "denies shortness of breath. Mild seasonal allergies. "
                                      "Plan: routine review in 6 months.\n", -1, &error));
  for (int m = 0; m < 2; m++)
    {
      const char *model = m == 0 ? lesion : notes;
      g_autofree char *out = NULL;

      if (!g_file_test (model, G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s is not built yet", model);
          continue;
        }
      g_assert_cmpint (sal_test_run_cli (&out, NULL, "info", model, NULL), ==, 0);
      g_assert_nonnull (strstr (out, m == 0 ? "salient.preprocess" : "salient.vocab"));
      g_clear_pointer (&out, g_free);
      if (m == 0)
        {
          g_assert_cmpint (sal_test_run_cli (&out, NULL, "infer", model, png, NULL), ==, 0);
          g_assert_nonnull (strstr (out, "Top:"));
        }
      else
        {
          g_assert_cmpint (sal_test_run_cli (&out, NULL, "infer", model, red, NULL), ==, 0);
          g_assert_nonnull (strstr (out, "Top: emergency"));
          g_clear_pointer (&out, g_free);
          g_assert_cmpint (sal_test_run_cli (&out, NULL, "infer", model, neg, NULL), ==, 0);
          g_assert_nonnull (strstr (out, "Top: routine"));
        }
    }
  sal_test_rm_rf (dir);
}

/* salient-cli train and evaluate take the image and note recipes too: the
 * files land next to the recipe folder (both or neither), the metrics in the
 * provenance are those printed, evaluate reproduces them from the same seed,
 * and a bad recipe writes nothing. */
static void
test_cli_train (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *rdir = g_build_filename (dir, "recipes", NULL);
  g_autofree char *recipe = NULL, *notes_recipe = NULL;
  g_autofree char *onnx = g_build_filename (dir, "t.onnx", NULL);
  g_autofree char *md = g_build_filename (dir, "t.md", NULL);
  g_autofree char *notes_onnx = g_build_filename (dir, "n.onnx", NULL);
  g_autofree char *notes_md = g_build_filename (dir, "n.md", NULL);
  g_autofree char *out = NULL, *err = NULL, *card = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = NULL;
  g_autoptr(JsonParser) p1 = json_parser_new (), p2 = json_parser_new ();
  JsonObject *prov, *recorded, *evaluated;
  int status;

  g_assert_cmpint (g_mkdir (rdir, 0700), ==, 0);
  g_free (write_recipe (rdir,
      "[recipe]\nid=t\noutput=t.onnx\ncard=card.md\n"
      "[data]\nsource=phantoms\ntrain_seed=1\nn_train=96\ntest_seed=5000\nn_test=32\n"
      "[model]\narchitecture=cnn\nfilters=4;8;8\nkernels=5;3;3\nstrides=2;1;1\n"
      "batch_norm=true\npool=max\n"
      "[train]\noptimizer=adam\nlr=0.005\nepochs=3\nbatch=16\nseed=3\n"));
  recipe = g_build_filename (rdir, "r.recipe", NULL);

  status = sal_test_run_cli (&out, &err, "train", recipe, "--epochs", "2", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "r: epoch 2/2"));
  g_assert_null (strstr (err, "epoch 3/"));
  g_assert_true (json_parser_load_from_data (p1, out, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (p1)),
                                                  "output"), ==, onnx);
  g_assert_true (g_file_get_contents (md, &card, NULL, &error));
  g_assert_nonnull (strstr (card, "test_accuracy"));
  m = sal_model_load_file (onnx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sal_model_get_metadata (m, "salient.input_kind"), ==, "\"image\"");
  prov = json_node_get_object (json_parser_get_root (p1));
  prov = json_object_get_object_member (prov, "provenance");
  g_assert_cmpint (json_object_get_int_member (prov, "epochs_run"), ==, 2);
  recorded = json_object_get_object_member (prov, "metrics");
  g_assert_cmpfloat (json_object_get_double_member (recorded, "train_accuracy"), >=, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (recorded, "test_accuracy"), <=, 1.0);

  /* The same recipe and seed evaluated: the same numbers. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "evaluate", recipe, "--epochs", "2", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (p2, out, -1, &error));
  evaluated = json_object_get_object_member (json_node_get_object (json_parser_get_root (p2)),
                                             "metrics");
  for (const char *const *k = (const char *[]) { "train_accuracy", "test_accuracy",
                                                 "test_macro_f1", NULL }; *k != NULL; k++)
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (evaluated, *k),
                                    json_object_get_double_member (recorded, *k), 1e-4);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "evaluate", recipe, "--cv", "5x1", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "held-out"));

  /* A note recipe with --output. */
  notes_recipe = g_build_filename (rdir, "n.recipe", NULL);
  g_assert_true (g_file_set_contents (notes_recipe,
      "[recipe]\nid=n\noutput=x.onnx\ncard=card.md\n"
      "[data]\nsource=notes\ntrain_seed=1\nn_train=200\ntest_seed=5000\nn_test=60\n"
      "n_test_held_out=30\nmax_len=64\n"
      "[model]\narchitecture=gru-attention\nembed_dim=8\nhidden=8\n"
      "[train]\noptimizer=adam\nlr=0.01\nepochs=1\nbatch=32\nseed=3\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "train", notes_recipe, "--output", notes_onnx, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "test_held_out_templates_macro_f1"));
  g_assert_true (g_file_test (notes_onnx, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (notes_md, G_FILE_TEST_IS_REGULAR));

  /* A bad value: a message naming the key, and no file. */
  g_assert_true (g_file_set_contents (notes_recipe,
      "[recipe]\nid=n\noutput=y.onnx\ncard=card.md\n"
      "[data]\nsource=phantoms\nn_train=0\n"
      "[model]\narchitecture=cnn\n[train]\nepochs=1\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "train", notes_recipe, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "n_train"));
  {
    g_autofree char *y = g_build_filename (dir, "y.onnx", NULL);
    g_assert_false (g_file_test (y, G_FILE_TEST_EXISTS));
  }
  sal_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/app/it-models/cnn/graph", test_cnn_graph);
  g_test_add_func ("/app/it-models/cnn/smooth", test_cnn_smooth);
  g_test_add_func ("/app/it-models/cnn/bad-spec", test_cnn_bad_spec);
  g_test_add_func ("/app/it-models/gru/attention", test_gru_attention_graph);
  g_test_add_func ("/app/it-models/phantoms/png-matches", test_phantom_png_matches);
  g_test_add_func ("/app/it-models/notes/overlapping-seeds", test_overlapping_seeds);
  g_test_add_func ("/app/it-models/score", test_score);
  g_test_add_func ("/app/it-models/notes/short-run", test_notes_short);
  g_test_add_func ("/app/it-models/phantoms/short-run", test_phantoms_short);
  g_test_add_func ("/app/it-models/shipped/cli", test_shipped_cli);
  g_test_add_func ("/app/it-models/cli-train", test_cli_train);
  return g_test_run ();
}
