/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-plan-private.h"
#include "sal-error.h"
#include "sal-onnx.h"
#include "sal-blas.h"
#include "sal-fuse.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

char *
sal_node_label (const SalNode *node, int index)
{
  if (node->name != NULL && node->name[0] != '\0')
    return g_strdup_printf ("%s node “%s”", node->op_type, node->name);
  return g_strdup_printf ("%s node #%d", node->op_type, index);
}

static void
folded_free (gpointer data)
{
  sal_tensor_free (data);
}

/* Builds the input tensors a node sees at load time: constants with their
 * data, everything else with the declared type and no data (rank -1 and
 * numel -1 when unknown). */
void
sal_model_load_time_inputs (SalModel *model, SalNode *node, SalTensor *storage, SalTensor **in)
{
  for (int i = 0; i < node->n_inputs; i++)
    {
      int vi = node->inputs[i];
      SalValue *v;

      in[i] = NULL;
      if (vi < 0)
        continue;
      if (model->consts[vi] != NULL)
        {
          in[i] = model->consts[vi];
          continue;
        }
      v = sal_graph_get_value (model->graph, vi);
      memset (&storage[i], 0, sizeof storage[i]);
      storage[i].dtype = v->dtype;
      storage[i].rank = v->rank;
      storage[i].numel = -1;
      if (v->rank > 0)
        memcpy (storage[i].dims, v->dims, v->rank * sizeof (int64_t));
      if (v->rank >= 0)
        {
          int64_t n;
          gboolean known = TRUE;
          for (int d = 0; d < v->rank; d++)
            known = known && v->dims[d] >= 0;
          if (known && sal_shape_numel (v->rank, v->dims, &n))
            storage[i].numel = n;
        }
      in[i] = &storage[i];
    }
}

/* Folds nodes whose inputs are all constants (Constant nodes, shape
 * arithmetic on weights), then lets each remaining op prepare its weights. */
