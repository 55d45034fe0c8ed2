/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The graph, the planner and runs: topological order, refusals, arena reuse,
 * zero allocations in steady state, re-planning, cancel and progress, kept
 * values, memory accounting, the thread team and ONNX save. Built with the
 * graph builder and the MatMul/Gemm operators. */
#include "sal-engine.h"
#include "sal-graph-builder.h"
#include "sal-plan-private.h"

#include <string.h>

/* y = Gemm (MatMul (Gemm (x, W1, b1), W2), W3, b3): 4 -> 8 -> 6 -> 2. The
 * nodes are added in reverse order on purpose. */
static float w1[4 * 8], b1[8], w2[8 * 6], w3[6 * 2], b3[2];

static void
init_weights (void)
{
  GRand *rng = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (w1); i++) w1[i] = g_rand_double_range (rng, -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (b1); i++) b1[i] = g_rand_double_range (rng, -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (w2); i++) w2[i] = g_rand_double_range (rng, -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (w3); i++) w3[i] = g_rand_double_range (rng, -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (b3); i++) b3[i] = g_rand_double_range (rng, -1, 1);
  g_rand_free (rng);
}

static void
add_weight (SalGraphBuilder *b, const char *name, int rank, const int64_t *dims, const float *v)
{
  g_autoptr(SalTensor) t = sal_tensor_new_f32 (rank, dims);

  memcpy (t->data, v, sal_tensor_nbytes (t));
  sal_graph_builder_add_initializer (b, name, t);
}

static SalGraphBuilder *
mlp_builder (void)
{
  SalGraphBuilder *b = sal_graph_builder_new (13);
  int64_t in_dims[2] = { -1, 4 };
  int64_t d1[2] = { 4, 8 }, d2[1] = { 8 }, d3[2] = { 8, 6 }, d4[2] = { 6, 2 }, d5[1] = { 2 };
  const char *n3_in[] = { "h2", "W3", "b3" }, *n3_out[] = { "y" };
  const char *n2_in[] = { "h1", "W2" }, *n2_out[] = { "h2" };
  const char *n1_in[] = { "x", "W1", "b1" }, *n1_out[] = { "h1" };

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, in_dims);
  add_weight (b, "W1", 2, d1, w1);
  add_weight (b, "b1", 1, d2, b1);
  add_weight (b, "W2", 2, d3, w2);
  add_weight (b, "W3", 2, d4, w3);
  add_weight (b, "b3", 1, d5, b3);
  sal_graph_builder_add_node (b, "Gemm", "last", 3, n3_in, 1, n3_out);
  sal_graph_builder_add_node (b, "MatMul", "middle", 2, n2_in, 1, n2_out);
  sal_graph_builder_add_node (b, "Gemm", "first", 3, n1_in, 1, n1_out);
  sal_graph_builder_add_output (b, "y");
  return b;
}

static SalModel *
mlp_model (void)
{
  g_autoptr(SalGraphBuilder) b = mlp_builder ();
  g_autoptr(GError) error = NULL;
  SalModel *model;

  sal_graph_builder_set_metadata (b, "salient.labels", "[\"benign\", \"malignant\"]");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  return model;
}

/* Reference in double precision. */
static void
mlp_reference (const float *x, int n, double *y, double *h1_out)
{
  for (int r = 0; r < n; r++)
    {
      double h1[8], h2[6];
      for (int j = 0; j < 8; j++)
        {
          h1[j] = b1[j];
          for (int k = 0; k < 4; k++)
            h1[j] += x[r * 4 + k] * w1[k * 8 + j];
          if (h1_out != NULL)
            h1_out[r * 8 + j] = h1[j];
        }
      for (int j = 0; j < 6; j++)
        {
          h2[j] = 0;
          for (int k = 0; k < 8; k++)
            h2[j] += h1[k] * w2[k * 6 + j];
        }
      for (int j = 0; j < 2; j++)
        {
          y[r * 2 + j] = b3[j];
          for (int k = 0; k < 6; k++)
            y[r * 2 + j] += h2[k] * w3[k * 2 + j];
        }
    }
}

static SalTensor *
input_batch (int n, float seed)
{
  int64_t dims[2] = { n, 4 };
  SalTensor *t = sal_tensor_new_f32 (2, dims);

  for (int i = 0; i < n * 4; i++)
    sal_tensor_f32 (t)[i] = seed + 0.1f * (float) ((i * 7) % 11) - 0.5f;
  return t;
}

