/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

/* Tabular methods over a background set: exact interventional Shapley values
 * (every coalition), KernelSHAP (weighted regression over sampled coalitions
 * with the efficiency constraint), and permutation importance. The value of a
 * coalition S is v(S) = mean_b f(x_S, b_¬S): the features (or groups) in S
 * take the explained row's values, the others a background row's. */

#include "sal-explain-private.h"
#include "sal-error.h"

#include <math.h>
#include <string.h>

#define MAX_EXACT_GROUPS 16
#define MAX_GROUPS 30

typedef struct {
  SalExplainer    *ex;
  const float     *x;          /* [M] */
  const float     *bg;         /* [N, M] */
  int              n_bg, m;
  const int       *group;      /* [M] → group */
  int              chunk;
  float           *rows;       /* [chunk, M] */
  double          *scores;     /* [chunk] */
} Evaluator;

/* v[c] for each coalition mask[c] (bit g set: group g takes x's values). */
static gboolean
coalition_values (Evaluator *ev, const guint32 *masks, gsize n_masks, double *v, GError **error)
{
  gsize total = n_masks * (gsize) ev->n_bg, done = 0;

  for (gsize c = 0; c < n_masks; c++)
    v[c] = 0;
  while (done < total)
    {
      int n = (int) MIN ((gsize) ev->chunk, total - done);

      for (int r = 0; r < ev->chunk; r++)
        {
          /* Padding rows of the last chunk repeat its first row. */
          gsize idx = done + (gsize) (r < n ? r : 0);
          guint32 mask = masks[idx / ev->n_bg];
          const float *b = ev->bg + (idx % ev->n_bg) * ev->m;
          float *row = ev->rows + (gsize) r * ev->m;

          for (int j = 0; j < ev->m; j++)
            row[j] = (mask >> ev->group[j]) & 1 ? ev->x[j] : b[j];
        }
      if (!sal_explainer_eval (ev->ex, ev->rows, ev->chunk, ev->scores, NULL, NULL, NULL, NULL,
                               error))
        return FALSE;
      for (int r = 0; r < n; r++)
        v[(done + r) / ev->n_bg] += ev->scores[r];
      done += n;
      sal_explainer_progress (ev->ex, (double) done / total);
    }
  for (gsize c = 0; c < n_masks; c++)
    v[c] /= ev->n_bg;
  return TRUE;
}

static gboolean
explain_exact (Evaluator *ev, int G, double *phi, double *v0, double *vall, GError **error)
{
  guint32 n = 1u << G;
  g_autofree guint32 *masks = g_new (guint32, n);
  g_autofree double *v = g_new (double, n);
  double w[MAX_EXACT_GROUPS];

  for (guint32 s = 0; s < n; s++)
    masks[s] = s;
  if (!coalition_values (ev, masks, n, v, error))
    return FALSE;
  /* w(s) = s! (G − s − 1)! / G! */
  for (int s = 0; s < G; s++)
    w[s] = exp (lgamma (s + 1) + lgamma (G - s) - lgamma (G + 1));
  for (int i = 0; i < G; i++)
    {
      double sum = 0;
      for (guint32 s = 0; s < n; s++)
        if (!(s & (1u << i)))
          sum += w[__builtin_popcount (s)] * (v[s | (1u << i)] - v[s]);
      phi[i] = sum;
    }
  *v0 = v[0];
  *vall = v[n - 1];
  return TRUE;
}

static double
binomial (int n, int k)
{
  return floor (exp (lgamma (n + 1) - lgamma (k + 1) - lgamma (n - k + 1)) + 0.5);
}

typedef struct {
  GArray     *masks;    /* guint32 */
  GArray     *weights;  /* double */
  GHashTable *index;    /* mask + 1 → index + 1 */
} Coalitions;

static void
coalitions_add (Coalitions *c, guint32 mask, double weight)
{
  gpointer found = g_hash_table_lookup (c->index, GUINT_TO_POINTER (mask + 1));

  if (found != NULL)
    {
      g_array_index (c->weights, double, GPOINTER_TO_UINT (found) - 1) += weight;
      return;
    }
  g_array_append_val (c->masks, mask);
  g_array_append_val (c->weights, weight);
  g_hash_table_insert (c->index, GUINT_TO_POINTER (mask + 1),
                       GUINT_TO_POINTER (c->masks->len));
}

