/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Element types. The values are ONNX's TensorProto.DataType numbers. */
typedef enum {
  SAL_DTYPE_UNDEFINED = 0,
  SAL_DTYPE_FLOAT     = 1,
  SAL_DTYPE_UINT8     = 2,
  SAL_DTYPE_INT8      = 3,
  SAL_DTYPE_INT32     = 6,
  SAL_DTYPE_INT64     = 7,
  SAL_DTYPE_BOOL      = 9,
} SalDType;

#define SAL_MAX_RANK 8

/* A dense, row-major tensor. `data` is NULL while only the shape is known
 * (shape inference); otherwise it holds numel * sal_dtype_size(dtype) bytes.
 * Bool tensors hold one byte (0 or 1) per element. */
typedef struct _SalTensor {
  SalDType dtype;
  int      rank;
  int64_t  dims[SAL_MAX_RANK];
  int64_t  numel;
  void    *data;
  guint    owns_data : 1;
} SalTensor;

gsize       sal_dtype_size        (SalDType dtype);
const char *sal_dtype_name        (SalDType dtype);

/* Element count of a shape; FALSE on a negative dimension or on overflow past
 * G_MAXINT64 / 16 (so byte counts never overflow either). */
gboolean    sal_shape_numel       (int rank, const int64_t *dims, int64_t *out_numel);

/* Sets dtype, rank, dims and numel; leaves data alone. */
gboolean    sal_tensor_set_shape  (SalTensor *t, SalDType dtype, int rank,
                                   const int64_t *dims, GError **error);
gboolean    sal_tensor_same_shape (const SalTensor *a, const SalTensor *b);

/* Allocates zeroed storage through the engine allocator. */
SalTensor  *sal_tensor_new        (SalDType dtype, int rank, const int64_t *dims, GError **error);
SalTensor  *sal_tensor_new_f32    (int rank, const int64_t *dims);   /* aborts only on overflow: for tests and builders */
SalTensor  *sal_tensor_new_scalar_f32 (float v);
/* A tensor that borrows `data` (not freed). */
SalTensor  *sal_tensor_new_view   (SalDType dtype, int rank, const int64_t *dims, void *data);
SalTensor  *sal_tensor_copy       (const SalTensor *t);
void        sal_tensor_free       (SalTensor *t);
gsize       sal_tensor_nbytes     (const SalTensor *t);

static inline float   *sal_tensor_f32 (const SalTensor *t) { return (float *) t->data; }
static inline int64_t *sal_tensor_i64 (const SalTensor *t) { return (int64_t *) t->data; }
static inline guint8  *sal_tensor_u8  (const SalTensor *t) { return (guint8 *) t->data; }

/* Reads element i of a numeric tensor (float, int32, int64, bool, 8-bit) as int64 / double. */
int64_t     sal_tensor_get_i64    (const SalTensor *t, int64_t i);
double      sal_tensor_get_f64    (const SalTensor *t, int64_t i);

char       *sal_shape_to_string   (int rank, const int64_t *dims);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalTensor, sal_tensor_free)

G_END_DECLS
