/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ONNX conformance: every libonnx-testdata node case whose operators are all
 * in issue 3's list runs through sal_conformance_run_case (the code behind
 * `salient-cli run-test`) and must match, except the cases listed with their
 * reason in tests/conformance-exceptions.txt. Cases using a listed operator
 * that no op group registers yet are counted as "not yet supported". */
#include "sal-conformance.h"
#include "sal-onnx.h"
#include "sal-op.h"
#include "sal-test-util.h"

#include <math.h>
#include <string.h>

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"

static const char *const issue_ops[] = {
  /* elementwise and logic */
  "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Sqrt", "Reciprocal", "Pow", "Exp", "Log", "Erf",
  "Floor", "Ceil", "Min", "Max", "Sum", "Mean", "Equal", "Less", "Greater", "Where", "Not",
  /* activations */
  "Relu", "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu",
  "Softplus", "Softsign", "Clip", "Softmax", "LogSoftmax",
  /* linear */
  "MatMul", "Gemm", "Conv", "ConvTranspose",
  /* pooling */
  "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
  /* normalisation */
  "BatchNormalization", "LayerNormalization", "InstanceNormalization",
  /* shape and data movement */
  "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather",
  "Shape", "Expand", "Tile", "Pad", "Constant", "ConstantOfShape", "Identity", "Dropout", "Cast",
  "Range", "Resize",
  /* reductions */
  "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ArgMax", "ArgMin",
  /* recurrent */
  "RNN", "GRU", "LSTM",
};

static gboolean
in_issue_list (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (issue_ops); i++)
    if (strcmp (issue_ops[i], op) == 0)
      return TRUE;
  return FALSE;
}

static GHashTable *
load_exceptions (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests",
                                            "conformance-exceptions.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char *sep;
      g_strstrip (*l);
      if (**l == '#' || **l == '\0')
        continue;
      sep = strpbrk (*l, " \t");
      g_assert_nonnull (sep);   /* every exception has a reason */
      *sep = '\0';
      g_hash_table_insert (table, g_strdup (*l), g_strstrip (g_strdup (sep + 1)));
    }
  return table;
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_node_cases (void)
{
  g_autoptr(GHashTable) exceptions = NULL;
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_pass = 0, n_fail = 0, n_expected = 0, n_pending = 0, n_out_of_scope = 0;
  guint n_unexpected_pass = 0;

  if (!g_file_test (NODE_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("libonnx-testdata is not installed");
      return;
    }
  exceptions = load_exceptions ();
  dir = g_dir_open (NODE_DIR, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "test_"))
      g_ptr_array_add (cases, g_strdup (name));
  g_ptr_array_sort (cases, cmp_names);

  for (guint c = 0; c < cases->len; c++)
    {
      const char *test = g_ptr_array_index (cases, c);
      g_autofree char *case_dir = g_build_filename (NODE_DIR, test, NULL);
      g_autofree char *model_path = g_build_filename (case_dir, "model.onnx", NULL);
      g_autofree char *bytes = NULL;
      g_autoptr(GPtrArray) ops = NULL;
      g_autoptr(GError) error = NULL;
      SalConformanceResult result = { 0 };
      gboolean in_scope = TRUE, registered = TRUE, ok;
      const char *reason;
      gsize len;

      if (!g_file_get_contents (model_path, &bytes, &len, NULL))
        continue;
      ops = sal_onnx_peek_op_types ((const guint8 *) bytes, len, NULL);
      if (ops == NULL || ops->len == 0)
        continue;
      for (guint i = 0; i < ops->len; i++)
        {
          const char *op = g_ptr_array_index (ops, i);
          in_scope = in_scope && in_issue_list (op);
          registered = registered && sal_op_lookup (op) != NULL;
        }
      if (!in_scope)
        {
          n_out_of_scope++;
          continue;
        }
      reason = g_hash_table_lookup (exceptions, test);
      if (!registered)
        {
          n_pending++;
          continue;
        }
      ok = sal_conformance_run_case (case_dir, &result, &error) && result.n_mismatched == 0;
      if (ok && reason == NULL)
        n_pass++;
      else if (ok)
        {
          n_pass++;
          n_unexpected_pass++;
          g_test_message ("%s passes but is listed as an exception (%s)", test, reason);
        }
      else if (reason != NULL)
        n_expected++;
      else
        {
          GString *why = g_string_new (test);
          n_fail++;
          if (error != NULL)
            g_string_append_printf (why, ": %s", error->message);
          else
            for (guint i = 0; i < result.report->len; i++)
              g_string_append_printf (why, "\n    %s", (const char *) g_ptr_array_index (result.report, i));
          g_ptr_array_add (failures, g_string_free (why, FALSE));
        }
      sal_conformance_result_clear (&result);
    }

  for (guint i = 0; i < failures->len; i++)
    g_test_message ("FAIL %s", (const char *) g_ptr_array_index (failures, i));
  g_test_message ("ONNX node conformance: %u passed, %u failed, %u listed exceptions, "
                  "%u not yet supported (operator not registered), %u out of scope "
                  "(operators outside the list); %u exceptions now pass",
                  n_pass, n_fail, n_expected, n_pending, n_out_of_scope, n_unexpected_pass);
  if (g_getenv ("SALIENT_CONFORMANCE_VERBOSE") != NULL)
    g_printerr ("conformance: %u passed, %u failed, %u exceptions, %u not yet supported\n",
                n_pass, n_fail, n_expected, n_pending);
  g_assert_cmpuint (n_fail, ==, 0);
}

