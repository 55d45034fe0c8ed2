/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* The ONNX reader. A model file is hostile until checked: the protobuf is
 * first walked without allocating (nesting depth, truncation), then unpacked
 * through an allocator with a memory budget, then converted with every count
 * and byte size checked against the declared shapes. */

#include "sal-onnx.h"
#include "sal-alloc.h"
#include "sal-error.h"
#include "onnx.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S(x) ((x) != NULL ? (x) : "")

/* ---- memory budget ---- */

typedef struct {
  gsize    used;
  gsize    budget;
  gboolean exceeded;
} Budget;

#define BUDGET_HEADER 16

static void *
budget_alloc (void *data, size_t size)
{
  Budget *b = data;
  guint8 *p;

  if (size > b->budget - b->used || b->budget - b->used < BUDGET_HEADER + size)
    {
      b->exceeded = TRUE;
      return NULL;
    }
  p = g_try_malloc (size + BUDGET_HEADER);
  if (p == NULL)
    {
      b->exceeded = TRUE;
      return NULL;
    }
  *(gsize *) p = size + BUDGET_HEADER;
  b->used += size + BUDGET_HEADER;
  return p + BUDGET_HEADER;
}

static void
budget_free (void *data, void *pointer)
{
  Budget *b = data;
  guint8 *p;

  if (pointer == NULL)
    return;
  p = (guint8 *) pointer - BUDGET_HEADER;
  b->used -= *(gsize *) p;
  g_free (p);
}

/* ---- wire-format pre-scan ---- */

static gboolean
read_varint (const guint8 *p, gsize len, gsize *pos, guint64 *out)
{
  guint64 v = 0;

  for (int shift = 0; shift < 64; shift += 7)
    {
      guint8 b;
      if (*pos >= len)
        return FALSE;
      b = p[(*pos)++];
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *out = v;
          return TRUE;
        }
    }
  return FALSE;
}

static const ProtobufCFieldDescriptor *
find_field (const ProtobufCMessageDescriptor *desc, guint64 id)
{
  for (unsigned i = 0; i < desc->n_fields; i++)
    if (desc->fields[i].id == id)
      return &desc->fields[i];
  return NULL;
}

/* Walks a message checking that every field fits in its parent and that
 * messages nest at most SAL_ONNX_MAX_NESTING deep, so that the recursive
 * unpacker can neither overrun the stack nor read past the end. */
static gboolean
prescan (const ProtobufCMessageDescriptor *desc, const guint8 *p, gsize len, int depth,
         GError **error)
{
  gsize pos = 0;

  if (depth > SAL_ONNX_MAX_NESTING)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model file is malformed: its messages nest more than %d levels deep",
                   SAL_ONNX_MAX_NESTING);
      return FALSE;
    }
  while (pos < len)
    {
      guint64 tag, v;

      if (!read_varint (p, len, &pos, &tag))
        goto truncated;
      switch (tag & 7)
        {
        case 0:
          if (!read_varint (p, len, &pos, &v))
            goto truncated;
          break;
        case 1:
          if (len - pos < 8)
            goto truncated;
          pos += 8;
          break;
        case 5:
          if (len - pos < 4)
            goto truncated;
          pos += 4;
          break;
        case 2:
          {
            const ProtobufCFieldDescriptor *f;
            if (!read_varint (p, len, &pos, &v) || v > len - pos)
              goto truncated;
            f = desc != NULL ? find_field (desc, tag >> 3) : NULL;
            if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                !prescan (f->descriptor, p + pos, v, depth + 1, error))
              return FALSE;
            pos += v;
            break;
          }
        default:
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model file is malformed: it is not an ONNX protobuf "
                       "(bad wire type %u)", (unsigned) (tag & 7));
          return FALSE;
        }
    }
  return TRUE;

truncated:
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
               "the model file is truncated or is not an ONNX file");
  return FALSE;
}