/* Calls fn for every subset of {0..G-1} of size k. */
static void
enumerate_subsets (int G, int k, guint32 prefix, int start, int left, Coalitions *c,
                   double weight, gboolean paired)
{
  if (left == 0)
    {
      coalitions_add (c, prefix, weight);
      if (paired)
        coalitions_add (c, ((1u << G) - 1) & ~prefix, weight);
      return;
    }
  for (int i = start; i <= G - left; i++)
    enumerate_subsets (G, k, prefix | (1u << i), i + 1, left - 1, c, weight, paired);
}

/* Solves the symmetric system a x = b (n × n, destroyed) by Gaussian
 * elimination with partial pivoting. */
static gboolean
solve (double *a, double *b, int n)
{
  for (int col = 0; col < n; col++)
    {
      int piv = col;
      for (int r = col + 1; r < n; r++)
        if (fabs (a[r * n + col]) > fabs (a[piv * n + col]))
          piv = r;
      if (fabs (a[piv * n + col]) < 1e-300)
        return FALSE;
      if (piv != col)
        {
          for (int k = 0; k < n; k++)
            {
              double t = a[col * n + k];
              a[col * n + k] = a[piv * n + k];
              a[piv * n + k] = t;
            }
          double t = b[col];
          b[col] = b[piv];
          b[piv] = t;
        }
      for (int r = col + 1; r < n; r++)
        {
          double f = a[r * n + col] / a[col * n + col];
          for (int k = col; k < n; k++)
            a[r * n + k] -= f * a[col * n + k];
          b[r] -= f * b[col];
        }
    }
  for (int r = n - 1; r >= 0; r--)
    {
      double s = b[r];
      for (int k = r + 1; k < n; k++)
        s -= a[r * n + k] * b[k];
      b[r] = s / a[r * n + r];
    }
  return TRUE;
}

/* KernelSHAP as in Lundberg & Lee: coalition sizes whose every subset fits in
 * the remaining budget are enumerated with their exact Shapley-kernel weight
 * (smallest and largest sizes first, paired), the rest are sampled with size
 * drawn by kernel weight and paired with their complements; then a weighted
 * least-squares fit with Σφ = v(all) − v(∅) enforced by eliminating φ_G−1. */
static gboolean
explain_kernel (Evaluator *ev, int G, int n_samples, guint32 seed, double *phi, double *v0,
                double *vall, GError **error)
{
  Coalitions c = { g_array_new (FALSE, FALSE, sizeof (guint32)),
                   g_array_new (FALSE, FALSE, sizeof (double)),
                   g_hash_table_new (NULL, NULL) };
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  int n_sizes = (G - 1 + 1) / 2, n_paired = (G - 1) / 2;
  double wv[MAX_GROUPS], sum = 0, left_weight = 1;
  int left = n_samples, full_sizes = 0;
  guint32 ends[2] = { 0, (1u << G) - 1 };
  double ends_v[2];
  g_autofree double *v = NULL, *ata = NULL, *aty = NULL;
  gboolean ok = FALSE;
  guint nc;

  for (int s = 1; s <= n_sizes; s++)
    {
      wv[s - 1] = (G - 1.0) / (s * (G - s));
      if (s <= n_paired)
        wv[s - 1] *= 2;
      sum += wv[s - 1];
    }
  for (int s = 0; s < n_sizes; s++)
    wv[s] /= sum;
  for (int s = 1; s <= n_sizes; s++)
    {
      double nsub = binomial (G, s) * (s <= n_paired ? 2 : 1);
      double share = wv[s - 1] / left_weight;

      if (left * share / nsub < 1.0 - 1e-8)
        break;
      enumerate_subsets (G, s, 0, 0, s, &c, wv[s - 1] / nsub, s <= n_paired);
      full_sizes = s;
      left -= (int) nsub;
      left_weight -= wv[s - 1];
    }
  if (full_sizes < n_sizes && left > 0)
    {
      /* Sample the remaining sizes ∝ their kernel weight, each with its complement. */
      int draws = MAX (left / 2, 1);
      double per = left_weight / draws;

      for (int d = 0; d < draws; d++)
        {
          double r = g_rand_double (rng) * left_weight, acc = 0;
          int s = full_sizes + 1;
          guint32 mask = 0;
          int idx[MAX_GROUPS];

          for (int k = full_sizes + 1; k <= n_sizes; k++)
            {
              acc += wv[k - 1];
              s = k;
              if (r < acc)
                break;
            }
          for (int i = 0; i < G; i++)
            idx[i] = i;
          for (int i = 0; i < s; i++)
            {
              int j = g_rand_int_range (rng, i, G);
              int t = idx[i];
              idx[i] = idx[j];
              idx[j] = t;
              mask |= 1u << idx[i];
            }
          if (s <= n_paired)
            {
              coalitions_add (&c, mask, per / 2);
              coalitions_add (&c, ((1u << G) - 1) & ~mask, per / 2);
            }
          else
            coalitions_add (&c, mask, per);
        }
    }

  nc = c.masks->len;
  v = g_new (double, nc);
  if (!coalition_values (ev, ends, 2, ends_v, error) ||
      !coalition_values (ev, (guint32 *) c.masks->data, nc, v, error))
    goto out;
  *v0 = ends_v[0];
  *vall = ends_v[1];
  if (G == 1)
    {
      phi[0] = *vall - *v0;
      ok = TRUE;
      goto out;
    }
  {
    int n = G - 1;
    double delta = *vall - *v0;

    ata = g_new0 (double, (gsize) n * n);
    aty = g_new0 (double, n);
    for (guint k = 0; k < nc; k++)
      {
        guint32 mask = g_array_index (c.masks, guint32, k);
        double w = g_array_index (c.weights, double, k);
        double zl = (mask >> (G - 1)) & 1;
        double y = v[k] - *v0 - zl * delta;
        double a[MAX_GROUPS];

        for (int i = 0; i < n; i++)
          a[i] = ((mask >> i) & 1) - zl;
        for (int i = 0; i < n; i++)
          {
            aty[i] += w * a[i] * y;
            for (int j = 0; j < n; j++)
              ata[i * n + j] += w * a[i] * a[j];
          }
      }
    if (!solve (ata, aty, n))
      {
        g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                     "KernelSHAP could not solve its regression; use more samples (now %d)",
                     n_samples);
        goto out;
      }
    phi[G - 1] = delta;
    for (int i = 0; i < n; i++)
      {
        phi[i] = aty[i];
        phi[G - 1] -= aty[i];
      }
  }
  ok = TRUE;