static void
check_output (SalRun *run, const SalTensor *x)
{
  const SalTensor *y = sal_run_get_output (run, 0);
  g_autofree double *ref = g_new (double, x->dims[0] * 2);

  g_assert_nonnull (y);
  g_assert_cmpint (y->rank, ==, 2);
  g_assert_cmpint (y->dims[0], ==, x->dims[0]);
  g_assert_cmpint (y->dims[1], ==, 2);
  mlp_reference (sal_tensor_f32 (x), x->dims[0], ref, NULL);
  for (int i = 0; i < x->dims[0] * 2; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (y)[i], ref[i], 1e-4);
}

static void
test_topo_order (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x = input_batch (3, 0);
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "first", "middle", "last" };

  g_assert_cmpuint (sal_model_n_nodes (model), ==, 3);
  for (int i = 0; i < 3; i++)
    g_assert_cmpstr (sal_graph_get_node (model->graph, i)->name, ==, expected[i]);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run->plan->n_steps, ==, 3);
  for (int i = 0; i < 3; i++)
    g_assert_cmpstr (run->plan->steps[i].node->name, ==, expected[i]);
  check_output (run, x);
}

static void
test_introspection (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  SalValueInfo info;
  g_autofree const char **types = NULL;
  guint n_types;

  g_assert_cmpuint (sal_model_n_inputs (model), ==, 1);
  sal_model_get_input (model, 0, &info);
  g_assert_cmpstr (info.name, ==, "x");
  g_assert_cmpint (info.rank, ==, 2);
  g_assert_cmpint (info.dims[0], ==, -1);
  g_assert_cmpint (info.dims[1], ==, 4);
  /* Shapes inferred at load: the batch dim stays dynamic. */
  sal_model_get_output (model, 0, &info);
  g_assert_cmpint (info.dtype, ==, SAL_DTYPE_FLOAT);
  g_assert_cmpint (info.rank, ==, 2);
  g_assert_cmpint (info.dims[0], ==, -1);
  g_assert_cmpint (info.dims[1], ==, 2);
  g_assert_cmpint (sal_model_parameter_count (model), ==, 32 + 8 + 48 + 12 + 2);
  types = sal_model_op_types (model, &n_types);
  g_assert_cmpuint (n_types, ==, 2);
  g_assert_cmpstr (types[0], ==, "Gemm");
  g_assert_cmpstr (types[1], ==, "MatMul");
  g_assert_cmpstr (sal_model_get_metadata (model, "salient.labels"), ==,
                   "[\"benign\", \"malignant\"]");
  g_assert_null (sal_model_get_metadata (model, "salient.task"));
  g_assert_cmpint (sal_model_find_output (model, "y"), ==, 0);
  g_assert_cmpint (sal_model_find_input (model, "nope"), ==, -1);
}

static void
test_cycle (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  int64_t dims[2] = { 2, 2 };
  const char *a_in[] = { "x", "c" }, *a_out[] = { "a" };
  const char *b_in[] = { "a", "x" }, *b_out[] = { "c" };
  SalModel *model;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, dims);
  sal_graph_builder_add_node (b, "MatMul", "A", 2, a_in, 1, a_out);
  sal_graph_builder_add_node (b, "MatMul", "B", 2, b_in, 1, b_out);
  sal_graph_builder_add_output (b, "a");
  model = sal_graph_builder_finish (b, &error);
  g_assert_null (model);
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cycle"));
}

static void
test_unsupported_ops (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  int64_t dims[1] = { 2 };
  const char *x[] = { "x" }, *o1[] = { "t1" }, *t1[] = { "t1" }, *o2[] = { "t2" };
  const char *t2[] = { "t2" }, *o3[] = { "y" };

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 1, dims);
  sal_graph_builder_add_node (b, "ScatterND", NULL, 1, x, 1, o1);
  sal_graph_builder_add_node (b, "Hardmax", NULL, 1, t1, 1, o2);
  sal_graph_builder_add_node (b, "ScatterND", NULL, 1, t2, 1, o3);
  sal_graph_builder_add_output (b, "y");
  g_assert_null (sal_graph_builder_finish (b, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==,
                   "the model uses operators Hardmax, ScatterND, which Salient does not support");
}

