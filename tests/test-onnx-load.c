/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The ONNX reader on valid and hostile files: the malformed corpus of
 * tests/malformed-models (each must fail with its expected words), external
 * data inside and outside the model's folder, memory and file budgets,
 * non-finite weights, and random corruption of a valid model. */
#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-test-util.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

static char *
source_path (const char *first, ...)
{
  const char *root = g_getenv ("SALIENT_SOURCE_DIR");
  GPtrArray *parts = g_ptr_array_new ();
  va_list ap;
  char *path;

  g_assert_nonnull (root);
  g_ptr_array_add (parts, (gpointer) root);
  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_free (parts, TRUE);
  return path;
}

static void
test_malformed_corpus (void)
{
  g_autofree char *dir = source_path ("tests", "malformed-models", NULL);
  g_autofree char *list_path = g_build_filename (dir, "expected.txt", NULL);
  g_autofree char *list = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (list_path, &list, NULL, &error));
  lines = g_strsplit (list, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto(GStrv) f = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GError) load_error = NULL;
      g_autoptr(SalModel) model = NULL;

      if (**l == '#' || **l == '\0')
        continue;
      f = g_strsplit (*l, "\t", 2);
      g_assert_nonnull (f[1]);
      path = g_build_filename (dir, f[0], NULL);
      model = sal_model_load_file (path, NULL, &load_error);
      if (model != NULL || load_error == NULL || strstr (load_error->message, f[1]) == NULL)
        g_error ("%s: expected an error with “%s”, got %s", f[0], f[1],
                 load_error ? load_error->message : "a model");
      g_assert_true (load_error->domain == SAL_ERROR);
      g_test_message ("%s: %s", f[0], load_error->message);
      n++;
    }
  g_assert_cmpuint (n, >=, 20);
}

static GBytes *
matmul_bytes (float w_value)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(GError) error = NULL;
  int64_t x_dims[2] = { 1, 4 }, w_dims[2] = { 4, 2 };
  g_autoptr(SalTensor) w = sal_tensor_new_f32 (2, w_dims);
  const char *in[] = { "x", "W" }, *out[] = { "y" };
  GBytes *bytes;

  for (int i = 0; i < 8; i++)
    sal_tensor_f32 (w)[i] = i + 1;
  sal_tensor_f32 (w)[3] = w_value;
  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, x_dims);
  sal_graph_builder_add_initializer (b, "W", w);
  sal_graph_builder_add_node (b, "MatMul", "mm", 2, in, 1, out);
  sal_graph_builder_add_output (b, "y");
  sal_graph_builder_set_metadata (b, "salient.task", "\"classification\"");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  bytes = sal_model_save_bytes (model, &error);
  g_assert_no_error (error);
  return bytes;
}

static void
run_matmul (SalModel *model, const float expect[2])
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(GError) error = NULL;
  int64_t dims[2] = { 1, 4 };
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, dims);
  const SalTensor *y;

  for (int i = 0; i < 4; i++)
    sal_tensor_f32 (x)[i] = 1;
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  y = sal_run_get_output (run, 0);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[0], expect[0], 1e-5);
  g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[1], expect[1], 1e-5);
}

