/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-grad.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <string.h>

struct _SalGrad {
  SalRun     *run;
  guint       n_values;
  gboolean   *wanted;     /* per value */
  SalTensor **gbuf;       /* per value: gradient buffer, or NULL */
  gboolean   *live;       /* per value: carries a gradient in this backward */
  GArray     *weights;    /* int: value indices of float initializers */
  gboolean    want_weights;
};

SalGrad *
sal_grad_new (SalRun *run)
{
  SalGrad *g = g_new0 (SalGrad, 1);
  SalGraph *graph = run->model->graph;

  g->run = run;
  g->n_values = graph->values->len;
  g->wanted = g_new0 (gboolean, g->n_values + 1);
  g->gbuf = g_new0 (SalTensor *, g->n_values + 1);
  g->live = g_new0 (gboolean, g->n_values + 1);
  g->weights = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint v = 0; v < g->n_values; v++)
    {
      SalValue *val = sal_graph_get_value (graph, v);
      if (val->kind == SAL_VALUE_INITIALIZER && val->init != NULL &&
          val->init->dtype == SAL_DTYPE_FLOAT)
        g_array_append_val (g->weights, v);
    }
  sal_run_keep_all (run, TRUE);
  return g;
}

void
sal_grad_free (SalGrad *g)
{
  if (g == NULL)
    return;
  for (guint v = 0; v < g->n_values; v++)
    sal_tensor_free (g->gbuf[v]);
  g_free (g->gbuf);
  g_free (g->wanted);
  g_free (g->live);
  g_array_unref (g->weights);
  g_free (g);
}

gboolean
sal_grad_want (SalGrad *g, const char *value_name, GError **error)
{
  int v = sal_graph_find_value (g->run->model->graph, value_name);

  if (v < 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model has no value called “%s”",
                   value_name);
      return FALSE;
    }
  g->wanted[v] = TRUE;
  return TRUE;
}

void
sal_grad_want_inputs (SalGrad *g)
{
  SalGraph *graph = g->run->model->graph;

  for (guint i = 0; i < graph->inputs->len; i++)
    g->wanted[g_array_index (graph->inputs, int, i)] = TRUE;
}

void
sal_grad_want_weights (SalGrad *g)
{
  g->want_weights = TRUE;
  for (guint i = 0; i < g->weights->len; i++)
    g->wanted[g_array_index (g->weights, int, i)] = TRUE;
}

/* A gradient buffer shaped like `like`, reused across calls: zeroed, or
 * with whatever it held when `zero` is FALSE. */
static SalTensor *
buffer_get (SalGrad *g, int v, const SalTensor *like, gboolean zero, GError **error)
{
  SalTensor *b = g->gbuf[v];

  if (b != NULL && (b->numel != like->numel || !sal_tensor_same_shape (b, like)))
    g_clear_pointer (&g->gbuf[v], sal_tensor_free);
  if (g->gbuf[v] == NULL)
    {
      g->gbuf[v] = sal_tensor_new (SAL_DTYPE_FLOAT, like->rank, like->dims, error);
      if (g->gbuf[v] == NULL)
        return NULL;
    }
  else if (b->numel > 0 && zero)
    memset (b->data, 0, sal_tensor_nbytes (b));
  return g->gbuf[v];
}

static SalTensor *
buffer_for (SalGrad *g, int v, const SalTensor *like, GError **error)
{
  return buffer_get (g, v, like, TRUE, error);
}

static gboolean backward_from (SalGrad *g, int out_v, const SalTensor *seed, GError **error);

gboolean
sal_grad_backward (SalGrad *g, guint output_index, const SalTensor *seed, GError **error)
{
  SalGraph *graph = g->run->model->graph;

  if (output_index >= graph->outputs->len)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model has no output %u", output_index);
      return FALSE;
    }
  return backward_from (g, g_array_index (graph->outputs, int, output_index), seed, error);
}

gboolean
sal_grad_backward_value (SalGrad *g, const char *value_name, const SalTensor *seed, GError **error)
{
  int v = sal_graph_find_value (g->run->model->graph, value_name);

  if (v < 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model has no value called “%s”",
                   value_name);
      return FALSE;
    }
  return backward_from (g, v, seed, error);
}

