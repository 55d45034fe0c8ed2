/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Elementwise arithmetic and logic with numpy broadcasting: Add Sub Mul Div
 * Pow, Equal Less Greater (and LessOrEqual GreaterOrEqual And Or Xor), Where,
 * Not, the variadic Sum Mean Min Max, and the float maps Neg Abs Sqrt
 * Reciprocal Exp Log Erf Floor Ceil. Integer arithmetic wraps around like
 * two's complement hardware instead of being undefined. */

#include "sal-op.h"
#include "sal-broadcast.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

#define INVALID(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, __VA_ARGS__), FALSE)
#define UNSUPPORTED(...) (g_set_error (error, SAL_ERROR, SAL_ERROR_UNSUPPORTED, __VA_ARGS__), FALSE)

static gboolean
check_arity (SalNode *node, SalTensor *const *in, int min_in, int max_in, GError **error)
{
  if (node->n_inputs < min_in || (max_in >= 0 && node->n_inputs > max_in))
    {
      if (min_in == max_in)
        return INVALID ("%s: expects %d input%s, got %d", node->op_type, min_in,
                        min_in == 1 ? "" : "s", node->n_inputs);
      return INVALID ("%s: expects at least %d input%s, got %d", node->op_type, min_in,
                      min_in == 1 ? "" : "s", node->n_inputs);
    }
  for (int i = 0; i < node->n_inputs; i++)
    if (in[i] == NULL)
      return INVALID ("%s: input %d is missing", node->op_type, i);
  return TRUE;
}

/* ---- binary kernels ---------------------------------------------------- */

/* Four loops so the common cases (same shape, one side a scalar run) vectorise. */
#define DEF_BINARY(name, TA, TB, TO, EXPR)                                         \
  static void                                                                      \
  name (int64_t n, const void *pa, int64_t sa, const void *pb, int64_t sb, void *po) \
  {                                                                                \
    const TA *a = pa;                                                              \
    const TB *b = pb;                                                              \
    TO *o = po;                                                                    \
    if (sa && sb)                                                                  \
      SAL_FOR_CHUNKED (n, TO, o, =, (EXPR), TA x = a[i]; TB y = b[i]; (void) y);   \
    else if (sa)                                                                   \
      {                                                                            \
        TB y = b[0];                                                               \
        (void) y;                                                                  \
        SAL_FOR_CHUNKED (n, TO, o, =, (EXPR), TA x = a[i]);                        \
      }                                                                            \
    else if (sb)                                                                   \
      {                                                                            \
        TA x = a[0];                                                               \
        SAL_FOR_CHUNKED (n, TO, o, =, (EXPR), TB y = b[i]; (void) y);              \
      }                                                                            \
    else                                                                           \
      {                                                                            \
        TA x = a[0]; TB y = b[0]; TO v; (void) y; v = (EXPR);                      \
        for (int64_t i = 0; i < n; i++)                                            \
          o[i] = v;                                                                \
      }                                                                            \
  }

/* NaN-propagating max/min; on a tie the first operand wins. */
#define FMAX(x, y) (((x) >= (y) || (x) != (x)) ? (x) : (y))
#define FMIN(x, y) (((x) <= (y) || (x) != (x)) ? (x) : (y))
#define IMAX(x, y) ((x) >= (y) ? (x) : (y))
#define IMIN(x, y) ((x) <= (y) ? (x) : (y))