static void
test_dangling (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GError) error = NULL;
  int64_t dims[2] = { 2, 2 };
  const char *in[] = { "x", "ghost" }, *out[] = { "y" };

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, dims);
  sal_graph_builder_add_node (b, "MatMul", "mm", 2, in, 1, out);
  sal_graph_builder_add_output (b, "y");
  g_assert_null (sal_graph_builder_finish (b, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“ghost”"));
}

static void
test_bad_metadata (void)
{
  g_autoptr(SalGraphBuilder) b = mlp_builder ();
  g_autoptr(SalGraphBuilder) b2 = mlp_builder ();
  g_autoptr(GError) error = NULL;

  sal_graph_builder_set_metadata (b, "salient.labels", "{\"a\": 1}");
  g_assert_null (sal_graph_builder_finish (b, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "salient.labels"));
  g_clear_error (&error);
  sal_graph_builder_set_metadata (b2, "salient.task", "\"clustering\"");
  g_assert_null (sal_graph_builder_finish (b2, &error));
  g_assert_nonnull (strstr (error->message, "classification"));
}

static void
test_arena_reuse (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x = input_batch (16, 0);
  g_autoptr(GError) error = NULL;
  SalGraph *graph = model->graph;
  int h1 = sal_graph_find_value (graph, "h1"), h2 = sal_graph_find_value (graph, "h2");
  int y = sal_graph_find_value (graph, "y");
  gsize sum;

  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  /* h1 (16x8 floats) is dead once h2 exists, so y takes its place. */
  g_assert_cmpint (run->plan->kinds[h1], ==, SAL_SLOT_ARENA);
  g_assert_cmpint (run->plan->offsets[y], ==, run->plan->offsets[h1]);
  g_assert_cmpint (run->plan->offsets[h2], !=, run->plan->offsets[h1]);
  sum = (16 * 8 + 16 * 6 + 16 * 2) * sizeof (float);
  g_assert_cmpuint (run->plan->arena_bytes, <, sum);
  g_assert_cmpint (sal_run_bytes_held (run), ==, (gint64) run->plan->arena_bytes);
  /* Intermediate values are not retrievable unless kept. */
  g_assert_null (sal_run_get_value (run, "h1"));
  g_assert_nonnull (sal_run_get_value (run, "y"));
  g_assert_nonnull (sal_run_get_value (run, "W1"));
  check_output (run, x);
}

/* Ten MatMuls in a chain: the activations ping-pong between two slots, so
 * the arena holds three tensors (two slots and the output), not ten. */
static void
test_arena_chain (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  int64_t x_dims[2] = { 8, 16 }, w_dims[2] = { 16, 16 };
  g_autoptr(SalTensor) w = sal_tensor_new_f32 (2, w_dims);
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, x_dims);
  const SalTensor *y;

  for (int i = 0; i < 16; i++)
    sal_tensor_f32 (w)[i * 16 + i] = 1.0f;   /* identity */
  for (int i = 0; i < 8 * 16; i++)
    sal_tensor_f32 (x)[i] = i;
  sal_graph_builder_add_input (b, "a0", SAL_DTYPE_FLOAT, 2, x_dims);
  sal_graph_builder_add_initializer (b, "W", w);
  for (int k = 0; k < 10; k++)
    {
      g_autofree char *from = g_strdup_printf ("a%d", k), *to = g_strdup_printf ("a%d", k + 1);
      const char *in[] = { from, "W" }, *out[] = { to };
      sal_graph_builder_add_node (b, "MatMul", NULL, 2, in, 1, out);
    }
  sal_graph_builder_add_output (b, "a10");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  run = sal_run_new (model);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run->plan->arena_bytes, <=, 3 * 8 * 16 * sizeof (float));
  y = sal_run_get_output (run, 0);
  for (int i = 0; i < 8 * 16; i++)
    g_assert_cmpfloat (sal_tensor_f32 (y)[i], ==, (float) i);
}

