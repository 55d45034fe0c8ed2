/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Planning and running. A plan is made for the shapes of a run's inputs:
 * shapes are inferred node by node, nodes whose inputs are all known are
 * computed right away (so Reshape, Slice, Expand... get their shape inputs),
 * and the remaining nodes' outputs get offsets in one arena, reusing memory
 * whose value is no longer needed. Executing a plan allocates nothing. */

#include "sal-plan-private.h"
#include "sal-error.h"

#include <string.h>

#define ALIGN 64
/* A hostile model can ask for a huge tensor in a few bytes (ConstantOfShape
 * of [2e9]); refuse before touching the memory. */
#define MAX_TENSOR_BYTES ((gsize) 4 << 30)
#define MAX_ARENA_BYTES  ((gsize) 8 << 30)

/* Storage for zero-element tensors, so that "data != NULL" still means known. */
static guint64 empty_data[8];

static gboolean
dtype_ok (SalDType d)
{
  return d == SAL_DTYPE_FLOAT || d == SAL_DTYPE_INT64 || d == SAL_DTYPE_INT32 ||
         d == SAL_DTYPE_BOOL || d == SAL_DTYPE_UINT8 || d == SAL_DTYPE_INT8;
}

/* Operators whose outputs depend only on their inputs' shapes: computed at
 * plan time even when the input values are not known, so that PyTorch's
 * Shape -> Gather -> Concat -> Reshape chains fold into constants. */
static gboolean
shape_only_op (const SalNode *node)
{
  return strcmp (node->op_type, "Shape") == 0 || strcmp (node->op_type, "Size") == 0;
}

static gboolean
check_inferred (const SalNode *node, int index, int o, SalTensor *t, GError **error)
{
  int64_t numel;

  if (!dtype_ok (t->dtype) || t->rank < 0 || t->rank > SAL_MAX_RANK ||
      !sal_shape_numel (t->rank, t->dims, &numel))
    {
      g_autofree char *label = sal_node_label (node, index);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s: output %d has no valid type or shape (dtype %d, rank %d)", label, o,
                   t->dtype, t->rank);
      return FALSE;
    }
  t->numel = numel;
  return TRUE;
}

gboolean
sal_plan_fold_node (SalNode *node, SalTensor *const *in, SalTensor **out, GPtrArray *owned,
                    GError **error)
{
  SalExecCtx ctx = { .n_threads = 1 };
  gsize workspace = 0;
  void *scratch = NULL;
  gboolean ok;

  for (int o = 0; o < node->n_outputs; o++)
    {
      out[o] = NULL;
      if (node->outputs[o] < 0)
        continue;
      out[o] = g_new0 (SalTensor, 1);
      g_ptr_array_add (owned, out[o]);
    }
  if (!node->def->infer (node, in, out, &workspace, error))
    return FALSE;
  for (int o = 0; o < node->n_outputs; o++)
    {
      gsize nbytes;
      if (out[o] == NULL)
        continue;
      if (!check_inferred (node, -1, o, out[o], error))
        return FALSE;
      nbytes = sal_tensor_nbytes (out[o]);
      if (nbytes > MAX_TENSOR_BYTES)
        {
          g_autofree char *shape = sal_shape_to_string (out[o]->rank, out[o]->dims);
          g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                       "output %d of shape %s would take %" G_GSIZE_FORMAT " bytes; the limit is %"
                       G_GSIZE_FORMAT, o, shape, nbytes, MAX_TENSOR_BYTES);
          return FALSE;
        }
      if (nbytes == 0)
        {
          out[o]->data = empty_data;
          continue;
        }
      out[o]->data = sal_alloc0 (nbytes);
      if (out[o]->data == NULL)
        goto no_memory;
      out[o]->owns_data = TRUE;
    }
  if (workspace > 0 && (scratch = sal_alloc0 (workspace)) == NULL)
    goto no_memory;
  ok = node->def->forward (node, in, out, scratch, &ctx, error);
  sal_free (scratch);
  return ok;