static ProtobufCMessage *
unpack (const ProtobufCMessageDescriptor *desc, const guint8 *data, gsize len,
        const SalLoadOptions *options, ProtobufCAllocator *allocator, Budget *budget,
        GError **error)
{
  gsize max_file = options && options->max_file_bytes ? options->max_file_bytes
                                                      : SAL_ONNX_DEFAULT_MAX_FILE;
  ProtobufCMessage *msg;

  if (len > max_file)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                   "the model file is %" G_GSIZE_FORMAT " bytes; the limit is %" G_GSIZE_FORMAT,
                   len, max_file);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "the model file is empty");
      return NULL;
    }
  if (!prescan (desc, data, len, 0, error))
    return NULL;

  budget->used = 0;
  budget->exceeded = FALSE;
  budget->budget = options && options->max_unpack_bytes ? options->max_unpack_bytes
                   : MIN (len, G_MAXSIZE / 16) * 8 + ((gsize) 16 << 20);
  allocator->alloc = budget_alloc;
  allocator->free = budget_free;
  allocator->allocator_data = budget;
  msg = protobuf_c_message_unpack (desc, allocator, len, data);
  if (msg == NULL)
    {
      if (budget->exceeded)
        g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE,
                     "the model file would take more than %" G_GSIZE_FORMAT " bytes of memory "
                     "to read; it is malformed or too large", budget->budget);
      else
        g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                     "the model file is malformed: it is not a valid ONNX protobuf");
    }
  return msg;
}

/* ---- tensors ---- */

static const char *
onnx_dtype_name (int t)
{
  static const char *const names[] = {
    "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
    "bool", "float16", "double (float64)", "uint32", "uint64", "complex64", "complex128",
    "bfloat16",
  };

  return t >= 0 && t < (int) G_N_ELEMENTS (names) ? names[t] : "unknown";
}

static gboolean
map_dtype (int t, const char *what, const char *name, SalDType *out, GError **error)
{
  switch (t)
    {
    case SAL_DTYPE_FLOAT:
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_INT8:
    case SAL_DTYPE_INT32:
    case SAL_DTYPE_INT64:
    case SAL_DTYPE_BOOL:
      *out = t;
      return TRUE;
    default:
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s “%s” has data type %s (%d), which Salient does not support "
                   "(it supports float32, int64, int32, int8, uint8 and bool)",
                   what, name, onnx_dtype_name (t), t);
      return FALSE;
    }
}

/* True when `rel` names a file below the folder: relative, no "..", no empty
 * components; symbolic links are checked while opening. */
static gboolean
safe_relative_path (const char *rel)
{
  g_auto(GStrv) parts = NULL;

  if (rel == NULL || rel[0] == '\0' || g_path_is_absolute (rel) || strchr (rel, '\\') != NULL)
    return FALSE;
  parts = g_strsplit (rel, "/", -1);
  for (char **p = parts; *p != NULL; p++)
    if (**p == '\0' || strcmp (*p, "..") == 0 || strcmp (*p, ".") == 0)
      return FALSE;
  return TRUE;
}