static void
test_keep_value (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x = input_batch (5, 0.3f);
  g_autoptr(GError) error = NULL;
  const SalTensor *h1;
  double ref_y[10], ref_h1[40];

  g_assert_true (sal_run_keep_value (run, "h1", &error));
  g_assert_false (sal_run_keep_value (run, "nothing", &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  h1 = sal_run_get_value (run, "h1");
  g_assert_nonnull (h1);
  mlp_reference (sal_tensor_f32 (x), 5, ref_y, ref_h1);
  for (int i = 0; i < 40; i++)
    g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (h1)[i], ref_h1[i], 1e-4);
  /* A kept value keeps its own memory: y does not overwrite it. */
  g_assert_cmpint (run->plan->offsets[sal_graph_find_value (model->graph, "y")], !=,
                   run->plan->offsets[sal_graph_find_value (model->graph, "h1")]);
  check_output (run, x);
}

static void
test_steady_state_no_alloc (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x = input_batch (8, 0);
  g_autoptr(SalTensor) x2 = input_batch (8, 1.5f);
  g_autoptr(GError) error = NULL;
  SalAllocStats before, after;

  sal_run_set_threads (run, 2);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  sal_alloc_stats (&before);
  for (int i = 0; i < 20; i++)
    {
      g_assert_true (sal_run_set_input (run, 0, i % 2 ? x : x2, &error));
      g_assert_true (sal_run_execute (run, &error));
    }
  sal_alloc_stats (&after);
  g_assert_cmpuint (after.n_allocs, ==, before.n_allocs);
  g_assert_cmpint (after.bytes_live, ==, before.bytes_live);
  g_assert_cmpuint (sal_run_n_plans (run), ==, 1);
  check_output (run, x);   /* the last round ran x */
}

static void
test_replan (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x3 = input_batch (3, 0);
  g_autoptr(SalTensor) x7 = input_batch (7, 0.2f);
  g_autoptr(SalTensor) bad = NULL;
  g_autoptr(GError) error = NULL;
  int64_t bad_dims[2] = { 3, 5 };

  g_assert_true (sal_run_set_input (run, 0, x3, &error));
  g_assert_true (sal_run_execute (run, &error));
  check_output (run, x3);
  g_assert_true (sal_run_set_input (run, 0, x7, &error));
  g_assert_true (sal_run_execute (run, &error));
  check_output (run, x7);
  g_assert_cmpuint (sal_run_n_plans (run), ==, 2);

  bad = sal_tensor_new_f32 (2, bad_dims);
  g_assert_true (sal_run_set_input (run, 0, bad, &error));
  g_assert_false (sal_run_execute (run, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "[-1, 4]"));
}

typedef struct {
  int    polls;
  int    stop_after;
  double fractions[8];
  int    n_progress;
} Callbacks;

static gboolean
cancel_cb (gpointer data)
{
  Callbacks *c = data;

  return ++c->polls > c->stop_after;
}

static void
progress_cb (double fraction, gpointer data)
{
  Callbacks *c = data;

  if (c->n_progress < 8)
    c->fractions[c->n_progress] = fraction;
  c->n_progress++;
}

static void
test_cancel_progress (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalTensor) x = input_batch (2, 0);
  g_autoptr(GError) error = NULL;
  Callbacks c = { 0, 100 };

  sal_run_set_callbacks (run, cancel_cb, progress_cb, &c);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_cmpint (c.polls, ==, 3);
  g_assert_cmpint (c.n_progress, ==, 3);
  g_assert_cmpfloat_with_epsilon (c.fractions[0], 1.0 / 3, 1e-9);
  g_assert_cmpfloat_with_epsilon (c.fractions[2], 1.0, 1e-9);

  c = (Callbacks) { 0, 1 };
  g_assert_false (sal_run_execute (run, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_CANCELLED);
  g_assert_cmpint (c.polls, ==, 2);
  g_assert_cmpint (c.n_progress, ==, 1);
}

static void
test_memory_accounting (void)
{
  SalAllocStats start, end;
  gint64 weights = (32 + 8 + 48 + 12 + 2) * 4;

  sal_alloc_stats (&start);
  {
    g_autoptr(SalModel) model = mlp_model ();
    g_autoptr(SalRun) run = sal_run_new (model);
    g_autoptr(SalTensor) x = input_batch (32, 0);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (sal_model_bytes_held (model), >=, weights);
    g_assert_cmpint (sal_model_bytes_held (model), <, weights + 4096);
    g_assert_cmpint (sal_run_bytes_held (run), ==, 0);
    g_assert_true (sal_run_set_input (run, 0, x, &error));
    g_assert_true (sal_run_execute (run, &error));
    /* The arena holds at least the output and the largest live pair. */
    g_assert_cmpint (sal_run_bytes_held (run), >=, (32 * 8 + 32 * 6) * 4);
  }
  sal_alloc_stats (&end);
  g_assert_cmpint (end.bytes_live, ==, start.bytes_live);
}

static void
test_constant_folding (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalTensor) x = input_batch (2, 0);
  int64_t in_dims[2] = { 2, 4 }, d1[2] = { 4, 8 }, d2[2] = { 8, 6 };
  const char *f_in[] = { "W1", "W2" }, *f_out[] = { "W12" };
  const char *m_in[] = { "x", "W12" }, *m_out[] = { "z" };
  const SalTensor *z;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, in_dims);
  add_weight (b, "W1", 2, d1, w1);
  add_weight (b, "W2", 2, d2, w2);
  sal_graph_builder_add_node (b, "MatMul", "mm", 2, m_in, 1, m_out);
  sal_graph_builder_add_node (b, "MatMul", "fold", 2, f_in, 1, f_out);
  sal_graph_builder_add_output (b, "z");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_true (model->node_folded[0]);   /* "fold" sorts first */
  g_assert_false (model->node_folded[1]);
  run = sal_run_new (model);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_cmpint (run->plan->n_steps, ==, 1);
  z = sal_run_get_output (run, 0);
  for (int r = 0; r < 2; r++)
    for (int j = 0; j < 6; j++)
      {
        double acc = 0;
        for (int k = 0; k < 8; k++)
          {
            double h = 0;
            for (int i = 0; i < 4; i++)
              h += sal_tensor_f32 (x)[r * 4 + i] * w1[i * 8 + k];
            acc += h * w2[k * 6 + j];
          }
        g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (z)[r * 6 + j], acc, 1e-4);
      }
}

