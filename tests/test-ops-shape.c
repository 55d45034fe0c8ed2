/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shape and data-movement operators: reference values from independent loops
 * or by hand, opset differences, errors, and finite-difference gradients. */

#include "sal-shape-op-test.h"

#define RTOL 1e-2
#define ATOL 1e-3

static void
unravel (int64_t flat, int rank, const int64_t *dims, int64_t *idx)
{
  for (int d = rank - 1; d >= 0; d--)
    {
      idx[d] = dims[d] > 0 ? flat % dims[d] : 0;
      flat = dims[d] > 0 ? flat / dims[d] : 0;
    }
}

static int64_t
ravel (int rank, const int64_t *dims, const int64_t *idx)
{
  int64_t f = 0;

  for (int d = 0; d < rank; d++)
    f = f * dims[d] + idx[d];
  return f;
}

static SalTensor *
iota_f32 (int rank, const int64_t *dims)
{
  SalTensor *t = sal_tensor_new_f32 (rank, dims);

  for (int64_t i = 0; i < t->numel; i++)
    sal_tensor_f32 (t)[i] = (float) i;
  return t;
}

/* ------------------------------------------------------------ reshape family */

static void
test_reshape (void)
{
  int64_t xd[3] = { 2, 3, 4 }, want[3] = { 2, 4, 3 };
  g_autoptr(SalTensor) x = iota_f32 (3, xd);
  g_autoptr(SalTensor) shape = sal_t_ints (3, (int64_t[]) { 0, -1, 3 });
  g_autoptr(SalTensor) bad = sal_t_ints (2, (int64_t[]) { -1, -1 });
  g_autoptr(SalTensor) bad2 = sal_t_ints (2, (int64_t[]) { 5, 5 });
  g_autoptr(SalTensor) unknown = sal_t_ints (2, (int64_t[]) { 4, 6 });
  SalTensor *in[2] = { x, shape };
  g_autoptr(SalOpRun) run = sal_op_run (sal_node_new ("Reshape", "r", 13), 2, in, 1);

  sal_assert_shape (run->out[0], 3, want);
  for (int i = 0; i < 24; i++)
    g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[i], ==, i);
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);

  in[1] = bad;
  sal_op_expect_error (sal_node_new ("Reshape", NULL, 13), 2, in, 1, SAL_ERROR_INVALID);
  in[1] = bad2;
  sal_op_expect_error (sal_node_new ("Reshape", NULL, 13), 2, in, 1, SAL_ERROR_INVALID);
  /* a shape only known at run time */
  g_clear_pointer (&unknown->data, sal_free);
  unknown->owns_data = FALSE;
  in[1] = unknown;
  sal_op_expect_error (sal_node_new ("Reshape", NULL, 13), 2, in, 1, SAL_ERROR_UNSUPPORTED);
}

static void
test_reshape_allowzero (void)
{
  int64_t xd[2] = { 0, 3 }, w0[2] = { 3, 0 }, w1[2] = { 0, 3 };
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (2, xd);
  g_autoptr(SalTensor) shape = sal_t_ints (2, (int64_t[]) { 3, 0 });
  SalTensor *in[2] = { x, shape };
  SalNode *n14 = sal_node_new ("Reshape", NULL, 14);
  SalNode *n13 = sal_node_new ("Reshape", NULL, 13);
  g_autoptr(SalOpRun) a = NULL;
  g_autoptr(SalOpRun) b = NULL;

  /* allowzero: a 0 is a real zero; without it (or before opset 14) it copies */
  sal_node_set_int (n14, "allowzero", 1);
  a = sal_op_run (n14, 2, in, 1);
  sal_assert_shape (a->out[0], 2, w0);
  sal_node_set_int (n13, "allowzero", 1);
  in[1] = sal_t_ints (2, (int64_t[]) { 0, 3 });
  b = sal_op_run (n13, 2, in, 1);
  sal_assert_shape (b->out[0], 2, w1);
  sal_tensor_free (in[1]);
}

static void
test_flatten (void)
{
  int64_t xd[4] = { 2, 3, 4, 5 };
  g_autoptr(SalTensor) x = iota_f32 (4, xd);
  struct { int64_t axis, d0, d1; } cases[] = {
    { 0, 1, 120 }, { 1, 2, 60 }, { 2, 6, 20 }, { 4, 120, 1 }, { -1, 24, 5 }, { -4, 1, 120 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      SalNode *n = sal_node_new ("Flatten", NULL, 13);
      g_autoptr(SalOpRun) run = NULL;
      sal_node_set_int (n, "axis", cases[c].axis);
      run = sal_op_run (n, 1, &x, 1);
      sal_assert_shape (run->out[0], 2, (int64_t[]) { cases[c].d0, cases[c].d1 });
      g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[119], ==, 119);
    }
  {
    SalNode *n = sal_node_new ("Flatten", NULL, 13);
    sal_node_set_int (n, "axis", 5);
    sal_op_expect_error (n, 1, &x, 1, SAL_ERROR_INVALID);
  }
}