out:
  g_array_unref (c.masks);
  g_array_unref (c.weights);
  g_hash_table_unref (c.index);
  return ok;
}

/* Scores of n rows [n, M], in chunks. */
static gboolean
eval_rows (Evaluator *ev, const float *rows, int n, double *out, GError **error)
{
  for (int done = 0; done < n; done += ev->chunk)
    {
      int k = MIN (ev->chunk, n - done);

      memcpy (ev->rows, rows + (gsize) done * ev->m, (gsize) k * ev->m * sizeof (float));
      for (int r = k; r < ev->chunk; r++)
        memcpy (ev->rows + (gsize) r * ev->m, ev->rows, ev->m * sizeof (float));
      if (!sal_explainer_eval (ev->ex, ev->rows, ev->chunk, ev->scores, NULL, NULL, NULL, NULL,
                               error))
        return FALSE;
      memcpy (out + done, ev->scores, k * sizeof (double));
    }
  return TRUE;
}

/* Mean |f(row) − f(row with group g taken from another row)| over the
 * dataset, repeated over `repeats` seeded permutations. */
static gboolean
explain_permutation (Evaluator *ev, int G, int repeats, guint32 seed, double *imp, GError **error)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  int N = ev->n_bg, M = ev->m;
  g_autofree double *base = g_new (double, N);
  g_autofree double *perm_scores = g_new (double, N);
  g_autofree float *shuffled = g_new (float, (gsize) N * M);
  g_autofree int *perm = g_new (int, N);
  double done = 0, total = (double) G * repeats;

  if (!eval_rows (ev, ev->bg, N, base, error))
    return FALSE;
  for (int g = 0; g < G; g++)
    {
      imp[g] = 0;
      for (int rep = 0; rep < repeats; rep++)
        {
          for (int i = 0; i < N; i++)
            perm[i] = i;
          for (int i = N - 1; i > 0; i--)
            {
              int j = g_rand_int_range (rng, 0, i + 1), t = perm[i];
              perm[i] = perm[j];
              perm[j] = t;
            }
          for (int i = 0; i < N; i++)
            for (int j = 0; j < M; j++)
              shuffled[(gsize) i * M + j] = ev->group[j] == g ? ev->bg[(gsize) perm[i] * M + j]
                                                               : ev->bg[(gsize) i * M + j];
          if (!eval_rows (ev, shuffled, N, perm_scores, error))
            return FALSE;
          for (int i = 0; i < N; i++)
            imp[g] += fabs (base[i] - perm_scores[i]);
          done++;
          sal_explainer_progress (ev->ex, done / total);
        }
      imp[g] /= (double) N * repeats;
    }
  return TRUE;
}