no_memory:
  g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY, "out of memory computing constants");
  return FALSE;
}

/* ---- the plan ---- */

static void
plan_free (SalPlan *plan, guint n_inputs)
{
  if (plan == NULL)
    return;
  for (int s = 0; s < plan->n_steps; s++)
    {
      g_free (plan->steps[s].in);
      g_free (plan->steps[s].out);
    }
  g_free (plan->steps);
  g_free (plan->values);
  g_free (plan->kinds);
  g_free (plan->offsets);
  sal_free (plan->arena);
  g_ptr_array_unref (plan->owned);
  for (guint i = 0; plan->snapshot != NULL && i < n_inputs; i++)
    sal_tensor_free (plan->snapshot[i]);
  g_free (plan->snapshot);
  g_free (plan);
}

typedef struct {
  gsize size;
  int   start, end;    /* step range in which the block is live */
  int   value;         /* value index, or -1 - step for a workspace */
  gsize offset;
} Block;

static int
cmp_offset (gconstpointer a, gconstpointer b)
{
  const Block *x = *(Block *const *) a, *y = *(Block *const *) b;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int
cmp_size (gconstpointer a, gconstpointer b)
{
  const Block *x = a, *y = b;

  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return x->value < y->value ? -1 : x->value > y->value;
}

/* First fit, largest blocks first: each block goes at the lowest offset
 * where it overlaps no already placed block that is live at the same time. */
static gsize
assign_offsets (GArray *blocks)
{
  g_autoptr(GPtrArray) placed = g_ptr_array_new ();
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  gsize total = 0;

  g_array_sort (blocks, cmp_size);

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *b = &g_array_index (blocks, Block, i);
      gsize offset = 0;

      g_ptr_array_set_size (live, 0);
      for (guint k = 0; k < placed->len; k++)
        {
          Block *p = g_ptr_array_index (placed, k);
          if (p->start <= b->end && b->start <= p->end)
            g_ptr_array_add (live, p);
        }
      g_ptr_array_sort (live, cmp_offset);
      for (guint k = 0; k < live->len; k++)
        {
          Block *p = g_ptr_array_index (live, k);
          if (offset + b->size <= p->offset)
            break;
          offset = MAX (offset, p->offset + p->size);
        }
      b->offset = offset;
      total = MAX (total, offset + b->size);
      g_ptr_array_add (placed, b);
    }
  return total;
}

static gboolean
input_known_at_level (const SalTensor *t, int level)
{
  return level >= 2 || (level >= 1 && t->dtype != SAL_DTYPE_FLOAT);
}

static gboolean
check_input (SalRun *run, guint i, GError **error)
{
  SalGraph *graph = run->model->graph;
  SalValue *v = sal_graph_get_value (graph, g_array_index (graph->inputs, int, i));
  const SalTensor *t = run->inputs[i];
  gboolean fits;

  if (t == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model’s input “%s” was not given", v->name);
      return FALSE;
    }
  if (t->dtype != v->dtype)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model’s input “%s” takes %s values, not %s", v->name,
                   sal_dtype_name (v->dtype), sal_dtype_name (t->dtype));
      return FALSE;
    }
  fits = v->rank < 0 || v->rank == t->rank;
  for (int d = 0; fits && v->rank >= 0 && d < v->rank; d++)
    fits = v->dims[d] < 0 || v->dims[d] == t->dims[d];
  if (!fits)
    {
      g_autofree char *want = sal_shape_to_string (v->rank, v->dims);
      g_autofree char *got = sal_shape_to_string (t->rank, t->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model’s input “%s” has shape %s (-1: any size), not %s",
                   v->name, want, got);
      return FALSE;
    }
  if (t->numel > 0 && t->data == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the tensor given for input “%s” has no data", v->name);
      return FALSE;
    }
  return TRUE;
}

/* Ops whose backward reads nothing their forward left in the workspace
 * (they rebuild their tables, or use it as a work area only). Others
 * (Dropout's mask, the recurrent ops' gates...) keep theirs for backward. */