static void
test_squeeze (void)
{
  int64_t xd[4] = { 1, 3, 1, 2 }, all[2] = { 3, 2 }, one[3] = { 3, 1, 2 };
  g_autoptr(SalTensor) x = iota_f32 (4, xd);
  g_autoptr(SalTensor) axes = sal_t_ints (1, (int64_t[]) { -4 });
  g_autoptr(SalTensor) bad = sal_t_ints (1, (int64_t[]) { 1 });
  SalTensor *in[2] = { x, axes };
  SalNode *n11 = sal_node_new ("Squeeze", NULL, 11);
  g_autoptr(SalOpRun) r_all = sal_op_run (sal_node_new ("Squeeze", NULL, 13), 1, in, 1);
  g_autoptr(SalOpRun) r13 = sal_op_run (sal_node_new ("Squeeze", NULL, 13), 2, in, 1);
  g_autoptr(SalOpRun) r11 = NULL;

  sal_assert_shape (r_all->out[0], 2, all);
  sal_assert_shape (r13->out[0], 3, one);
  /* opset 11 takes the attribute and ignores a second input */
  sal_node_set_ints (n11, "axes", 1, (int64_t[]) { 2 });
  r11 = sal_op_run (n11, 1, in, 1);
  sal_assert_shape (r11->out[0], 3, (int64_t[]) { 1, 3, 2 });
  sal_op_grad_check (r13, 1, 1, 1e-2, RTOL, ATOL);
  in[1] = bad;
  sal_op_expect_error (sal_node_new ("Squeeze", NULL, 13), 2, in, 1, SAL_ERROR_INVALID);
}

static void
test_unsqueeze (void)
{
  int64_t xd[2] = { 3, 4 };
  g_autoptr(SalTensor) x = iota_f32 (2, xd);
  g_autoptr(SalTensor) axes = sal_t_ints (3, (int64_t[]) { 4, 0, -3 });
  SalTensor *in[2] = { x, axes };
  SalNode *n11 = sal_node_new ("Unsqueeze", NULL, 11);
  g_autoptr(SalOpRun) r13 = sal_op_run (sal_node_new ("Unsqueeze", NULL, 13), 2, in, 1);
  g_autoptr(SalOpRun) r11 = NULL;

  sal_assert_shape (r13->out[0], 5, (int64_t[]) { 1, 3, 1, 4, 1 });
  sal_node_set_ints (n11, "axes", 2, (int64_t[]) { 1, -1 });
  r11 = sal_op_run (n11, 1, in, 1);
  sal_assert_shape (r11->out[0], 4, (int64_t[]) { 3, 1, 4, 1 });
  g_assert_cmpfloat (sal_tensor_f32 (r11->out[0])[11], ==, 11);
  /* axes required at 13 */
  sal_op_expect_error (sal_node_new ("Unsqueeze", NULL, 13), 1, in, 1, SAL_ERROR_INVALID);
  sal_op_grad_check (r13, 1, 1, 1e-2, RTOL, ATOL);
}

static void
test_identity (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (1);
  int64_t xd[2] = { 2, 5 };
  g_autoptr(SalTensor) x = sal_t_rand (rng, 2, xd);
  g_autoptr(SalOpRun) run = sal_op_run (sal_node_new ("Identity", NULL, 13), 1, &x, 1);

  sal_assert_f32_close (run->out[0], sal_tensor_f32 (x), 10, 0, 0);
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);
}

/* ------------------------------------------------------------------ Transpose */

static void
test_transpose (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (2);
  int64_t xd[4] = { 2, 3, 4, 5 }, perm[4] = { 2, 0, 3, 1 }, idx[4], xi[4];
  g_autoptr(SalTensor) x = sal_t_rand (rng, 4, xd);
  SalNode *n = sal_node_new ("Transpose", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;
  g_autoptr(SalOpRun) rdef = NULL;

  sal_node_set_ints (n, "perm", 4, perm);
  run = sal_op_run (n, 1, &x, 1);
  sal_assert_shape (run->out[0], 4, (int64_t[]) { 4, 2, 5, 3 });
  for (int64_t o = 0; o < 120; o++)
    {
      unravel (o, 4, run->out[0]->dims, idx);
      for (int k = 0; k < 4; k++)
        xi[perm[k]] = idx[k];
      g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[o], ==,
                         sal_tensor_f32 (x)[ravel (4, xd, xi)]);
    }
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);
  /* default: reversed axes */
  rdef = sal_op_run (sal_node_new ("Transpose", NULL, 13), 1, &x, 1);
  sal_assert_shape (rdef->out[0], 4, (int64_t[]) { 5, 4, 3, 2 });
  g_assert_cmpfloat (sal_tensor_f32 (rdef->out[0])[1], ==, sal_tensor_f32 (x)[60]);
  n = sal_node_new ("Transpose", NULL, 13);
  sal_node_set_ints (n, "perm", 4, (int64_t[]) { 0, 0, 1, 2 });
  sal_op_expect_error (n, 1, &x, 1, SAL_ERROR_INVALID);
}