/* Opens base_dir/rel refusing symbolic links in any component below base_dir. */
static int
open_inside (const char *base_dir, const char *rel)
{
  g_auto(GStrv) parts = g_strsplit (rel, "/", -1);
  int dirfd = open (base_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (char **p = parts; dirfd >= 0 && *p != NULL; p++)
    {
      gboolean last = p[1] == NULL;
      int fd = openat (dirfd, *p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
      close (dirfd);
      dirfd = fd;
    }
  return dirfd;
}

static gboolean
read_external (const Onnx__TensorProto *tp, const char *name, const char *base_dir,
               void *dst, gsize nbytes, GError **error)
{
  const char *location = NULL;
  gint64 offset = 0, length = -1;
  struct stat st;
  int fd;
  gsize done = 0;

  for (size_t i = 0; i < tp->n_external_data; i++)
    {
      const char *k = S (tp->external_data[i]->key), *v = S (tp->external_data[i]->value);
      char *end = NULL;

      if (strcmp (k, "location") == 0)
        location = v;
      else if (strcmp (k, "offset") == 0 || strcmp (k, "length") == 0)
        {
          gint64 n = g_ascii_strtoll (v, &end, 10);
          if (end == v || *end != '\0' || n < 0)
            {
              g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                           "weight “%s”: external data %s “%s” is not a byte count", name, k, v);
              return FALSE;
            }
          *(k[0] == 'o' ? &offset : &length) = n;
        }
    }
  if (base_dir == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "weight “%s” is stored in an external file; load the model from its "
                   "file so Salient can find it", name);
      return FALSE;
    }
  if (!safe_relative_path (location))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "weight “%s” refers to external data “%s” outside the model’s folder; "
                   "Salient only reads external data next to the model", name, S (location));
      return FALSE;
    }
  if (length >= 0 && (guint64) length != nbytes)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "weight “%s”: external data holds %" G_GINT64_FORMAT " bytes but its shape "
                   "needs %" G_GSIZE_FORMAT, name, length, nbytes);
      return FALSE;
    }
  fd = open_inside (base_dir, location);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, SAL_ERROR, SAL_ERROR_IO,
                   "weight “%s”: cannot open external data “%s”: %s%s", name, location,
                   g_strerror (e), e == ELOOP ? " (symbolic links are not followed)" : "");
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < offset ||
      (guint64) (st.st_size - offset) < nbytes)
    {
      close (fd);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "weight “%s”: external data file “%s” is too short", name, location);
      return FALSE;
    }
  while (done < nbytes)
    {
      ssize_t r = pread (fd, (guint8 *) dst + done, nbytes - done, offset + (off_t) done);
      if (r <= 0)
        {
          if (r < 0 && errno == EINTR)
            continue;
          close (fd);
          g_set_error (error, SAL_ERROR, SAL_ERROR_IO,
                       "weight “%s”: cannot read external data “%s”", name, location);
          return FALSE;
        }
      done += r;
    }
  close (fd);
  return TRUE;
}

static SalTensor *
tensor_from_proto (const Onnx__TensorProto *tp, const char *what, const char *base_dir,
                   GError **error)
{
  const char *name = S (tp->name);
  g_autoptr(SalTensor) t = g_new0 (SalTensor, 1);
  int64_t dims[SAL_MAX_RANK];
  SalDType dtype;
  gsize nbytes;
  size_t n_typed;

  if (!map_dtype (tp->data_type, what, name, &dtype, error))
    return NULL;
  if (tp->n_dims > SAL_MAX_RANK)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s “%s” has %" G_GSIZE_FORMAT " dimensions; Salient supports at most %d",
                   what, name, tp->n_dims, SAL_MAX_RANK);
      return NULL;
    }
  for (size_t i = 0; i < tp->n_dims; i++)
    dims[i] = tp->dims[i];
  if (!sal_shape_numel (tp->n_dims, dims, &t->numel))
    {
      g_autofree char *s = sal_shape_to_string (tp->n_dims, dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s “%s” has shape %s, which is negative or too large", what, name, s);
      return NULL;
    }
  if (!sal_tensor_set_shape (t, dtype, tp->n_dims, dims, error))
    return NULL;
  if (tp->segment != NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s “%s” is a segment of a larger tensor, which Salient does not support",
                   what, name);
      return NULL;
    }

  nbytes = sal_tensor_nbytes (t);
  switch (dtype)
    {
    case SAL_DTYPE_FLOAT: n_typed = tp->n_float_data; break;
    case SAL_DTYPE_INT64: n_typed = tp->n_int64_data; break;
    default: n_typed = tp->n_int32_data; break;
    }

  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    {
      if (nbytes > 0)
        {
          t->data = sal_alloc (nbytes);
          if (t->data == NULL)
            goto no_memory;
          t->owns_data = TRUE;
          if (!read_external (tp, name, base_dir, t->data, nbytes, error))
            return NULL;
        }
    }
  else if (tp->has_raw_data)
    {
      if (tp->raw_data.len != nbytes)
        {
          g_autofree char *s = sal_shape_to_string (t->rank, t->dims);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "%s “%s” holds %" G_GSIZE_FORMAT " bytes but its shape %s of %s needs %"
                       G_GSIZE_FORMAT, what, name, tp->raw_data.len, s, sal_dtype_name (dtype),
                       nbytes);
          return NULL;
        }
      if (nbytes > 0)
        {
          t->data = sal_alloc (nbytes);
          if (t->data == NULL)
            goto no_memory;
          t->owns_data = TRUE;
          /* x86-64 and ONNX are both little-endian. */
          memcpy (t->data, tp->raw_data.data, nbytes);
        }
    }
  else
    {
      if ((int64_t) n_typed != t->numel)
        {
          g_autofree char *s = sal_shape_to_string (t->rank, t->dims);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "%s “%s” holds %" G_GSIZE_FORMAT " values but its shape %s needs %"
                       G_GINT64_FORMAT, what, name, n_typed, s, t->numel);
          return NULL;
        }
      if (nbytes > 0)
        {
          t->data = sal_alloc (nbytes);
          if (t->data == NULL)
            goto no_memory;
          t->owns_data = TRUE;
          for (int64_t i = 0; i < t->numel; i++)
            switch (dtype)
              {
              case SAL_DTYPE_FLOAT: ((float *) t->data)[i] = tp->float_data[i]; break;
              case SAL_DTYPE_INT64: ((int64_t *) t->data)[i] = tp->int64_data[i]; break;
              case SAL_DTYPE_INT32: ((gint32 *) t->data)[i] = tp->int32_data[i]; break;
              case SAL_DTYPE_INT8: ((gint8 *) t->data)[i] = (gint8) tp->int32_data[i]; break;
              case SAL_DTYPE_UINT8: ((guint8 *) t->data)[i] = (guint8) tp->int32_data[i]; break;
              case SAL_DTYPE_BOOL: ((guint8 *) t->data)[i] = tp->int32_data[i] != 0; break;
              case SAL_DTYPE_UNDEFINED:
              default: break;
              }
        }
    }
  if (dtype == SAL_DTYPE_BOOL)
    for (int64_t i = 0; i < t->numel; i++)
      sal_tensor_u8 (t)[i] = sal_tensor_u8 (t)[i] != 0;
  return g_steal_pointer (&t);

