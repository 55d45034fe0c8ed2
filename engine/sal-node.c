/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-node.h"

#include <string.h>

static void
sal_attr_free (gpointer data)
{
  SalAttr *a = data;

  g_free (a->name);
  g_free (a->s);
  sal_tensor_free (a->t);
  g_free (a->ints);
  g_free (a->floats);
  g_strfreev (a->strings);
  g_free (a);
}

SalNode *
sal_node_new (const char *op_type, const char *name, int opset)
{
  SalNode *node = g_new0 (SalNode, 1);

  node->op_type = g_strdup (op_type);
  node->name = g_strdup (name ? name : "");
  node->opset = opset;
  node->attrs = g_ptr_array_new_with_free_func (sal_attr_free);
  return node;
}

void
sal_node_free (SalNode *node)
{
  if (node == NULL)
    return;
  if (node->prepared != NULL && node->prepared_free != NULL)
    node->prepared_free (node->prepared);
  g_free (node->name);
  g_free (node->op_type);
  g_free (node->inputs);
  g_free (node->outputs);
  g_ptr_array_unref (node->attrs);
  g_free (node);
}

void
sal_node_set_io (SalNode *node, int n_inputs, const int *inputs, int n_outputs, const int *outputs)
{
  g_free (node->inputs);
  g_free (node->outputs);
  node->n_inputs = n_inputs;
  node->inputs = n_inputs ? g_memdup2 (inputs, n_inputs * sizeof (int)) : NULL;
  node->n_outputs = n_outputs;
  node->outputs = n_outputs ? g_memdup2 (outputs, n_outputs * sizeof (int)) : NULL;
}

const SalAttr *
sal_node_attr (const SalNode *node, const char *name)
{
  for (guint i = 0; i < node->attrs->len; i++)
    {
      const SalAttr *a = g_ptr_array_index (node->attrs, i);
      if (strcmp (a->name, name) == 0)
        return a;
    }
  return NULL;
}

int64_t
sal_node_attr_int (const SalNode *node, const char *name, int64_t def)
{
  const SalAttr *a = sal_node_attr (node, name);

  return a != NULL && a->type == SAL_ATTR_INT ? a->i : def;
}

float
sal_node_attr_float (const SalNode *node, const char *name, float def)
{
  const SalAttr *a = sal_node_attr (node, name);

  if (a == NULL)
    return def;
  if (a->type == SAL_ATTR_FLOAT)
    return a->f;
  if (a->type == SAL_ATTR_INT)
    return (float) a->i;
  return def;
}

const char *
sal_node_attr_string (const SalNode *node, const char *name, const char *def)
{
  const SalAttr *a = sal_node_attr (node, name);

  return a != NULL && a->type == SAL_ATTR_STRING ? a->s : def;
}

int
sal_node_attr_ints (const SalNode *node, const char *name, const int64_t **out)
{
  const SalAttr *a = sal_node_attr (node, name);

  *out = NULL;
  if (a == NULL || a->type != SAL_ATTR_INTS)
    return 0;
  *out = a->ints;
  return a->n;
}

int
sal_node_attr_floats (const SalNode *node, const char *name, const float **out)
{
  const SalAttr *a = sal_node_attr (node, name);

  *out = NULL;
  if (a == NULL || a->type != SAL_ATTR_FLOATS)
    return 0;
  *out = a->floats;
  return a->n;
}

const SalTensor *
sal_node_attr_tensor (const SalNode *node, const char *name)
{
  const SalAttr *a = sal_node_attr (node, name);

  return a != NULL && a->type == SAL_ATTR_TENSOR ? a->t : NULL;
}

static SalAttr *
replace_attr (SalNode *node, const char *name, SalAttrType type)
{
  SalAttr *a;

  for (guint i = 0; i < node->attrs->len; i++)
    if (strcmp (((SalAttr *) g_ptr_array_index (node->attrs, i))->name, name) == 0)
      {
        g_ptr_array_remove_index (node->attrs, i);
        break;
      }
  a = g_new0 (SalAttr, 1);
  a->name = g_strdup (name);
  a->type = type;
  g_ptr_array_add (node->attrs, a);
  return a;
}

void
sal_node_set_int (SalNode *node, const char *name, int64_t v)
{
  replace_attr (node, name, SAL_ATTR_INT)->i = v;
}

void
sal_node_set_float (SalNode *node, const char *name, float v)
{
  replace_attr (node, name, SAL_ATTR_FLOAT)->f = v;
}

void
sal_node_set_string (SalNode *node, const char *name, const char *v)
{
  replace_attr (node, name, SAL_ATTR_STRING)->s = g_strdup (v);
}

void
sal_node_set_ints (SalNode *node, const char *name, int n, const int64_t *v)
{
  SalAttr *a = replace_attr (node, name, SAL_ATTR_INTS);

  a->n = n;
  a->ints = n > 0 ? g_memdup2 (v, n * sizeof (int64_t)) : g_new0 (int64_t, 1);
}

void
sal_node_set_floats (SalNode *node, const char *name, int n, const float *v)
{
  SalAttr *a = replace_attr (node, name, SAL_ATTR_FLOATS);

  a->n = n;
  a->floats = n > 0 ? g_memdup2 (v, n * sizeof (float)) : g_new0 (float, 1);
}

void
sal_node_set_strings (SalNode *node, const char *name, int n, const char *const *v)
{
  SalAttr *a = replace_attr (node, name, SAL_ATTR_STRINGS);

  a->n = n;
  a->strings = g_new0 (char *, n + 1);
  for (int i = 0; i < n; i++)
    a->strings[i] = g_strdup (v[i]);
}

void
sal_node_set_tensor (SalNode *node, const char *name, const SalTensor *t)
{
  replace_attr (node, name, SAL_ATTR_TENSOR)->t = sal_tensor_copy (t);
}
