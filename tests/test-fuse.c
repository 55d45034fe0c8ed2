/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sal-op-check.h"
#include "sal-fuse.h"
#include "sal-plan-private.h"

static int
add_value (SalGraph *g, const char *name, SalValueKind kind, SalTensor *init)
{
  int v = sal_graph_value (g, name);
  SalValue *val = sal_graph_get_value (g, v);

  val->kind = kind;
  if (init != NULL)
    {
      val->init = init;
      val->dtype = init->dtype;
      val->rank = init->rank;
      memcpy (val->dims, init->dims, sizeof val->dims);
    }
  return v;
}

static SalNode *
add_node (SalGraph *g, const char *op, int n_in, const char *const *ins, const char *out)
{
  int iv[4], ov = sal_graph_value (g, out);
  SalNode *node = sal_node_new (op, out, g->opset);

  for (int i = 0; i < n_in; i++)
    iv[i] = ins[i] ? sal_graph_value (g, ins[i]) : -1;
  sal_node_set_io (node, n_in, iv, 1, &ov);
  g_ptr_array_add (g->nodes, node);
  return node;
}

/* X -> Conv -> Relu -> Conv -> (Clip, graph output)
 *            \-> GlobalAveragePool -> Flatten -> Gemm -> LeakyRelu */
static SalGraph *
make_graph (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (77);
  SalGraph *g = sal_graph_new ();
  int64_t xd[4] = { 1, 2, 6, 6 }, w1[4] = { 4, 2, 3, 3 }, b1[1] = { 4 }, w2[4] = { 3, 4, 3, 3 };
  int64_t wg[2] = { 3, 4 }, pads[4] = { 1, 1, 1, 1 };
  int x;
  SalNode *n;

  g->opset = 13;
  x = add_value (g, "X", SAL_VALUE_INPUT, NULL);
  sal_graph_get_value (g, x)->dtype = SAL_DTYPE_FLOAT;
  sal_graph_get_value (g, x)->rank = 4;
  memcpy (sal_graph_get_value (g, x)->dims, xd, sizeof xd);
  g_array_append_val (g->inputs, x);
  add_value (g, "W1", SAL_VALUE_INITIALIZER, sal_check_random (rng, 4, w1, -1, 1));
  add_value (g, "B1", SAL_VALUE_INITIALIZER, sal_check_random (rng, 1, b1, -0.2, 0.2));
  add_value (g, "W2", SAL_VALUE_INITIALIZER, sal_check_random (rng, 4, w2, -1, 1));
  add_value (g, "WG", SAL_VALUE_INITIALIZER, sal_check_random (rng, 2, wg, -1, 1));
  add_value (g, "lo", SAL_VALUE_INITIALIZER, sal_tensor_new_scalar_f32 (0.f));
  add_value (g, "hi", SAL_VALUE_INITIALIZER, sal_tensor_new_scalar_f32 (0.5f));

  n = add_node (g, "Conv", 3, (const char *[]) { "X", "W1", "B1" }, "c1");
  sal_node_set_ints (n, "pads", 4, pads);
  add_node (g, "Relu", 1, (const char *[]) { "c1" }, "r1");
  n = add_node (g, "Conv", 2, (const char *[]) { "r1", "W2" }, "c2");
  sal_node_set_ints (n, "pads", 4, pads);
  add_node (g, "Clip", 3, (const char *[]) { "c2", "lo", "hi" }, "y1");
  add_node (g, "GlobalAveragePool", 1, (const char *[]) { "r1" }, "gap");
  add_node (g, "Flatten", 1, (const char *[]) { "gap" }, "flat");
  n = add_node (g, "Gemm", 2, (const char *[]) { "flat", "WG" }, "h");
  sal_node_set_int (n, "transB", 1);
  n = add_node (g, "LeakyRelu", 1, (const char *[]) { "h" }, "y2");
  sal_node_set_float (n, "alpha", 0.2f);
  for (int i = 0; i < 3; i++)
    {
      int v = sal_graph_value (g, (const char *[]) { "y1", "c2", "y2" }[i]);
      g_array_append_val (g->outputs, v);
    }
  return g;
}

