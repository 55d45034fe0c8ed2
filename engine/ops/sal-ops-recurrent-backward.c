/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Backpropagation through time for RNN, GRU and LSTM: re-runs one
 * direction's forward into scratch (every pre-activation and state), walks the
 * steps back collecting the gate gradients dA of all steps, then forms the
 * weight gradients with one sgemm each. */

#include "sal-ops-recurrent-private.h"

#include <string.h>

typedef struct {
  const Rnn   *m;
  int          d;
  Work        *w;
  const Grads *gr;
} BackJob;

/* BPTT for the batch rows [b0, b1) (sequences are independent): fills their
 * rows of dA (and dQ) and adds their initial-state gradients. */
static void
bptt_rows (int64_t b0, int64_t b1, gpointer data)
{
  const BackJob *job = data;
  const Rnn *m = job->m;
  const Grads *gr = job->gr;
  Work *w = job->w;
  int d = job->d;
  int64_t T = m->T, B = m->B, H = m->H, GH = m->G * H, Bs = b1 - b0;
  const float *R = sal_tensor_f32 (m->r) + d * GH * H;
  const float *P = m->p != NULL ? sal_tensor_f32 (m->p) + d * 3 * H : NULL;
  const Act *f = &m->act[d][0], *g = &m->act[d][1], *ha = &m->act[d][2];
  float *dh = w->dh + b0 * H, *dc = w->dc + b0 * H, *dhp = w->dhp + b0 * H;
  float *dcp = w->dcp + b0 * H, *tmp = w->tmp + b0 * H, *sw;

  for (int64_t b = 0; b < Bs; b++)
    for (int64_t j = 0; j < H; j++)
      {
        dh[b * H + j] = gr->gYh != NULL ? gr->gYh[state_off (m, d, b0 + b) + j] : 0.0f;
        dc[b * H + j] = gr->gYc != NULL ? gr->gYc[state_off (m, d, b0 + b) + j] : 0.0f;
      }
  for (int64_t s = T - 1; s >= 0; s--)
    {
      int64_t t = step_time (m, d, s), row = t * B + b0;
      const float *a = w->A + row * GH, *hp = w->Hp + row * H;
      float *da = w->dA + row * GH;

      if (gr->gY != NULL)
        for (int64_t b = 0; b < Bs; b++)
          if (t < seq_len (m, b0 + b))
            for (int64_t j = 0; j < H; j++)
              dh[b * H + j] += gr->gY[y_off (m, t, d, b0 + b) + j];
      memset (dhp, 0, Bs * H * sizeof (float));
      memset (dcp, 0, Bs * H * sizeof (float));

      switch (m->kind)
        {
        case CELL_RNN:
          /* h = f(a): da = dh f'(a); dh_prev = da·R */
          for (int64_t b = 0; b < Bs; b++)
            if (t < seq_len (m, b0 + b))
              for (int64_t j = 0; j < H; j++)
                {
                  float dd;
                  gate (m, f, a[b * GH + j], &dd);
                  da[b * GH + j] = dh[b * H + j] * dd;
                }
          sal_rnn_mm_ab (Bs, H, H, da, GH, R, H, dhp, H);
          break;

        case CELL_GRU:
          /* h = (1 - z) hh + z h_prev */
          for (int64_t b = 0; b < Bs; b++)
            if (t < seq_len (m, b0 + b))
              for (int64_t j = 0; j < H; j++)
                {
                  const float *ar = a + b * GH;
                  float dz, dhh, z = gate (m, f, ar[j], &dz);
                  float hh = gate (m, g, ar[2 * H + j], &dhh), dv = dh[b * H + j];
                  dhp[b * H + j] = dv * z;
                  da[b * GH + 2 * H + j] = dv * (1.0f - z) * dhh;
                  da[b * GH + j] = dv * (hp[b * H + j] - hh) * dz;
                }
          if (!m->lbr)
            {
              /* a_h = .. + (r ⊙ h_prev)·Rhᵀ */
              memset (tmp, 0, Bs * H * sizeof (float));
              sal_rnn_mm_ab (Bs, H, H, da + 2 * H, GH, R + 2 * H * H, H, tmp, H);
              for (int64_t b = 0; b < Bs; b++)
                if (t < seq_len (m, b0 + b))
                  for (int64_t j = 0; j < H; j++)
                    {
                      float dr, r = gate (m, f, a[b * GH + H + j], &dr);
                      float tv = tmp[b * H + j];
                      dhp[b * H + j] += tv * r;
                      da[b * GH + H + j] = tv * hp[b * H + j] * dr;
                    }
            }
          else
            {
              /* a_h = .. + r ⊙ q, q = h_prev·Rhᵀ + Rbh */
              const float *q = w->Q + row * H;
              float *dq = w->dQ + row * H;
              for (int64_t b = 0; b < Bs; b++)
                if (t < seq_len (m, b0 + b))
                  for (int64_t j = 0; j < H; j++)
                    {
                      float dr, r = gate (m, f, a[b * GH + H + j], &dr);
                      float dah = da[b * GH + 2 * H + j];
                      dq[b * H + j] = dah * r;
                      da[b * GH + H + j] = dah * q[b * H + j] * dr;
                    }
              sal_rnn_mm_ab (Bs, H, H, dq, H, R + 2 * H * H, H, dhp, H);
            }
          sal_rnn_mm_ab (Bs, H, 2 * H, da, GH, R, H, dhp, H);
          break;

        case CELL_LSTM:
          /* c = f c_prev + i g, h = o h(c), peepholes on i, f (c_prev) and o (c) */
          for (int64_t b = 0; b < Bs; b++)
            if (t < seq_len (m, b0 + b))
              for (int64_t j = 0; j < H; j++)
                {
                  const float *ar = a + b * GH;
                  float *dar = da + b * GH;
                  float cp = w->Cp[(row + b) * H + j], cn = w->Cn[(row + b) * H + j];
                  float di, df, dg, dout, dhc, dv = dh[b * H + j], dct;
                  float ig = gate (m, f, ar[j], &di), fg = gate (m, f, ar[2 * H + j], &df);
                  float cg = gate (m, g, ar[3 * H + j], &dg), og = gate (m, f, ar[H + j], &dout);
                  float hc = act_eval (ha, cn, &dhc);
                  dar[H + j] = dv * hc * dout;
                  dct = dc[b * H + j] + dv * og * dhc + (P != NULL ? dar[H + j] * P[H + j] : 0);
                  dar[j] = dct * cg * di;
                  dar[2 * H + j] = dct * cp * df;
                  dar[3 * H + j] = dct * ig * dg;
                  dcp[b * H + j] = dct * fg;
                  if (P != NULL)
                    dcp[b * H + j] += dar[j] * P[j] + dar[2 * H + j] * P[2 * H + j];
                }
          sal_rnn_mm_ab (Bs, H, GH, da, GH, R, H, dhp, H);
          break;
        default:
          g_assert_not_reached ();
        }

      /* past a sequence's end the state passed through unchanged */
      for (int64_t b = 0; b < Bs; b++)
        if (t >= seq_len (m, b0 + b))
          {
            memcpy (dhp + b * H, dh + b * H, H * sizeof (float));
            memcpy (dcp + b * H, dc + b * H, H * sizeof (float));
          }
      sw = dh, dh = dhp, dhp = sw;
      sw = dc, dc = dcp, dcp = sw;
    }

  for (int64_t b = 0; b < Bs; b++)
    for (int64_t j = 0; j < H; j++)
      {
        if (gr->gh0 != NULL)
          gr->gh0[state_off (m, d, b0 + b) + j] += dh[b * H + j];
        if (gr->gc0 != NULL)
          gr->gc0[state_off (m, d, b0 + b) + j] += dc[b * H + j];
      }
}

