/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "sal-tensor.h"

G_BEGIN_DECLS

typedef enum {
  SAL_ATTR_FLOAT = 1, SAL_ATTR_INT = 2, SAL_ATTR_STRING = 3, SAL_ATTR_TENSOR = 4,
  SAL_ATTR_FLOATS = 6, SAL_ATTR_INTS = 7, SAL_ATTR_STRINGS = 8,
} SalAttrType;   /* ONNX AttributeProto.AttributeType numbers */

typedef struct {
  char        *name;
  SalAttrType  type;
  int64_t      i;
  float        f;
  char        *s;
  SalTensor   *t;
  int          n;         /* element count of ints / floats / strings */
  int64_t     *ints;
  float       *floats;
  char       **strings;
} SalAttr;

typedef struct _SalOpDef SalOpDef;

/* One operator application. Value indices refer to the owning graph's value
 * table; -1 marks an absent optional input or output. */
typedef struct _SalNode {
  char           *name;
  char           *op_type;
  int             opset;       /* opset version of the default domain the model imports */
  const SalOpDef *def;         /* resolved at load; NULL while unresolved */
  int             n_inputs;
  int            *inputs;
  int             n_outputs;
  int            *outputs;
  GPtrArray      *attrs;       /* of SalAttr* */
  gpointer        prepared;    /* op-private state built by SalOpDef.prepare (e.g. packed weights) */
  GDestroyNotify  prepared_free;
} SalNode;

SalNode        *sal_node_new          (const char *op_type, const char *name, int opset);
void            sal_node_free         (SalNode *node);
void            sal_node_set_io       (SalNode *node, int n_inputs, const int *inputs,
                                       int n_outputs, const int *outputs);

const SalAttr  *sal_node_attr         (const SalNode *node, const char *name);
int64_t         sal_node_attr_int     (const SalNode *node, const char *name, int64_t def);
float           sal_node_attr_float   (const SalNode *node, const char *name, float def);
const char     *sal_node_attr_string  (const SalNode *node, const char *name, const char *def);
/* Returns the element count (0 when absent) and points *out at the node's own array. */
int             sal_node_attr_ints    (const SalNode *node, const char *name, const int64_t **out);
int             sal_node_attr_floats  (const SalNode *node, const char *name, const float **out);
const SalTensor*sal_node_attr_tensor  (const SalNode *node, const char *name);

/* Builders (used by the ONNX reader, the graph builder and tests). They copy their arguments. */
void            sal_node_set_int      (SalNode *node, const char *name, int64_t v);
void            sal_node_set_float    (SalNode *node, const char *name, float v);
void            sal_node_set_string   (SalNode *node, const char *name, const char *v);
void            sal_node_set_ints     (SalNode *node, const char *name, int n, const int64_t *v);
void            sal_node_set_floats   (SalNode *node, const char *name, int n, const float *v);
void            sal_node_set_strings  (SalNode *node, const char *name, int n, const char *const *v);
void            sal_node_set_tensor   (SalNode *node, const char *name, const SalTensor *t);

G_END_DECLS
