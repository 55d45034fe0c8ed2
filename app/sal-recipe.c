/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-recipe"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sal-arch.h"
#include "sal-engine.h"
#include "sal-error.h"
#include "sal-grad.h"
#include "sal-recipe.h"

/* The architecture registry: add a line per architecture. */
static const SalArchitecture architectures[] = {
  { "mlp", sal_arch_build_mlp, "fc1" },
};

const SalArchitecture *
sal_architectures (guint *n)
{
  *n = G_N_ELEMENTS (architectures);
  return architectures;
}

const SalArchitecture *
sal_architecture_find (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (architectures); i++)
    if (strcmp (architectures[i].id, id) == 0)
      return &architectures[i];
  return NULL;
}

/* ---------------------------------------------------------------- parsing */

void
sal_recipe_free (SalRecipe *r)
{
  if (r == NULL)
    return;
  g_free (r->path);
  g_free (r->text);
  g_clear_pointer (&r->kf, g_key_file_unref);
  g_free (r->id);
  g_free (r->name);
  g_free (r->output);
  g_free (r->card);
  g_free (r->source);
  g_free (r->evaluation);
  g_free (r->architecture);
  g_free (r);
}

static const char *
recipe_label (const SalRecipe *r)
{
  return r->path != NULL ? r->path : "recipe";
}

static gboolean
fail (GError **error, const SalRecipe *r, const char *group, const char *key, const char *fmt, ...)
  G_GNUC_PRINTF (5, 6);

static gboolean
fail (GError **error, const SalRecipe *r, const char *group, const char *key, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (key != NULL)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: [%s] %s: %s",
                 recipe_label (r), group, key, msg);
  else
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: [%s]: %s",
                 recipe_label (r), group, msg);
  return FALSE;
}

static gboolean
get_string (const SalRecipe *r, const char *group, const char *key, const char *def,
            char **out, GError **error)
{
  char *v = g_key_file_get_string (r->kf, group, key, NULL);

  if (v != NULL)
    g_strstrip (v);
  if (v == NULL || v[0] == '\0')
    {
      g_free (v);
      if (def == NULL)
        return fail (error, r, group, key, _("this key is required"));
      v = g_strdup (def);
    }
  *out = v;
  return TRUE;
}

static gboolean
get_int (const SalRecipe *r, const char *group, const char *key, int def, int lo, int hi,
         int *out, GError **error)
{
  g_autofree char *v = g_key_file_get_string (r->kf, group, key, NULL);
  gint64 x;
  char *end;

  if (v == NULL || *g_strstrip (v) == '\0')
    {
      *out = def;
      return TRUE;
    }
  x = g_ascii_strtoll (v, &end, 10);
  if (end == v || *end != '\0')
    return fail (error, r, group, key, _("“%s” is not a whole number"), v);
  if (x < lo || x > hi)
    return fail (error, r, group, key, _("%s is out of range (%d to %d)"), v, lo, hi);
  *out = (int) x;
  return TRUE;
}

static gboolean
get_double (const SalRecipe *r, const char *group, const char *key, double def, double lo,
            double hi, double *out, GError **error)
{
  g_autofree char *v = g_key_file_get_string (r->kf, group, key, NULL);
  double x;
  char *end;

  if (v == NULL || *g_strstrip (v) == '\0')
    {
      *out = def;
      return TRUE;
    }
  x = g_ascii_strtod (v, &end);
  if (end == v || *end != '\0' || !isfinite (x))
    return fail (error, r, group, key, _("“%s” is not a number"), v);
  if (x < lo || x > hi)
    return fail (error, r, group, key, _("%s is out of range (%g to %g)"), v, lo, hi);
  *out = x;
  return TRUE;
}

static gboolean
get_bool (const SalRecipe *r, const char *group, const char *key, gboolean def, gboolean *out,
          GError **error)
{
  g_autofree char *v = g_key_file_get_string (r->kf, group, key, NULL);

  if (v == NULL || *g_strstrip (v) == '\0')
    *out = def;
  else if (strcmp (v, "true") == 0)
    *out = TRUE;
  else if (strcmp (v, "false") == 0)
    *out = FALSE;
  else
    return fail (error, r, group, key, _("“%s” is neither true nor false"), v);
  return TRUE;
}

/* Groups whose keys are all known here are checked for typos. */
static gboolean
check_keys (const SalRecipe *r, const char *group, const char *const *allowed, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (r->kf, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!g_strv_contains (allowed, keys[i]))
      {
        g_autofree char *list = g_strjoinv (", ", (char **) allowed);
        return fail (error, r, group, keys[i], _("unknown key (known: %s)"), list);
      }
  return TRUE;
}

