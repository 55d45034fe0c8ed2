/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "sal-tensor.h"

G_BEGIN_DECLS

typedef enum {
  SAL_OPTIM_SGD,     /* v = μv + g (+ wd·p); p −= lr·v (PyTorch's SGD) */
  SAL_OPTIM_ADAM,    /* L2 weight decay added to the gradient */
  SAL_OPTIM_ADAMW,   /* decoupled weight decay: p −= lr·wd·p */
} SalOptimKind;

typedef struct {
  SalOptimKind kind;
  float        lr;
  float        momentum;      /* SGD */
  gboolean     nesterov;      /* SGD */
  float        beta1, beta2;  /* Adam(W), defaults 0.9, 0.999 */
  float        eps;           /* Adam(W), default 1e-8 */
  float        weight_decay;
} SalOptimConfig;

typedef struct _SalOptimizer SalOptimizer;

void          sal_optim_config_init (SalOptimConfig *cfg, SalOptimKind kind, float lr);
SalOptimizer *sal_optimizer_new     (const SalOptimConfig *cfg);
/* Registers a parameter and its gradient (same shape; both borrowed, must outlive the optimizer). */
void          sal_optimizer_add     (SalOptimizer *opt, SalTensor *param, SalTensor *grad);
/* One update of every parameter with learning rate `lr` (from a schedule). */
void          sal_optimizer_step    (SalOptimizer *opt, float lr);
void          sal_optimizer_zero_grad (SalOptimizer *opt);
void          sal_optimizer_free    (SalOptimizer *opt);

const char   *sal_optim_id          (SalOptimKind kind);   /* "sgd", "adam", "adamw" */
gboolean      sal_optim_from_id     (const char *id, SalOptimKind *out);

/* Learning-rate schedules, evaluated per epoch. */
typedef enum {
  SAL_LR_CONSTANT,
  SAL_LR_STEP,       /* lr · gamma^(floor(epoch / step)) */
  SAL_LR_COSINE,     /* lr_min + ½(lr − lr_min)(1 + cos(π·epoch / epochs)), after warmup epochs */
} SalLrKind;

typedef struct {
  SalLrKind kind;
  float     lr;
  float     lr_min;
  int       step;
  float     gamma;
  int       warmup;   /* linear warm-up epochs */
} SalLrSchedule;

float sal_lr_at (const SalLrSchedule *s, int epoch, int epochs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalOptimizer, sal_optimizer_free)

G_END_DECLS