/* ------------------------------------------------------------- Concat, Split */

static void
test_concat (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (3);
  g_autoptr(SalTensor) a = sal_t_rand (rng, 3, (int64_t[]) { 2, 1, 3 });
  g_autoptr(SalTensor) b = sal_t_rand (rng, 3, (int64_t[]) { 2, 2, 3 });
  g_autoptr(SalTensor) c = sal_t_rand (rng, 3, (int64_t[]) { 2, 0, 3 });
  g_autoptr(SalTensor) bad = sal_t_rand (rng, 3, (int64_t[]) { 2, 2, 4 });
  SalTensor *in[3] = { a, b, c };
  SalNode *n = sal_node_new ("Concat", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;
  const float *y;

  sal_node_set_int (n, "axis", -2);
  run = sal_op_run (n, 3, in, 1);
  sal_assert_shape (run->out[0], 3, (int64_t[]) { 2, 3, 3 });
  y = sal_tensor_f32 (run->out[0]);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat (y[(i * 3 + j) * 3 + k], ==,
                           j < 1 ? sal_tensor_f32 (a)[i * 3 + k]
                                 : sal_tensor_f32 (b)[(i * 2 + j - 1) * 3 + k]);
  sal_op_grad_check (run, 3, 1, 1e-2, RTOL, ATOL);
  n = sal_node_new ("Concat", NULL, 13);
  sal_node_set_int (n, "axis", 1);
  in[1] = bad;
  sal_op_expect_error (n, 3, in, 1, SAL_ERROR_INVALID);
}

static void
test_split (void)
{
  int64_t xd[2] = { 2, 6 };
  g_autoptr(SalTensor) x = iota_f32 (2, xd);
  g_autoptr(SalTensor) sizes = sal_t_ints (3, (int64_t[]) { 1, 3, 2 });
  g_autoptr(SalTensor) badsizes = sal_t_ints (3, (int64_t[]) { 1, 3, 3 });
  SalTensor *in[2] = { x, sizes };
  SalNode *n13 = sal_node_new ("Split", NULL, 13);
  SalNode *n11 = sal_node_new ("Split", NULL, 11);
  SalNode *neq = sal_node_new ("Split", NULL, 13);
  g_autoptr(SalOpRun) r13 = NULL;
  g_autoptr(SalOpRun) r11 = NULL;
  g_autoptr(SalOpRun) req = NULL;
  static const float part1[6] = { 1, 2, 3, 7, 8, 9 };

  sal_node_set_int (n13, "axis", 1);
  r13 = sal_op_run (n13, 2, in, 3);
  sal_assert_shape (r13->out[1], 2, (int64_t[]) { 2, 3 });
  sal_assert_f32_close (r13->out[1], part1, 6, 0, 0);
  g_assert_cmpfloat (sal_tensor_f32 (r13->out[2])[3], ==, 11);
  sal_op_grad_check (r13, 1, 0x5, 1e-2, RTOL, ATOL);   /* output 1 gets no gradient */

  /* opset 11: the attribute */
  sal_node_set_int (n11, "axis", -1);
  sal_node_set_ints (n11, "split", 2, (int64_t[]) { 4, 2 });
  r11 = sal_op_run (n11, 1, in, 2);
  sal_assert_shape (r11->out[0], 2, (int64_t[]) { 2, 4 });
  g_assert_cmpfloat (sal_tensor_f32 (r11->out[1])[0], ==, 4);

  /* equal parts along axis 0 */
  req = sal_op_run (neq, 1, in, 2);
  sal_assert_shape (req->out[1], 2, (int64_t[]) { 1, 6 });
  g_assert_cmpfloat (sal_tensor_f32 (req->out[1])[0], ==, 6);
  sal_op_expect_error (sal_node_new ("Split", NULL, 13), 1, in, 4, SAL_ERROR_INVALID);
  in[1] = badsizes;
  n13 = sal_node_new ("Split", NULL, 13);
  sal_node_set_int (n13, "axis", 1);
  sal_op_expect_error (n13, 2, in, 3, SAL_ERROR_INVALID);
}

/* ---------------------------------------------------------------------- Slice */

/* The reference: Python-style slicing written out per ONNX's clamping rule. */
static int64_t
ref_slice_range (int64_t s, int64_t e, int64_t st, int64_t dim, int64_t *first)
{
  int64_t n = 0;

  if (s < 0)
    s += dim;
  if (e < 0)
    e += dim;
  if (st > 0)
    {
      s = s < 0 ? 0 : s > dim ? dim : s;
      e = e < 0 ? 0 : e > dim ? dim : e;
      for (int64_t i = s; i < e; i += st)
        n++;
    }
  else
    {
      s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
      e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
      for (int64_t i = s; i > e; i += st)
        n++;
    }
  *first = s;
  return n;
}

static void
check_slice (const SalTensor *x, int n, const int64_t *starts, const int64_t *ends,
             const int64_t *axes, const int64_t *steps, gboolean grad)
{
  g_autoptr(SalTensor) ts = sal_t_ints (n, starts);
  g_autoptr(SalTensor) te = sal_t_ints (n, ends);
  g_autoptr(SalTensor) ta = axes ? sal_t_ints (n, axes) : NULL;
  g_autoptr(SalTensor) tst = steps ? sal_t_ints (n, steps) : NULL;
  SalTensor *in[5] = { (SalTensor *) x, ts, te, ta, tst };
  g_autoptr(SalOpRun) run = sal_op_run (sal_node_new ("Slice", NULL, 13), 5, in, 1);
  int64_t first[SAL_MAX_RANK], step[SAL_MAX_RANK], count[SAL_MAX_RANK], idx[SAL_MAX_RANK];

  for (int d = 0; d < x->rank; d++)
    {
      first[d] = 0;
      step[d] = 1;
      count[d] = x->dims[d];
    }
  for (int i = 0; i < n; i++)
    {
      int64_t a = axes ? (axes[i] < 0 ? axes[i] + x->rank : axes[i]) : i;
      step[a] = steps ? steps[i] : 1;
      count[a] = ref_slice_range (starts[i], ends[i], step[a], x->dims[a], &first[a]);
    }
  sal_assert_shape (run->out[0], x->rank, count);
  for (int64_t o = 0; o < run->out[0]->numel; o++)
    {
      unravel (o, x->rank, count, idx);
      for (int d = 0; d < x->rank; d++)
        idx[d] = first[d] + idx[d] * step[d];
      g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[o], ==,
                         sal_tensor_f32 (x)[ravel (x->rank, x->dims, idx)]);
    }
  if (grad)
    sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);
}