static const char *const recipe_keys[] = { "id", "name", "output", "card", NULL };
static const char *const train_keys[] = {
  "loss", "huber_delta", "optimizer", "lr", "momentum", "nesterov", "weight_decay", "beta1",
  "beta2", "schedule", "lr_min", "step", "gamma", "warmup", "epochs", "batch", "val_fraction",
  "patience", "seed", "threads", NULL
};

static gboolean
parse_train (SalRecipe *r, GError **error)
{
  SalTrainConfig *c = &r->train;
  g_autofree char *loss = NULL, *optim = NULL, *sched = NULL;
  double lr, v;
  int seed;
  SalOptimKind okind;

  sal_train_config_init (c);
  if (!check_keys (r, "train", train_keys, error)
      || !get_string (r, "train", "loss", NULL, &loss, error)
      || !get_string (r, "train", "optimizer", "adam", &optim, error)
      || !get_string (r, "train", "schedule", "constant", &sched, error)
      || !get_double (r, "train", "lr", 1e-3, 1e-8, 10, &lr, error))
    return FALSE;
  if (!sal_loss_from_id (loss, &c->loss))
    return fail (error, r, "train", "loss",
                 _("unknown loss “%s” (known: cross-entropy, bce, mse, huber)"), loss);
  if (!sal_optim_from_id (optim, &okind))
    return fail (error, r, "train", "optimizer",
                 _("unknown optimizer “%s” (known: sgd, adam, adamw)"), optim);
  sal_optim_config_init (&c->optim, okind, (float) lr);
  if (!get_double (r, "train", "momentum", c->optim.momentum, 0, 0.999, &v, error))
    return FALSE;
  c->optim.momentum = (float) v;
  if (!get_bool (r, "train", "nesterov", FALSE, &c->optim.nesterov, error))
    return FALSE;
  if (!get_double (r, "train", "weight_decay", 0, 0, 1, &v, error))
    return FALSE;
  c->optim.weight_decay = (float) v;
  if (!get_double (r, "train", "beta1", c->optim.beta1, 0, 0.9999, &v, error))
    return FALSE;
  c->optim.beta1 = (float) v;
  if (!get_double (r, "train", "beta2", c->optim.beta2, 0, 0.999999, &v, error))
    return FALSE;
  c->optim.beta2 = (float) v;
  if (!get_double (r, "train", "huber_delta", 1.0, 1e-6, 1e6, &v, error))
    return FALSE;
  c->huber_delta = (float) v;

  memset (&c->schedule, 0, sizeof c->schedule);
  c->schedule.lr = (float) lr;
  if (strcmp (sched, "constant") == 0)
    c->schedule.kind = SAL_LR_CONSTANT;
  else if (strcmp (sched, "step") == 0)
    c->schedule.kind = SAL_LR_STEP;
  else if (strcmp (sched, "cosine") == 0)
    c->schedule.kind = SAL_LR_COSINE;
  else
    return fail (error, r, "train", "schedule",
                 _("unknown schedule “%s” (known: constant, step, cosine)"), sched);
  if (!get_double (r, "train", "lr_min", 0, 0, lr, &v, error))
    return FALSE;
  c->schedule.lr_min = (float) v;
  if (!get_double (r, "train", "gamma", 0.1, 1e-6, 1, &v, error))
    return FALSE;
  c->schedule.gamma = (float) v;
  if (!get_int (r, "train", "step", 10, 1, 1000000, &c->schedule.step, error)
      || !get_int (r, "train", "warmup", 0, 0, 1000000, &c->schedule.warmup, error)
      || !get_int (r, "train", "epochs", 0, 1, 1000000, &c->epochs, error)
      || !get_int (r, "train", "batch", 32, 1, 1 << 20, &c->batch_size, error)
      || !get_double (r, "train", "val_fraction", 0, 0, 0.9, &c->val_fraction, error)
      || !get_int (r, "train", "patience", 0, 0, 1000000, &c->patience, error)
      || !get_int (r, "train", "seed", 0, 0, G_MAXINT, &seed, error)
      || !get_int (r, "train", "threads", 1, 1, 256, &r->n_threads, error))
    return FALSE;
  if (c->epochs == 0)
    return fail (error, r, "train", "epochs", _("this key is required"));
  if (c->patience > 0 && c->val_fraction <= 0)
    return fail (error, r, "train", "patience",
                 _("early stopping needs a validation split (val_fraction > 0)"));
  c->seed = (guint32) seed;
  c->n_threads = r->n_threads;
  return TRUE;
}