#define DEF_INT_ARITH(T, U, sfx, DIV)                                              \
  DEF_BINARY (add_##sfx, T, T, T, (T) ((U) x + (U) y))                             \
  DEF_BINARY (sub_##sfx, T, T, T, (T) ((U) x - (U) y))                             \
  DEF_BINARY (mul_##sfx, T, T, T, (T) ((U) x * (U) y))                             \
  DEF_BINARY (div_##sfx, T, T, T, DIV)                                             \
  DEF_BINARY (max_##sfx, T, T, T, IMAX (x, y))                                     \
  DEF_BINARY (min_##sfx, T, T, T, IMIN (x, y))                                     \
  DEF_BINARY (eq_##sfx, T, T, guint8, x == y)                                      \
  DEF_BINARY (lt_##sfx, T, T, guint8, x < y)                                       \
  DEF_BINARY (gt_##sfx, T, T, guint8, x > y)                                       \
  DEF_BINARY (le_##sfx, T, T, guint8, x <= y)                                      \
  DEF_BINARY (ge_##sfx, T, T, guint8, x >= y)

/* INT_MIN / -1 overflows: negate with wrap-around instead. 8-bit operands are
 * promoted to int, where it cannot happen. */
DEF_INT_ARITH (int64_t, guint64, i64, y == -1 ? (int64_t) (0 - (guint64) x) : x / y)
DEF_INT_ARITH (gint32, guint32, i32, y == -1 ? (gint32) (0 - (guint32) x) : x / y)
DEF_INT_ARITH (gint8, guint8, i8, (gint8) (x / y))
DEF_INT_ARITH (guint8, guint8, u8, (guint8) (x / y))

DEF_BINARY (add_f32, float, float, float, x + y)
DEF_BINARY (sub_f32, float, float, float, x - y)
DEF_BINARY (mul_f32, float, float, float, x * y)
DEF_BINARY (div_f32, float, float, float, x / y)
DEF_BINARY (max_f32, float, float, float, FMAX (x, y))
DEF_BINARY (min_f32, float, float, float, FMIN (x, y))
DEF_BINARY (eq_f32, float, float, guint8, x == y)
DEF_BINARY (lt_f32, float, float, guint8, x < y)
DEF_BINARY (gt_f32, float, float, guint8, x > y)
DEF_BINARY (le_f32, float, float, guint8, x <= y)
DEF_BINARY (ge_f32, float, float, guint8, x >= y)

DEF_BINARY (eq_b, guint8, guint8, guint8, x == y)
DEF_BINARY (and_b, guint8, guint8, guint8, x && y)
DEF_BINARY (or_b, guint8, guint8, guint8, x || y)
DEF_BINARY (xor_b, guint8, guint8, guint8, (x != 0) != (y != 0))

/* Pow: the result has the base's type; integer results via double, saturated
 * to the type's range (an out-of-range float-to-integer conversion is undefined). */
static inline int64_t
to_i64_sat (double v)
{
  if (isnan (v))
    return 0;
  if (v >= 9223372036854775807.0)
    return G_MAXINT64;
  if (v <= -9223372036854775808.0)
    return G_MININT64;
  return (int64_t) v;
}

static inline gint32
to_i32_sat (double v)
{
  if (isnan (v))
    return 0;
  return (gint32) CLAMP (v, (double) G_MININT32, (double) G_MAXINT32);
}

DEF_BINARY (pow_f32_f32, float, float, float, powf (x, y))
DEF_BINARY (pow_f32_i64, float, int64_t, float, (float) pow (x, (double) y))
DEF_BINARY (pow_f32_i32, float, gint32, float, (float) pow (x, (double) y))
DEF_BINARY (pow_i64_f32, int64_t, float, int64_t, to_i64_sat (pow ((double) x, y)))
DEF_BINARY (pow_i64_i64, int64_t, int64_t, int64_t, to_i64_sat (pow ((double) x, (double) y)))
DEF_BINARY (pow_i64_i32, int64_t, gint32, int64_t, to_i64_sat (pow ((double) x, (double) y)))
DEF_BINARY (pow_i32_f32, gint32, float, gint32, to_i32_sat (pow ((double) x, y)))
DEF_BINARY (pow_i32_i64, gint32, int64_t, gint32, to_i32_sat (pow ((double) x, (double) y)))
DEF_BINARY (pow_i32_i32, gint32, gint32, gint32, to_i32_sat (pow ((double) x, (double) y)))

/* Copies a broadcast `a` (used to start the variadic folds). */
DEF_BINARY (copy_1, guint8, guint8, guint8, x)
DEF_BINARY (copy_4, guint32, guint32, guint32, x)
DEF_BINARY (copy_8, guint64, guint64, guint64, x)

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_CMP, OP_LOGIC, OP_FOLD } BinaryKind;

typedef struct {
  const char     *op_type;
  BinaryKind      kind;
  SalBinaryKernel f32, i32, i64, b8, i8, u8;
} BinaryOp;

static const BinaryOp binary_ops[] = {
  /* Add: y = a + b */
  { "Add", OP_ADD, add_f32, add_i32, add_i64, NULL, add_i8, add_u8 },
  /* Sub: y = a - b */
  { "Sub", OP_SUB, sub_f32, sub_i32, sub_i64, NULL, sub_i8, sub_u8 },
  /* Mul: y = a * b */
  { "Mul", OP_MUL, mul_f32, mul_i32, mul_i64, NULL, mul_i8, mul_u8 },
  /* Div: y = a / b (integers truncate toward zero) */
  { "Div", OP_DIV, div_f32, div_i32, div_i64, NULL, div_i8, div_u8 },
  /* Pow: y = a ^ b */
  { "Pow", OP_POW, NULL, NULL, NULL, NULL, NULL, NULL },
  /* Equal: y = (a == b) */
  { "Equal", OP_CMP, eq_f32, eq_i32, eq_i64, eq_b, eq_i8, eq_u8 },
  /* Less: y = (a < b) */
  { "Less", OP_CMP, lt_f32, lt_i32, lt_i64, NULL, lt_i8, lt_u8 },
  /* Greater: y = (a > b) */
  { "Greater", OP_CMP, gt_f32, gt_i32, gt_i64, NULL, gt_i8, gt_u8 },
  /* LessOrEqual: y = (a <= b) */
  { "LessOrEqual", OP_CMP, le_f32, le_i32, le_i64, NULL, le_i8, le_u8 },
  /* GreaterOrEqual: y = (a >= b) */
  { "GreaterOrEqual", OP_CMP, ge_f32, ge_i32, ge_i64, NULL, ge_i8, ge_u8 },
  /* And, Or, Xor: boolean logic */
  { "And", OP_LOGIC, NULL, NULL, NULL, and_b, NULL, NULL },
  { "Or", OP_LOGIC, NULL, NULL, NULL, or_b, NULL, NULL },
  { "Xor", OP_LOGIC, NULL, NULL, NULL, xor_b, NULL, NULL },
  /* the folds of the variadic Sum/Mean, Max and Min (registered below) */
  { "Sum", OP_FOLD, add_f32, NULL, NULL, NULL, NULL, NULL },
  { "Mean", OP_FOLD, add_f32, NULL, NULL, NULL, NULL, NULL },
  { "Max", OP_FOLD, max_f32, max_i32, max_i64, NULL, max_i8, max_u8 },
  { "Min", OP_FOLD, min_f32, min_i32, min_i64, NULL, min_i8, min_u8 },
};

static const BinaryOp *
binary_find (const char *op_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (binary_ops); i++)
    if (strcmp (binary_ops[i].op_type, op_type) == 0)
      return &binary_ops[i];
  g_assert_not_reached ();
  return NULL;
}

static SalBinaryKernel
binary_kernel (const BinaryOp *op, SalDType a, SalDType b)
{
  if (op->kind == OP_POW)
    {
      static const SalBinaryKernel pow_kernels[3][3] = {
        { pow_f32_f32, pow_f32_i32, pow_f32_i64 },
        { pow_i32_f32, pow_i32_i32, pow_i32_i64 },
        { pow_i64_f32, pow_i64_i32, pow_i64_i64 },
      };
      int ia = a == SAL_DTYPE_FLOAT ? 0 : a == SAL_DTYPE_INT32 ? 1 : a == SAL_DTYPE_INT64 ? 2 : -1;
      int ib = b == SAL_DTYPE_FLOAT ? 0 : b == SAL_DTYPE_INT32 ? 1 : b == SAL_DTYPE_INT64 ? 2 : -1;

      return ia >= 0 && ib >= 0 ? pow_kernels[ia][ib] : NULL;
    }
  if (a != b)
    return NULL;
  switch (a)
    {
    case SAL_DTYPE_FLOAT: return op->f32;
    case SAL_DTYPE_INT32: return op->i32;
    case SAL_DTYPE_INT64: return op->i64;
    case SAL_DTYPE_BOOL: return op->b8;
    case SAL_DTYPE_INT8: return op->i8;
    case SAL_DTYPE_UINT8: return op->u8;
    case SAL_DTYPE_UNDEFINED:
    default: return NULL;
    }
}

static gboolean
binary_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
              GError **error)
{
  const BinaryOp *op = binary_find (node->op_type);
  int64_t dims[SAL_MAX_RANK];
  int rank;

  if (!check_arity (node, in, 2, 2, error))
    return FALSE;
  if (binary_kernel (op, in[0]->dtype, in[1]->dtype) == NULL)
    {
      if (op->kind != OP_POW && in[0]->dtype != in[1]->dtype)
        return INVALID ("%s: input types differ (%s and %s)", node->op_type,
                        sal_dtype_name (in[0]->dtype), sal_dtype_name (in[1]->dtype));
      return UNSUPPORTED ("%s: inputs of type %s and %s are not supported", node->op_type,
                          sal_dtype_name (in[0]->dtype), sal_dtype_name (in[1]->dtype));
    }
  if (!sal_broadcast_shape (node->op_type, 2, in, &rank, dims, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0],
                               op->kind == OP_CMP || op->kind == OP_LOGIC ? SAL_DTYPE_BOOL
                                                                          : in[0]->dtype,
                               rank, dims, error);
}

static void
square_f32 (int64_t n, const float *x, float *y, const SalUnaryParams *p)
{
  SAL_FOR_CHUNKED (n, float, y, =, v * v, float v = x[i]);
}

static gboolean
binary_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  const BinaryOp *op = binary_find (node->op_type);

  if (op->kind == OP_DIV && in[1]->dtype != SAL_DTYPE_FLOAT)
    for (int64_t i = 0; i < in[1]->numel; i++)
      if (sal_tensor_get_i64 (in[1], i) == 0)
        return INVALID ("%s: integer division by zero (element %" G_GINT64_FORMAT
                        " of the divisor)", node->op_type, i);
  /* x^2 (layer norms exported before opset 17) as x * x: exact, like powf, and cheaper */
  if (op->kind == OP_POW && in[0]->dtype == SAL_DTYPE_FLOAT && in[1]->numel == 1
      && sal_tensor_get_f64 (in[1], 0) == 2.0 && sal_tensor_same_shape (in[0], out[0]))
    {
      sal_map_unary_f32 (ctx, in[0]->numel, in[0]->data, out[0]->data, square_f32, NULL);
      return TRUE;
    }
  sal_map_binary (ctx, out[0], in[0], in[1], binary_kernel (op, in[0]->dtype, in[1]->dtype));
  return TRUE;
}

/* Gradients of Add Sub Mul Div Pow for float a and b, summed over broadcast axes:
 * one pass over (out, a, b) per input that wants a gradient. */
static gboolean
binary_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                 SalTensor *const *gout, SalTensor **gin, void *scratch,
                 const SalExecCtx *ctx, GError **error)
{
  const BinaryOp *op = binary_find (node->op_type);
  const SalTensor *ops[3] = { out[0], in[0], in[1] };
  const float *g, *y;
  SalBroadcast b;

  if (gout[0] == NULL || out[0]->numel == 0 || out[0]->dtype != SAL_DTYPE_FLOAT)
    return TRUE;
  g = sal_tensor_f32 (gout[0]);
  y = sal_tensor_f32 (out[0]);
  sal_broadcast_init (&b, 3, ops);
  for (int w = 0; w < 2; w++)
    {
      float *gw;
      const float *av = in[0]->data;
      const float *bv = in[1]->data;
      int64_t sa = sal_broadcast_inner_stride (&b, 1);
      int64_t sb = sal_broadcast_inner_stride (&b, 2);
      int64_t sw = w == 0 ? sa : sb;
      SalBroadcastIter it;
      int64_t off[3], len;

      if (gin[w] == NULL || in[w]->dtype != SAL_DTYPE_FLOAT)
        continue;   /* integer tensors (a Pow exponent) get no gradient */
      if ((op->kind == OP_ADD || op->kind == OP_SUB) && sal_tensor_same_shape (in[w], out[0]))
        {
          float *gi = sal_tensor_f32 (gin[w]);
          float s = op->kind == OP_SUB && w == 1 ? -1.0f : 1.0f;
          SAL_FOR_CHUNKED (out[0]->numel, float, gi, +=, s * g[i], (void) 0);
          continue;
        }
      gw = sal_tensor_f32 (gin[w]);
      if ((op->kind == OP_MUL || op->kind == OP_DIV) && sal_tensor_same_shape (in[0], out[0])
          && sal_tensor_same_shape (in[1], out[0]))
        {
          /* no broadcasting: vectorisable loops */
          if (op->kind == OP_MUL)
            SAL_FOR_CHUNKED (b.numel, float, gw, +=, g[i] * (w == 0 ? bv[i] : av[i]), (void) 0);
          else if (w == 0)
            SAL_FOR_CHUNKED (b.numel, float, gw, +=, g[i] / bv[i], (void) 0);
          else
            SAL_FOR_CHUNKED (b.numel, float, gw, +=, -g[i] * y[i] / bv[i], (void) 0);
          continue;
        }
      sal_broadcast_iter_init (&it, &b, 0, b.numel);
      while (sal_broadcast_iter_next (&it, off, &len))
        for (int64_t j = 0; j < len; j++)
          {
            int64_t io = off[0] + j, ia = off[1] + j * sa, ib = off[2] + j * sb;
            float gv = g[io], d;

            switch (op->kind)
              {
              case OP_ADD: d = gv; break;
              case OP_SUB: d = w == 0 ? gv : -gv; break;
              case OP_MUL: d = w == 0 ? gv * bv[ib] : gv * av[ia]; break;
              case OP_DIV: d = w == 0 ? gv / bv[ib] : -gv * y[io] / bv[ib]; break;
              case OP_POW:
                if (w == 0)
                  {
                    /* d/da a^b = b a^(b-1), with b read in its own type */
                    double e = sal_tensor_get_f64 (in[1], ib);
                    d = e == 0 ? 0.0f : gv * (float) (e * pow (av[ia], e - 1));
                  }
                else
                  /* d/db a^b = a^b ln a, taken as 0 where a <= 0 */
                  d = av[ia] > 0 ? gv * y[io] * logf (av[ia]) : 0.0f;
                break;
              case OP_CMP:
              case OP_LOGIC:
              default: d = 0; break;
              }
            gw[off[w + 1] + j * sw] += d;
          }
    }
  return TRUE;
}

/* ---- variadic Sum Mean Max Min ---------------------------------------- */

static gboolean
variadic_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
                GError **error)
{
  gboolean minmax = strcmp (node->op_type, "Max") == 0 || strcmp (node->op_type, "Min") == 0;
  const BinaryOp *fold = binary_find (node->op_type);
  int64_t dims[SAL_MAX_RANK];
  int rank;

  if (!check_arity (node, in, 1, -1, error))
    return FALSE;
  for (int i = 0; i < node->n_inputs; i++)
    {
      SalDType t = in[i]->dtype;

      if (t != in[0]->dtype)
        return INVALID ("%s: input types differ (%s and %s)", node->op_type,
                        sal_dtype_name (in[0]->dtype), sal_dtype_name (t));
      if (binary_kernel (fold, t, t) == NULL)
        return UNSUPPORTED ("%s: inputs of type %s are not supported", node->op_type,
                            sal_dtype_name (t));
    }
  if (!sal_broadcast_shape (node->op_type, node->n_inputs, in, &rank, dims, error))
    return FALSE;
  if (!sal_tensor_set_shape (out[0], in[0]->dtype, rank, dims, error))
    return FALSE;
  /* backward of Max/Min marks the output positions already routed */
  *workspace = minmax ? (gsize) out[0]->numel : 0;
  return TRUE;
}

static gboolean
variadic_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
                  const SalExecCtx *ctx, GError **error)
{
  const char *t = node->op_type;
  SalDType dt = in[0]->dtype;
  SalBinaryKernel fold = binary_kernel (binary_find (t), dt, dt);
  gsize es = sal_dtype_size (dt);

  /* Sum/Mean: y = sum_k x_k (Mean divides by k); Max/Min: y = max_k / min_k x_k. */
  sal_map_binary (ctx, out[0], in[0], in[0], es == 8 ? copy_8 : es == 4 ? copy_4 : copy_1);
  for (int k = 1; k < node->n_inputs; k++)
    sal_map_binary (ctx, out[0], out[0], in[k], fold);
  if (strcmp (t, "Mean") == 0)
    {
      float *y = sal_tensor_f32 (out[0]);
      float s = 1.0f / node->n_inputs;
      for (int64_t i = 0; i < out[0]->numel; i++)
        y[i] *= s;
    }
  return TRUE;
}

static gboolean
variadic_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                   SalTensor *const *gout, SalTensor **gin, void *scratch,
                   const SalExecCtx *ctx, GError **error)
{
  gboolean mean = strcmp (node->op_type, "Mean") == 0;
  guint8 *taken = scratch;
  const float *g, *y;

  if (gout[0] == NULL || out[0]->dtype != SAL_DTYPE_FLOAT || out[0]->numel == 0)
    return TRUE;
  if (strcmp (node->op_type, "Sum") == 0 || mean)
    {
      for (int k = 0; k < node->n_inputs; k++)
        if (gin[k] != NULL)
          sal_broadcast_reduce_add_f32 (gout[0], gin[k], mean ? 1.0f / node->n_inputs : 1.0f);
      return TRUE;
    }

  /* Max/Min: each output position's gradient goes to the first input holding its value. */
  g = sal_tensor_f32 (gout[0]);
  y = sal_tensor_f32 (out[0]);
  memset (taken, 0, out[0]->numel);
  for (int k = 0; k < node->n_inputs; k++)
    {
      const SalTensor *ops[2] = { out[0], in[k] };
      const float *x = sal_tensor_f32 (in[k]);
      float *gx = gin[k] != NULL ? sal_tensor_f32 (gin[k]) : NULL;
      SalBroadcast b;
      SalBroadcastIter it;
      int64_t off[2], len, s;

      sal_broadcast_init (&b, 2, ops);
      s = sal_broadcast_inner_stride (&b, 1);
      sal_broadcast_iter_init (&it, &b, 0, b.numel);
      while (sal_broadcast_iter_next (&it, off, &len))
        for (int64_t j = 0; j < len; j++)
          {
            int64_t io = off[0] + j, ix = off[1] + j * s;

            if (taken[io] || !(x[ix] == y[io] || (isnan (x[ix]) && isnan (y[io]))))
              continue;
            taken[io] = 1;
            if (gx != NULL)
              gx[ix] += g[io];
          }
    }
  return TRUE;
}

/* ---- Where, Not -------------------------------------------------------- */

static gboolean
where_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
             GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  int rank;

  if (!check_arity (node, in, 3, 3, error))
    return FALSE;
  if (in[0]->dtype != SAL_DTYPE_BOOL)
    return INVALID ("Where: the condition must be bool, not %s", sal_dtype_name (in[0]->dtype));
  if (in[1]->dtype != in[2]->dtype)
    return INVALID ("Where: X and Y types differ (%s and %s)", sal_dtype_name (in[1]->dtype),
                    sal_dtype_name (in[2]->dtype));
  if (sal_dtype_size (in[1]->dtype) == 0)
    return UNSUPPORTED ("Where: inputs of type %s are not supported",
                        sal_dtype_name (in[1]->dtype));
  if (!sal_broadcast_shape ("Where", 3, in, &rank, dims, error))
    return FALSE;
  *workspace = 0;
  return sal_tensor_set_shape (out[0], in[1]->dtype, rank, dims, error);
}

typedef struct {
  SalBroadcast b;
  const guint8 *c;
  const char *x, *y;
  char *out;
  gsize es;
} WhereJob;

static void
where_range (int64_t i0, int64_t i1, gpointer data)
{
  const WhereJob *job = data;
  int64_t sc = sal_broadcast_inner_stride (&job->b, 1);
  int64_t sx = sal_broadcast_inner_stride (&job->b, 2);
  int64_t sy = sal_broadcast_inner_stride (&job->b, 3);
  SalBroadcastIter it;
  int64_t off[4], len;

  sal_broadcast_iter_init (&it, &job->b, i0, i1);
  while (sal_broadcast_iter_next (&it, off, &len))
    {
      const guint8 *c = job->c + off[1];
#define WHERE_LOOP(T)                                                              \
      {                                                                            \
        const T *x = (const T *) job->x + off[2];                                  \
        const T *yv = (const T *) job->y + off[3];                                 \
        T *o = (T *) job->out + off[0];                                            \
        SAL_FOR_CHUNKED (len, T, o, =, c[i * sc] ? x[i * sx] : yv[i * sy], (void) 0); \
      }
      switch (job->es)
        {
        case 8: WHERE_LOOP (guint64) break;
        case 4: WHERE_LOOP (guint32) break;
        default: WHERE_LOOP (guint8) break;
        }
#undef WHERE_LOOP
    }
}

/* Where: y = cond ? x : y */
static gboolean
where_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  const SalTensor *ops[4] = { out[0], in[0], in[1], in[2] };
  WhereJob job = { .c = in[0]->data, .x = in[1]->data, .y = in[2]->data,
                   .out = out[0]->data, .es = sal_dtype_size (out[0]->dtype) };

  if (out[0]->numel == 0)
    return TRUE;
  sal_broadcast_init (&job.b, 4, ops);
  if (out[0]->numel >= SAL_PARALLEL_MIN_ELEMENTS && ctx != NULL && ctx->n_threads > 1)
    sal_exec_parallel_for (ctx, out[0]->numel, where_range, &job);
  else
    where_range (0, out[0]->numel, &job);
  return TRUE;
}

static gboolean
where_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                SalTensor *const *gout, SalTensor **gin, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  const SalTensor *ops[4] = { out[0], in[0], in[1], in[2] };
  const guint8 *c = in[0]->data;
  const float *g;
  SalBroadcast b;

  if (gout[0] == NULL || out[0]->dtype != SAL_DTYPE_FLOAT || out[0]->numel == 0)
    return TRUE;
  g = sal_tensor_f32 (gout[0]);
  sal_broadcast_init (&b, 4, ops);
  for (int w = 1; w <= 2; w++)
    {
      int64_t sc = sal_broadcast_inner_stride (&b, 1), sw = sal_broadcast_inner_stride (&b, w + 1);
      gboolean want = w == 1;
      SalBroadcastIter it;
      int64_t off[4], len;
      float *gw;

      if (gin[w] == NULL)
        continue;
      gw = sal_tensor_f32 (gin[w]);
      sal_broadcast_iter_init (&it, &b, 0, b.numel);
      while (sal_broadcast_iter_next (&it, off, &len))
        for (int64_t j = 0; j < len; j++)
          if ((c[off[1] + j * sc] != 0) == want)
            gw[off[w + 1] + j * sw] += g[off[0] + j];
    }
  return TRUE;
}