static void
test_fuse_conv_gemm (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (78);
  SalGraph *plain = make_graph (), *fused = make_graph ();
  g_autoptr(SalModel) m1 = NULL, m2 = NULL;
  g_autoptr(SalRun) r1 = NULL, r2 = NULL;
  g_autoptr(GError) error = NULL;
  int64_t xd[4] = { 1, 2, 6, 6 };
  g_autoptr(SalTensor) x = sal_check_random (rng, 4, xd, -1, 1);
  const SalNode *conv1, *gemm;

  g_assert_cmpuint (sal_fuse_graph (fused), ==, 2);   /* Relu and LeakyRelu; c2 is an output */
  g_assert_cmpuint (fused->nodes->len, ==, 6);
  conv1 = sal_graph_get_node (fused, 0);
  g_assert_cmpstr (sal_node_attr_string (conv1, "salient.activation", ""), ==, "Relu");
  g_assert_cmpint (conv1->outputs[0], ==, sal_graph_find_value (fused, "r1"));
  gemm = sal_graph_get_node (fused, 5);
  g_assert_cmpstr (gemm->op_type, ==, "Gemm");
  g_assert_cmpstr (sal_node_attr_string (gemm, "salient.activation", ""), ==, "LeakyRelu");
  g_assert_cmpfloat (sal_node_attr_float (gemm, "salient.alpha", 0), ==, 0.2f);
  g_assert_null (sal_node_attr (sal_graph_get_node (fused, 1), "salient.activation"));

  m1 = sal_model_new_from_graph (plain, &error);
  g_assert_no_error (error);
  m2 = sal_model_new_from_graph (fused, &error);
  g_assert_no_error (error);
  r1 = sal_run_new (m1);
  r2 = sal_run_new (m2);
  g_assert_true (sal_run_set_input (r1, 0, x, &error));
  g_assert_true (sal_run_set_input (r2, 0, x, &error));
  g_assert_true (sal_run_execute (r1, &error));
  g_assert_no_error (error);
  g_assert_true (sal_run_execute (r2, &error));
  g_assert_no_error (error);
  for (guint j = 0; j < 3; j++)
    {
      const SalTensor *a = sal_run_get_output (r1, j), *b = sal_run_get_output (r2, j);
      g_assert_true (sal_tensor_same_shape (a, b));
      for (int64_t k = 0; k < a->numel; k++)
        g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (a)[k], sal_tensor_f32 (b)[k], 1e-5);
    }
}

static void
test_fuse_skips (void)
{
  /* Clip with a non-constant bound and a Relu reading a graph input are left alone */
  SalGraph *g = sal_graph_new ();
  int x, v;

  g->opset = 13;
  x = add_value (g, "X", SAL_VALUE_INPUT, NULL);
  g_array_append_val (g->inputs, x);
  x = add_value (g, "M", SAL_VALUE_INPUT, NULL);
  g_array_append_val (g->inputs, x);
  add_value (g, "W", SAL_VALUE_INITIALIZER, sal_tensor_new_scalar_f32 (1.f));
  add_node (g, "Gemm", 2, (const char *[]) { "X", "W" }, "h");
  add_node (g, "Clip", 2, (const char *[]) { "h", "M" }, "y");
  add_node (g, "Relu", 1, (const char *[]) { "X" }, "z");
  v = sal_graph_value (g, "y");
  g_array_append_val (g->outputs, v);
  v = sal_graph_value (g, "z");
  g_array_append_val (g->outputs, v);
  g_assert_cmpuint (sal_fuse_graph (g), ==, 0);
  g_assert_cmpuint (g->nodes->len, ==, 3);
  sal_graph_free (g);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/fuse/conv-gemm", test_fuse_conv_gemm);
  g_test_add_func ("/engine/fuse/skips", test_fuse_skips);
  return g_test_run ();
}