SalRecipe *
sal_recipe_new_from_data (const char *text, const char *path, GError **error)
{
  g_autoptr(SalRecipe) r = g_new0 (SalRecipe, 1);
  g_autoptr(GError) local = NULL;
  g_autofree char *standardise = NULL;
  g_auto(GStrv) groups = NULL;

  r->path = g_strdup (path);
  r->text = g_strdup (text);
  r->kf = g_key_file_new ();
  if (!g_key_file_load_from_data (r->kf, text, -1, G_KEY_FILE_KEEP_COMMENTS, &local))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", recipe_label (r),
                   local->message);
      return NULL;
    }
  groups = g_key_file_get_groups (r->kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!g_strv_contains ((const char *const[]) { "recipe", "data", "model", "train", NULL },
                          groups[i]))
      {
        fail (error, r, groups[i], NULL,
              _("unknown group (a recipe has [recipe], [data], [model] and [train])"));
        return NULL;
      }
  for (guint i = 0; i < 4; i++)
    {
      const char *g = (const char *[]) { "recipe", "data", "model", "train" }[i];
      if (!g_key_file_has_group (r->kf, g))
        {
          fail (error, r, g, NULL, _("this group is missing"));
          return NULL;
        }
    }

  if (!check_keys (r, "recipe", recipe_keys, error)
      || !get_string (r, "recipe", "id", NULL, &r->id, error)
      || !get_string (r, "recipe", "name", r->id, &r->name, error)
      || !get_string (r, "recipe", "output", NULL, &r->output, error)
      || !get_string (r, "recipe", "card", "", &r->card, error)
      || !get_string (r, "data", "source", NULL, &r->source, error)
      || !get_string (r, "data", "evaluation", "holdout", &r->evaluation, error)
      || !get_int (r, "data", "cv_folds", 5, 2, 100, &r->cv_folds, error)
      || !get_int (r, "data", "cv_repeats", 1, 1, 100, &r->cv_repeats, error)
      || !get_string (r, "model", "architecture", NULL, &r->architecture, error)
      || !get_bool (r, "model", "standardise", TRUE, &r->standardise, error)
      || !parse_train (r, error))
    return NULL;

  for (const char *p = r->id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      {
        fail (error, r, "recipe", "id", _("use only letters, digits, “-” and “_”"));
        return NULL;
      }
  if (!g_str_has_suffix (r->output, ".onnx") || strchr (r->output, '/') != NULL)
    {
      fail (error, r, "recipe", "output", _("give a file name ending in .onnx, without folders"));
      return NULL;
    }
  if (strcmp (r->evaluation, "cv") != 0 && strcmp (r->evaluation, "holdout") != 0)
    {
      fail (error, r, "data", "evaluation", _("unknown evaluation “%s” (known: cv, holdout)"),
            r->evaluation);
      return NULL;
    }
  if (sal_architecture_find (r->architecture) == NULL)
    {
      g_autoptr(GString) known = g_string_new (NULL);
      for (guint i = 0; i < G_N_ELEMENTS (architectures); i++)
        g_string_append_printf (known, "%s%s", i ? ", " : "", architectures[i].id);
      fail (error, r, "model", "architecture", _("unknown architecture “%s” (known: %s)"),
            r->architecture, known->str);
      return NULL;
    }
  {
    guint n;
    const SalDatasetSource *src = sal_dataset_sources (&n);
    gboolean found = FALSE;

    for (guint i = 0; i < n; i++)
      found |= strcmp (src[i].id, r->source) == 0;
    if (!found)
      {
        fail (error, r, "data", "source", _("unknown data source “%s”"), r->source);
        return NULL;
      }
  }
  return g_steal_pointer (&r);
}

SalRecipe *
sal_recipe_new_from_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  return sal_recipe_new_from_data (text, path, error);
}

char *
sal_recipe_output_path (const SalRecipe *r)
{
  g_autofree char *dir = r->path ? g_path_get_dirname (r->path) : g_strdup (".");
  g_autofree char *parent = g_path_get_dirname (dir);

  return g_build_filename (parent, r->output, NULL);
}

