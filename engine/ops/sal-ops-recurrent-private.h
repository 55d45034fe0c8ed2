/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by sal-ops-recurrent.c (setup, forward) and
 * sal-ops-recurrent-backward.c (backpropagation through time). */

#include "sal-ops-shape-private.h"

#include <math.h>

G_BEGIN_DECLS

typedef enum { CELL_RNN, CELL_GRU, CELL_LSTM } CellKind;

typedef enum {
  ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_AFFINE, ACT_LEAKY_RELU, ACT_THRESHOLDED_RELU,
  ACT_SCALED_TANH, ACT_HARD_SIGMOID, ACT_ELU, ACT_SOFTSIGN, ACT_SOFTPLUS,
} ActKind;

typedef struct {
  ActKind kind;
  float   alpha, beta;
} Act;

/* tanh within 4e-7 relative error at a fraction of glibc tanhf's cost (which
 * goes through expm1f and dominated GRU/LSTM time): an odd Taylor polynomial
 * below 0.55, 1 - 2 / (e^2|x| + 1) above. */
G_ALWAYS_INLINE static inline float
sal_rnn_tanhf (float x)
{
  float ax = fabsf (x), x2 = x * x, y;

  if (ax < 0.55f)
    return x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315
               + x2 * (62.0f / 2835 + x2 * (-1382.0f / 155925 + x2 * (21844.0f / 6081075)))))));
  y = 1.0f - 2.0f / (expf (2.0f * ax) + 1.0f);
  return x < 0 ? -y : y;
}

/* y = act(x); *d = dy/dx (always inlined: the switch is loop-invariant) */
G_ALWAYS_INLINE static inline float
act_eval (const Act *a, float x, float *d)
{
  float y, t;

  switch (a->kind)
    {
    case ACT_SIGMOID:
      y = 1.0f / (1.0f + expf (-x));
      *d = y * (1.0f - y);
      return y;
    case ACT_TANH:
      y = sal_rnn_tanhf (x);
      *d = 1.0f - y * y;
      return y;
    case ACT_RELU:
      *d = x > 0 ? 1.0f : 0.0f;
      return x > 0 ? x : 0.0f;
    case ACT_AFFINE:
      *d = a->alpha;
      return a->alpha * x + a->beta;
    case ACT_LEAKY_RELU:
      *d = x >= 0 ? 1.0f : a->alpha;
      return x >= 0 ? x : a->alpha * x;
    case ACT_THRESHOLDED_RELU:
      *d = x > a->alpha ? 1.0f : 0.0f;
      return x > a->alpha ? x : 0.0f;
    case ACT_SCALED_TANH:
      t = sal_rnn_tanhf (a->beta * x);
      *d = a->alpha * a->beta * (1.0f - t * t);
      return a->alpha * t;
    case ACT_HARD_SIGMOID:
      t = a->alpha * x + a->beta;
      *d = t > 0 && t < 1 ? a->alpha : 0.0f;
      return t < 0 ? 0.0f : t > 1 ? 1.0f : t;
    case ACT_ELU:
      *d = x >= 0 ? 1.0f : a->alpha * expf (x);
      return x >= 0 ? x : a->alpha * (expf (x) - 1.0f);
    case ACT_SOFTSIGN:
      t = 1.0f + fabsf (x);
      *d = 1.0f / (t * t);
      return x / t;
    case ACT_SOFTPLUS:
      *d = 1.0f / (1.0f + expf (-x));
      return x > 20.0f ? x : log1pf (expf (x));
    default:
      g_assert_not_reached ();
    }
}

/* The model of one node, checked. */
typedef struct {
  CellKind         kind;
  int              G, D, layout;   /* gates, directions, 0: [T, B, .], 1: [B, T, .] */
  int64_t          T, B, I, H;
  gboolean         lbr;            /* GRU linear_before_reset */
  gboolean         reverse;        /* direction "reverse" (one direction) */
  float            clip;           /* 0: no clipping */
  Act              act[2][3];      /* per direction: f, g, h */
  const SalTensor *x, *w, *r, *b, *lens, *h0, *c0, *p;
} Rnn;

/* Scratch for one direction (directions run one after the other). Buffers
 * indexed by time t hold [B, .] blocks. */
