/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-graph.h"
#include "sal-error.h"
#include "sal-json-check.h"
#include "sal-op.h"

#include <math.h>
#include <string.h>

static void
value_free (gpointer data)
{
  SalValue *v = data;

  g_free (v->name);
  sal_tensor_free (v->init);
  g_free (v);
}

static void
metadata_free (gpointer data)
{
  SalMetadataEntry *e = data;

  g_free (e->key);
  g_free (e->value);
  g_free (e);
}

SalGraph *
sal_graph_new (void)
{
  SalGraph *graph = g_new0 (SalGraph, 1);

  graph->values = g_ptr_array_new_with_free_func (value_free);
  graph->value_index = g_hash_table_new (g_str_hash, g_str_equal);
  graph->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_node_free);
  graph->inputs = g_array_new (FALSE, FALSE, sizeof (int));
  graph->outputs = g_array_new (FALSE, FALSE, sizeof (int));
  graph->metadata = g_ptr_array_new_with_free_func (metadata_free);
  graph->warnings = g_ptr_array_new_with_free_func (g_free);
  graph->opset = 17;
  graph->ir_version = 8;
  return graph;
}

void
sal_graph_free (SalGraph *graph)
{
  if (graph == NULL)
    return;
  g_hash_table_unref (graph->value_index);
  g_ptr_array_unref (graph->nodes);
  g_ptr_array_unref (graph->values);
  g_array_unref (graph->inputs);
  g_array_unref (graph->outputs);
  g_ptr_array_unref (graph->metadata);
  g_ptr_array_unref (graph->warnings);
  g_free (graph->producer);
  g_free (graph);
}

int
sal_graph_find_value (const SalGraph *graph, const char *name)
{
  gpointer p = g_hash_table_lookup (graph->value_index, name);

  return p == NULL ? -1 : GPOINTER_TO_INT (p) - 1;
}

int
sal_graph_value (SalGraph *graph, const char *name)
{
  int index = sal_graph_find_value (graph, name);
  SalValue *v;

  if (index >= 0)
    return index;
  v = g_new0 (SalValue, 1);
  v->name = g_strdup (name);
  v->kind = SAL_VALUE_INTERMEDIATE;
  v->rank = -1;
  v->producer = -1;
  g_ptr_array_add (graph->values, v);
  index = graph->values->len - 1;
  g_hash_table_insert (graph->value_index, v->name, GINT_TO_POINTER (index + 1));
  return index;
}

void
sal_graph_set_metadata (SalGraph *graph, const char *key, const char *value)
{
  SalMetadataEntry *e;

  for (guint i = 0; i < graph->metadata->len; i++)
    {
      e = g_ptr_array_index (graph->metadata, i);
      if (strcmp (e->key, key) == 0)
        {
          g_free (e->value);
          e->value = g_strdup (value);
          return;
        }
    }
  e = g_new0 (SalMetadataEntry, 1);
  e->key = g_strdup (key);
  e->value = g_strdup (value);
  g_ptr_array_add (graph->metadata, e);
}

const char *
sal_graph_get_metadata (const SalGraph *graph, const char *key)
{
  for (guint i = 0; i < graph->metadata->len; i++)
    {
      SalMetadataEntry *e = g_ptr_array_index (graph->metadata, i);
      if (strcmp (e->key, key) == 0)
        return e->value;
    }
  return NULL;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
sal_graph_op_types (const SalGraph *graph)
{
  GPtrArray *types = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      SalNode *node = sal_graph_get_node (graph, i);
      if (g_hash_table_add (seen, node->op_type))
        g_ptr_array_add (types, node->op_type);
    }
  g_ptr_array_sort (types, cmp_str);
  return types;
}

static const char *
node_label (const SalNode *node, int index, char *buf, gsize len)
{
  if (node->name != NULL && node->name[0] != '\0')
    g_snprintf (buf, len, "%s node “%s”", node->op_type, node->name);
  else
    g_snprintf (buf, len, "%s node #%d", node->op_type, index);
  return buf;
}

/* Producers, dangling names, graph outputs. */
static gboolean
check_values (SalGraph *graph, GError **error)
{
  char label[256];

  for (guint i = 0; i < graph->values->len; i++)
    sal_graph_get_value (graph, i)->producer = -1;

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);

      for (int o = 0; o < node->n_outputs; o++)
        {
          SalValue *v;

          if (node->outputs[o] < 0)
            continue;
          v = sal_graph_get_value (graph, node->outputs[o]);
          if (v->kind != SAL_VALUE_INTERMEDIATE || v->producer >= 0)
            {
              g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                           "the model is malformed: value “%s” is written twice (by %s)",
                           v->name, node_label (node, n, label, sizeof label));
              return FALSE;
            }
          v->producer = n;
        }
    }

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);

      for (int i = 0; i < node->n_inputs; i++)
        {
          SalValue *v;

          if (node->inputs[i] < 0)
            continue;
          v = sal_graph_get_value (graph, node->inputs[i]);
          if (v->kind == SAL_VALUE_INTERMEDIATE && v->producer < 0)
            {
              g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                           "the model is malformed: %s reads “%s”, which no node, input or "
                           "initializer provides", node_label (node, n, label, sizeof label),
                           v->name);
              return FALSE;
            }
        }
    }

  if (graph->outputs->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: its graph has no outputs");
      return FALSE;
    }
  for (guint i = 0; i < graph->outputs->len; i++)
    {
      SalValue *v = sal_graph_get_value (graph, g_array_index (graph->outputs, int, i));

      if (v->kind == SAL_VALUE_INTERMEDIATE && v->producer < 0)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: graph output “%s” is not computed by any node",
                       v->name);
          return FALSE;
        }
      v->is_output = TRUE;
    }
  return TRUE;
}