/* ---- unary maps -------------------------------------------------------- */

#define MAP  SAL_UNARY_F32
#define GRAD SAL_UNARY_GRAD_F32

MAP (f_neg, -x)
GRAD (grad_neg, -1.0f)
MAP (f_abs, fabsf (x))
GRAD (grad_abs, x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f)
MAP (f_sqrt, sqrtf (x))
GRAD (grad_sqrt, 0.5f / y)
MAP (f_recip, 1.0f / x)
GRAD (grad_recip, -y * y)
MAP (f_exp, expf (x))
GRAD (grad_exp, y)
MAP (f_log, logf (x))
GRAD (grad_log, 1.0f / x)
MAP (f_erf, erff (x))
GRAD (grad_erf, (float) M_2_SQRTPI * expf (-x * x))
MAP (f_floor, floorf (x))
MAP (f_ceil, ceilf (x))

static void
grad_zero (int64_t n, const float *x, const float *y, const float *gy, float *gx,
           const SalUnaryParams *p)
{
  /* Floor and Ceil are piecewise constant: their gradient is 0 (as in PyTorch). */
}

typedef struct {
  const char     *op_type;
  SalUnaryF32     f;
  SalUnaryGradF32 grad;
  gboolean        ints;      /* also int32/int64 */
} UnaryOp;

