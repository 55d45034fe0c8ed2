/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Recurrent operators: RNN, GRU, LSTM (ONNX opsets 7-17), forward, reverse and
 * bidirectional, with activations, clip, sequence_lens, initial states, layout
 * 0 and 1, GRU linear_before_reset 0 and 1, LSTM peepholes.
 *
 * Forward precomputes X·Wᵀ + biases for all timesteps with one sgemm, then per
 * step adds H·Rᵀ (sgemv at batch 1). Backward re-runs the forward of each
 * direction into scratch, keeping every gate pre-activation and state, then
 * walks back through time (BPTT) collecting gate gradients dA for all steps,
 * so the weight gradients are again one sgemm each. */

#include "sal-ops-recurrent-private.h"
#include "sal-blas.h"

#include <math.h>
#include <string.h>

static const struct {
  const char *name;
  ActKind     kind;
  int         n_params;   /* 1: alpha, 2: alpha and beta */
  float       alpha, beta;
} act_table[] = {
  { "Sigmoid", ACT_SIGMOID, 0, 0, 0 },
  { "Tanh", ACT_TANH, 0, 0, 0 },
  { "Relu", ACT_RELU, 0, 0, 0 },
  { "Affine", ACT_AFFINE, 2, 1.0f, 0.0f },
  { "LeakyRelu", ACT_LEAKY_RELU, 1, 0.01f, 0 },
  { "ThresholdedRelu", ACT_THRESHOLDED_RELU, 1, 1.0f, 0 },
  { "ScaledTanh", ACT_SCALED_TANH, 2, 1.0f, 1.0f },
  { "HardSigmoid", ACT_HARD_SIGMOID, 2, 0.2f, 0.5f },
  { "Elu", ACT_ELU, 1, 1.0f, 0 },
  { "Softsign", ACT_SOFTSIGN, 0, 0, 0 },
  { "Softplus", ACT_SOFTPLUS, 0, 0, 0 },
};

static gboolean
parse_acts (SalNode *node, Rnn *m, GError **error)
{
  static const char *defaults[3] = { "Sigmoid", "Tanh", "Tanh" };
  int per_dir = m->kind == CELL_RNN ? 1 : m->kind == CELL_GRU ? 2 : 3;
  const SalAttr *names = sal_node_attr (node, "activations");
  const float *alphas, *betas;
  int na = sal_node_attr_floats (node, "activation_alpha", &alphas);
  int nb = sal_node_attr_floats (node, "activation_beta", &betas);
  int ia = 0, ib = 0;

  if (names != NULL && (names->type != SAL_ATTR_STRINGS || names->n != per_dir * m->D))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node,
                   "activations must list %d functions for %d direction(s)",
                   per_dir * m->D, m->D);
      return FALSE;
    }
  for (int d = 0; d < m->D; d++)
    for (int k = 0; k < per_dir; k++)
      {
        const char *name = names != NULL ? names->strings[d * per_dir + k]
                                         : m->kind == CELL_RNN ? "Tanh" : defaults[k];
        guint j;
        for (j = 0; j < G_N_ELEMENTS (act_table); j++)
          if (g_ascii_strcasecmp (name, act_table[j].name) == 0)
            break;
        if (j == G_N_ELEMENTS (act_table))
          {
            sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node,
                         "activation function '%s' is not supported", name);
            return FALSE;
          }
        m->act[d][k].kind = act_table[j].kind;
        m->act[d][k].alpha = act_table[j].alpha;
        m->act[d][k].beta = act_table[j].beta;
        if (act_table[j].n_params >= 1 && ia < na)
          m->act[d][k].alpha = alphas[ia++];
        if (act_table[j].n_params >= 2 && ib < nb)
          m->act[d][k].beta = betas[ib++];
      }
  return TRUE;
}

static gboolean
check_dims (SalNode *node, const SalTensor *t, const char *what, int rank, const int64_t *dims,
            GError **error)
{
  if (t->dtype == SAL_DTYPE_FLOAT && t->rank == rank)
    {
      int i;
      for (i = 0; i < rank; i++)
        if (t->dims[i] != dims[i])
          break;
      if (i == rank)
        return TRUE;
    }
  {
    g_autofree char *got = sal_shape_to_string (t->rank, t->dims);
    g_autofree char *want = sal_shape_to_string (rank, dims);
    sal_op_fail (error, SAL_ERROR_INVALID, node, "%s must be float32 of shape %s, not %s %s",
                 what, want, sal_dtype_name (t->dtype), got);
  }
  return FALSE;
}

