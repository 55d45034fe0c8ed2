/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* The ONNX writer: the graph as loaded or built (weights as initializers with
 * raw little-endian data, Constant nodes kept), packed with protobuf-c. All
 * protobuf structs live in one GPtrArray-owned pool freed at the end. */

#include "sal-fuse.h"
#include "sal-onnx.h"
#include "sal-graph-builder.h"
#include "sal-plan-private.h"
#include "sal-error.h"
#include "onnx.pb-c.h"

#include <string.h>

typedef struct {
  GPtrArray *pool;
} Saver;

static gpointer
keep (Saver *s, gpointer p)
{
  g_ptr_array_add (s->pool, p);
  return p;
}

#define NEW(s, type) ((type *) keep ((s), g_new0 (type, 1)))
#define NEWV(s, type, n) ((type *) keep ((s), g_new0 (type, (n) + 1)))

static Onnx__TensorProto *
save_tensor (Saver *s, const char *name, const SalTensor *t)
{
  Onnx__TensorProto *tp = NEW (s, Onnx__TensorProto);

  onnx__tensor_proto__init (tp);
  tp->name = (char *) name;
  tp->has_data_type = TRUE;
  tp->data_type = t->dtype;
  tp->n_dims = t->rank;
  tp->dims = NEWV (s, int64_t, t->rank);
  memcpy (tp->dims, t->dims, t->rank * sizeof (int64_t));
  tp->has_raw_data = TRUE;
  tp->raw_data.len = sal_tensor_nbytes (t);
  tp->raw_data.data = t->data;
  return tp;
}

static Onnx__ValueInfoProto *
save_value_info (Saver *s, const SalValue *v)
{
  Onnx__ValueInfoProto *vi = NEW (s, Onnx__ValueInfoProto);
  Onnx__TypeProto *type = NEW (s, Onnx__TypeProto);
  Onnx__TypeProto__Tensor *tt = NEW (s, Onnx__TypeProto__Tensor);

  onnx__value_info_proto__init (vi);
  onnx__type_proto__init (type);
  onnx__type_proto__tensor__init (tt);
  vi->name = v->name;
  /* A value without a declared type (a built graph's output) is written
   * without one: a tensor type of element type 0 is invalid ONNX. */
  if (v->dtype == SAL_DTYPE_UNDEFINED && v->rank < 0)
    return vi;
  vi->type = type;
  type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type->tensor_type = tt;
  if (v->dtype != SAL_DTYPE_UNDEFINED)
    {
      tt->has_elem_type = TRUE;
      tt->elem_type = v->dtype;
    }
  if (v->rank >= 0)
    {
      Onnx__TensorShapeProto *shape = NEW (s, Onnx__TensorShapeProto);
      onnx__tensor_shape_proto__init (shape);
      shape->n_dim = v->rank;
      shape->dim = NEWV (s, Onnx__TensorShapeProto__Dimension *, v->rank);
      for (int d = 0; d < v->rank; d++)
        {
          Onnx__TensorShapeProto__Dimension *dim = NEW (s, Onnx__TensorShapeProto__Dimension);
          onnx__tensor_shape_proto__dimension__init (dim);
          if (v->dims[d] >= 0)
            {
              dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
              dim->dim_value = v->dims[d];
            }
          else
            {
              dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
              dim->dim_param = keep (s, g_strdup_printf ("d%d", d));
            }
          shape->dim[d] = dim;
        }
      tt->shape = shape;
    }
  return vi;
}

static Onnx__AttributeProto *
save_attr (Saver *s, const SalAttr *a)
{
  Onnx__AttributeProto *ap = NEW (s, Onnx__AttributeProto);

  onnx__attribute_proto__init (ap);
  ap->name = a->name;
  ap->has_type = TRUE;
  ap->type = (Onnx__AttributeProto__AttributeType) a->type;
  switch (a->type)
    {
    case SAL_ATTR_FLOAT: ap->has_f = TRUE; ap->f = a->f; break;
    case SAL_ATTR_INT: ap->has_i = TRUE; ap->i = a->i; break;
    case SAL_ATTR_STRING:
      ap->has_s = TRUE;
      ap->s.data = (guint8 *) a->s;
      ap->s.len = strlen (a->s);
      break;
    case SAL_ATTR_TENSOR: ap->t = save_tensor (s, "", a->t); break;
    case SAL_ATTR_FLOATS: ap->n_floats = a->n; ap->floats = a->floats; break;
    case SAL_ATTR_INTS: ap->n_ints = a->n; ap->ints = a->ints; break;
    case SAL_ATTR_STRINGS:
      ap->n_strings = a->n;
      ap->strings = NEWV (s, ProtobufCBinaryData, a->n);
      for (int i = 0; i < a->n; i++)
        {
          ap->strings[i].data = (guint8 *) a->strings[i];
          ap->strings[i].len = strlen (a->strings[i]);
        }
      break;
    default:
      break;
    }
  return ap;
}