static const UnaryOp unary_ops[] = {
  { "Neg", f_neg, grad_neg, TRUE },              /* y = -x */
  { "Abs", f_abs, grad_abs, TRUE },              /* y = |x|, dy/dx = sign(x) (0 at 0) */
  { "Sqrt", f_sqrt, grad_sqrt, FALSE },          /* y = sqrt(x), dy/dx = 1 / (2y) */
  { "Reciprocal", f_recip, grad_recip, FALSE },  /* y = 1/x, dy/dx = -y^2 */
  { "Exp", f_exp, grad_exp, FALSE },             /* y = e^x, dy/dx = y */
  { "Log", f_log, grad_log, FALSE },             /* y = ln x, dy/dx = 1/x */
  { "Erf", f_erf, grad_erf, FALSE },             /* y = erf(x), dy/dx = 2/sqrt(pi) e^(-x^2) */
  { "Floor", f_floor, grad_zero, FALSE },        /* y = floor(x), dy/dx = 0 */
  { "Ceil", f_ceil, grad_zero, FALSE },          /* y = ceil(x), dy/dx = 0 */
};

static const UnaryOp *
unary_find (const char *op_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (unary_ops); i++)
    if (strcmp (unary_ops[i].op_type, op_type) == 0)
      return &unary_ops[i];
  g_assert_not_reached ();
  return NULL;
}