static gboolean
backward_from (SalGrad *g, int out_v, const SalTensor *seed, GError **error)
{
  SalRun *run = g->run;
  SalGraph *graph = run->model->graph;
  SalPlan *plan = run->plan;
  g_autofree gboolean *reaches = NULL;

  if (plan == NULL || !plan->keep_all)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_FAILED,
                   "run the model (with gradients enabled) before the backward pass");
      return FALSE;
    }
  if (plan->values[out_v].dtype != SAL_DTYPE_FLOAT || seed->numel != plan->values[out_v].numel)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the gradient seed must be float32 with the value's %" G_GINT64_FORMAT " elements",
                   plan->values[out_v].numel);
      return FALSE;
    }

  /* Which float values lead from a wanted value to the output. */
  reaches = g_new0 (gboolean, g->n_values + 1);
  for (guint v = 0; v < g->n_values; v++)
    reaches[v] = g->wanted[v] && plan->values[v].dtype == SAL_DTYPE_FLOAT;
  for (int s = 0; s < plan->n_steps; s++)
    {
      SalNode *node = plan->steps[s].node;
      gboolean any = FALSE;
      for (int i = 0; i < node->n_inputs; i++)
        any = any || (node->inputs[i] >= 0 && reaches[node->inputs[i]]);
      if (any)
        for (int o = 0; o < node->n_outputs; o++)
          if (node->outputs[o] >= 0 && plan->values[node->outputs[o]].dtype == SAL_DTYPE_FLOAT)
            reaches[node->outputs[o]] = TRUE;
    }
  if (g->want_weights)
    for (guint i = 0; i < g->weights->len; i++)
      {
        int w = g_array_index (g->weights, int, i);
        for (guint n = 0; n < graph->nodes->len; n++)
          {
            SalNode *node = sal_graph_get_node (graph, n);
            if (!run->model->node_folded[n])
              continue;
            for (int k = 0; k < node->n_inputs; k++)
              if (node->inputs[k] == w)
                {
                  g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                               "weight “%s” is folded into a constant at load, so it cannot be trained",
                               sal_graph_get_value (graph, w)->name);
                  return FALSE;
                }
          }
      }

  memset (g->live, 0, (g->n_values + 1) * sizeof (gboolean));
  {
    SalTensor *b = buffer_for (g, out_v, &plan->values[out_v], error);
    if (b == NULL)
      return FALSE;
    memcpy (b->data, seed->data, sal_tensor_nbytes (b));
    g->live[out_v] = TRUE;
  }

  for (int s = plan->n_steps - 1; s >= 0; s--)
    {
      SalPlanStep *step = &plan->steps[s];
      SalNode *node = step->node;
      gboolean has_gout = FALSE, needs_gin = FALSE;
      guint32 set = 0;
      g_autofree SalTensor **gout = g_new0 (SalTensor *, node->n_outputs + 1);
      g_autofree SalTensor **gin = g_new0 (SalTensor *, node->n_inputs + 1);
      GError *local = NULL;
      gboolean ok;

      if (run->cancel != NULL && run->cancel (run->user_data))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_CANCELLED, "the run was cancelled");
          return FALSE;
        }
      for (int o = 0; o < node->n_outputs; o++)
        if (node->outputs[o] >= 0 && g->live[node->outputs[o]])
          {
            gout[o] = g->gbuf[node->outputs[o]];
            has_gout = TRUE;
          }
      if (!has_gout)
        continue;
      for (int i = 0; i < node->n_inputs; i++)
        {
          int v = node->inputs[i];
          if (v < 0 || !reaches[v] || step->in[i] == NULL)
            continue;
          if (!g->live[v])
            {
              /* This step gives v its first gradient: an op that can store
               * it (not add) gets the buffer unzeroed, unless v is also
               * another of its inputs. */
              gboolean store = node->def->backward_sets && i < 32;
              for (int j = 0; j < node->n_inputs && store; j++)
                store = j == i || node->inputs[j] != v;
              if (buffer_get (g, v, step->in[i], !store, error) == NULL)
                return FALSE;
              if (store)
                set |= 1u << i;
              g->live[v] = TRUE;
            }
          gin[i] = g->gbuf[v];
          needs_gin = TRUE;
        }
      if (!needs_gin)
        continue;
      if (node->def->backward == NULL)
        {
          g_autofree char *label = sal_node_label (node, step->node_index);
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       "%s cannot be differentiated, so gradients cannot pass through it", label);
          return FALSE;
        }
      run->ctx.grad_set = set;
      ok = node->def->backward (node, step->in, step->out, gout, gin, step->scratch, &run->ctx,
                                &local);
      run->ctx.grad_set = 0;
      if (!ok)
        {
          g_autofree char *label = sal_node_label (node, step->node_index);
          g_set_error (error, SAL_ERROR, local->code, "%s (backward): %s", label, local->message);
          g_error_free (local);
          return FALSE;
        }
    }
  /* Wanted values get a (zero) gradient even when nothing flows into them. */
  for (guint v = 0; v < g->n_values; v++)
    if (g->wanted[v] && (guint) out_v != v && reaches[v] && !g->live[v])
      {
        if (buffer_for (g, v, &plan->values[v], error) == NULL)
          return FALSE;
        g->live[v] = TRUE;
      }
  return TRUE;
}

const SalTensor *
sal_grad_get (SalGrad *g, const char *value_name)
{
  int v = sal_graph_find_value (g->run->model->graph, value_name);

  if (v < 0 || !g->wanted[v] || !g->live[v])
    return NULL;
  return g->gbuf[v];
}

guint
sal_grad_n_weights (SalGrad *g)
{
  return g->weights->len;
}

void
sal_grad_get_weight (SalGrad *g, guint index, const char **name, SalTensor **param,
                     SalTensor **param_grad)
{
  int v = g_array_index (g->weights, int, index);
  SalValue *val = sal_graph_get_value (g->run->model->graph, v);
  GError *error = NULL;

  if (name)
    *name = val->name;
  if (param)
    *param = val->init;
  if (param_grad)
    {
      /* A weight that received no gradient still gets a zero buffer. */
      if (g->gbuf[v] == NULL)
        g->gbuf[v] = sal_tensor_new (SAL_DTYPE_FLOAT, val->init->rank, val->init->dims, &error);
      if (error != NULL)
        g_error ("%s", error->message);
      *param_grad = g->gbuf[v];
    }
}

gboolean
sal_model_weights_changed (SalModel *model, GError **error)
{
  SalGraph *graph = model->graph;

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      g_autofree SalTensor **in = NULL;
      g_autofree SalTensor *storage = NULL;

      if (model->node_folded[n] || node->def->prepare == NULL)
        continue;
      in = g_new0 (SalTensor *, node->n_inputs + 1);
      storage = g_new0 (SalTensor, node->n_inputs + 1);
      sal_model_load_time_inputs (model, node, storage, in);
      if (node->prepared != NULL && node->prepared_free != NULL)
        node->prepared_free (node->prepared);
      node->prepared = NULL;
      node->prepared_free = NULL;
      if (!node->def->prepare (node, in, error))
        return FALSE;
    }
  return TRUE;
}