static char *
value_name (const SalGraph *graph, int index)
{
  return index < 0 ? "" : sal_graph_get_value (graph, index)->name;
}

GBytes *
sal_onnx_write (const SalGraph *graph, GError **error)
{
  Saver s = { g_ptr_array_new_with_free_func (g_free) };
  Onnx__ModelProto model = ONNX__MODEL_PROTO__INIT;
  Onnx__GraphProto gp = ONNX__GRAPH_PROTO__INIT;
  Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  Onnx__OperatorSetIdProto *opsets[1] = { &opset };
  g_autoptr(GPtrArray) inits = g_ptr_array_new ();
  g_autofree int *readers = NULL;
  gsize len;
  guint8 *buf;

  model.has_ir_version = TRUE;
  model.ir_version = 8;
  model.producer_name = graph->producer != NULL ? graph->producer : "salient";
  model.n_opset_import = 1;
  model.opset_import = opsets;
  opset.domain = "";
  opset.has_version = TRUE;
  opset.version = graph->opset;
  model.graph = &gp;
  gp.name = "salient";

  readers = sal_graph_count_readers (graph);
  gp.n_node = graph->nodes->len;
  gp.node = NEWV (&s, Onnx__NodeProto *, graph->nodes->len);
  for (guint n = 0; n < graph->nodes->len; n++)
    {
      SalNode *node = sal_graph_get_node (graph, n);
      Onnx__NodeProto *np = NEW (&s, Onnx__NodeProto);

      onnx__node_proto__init (np);
      np->name = node->name;
      np->op_type = node->op_type;
      np->n_input = node->n_inputs;
      np->input = NEWV (&s, char *, node->n_inputs);
      for (int i = 0; i < node->n_inputs; i++)
        np->input[i] = value_name (graph, node->inputs[i]);
      /* Running statistics nobody reads are not written: a file is for inference. */
      np->n_output = sal_bn_outputs_unused (graph, node, readers) ? 1 : node->n_outputs;
      np->output = NEWV (&s, char *, node->n_outputs);
      for (int i = 0; i < node->n_outputs; i++)
        np->output[i] = value_name (graph, node->outputs[i]);
      np->n_attribute = node->attrs->len;
      np->attribute = NEWV (&s, Onnx__AttributeProto *, node->attrs->len);
      for (guint a = 0; a < node->attrs->len; a++)
        np->attribute[a] = save_attr (&s, g_ptr_array_index (node->attrs, a));
      gp.node[n] = np;
    }

  for (guint i = 0; i < graph->values->len; i++)
    {
      SalValue *v = sal_graph_get_value (graph, i);
      if (v->kind == SAL_VALUE_INITIALIZER && v->init != NULL)
        g_ptr_array_add (inits, save_tensor (&s, v->name, v->init));
    }
  gp.n_initializer = inits->len;
  gp.initializer = (Onnx__TensorProto **) inits->pdata;

  gp.n_input = graph->inputs->len;
  gp.input = NEWV (&s, Onnx__ValueInfoProto *, graph->inputs->len);
  for (guint i = 0; i < graph->inputs->len; i++)
    gp.input[i] = save_value_info (&s, sal_graph_get_value (graph, g_array_index (graph->inputs, int, i)));
  gp.n_output = graph->outputs->len;
  gp.output = NEWV (&s, Onnx__ValueInfoProto *, graph->outputs->len);
  for (guint i = 0; i < graph->outputs->len; i++)
    gp.output[i] = save_value_info (&s, sal_graph_get_value (graph, g_array_index (graph->outputs, int, i)));

  model.n_metadata_props = graph->metadata->len;
  model.metadata_props = NEWV (&s, Onnx__StringStringEntryProto *, graph->metadata->len);
  for (guint i = 0; i < graph->metadata->len; i++)
    {
      SalMetadataEntry *e = g_ptr_array_index (graph->metadata, i);
      Onnx__StringStringEntryProto *ep = NEW (&s, Onnx__StringStringEntryProto);
      onnx__string_string_entry_proto__init (ep);
      ep->key = e->key;
      ep->value = e->value;
      model.metadata_props[i] = ep;
    }

  len = onnx__model_proto__get_packed_size (&model);
  buf = g_try_malloc (MAX (len, 1));
  if (buf == NULL)
    {
      g_ptr_array_unref (s.pool);
      g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY,
                   "out of memory saving the model (%" G_GSIZE_FORMAT " bytes)", len);
      return NULL;
    }
  onnx__model_proto__pack (&model, buf);
  g_ptr_array_unref (s.pool);
  return g_bytes_new_take (buf, len);
}

GBytes *
sal_model_save_bytes (SalModel *model, GError **error)
{
  return sal_onnx_write (model->graph, error);
}

gboolean
sal_model_save_file (SalModel *model, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = sal_model_save_bytes (model, error);
  g_autoptr(GError) local = NULL;

  if (bytes == NULL)
    return FALSE;
  if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                            &local))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO, "cannot save the model: %s", local->message);
      return FALSE;
    }
  return TRUE;
}