static void
test_slice (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);
  int64_t xd[3] = { 4, 5, 6 };
  g_autoptr(SalTensor) x = sal_t_rand (rng, 3, xd);
  g_autoptr(SalTensor) s = sal_t_ints (1, (int64_t[]) { 0 });
  g_autoptr(SalTensor) e = sal_t_ints (1, (int64_t[]) { 1 });
  g_autoptr(SalTensor) a = sal_t_ints (1, (int64_t[]) { 0 });
  g_autoptr(SalTensor) zero = sal_t_ints (1, (int64_t[]) { 0 });
  SalTensor *in[5] = { x, s, e, a, zero };

  check_slice (x, 2, (int64_t[]) { 1, 0 }, (int64_t[]) { 3, 5 }, NULL, NULL, TRUE);
  check_slice (x, 2, (int64_t[]) { -1, 1 }, (int64_t[]) { -1000, G_MAXINT64 },
               (int64_t[]) { 2, -3 }, (int64_t[]) { -2, 2 }, TRUE);
  check_slice (x, 1, (int64_t[]) { 20 }, (int64_t[]) { 30 }, (int64_t[]) { 1 }, NULL, FALSE);
  check_slice (x, 1, (int64_t[]) { -100 }, (int64_t[]) { 100 }, (int64_t[]) { 2 },
               (int64_t[]) { 3 }, FALSE);
  check_slice (x, 3, (int64_t[]) { G_MAXINT64, 4, 0 }, (int64_t[]) { G_MININT64, -6, 6 },
               NULL, (int64_t[]) { -1, -2, 5 }, TRUE);
  /* step 0 is invalid */
  sal_op_expect_error (sal_node_new ("Slice", NULL, 13), 5, in, 1, SAL_ERROR_INVALID);
}

/* --------------------------------------------------------------------- Gather */

