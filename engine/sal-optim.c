/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-optim.h"
#include "sal-alloc.h"

#include <math.h>
#include <string.h>

typedef struct {
  SalTensor *param, *grad;
  float     *m, *v;          /* momentum buffer (SGD) or first/second moments (Adam) */
} Slot;

struct _SalOptimizer {
  SalOptimConfig cfg;
  GArray        *slots;
  int            t;          /* Adam step count */
};

static const char *const optim_ids[] = { "sgd", "adam", "adamw" };

const char *
sal_optim_id (SalOptimKind kind)
{
  return (guint) kind < G_N_ELEMENTS (optim_ids) ? optim_ids[kind] : "unknown";
}

gboolean
sal_optim_from_id (const char *id, SalOptimKind *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (optim_ids); i++)
    if (g_strcmp0 (id, optim_ids[i]) == 0)
      {
        *out = (SalOptimKind) i;
        return TRUE;
      }
  return FALSE;
}

void
sal_optim_config_init (SalOptimConfig *cfg, SalOptimKind kind, float lr)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->kind = kind;
  cfg->lr = lr;
  cfg->beta1 = 0.9f;
  cfg->beta2 = 0.999f;
  cfg->eps = 1e-8f;
  cfg->weight_decay = kind == SAL_OPTIM_ADAMW ? 0.01f : 0.0f;
}

SalOptimizer *
sal_optimizer_new (const SalOptimConfig *cfg)
{
  SalOptimizer *opt = g_new0 (SalOptimizer, 1);

  opt->cfg = *cfg;
  opt->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  return opt;
}

void
sal_optimizer_add (SalOptimizer *opt, SalTensor *param, SalTensor *grad)
{
  Slot s = { param, grad, NULL, NULL };

  g_return_if_fail (param->numel == grad->numel);
  s.m = sal_alloc0 (MAX (param->numel, 1) * sizeof (float));
  if (opt->cfg.kind != SAL_OPTIM_SGD)
    s.v = sal_alloc0 (MAX (param->numel, 1) * sizeof (float));
  g_array_append_val (opt->slots, s);
}

void
sal_optimizer_step (SalOptimizer *opt, float lr)
{
  const SalOptimConfig *c = &opt->cfg;
  double bc1, bc2;

  opt->t++;
  bc1 = 1.0 - pow (c->beta1, opt->t);
  bc2 = 1.0 - pow (c->beta2, opt->t);
  for (guint k = 0; k < opt->slots->len; k++)
    {
      Slot *s = &g_array_index (opt->slots, Slot, k);
      float *p = sal_tensor_f32 (s->param), *g = sal_tensor_f32 (s->grad);

      for (int64_t i = 0; i < s->param->numel; i++)
        {
          float gi = g[i];
          switch (c->kind)
            {
            case SAL_OPTIM_SGD:
              gi += c->weight_decay * p[i];
              if (c->momentum != 0)
                {
                  s->m[i] = opt->t == 1 ? gi : c->momentum * s->m[i] + gi;
                  gi = c->nesterov ? gi + c->momentum * s->m[i] : s->m[i];
                }
              p[i] -= lr * gi;
              break;
            case SAL_OPTIM_ADAM:
            case SAL_OPTIM_ADAMW:
            default:
              if (c->kind == SAL_OPTIM_ADAMW)
                p[i] -= lr * c->weight_decay * p[i];
              else
                gi += c->weight_decay * p[i];
              s->m[i] = c->beta1 * s->m[i] + (1 - c->beta1) * gi;
              s->v[i] = c->beta2 * s->v[i] + (1 - c->beta2) * gi * gi;
              p[i] -= (float) (lr * (s->m[i] / bc1) / (sqrt (s->v[i] / bc2) + c->eps));
              break;
            }
        }
    }
}

void
sal_optimizer_zero_grad (SalOptimizer *opt)
{
  for (guint k = 0; k < opt->slots->len; k++)
    {
      Slot *s = &g_array_index (opt->slots, Slot, k);
      memset (s->grad->data, 0, sal_tensor_nbytes (s->grad));
    }
}

void
sal_optimizer_free (SalOptimizer *opt)
{
  if (opt == NULL)
    return;
  for (guint k = 0; k < opt->slots->len; k++)
    {
      Slot *s = &g_array_index (opt->slots, Slot, k);
      sal_free (s->m);
      sal_free (s->v);
    }
  g_array_unref (opt->slots);
  g_free (opt);
}

float
sal_lr_at (const SalLrSchedule *s, int epoch, int epochs)
{
  if (s->warmup > 0 && epoch < s->warmup)
    return s->lr * (epoch + 1) / (float) (s->warmup + 1);
  switch (s->kind)
    {
    case SAL_LR_STEP:
      return s->lr * powf (s->gamma, (float) (s->step > 0 ? epoch / s->step : 0));
    case SAL_LR_COSINE:
      {
        int span = MAX (epochs - s->warmup, 1), e = epoch - s->warmup;
        return s->lr_min + 0.5f * (s->lr - s->lr_min) * (1 + cosf ((float) G_PI * e / span));
      }
    case SAL_LR_CONSTANT:
    default:
      return s->lr;
    }
}
