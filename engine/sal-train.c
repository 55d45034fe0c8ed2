/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-train.h"
#include "sal-grad.h"
#include "sal-plan-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

void
sal_train_config_init (SalTrainConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->loss = SAL_LOSS_CROSS_ENTROPY;
  cfg->huber_delta = 1.0f;
  sal_optim_config_init (&cfg->optim, SAL_OPTIM_ADAM, 1e-3f);
  cfg->schedule.kind = SAL_LR_CONSTANT;
  cfg->schedule.lr = 1e-3f;
  cfg->epochs = 10;
  cfg->batch_size = 32;
  cfg->seed = 1;
}

SalTensor *
sal_tensor_gather_rows (const SalTensor *x, const int *rows, int n, GError **error)
{
  int64_t dims[SAL_MAX_RANK];
  SalTensor *out;
  gsize row_bytes;

  if (x->rank < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "training data needs a batch axis");
      return NULL;
    }
  memcpy (dims, x->dims, sizeof dims);
  dims[0] = n;
  out = sal_tensor_new (x->dtype, x->rank, dims, error);
  if (out == NULL)
    return NULL;
  row_bytes = x->dims[0] > 0 ? sal_tensor_nbytes (x) / x->dims[0] : 0;
  for (int i = 0; i < n; i++)
    memcpy ((guint8 *) out->data + i * row_bytes, (const guint8 *) x->data + rows[i] * row_bytes,
            row_bytes);
  return out;
}

static void
gather_into (SalTensor *dst, const SalTensor *src, const int *rows, int n)
{
  gsize row_bytes = src->dims[0] > 0 ? sal_tensor_nbytes (src) / src->dims[0] : 0;

  for (int i = 0; i < n; i++)
    memcpy ((guint8 *) dst->data + i * row_bytes, (const guint8 *) src->data + rows[i] * row_bytes,
            row_bytes);
}