/* PyTorch's flatten: Reshape (x, Concat (Unsqueeze (Gather (Shape (x), 0)), [-1])).
 * The shape chain is computed at plan time from x's shape alone, so runs with
 * new data neither re-plan nor allocate, and only Reshape runs. */
static void
test_shape_chain (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  int64_t x_dims[3] = { -1, 2, 3 }, one = 1;
  g_autoptr(SalTensor) zero = sal_tensor_new (SAL_DTYPE_INT64, 0, NULL, NULL);
  g_autoptr(SalTensor) axes = sal_tensor_new (SAL_DTYPE_INT64, 1, &one, NULL);
  g_autoptr(SalTensor) minus1 = sal_tensor_new (SAL_DTYPE_INT64, 1, &one, NULL);
  const char *s_in[] = { "x" }, *s_out[] = { "shape" };
  const char *g_in[] = { "shape", "zero" }, *g_out[] = { "n" };
  const char *u_in[] = { "n", "axes" }, *u_out[] = { "n1" };
  const char *c_in[] = { "n1", "minus1" }, *c_out[] = { "target" };
  const char *r_in[] = { "x", "target" }, *r_out[] = { "y" };
  SalAllocStats before, after;
  SalNode *concat;

  sal_tensor_i64 (minus1)[0] = -1;
  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 3, x_dims);
  sal_graph_builder_add_initializer (b, "zero", zero);
  sal_graph_builder_add_initializer (b, "axes", axes);
  sal_graph_builder_add_initializer (b, "minus1", minus1);
  sal_graph_builder_add_node (b, "Shape", "shape", 1, s_in, 1, s_out);
  sal_graph_builder_add_node (b, "Gather", "batch", 2, g_in, 1, g_out);
  sal_graph_builder_add_node (b, "Unsqueeze", "unsqueeze", 2, u_in, 1, u_out);
  concat = sal_graph_builder_add_node (b, "Concat", "concat", 2, c_in, 1, c_out);
  sal_node_set_int (concat, "axis", 0);
  sal_graph_builder_add_node (b, "Reshape", "flatten", 2, r_in, 1, r_out);
  sal_graph_builder_add_output (b, "y");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  run = sal_run_new (model);

  for (int batch = 2; batch <= 3; batch++)
    {
      int64_t dims[3] = { batch, 2, 3 };
      g_autoptr(SalTensor) x = sal_tensor_new_f32 (3, dims);
      const SalTensor *y;

      for (int round = 0; round < 3; round++)
        {
          for (int64_t i = 0; i < x->numel; i++)
            sal_tensor_f32 (x)[i] = i * (round + 1);
          g_assert_true (sal_run_set_input (run, 0, x, &error));
          if (round == 1)
            sal_alloc_stats (&before);
          g_assert_true (sal_run_execute (run, &error));
          g_assert_no_error (error);
          y = sal_run_get_output (run, 0);
          g_assert_cmpint (y->rank, ==, 2);
          g_assert_cmpint (y->dims[0], ==, batch);
          g_assert_cmpint (y->dims[1], ==, 6);
          g_assert_cmpfloat (sal_tensor_f32 (y)[7], ==, 7.0f * (round + 1));
        }
      sal_alloc_stats (&after);
      g_assert_cmpuint (after.n_allocs, ==, before.n_allocs);
      g_assert_cmpint (run->plan->n_steps, ==, 1);
      g_assert_cmpint (run->plan->level, ==, 0);
    }
  g_assert_cmpuint (sal_run_n_plans (run), ==, 2);
}