no_memory:
  g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY,
               "out of memory reading %s “%s” (%" G_GSIZE_FORMAT " bytes)", what, name, nbytes);
  return NULL;
}

/* ---- graph ---- */

static gboolean
check_name (const char *name, const char *what, GError **error)
{
  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: a %s name is not valid UTF-8", what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_value_info (SalGraph *graph, const Onnx__ValueInfoProto *vi, const char *what, int *index,
                 GError **error)
{
  const char *name = S (vi->name);
  SalValue *v;
  const Onnx__TypeProto__Tensor *tt;

  if (name[0] == '\0')
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: a graph %s has no name", what);
      return FALSE;
    }
  if (!check_name (name, what, error))
    return FALSE;
  *index = sal_graph_value (graph, name);
  v = sal_graph_get_value (graph, *index);
  if (vi->type == NULL)
    return TRUE;
  if (vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "graph %s “%s” is a %s, not a tensor; Salient supports only tensors", what, name,
                   vi->type->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ? "sequence"
                   : vi->type->value_case == ONNX__TYPE_PROTO__VALUE_MAP_TYPE ? "map"
                   : vi->type->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE ? "optional"
                   : vi->type->value_case == ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE
                   ? "sparse tensor" : "value of unknown type");
      return FALSE;
    }
  tt = vi->type->tensor_type;
  if (tt == NULL)
    return TRUE;
  if (tt->has_elem_type && tt->elem_type != 0)
    {
      g_autofree char *label = g_strdup_printf ("graph %s", what);
      if (!map_dtype (tt->elem_type, label, name, &v->dtype, error))
        return FALSE;
    }
  if (tt->shape != NULL)
    {
      if (tt->shape->n_dim > SAL_MAX_RANK)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                       "graph %s “%s” has %" G_GSIZE_FORMAT " dimensions; Salient supports at "
                       "most %d", what, name, tt->shape->n_dim, SAL_MAX_RANK);
          return FALSE;
        }
      v->rank = tt->shape->n_dim;
      for (size_t i = 0; i < tt->shape->n_dim; i++)
        {
          const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
          v->dims[i] = -1;
          if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            {
              if (d->dim_value < 0)
                {
                  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                               "graph %s “%s” has a negative dimension %" G_GINT64_FORMAT,
                               what, name, d->dim_value);
                  return FALSE;
                }
              v->dims[i] = d->dim_value;
            }
        }
    }
  return TRUE;
}