static gboolean
rnn_setup (SalNode *node, SalTensor *const *in, Rnn *m, GError **error)
{
  const char *dir = sal_node_attr_string (node, "direction", "forward");
  int64_t state[3];

  memset (m, 0, sizeof *m);
  m->kind = g_str_equal (node->op_type, "RNN") ? CELL_RNN
            : g_str_equal (node->op_type, "GRU") ? CELL_GRU : CELL_LSTM;
  m->G = m->kind == CELL_RNN ? 1 : m->kind == CELL_GRU ? 3 : 4;
  if (g_strcmp0 (dir, "forward") == 0 || g_strcmp0 (dir, "reverse") == 0)
    m->D = 1;
  else if (g_strcmp0 (dir, "bidirectional") == 0)
    m->D = 2;
  else
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "direction '%s' is not valid", dir);
      return FALSE;
    }
  m->reverse = g_strcmp0 (dir, "reverse") == 0;
  m->layout = node->opset >= 14 ? (int) sal_node_attr_int (node, "layout", 0) : 0;
  m->lbr = m->kind == CELL_GRU && sal_node_attr_int (node, "linear_before_reset", 0) != 0;
  m->clip = sal_node_attr (node, "clip") != NULL ? sal_node_attr_float (node, "clip", 0) : 0;
  if (m->layout != 0 && m->layout != 1)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "layout must be 0 or 1");
      return FALSE;
    }
  if (m->kind == CELL_LSTM && sal_node_attr_int (node, "input_forget", 0) != 0)
    {
      sal_op_fail (error, SAL_ERROR_UNSUPPORTED, node, "input_forget is not supported");
      return FALSE;
    }
  if (sal_node_attr (node, "clip") != NULL && !(m->clip > 0))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "clip must be positive");
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    if (!sal_op_has_in (node, in, i))
      {
        sal_op_fail (error, SAL_ERROR_INVALID, node, "input %d (X, W or R) is missing", i);
        return FALSE;
      }
  m->x = in[0];
  m->w = in[1];
  m->r = in[2];
  if (m->x->rank != 3 || m->x->dtype != SAL_DTYPE_FLOAT || m->r->rank != 3)
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "X and R must be float32 of rank 3");
      return FALSE;
    }
  m->T = m->x->dims[m->layout ? 1 : 0];
  m->B = m->x->dims[m->layout ? 0 : 1];
  m->I = m->x->dims[2];
  m->H = sal_node_attr_int (node, "hidden_size", m->r->dims[2]);
  if (m->H <= 0 || m->H > (1 << 20) || m->I > (1 << 24) || m->T > (1 << 24))
    {
      sal_op_fail (error, SAL_ERROR_INVALID, node, "hidden_size %" G_GINT64_FORMAT " is not valid",
                   m->H);
      return FALSE;
    }
  if (!check_dims (node, m->w, "W", 3, (int64_t[]) { m->D, m->G * m->H, m->I }, error)
      || !check_dims (node, m->r, "R", 3, (int64_t[]) { m->D, m->G * m->H, m->H }, error))
    return FALSE;
  if (sal_op_has_in (node, in, 3))
    {
      m->b = in[3];
      if (!check_dims (node, m->b, "B", 2, (int64_t[]) { m->D, 2 * m->G * m->H }, error))
        return FALSE;
    }
  if (sal_op_has_in (node, in, 4))
    {
      m->lens = in[4];
      if ((m->lens->dtype != SAL_DTYPE_INT32 && m->lens->dtype != SAL_DTYPE_INT64)
          || m->lens->rank != 1 || m->lens->dims[0] != m->B)
        {
          sal_op_fail (error, SAL_ERROR_INVALID, node,
                       "sequence_lens must be an int32 vector of the batch size");
          return FALSE;
        }
    }
  state[0] = m->layout ? m->B : m->D;
  state[1] = m->layout ? m->D : m->B;
  state[2] = m->H;
  if (sal_op_has_in (node, in, 5))
    {
      m->h0 = in[5];
      if (!check_dims (node, m->h0, "initial_h", 3, state, error))
        return FALSE;
    }
  if (m->kind == CELL_LSTM && sal_op_has_in (node, in, 6))
    {
      m->c0 = in[6];
      if (!check_dims (node, m->c0, "initial_c", 3, state, error))
        return FALSE;
    }
  if (m->kind == CELL_LSTM && sal_op_has_in (node, in, 7))
    {
      m->p = in[7];
      if (!check_dims (node, m->p, "P", 2, (int64_t[]) { m->D, 3 * m->H }, error))
        return FALSE;
    }
  return parse_acts (node, m, error);
}