/* Reshape whose target shape is a graph input: planned with the input's
 * value, and planned again when that value changes. */
static void
test_value_dependent_plan (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  int64_t x_dims[2] = { 4, 6 }, two = 2;
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, x_dims);
  g_autoptr(SalTensor) shape = sal_tensor_new (SAL_DTYPE_INT64, 1, &two, NULL);
  const char *r_in[] = { "x", "shape" }, *r_out[] = { "y" };
  const SalTensor *y;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 2, x_dims);
  sal_graph_builder_add_input (b, "shape", SAL_DTYPE_INT64, 1, &two);
  sal_graph_builder_add_node (b, "Reshape", "reshape", 2, r_in, 1, r_out);
  sal_graph_builder_add_output (b, "y");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  run = sal_run_new (model);
  sal_tensor_i64 (shape)[0] = 3;
  sal_tensor_i64 (shape)[1] = 8;
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_set_input (run, 1, shape, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  y = sal_run_get_output (run, 0);
  g_assert_cmpint (y->dims[0], ==, 3);
  g_assert_cmpint (y->dims[1], ==, 8);
  g_assert_cmpint (run->plan->level, ==, 1);
  g_assert_true (sal_run_execute (run, &error));
  g_assert_cmpuint (sal_run_n_plans (run), ==, 1);
  sal_tensor_i64 (shape)[0] = 12;
  sal_tensor_i64 (shape)[1] = 2;
  g_assert_true (sal_run_execute (run, &error));
  y = sal_run_get_output (run, 0);
  g_assert_cmpint (y->dims[0], ==, 12);
  g_assert_cmpuint (sal_run_n_plans (run), ==, 2);
  sal_tensor_i64 (shape)[1] = 5;
  g_assert_false (sal_run_execute (run, &error));
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Reshape"));
}

static void
test_training_mode (void)
{
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GError) error = NULL;
  int64_t dims[1] = { 1000 };
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (1, dims);
  const char *in[] = { "x" }, *out[] = { "y" };
  GRand *rng = g_rand_new_with_seed (5);
  const SalTensor *y;
  int zeros = 0, doubled = 0;

  sal_graph_builder_add_input (b, "x", SAL_DTYPE_FLOAT, 1, dims);
  sal_graph_builder_add_node (b, "Dropout", "drop", 1, in, 1, out);
  sal_graph_builder_add_output (b, "y");
  model = sal_graph_builder_finish (b, &error);
  g_assert_no_error (error);
  run = sal_run_new (model);
  for (int i = 0; i < 1000; i++)
    sal_tensor_f32 (x)[i] = 1.0f;
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  y = sal_run_get_output (run, 0);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpfloat (sal_tensor_f32 (y)[i], ==, 1.0f);   /* inference: identity */

  sal_run_set_training (run, TRUE, rng);
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  y = sal_run_get_output (run, 0);
  for (int i = 0; i < 1000; i++)
    {
      zeros += sal_tensor_f32 (y)[i] == 0.0f;
      doubled += sal_tensor_f32 (y)[i] == 2.0f;   /* kept values scale by 1 / (1 - 0.5) */
    }
  g_assert_cmpint (zeros + doubled, ==, 1000);
  g_assert_cmpint (zeros, >, 400);
  g_assert_cmpint (zeros, <, 600);
  g_rand_free (rng);
}