static gboolean
read_attribute (SalNode *node, const Onnx__AttributeProto *a, GError **error)
{
  const char *name = S (a->name);
  int type = a->has_type ? (int) a->type : 0;

  if (name[0] == '\0' || !check_name (name, "attribute", error))
    {
      g_clear_error (error);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: an attribute of %s node “%s” has no valid name",
                   node->op_type, node->name);
      return FALSE;
    }
  if (a->ref_attr_name != NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "attribute “%s” of %s node “%s” refers to a function attribute, which "
                   "Salient does not support", name, node->op_type, node->name);
      return FALSE;
    }
  if (type == 0)   /* models from before IR 2 leave the type out */
    type = a->n_floats ? 6 : a->n_ints ? 7 : a->n_strings ? 8 : a->t ? 4 : a->g ? 5
           : a->has_s ? 3 : a->has_i ? 2 : a->has_f ? 1 : 0;
  switch (type)
    {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
      sal_node_set_float (node, name, a->f);
      return TRUE;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
      sal_node_set_int (node, name, a->i);
      return TRUE;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
      {
        g_autofree char *s = g_strndup ((const char *) a->s.data, a->s.len);
        sal_node_set_string (node, name, s);
        return TRUE;
      }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
      if (a->n_floats > G_MAXINT)
        break;
      sal_node_set_floats (node, name, a->n_floats, a->floats);
      return TRUE;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
      if (a->n_ints > G_MAXINT)
        break;
      sal_node_set_ints (node, name, a->n_ints, a->ints);
      return TRUE;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS:
      {
        g_autoptr(GPtrArray) strs = g_ptr_array_new_with_free_func (g_free);
        if (a->n_strings > G_MAXINT)
          break;
        for (size_t i = 0; i < a->n_strings; i++)
          g_ptr_array_add (strs, g_strndup ((const char *) a->strings[i].data, a->strings[i].len));
        sal_node_set_strings (node, name, a->n_strings, (const char *const *) strs->pdata);
        return TRUE;
      }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
      {
        g_autoptr(SalTensor) t = NULL;
        if (a->t == NULL)
          break;
        t = tensor_from_proto (a->t, "tensor attribute", NULL, error);
        if (t == NULL)
          return FALSE;
        sal_node_set_tensor (node, name, t);
        return TRUE;
      }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "%s node “%s” has a subgraph (attribute “%s”); Salient does not support "
                   "control flow", node->op_type, node->name, name);
      return FALSE;
    default:
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "attribute “%s” of %s node “%s” has a type (%d) Salient does not support",
                   name, node->op_type, node->name, type);
      return FALSE;
    }
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
               "the model is malformed: attribute “%s” of %s node “%s” has no value",
               name, node->op_type, node->name);
  return FALSE;
}