/* Kahn's algorithm; keeps the model's order among ready nodes. */
static gboolean
topo_sort (SalGraph *graph, GError **error)
{
  guint n_nodes = graph->nodes->len;
  g_autofree int *pending = g_new0 (int, n_nodes);      /* unresolved inputs per node */
  g_autofree int *order = g_new (int, n_nodes);
  g_autoptr(GPtrArray) consumers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) sorted = NULL;
  guint head = 0, tail = 0;

  for (guint i = 0; i < graph->values->len; i++)
    g_ptr_array_add (consumers, g_array_new (FALSE, FALSE, sizeof (int)));

  for (guint n = 0; n < n_nodes; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);

      for (int i = 0; i < node->n_inputs; i++)
        {
          int vi = node->inputs[i];
          if (vi < 0 || sal_graph_get_value (graph, vi)->producer < 0)
            continue;
          pending[n]++;
          g_array_append_val (g_ptr_array_index (consumers, vi), n);
        }
    }
  for (guint n = 0; n < n_nodes; n++)
    if (pending[n] == 0)
      order[tail++] = n;
  while (head < tail)
    {
      SalNode *node = sal_graph_get_node (graph, order[head++]);

      for (int o = 0; o < node->n_outputs; o++)
        {
          GArray *users;
          if (node->outputs[o] < 0)
            continue;
          users = g_ptr_array_index (consumers, node->outputs[o]);
          for (guint u = 0; u < users->len; u++)
            {
              int c = g_array_index (users, int, u);
              if (--pending[c] == 0)
                order[tail++] = c;
            }
        }
    }
  if (tail < n_nodes)
    {
      char label[256];
      for (guint n = 0; n < n_nodes; n++)
        if (pending[n] > 0)
          {
            g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                         "the model is malformed: its graph has a cycle through %s "
                         "(%u nodes depend on each other)",
                         node_label (sal_graph_get_node (graph, n), n, label, sizeof label),
                         n_nodes - tail);
            return FALSE;
          }
    }

  /* Reorder, then renumber the producers. */
  sorted = g_ptr_array_new_full (n_nodes, (GDestroyNotify) sal_node_free);
  for (guint i = 0; i < n_nodes; i++)
    {
      g_ptr_array_add (sorted, graph->nodes->pdata[order[i]]);
      graph->nodes->pdata[order[i]] = NULL;
    }
  g_ptr_array_unref (graph->nodes);
  graph->nodes = g_steal_pointer (&sorted);
  for (guint n = 0; n < n_nodes; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      for (int o = 0; o < node->n_outputs; o++)
        if (node->outputs[o] >= 0)
          sal_graph_get_value (graph, node->outputs[o])->producer = n;
    }
  return TRUE;
}

static gboolean
resolve_ops (SalGraph *graph, GError **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);

      node->def = sal_op_lookup (node->op_type);
      node->opset = graph->opset;
      if (node->def == NULL && g_hash_table_add (seen, node->op_type))
        g_ptr_array_add (missing, node->op_type);
    }
  if (missing->len > 0)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      g_ptr_array_sort (missing, cmp_str);
      for (guint i = 0; i < missing->len; i++)
        g_string_append_printf (list, "%s%s", i == 0 ? "" : ", ",
                                (const char *) g_ptr_array_index (missing, i));
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   missing->len == 1
                   ? "the model uses operator %s, which Salient does not support"
                   : "the model uses operators %s, which Salient does not support",
                   list->str);
      return FALSE;
    }
  return TRUE;
}

static void
note_nonfinite (SalGraph *graph)
{
  for (guint i = 0; i < graph->values->len; i++)
    {
      SalValue *v = sal_graph_get_value (graph, i);
      int64_t n_nan = 0, n_inf = 0;
      const float *f;

      if (v->init == NULL || v->init->dtype != SAL_DTYPE_FLOAT)
        continue;
      f = sal_tensor_f32 (v->init);
      for (int64_t k = 0; k < v->init->numel; k++)
        {
          if (isnan (f[k]))
            n_nan++;
          else if (isinf (f[k]))
            n_inf++;
        }
      if (n_nan + n_inf > 0)
        g_ptr_array_add (graph->warnings,
                         g_strdup_printf ("weight “%s” holds %" G_GINT64_FORMAT " NaN and %"
                                          G_GINT64_FORMAT " infinite values", v->name,
                                          n_nan, n_inf));
    }
}

gboolean
sal_graph_finish (SalGraph *graph, GError **error)
{
  if (graph->opset < 1 || graph->opset > 17)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model uses ONNX opset %d; Salient supports opsets up to 17", graph->opset);
      return FALSE;
    }
  for (guint i = 0; i < graph->metadata->len; i++)
    {
      SalMetadataEntry *e = g_ptr_array_index (graph->metadata, i);
      if (!sal_json_check_metadata (e->key, e->value, error))
        return FALSE;
    }
  if (!check_values (graph, error) || !topo_sort (graph, error) || !resolve_ops (graph, error))
    return FALSE;
  g_ptr_array_set_size (graph->warnings, 0);
  note_nonfinite (graph);
  return TRUE;
}