/* data/models/recipes/x.recipe → data/ */
static char *
recipe_data_dir (const SalRecipe *r)
{
  g_autofree char *dir = NULL, *models = NULL;
  g_autofree char *datasets = NULL;
  char *data;

  if (r->path == NULL)
    return g_strdup (sal_data_dir ());
  dir = g_path_get_dirname (r->path);
  models = g_path_get_dirname (dir);
  data = g_path_get_dirname (models);
  datasets = g_build_filename (data, "datasets", NULL);
  if (g_file_test (datasets, G_FILE_TEST_IS_DIR))
    return data;
  g_free (data);
  return g_strdup (sal_data_dir ());
}

SalDataset *
sal_recipe_load_data (const SalRecipe *r, GError **error)
{
  g_autofree char *data_dir = recipe_data_dir (r);

  return sal_dataset_load (r->source, r->kf, "data", data_dir, error);
}

/* ---------------------------------------------------------- architectures */

void
sal_arch_add_dense (SalGraphBuilder *b, GRand *rng, const char *name, const char *in,
                    const char *out, int n_in, int n_out, const char *activation)
{
  g_autofree char *w = g_strconcat (name, ".weight", NULL);
  g_autofree char *bias = g_strconcat (name, ".bias", NULL);
  g_autoptr(SalTensor) wt = sal_tensor_new_f32 (2, (int64_t[]) { n_out, n_in });
  g_autoptr(SalTensor) bt = sal_tensor_new_f32 (1, (int64_t[]) { n_out });
  /* Kaiming-uniform for ReLU-like activations, Xavier-uniform otherwise. */
  double bound = activation != NULL && strcmp (activation, "relu") == 0
                 ? sqrt (6.0 / n_in) : sqrt (6.0 / (n_in + n_out));
  SalNode *n;

  for (int64_t i = 0; i < wt->numel; i++)
    sal_tensor_f32 (wt)[i] = (float) g_rand_double_range (rng, -bound, bound);
  memset (bt->data, 0, sizeof (float) * (gsize) bt->numel);
  sal_graph_builder_add_initializer (b, w, wt);
  sal_graph_builder_add_initializer (b, bias, bt);
  n = sal_graph_builder_add_node (b, "Gemm", name, 3, (const char *[]) { in, w, bias }, 1,
                                  (const char *[]) { out });
  sal_node_set_int (n, "transB", 1);
}

/* [model] hidden = 16;8  activation = relu  dropout = 0.1  batch_norm = false
 * input "features" [N, F] → (Gemm → [BatchNormalization] → activation → [Dropout]) × hidden
 * → Gemm → "logits" [N, classes] or "prediction" [N, 1]. */
