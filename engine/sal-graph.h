/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Salient's own graph, engine-private: what the ONNX reader and the graph
 * builder produce and what the planner runs. Values are referred to by their
 * index in `values`; nodes by their index in `nodes`, which is topological
 * after sal_graph_finish(). */

#include <glib.h>
#include "sal-tensor.h"
#include "sal-node.h"

G_BEGIN_DECLS

typedef enum {
  SAL_VALUE_INTERMEDIATE,   /* produced by a node */
  SAL_VALUE_INPUT,          /* a graph input the caller feeds */
  SAL_VALUE_INITIALIZER,    /* a weight: `init` holds it */
} SalValueKind;

typedef struct {
  char        *name;
  SalValueKind kind;
  /* Declared type: dtype UNDEFINED and rank -1 when the model does not say;
   * a dim of -1 is dynamic (a dim_param or missing dim_value). */
  SalDType     dtype;
  int          rank;
  int64_t      dims[SAL_MAX_RANK];
  SalTensor   *init;        /* initializers (owned) */
  int          producer;    /* node index, -1 for inputs and initializers */
  gboolean     is_output;
} SalValue;

typedef struct {
  char *key;
  char *value;
} SalMetadataEntry;

typedef struct _SalGraph {
  GPtrArray  *values;       /* SalValue*, owned */
  GHashTable *value_index;  /* name -> GINT_TO_POINTER (index + 1) */
  GPtrArray  *nodes;        /* SalNode*, owned */
  GArray     *inputs;       /* int: value indices of graph inputs, in model order */
  GArray     *outputs;      /* int: value indices of graph outputs, in model order */
  int         opset;        /* opset version of the default ONNX domain */
  int64_t     ir_version;
  char       *producer;
  GPtrArray  *metadata;     /* SalMetadataEntry*, model order */
  GPtrArray  *warnings;     /* char*: non-fatal findings (non-finite weights...) */
} SalGraph;

SalGraph   *sal_graph_new           (void);
void        sal_graph_free          (SalGraph *graph);

/* Returns the index of the value called `name`, adding an intermediate value
 * with unknown type when absent. */
int         sal_graph_value         (SalGraph *graph, const char *name);
/* -1 when absent. */
int         sal_graph_find_value    (const SalGraph *graph, const char *name);
static inline SalValue *
sal_graph_get_value (const SalGraph *graph, int index)
{
  return g_ptr_array_index (graph->values, index);
}
static inline SalNode *
sal_graph_get_node (const SalGraph *graph, int index)
{
  return g_ptr_array_index (graph->nodes, index);
}

void        sal_graph_set_metadata  (SalGraph *graph, const char *key, const char *value);
const char *sal_graph_get_metadata  (const SalGraph *graph, const char *key);

/* Checks and completes a graph built by the reader or the builder: every
 * value produced once, no dangling names, outputs produced, nodes sorted
 * topologically (cycles refused), every operator resolved (one error naming
 * every unsupported operator), the salient.* metadata well formed, and
 * non-finite weights noted in `warnings`. */
gboolean    sal_graph_finish        (SalGraph *graph, GError **error);

/* The op types the graph uses, sorted, without duplicates (strings owned by the graph). */
GPtrArray  *sal_graph_op_types      (const SalGraph *graph);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalGraph, sal_graph_free)

G_END_DECLS
