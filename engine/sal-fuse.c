/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-fuse.h"

#include <math.h>
#include <string.h>

static gboolean
is_producer_type (const SalNode *node)
{
  return strcmp (node->op_type, "Conv") == 0 || strcmp (node->op_type, "ConvTranspose") == 0
         || strcmp (node->op_type, "Gemm") == 0;
}

/* A float scalar initializer's value, or `def` when the input is absent. */
static gboolean
const_scalar (const SalGraph *graph, const SalNode *node, int i, float def, float *out)
{
  const SalValue *v;

  *out = def;
  if (i >= node->n_inputs || node->inputs[i] < 0)
    return TRUE;
  v = sal_graph_get_value (graph, node->inputs[i]);
  if (v->kind != SAL_VALUE_INITIALIZER || v->init == NULL || v->init->dtype != SAL_DTYPE_FLOAT
      || v->init->numel != 1)
    return FALSE;
  *out = ((const float *) v->init->data)[0];
  return TRUE;
}

/* Reads the activation node's parameters into the producer's attributes;
 * FALSE when it cannot be fused. */
static gboolean
fuse_activation (const SalGraph *graph, const SalNode *act, SalNode *producer)
{
  if (strcmp (act->op_type, "Relu") == 0)
    {
      if (act->n_inputs != 1)
        return FALSE;
      sal_node_set_string (producer, "salient.activation", "Relu");
      return TRUE;
    }
  if (strcmp (act->op_type, "LeakyRelu") == 0)
    {
      float alpha = sal_node_attr_float (act, "alpha", 0.01f);
      if (act->n_inputs != 1 || !(alpha > 0.f))
        return FALSE;
      sal_node_set_string (producer, "salient.activation", "LeakyRelu");
      sal_node_set_float (producer, "salient.alpha", alpha);
      return TRUE;
    }
  if (strcmp (act->op_type, "Clip") == 0)
    {
      float lo, hi;
      if (act->opset < 11)
        {
          if (act->n_inputs != 1)
            return FALSE;
          lo = sal_node_attr_float (act, "min", -INFINITY);
          hi = sal_node_attr_float (act, "max", INFINITY);
        }
      else if (!const_scalar (graph, act, 1, -INFINITY, &lo)
               || !const_scalar (graph, act, 2, INFINITY, &hi))
        return FALSE;
      if (!(lo <= hi))
        return FALSE;
      sal_node_set_string (producer, "salient.activation", "Clip");
      sal_node_set_float (producer, "salient.min", lo);
      sal_node_set_float (producer, "salient.max", hi);
      return TRUE;
    }
  return FALSE;
}

guint
sal_fuse_graph (SalGraph *graph)
{
  guint n_values = graph->values->len, n_nodes = graph->nodes->len, removed = 0;
  g_autofree int *readers = g_new0 (int, n_values + 1);
  g_autofree int *producer = g_new (int, n_values + 1);
  g_autofree gboolean *drop = g_new0 (gboolean, n_nodes + 1);

  for (guint v = 0; v < n_values; v++)
    producer[v] = -1;
  for (guint n = 0; n < n_nodes; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] >= 0 && (guint) node->inputs[i] < n_values)
          readers[node->inputs[i]]++;
      for (int o = 0; o < node->n_outputs; o++)
        if (node->outputs[o] >= 0 && (guint) node->outputs[o] < n_values)
          producer[node->outputs[o]] = (int) n;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    {
      int v = g_array_index (graph->outputs, int, i);
      if (v >= 0 && (guint) v < n_values)
        readers[v] += 1 << 20;   /* a graph output is never fused away */
    }

  for (guint n = 0; n < n_nodes; n++)
    {
      SalNode *act = sal_graph_get_node (graph, n);
      SalNode *prod;
      int v, p;

      if (act->n_inputs < 1 || act->n_outputs != 1 || act->inputs[0] < 0
          || act->outputs[0] < 0)
        continue;
      v = act->inputs[0];
      if ((guint) v >= n_values || readers[v] != 1 || (p = producer[v]) < 0 || drop[p])
        continue;
      prod = sal_graph_get_node (graph, p);
      if (!is_producer_type (prod) || prod->n_outputs != 1 || prod->outputs[0] != v
          || sal_node_attr (prod, "salient.activation") != NULL)
        continue;
      if (!fuse_activation (graph, act, prod))
        continue;
      prod->outputs[0] = act->outputs[0];
      producer[act->outputs[0]] = p;
      drop[n] = TRUE;
      removed++;
    }

  if (removed > 0)
    {
      GPtrArray *kept = g_ptr_array_new_full (n_nodes - removed, (GDestroyNotify) sal_node_free);
      for (guint n = 0; n < n_nodes; n++)
        {
          SalNode *node = graph->nodes->pdata[n];
          graph->nodes->pdata[n] = NULL;
          if (drop[n])
            sal_node_free (node);
          else
            g_ptr_array_add (kept, node);
        }
      g_ptr_array_unref (graph->nodes);
      graph->nodes = kept;
    }
  return removed;
}

int *
sal_graph_count_readers (const SalGraph *graph)
{
  guint n_values = graph->values->len;
  int *readers = g_new0 (int, n_values + 1);

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      const SalNode *node = sal_graph_get_node (graph, n);
      for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] >= 0 && (guint) node->inputs[i] < n_values)
          readers[node->inputs[i]]++;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    {
      int v = g_array_index (graph->outputs, int, i);
      if (v >= 0 && (guint) v < n_values)
        readers[v]++;
    }
  return readers;
}

gboolean
sal_bn_outputs_unused (const SalGraph *graph, const SalNode *node, const int *readers)
{
  if (strcmp (node->op_type, "BatchNormalization") != 0 || node->opset >= 14
      || node->n_outputs <= 1)
    return FALSE;
  for (int o = 1; o < node->n_outputs; o++)
    if (node->outputs[o] >= 0 && (guint) node->outputs[o] < graph->values->len
        && readers[node->outputs[o]] > 0)
      return FALSE;
  return TRUE;
}

guint
sal_graph_drop_unused_bn_outputs (SalGraph *graph)
{
  g_autofree int *readers = sal_graph_count_readers (graph);
  guint changed = 0;

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      if (sal_bn_outputs_unused (graph, node, readers))
        {
          node->n_outputs = 1;
          changed++;
        }
    }
  return changed;
}