static void
test_gather (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (6);
  int64_t xd[3] = { 3, 4, 2 };
  g_autoptr(SalTensor) x = sal_t_rand (rng, 3, xd);
  g_autoptr(SalTensor) idx = sal_t_i64 (2, (int64_t[]) { 2, 3 },
                                        (int64_t[]) { 0, -1, 3, 3, 1, -4 });
  g_autoptr(SalTensor) bad = sal_t_ints (1, (int64_t[]) { 4 });
  SalTensor *in[2] = { x, idx };
  SalNode *n = sal_node_new ("Gather", NULL, 13);
  g_autoptr(SalOpRun) run = NULL;
  static const int ids[6] = { 0, 3, 3, 3, 1, 0 };

  sal_node_set_int (n, "axis", 1);
  run = sal_op_run (n, 2, in, 1);
  sal_assert_shape (run->out[0], 4, (int64_t[]) { 3, 2, 3, 2 });
  for (int o = 0; o < 3; o++)
    for (int j = 0; j < 6; j++)
      for (int k = 0; k < 2; k++)
        g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[(o * 6 + j) * 2 + k], ==,
                           sal_tensor_f32 (x)[(o * 4 + ids[j]) * 2 + k]);
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);   /* repeated index 3 adds up */

  /* an out-of-range index is a run-time error */
  in[1] = bad;
  n = sal_node_new ("Gather", NULL, 13);
  sal_node_set_int (n, "axis", 1);
  sal_op_expect_error (n, 2, in, 1, SAL_ERROR_INVALID);
}

/* ------------------------------------------------------------- Shape, Expand, Tile */

static void
test_shape (void)
{
  int64_t xd[4] = { 2, 3, 4, 5 };
  g_autoptr(SalTensor) x = sal_tensor_new_f32 (4, xd);
  SalNode *n15 = sal_node_new ("Shape", NULL, 15);
  SalNode *n13 = sal_node_new ("Shape", NULL, 13);
  g_autoptr(SalOpRun) r15 = NULL;
  g_autoptr(SalOpRun) r13 = NULL;

  sal_node_set_int (n15, "start", -3);
  sal_node_set_int (n15, "end", -1);
  r15 = sal_op_run (n15, 1, &x, 1);
  g_assert_cmpint (r15->out[0]->dtype, ==, SAL_DTYPE_INT64);
  g_assert_cmpint (r15->out[0]->numel, ==, 2);
  g_assert_cmpint (sal_tensor_i64 (r15->out[0])[0], ==, 3);
  g_assert_cmpint (sal_tensor_i64 (r15->out[0])[1], ==, 4);
  /* before opset 15, start/end do not exist */
  sal_node_set_int (n13, "start", 2);
  r13 = sal_op_run (n13, 1, &x, 1);
  g_assert_cmpint (r13->out[0]->numel, ==, 4);
  g_assert_cmpint (sal_tensor_i64 (r13->out[0])[3], ==, 5);
}

static void
test_expand (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  int64_t xd[2] = { 3, 1 };
  g_autoptr(SalTensor) x = sal_t_rand (rng, 2, xd);
  g_autoptr(SalTensor) shape = sal_t_ints (3, (int64_t[]) { 2, 1, 4 });
  g_autoptr(SalTensor) bad = sal_t_ints (2, (int64_t[]) { 2, 4 });
  SalTensor *in[2] = { x, shape };
  g_autoptr(SalOpRun) run = sal_op_run (sal_node_new ("Expand", NULL, 13), 2, in, 1);

  sal_assert_shape (run->out[0], 3, (int64_t[]) { 2, 3, 4 });
  for (int b = 0; b < 2; b++)
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 4; j++)
        g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[(b * 3 + i) * 4 + j], ==,
                           sal_tensor_f32 (x)[i]);
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);
  in[1] = bad;
  sal_op_expect_error (sal_node_new ("Expand", NULL, 13), 2, in, 1, SAL_ERROR_INVALID);
}

static void
test_tile (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (8);
  int64_t xd[2] = { 2, 3 }, idx[2];
  g_autoptr(SalTensor) x = sal_t_rand (rng, 2, xd);
  g_autoptr(SalTensor) reps = sal_t_ints (2, (int64_t[]) { 3, 2 });
  SalTensor *in[2] = { x, reps };
  g_autoptr(SalOpRun) run = sal_op_run (sal_node_new ("Tile", NULL, 13), 2, in, 1);

  sal_assert_shape (run->out[0], 2, (int64_t[]) { 6, 6 });
  for (int64_t o = 0; o < 36; o++)
    {
      unravel (o, 2, run->out[0]->dims, idx);
      g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[o], ==,
                         sal_tensor_f32 (x)[(idx[0] % 2) * 3 + idx[1] % 3]);
    }
  sal_op_grad_check (run, 1, 1, 1e-2, RTOL, ATOL);
}

/* ------------------------------------------------------------------------ Pad */