static gsize
work_layout (const Rnn *m, float *base, Work *w)
{
  gsize off = 0;
  int64_t tbh = m->T * m->B * m->H, tbg = tbh * m->G, bh = m->B * m->H;
  struct { float **p; int64_t n; } parts[] = {
    { &w->A, tbg }, { &w->dA, tbg }, { &w->Hp, tbh },
    { &w->Cp, m->kind == CELL_LSTM ? tbh : 0 }, { &w->Cn, m->kind == CELL_LSTM ? tbh : 0 },
    { &w->Q, m->kind == CELL_GRU ? tbh : 0 }, { &w->dQ, m->kind == CELL_GRU ? tbh : 0 },
    { &w->h, bh }, { &w->c, bh }, { &w->hn, bh }, { &w->cn, bh }, { &w->dh, bh },
    { &w->dc, bh }, { &w->dhp, bh }, { &w->dcp, bh }, { &w->tmp, bh },
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      *parts[i].p = base != NULL ? base + off : NULL;
      off += (parts[i].n + 15) & ~(int64_t) 15;   /* 64-byte aligned pieces */
    }
  return off * sizeof (float);
}

/* C[M, N] += A[M, K] · Bmᵀ (Bm is [N, K]) */
void
sal_rnn_mm_abt (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *Bm,
                int64_t ldb, float *C, int64_t ldc)
{
  if (M == 0 || N == 0 || K == 0)
    return;
  if (M == 1)
    sal_sgemv (FALSE, (int) N, (int) K, 1.0f, Bm, (int) ldb, A, 1.0f, C);
  else
    sal_sgemm (FALSE, TRUE, (int) M, (int) N, (int) K, 1.0f, A, (int) lda, Bm, (int) ldb,
               1.0f, C, (int) ldc);
}

/* C[M, N] += A[M, K] · Bm (Bm is [K, N]) */
void
sal_rnn_mm_ab (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *Bm,
               int64_t ldb, float *C, int64_t ldc)
{
  if (M == 0 || N == 0 || K == 0)
    return;
  if (M == 1)
    sal_sgemv (TRUE, (int) K, (int) N, 1.0f, Bm, (int) ldb, A, 1.0f, C);
  else
    sal_sgemm (FALSE, FALSE, (int) M, (int) N, (int) K, 1.0f, A, (int) lda, Bm, (int) ldb,
               1.0f, C, (int) ldc);
}

/* C[M, N] += Aᵀ · Bm, A is [K, M], Bm is [K, N] (weight gradients over all steps) */
void
sal_rnn_mm_atb (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *Bm,
                int64_t ldb, float *C, int64_t ldc)
{
  if (M == 0 || N == 0 || K == 0)
    return;
  sal_sgemm (TRUE, FALSE, (int) M, (int) N, (int) K, 1.0f, A, (int) lda, Bm, (int) ldb, 1.0f,
             C, (int) ldc);
}

/* The recurrence of one direction for the batch rows [b0, b1): sequences are
 * independent, so row ranges run on separate engine threads. Row-block
 * pointers below start at row b0 of the [T, B, .] and [B, .] buffers. */
typedef struct {
  const Rnn *m;
  int        d;
  Work      *w;
  float     *Y, *Yh, *Yc;
} DirJob;