static gboolean
scratch_is_temporary (const SalNode *node)
{
  static const char *const ops[] = { "Conv", "ConvTranspose", "Gemm", "MatMul", "MaxPool",
                                     "AveragePool", "GlobalMaxPool", "GlobalAveragePool" };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (node->op_type, ops[i]) == 0)
      return node->n_outputs <= 1;
  return FALSE;
}

/* Allocates the arena (at the first execute: a plan made only to learn its
 * sizes costs no memory) and points the values and workspaces into it. The
 * arena is not zeroed: every step writes its outputs before they are read. */
static gboolean
plan_bind (SalRun *run, GError **error)
{
  SalPlan *plan = run->plan;
  guint nv = run->model->graph->values->len;

  if (plan->arena != NULL || plan->arena_bytes == 0)
    return TRUE;
  sal_alloc_push_account (&run->account);
  plan->arena = sal_alloc (plan->arena_bytes);
  sal_alloc_pop_account ();
  if (plan->arena == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY,
                   "out of memory: the run needs %" G_GSIZE_FORMAT " bytes of activations",
                   plan->arena_bytes);
      return FALSE;
    }
  for (guint v = 0; v < nv; v++)
    if (plan->kinds[v] == SAL_SLOT_ARENA && plan->values[v].numel > 0)
      plan->values[v].data = plan->arena + plan->offsets[v];
  for (int s = 0; s < plan->n_steps; s++)
    if (plan->steps[s].workspace > 0)
      plan->steps[s].scratch = plan->arena + plan->steps[s].scratch_offset;
  return TRUE;
}