static int64_t
ref_pad_src (const char *mode, int64_t c, int64_t dim)
{
  if (c >= 0 && c < dim)
    return c;
  if (strcmp (mode, "constant") == 0)
    return -1;
  if (strcmp (mode, "edge") == 0)
    return c < 0 ? 0 : dim - 1;
  /* reflect: bounce off the edges one step at a time */
  while (c < 0 || c >= dim)
    c = c < 0 ? -c : 2 * (dim - 1) - c;
  return c;
}

static void
check_pad (const char *mode, int opset, const int64_t *pads, gboolean grad)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (9);
  int64_t xd[3] = { 2, 3, 4 }, od[3], idx[3];
  g_autoptr(SalTensor) x = sal_t_rand (rng, 3, xd);
  g_autoptr(SalTensor) tp = sal_t_ints (6, pads);
  g_autoptr(SalTensor) cv = sal_tensor_new_scalar_f32 (2.5f);
  SalTensor *in[3] = { x, tp, cv };
  SalNode *n = sal_node_new ("Pad", NULL, opset);
  g_autoptr(SalOpRun) run = NULL;

  sal_node_set_string (n, "mode", mode);
  if (opset < 11)
    {
      sal_node_set_ints (n, "pads", 6, pads);
      sal_node_set_float (n, "value", 2.5f);
      run = sal_op_run (n, 1, in, 1);
    }
  else
    run = sal_op_run (n, 3, in, 1);
  for (int d = 0; d < 3; d++)
    od[d] = xd[d] + pads[d] + pads[d + 3];
  sal_assert_shape (run->out[0], 3, od);
  for (int64_t o = 0; o < run->out[0]->numel; o++)
    {
      gboolean constant = FALSE;
      unravel (o, 3, od, idx);
      for (int d = 0; d < 3; d++)
        {
          idx[d] = ref_pad_src (mode, idx[d] - pads[d], xd[d]);
          constant |= idx[d] < 0;
        }
      g_assert_cmpfloat (sal_tensor_f32 (run->out[0])[o], ==,
                         constant ? 2.5f : sal_tensor_f32 (x)[ravel (3, xd, idx)]);
    }
  if (grad)
    sal_op_grad_check (run, opset < 11 ? 1 : 5, 1, 1e-2, RTOL, ATOL);
}

static void
test_pad (void)
{
  check_pad ("constant", 13, (int64_t[]) { 0, 1, 2, 1, 0, 3 }, TRUE);
  check_pad ("constant", 2, (int64_t[]) { 1, 0, -1, 0, 2, 1 }, FALSE);
  check_pad ("constant", 11, (int64_t[]) { 0, -1, 0, 0, -1, -2 }, TRUE);
  check_pad ("reflect", 13, (int64_t[]) { 1, 2, 3, 1, 2, 5 }, TRUE);
  check_pad ("edge", 13, (int64_t[]) { 0, 2, 1, 1, 3, 2 }, TRUE);
  check_pad ("edge", 2, (int64_t[]) { 0, 2, 1, 1, 3, 2 }, FALSE);
  {
    g_autoptr(SalTensor) x = sal_tensor_new_f32 (1, (int64_t[]) { 3 });
    g_autoptr(SalTensor) pads = sal_t_ints (2, (int64_t[]) { 0, -4 });
    SalTensor *in[2] = { x, pads };
    sal_op_expect_error (sal_node_new ("Pad", NULL, 13), 2, in, 1, SAL_ERROR_INVALID);
  }
}

/* ------------------------------------------- Constant, ConstantOfShape, Cast, Range */

static void
test_constant (void)
{
  SalNode *nf = sal_node_new ("Constant", NULL, 13);
  SalNode *ni = sal_node_new ("Constant", NULL, 13);
  SalNode *nt = sal_node_new ("Constant", NULL, 13);
  g_autoptr(SalTensor) t = sal_t_i64 (2, (int64_t[]) { 2, 1 }, (int64_t[]) { 7, -9 });
  g_autoptr(SalOpRun) rf = NULL;
  g_autoptr(SalOpRun) ri = NULL;
  g_autoptr(SalOpRun) rt = NULL;
  static const float fl[3] = { 1.5f, -2, 3 };

  sal_node_set_floats (nf, "value_floats", 3, fl);
  rf = sal_op_run (nf, 0, NULL, 1);
  sal_assert_f32_close (rf->out[0], fl, 3, 0, 0);
  sal_node_set_int (ni, "value_int", 42);
  ri = sal_op_run (ni, 0, NULL, 1);
  g_assert_cmpint (ri->out[0]->rank, ==, 0);
  g_assert_cmpint (sal_tensor_i64 (ri->out[0])[0], ==, 42);
  sal_node_set_tensor (nt, "value", t);
  rt = sal_op_run (nt, 0, NULL, 1);
  sal_assert_shape (rt->out[0], 2, t->dims);
  g_assert_cmpint (sal_tensor_i64 (rt->out[0])[1], ==, -9);
  nf = sal_node_new ("Constant", NULL, 13);
  sal_node_set_string (nf, "value_string", "x");
  sal_op_expect_error (nf, 0, NULL, 1, SAL_ERROR_UNSUPPORTED);
}