static void
shuffle (GRand *rng, int *a, int n)
{
  for (int i = n - 1; i > 0; i--)
    {
      int j = g_rand_int_range (rng, 0, i + 1), t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
}

/* Copies BatchNormalization's running statistics (outputs 1 and 2 of a
 * training-mode node) back into its mean and variance weights. */
static void
update_running_stats (SalRun *run)
{
  SalPlan *plan = run->plan;

  for (int s = 0; s < plan->n_steps; s++)
    {
      SalPlanStep *step = &plan->steps[s];
      SalNode *node = step->node;
      if (strcmp (node->op_type, "BatchNormalization") != 0 || node->n_outputs < 3)
        continue;
      for (int k = 1; k <= 2; k++)
        {
          SalTensor *stat = step->out[k], *weight = step->in[2 + k];
          if (stat != NULL && weight != NULL && stat->numel == weight->numel)
            memcpy (run->model->consts[node->inputs[2 + k]]->data, stat->data,
                    sal_tensor_nbytes (weight));
        }
    }
}

typedef struct {
  SalRun *run;
  SalGrad *grad;
  int batch;
  SalTensor *xb, *yb, *seed;
} BatchRunner;

static gboolean
runner_init (BatchRunner *r, SalModel *model, const SalTensor *x, const SalTensor *y, int batch,
             gboolean train, int n_threads, GError **error)
{
  int64_t dims[SAL_MAX_RANK];

  memset (r, 0, sizeof *r);
  r->batch = batch;
  r->run = sal_run_new (model);
  sal_run_set_threads (r->run, n_threads);
  if (train)
    r->grad = sal_grad_new (r->run);
  memcpy (dims, x->dims, sizeof dims);
  dims[0] = batch;
  r->xb = sal_tensor_new (x->dtype, x->rank, dims, error);
  if (r->xb == NULL)
    return FALSE;
  memcpy (dims, y->dims, sizeof dims);
  dims[0] = batch;
  r->yb = sal_tensor_new (y->dtype, y->rank, dims, error);
  return r->yb != NULL;
}

static void
runner_clear (BatchRunner *r)
{
  g_clear_pointer (&r->grad, sal_grad_free);
  g_clear_pointer (&r->run, sal_run_free);
  g_clear_pointer (&r->xb, sal_tensor_free);
  g_clear_pointer (&r->yb, sal_tensor_free);
  g_clear_pointer (&r->seed, sal_tensor_free);
}

/* Forward (and backward when training) on rows; adds the loss × rows to *loss_sum
 * and the metric × rows to *metric_sum. */
static gboolean
runner_step (BatchRunner *r, const SalTrainConfig *cfg, const SalTensor *x, const SalTensor *y,
             const int *rows, double *loss_sum, double *metric_sum, GError **error)
{
  const SalTensor *out;
  double loss;
  int n = r->batch;

  gather_into (r->xb, x, rows, n);
  gather_into (r->yb, y, rows, n);
  if (!sal_run_set_input (r->run, 0, r->xb, error) || !sal_run_execute (r->run, error))
    return FALSE;
  out = sal_run_get_output (r->run, 0);
  if (r->seed == NULL || r->seed->numel != out->numel)
    {
      g_clear_pointer (&r->seed, sal_tensor_free);
      r->seed = sal_tensor_new (SAL_DTYPE_FLOAT, out->rank, out->dims, error);
      if (r->seed == NULL)
        return FALSE;
    }
  if (!sal_loss (cfg->loss, out, r->yb, cfg->huber_delta, &loss, r->seed, error))
    return FALSE;
  *loss_sum += loss * n;

  /* Accuracy for classifiers, mean absolute error otherwise. */
  if (cfg->loss == SAL_LOSS_CROSS_ENTROPY)
    {
      int64_t c = out->numel / n;
      for (int i = 0; i < n; i++)
        {
          int64_t best = 0;
          for (int64_t j = 1; j < c; j++)
            if (sal_tensor_f32 (out)[i * c + j] > sal_tensor_f32 (out)[i * c + best])
              best = j;
          *metric_sum += best == sal_tensor_get_i64 (r->yb, i);
        }
    }
  else if (cfg->loss == SAL_LOSS_BCE)
    {
      int64_t k = out->numel / n;
      for (int64_t i = 0; i < out->numel; i++)
        *metric_sum += ((sal_tensor_f32 (out)[i] > 0) == (sal_tensor_f32 (r->yb)[i] > 0.5f)) / (double) k;
    }
  else
    {
      int64_t k = out->numel / n;
      for (int64_t i = 0; i < out->numel; i++)
        *metric_sum += fabs (sal_tensor_f32 (out)[i] - sal_tensor_f32 (r->yb)[i]) / k;
    }

  if (r->grad != NULL)
    {
      update_running_stats (r->run);
      if (!sal_grad_backward (r->grad, 0, r->seed, error))
        return FALSE;
    }
  return TRUE;
}

/* Splits 0..n-1 into train and validation, stratified by class for cross-entropy. */
static void
split_rows (GRand *rng, const SalTensor *y, const SalTrainConfig *cfg, GArray *train, GArray *val)
{
  int n = (int) y->dims[0];
  g_autofree int *order = g_new (int, n);

  for (int i = 0; i < n; i++)
    order[i] = i;
  shuffle (rng, order, n);
  if (cfg->val_fraction <= 0)
    {
      g_array_append_vals (train, order, n);
      return;
    }
  if (cfg->loss == SAL_LOSS_CROSS_ENTROPY)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_autoptr(GHashTable) taken = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_autofree int64_t *keys = g_new (int64_t, n);
      /* Count per class, then take the first val_fraction of each class in shuffled order. */
      for (int i = 0; i < n; i++)
        {
          keys[i] = sal_tensor_get_i64 (y, order[i]);
          g_hash_table_insert (seen, &keys[i],
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (seen, &keys[i])) + 1));
        }
      for (int i = 0; i < n; i++)
        {
          int count = GPOINTER_TO_INT (g_hash_table_lookup (seen, &keys[i]));
          int got = GPOINTER_TO_INT (g_hash_table_lookup (taken, &keys[i]));
          if (got < (int) lround (count * cfg->val_fraction))
            {
              g_hash_table_insert (taken, &keys[i], GINT_TO_POINTER (got + 1));
              g_array_append_val (val, order[i]);
            }
          else
            g_array_append_val (train, order[i]);
        }
    }
  else
    {
      int n_val = (int) lround (n * cfg->val_fraction);
      g_array_append_vals (val, order, n_val);
      g_array_append_vals (train, order + n_val, n - n_val);
    }
}