static SalPlan *
plan_build (SalRun *run, int level, GError **error)
{
  SalModel *model = run->model;
  SalGraph *graph = model->graph;
  guint nv = graph->values->len, n_inputs = graph->inputs->len;
  SalPlan *plan = g_new0 (SalPlan, 1);
  g_autofree int *step_of = g_new (int, graph->nodes->len + 1);
  g_autofree int *last_use = g_new (int, nv + 1);
  g_autoptr(GArray) blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  gsize arena_bytes, shared_ws = 0;

  plan->values = g_new0 (SalTensor, nv + 1);
  plan->kinds = g_new0 (guint8, nv + 1);
  plan->offsets = g_new0 (gsize, nv + 1);
  plan->steps = g_new0 (SalPlanStep, graph->nodes->len + 1);
  plan->owned = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  plan->snapshot = g_new0 (SalTensor *, n_inputs + 1);
  plan->level = level;
  plan->keep_all = run->keep_all;

  for (guint v = 0; v < nv; v++)
    if (model->consts[v] != NULL)
      {
        plan->values[v] = *model->consts[v];
        plan->values[v].owns_data = FALSE;
        plan->kinds[v] = SAL_SLOT_CONST;
      }

  for (guint i = 0; i < n_inputs; i++)
    {
      int vi = g_array_index (graph->inputs, int, i);
      const SalTensor *t = run->inputs[i];

      if (!check_input (run, i, error))
        goto fail;
      plan->values[vi] = *t;
      plan->values[vi].owns_data = FALSE;
      plan->values[vi].data = NULL;
      plan->kinds[vi] = SAL_SLOT_INPUT;
      if (input_known_at_level (t, level))
        {
          plan->snapshot[i] = sal_tensor_copy (t);
          if (plan->snapshot[i] == NULL)
            {
              g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY, "out of memory planning the run");
              goto fail;
            }
          plan->values[vi].data = plan->snapshot[i]->numel > 0 ? plan->snapshot[i]->data
                                                                : (void *) empty_data;
          plan->kinds[vi] = SAL_SLOT_CONST;
        }
    }

  /* Shapes, node by node; fold what is known. */
  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      SalTensor **in, **out;
      gboolean known = TRUE;
      SalPlanStep *step;

      step_of[n] = -1;
      if (model->node_folded[n])
        continue;
      in = g_new0 (SalTensor *, node->n_inputs + 1);
      out = g_new0 (SalTensor *, node->n_outputs + 1);
      for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] >= 0)
          {
            in[i] = &plan->values[node->inputs[i]];
            known = known && plan->kinds[node->inputs[i]] == SAL_SLOT_CONST;
          }
      if (shape_only_op (node))
        known = TRUE;
      if (known)
        {
          g_autoptr(GError) local = NULL;
          gboolean ok = sal_plan_fold_node (node, in, out, plan->owned, &local);
          if (ok)
            for (int o = 0; o < node->n_outputs; o++)
              if (node->outputs[o] >= 0)
                {
                  plan->values[node->outputs[o]] = *out[o];
                  plan->values[node->outputs[o]].owns_data = FALSE;
                  plan->kinds[node->outputs[o]] = SAL_SLOT_CONST;
                }
          g_free (in);
          g_free (out);
          if (!ok)
            {
              g_autofree char *label = sal_node_label (node, n);
              g_set_error (error, SAL_ERROR, local->code, "%s: %s", label, local->message);
              goto fail;
            }
          continue;
        }

      step = &plan->steps[plan->n_steps];
      step->node = node;
      step->node_index = n;
      step->in = in;
      step->out = out;
      step_of[n] = plan->n_steps++;
      for (int o = 0; o < node->n_outputs; o++)
        if (node->outputs[o] >= 0)
          {
            out[o] = &plan->values[node->outputs[o]];
            memset (out[o], 0, sizeof *out[o]);
          }
      {
        g_autoptr(GError) local = NULL;
        if (!node->def->infer (node, in, out, &step->workspace, &local))
          {
            g_autofree char *label = sal_node_label (node, n);
            g_set_error (error, SAL_ERROR, local->code, "%s: %s", label, local->message);
            goto fail;
          }
      }
      for (int o = 0; o < node->n_outputs; o++)
        if (out[o] != NULL)
          {
            if (!check_inferred (node, n, o, out[o], error))
              goto fail;
            out[o]->data = NULL;
            out[o]->owns_data = FALSE;
            plan->kinds[node->outputs[o]] = SAL_SLOT_ARENA;
          }
    }

  /* Lifetimes, in steps. */
  for (guint v = 0; v < nv; v++)
    last_use[v] = -1;
  for (int s = 0; s < plan->n_steps; s++)
    {
      SalNode *node = plan->steps[s].node;
      for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] >= 0)
          last_use[node->inputs[i]] = s;
    }
  for (guint v = 0; v < nv; v++)
    {
      SalValue *val = sal_graph_get_value (graph, v);
      Block b = { 0 };

      if (plan->kinds[v] != SAL_SLOT_ARENA)
        continue;
      b.size = (sal_tensor_nbytes (&plan->values[v]) + ALIGN - 1) / ALIGN * ALIGN;
      b.start = step_of[val->producer];
      b.end = MAX (b.start, last_use[v]);
      if (val->is_output || run->keep_all || run->keep[v])
        b.end = G_MAXINT;
      b.value = v;
      if (b.size > 0)
        g_array_append_val (blocks, b);
    }
  for (int s = 0; s < plan->n_steps; s++)
    {
      Block b = { 0 };
      gsize size = (plan->steps[s].workspace + ALIGN - 1) / ALIGN * ALIGN;
      /* Keeping every value for a backward pass keeps each step's
       * workspace too, unless the op's backward only uses it as scratch:
       * those steps share one region past all the kept values. */
      if (run->keep_all && scratch_is_temporary (plan->steps[s].node))
        {
          shared_ws = MAX (shared_ws, size);
          continue;
        }
      b.size = size;
      b.start = s;
      b.end = run->keep_all ? G_MAXINT : s;
      b.value = -1 - s;
      if (b.size > 0)
        g_array_append_val (blocks, b);
    }
  arena_bytes = assign_offsets (blocks);
  for (int s = 0; s < plan->n_steps; s++)
    plan->steps[s].scratch_offset = arena_bytes;
  arena_bytes += shared_ws;
  if (arena_bytes > MAX_ARENA_BYTES)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                   "the run would need %" G_GSIZE_FORMAT " bytes of activations; the limit is %"
                   G_GSIZE_FORMAT " (use a smaller batch or input)", arena_bytes, MAX_ARENA_BYTES);
      goto fail;
    }
  plan->arena_bytes = arena_bytes;
  for (guint v = 0; v < nv; v++)
    if (plan->kinds[v] == SAL_SLOT_ARENA)
      {
        plan->values[v].data = empty_data;
        plan->value_bytes += sal_tensor_nbytes (&plan->values[v]);
      }
  for (guint k = 0; k < blocks->len; k++)
    {
      Block *b = &g_array_index (blocks, Block, k);
      if (b->value >= 0)
        plan->offsets[b->value] = b->offset;
      else
        plan->steps[-1 - b->value].scratch_offset = b->offset;
    }
  return plan;