static void
test_save_roundtrip (void)
{
  g_autoptr(SalModel) model = mlp_model ();
  g_autoptr(SalModel) again = NULL;
  g_autoptr(SalRun) run = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SalTensor) x = input_batch (4, 0.7f);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data;

  bytes = sal_model_save_bytes (model, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  again = sal_model_load_bytes (data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sal_model_get_metadata (again, "salient.labels"), ==,
                   "[\"benign\", \"malignant\"]");
  g_assert_cmpint (sal_model_parameter_count (again), ==, sal_model_parameter_count (model));
  run = sal_run_new (again);
  g_assert_true (sal_run_set_input (run, 0, x, &error));
  g_assert_true (sal_run_execute (run, &error));
  g_assert_no_error (error);
  check_output (run, x);
}

typedef struct {
  gint   *hits;
  GMutex  lock;
  GHashTable *threads;
} ParData;

static void
par_fn (int64_t i0, int64_t i1, gpointer data)
{
  ParData *p = data;

  for (int64_t i = i0; i < i1; i++)
    g_atomic_int_inc (&p->hits[i]);
  g_mutex_lock (&p->lock);
  g_hash_table_add (p->threads, g_thread_self ());
  g_mutex_unlock (&p->lock);
}

static void
test_thread_team (void)
{
  SalThreadTeam *team = sal_thread_team_new (3);
  SalExecCtx ctx = { .n_threads = 3, .runner = team };
  ParData p = { g_new0 (gint, 1000) };

  g_mutex_init (&p.lock);
  p.threads = g_hash_table_new (NULL, NULL);
  for (int round = 0; round < 50; round++)
    sal_exec_parallel_for (&ctx, 1000, par_fn, &p);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpint (p.hits[i], ==, 50);
  /* Three threads at most, the caller among them. */
  g_assert_cmpuint (g_hash_table_size (p.threads), <=, 3);
  g_assert_true (g_hash_table_contains (p.threads, g_thread_self ()));

  /* Fewer items than threads; and a context limited to one thread stays serial. */
  memset (p.hits, 0, 1000 * sizeof (gint));
  sal_exec_parallel_for (&ctx, 2, par_fn, &p);
  g_assert_cmpint (p.hits[0] + p.hits[1] + p.hits[2], ==, 2);
  ctx.n_threads = 1;
  g_hash_table_remove_all (p.threads);
  sal_exec_parallel_for (&ctx, 1000, par_fn, &p);
  g_assert_cmpuint (g_hash_table_size (p.threads), ==, 1);

  g_assert_cmpint (sal_exec_default_threads (), >=, 1);
  sal_thread_team_free (team);
  g_hash_table_unref (p.threads);
  g_mutex_clear (&p.lock);
  g_free (p.hits);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  init_weights ();
  g_test_add_func ("/engine/graph/topo-order", test_topo_order);
  g_test_add_func ("/engine/graph/introspection", test_introspection);
  g_test_add_func ("/engine/graph/cycle", test_cycle);
  g_test_add_func ("/engine/graph/unsupported-ops", test_unsupported_ops);
  g_test_add_func ("/engine/graph/dangling", test_dangling);
  g_test_add_func ("/engine/graph/bad-metadata", test_bad_metadata);
  g_test_add_func ("/engine/graph/arena-reuse", test_arena_reuse);
  g_test_add_func ("/engine/graph/arena-chain", test_arena_chain);
  g_test_add_func ("/engine/graph/keep-value", test_keep_value);
  g_test_add_func ("/engine/graph/steady-state-no-alloc", test_steady_state_no_alloc);
  g_test_add_func ("/engine/graph/replan", test_replan);
  g_test_add_func ("/engine/graph/cancel-progress", test_cancel_progress);
  g_test_add_func ("/engine/graph/memory-accounting", test_memory_accounting);
  g_test_add_func ("/engine/graph/constant-folding", test_constant_folding);
  g_test_add_func ("/engine/graph/shape-chain", test_shape_chain);
  g_test_add_func ("/engine/graph/value-dependent-plan", test_value_dependent_plan);
  g_test_add_func ("/engine/graph/training-mode", test_training_mode);
  g_test_add_func ("/engine/graph/save-roundtrip", test_save_roundtrip);
  g_test_add_func ("/engine/graph/thread-team", test_thread_team);
  return g_test_run ();
}