static gboolean
read_node (SalGraph *graph, const Onnx__NodeProto *np, GError **error)
{
  const char *domain = S (np->domain);
  const char *op = S (np->op_type);
  g_autofree char *op_type = NULL;
  g_autofree int *ins = g_new (int, np->n_input + 1);
  g_autofree int *outs = g_new (int, np->n_output + 1);
  SalNode *node;

  if (op[0] == '\0' || !check_name (op, "operator", error) || !check_name (S (np->name), "node", error)
      || !check_name (domain, "domain", error))
    {
      g_clear_error (error);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: a node has no valid operator type");
      return FALSE;
    }
  if (np->n_input > 65536 || np->n_output > 65536)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: %s node “%s” has too many inputs or outputs",
                   op, S (np->name));
      return FALSE;
    }
  if (domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0)
    op_type = g_strdup (op);
  else
    op_type = g_strdup_printf ("%s.%s", domain, op);

  for (size_t i = 0; i < np->n_input; i++)
    {
      const char *n = S (np->input[i]);
      if (!check_name (n, "value", error))
        return FALSE;
      ins[i] = n[0] == '\0' ? -1 : sal_graph_value (graph, n);
    }
  for (size_t i = 0; i < np->n_output; i++)
    {
      const char *n = S (np->output[i]);
      if (!check_name (n, "value", error))
        return FALSE;
      outs[i] = n[0] == '\0' ? -1 : sal_graph_value (graph, n);
    }
  node = sal_node_new (op_type, S (np->name), graph->opset);
  g_ptr_array_add (graph->nodes, node);
  sal_node_set_io (node, np->n_input, ins, np->n_output, outs);
  for (size_t i = 0; i < np->n_attribute; i++)
    if (!read_attribute (node, np->attribute[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
read_graph (SalGraph *graph, const Onnx__GraphProto *gp, const char *base_dir, GError **error)
{
  if (gp->n_sparse_initializer > 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model has sparse weights, which Salient does not support");
      return FALSE;
    }

  for (size_t i = 0; i < gp->n_initializer; i++)
    {
      const Onnx__TensorProto *tp = gp->initializer[i];
      const char *name = S (tp->name);
      SalValue *v;
      SalTensor *t;

      if (name[0] == '\0' || !check_name (name, "weight", error))
        {
          g_clear_error (error);
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: weight #%" G_GSIZE_FORMAT " has no valid name", i);
          return FALSE;
        }
      if (sal_graph_find_value (graph, name) >= 0)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: weight “%s” is defined twice", name);
          return FALSE;
        }
      t = tensor_from_proto (tp, "weight", base_dir, error);
      if (t == NULL)
        return FALSE;
      v = sal_graph_get_value (graph, sal_graph_value (graph, name));
      v->kind = SAL_VALUE_INITIALIZER;
      v->init = t;
      v->dtype = t->dtype;
      v->rank = t->rank;
      memcpy (v->dims, t->dims, sizeof v->dims);
    }

  for (size_t i = 0; i < gp->n_input; i++)
    {
      int index;
      SalValue *v;
      gboolean is_init = gp->input[i]->name != NULL &&
                         sal_graph_find_value (graph, gp->input[i]->name) >= 0 &&
                         sal_graph_get_value (graph, sal_graph_find_value (graph, gp->input[i]->name))->kind
                         == SAL_VALUE_INITIALIZER;

      /* Before IR 4 weights were listed among the inputs too: they stay weights. */
      if (is_init)
        continue;
      if (!read_value_info (graph, gp->input[i], "input", &index, error))
        return FALSE;
      v = sal_graph_get_value (graph, index);
      if (v->kind == SAL_VALUE_INPUT)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: graph input “%s” is listed twice", v->name);
          return FALSE;
        }
      if (v->dtype == SAL_DTYPE_UNDEFINED)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: graph input “%s” has no element type", v->name);
          return FALSE;
        }
      v->kind = SAL_VALUE_INPUT;
      g_array_append_val (graph->inputs, index);
    }

  for (size_t i = 0; i < gp->n_value_info; i++)
    {
      int index;
      SalValue *v;
      /* A type annotation never overrides an input's or a weight's own. */
      if (gp->value_info[i]->name != NULL &&
          sal_graph_find_value (graph, gp->value_info[i]->name) >= 0 &&
          sal_graph_get_value (graph, sal_graph_find_value (graph, gp->value_info[i]->name))->kind
          != SAL_VALUE_INTERMEDIATE)
        continue;
      if (!read_value_info (graph, gp->value_info[i], "value", &index, error))
        return FALSE;
      v = sal_graph_get_value (graph, index);
      (void) v;
    }

  for (size_t i = 0; i < gp->n_node; i++)
    if (!read_node (graph, gp->node[i], error))
      return FALSE;

  for (size_t i = 0; i < gp->n_output; i++)
    {
      int index;
      const char *name = S (gp->output[i]->name);
      int existing = sal_graph_find_value (graph, name);

      if (existing >= 0 && sal_graph_get_value (graph, existing)->kind != SAL_VALUE_INTERMEDIATE)
        index = existing;
      else if (!read_value_info (graph, gp->output[i], "output", &index, error))
        return FALSE;
      for (guint k = 0; k < graph->outputs->len; k++)
        if (g_array_index (graph->outputs, int, k) == index)
          {
            g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                         "the model is malformed: graph output “%s” is listed twice", name);
            return FALSE;
          }
      g_array_append_val (graph->outputs, index);
    }
  return TRUE;
}