fail:
  plan_free (plan, n_inputs);
  return NULL;
}

/* ---- runs ---- */

SalRun *
sal_run_new (SalModel *model)
{
  SalRun *run = g_new0 (SalRun, 1);

  run->model = sal_model_ref (model);
  run->inputs = g_new0 (const SalTensor *, model->graph->inputs->len + 1);
  run->keep = g_new0 (gboolean, model->graph->values->len + 1);
  return run;
}

void
sal_run_free (SalRun *run)
{
  if (run == NULL)
    return;
  plan_free (run->plan, run->model->graph->inputs->len);
  if (run->team != NULL)
    sal_thread_team_free (run->team);
  g_free (run->inputs);
  g_free (run->keep);
  sal_model_unref (run->model);
  g_free (run);
}

SalModel *
sal_run_get_model (SalRun *run)
{
  return run->model;
}

static void
drop_plan (SalRun *run)
{
  plan_free (run->plan, run->model->graph->inputs->len);
  run->plan = NULL;
}

void
sal_run_set_threads (SalRun *run, int n_threads)
{
  if (n_threads == run->n_threads)
    return;
  run->n_threads = MAX (n_threads, 0);
  if (run->team != NULL)
    {
      sal_thread_team_free (run->team);
      run->team = NULL;
    }
}

void
sal_run_set_training (SalRun *run, gboolean training, GRand *rng)
{
  run->ctx.training = !!training;
  run->ctx.rng = rng;
}

void
sal_run_set_callbacks (SalRun *run, SalCancelFunc cancel, SalProgressFunc progress,
                       gpointer user_data)
{
  run->cancel = cancel;
  run->progress = progress;
  run->user_data = user_data;
}

gboolean
sal_run_keep_value (SalRun *run, const char *name, GError **error)
{
  int v = sal_graph_find_value (run->model->graph, name);

  if (v < 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model has no value called “%s”",
                   name);
      return FALSE;
    }
  if (!run->keep[v])
    {
      run->keep[v] = TRUE;
      drop_plan (run);
    }
  return TRUE;
}

void
sal_run_keep_all (SalRun *run, gboolean keep_all)
{
  if (run->keep_all == !!keep_all)
    return;
  run->keep_all = !!keep_all;
  drop_plan (run);
}

gboolean
sal_run_set_input (SalRun *run, guint index, const SalTensor *tensor, GError **error)
{
  if (index >= run->model->graph->inputs->len)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model has %u inputs; there is no input #%u",
                   run->model->graph->inputs->len, index);
      return FALSE;
    }
  run->inputs[index] = tensor;
  return TRUE;
}

gboolean
sal_run_set_input_by_name (SalRun *run, const char *name, const SalTensor *tensor,
                           GError **error)
{
  int index = sal_model_find_input (run->model, name);

  if (index < 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model has no input called “%s”",
                   name);
      return FALSE;
    }
  return sal_run_set_input (run, index, tensor, error);
}