/* One pass over `rows` in batches of the runners' sizes. */
static gboolean
pass (BatchRunner *full, BatchRunner *rest, SalOptimizer *opt, float lr, const SalTrainConfig *cfg,
      const SalTensor *x, const SalTensor *y, const int *rows, int n, double *loss, double *metric,
      GError **error)
{
  double loss_sum = 0, metric_sum = 0;
  int done = 0;

  while (done < n)
    {
      BatchRunner *r = n - done >= full->batch ? full : rest;
      if (cfg->cancel != NULL && cfg->cancel (cfg->user_data))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_CANCELLED, "training was cancelled");
          return FALSE;
        }
      if (!runner_step (r, cfg, x, y, rows + done, &loss_sum, &metric_sum, error))
        return FALSE;
      if (opt != NULL)
        {
          /* One optimiser, registered on the full-batch run's gradient buffers:
           * a remainder batch's gradients are copied there before the step. */
          if (r != full)
            for (guint w = 0; w < sal_grad_n_weights (r->grad); w++)
              {
                SalTensor *src, *dst;
                sal_grad_get_weight (r->grad, w, NULL, NULL, &src);
                sal_grad_get_weight (full->grad, w, NULL, NULL, &dst);
                memcpy (dst->data, src->data, sal_tensor_nbytes (dst));
              }
          sal_optimizer_step (opt, lr);
          if (!sal_model_weights_changed (r->run->model, error))
            return FALSE;
        }
      done += r->batch;
    }
  *loss = n ? loss_sum / n : NAN;
  *metric = n ? metric_sum / n : NAN;
  return TRUE;
}

static SalOptimizer *
make_optimizer (BatchRunner *r, const SalTrainConfig *cfg)
{
  SalOptimizer *opt = sal_optimizer_new (&cfg->optim);

  for (guint w = 0; w < sal_grad_n_weights (r->grad); w++)
    {
      SalTensor *param, *pgrad;
      sal_grad_get_weight (r->grad, w, NULL, &param, &pgrad);
      sal_optimizer_add (opt, param, pgrad);
    }
  return opt;
}

gboolean
sal_train (SalModel *model, const SalTensor *x, const SalTensor *y, const SalTrainConfig *cfg,
           SalTrainResult *result, GError **error)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (cfg->seed);
  g_autoptr(GArray) train = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) val = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GPtrArray) best = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_tensor_free);
  BatchRunner tr_full = { 0 }, tr_rest = { 0 }, va_full = { 0 }, va_rest = { 0 };
  SalOptimizer *opt = NULL;
  int batch, stale = 0;
  gboolean ok = FALSE;
  double best_val = INFINITY;

  memset (result, 0, sizeof *result);
  result->val_loss = result->val_metric = NAN;
  if (x->rank < 1 || y->rank < 1 || x->dims[0] != y->dims[0] || x->dims[0] < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "training needs as many targets as examples (got %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT ")",
                   x->rank ? x->dims[0] : 0, y->rank ? y->dims[0] : 0);
      return FALSE;
    }
  split_rows (rng, y, cfg, train, val);
  batch = MAX (1, MIN (cfg->batch_size, (int) train->len));

  /* Two runs each for training and validation: full batches and the remainder,
   * so neither re-plans within an epoch. */
  if (!runner_init (&tr_full, model, x, y, batch, TRUE, cfg->n_threads, error) ||
      !runner_init (&tr_rest, model, x, y, MAX (1, (int) train->len % batch), TRUE, cfg->n_threads, error))
    goto out;
  tr_full.run->ctx.training = tr_rest.run->ctx.training = TRUE;
  tr_full.run->ctx.rng = tr_rest.run->ctx.rng = rng;
  sal_grad_want_weights (tr_full.grad);
  sal_grad_want_weights (tr_rest.grad);
  opt = make_optimizer (&tr_full, cfg);
  if (val->len > 0)
    {
      int vb = MIN (batch, (int) val->len);
      if (!runner_init (&va_full, model, x, y, vb, FALSE, cfg->n_threads, error) ||
          !runner_init (&va_rest, model, x, y, MAX (1, (int) val->len % vb), FALSE, cfg->n_threads, error))
        goto out;
    }

  for (int epoch = 0; epoch < cfg->epochs; epoch++)
    {
      SalTrainProgress p = { epoch + 1, cfg->epochs, NAN, NAN, NAN,
                             cfg->loss == SAL_LOSS_CROSS_ENTROPY || cfg->loss == SAL_LOSS_BCE ? "accuracy" : "mae",
                             sal_lr_at (&cfg->schedule, epoch, cfg->epochs) };
      double train_metric;

      shuffle (rng, (int *) train->data, train->len);
      if (!pass (&tr_full, &tr_rest, opt, p.lr, cfg, x, y, (int *) train->data, (int) train->len,
                 &p.train_loss, &train_metric, error))
        goto out;
      result->train_loss = p.train_loss;
      result->epochs_run = epoch + 1;

      if (val->len > 0)
        {
          if (!pass (&va_full, &va_rest, NULL, 0, cfg, x, y, (int *) val->data, (int) val->len,
                     &p.val_loss, &p.val_metric, error))
            goto out;
          if (p.val_loss < best_val)
            {
              best_val = p.val_loss;
              result->best_epoch = epoch + 1;
              result->val_loss = p.val_loss;
              result->val_metric = p.val_metric;
              stale = 0;
              g_ptr_array_set_size (best, 0);
              for (guint w = 0; w < sal_grad_n_weights (tr_full.grad); w++)
                {
                  SalTensor *param;
                  sal_grad_get_weight (tr_full.grad, w, NULL, &param, NULL);
                  g_ptr_array_add (best, sal_tensor_copy (param));
                }
            }
          else
            stale++;
        }
      else
        result->best_epoch = epoch + 1;
      if (cfg->progress)
        cfg->progress (&p, cfg->user_data);
      if (cfg->patience > 0 && stale >= cfg->patience)
        break;
    }

  /* Keep the weights of the best validation epoch. */
  if (best->len > 0)
    {
      for (guint w = 0; w < best->len; w++)
        {
          SalTensor *param;
          sal_grad_get_weight (tr_full.grad, w, NULL, &param, NULL);
          memcpy (param->data, ((SalTensor *) g_ptr_array_index (best, w))->data, sal_tensor_nbytes (param));
        }
      if (!sal_model_weights_changed (model, error))
        goto out;
    }
  ok = TRUE;