typedef struct {
  float *A;    /* [T, B, GH] gate pre-activations (X·Wᵀ + H·Rᵀ + biases + peepholes) */
  float *dA;   /* [T, B, GH] their gradients */
  float *Hp;   /* [T, B, H] the state each step started from */
  float *Cp;   /* [T, B, H] LSTM: the cell state each step started from */
  float *Cn;   /* [T, B, H] LSTM: the cell state each step made */
  float *Q;    /* [T, B, H] GRU: r ⊙ H (lbr 0) or H·Rhᵀ + Rbh (lbr 1) */
  float *dQ;   /* [T, B, H] GRU lbr 1: gradient of Q */
  float *h, *c, *hn, *cn, *dh, *dc, *dhp, *dcp, *tmp;   /* [B, H] */
} Work;

static inline float
clipv (const Rnn *m, float x, float *dclip)
{
  *dclip = 1.0f;
  if (m->clip > 0 && (x > m->clip || x < -m->clip))
    {
      *dclip = 0.0f;
      return x > 0 ? m->clip : -m->clip;
    }
  return x;
}

/* act(clip(x)) and its derivative wrt x */
G_ALWAYS_INLINE static inline float
gate (const Rnn *m, const Act *a, float x, float *d)
{
  float dc, y = act_eval (a, clipv (m, x, &dc), d);

  *d *= dc;
  return y;
}

/* The time a direction processes at its step s. */
static inline int64_t
step_time (const Rnn *m, int d, int64_t s)
{
  return (m->D == 2 ? d == 1 : m->reverse) ? m->T - 1 - s : s;
}

static inline int64_t
seq_len (const Rnn *m, int64_t b)
{
  return m->lens != NULL ? sal_tensor_get_i64 (m->lens, b) : m->T;
}

/* Offsets of [d, b] in a state tensor and of [t, d, b] in Y, per layout. */
static inline int64_t
state_off (const Rnn *m, int d, int64_t b)
{
  return (m->layout ? b * m->D + d : d * m->B + b) * m->H;
}

static inline int64_t
y_off (const Rnn *m, int64_t t, int d, int64_t b)
{
  return (m->layout ? (b * m->T + t) * m->D + d : (t * m->D + d) * m->B + b) * m->H;
}

/* X rows of time t and their leading dimension */
static inline const float *
x_rows (const Rnn *m, const float *X, int64_t t, int64_t *ld)
{
  *ld = m->layout ? m->T * m->I : m->I;
  return X + (m->layout ? t * m->I : t * m->B * m->I);
}

/* Backpropagation through time for one direction. The gradient pointers are
 * the whole tensors (NULL when not wanted); this direction's part is added. */
typedef struct {
  const float *gY, *gYh, *gYc;
  float       *gX, *gW, *gR, *gB, *gh0, *gc0, *gP;
} Grads;

/* C[M, N] += A[M, K] · Bmᵀ (Bm is [N, K]); sgemv when M is 1 */
G_GNUC_INTERNAL void sal_rnn_mm_abt (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                     const float *Bm, int64_t ldb, float *C, int64_t ldc);
/* C[M, N] += A[M, K] · Bm (Bm is [K, N]); sgemv when M is 1 */
G_GNUC_INTERNAL void sal_rnn_mm_ab (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                    const float *Bm, int64_t ldb, float *C, int64_t ldc);
/* C[M, N] += Aᵀ · Bm, A is [K, M], Bm is [K, N] (weight gradients over all steps) */
G_GNUC_INTERNAL void sal_rnn_mm_atb (int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                     const float *Bm, int64_t ldb, float *C, int64_t ldc);

/* One direction forward: fills w (A, Hp, Cp, Cn, Q, and h, c as the final
 * states) and writes Y, Y_h, Y_c when non-NULL. sal-ops-recurrent.c */
G_GNUC_INTERNAL void sal_rnn_run_direction (const Rnn *m, int d, Work *w, const SalExecCtx *ctx,
                                            float *Y, float *Yh, float *Yc);
/* Adds direction d's gradients; sal-ops-recurrent-backward.c */
G_GNUC_INTERNAL void sal_rnn_back_direction (const Rnn *m, int d, Work *w, const SalExecCtx *ctx,
                                             const Grads *gr);

G_END_DECLS