/* Whether the inputs still fit the plan: same shapes, and the same values
 * for the inputs the plan computed with. */
static gboolean
plan_fits (SalRun *run)
{
  SalGraph *graph = run->model->graph;
  SalPlan *plan = run->plan;

  if (plan == NULL)
    return FALSE;
  for (guint i = 0; i < graph->inputs->len; i++)
    {
      const SalTensor *t = run->inputs[i];
      const SalTensor *p = &plan->values[g_array_index (graph->inputs, int, i)];

      if (t == NULL || t->dtype != p->dtype || !sal_tensor_same_shape (t, p))
        return FALSE;
      if (plan->snapshot[i] != NULL &&
          memcmp (plan->snapshot[i]->data, t->data, sal_tensor_nbytes (t)) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
replan (SalRun *run, GError **error)
{
  SalGraph *graph = run->model->graph;
  gboolean has_int = FALSE, has_float = FALSE;
  int first = run->plan != NULL ? run->plan->level : 0;
  g_autoptr(GError) last = NULL;

  for (guint i = 0; i < graph->inputs->len; i++)
    {
      if (!check_input (run, i, error))
        return FALSE;
      if (run->inputs[i]->dtype == SAL_DTYPE_FLOAT)
        has_float = TRUE;
      else
        has_int = TRUE;
    }
  drop_plan (run);
  for (int level = first; level <= 2; level++)
    {
      if ((level == 1 && !has_int) || (level == 2 && !has_float))
        continue;
      g_clear_error (&last);
      sal_alloc_push_account (&run->account);
      run->plan = plan_build (run, level, &last);
      sal_alloc_pop_account ();
      if (run->plan != NULL)
        {
          run->n_plans++;
          return TRUE;
        }
    }
  g_propagate_error (error, g_steal_pointer (&last));
  return FALSE;
}

gboolean
sal_run_execute (SalRun *run, GError **error)
{
  SalGraph *graph = run->model->graph;
  SalPlan *plan;

  if (!plan_fits (run) && !replan (run, error))
    return FALSE;
  if (!plan_bind (run, error))
    return FALSE;
  plan = run->plan;

  if (run->team == NULL)
    {
      int n = run->n_threads > 0 ? run->n_threads : sal_exec_default_threads ();
      if (n > 1)
        run->team = sal_thread_team_new (n);
      run->ctx.n_threads = n;
    }
  run->ctx.runner = run->team;
  run->ctx.cancel = run->cancel;
  run->ctx.cancel_data = run->user_data;

  for (guint i = 0; i < graph->inputs->len; i++)
    {
      int vi = g_array_index (graph->inputs, int, i);
      if (plan->kinds[vi] != SAL_SLOT_INPUT)
        continue;
      if (run->inputs[i]->numel > 0 && run->inputs[i]->data == NULL)
        return check_input (run, i, error);   /* says which input has no data */
      plan->values[vi].data = run->inputs[i]->numel > 0 ? run->inputs[i]->data
                                                        : (void *) empty_data;
    }

  for (int s = 0; s < plan->n_steps; s++)
    {
      SalPlanStep *step = &plan->steps[s];
      GError *local = NULL;

      if (run->cancel != NULL && run->cancel (run->user_data))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_CANCELLED, "the run was cancelled");
          return FALSE;
        }
      if (!step->node->def->forward (step->node, step->in, step->out, step->scratch, &run->ctx,
                                     &local))
        {
          g_autofree char *label = sal_node_label (step->node, step->node_index);
          g_set_error (error, SAL_ERROR, local->code, "%s: %s", label, local->message);
          g_error_free (local);
          return FALSE;
        }
      if (run->progress != NULL)
        run->progress ((double) (s + 1) / plan->n_steps, run->user_data);
    }
  if (plan->n_steps == 0 && run->progress != NULL)
    run->progress (1.0, run->user_data);
  return TRUE;
}

const SalTensor *
sal_run_get_output (SalRun *run, guint index)
{
  SalGraph *graph = run->model->graph;

  if (run->plan == NULL || index >= graph->outputs->len)
    return NULL;
  return &run->plan->values[g_array_index (graph->outputs, int, index)];
}

const SalTensor *
sal_run_get_value (SalRun *run, const char *name)
{
  SalGraph *graph = run->model->graph;
  int v = sal_graph_find_value (graph, name);

  if (run->plan == NULL || v < 0)
    return NULL;
  switch (run->plan->kinds[v])
    {
    case SAL_SLOT_CONST:
    case SAL_SLOT_INPUT:
      return &run->plan->values[v];
    case SAL_SLOT_ARENA:
      if (sal_graph_get_value (graph, v)->is_output || run->plan->keep_all || run->keep[v])
        return &run->plan->values[v];
      return NULL;
    default:
      return NULL;
    }
}

gboolean
sal_run_plan (SalRun *run, GError **error)
{
  return plan_fits (run) || replan (run, error);
}

void
sal_run_plan_sizes (SalRun *run, gsize *value_bytes, gsize *arena_bytes)
{
  *value_bytes = run->plan != NULL ? run->plan->value_bytes : 0;
  *arena_bytes = run->plan != NULL ? run->plan->arena_bytes : 0;
}

gint64
sal_run_bytes_held (SalRun *run)
{
  return __atomic_load_n (&run->account.bytes_live, __ATOMIC_RELAXED);
}

guint
sal_run_n_plans (SalRun *run)
{
  return run->n_plans;
}

/* Shape inference at load: when every input has a known rank, plan once with
 * the dynamic dims at 1 and once at 2, and give every value the model did not
 * describe its dtype and shape (-1 where the two plans differ). Models whose
 * shapes depend on input values stay as declared. */
void
sal_plan_infer_declared (SalModel *model)
{
  SalGraph *graph = model->graph;
  guint n_inputs = graph->inputs->len, nv = graph->values->len;
  SalPlan *plans[2] = { NULL, NULL };
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  SalRun *run;

  for (guint i = 0; i < n_inputs; i++)
    if (sal_graph_get_value (graph, g_array_index (graph->inputs, int, i))->rank < 0)
      return;
  run = sal_run_new (model);
  for (int p = 0; p < 2; p++)
    {
      g_ptr_array_set_size (tensors, 0);
      for (guint i = 0; i < n_inputs; i++)
        {
          SalValue *v = sal_graph_get_value (graph, g_array_index (graph->inputs, int, i));
          int64_t dims[SAL_MAX_RANK];
          SalTensor *t;

          for (int d = 0; d < v->rank; d++)
            dims[d] = v->dims[d] >= 0 ? v->dims[d] : p + 1;
          t = sal_tensor_new (v->dtype, v->rank, dims, NULL);
          if (t == NULL)
            goto out;
          g_ptr_array_add (tensors, t);
          run->inputs[i] = t;
        }
      plans[p] = plan_build (run, 0, NULL);
      if (plans[p] == NULL)
        goto out;
    }
  for (guint v = 0; v < nv; v++)
    {
      SalValue *val = sal_graph_get_value (graph, v);
      const SalTensor *a = &plans[0]->values[v], *b = &plans[1]->values[v];

      if (val->kind != SAL_VALUE_INTERMEDIATE || plans[0]->kinds[v] == SAL_SLOT_NONE ||
          a->rank != b->rank || a->dtype != b->dtype)
        continue;
      if (val->dtype == SAL_DTYPE_UNDEFINED)
        val->dtype = a->dtype;
      if (val->rank < 0)
        {
          val->rank = a->rank;
          for (int d = 0; d < a->rank; d++)
            val->dims[d] = a->dims[d] == b->dims[d] ? a->dims[d] : -1;
        }
    }
out:
  plan_free (plans[0], n_inputs);
  plan_free (plans[1], n_inputs);
  sal_run_free (run);
}