static gboolean
fold_and_prepare (SalModel *model, GError **error)
{
  SalGraph *graph = model->graph;

  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      g_autofree SalTensor **in = g_new0 (SalTensor *, node->n_inputs + 1);
      g_autofree SalTensor *storage = g_new0 (SalTensor, node->n_inputs + 1);
      g_autofree SalTensor **out = g_new0 (SalTensor *, node->n_outputs + 1);
      gboolean all_const = TRUE;

      sal_model_load_time_inputs (model, node, storage, in);
      for (int i = 0; i < node->n_inputs; i++)
        if (node->inputs[i] >= 0 && model->consts[node->inputs[i]] == NULL)
          all_const = FALSE;
      /* Random operators are never folded: nothing in the supported list is. */
      if (all_const)
        {
          g_autoptr(GError) local = NULL;
          if (!sal_plan_fold_node (node, in, out, model->folded, &local))
            {
              g_autofree char *label = sal_node_label (node, n);
              g_set_error (error, SAL_ERROR, local->code, "%s: %s", label, local->message);
              return FALSE;
            }
          for (int o = 0; o < node->n_outputs; o++)
            if (node->outputs[o] >= 0)
              model->consts[node->outputs[o]] = out[o];
          model->node_folded[n] = TRUE;
          continue;
        }
      if (node->def->prepare != NULL)
        {
          g_autoptr(GError) local = NULL;
          if (!node->def->prepare (node, in, &local))
            {
              g_autofree char *label = sal_node_label (node, n);
              g_set_error (error, SAL_ERROR, local->code, "%s: %s", label, local->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static SalModel *
model_alloc (void)
{
  SalModel *model = g_new0 (SalModel, 1);

  sal_blas_init ();
  model->ref_count = 1;
  model->folded = g_ptr_array_new_with_free_func (folded_free);
  return model;
}

/* Takes the graph. Its tensors should be charged to model->account already. */
static gboolean
model_init (SalModel *model, SalGraph *graph, const SalLoadOptions *options, GError **error)
{
  gboolean ok;

  model->graph = graph;
  if (!sal_graph_finish (graph, error))
    return FALSE;
  if (options != NULL && options->reject_nonfinite && graph->warnings->len > 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model is unusable: %s",
                   (const char *) g_ptr_array_index (graph->warnings, 0));
      return FALSE;
    }
  model->consts = g_new0 (SalTensor *, graph->values->len + 1);
  model->node_folded = g_new0 (gboolean, graph->nodes->len + 1);
  for (guint i = 0; i < graph->values->len; i++)
    model->consts[i] = sal_graph_get_value (graph, i)->init;

  sal_alloc_push_account (&model->account);
  ok = fold_and_prepare (model, error);
  sal_alloc_pop_account ();
  if (!ok)
    return FALSE;

  sal_plan_infer_declared (model);
  model->warnings = g_new0 (char *, graph->warnings->len + 1);
  for (guint i = 0; i < graph->warnings->len; i++)
    model->warnings[i] = g_strdup (g_ptr_array_index (graph->warnings, i));
  return TRUE;
}

SalModel *
sal_model_new_from_graph (SalGraph *graph, GError **error)
{
  g_autoptr(SalModel) model = model_alloc ();

  /* The builder's tensors were allocated outside any account: copy them in. */
  sal_alloc_push_account (&model->account);
  for (guint i = 0; i < graph->values->len; i++)
    {
      SalValue *v = sal_graph_get_value (graph, i);
      if (v->init != NULL)
        {
          SalTensor *copy = sal_tensor_copy (v->init);
          sal_tensor_free (v->init);
          v->init = copy;
        }
    }
  sal_alloc_pop_account ();
  if (!model_init (model, graph, NULL, error))
    return NULL;
  return g_steal_pointer (&model);
}

SalModel *
sal_model_load_bytes (const guint8 *data, gsize len, const char *base_dir,
                      const SalLoadOptions *options, GError **error)
{
  g_autoptr(SalModel) model = model_alloc ();
  SalGraph *graph;

  sal_alloc_push_account (&model->account);
  graph = sal_onnx_read (data, len, base_dir, options, error);
  if (graph != NULL)
    {
      sal_graph_drop_unused_bn_outputs (graph);   /* inference, not training, mode */
      sal_fuse_graph (graph);   /* conv/dense + activation (engine/sal-fuse.h) */
    }
  sal_alloc_pop_account ();
  if (graph == NULL || !model_init (model, graph, options, error))
    return NULL;
  return g_steal_pointer (&model);
}

SalModel *
sal_model_load_file (const char *path, const SalLoadOptions *options, GError **error)
{
  gsize max_file = options && options->max_file_bytes ? options->max_file_bytes
                                                      : SAL_ONNX_DEFAULT_MAX_FILE;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *dir = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int e = errno;
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO, "cannot open model “%s”: %s", path,
                   g_strerror (e));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO, "model “%s” is not a regular file", path);
      return NULL;
    }
  if ((guint64) st.st_size > max_file)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                   "model “%s” is %" G_GUINT64_FORMAT " bytes; the limit is %" G_GSIZE_FORMAT,
                   path, (guint64) st.st_size, max_file);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO, "cannot read model “%s”: %s", path,
                   local->message);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  return sal_model_load_bytes ((const guint8 *) g_mapped_file_get_contents (mapped),
                               g_mapped_file_get_length (mapped), dir, options, error);
}

