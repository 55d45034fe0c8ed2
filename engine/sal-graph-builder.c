/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-graph-builder.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <string.h>

struct _SalGraphBuilder {
  SalGraph *graph;
  char     *error;   /* first misuse, reported by finish */
};

SalGraphBuilder *
sal_graph_builder_new (int opset)
{
  SalGraphBuilder *b = g_new0 (SalGraphBuilder, 1);

  b->graph = sal_graph_new ();
  b->graph->opset = opset;
  b->graph->producer = g_strdup ("salient");
  return b;
}

void
sal_graph_builder_free (SalGraphBuilder *builder)
{
  if (builder == NULL)
    return;
  sal_graph_free (builder->graph);
  g_free (builder->error);
  g_free (builder);
}

static SalValue *
new_value (SalGraphBuilder *b, const char *name, SalValueKind kind)
{
  int index;
  SalValue *v;

  if (b->graph == NULL)
    return NULL;
  index = sal_graph_find_value (b->graph, name);
  if (index >= 0 && sal_graph_get_value (b->graph, index)->kind != SAL_VALUE_INTERMEDIATE)
    {
      if (b->error == NULL)
        b->error = g_strdup_printf ("value “%s” is defined twice", name);
      return NULL;
    }
  v = sal_graph_get_value (b->graph, sal_graph_value (b->graph, name));
  v->kind = kind;
  return v;
}

void
sal_graph_builder_add_input (SalGraphBuilder *b, const char *name, SalDType dtype, int rank,
                             const int64_t *dims)
{
  SalValue *v = new_value (b, name, SAL_VALUE_INPUT);
  int index;

  if (v == NULL)
    return;
  g_return_if_fail (rank >= -1 && rank <= SAL_MAX_RANK);
  v->dtype = dtype;
  v->rank = rank;
  for (int i = 0; i < rank; i++)
    v->dims[i] = dims[i];
  index = sal_graph_find_value (b->graph, name);
  g_array_append_val (b->graph->inputs, index);
}

void
sal_graph_builder_add_initializer (SalGraphBuilder *b, const char *name, const SalTensor *tensor)
{
  SalValue *v = new_value (b, name, SAL_VALUE_INITIALIZER);

  if (v == NULL)
    return;
  v->init = sal_tensor_copy (tensor);
  v->dtype = tensor->dtype;
  v->rank = tensor->rank;
  memcpy (v->dims, tensor->dims, sizeof v->dims);
}

SalNode *
sal_graph_builder_add_node (SalGraphBuilder *b, const char *op_type, const char *name,
                            int n_inputs, const char *const *inputs,
                            int n_outputs, const char *const *outputs)
{
  g_autofree int *ins = g_new (int, n_inputs + 1);
  g_autofree int *outs = g_new (int, n_outputs + 1);
  SalNode *node;

  for (int i = 0; i < n_inputs; i++)
    ins[i] = inputs[i] == NULL || inputs[i][0] == '\0' ? -1 : sal_graph_value (b->graph, inputs[i]);
  for (int i = 0; i < n_outputs; i++)
    outs[i] = outputs[i] == NULL || outputs[i][0] == '\0' ? -1
              : sal_graph_value (b->graph, outputs[i]);
  node = sal_node_new (op_type, name, b->graph->opset);
  sal_node_set_io (node, n_inputs, ins, n_outputs, outs);
  g_ptr_array_add (b->graph->nodes, node);
  return node;
}

void
sal_graph_builder_add_output (SalGraphBuilder *b, const char *name)
{
  int index = sal_graph_value (b->graph, name);

  g_array_append_val (b->graph->outputs, index);
}

void
sal_graph_builder_set_value_type (SalGraphBuilder *b, const char *name, SalDType dtype, int rank,
                                  const int64_t *dims)
{
  SalValue *v = sal_graph_get_value (b->graph, sal_graph_value (b->graph, name));

  g_return_if_fail (rank >= -1 && rank <= SAL_MAX_RANK);
  v->dtype = dtype;
  v->rank = rank;
  for (int i = 0; i < rank; i++)
    v->dims[i] = dims[i];
}

void
sal_graph_builder_set_metadata (SalGraphBuilder *b, const char *key, const char *value)
{
  sal_graph_set_metadata (b->graph, key, value);
}

SalModel *
sal_graph_builder_finish (SalGraphBuilder *b, GError **error)
{
  g_return_val_if_fail (b->graph != NULL, NULL);
  if (b->error != NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "cannot build the model: %s", b->error);
      return NULL;
    }
  return sal_model_new_from_graph (g_steal_pointer (&b->graph), error);
}
