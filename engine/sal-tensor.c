/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-tensor.h"
#include "sal-alloc.h"
#include "sal-error.h"

#include <string.h>

gsize
sal_dtype_size (SalDType dtype)
{
  switch (dtype)
    {
    case SAL_DTYPE_FLOAT: return 4;
    case SAL_DTYPE_INT32: return 4;
    case SAL_DTYPE_INT64: return 8;
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_INT8:
    case SAL_DTYPE_BOOL: return 1;
    case SAL_DTYPE_UNDEFINED:
    default: return 0;
    }
}

const char *
sal_dtype_name (SalDType dtype)
{
  switch (dtype)
    {
    case SAL_DTYPE_FLOAT: return "float32";
    case SAL_DTYPE_INT32: return "int32";
    case SAL_DTYPE_INT64: return "int64";
    case SAL_DTYPE_UINT8: return "uint8";
    case SAL_DTYPE_INT8: return "int8";
    case SAL_DTYPE_BOOL: return "bool";
    case SAL_DTYPE_UNDEFINED:
    default: return "undefined";
    }
}

gboolean
sal_shape_numel (int rank, const int64_t *dims, int64_t *out_numel)
{
  int64_t n = 1;

  if (rank < 0 || rank > SAL_MAX_RANK)
    return FALSE;
  for (int i = 0; i < rank; i++)
    {
      if (dims[i] < 0)
        return FALSE;
      if (dims[i] != 0 && n > (G_MAXINT64 / 16) / dims[i])
        return FALSE;
      n *= dims[i];
    }
  *out_numel = n;
  return TRUE;
}

gboolean
sal_tensor_set_shape (SalTensor *t, SalDType dtype, int rank, const int64_t *dims, GError **error)
{
  int64_t numel;

  if (rank < 0 || rank > SAL_MAX_RANK)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED,
                   "tensor of rank %d: Salient supports at most %d dimensions", rank, SAL_MAX_RANK);
      return FALSE;
    }
  if (!sal_shape_numel (rank, dims, &numel))
    {
      g_autofree char *s = sal_shape_to_string (rank, dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "tensor shape %s is negative or too large", s);
      return FALSE;
    }
  t->dtype = dtype;
  t->rank = rank;
  memset (t->dims, 0, sizeof t->dims);
  if (rank > 0)
    memcpy (t->dims, dims, rank * sizeof (int64_t));
  t->numel = numel;
  return TRUE;
}

gboolean
sal_tensor_same_shape (const SalTensor *a, const SalTensor *b)
{
  if (a->rank != b->rank)
    return FALSE;
  for (int i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i])
      return FALSE;
  return TRUE;
}

gsize
sal_tensor_nbytes (const SalTensor *t)
{
  return (gsize) t->numel * sal_dtype_size (t->dtype);
}

SalTensor *
sal_tensor_new (SalDType dtype, int rank, const int64_t *dims, GError **error)
{
  g_autoptr(SalTensor) t = g_new0 (SalTensor, 1);
  gsize nbytes;

  if (!sal_tensor_set_shape (t, dtype, rank, dims, error))
    return NULL;
  nbytes = sal_tensor_nbytes (t);
  if (nbytes > 0)
    {
      t->data = sal_alloc0 (nbytes);
      if (t->data == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_NO_MEMORY,
                       "out of memory allocating %" G_GSIZE_FORMAT " bytes", nbytes);
          return NULL;
        }
      t->owns_data = TRUE;
    }
  return g_steal_pointer (&t);
}

SalTensor *
sal_tensor_new_f32 (int rank, const int64_t *dims)
{
  g_autoptr(GError) error = NULL;
  SalTensor *t = sal_tensor_new (SAL_DTYPE_FLOAT, rank, dims, &error);

  if (t == NULL)
    g_error ("sal_tensor_new_f32: %s", error->message);
  return t;
}

SalTensor *
sal_tensor_new_scalar_f32 (float v)
{
  SalTensor *t = sal_tensor_new_f32 (0, NULL);

  /* A rank-0 tensor has one element. */
  sal_tensor_f32 (t)[0] = v;
  return t;
}

SalTensor *
sal_tensor_new_view (SalDType dtype, int rank, const int64_t *dims, void *data)
{
  SalTensor *t = g_new0 (SalTensor, 1);

  if (!sal_tensor_set_shape (t, dtype, rank, dims, NULL))
    g_error ("sal_tensor_new_view: bad shape");
  t->data = data;
  t->owns_data = FALSE;
  return t;
}

SalTensor *
sal_tensor_copy (const SalTensor *src)
{
  SalTensor *t = sal_tensor_new (src->dtype, src->rank, src->dims, NULL);

  if (t != NULL && src->data != NULL && t->data != NULL)
    memcpy (t->data, src->data, sal_tensor_nbytes (src));
  return t;
}

void
sal_tensor_free (SalTensor *t)
{
  if (t == NULL)
    return;
  if (t->owns_data)
    sal_free (t->data);
  g_free (t);
}

int64_t
sal_tensor_get_i64 (const SalTensor *t, int64_t i)
{
  switch (t->dtype)
    {
    case SAL_DTYPE_FLOAT: return (int64_t) ((const float *) t->data)[i];
    case SAL_DTYPE_INT32: return ((const gint32 *) t->data)[i];
    case SAL_DTYPE_INT64: return ((const int64_t *) t->data)[i];
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_BOOL: return ((const guint8 *) t->data)[i];
    case SAL_DTYPE_INT8: return ((const gint8 *) t->data)[i];
    case SAL_DTYPE_UNDEFINED:
    default: return 0;
    }
}

double
sal_tensor_get_f64 (const SalTensor *t, int64_t i)
{
  if (t->dtype == SAL_DTYPE_FLOAT)
    return ((const float *) t->data)[i];
  return (double) sal_tensor_get_i64 (t, i);
}

char *
sal_shape_to_string (int rank, const int64_t *dims)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < rank; i++)
    g_string_append_printf (s, i ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, dims[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}