static void
recur_rows (int64_t b0, int64_t b1, gpointer data)
{
  const DirJob *job = data;
  const Rnn *m = job->m;
  Work *w = job->w;
  int d = job->d;
  int64_t T = m->T, B = m->B, H = m->H, GH = m->G * H, Bs = b1 - b0;
  const float *R = sal_tensor_f32 (m->r) + d * GH * H;
  const float *Wb = m->b != NULL ? sal_tensor_f32 (m->b) + d * 2 * GH : NULL;
  const float *Rb = Wb != NULL ? Wb + GH : NULL;
  const float *P = m->p != NULL ? sal_tensor_f32 (m->p) + d * 3 * H : NULL;
  const Act *f = &m->act[d][0], *g = &m->act[d][1], *ha = &m->act[d][2];
  float *h = w->h + b0 * H, *c = w->c + b0 * H, *hn = w->hn + b0 * H, *cn = w->cn + b0 * H;

  for (int64_t b = 0; b < Bs; b++)
    {
      if (m->h0 != NULL)
        memcpy (h + b * H, sal_tensor_f32 (m->h0) + state_off (m, d, b0 + b), H * sizeof (float));
      else
        memset (h + b * H, 0, H * sizeof (float));
      if (m->c0 != NULL)
        memcpy (c + b * H, sal_tensor_f32 (m->c0) + state_off (m, d, b0 + b), H * sizeof (float));
      else
        memset (c + b * H, 0, H * sizeof (float));
    }

  for (int64_t s = 0; s < T; s++)
    {
      int64_t t = step_time (m, d, s), row = t * B + b0;
      float *a = w->A + row * GH, dummy;

      memcpy (w->Hp + row * H, h, Bs * H * sizeof (float));
      switch (m->kind)
        {
        case CELL_RNN:
          sal_rnn_mm_abt (Bs, H, H, h, H, R, H, a, GH);
          for (int64_t i = 0; i < Bs * H; i++)
            hn[i] = gate (m, f, a[i], &dummy);
          break;

        case CELL_GRU:
          sal_rnn_mm_abt (Bs, 2 * H, H, h, H, R, H, a, GH);
          {
            float *q = w->Q + row * H;
            if (!m->lbr)
              {
                for (int64_t b = 0; b < Bs; b++)
                  for (int64_t j = 0; j < H; j++)
                    q[b * H + j] = gate (m, f, a[b * GH + H + j], &dummy) * h[b * H + j];
                sal_rnn_mm_abt (Bs, H, H, q, H, R + 2 * H * H, H, a + 2 * H, GH);
              }
            else
              {
                for (int64_t b = 0; b < Bs; b++)
                  for (int64_t j = 0; j < H; j++)
                    q[b * H + j] = Rb != NULL ? Rb[2 * H + j] : 0.0f;
                sal_rnn_mm_abt (Bs, H, H, h, H, R + 2 * H * H, H, q, H);
                for (int64_t b = 0; b < Bs; b++)
                  for (int64_t j = 0; j < H; j++)
                    a[b * GH + 2 * H + j] += gate (m, f, a[b * GH + H + j], &dummy) * q[b * H + j];
              }
            for (int64_t b = 0; b < Bs; b++)
              for (int64_t j = 0; j < H; j++)
                {
                  float z = gate (m, f, a[b * GH + j], &dummy);
                  float hh = gate (m, g, a[b * GH + 2 * H + j], &dummy);
                  hn[b * H + j] = (1.0f - z) * hh + z * h[b * H + j];
                }
          }
          break;

        case CELL_LSTM:
          memcpy (w->Cp + row * H, c, Bs * H * sizeof (float));
          sal_rnn_mm_abt (Bs, GH, H, h, H, R, H, a, GH);
          for (int64_t b = 0; b < Bs; b++)
            for (int64_t j = 0; j < H; j++)
              {
                float *ar = a + b * GH, cp = c[b * H + j], ig, fg, cg, og, cnew;
                if (P != NULL)
                  {
                    ar[j] += P[j] * cp;
                    ar[2 * H + j] += P[2 * H + j] * cp;
                  }
                ig = gate (m, f, ar[j], &dummy);
                fg = gate (m, f, ar[2 * H + j], &dummy);
                cg = gate (m, g, ar[3 * H + j], &dummy);
                cnew = fg * cp + ig * cg;
                if (P != NULL)
                  ar[H + j] += P[H + j] * cnew;
                og = gate (m, f, ar[H + j], &dummy);
                cn[b * H + j] = cnew;
                hn[b * H + j] = og * act_eval (ha, cnew, &dummy);
              }
          memcpy (w->Cn + row * H, cn, Bs * H * sizeof (float));
          break;
        default:
          g_assert_not_reached ();
        }

      /* Steps past a sequence's length keep its state and output zeros. */
      for (int64_t b = 0; b < Bs; b++)
        {
          gboolean valid = t < seq_len (m, b0 + b);
          if (valid)
            {
              memcpy (h + b * H, hn + b * H, H * sizeof (float));
              if (m->kind == CELL_LSTM)
                memcpy (c + b * H, cn + b * H, H * sizeof (float));
            }
          if (job->Y != NULL)
            {
              if (valid)
                memcpy (job->Y + y_off (m, t, d, b0 + b), hn + b * H, H * sizeof (float));
              else
                memset (job->Y + y_off (m, t, d, b0 + b), 0, H * sizeof (float));
            }
        }
    }
  for (int64_t b = 0; b < Bs; b++)
    {
      if (job->Yh != NULL)
        memcpy (job->Yh + state_off (m, d, b0 + b), h + b * H, H * sizeof (float));
      if (job->Yc != NULL)
        memcpy (job->Yc + state_off (m, d, b0 + b), c + b * H, H * sizeof (float));
    }
}