/* The comparison itself: tolerance, NaN, integer exactness, shape and type. */
static void
test_compare (void)
{
  int64_t dims[1] = { 3 };
  g_autoptr(SalTensor) a = sal_tensor_new_f32 (1, dims);
  g_autoptr(SalTensor) b = sal_tensor_new_f32 (1, dims);
  g_autoptr(SalTensor) i1 = sal_tensor_new (SAL_DTYPE_INT64, 1, dims, NULL);
  g_autoptr(SalTensor) i2 = sal_tensor_new (SAL_DTYPE_INT64, 1, dims, NULL);
  g_autoptr(GPtrArray) report = g_ptr_array_new_with_free_func (g_free);
  double max_err = 0;
  float *x = sal_tensor_f32 (a), *y = sal_tensor_f32 (b);

  x[0] = 1.0f; y[0] = 1.0f + 0.9e-3f;          /* inside rtol */
  x[1] = NAN; y[1] = NAN;                      /* NaN == NaN */
  x[2] = 0.0f; y[2] = 0.0f;
  g_assert_true (sal_conformance_compare (a, b, 1e-3, 1e-7, "t", report, &max_err));
  x[0] = 1.0f; y[0] = 1.0f + 1.2e-3f;          /* outside */
  g_assert_false (sal_conformance_compare (a, b, 1e-3, 1e-7, "t", report, &max_err));
  g_assert_cmpfloat_with_epsilon (max_err, 1.2e-3, 1e-6);
  y[0] = 1.0f;
  y[1] = 0.0f;                                 /* NaN vs number */
  g_assert_false (sal_conformance_compare (a, b, 1e-3, 1e-7, "t", report, NULL));
  sal_tensor_i64 (i1)[1] = 5;
  sal_tensor_i64 (i2)[1] = 6;
  g_assert_false (sal_conformance_compare (i1, i2, 1e-3, 1e-7, "t", report, NULL));
  g_assert_false (sal_conformance_compare (a, i2, 1e-3, 1e-7, "t", report, NULL));
  /* The report names the largest errors. */
  {
    guint n_mismatch = 0;
    for (guint i = 0; i < report->len; i++)
      n_mismatch += strstr (g_ptr_array_index (report, i), "MISMATCH") != NULL;
    g_assert_cmpuint (n_mismatch, ==, 3);   /* the type mismatch has its own line */
  }
}

/* The CLI runs a case and exits 0 only on a match: a copy of a MatMul case
 * with a wrong expected output must exit 1 and print the largest error. */
static void
test_cli_run_test (void)
{
  const char *src = NODE_DIR "/test_matmul_2d";
  g_autofree char *tmp = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *set_dir = NULL, *model = NULL, *contents = NULL;
  gsize len;
  int status;

  if (!g_file_test (src, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("libonnx-testdata is not installed");
      return;
    }
  status = sal_test_run_cli (&out, &err, "run-test", src, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "PASS"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  tmp = sal_test_tmpdir ();
  set_dir = g_build_filename (tmp, "test_data_set_0", NULL);
  g_assert_cmpint (g_mkdir (set_dir, 0700), ==, 0);
  model = g_build_filename (src, "model.onnx", NULL);
  g_assert_true (g_file_get_contents (model, &contents, &len, NULL));
  g_clear_pointer (&model, g_free);
  model = g_build_filename (tmp, "model.onnx", NULL);
  g_assert_true (g_file_set_contents (model, contents, len, NULL));
  for (int i = 0; i < 3; i++)
    {
      const char *f = i == 0 ? "input_0.pb" : i == 1 ? "input_1.pb" : "output_0.pb";
      g_autofree char *from = g_build_filename (src, "test_data_set_0", f, NULL);
      g_autofree char *to = g_build_filename (set_dir, f, NULL);
      g_autofree char *data = NULL;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      if (i == 2)
        data[len - 1] ^= 0x40;   /* flip a bit of the last expected float */
      g_assert_true (g_file_set_contents (to, data, len, NULL));
    }
  status = sal_test_run_cli (&out, &err, "run-test", tmp, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "MISMATCH"));
  g_assert_nonnull (strstr (out, "[8] got"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = sal_test_run_cli (&out, &err, "run-test", tmp, "--json", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "\"match\" : false"));
  sal_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/app/conformance/compare", test_compare);
  g_test_add_func ("/app/conformance/cli-run-test", test_cli_run_test);
  g_test_add_func ("/app/conformance/node-cases", test_node_cases);
  return g_test_run ();
}