SalGraph *
sal_onnx_read (const guint8 *data, gsize len, const char *base_dir,
               const SalLoadOptions *options, GError **error)
{
  ProtobufCAllocator allocator;
  Budget budget;
  Onnx__ModelProto *mp;
  g_autoptr(SalGraph) graph = NULL;
  gboolean have_opset = FALSE, ok;

  mp = (Onnx__ModelProto *) unpack (&onnx__model_proto__descriptor, data, len, options,
                                    &allocator, &budget, error);
  if (mp == NULL)
    return NULL;

  graph = sal_graph_new ();
  graph->ir_version = mp->has_ir_version ? mp->ir_version : 0;
  graph->producer = g_strdup (S (mp->producer_name));
  if (!g_utf8_validate (graph->producer, -1, NULL))
    g_clear_pointer (&graph->producer, g_free);
  for (size_t i = 0; i < mp->n_opset_import; i++)
    {
      const char *domain = S (mp->opset_import[i]->domain);
      if (domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0)
        {
          graph->opset = (int) CLAMP (mp->opset_import[i]->version, -1, G_MAXINT);
          have_opset = TRUE;
        }
    }

  ok = TRUE;
  if (mp->graph == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the file is not an ONNX model: it holds no graph");
      ok = FALSE;
    }
  else if (!have_opset)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "the model is malformed: it does not say which ONNX opset it uses");
      ok = FALSE;
    }
  else if (mp->n_functions > 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "the model defines its own functions, which Salient does not support");
      ok = FALSE;
    }
  else
    ok = read_graph (graph, mp->graph, base_dir, error);

  for (size_t i = 0; ok && i < mp->n_metadata_props; i++)
    {
      const char *k = S (mp->metadata_props[i]->key), *v = S (mp->metadata_props[i]->value);
      if (!g_utf8_validate (k, -1, NULL) || !g_utf8_validate (v, -1, NULL) || k[0] == '\0')
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "the model is malformed: a metadata entry is empty or not valid UTF-8");
          ok = FALSE;
        }
      else
        sal_graph_set_metadata (graph, k, v);
    }

  protobuf_c_message_free_unpacked (&mp->base, &allocator);
  return ok ? g_steal_pointer (&graph) : NULL;
}

SalTensor *
sal_tensor_load_pb (const guint8 *data, gsize len, char **name, GError **error)
{
  ProtobufCAllocator allocator;
  Budget budget;
  Onnx__TensorProto *tp;
  SalTensor *t;

  tp = (Onnx__TensorProto *) unpack (&onnx__tensor_proto__descriptor, data, len, NULL,
                                     &allocator, &budget, error);
  if (tp == NULL)
    return NULL;
  t = tensor_from_proto (tp, "tensor", NULL, error);
  if (t != NULL && name != NULL)
    *name = g_strdup (S (tp->name));
  protobuf_c_message_free_unpacked (&tp->base, &allocator);
  return t;
}

GPtrArray *
sal_onnx_peek_op_types (const guint8 *data, gsize len, GError **error)
{
  ProtobufCAllocator allocator;
  Budget budget;
  Onnx__ModelProto *mp;
  GPtrArray *types;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  mp = (Onnx__ModelProto *) unpack (&onnx__model_proto__descriptor, data, len, NULL,
                                    &allocator, &budget, error);
  if (mp == NULL)
    return NULL;
  types = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; mp->graph != NULL && i < mp->graph->n_node; i++)
    {
      const Onnx__NodeProto *np = mp->graph->node[i];
      const char *domain = S (np->domain);
      char *t = domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0
                ? g_strdup (S (np->op_type)) : g_strdup_printf ("%s.%s", domain, S (np->op_type));
      if (g_hash_table_contains (seen, t))
        g_free (t);
      else
        {
          g_hash_table_add (seen, t);
          g_ptr_array_add (types, t);
        }
    }
  protobuf_c_message_free_unpacked (&mp->base, &allocator);
  return types;
}