/* One direction forward: fills w (A, Hp, Cp, Cn, Q, and h, c as the final
 * states) and writes Y, Y_h, Y_c when non-NULL. */
void
sal_rnn_run_direction (const Rnn *m, int d, Work *w, const SalExecCtx *ctx, float *Y,
                       float *Yh, float *Yc)
{
  int64_t T = m->T, B = m->B, H = m->H, GH = m->G * H, I = m->I, ld;
  const float *X = sal_tensor_f32 (m->x);
  const float *W = sal_tensor_f32 (m->w) + d * GH * I;
  const float *Wb = m->b != NULL ? sal_tensor_f32 (m->b) + d * 2 * GH : NULL;
  const float *Rb = Wb != NULL ? Wb + GH : NULL;
  DirJob job = { m, d, w, Y, Yh, Yc };

  /* A = X·Wᵀ + Wb + Rb for all steps (GRU lbr 1 keeps Rbh for inside r ⊙ (.)) */
  if (T * B > 0 && I == 0)
    memset (w->A, 0, T * B * GH * sizeof (float));
  else if (m->layout == 0 && T * B > 0)
    sal_sgemm (FALSE, TRUE, (int) (T * B), (int) GH, (int) I, 1.0f, X, (int) I, W, (int) I,
               0.0f, w->A, (int) GH);
  else
    for (int64_t t = 0; t < T && B > 0; t++)
      {
        const float *xt = x_rows (m, X, t, &ld);
        sal_sgemm (FALSE, TRUE, (int) B, (int) GH, (int) I, 1.0f, xt, (int) ld, W, (int) I,
                   0.0f, w->A + t * B * GH, (int) GH);
      }
  if (Wb != NULL)
    for (int64_t row = 0; row < T * B; row++)
      {
        float *a = w->A + row * GH;
        for (int64_t k = 0; k < GH; k++)
          a[k] += Wb[k] + (m->lbr && k >= 2 * H ? 0.0f : Rb[k]);
      }
  sal_exec_parallel_for (ctx, B, recur_rows, &job);
}

static gboolean
check_lens (SalNode *node, const Rnn *m, GError **error)
{
  for (int64_t b = 0; m->lens != NULL && b < m->B; b++)
    if (seq_len (m, b) < 0 || seq_len (m, b) > m->T)
      {
        sal_op_fail (error, SAL_ERROR_INVALID, node,
                     "sequence_lens[%" G_GINT64_FORMAT "] = %" G_GINT64_FORMAT
                     " is outside [0, %" G_GINT64_FORMAT "]", b, seq_len (m, b), m->T);
        return FALSE;
      }
  return TRUE;
}