void
sal_rnn_back_direction (const Rnn *m, int d, Work *w, const SalExecCtx *ctx, const Grads *gr)
{
  int64_t T = m->T, B = m->B, H = m->H, GH = m->G * H, I = m->I, TB = T * B, ld;
  const float *X = sal_tensor_f32 (m->x);
  const float *W = sal_tensor_f32 (m->w) + d * GH * I;
  BackJob job = { m, d, w, gr };

  sal_rnn_run_direction (m, d, w, ctx, NULL, NULL, NULL);
  if (TB > 0)
    {
      memset (w->dA, 0, TB * GH * sizeof (float));
      if (w->dQ != NULL)
        memset (w->dQ, 0, TB * H * sizeof (float));
    }
  sal_exec_parallel_for (ctx, B, bptt_rows, &job);
  if (TB == 0)
    return;

  /* peepholes: dP_i += dA_i ⊙ C_prev, dP_f += dA_f ⊙ C_prev, dP_o += dA_o ⊙ C
   * (dA is zero past each sequence's end) */
  if (gr->gP != NULL)
    {
      float *gP = gr->gP + d * 3 * H;
      for (int64_t row = 0; row < TB; row++)
        for (int64_t j = 0; j < H; j++)
          {
            const float *dar = w->dA + row * GH;
            gP[j] += dar[j] * w->Cp[row * H + j];
            gP[2 * H + j] += dar[2 * H + j] * w->Cp[row * H + j];
            gP[H + j] += dar[H + j] * w->Cn[row * H + j];
          }
    }

  /* dX += dA·W, dW += dAᵀ·X */
  for (int64_t t = 0; t < (m->layout ? T : 1); t++)
    {
      int64_t rows = m->layout ? B : TB;
      const float *xt = x_rows (m, X, t, &ld), *dat = w->dA + t * B * GH;
      if (gr->gX != NULL)
        sal_rnn_mm_ab (rows, I, GH, dat, GH, W, I, gr->gX + (xt - X), ld);
      if (gr->gW != NULL)
        sal_rnn_mm_atb (GH, I, rows, dat, GH, xt, ld, gr->gW + d * GH * I, I);
    }
  /* dR += dAᵀ·H_prev (GRU's candidate row block: through Q) */
  if (gr->gR != NULL)
    {
      float *gR = gr->gR + d * GH * H;
      if (m->kind != CELL_GRU)
        sal_rnn_mm_atb (GH, H, TB, w->dA, GH, w->Hp, H, gR, H);
      else
        {
          sal_rnn_mm_atb (2 * H, H, TB, w->dA, GH, w->Hp, H, gR, H);
          if (!m->lbr)
            sal_rnn_mm_atb (H, H, TB, w->dA + 2 * H, GH, w->Q, H, gR + 2 * H * H, H);
          else
            sal_rnn_mm_atb (H, H, TB, w->dQ, H, w->Hp, H, gR + 2 * H * H, H);
        }
    }
  if (gr->gB != NULL)
    {
      float *gWb = gr->gB + d * 2 * GH, *gRb = gWb + GH;
      for (int64_t row = 0; row < TB; row++)
        for (int64_t k = 0; k < GH; k++)
          {
            float v = w->dA[row * GH + k];
            gWb[k] += v;
            if (m->lbr && k >= 2 * H)
              gRb[k] += w->dQ[row * H + k - 2 * H];
            else
              gRb[k] += v;
          }
    }
}
