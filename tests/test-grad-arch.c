/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Salient's backward pass against PyTorch's gradients on the real
 * architectures (width-reduced resnet18, mobilenet_v2, densenet121, a GRU
 * text classifier and a TransformerEncoder; tests/fixtures/arch), for the loss
 * L = sum(r * output) with a fixed r: the gradient to the input (or to the
 * token embeddings), to the first convolution's weight and bias as exported
 * (batch normalisation folded in), and to a few weights such as the final
 * linear layer. Fixtures: tools/make-grad-fixtures.py (tests/fixtures/grad).
 * Tolerance: rtol 1e-3, with an absolute floor of 1e-4 × the largest
 * reference magnitude for entries that are near zero by cancellation. */
#include "sal-engine.h"
#include "sal-grad.h"
#include "sal-model.h"

#include <math.h>

static SalTensor *
load_pb (const char *path, char **name)
{
  g_autofree char *buf = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  SalTensor *t;

  g_assert_true (g_file_get_contents (path, &buf, &len, &error));
  t = sal_tensor_load_pb ((const guint8 *) buf, len, name, &error);
  g_assert_no_error (error);
  return t;
}

static char *
fixture (const char *a, const char *b, const char *c)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", a, b, c, NULL);
}

static void
run_case (gconstpointer data)
{
  const char *name = data;
  g_autofree char *case_dir = g_strconcat (name, "_opset13", NULL);
  g_autofree char *model_path = fixture ("arch", case_dir, "model.onnx");
  g_autofree char *in_dir = fixture ("arch", case_dir, "test_data_set_0");
  g_autofree char *in_path = g_build_filename (in_dir, "input_0.pb", NULL);
  g_autofree char *grad_dir = fixture ("grad", name, NULL);
  g_autofree char *seed_path = g_build_filename (grad_dir, "seed.pb", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = sal_model_load_file (model_path, NULL, &error);
  g_autoptr(SalTensor) input = NULL, seed = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(SalGrad) grad = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  int n_weights = 0;

  g_assert_no_error (error);
  input = load_pb (in_path, NULL);
  seed = load_pb (seed_path, NULL);
  for (int k = 0;; k++)
    {
      g_autofree char *f = g_strdup_printf ("grad_%d.pb", k);
      g_autofree char *path = g_build_filename (grad_dir, f, NULL);
      char *vname = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        break;
      g_ptr_array_add (want, load_pb (path, &vname));
      g_ptr_array_add (names, vname);
    }
  g_assert_cmpuint (want->len, >=, 3);

  run = sal_run_new (model);
  sal_run_set_threads (run, 1);
  grad = sal_grad_new (run);
  for (guint i = 0; i < names->len; i++)
    {
      g_assert_true (sal_grad_want (grad, names->pdata[i], &error));
      g_assert_no_error (error);
    }
  g_assert_true (sal_run_set_input (run, 0, input, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  g_assert_true (sal_grad_backward (grad, 0, seed, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < names->len; i++)
    {
      const char *vname = names->pdata[i];
      const SalTensor *ref = want->pdata[i];
      const SalTensor *got = sal_grad_get (grad, vname);
      double scale = 0, worst = 0;
      int64_t worst_i = 0;

      g_assert_nonnull (got);
      g_assert_true (sal_tensor_same_shape (got, ref));
      for (int64_t j = 0; j < ref->numel; j++)
        scale = MAX (scale, fabs (sal_tensor_f32 (ref)[j]));
      g_assert_cmpfloat (scale, >, 0);
      for (int64_t j = 0; j < ref->numel; j++)
        {
          double a = sal_tensor_f32 (got)[j], b = sal_tensor_f32 (ref)[j];
          double excess = fabs (a - b) / (1e-4 * scale + 1e-3 * fabs (b));

          if (isnan (excess) || excess > worst)
            {
              worst = isnan (excess) ? INFINITY : excess;
              worst_i = j;
            }
        }
      g_test_message ("%s d/d %s (%" G_GINT64_FORMAT " values, max |g| %.3g): largest error "
                      "%.3g of the tolerance at %" G_GINT64_FORMAT " (%.8g vs PyTorch %.8g)",
                      name, vname, ref->numel, scale, worst, worst_i,
                      sal_tensor_f32 (got)[worst_i], sal_tensor_f32 (ref)[worst_i]);
      g_assert_cmpfloat (worst, <=, 1.0);
      if (i > 0)
        n_weights++;
    }
  g_assert_cmpint (n_weights, >=, 2);
}

int
main (int argc, char **argv)
{
  static const char *const cases[] = { "resnet18", "mobilenet_v2", "densenet121",
                                       "gru_classifier", "transformer_classifier" };

  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/grad-arch/%s", cases[i]);
      g_test_add_data_func (path, cases[i], run_case);
    }
  return g_test_run ();
}