SalModel *
sal_model_ref (SalModel *model)
{
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
sal_model_unref (SalModel *model)
{
  if (model == NULL || !g_atomic_int_dec_and_test (&model->ref_count))
    return;
  g_ptr_array_unref (model->folded);
  sal_graph_free (model->graph);
  g_free (model->consts);
  g_free (model->node_folded);
  g_strfreev (model->warnings);
  g_free (model);
}

static void
get_info (const SalModel *model, int vi, SalValueInfo *out)
{
  SalValue *v = sal_graph_get_value (model->graph, vi);

  out->name = v->name;
  out->dtype = v->dtype;
  out->rank = v->rank;
  out->dims = v->dims;
  if (model->consts[vi] != NULL)
    {
      out->dtype = model->consts[vi]->dtype;
      out->rank = model->consts[vi]->rank;
      out->dims = model->consts[vi]->dims;
    }
}

guint
sal_model_n_inputs (const SalModel *model)
{
  return model->graph->inputs->len;
}

guint
sal_model_n_outputs (const SalModel *model)
{
  return model->graph->outputs->len;
}

void
sal_model_get_input (const SalModel *model, guint index, SalValueInfo *out)
{
  g_return_if_fail (index < model->graph->inputs->len);
  get_info (model, g_array_index (model->graph->inputs, int, index), out);
}

void
sal_model_get_output (const SalModel *model, guint index, SalValueInfo *out)
{
  g_return_if_fail (index < model->graph->outputs->len);
  get_info (model, g_array_index (model->graph->outputs, int, index), out);
}

static int
find_in (GArray *list, const SalGraph *graph, const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (strcmp (sal_graph_get_value (graph, g_array_index (list, int, i))->name, name) == 0)
      return i;
  return -1;
}

int
sal_model_find_input (const SalModel *model, const char *name)
{
  return find_in (model->graph->inputs, model->graph, name);
}

int
sal_model_find_output (const SalModel *model, const char *name)
{
  return find_in (model->graph->outputs, model->graph, name);
}

int
sal_model_opset (const SalModel *model)
{
  return model->graph->opset;
}

const char *
sal_model_producer (const SalModel *model)
{
  return model->graph->producer != NULL ? model->graph->producer : "";
}

guint
sal_model_n_nodes (const SalModel *model)
{
  return model->graph->nodes->len;
}

const char **
sal_model_op_types (const SalModel *model, guint *n_types)
{
  GPtrArray *types = sal_graph_op_types (model->graph);

  if (n_types != NULL)
    *n_types = types->len;
  g_ptr_array_add (types, NULL);
  return (const char **) g_ptr_array_free (types, FALSE);
}

int64_t
sal_model_parameter_count (const SalModel *model)
{
  int64_t n = 0;

  for (guint i = 0; i < model->graph->values->len; i++)
    {
      SalValue *v = sal_graph_get_value (model->graph, i);
      if (v->init != NULL && v->init->dtype == SAL_DTYPE_FLOAT)
        n += v->init->numel;
    }
  /* Weights given as Constant nodes count too. */
  for (guint n_i = 0; n_i < model->graph->nodes->len; n_i++)
    {
      SalNode *node = sal_graph_get_node (model->graph, n_i);
      if (strcmp (node->op_type, "Constant") == 0)
        for (int o = 0; o < node->n_outputs; o++)
          if (node->outputs[o] >= 0 && model->consts[node->outputs[o]] != NULL &&
              model->consts[node->outputs[o]]->dtype == SAL_DTYPE_FLOAT)
            n += model->consts[node->outputs[o]]->numel;
    }
  return n;
}

const char *
sal_model_get_metadata (const SalModel *model, const char *key)
{
  return sal_graph_get_metadata (model->graph, key);
}

guint
sal_model_n_metadata (const SalModel *model)
{
  return model->graph->metadata->len;
}

void
sal_model_get_metadata_entry (const SalModel *model, guint index, const char **key,
                              const char **value)
{
  SalMetadataEntry *e;

  g_return_if_fail (index < model->graph->metadata->len);
  e = g_ptr_array_index (model->graph->metadata, index);
  *key = e->key;
  *value = e->value;
}

const char *const *
sal_model_warnings (const SalModel *model, guint *n_warnings)
{
  if (n_warnings != NULL)
    *n_warnings = g_strv_length (model->warnings);
  return (const char *const *) model->warnings;
}

gint64
sal_model_bytes_held (const SalModel *model)
{
  return __atomic_load_n (&model->account.bytes_live, __ATOMIC_RELAXED);
}