gboolean
sal_arch_build_mlp (SalGraphBuilder *b, GKeyFile *kf, const char *group, const SalDataset *data,
                    GRand *rng, GError **error)
{
  g_autofree char *act = g_key_file_get_string (kf, group, "activation", NULL);
  g_autofree char *dropout_s = g_key_file_get_string (kf, group, "dropout", NULL);
  g_autofree char *bn_s = g_key_file_get_string (kf, group, "batch_norm", NULL);
  g_autofree gint *hidden = NULL;
  gsize n_hidden = 0;
  g_autoptr(GError) local = NULL;
  g_autofree char *prev = g_strdup ("features");
  const char *act_op;
  double dropout = 0;
  gboolean batch_norm = bn_s != NULL && strcmp (g_strstrip (bn_s), "true") == 0;
  int n_in, n_out, width;

  if (data->x == NULL || data->x->rank != 2 || data->x->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("the mlp architecture needs tabular data (rows × features)"));
      return FALSE;
    }
  n_in = (int) data->x->dims[1];
  n_out = sal_dataset_n_classes (data) > 0 ? sal_dataset_n_classes (data) : 1;

  if (g_key_file_has_key (kf, group, "hidden", NULL))
    {
      hidden = g_key_file_get_integer_list (kf, group, "hidden", &n_hidden, &local);
      if (hidden == NULL && local != NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("[model] hidden: give layer widths separated by “;” (%s)"), local->message);
          return FALSE;
        }
    }
  for (gsize i = 0; i < n_hidden; i++)
    if (hidden[i] < 1 || hidden[i] > 65536)
      {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     _("[model] hidden: layer width %d is out of range (1 to 65536)"), hidden[i]);
        return FALSE;
      }
  act_op = sal_arch_activation_op (act != NULL ? g_strstrip (act) : "relu");
  if (act_op == NULL)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   _("[model] activation: unknown “%s” (known: relu, tanh, sigmoid, elu, "
                     "leaky-relu, selu, softplus)"), act);
      return FALSE;
    }
  if (dropout_s != NULL)
    {
      char *end;
      dropout = g_ascii_strtod (g_strstrip (dropout_s), &end);
      if (end == dropout_s || *end != '\0' || !(dropout >= 0 && dropout < 1))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("[model] dropout: “%s” is not a ratio in [0, 1)"), dropout_s);
          return FALSE;
        }
    }

  sal_graph_builder_add_input (b, "features", SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, n_in });
  width = n_in;
  for (gsize i = 0; i < n_hidden; i++)
    {
      g_autofree char *fc = g_strdup_printf ("fc%" G_GSIZE_FORMAT, i + 1);
      g_autofree char *h = g_strdup_printf ("h%" G_GSIZE_FORMAT, i + 1);
      g_autofree char *a = g_strdup_printf ("a%" G_GSIZE_FORMAT, i + 1);

      sal_arch_add_dense (b, rng, fc, prev, h, width, hidden[i], act != NULL ? act : "relu");
      if (batch_norm)
        {
          g_autofree char *bn = g_strdup_printf ("bn%" G_GSIZE_FORMAT, i + 1);
          g_autofree char *hb = g_strdup_printf ("hb%" G_GSIZE_FORMAT, i + 1);
          const char *suffix[] = { "scale", "bias", "mean", "var" };
          char *names[4];

          for (int k = 0; k < 4; k++)
            {
              g_autoptr(SalTensor) t = sal_tensor_new_f32 (1, (int64_t[]) { hidden[i] });
              for (int j = 0; j < hidden[i]; j++)
                sal_tensor_f32 (t)[j] = (k == 0 || k == 3) ? 1.0f : 0.0f;
              names[k] = g_strdup_printf ("%s.%s", bn, suffix[k]);
              sal_graph_builder_add_initializer (b, names[k], t);
            }
          sal_graph_builder_add_node (b, "BatchNormalization", bn, 5,
                                      (const char *[]) { h, names[0], names[1], names[2], names[3] },
                                      1, (const char *[]) { hb });
          for (int k = 0; k < 4; k++)
            g_free (names[k]);
          g_free (h);
          h = g_steal_pointer (&hb);
        }
      sal_graph_builder_add_node (b, act_op, a, 1, (const char *[]) { h }, 1, (const char *[]) { a });
      g_free (prev);
      prev = g_strdup (a);
      if (dropout > 0)
        {
          /* The ratio comes from a Constant node: initializers are weights the
           * optimiser would update (and decay). */
          g_autofree char *dn = g_strdup_printf ("drop%" G_GSIZE_FORMAT, i + 1);
          g_autofree char *rn = g_strdup_printf ("drop%" G_GSIZE_FORMAT ".ratio", i + 1);
          g_autofree char *d = g_strdup_printf ("d%" G_GSIZE_FORMAT, i + 1);
          g_autoptr(SalTensor) ratio = sal_tensor_new_f32 (0, NULL);
          SalNode *cn;

          sal_tensor_f32 (ratio)[0] = (float) dropout;
          cn = sal_graph_builder_add_node (b, "Constant", rn, 0, NULL, 1, (const char *[]) { rn });
          sal_node_set_tensor (cn, "value", ratio);
          sal_graph_builder_add_node (b, "Dropout", dn, 2, (const char *[]) { prev, rn }, 1,
                                      (const char *[]) { d });
          g_free (prev);
          prev = g_strdup (d);
        }
      width = hidden[i];
    }
  {
    const char *out = sal_dataset_n_classes (data) > 0 ? "logits" : "prediction";
    g_autofree char *fc = g_strdup_printf ("fc%" G_GSIZE_FORMAT, n_hidden + 1);

    sal_arch_add_dense (b, rng, fc, prev, out, width, n_out, NULL);
    sal_graph_builder_add_output (b, out);
    sal_graph_builder_set_value_type (b, out, SAL_DTYPE_FLOAT, 2, (int64_t[]) { -1, n_out });
  }
  return TRUE;
}

SalModel *
sal_recipe_build_model (const SalRecipe *r, const SalDataset *data, guint32 seed, GError **error)
{
  const SalArchitecture *arch = sal_architecture_find (r->architecture);
  g_autoptr(SalGraphBuilder) b = sal_graph_builder_new (13);
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);

  if (!arch->build (b, r->kf, "model", data, rng, error))
    return NULL;
  return sal_graph_builder_finish (b, error);
}