static void
test_external_data (void)
{
  g_autofree char *src = source_path ("tests", "onnx-models", "external-weights.onnx", NULL);
  g_autofree char *src_bin = source_path ("tests", "onnx-models", "external-weights.bin", NULL);
  g_autofree char *tmp = sal_test_tmpdir ();
  g_autofree char *model_copy = g_build_filename (tmp, "m.onnx", NULL);
  g_autofree char *bin_link = g_build_filename (tmp, "external-weights.bin", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  const float expect[2] = { 1 + 3 + 5 + 7, 2 + 4 + 6 + 8 };
  gsize len;

  /* Inside the folder: read at its offset. */
  model = sal_model_load_file (src, NULL, &error);
  g_assert_no_error (error);
  run_matmul (model, expect);
  g_clear_pointer (&model, sal_model_unref);

  /* From memory there is no folder: refused. */
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  model = sal_model_load_bytes ((const guint8 *) contents, len, NULL, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  /* A symbolic link next to the model is not followed. */
  g_assert_true (g_file_set_contents (model_copy, contents, len, NULL));
  g_assert_cmpint (symlink (src_bin, bin_link), ==, 0);
  model = sal_model_load_file (model_copy, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "symbolic links"));
  sal_test_rm_rf (tmp);
}

static void
test_budgets (void)
{
  g_autoptr(GBytes) bytes = matmul_bytes (4);
  g_autoptr(GError) error = NULL;
  SalLoadOptions small_file = { .max_file_bytes = 64 };
  SalLoadOptions small_memory = { .max_unpack_bytes = 300 };
  GByteArray *many = g_byte_array_new ();
  g_autoptr(GBytes) many_bytes = NULL;
  guint8 opset[] = { 0x42, 0x04, 0x0a, 0x00, 0x10, 0x0d };   /* opset_import { "" 13 } */
  guint8 graph_head[] = { 0x3a, 0, 0, 0, 0 };                /* graph, 4-byte varint length */
  gsize payload = 2 * 400000;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  SalModel *model;

  model = sal_model_load_bytes (data, len, NULL, &small_file, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  model = sal_model_load_bytes (data, len, NULL, &small_memory, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* 400 000 empty nodes: 800 KB that unpack to ~100 bytes each; the default
   * budget (8 x file + 16 MiB) stops it. */
  g_byte_array_append (many, opset, sizeof opset);
  graph_head[1] = 0x80 | (payload & 0x7f);
  graph_head[2] = 0x80 | ((payload >> 7) & 0x7f);
  graph_head[3] = 0x80 | ((payload >> 14) & 0x7f);
  graph_head[4] = (payload >> 21) & 0x7f;
  g_byte_array_append (many, graph_head, sizeof graph_head);
  for (gsize i = 0; i < payload / 2; i++)
    g_byte_array_append (many, (const guint8 *) "\x0a\x00", 2);
  many_bytes = g_byte_array_free_to_bytes (many);
  data = g_bytes_get_data (many_bytes, &len);
  model = sal_model_load_bytes (data, len, NULL, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "memory"));
}

static void
test_nonfinite (void)
{
  g_autoptr(GBytes) bytes = matmul_bytes (NAN);
  g_autoptr(GBytes) inf_bytes = matmul_bytes (INFINITY);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  SalLoadOptions strict = { .reject_nonfinite = TRUE };
  const char *const *warnings;
  guint n;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  model = sal_model_load_bytes (data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  warnings = sal_model_warnings (model, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_nonnull (strstr (warnings[0], "“W” holds 1 NaN and 0 infinite"));
  g_assert_null (sal_model_load_bytes (data, len, NULL, &strict, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  data = g_bytes_get_data (inf_bytes, &len);
  g_assert_null (sal_model_load_bytes (data, len, NULL, &strict, &error));
  g_assert_nonnull (strstr (error->message, "1 infinite"));
}

static void
test_valid_roundtrip (void)
{
  g_autoptr(GBytes) bytes = matmul_bytes (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  const float expect[2] = { 1 + 3 + 5 + 7, 2 + 4 + 6 + 8 };
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint n;

  model = sal_model_load_bytes (data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sal_model_opset (model), ==, 13);
  g_assert_cmpstr (sal_model_get_metadata (model, "salient.task"), ==, "\"classification\"");
  sal_model_warnings (model, &n);
  g_assert_cmpuint (n, ==, 0);
  run_matmul (model, expect);
}

/* A real ONNX file from the conformance data, with TensorProto inputs. */
static void
test_conformance_file (void)
{
  const char *dir = "/usr/share/libonnx-testdata/data/node/test_matmul_3d";
  g_autofree char *model_path = g_build_filename (dir, "model.onnx", NULL);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  SalTensor *in[2], *expected;
  const SalTensor *y;

  if (!g_file_test (model_path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("libonnx-testdata is not installed");
      return;
    }
  model = sal_model_load_file (model_path, NULL, &error);
  g_assert_no_error (error);
  run = sal_run_new (model);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf (i < 2 ? "input_%d.pb" : "output_0.pb", i);
      g_autofree char *path = g_build_filename (dir, "test_data_set_0", name, NULL);
      g_autofree char *contents = NULL;
      gsize len;
      SalTensor *t;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      t = sal_tensor_load_pb ((const guint8 *) contents, len, NULL, &error);
      g_assert_no_error (error);
      if (i < 2)
        in[i] = t;
      else
        expected = t;
    }
  g_assert_true (sal_run_set_input (run, 0, in[0], &error));
  g_assert_true (sal_run_set_input (run, 1, in[1], &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  y = sal_run_get_output (run, 0);
  g_assert_true (sal_tensor_same_shape (y, expected));
  for (int64_t i = 0; i < y->numel; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[i], sal_tensor_f32 (expected)[i], 1e-4);
  sal_tensor_free (in[0]);
  sal_tensor_free (in[1]);
  sal_tensor_free (expected);
}

/* Random byte changes and truncations of a valid model: every outcome is a
 * model or an error, never a crash (this runs under ASan/UBSan in CI). */
static void
corrupt_and_load (const guint8 *data, gsize len, int rounds, guint32 seed)
{
  GRand *rng = g_rand_new_with_seed (seed);
  g_autofree guint8 *copy = g_malloc (len);
  guint n_errors = 0;

  for (int round = 0; round < rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SalModel) model = NULL;
      gsize use = len;

      memcpy (copy, data, len);
      if (round % 3 == 0)
        use = g_rand_int_range (rng, 0, len);
      else
        for (int k = 0; k < 1 + round % 4; k++)
          copy[g_rand_int_range (rng, 0, len)] = g_rand_int_range (rng, 0, 256);
      model = sal_model_load_bytes (copy, use, NULL, NULL, &error);
      g_assert_true ((model == NULL) == (error != NULL));
      if (error != NULL)
        {
          g_assert_true (error->domain == SAL_ERROR);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          n_errors++;
        }
    }
  g_assert_cmpuint (n_errors, >, (guint) rounds / 3);
  g_rand_free (rng);
}

static void
test_corruption (void)
{
  g_autoptr(GBytes) bytes = matmul_bytes (4);
  const char *real[] = { "test_conv_with_strides_and_asymmetric_padding", "test_gru_defaults",
                         "test_reshape_reordered_all_dims", "test_constant_pad" };
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  corrupt_and_load (data, len, 3000, 1234);
  /* Real files with attributes, constants and other operators. */
  for (guint i = 0; i < G_N_ELEMENTS (real); i++)
    {
      g_autofree char *path = g_build_filename ("/usr/share/libonnx-testdata/data/node", real[i],
                                                "model.onnx", NULL);
      g_autofree char *contents = NULL;
      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      corrupt_and_load ((const guint8 *) contents, len, 1000, 99 + i);
    }
}

static void
test_tensor_pb_errors (void)
{
  g_autoptr(GError) error = NULL;
  /* dims [3], float, raw_data of 4 bytes */
  const guint8 short_raw[] = { 0x08, 0x03, 0x10, 0x01, 0x4a, 0x04, 0, 0, 0x80, 0x3f };
  const guint8 ok[] = { 0x08, 0x01, 0x10, 0x01, 0x4a, 0x04, 0, 0, 0x80, 0x3f };
  g_autoptr(SalTensor) t = NULL;

  g_assert_null (sal_tensor_load_pb (short_raw, sizeof short_raw, NULL, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  t = sal_tensor_load_pb (ok, sizeof ok, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->numel, ==, 1);
  g_assert_cmpfloat (sal_tensor_f32 (t)[0], ==, 1.0f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/onnx/malformed-corpus", test_malformed_corpus);
  g_test_add_func ("/engine/onnx/valid-roundtrip", test_valid_roundtrip);
  g_test_add_func ("/engine/onnx/external-data", test_external_data);
  g_test_add_func ("/engine/onnx/budgets", test_budgets);
  g_test_add_func ("/engine/onnx/nonfinite", test_nonfinite);
  g_test_add_func ("/engine/onnx/conformance-file", test_conformance_file);
  g_test_add_func ("/engine/onnx/corruption", test_corruption);
  g_test_add_func ("/engine/onnx/tensor-pb", test_tensor_pb_errors);
  return g_test_run ();
}