static gboolean
unary_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
             GError **error)
{
  const UnaryOp *op = unary_find (node->op_type);
  SalDType t;

  if (!check_arity (node, in, 1, 1, error))
    return FALSE;
  t = in[0]->dtype;
  if (t != SAL_DTYPE_FLOAT && !(op->ints && (t == SAL_DTYPE_INT64 || t == SAL_DTYPE_INT32)))
    return UNSUPPORTED ("%s: inputs of type %s are not supported (float32%s)", node->op_type,
                        sal_dtype_name (t), op->ints ? ", int32 or int64" : " only");
  *workspace = 0;
  return sal_tensor_set_shape (out[0], t, in[0]->rank, in[0]->dims, error);
}

static gboolean
unary_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
               const SalExecCtx *ctx, GError **error)
{
  const UnaryOp *op = unary_find (node->op_type);
  gboolean neg = op->f == f_neg;
  int64_t n = in[0]->numel;

  switch (in[0]->dtype)
    {
    case SAL_DTYPE_INT64:
      {
        const int64_t *x = in[0]->data;
        int64_t *y = out[0]->data;
        for (int64_t i = 0; i < n; i++)
          y[i] = neg || x[i] < 0 ? (int64_t) (0 - (guint64) x[i]) : x[i];
      }
      break;
    case SAL_DTYPE_INT32:
      {
        const gint32 *x = in[0]->data;
        gint32 *y = out[0]->data;
        for (int64_t i = 0; i < n; i++)
          y[i] = neg || x[i] < 0 ? (gint32) (0 - (guint32) x[i]) : x[i];
      }
      break;
    case SAL_DTYPE_FLOAT:
    case SAL_DTYPE_UNDEFINED:
    case SAL_DTYPE_UINT8:
    case SAL_DTYPE_INT8:
    case SAL_DTYPE_BOOL:
    default:
      sal_map_unary_f32 (ctx, n, in[0]->data, out[0]->data, op->f, NULL);
      break;
    }
  return TRUE;
}