static void
test_constant_of_shape (void)
{
  g_autoptr(SalTensor) shape = sal_t_ints (2, (int64_t[]) { 2, 3 });
  g_autoptr(SalTensor) v = sal_t_ints (1, (int64_t[]) { 5 });
  SalNode *n = sal_node_new ("ConstantOfShape", NULL, 13);
  g_autoptr(SalOpRun) rd = sal_op_run (sal_node_new ("ConstantOfShape", NULL, 13), 1, &shape, 1);
  g_autoptr(SalOpRun) rv = NULL;

  g_assert_cmpint (rd->out[0]->dtype, ==, SAL_DTYPE_FLOAT);
  sal_assert_shape (rd->out[0], 2, (int64_t[]) { 2, 3 });
  g_assert_cmpfloat (sal_tensor_f32 (rd->out[0])[5], ==, 0);
  sal_node_set_tensor (n, "value", v);
  rv = sal_op_run (n, 1, &shape, 1);
  g_assert_cmpint (rv->out[0]->dtype, ==, SAL_DTYPE_INT64);
  for (int i = 0; i < 6; i++)
    g_assert_cmpint (sal_tensor_i64 (rv->out[0])[i], ==, 5);
}

static void
test_cast (void)
{
  static const float xv[6] = { -2.7f, -0.5f, 0.0f, 1.9f, 300.0f, NAN };
  g_autoptr(SalTensor) x = sal_t_f32 (1, (int64_t[]) { 6 }, xv);
  struct { SalDType to; int64_t want[6]; } cases[] = {
    { SAL_DTYPE_INT64, { -2, 0, 0, 1, 300, 0 } },
    { SAL_DTYPE_INT32, { -2, 0, 0, 1, 300, 0 } },
    { SAL_DTYPE_BOOL, { 1, 1, 0, 1, 1, 1 } },
    { SAL_DTYPE_UINT8, { 0, 0, 0, 1, 255, 0 } },
    { SAL_DTYPE_INT8, { -2, 0, 0, 1, 127, 0 } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      SalNode *n = sal_node_new ("Cast", NULL, 13);
      g_autoptr(SalOpRun) run = NULL;
      g_autoptr(SalOpRun) back = NULL;
      sal_node_set_int (n, "to", cases[c].to);
      run = sal_op_run (n, 1, &x, 1);
      g_assert_cmpint (run->out[0]->dtype, ==, cases[c].to);
      for (int i = 0; i < 6; i++)
        g_assert_cmpint (sal_tensor_get_i64 (run->out[0], i), ==, cases[c].want[i]);
      /* and back to float */
      n = sal_node_new ("Cast", NULL, 13);
      sal_node_set_int (n, "to", SAL_DTYPE_FLOAT);
      back = sal_op_run (n, 1, &run->out[0], 1);
      for (int i = 0; i < 6; i++)
        g_assert_cmpfloat (sal_tensor_f32 (back->out[0])[i], ==, (float) cases[c].want[i]);
    }
  {
    SalNode *n = sal_node_new ("Cast", NULL, 13);
    sal_node_set_int (n, "to", 11);   /* double */
    sal_op_expect_error (n, 1, &x, 1, SAL_ERROR_UNSUPPORTED);
  }
}

static void
test_range (void)
{
  g_autoptr(SalTensor) fs = sal_tensor_new_scalar_f32 (1.0f);
  g_autoptr(SalTensor) fl = sal_tensor_new_scalar_f32 (2.0f);
  g_autoptr(SalTensor) fd = sal_tensor_new_scalar_f32 (0.3f);
  g_autoptr(SalTensor) is = sal_t_i64 (0, NULL, (int64_t[]) { 10 });
  g_autoptr(SalTensor) il = sal_t_i64 (0, NULL, (int64_t[]) { 4 });
  g_autoptr(SalTensor) id = sal_t_i64 (0, NULL, (int64_t[]) { -3 });
  g_autoptr(SalTensor) iz = sal_t_i64 (0, NULL, (int64_t[]) { 0 });
  SalTensor *fin[3] = { fs, fl, fd }, *iin[3] = { is, il, id };
  g_autoptr(SalOpRun) rf = sal_op_run (sal_node_new ("Range", NULL, 13), 3, fin, 1);
  g_autoptr(SalOpRun) ri = sal_op_run (sal_node_new ("Range", NULL, 13), 3, iin, 1);
  static const float wf[4] = { 1.0f, 1.3f, 1.6f, 1.9f };

  sal_assert_f32_close (rf->out[0], wf, 4, 1e-6, 1e-6);
  g_assert_cmpint (ri->out[0]->numel, ==, 2);
  g_assert_cmpint (sal_tensor_i64 (ri->out[0])[0], ==, 10);
  g_assert_cmpint (sal_tensor_i64 (ri->out[0])[1], ==, 7);
  iin[2] = iz;
  sal_op_expect_error (sal_node_new ("Range", NULL, 13), 3, iin, 1, SAL_ERROR_INVALID);
}

/* -------------------------------------------------------------------- Dropout */

static void
test_dropout (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (10);
  int64_t xd[1] = { 4000 };
  g_autoptr(SalTensor) x = sal_t_rand (rng, 1, xd);
  g_autoptr(SalTensor) ratio = sal_tensor_new_scalar_f32 (0.25f);
  SalTensor *in[2] = { x, ratio };
  g_autoptr(SalOpRun) inf = sal_op_run (sal_node_new ("Dropout", NULL, 13), 2, in, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalOpRun) tr = NULL;
  g_autoptr(SalOpRun) tr_nomask = NULL;
  int kept = 0;

  /* inference: identity, mask all true */
  sal_assert_f32_close (inf->out[0], sal_tensor_f32 (x), 4000, 0, 0);
  for (int i = 0; i < 4000; i++)
    g_assert_cmpint (sal_tensor_u8 (inf->out[1])[i], ==, 1);

  /* training: inverted dropout with a seeded generator */
  tr = sal_op_run_new (sal_node_new ("Dropout", NULL, 13), 2, in, 2, NULL, &error);
  g_assert_no_error (error);
  tr->ctx.training = TRUE;
  g_assert_false (sal_op_run_forward (tr, &error));   /* no generator */
  g_assert_error (error, SAL_ERROR, SAL_ERROR_INVALID);
  g_clear_error (&error);
  tr->ctx.rng = g_rand_new ();
  tr->seed = 77;
  g_assert_true (sal_op_run_forward (tr, &error));
  for (int i = 0; i < 4000; i++)
    {
      guint8 m = sal_tensor_u8 (tr->out[1])[i];
      kept += m;
      g_assert_cmpfloat_with_epsilon (sal_tensor_f32 (tr->out[0])[i],
                                      m ? sal_tensor_f32 (x)[i] / 0.75f : 0.0f, 1e-6);
    }
  g_assert_cmpint (kept, >, 2850);
  g_assert_cmpint (kept, <, 3150);
  sal_op_grad_check (tr, 1, 1, 1e-2, RTOL, ATOL);

  /* without the mask output, backward uses the mask kept in scratch */
  tr_nomask = sal_op_run_new (sal_node_new ("Dropout", NULL, 13), 2, in, 1, NULL, &error);
  g_assert_no_error (error);
  tr_nomask->ctx.training = TRUE;
  tr_nomask->ctx.rng = g_rand_new ();
  tr_nomask->seed = 78;
  sal_op_grad_check (tr_nomask, 1, 1, 1e-2, RTOL, ATOL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/ops-shape/reshape", test_reshape);
  g_test_add_func ("/engine/ops-shape/reshape-allowzero", test_reshape_allowzero);
  g_test_add_func ("/engine/ops-shape/flatten", test_flatten);
  g_test_add_func ("/engine/ops-shape/squeeze", test_squeeze);
  g_test_add_func ("/engine/ops-shape/unsqueeze", test_unsqueeze);
  g_test_add_func ("/engine/ops-shape/identity", test_identity);
  g_test_add_func ("/engine/ops-shape/transpose", test_transpose);
  g_test_add_func ("/engine/ops-shape/concat", test_concat);
  g_test_add_func ("/engine/ops-shape/split", test_split);
  g_test_add_func ("/engine/ops-shape/slice", test_slice);
  g_test_add_func ("/engine/ops-shape/gather", test_gather);
  g_test_add_func ("/engine/ops-shape/shape", test_shape);
  g_test_add_func ("/engine/ops-shape/expand", test_expand);
  g_test_add_func ("/engine/ops-shape/tile", test_tile);
  g_test_add_func ("/engine/ops-shape/pad", test_pad);
  g_test_add_func ("/engine/ops-shape/constant", test_constant);
  g_test_add_func ("/engine/ops-shape/constant-of-shape", test_constant_of_shape);
  g_test_add_func ("/engine/ops-shape/cast", test_cast);
  g_test_add_func ("/engine/ops-shape/range", test_range);
  g_test_add_func ("/engine/ops-shape/dropout", test_dropout);
  return g_test_run ();
}
