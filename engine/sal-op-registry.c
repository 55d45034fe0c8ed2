/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-op.h"

#include <string.h>

static const SalOpGroup *const groups[] = {
  &sal_ops_elementwise, &sal_ops_activation, &sal_ops_reduce, &sal_ops_shape,
  &sal_ops_resize, &sal_ops_linear, &sal_ops_conv, &sal_ops_pool, &sal_ops_norm,
  &sal_ops_recurrent,
};

const SalOpDef *
sal_op_lookup (const char *op_type)
{
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (guint i = 0; i < groups[g]->n_defs; i++)
      if (strcmp (groups[g]->defs[i].op_type, op_type) == 0)
        return &groups[g]->defs[i];
  return NULL;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

const char **
sal_op_list (guint *n_ops)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (guint i = 0; i < groups[g]->n_defs; i++)
      g_ptr_array_add (names, (gpointer) groups[g]->defs[i].op_type);
  g_ptr_array_sort (names, cmp_str);
  *n_ops = names->len;
  g_ptr_array_add (names, NULL);
  return (const char **) g_ptr_array_free (names, FALSE);
}