/* Y [T, D, B, H] (layout 1: [B, T, D, H]); Y_h, Y_c [D, B, H] (layout 1: [B, D, H]) */
static gboolean
rnn_infer (SalNode *node, SalTensor *const *in, SalTensor **out, gsize *workspace,
           GError **error)
{
  int64_t ydims[4], sdims[3];
  Work w;
  Rnn m;

  if (!rnn_setup (node, in, &m, error))
    return FALSE;
  if (m.layout == 0)
    {
      ydims[0] = m.T, ydims[1] = m.D, ydims[2] = m.B, ydims[3] = m.H;
      sdims[0] = m.D, sdims[1] = m.B, sdims[2] = m.H;
    }
  else
    {
      ydims[0] = m.B, ydims[1] = m.T, ydims[2] = m.D, ydims[3] = m.H;
      sdims[0] = m.B, sdims[1] = m.D, sdims[2] = m.H;
    }
  if (sal_op_has_out (node, out, 0)
      && !sal_tensor_set_shape (out[0], SAL_DTYPE_FLOAT, 4, ydims, error))
    return FALSE;
  for (int i = 1; i < (m.kind == CELL_LSTM ? 3 : 2); i++)
    if (sal_op_has_out (node, out, i)
        && !sal_tensor_set_shape (out[i], SAL_DTYPE_FLOAT, 3, sdims, error))
      return FALSE;
  if ((double) m.T * m.B * m.H * (2 * m.G + 5) > (double) G_MAXINT32 * 4)
    {
      sal_op_fail (error, SAL_ERROR_TOO_LARGE, node, "the sequence is too long for memory");
      return FALSE;
    }
  *workspace = work_layout (&m, NULL, &w);
  return TRUE;
}

static gboolean
rnn_forward (SalNode *node, SalTensor *const *in, SalTensor **out, void *scratch,
             const SalExecCtx *ctx, GError **error)
{
  Work w;
  Rnn m;

  if (!rnn_setup (node, in, &m, error) || !check_lens (node, &m, error))
    return FALSE;
  work_layout (&m, scratch, &w);
  for (int d = 0; d < m.D; d++)
    sal_rnn_run_direction (&m, d, &w, ctx,
                           sal_op_has_out (node, out, 0) ? sal_tensor_f32 (out[0]) : NULL,
                           sal_op_has_out (node, out, 1) ? sal_tensor_f32 (out[1]) : NULL,
                           m.kind == CELL_LSTM && sal_op_has_out (node, out, 2)
                           ? sal_tensor_f32 (out[2]) : NULL);
  return TRUE;
}

static float *
grad_ptr (const SalNode *node, SalTensor **gin, int i)
{
  return i < node->n_inputs && gin[i] != NULL ? sal_tensor_f32 (gin[i]) : NULL;
}

static const float *
gout_ptr (const SalNode *node, SalTensor *const *gout, int i)
{
  return i < node->n_outputs && gout[i] != NULL ? sal_tensor_f32 (gout[i]) : NULL;
}

/* Gradients to X, W, R, B, initial_h, initial_c and P. */
static gboolean
rnn_backward (SalNode *node, SalTensor *const *in, SalTensor *const *out,
              SalTensor *const *gout, SalTensor **gin, void *scratch,
              const SalExecCtx *ctx, GError **error)
{
  Grads gr;
  Work w;
  Rnn m;

  if (!rnn_setup (node, in, &m, error) || !check_lens (node, &m, error))
    return FALSE;
  work_layout (&m, scratch, &w);
  gr.gY = gout_ptr (node, gout, 0);
  gr.gYh = gout_ptr (node, gout, 1);
  gr.gYc = m.kind == CELL_LSTM ? gout_ptr (node, gout, 2) : NULL;
  gr.gX = grad_ptr (node, gin, 0);
  gr.gW = grad_ptr (node, gin, 1);
  gr.gR = grad_ptr (node, gin, 2);
  gr.gB = grad_ptr (node, gin, 3);
  gr.gh0 = grad_ptr (node, gin, 5);
  gr.gc0 = m.kind == CELL_LSTM ? grad_ptr (node, gin, 6) : NULL;
  gr.gP = m.kind == CELL_LSTM ? grad_ptr (node, gin, 7) : NULL;
  if (gr.gY == NULL && gr.gYh == NULL && gr.gYc == NULL)
    return TRUE;
  for (int d = 0; d < m.D; d++)
    sal_rnn_back_direction (&m, d, &w, ctx, &gr);
  return TRUE;
}

static const SalOpDef recurrent_defs[] = {
  { "GRU", rnn_infer, NULL, rnn_forward, rnn_backward },
  { "LSTM", rnn_infer, NULL, rnn_forward, rnn_backward },
  { "RNN", rnn_infer, NULL, rnn_forward, rnn_backward },
};

const SalOpGroup sal_ops_recurrent = { recurrent_defs, G_N_ELEMENTS (recurrent_defs) };