static gboolean
unary_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
                SalTensor *const *gout, SalTensor **gin, void *scratch,
                const SalExecCtx *ctx, GError **error)
{
  const UnaryOp *op = unary_find (node->op_type);

  if (gout[0] == NULL || gin[0] == NULL || in[0]->dtype != SAL_DTYPE_FLOAT)
    return TRUE;
  sal_map_unary_grad_f32 (ctx, in[0]->numel, in[0]->data, out[0]->data, gout[0]->data,
                          gin[0]->data, op->grad, NULL);
  return TRUE;
}

/* Not: y = !x */
static gboolean
not_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
           GError **error)
{
  if (!check_arity (node, in, 1, 1, error))
    return FALSE;
  if (in[0]->dtype != SAL_DTYPE_BOOL)
    return INVALID ("Not: the input must be bool, not %s", sal_dtype_name (in[0]->dtype));
  *workspace = 0;
  return sal_tensor_set_shape (out[0], SAL_DTYPE_BOOL, in[0]->rank, in[0]->dims, error);
}

static gboolean
not_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  const guint8 *x = in[0]->data;
  guint8 *y = out[0]->data;

  for (int64_t i = 0; i < in[0]->numel; i++)
    y[i] = !x[i];
  return TRUE;
}

#define BINARY(name, grad) { name, binary_infer, NULL, binary_forward, grad }
#define UNARY(name) { name, unary_infer, NULL, unary_forward, unary_backward }
#define VARIADIC(name) { name, variadic_infer, NULL, variadic_forward, variadic_backward }

static const SalOpDef defs[] = {
  BINARY ("Add", binary_backward),
  BINARY ("Sub", binary_backward),
  BINARY ("Mul", binary_backward),
  BINARY ("Div", binary_backward),
  BINARY ("Pow", binary_backward),
  BINARY ("Equal", NULL),
  BINARY ("Less", NULL),
  BINARY ("Greater", NULL),
  BINARY ("LessOrEqual", NULL),
  BINARY ("GreaterOrEqual", NULL),
  BINARY ("And", NULL),
  BINARY ("Or", NULL),
  BINARY ("Xor", NULL),
  VARIADIC ("Sum"),
  VARIADIC ("Mean"),
  VARIADIC ("Max"),
  VARIADIC ("Min"),
  { "Where", where_infer, NULL, where_forward, where_backward },
  { "Not", not_infer, NULL, not_forward, NULL },
  UNARY ("Neg"),
  UNARY ("Abs"),
  UNARY ("Sqrt"),
  UNARY ("Reciprocal"),
  UNARY ("Exp"),
  UNARY ("Log"),
  UNARY ("Erf"),
  UNARY ("Floor"),
  UNARY ("Ceil"),
};

const SalOpGroup sal_ops_elementwise = { defs, G_N_ELEMENTS (defs) };