gboolean
sal_explain_tabular (SalExplainer *ex, const SalTensor *x, const SalExplainParams *p,
                     SalExplanation *e, GError **error)
{
  const SalTensor *bg = p->background;
  int M = (int) x->numel, G = p->groups ? p->n_groups : M;
  g_autofree int *group = g_new (int, M);
  g_autofree int *group_size = NULL;
  g_autofree double *phi = NULL;
  Evaluator ev = { 0 };
  g_autofree float *rows = NULL;
  g_autofree double *scores = NULL;
  double v0 = NAN, vall = NAN;
  const char *id = sal_explain_method_id (p->method);
  gboolean ok;

  if (bg == NULL || bg->dtype != SAL_DTYPE_FLOAT || bg->rank != 2 || bg->dims[1] != M ||
      bg->dims[0] < 1)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s needs background rows of %d float features each", id, M);
      return FALSE;
    }
  if (G < 1 || (p->method == SAL_EXPLAIN_SHAPLEY && G > MAX_EXACT_GROUPS))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "exact Shapley values take 1 to %d features or groups, not %d; "
                   "use kernel-shap or group the features", MAX_EXACT_GROUPS, G);
      return FALSE;
    }
  if (G > MAX_GROUPS)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   "%s takes at most %d features or groups, not %d; group the features", id,
                   MAX_GROUPS, G);
      return FALSE;
    }
  group_size = g_new0 (int, G);
  for (int j = 0; j < M; j++)
    {
      group[j] = p->groups ? p->groups[j] : j;
      if (group[j] < 0 || group[j] >= G)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "feature %d is in group %d, outside 0…%d", j, group[j], G - 1);
          return FALSE;
        }
      group_size[group[j]]++;
    }
  for (int g = 0; g < G; g++)
    if (group_size[g] == 0)
      {
        g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, "feature group %d has no features", g);
        return FALSE;
      }

  ev.ex = ex;
  ev.x = sal_tensor_f32 (x);
  ev.bg = sal_tensor_f32 (bg);
  ev.n_bg = (int) bg->dims[0];
  ev.m = M;
  ev.group = group;
  ev.chunk = sal_explainer_chunk (ex, FALSE);
  ev.rows = rows = g_new (float, (gsize) ev.chunk * M);
  ev.scores = scores = g_new (double, ev.chunk);
  e->chunk = ev.chunk;
  phi = g_new0 (double, G);

  switch (p->method)
    {
    case SAL_EXPLAIN_SHAPLEY:
      ok = explain_exact (&ev, G, phi, &v0, &vall, error);
      break;
    case SAL_EXPLAIN_KERNEL_SHAP:
      if (p->samples < 2 * G)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "KernelSHAP needs at least %d coalition samples for %d features", 2 * G, G);
          return FALSE;
        }
      ok = explain_kernel (&ev, G, p->samples, p->seed, phi, &v0, &vall, error);
      break;
    case SAL_EXPLAIN_PERMUTATION:
    default:
      if (p->samples < 1)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "permutation importance needs at least one repeat");
          return FALSE;
        }
      ok = explain_permutation (&ev, G, p->samples, p->seed, phi, error);
      break;
    }
  if (!ok)
    return FALSE;

  if (p->method != SAL_EXPLAIN_PERMUTATION)
    {
      double sum = 0;
      for (int g = 0; g < G; g++)
        sum += phi[g];
      e->expected_score = v0;
      e->score = vall;
      e->efficiency_gap = fabs (sum - (vall - v0));
    }
  else
    {
      double s;
      if (!sal_explainer_eval (ex, ev.x, 1, &s, NULL, NULL, NULL, NULL, error))
        return FALSE;
      e->score = s;
    }
  for (int j = 0; j < M; j++)
    sal_tensor_f32 (e->attribution)[j] = (float) (phi[group[j]] / group_size[group[j]]);
  if (p->groups)
    {
      e->group_attribution = sal_tensor_new (SAL_DTYPE_FLOAT, 1, (int64_t[]) { G }, error);
      if (e->group_attribution == NULL)
        return FALSE;
      for (int g = 0; g < G; g++)
        sal_tensor_f32 (e->group_attribution)[g] = (float) phi[g];
    }
  return TRUE;
}