out:
  if (opt)
    sal_optimizer_free (opt);
  runner_clear (&tr_full);
  runner_clear (&tr_rest);
  runner_clear (&va_full);
  runner_clear (&va_rest);
  return ok;
}

SalTensor *
sal_model_predict (SalModel *model, const SalTensor *x, int batch_size, int n_threads,
                   GError **error)
{
  g_autoptr(SalRun) run = sal_run_new (model);
  g_autoptr(SalRun) rest = NULL;
  g_autoptr(SalTensor) out = NULL;
  int64_t n = x->dims[0], done = 0;
  gsize out_row = 0;

  sal_run_set_threads (run, n_threads);
  batch_size = MAX (1, MIN (batch_size, (int) n));
  while (done < n)
    {
      int b = (int) MIN ((int64_t) batch_size, n - done);
      SalRun *r = run;
      g_autofree int *rows = g_new (int, b);
      g_autoptr(SalTensor) xb = NULL;
      const SalTensor *y;

      if (b != batch_size)
        {
          rest = sal_run_new (model);
          sal_run_set_threads (rest, n_threads);
          r = rest;
        }
      for (int i = 0; i < b; i++)
        rows[i] = (int) (done + i);
      xb = sal_tensor_gather_rows (x, rows, b, error);
      if (xb == NULL || !sal_run_set_input (r, 0, xb, error) || !sal_run_execute (r, error))
        return NULL;
      y = sal_run_get_output (r, 0);
      if (out == NULL)
        {
          int64_t dims[SAL_MAX_RANK];
          memcpy (dims, y->dims, sizeof dims);
          dims[0] = n;
          out = sal_tensor_new (y->dtype, MAX (y->rank, 1), dims, error);
          if (out == NULL)
            return NULL;
          out_row = sal_tensor_nbytes (y) / MAX (y->dims[0], 1);
        }
      memcpy ((guint8 *) out->data + done * out_row, y->data, sal_tensor_nbytes (y));
      done += b;
    }
  return g_steal_pointer (&out);
}

void
sal_model_set_metadata (SalModel *model, const char *key, const char *value)
{
  sal_graph_set_metadata (model->graph, key, value);
}
