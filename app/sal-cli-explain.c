/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* salient-cli explain MODEL INPUT --method NAME …: one explanation as JSON,
 * optionally with a PNG overlay. */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sal-cli-private.h"
#include "sal-engine.h"
#include "sal-explain.h"
#include "sal-image.h"
#include "sal-model-input.h"
#include "sal-overlay.h"

#define USAGE N_("salient-cli explain MODEL INPUT --method NAME [--target K] [--steps N] " \
                 "[--rule R] [--baseline B] [--samples N] [--noise S] [--layer NAME] "     \
                 "[--window W --stride S] [--seed S] [--background FILE.csv] [--no-groups] "  \
                 "[--output OUT.json] [--overlay OUT.png]")

static void
add_tensor (JsonBuilder *b, const char *name, const SalTensor *t)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  sal_cli_add_tensor (b, t);
  json_builder_end_object (b);
}

/* Background rows [N, M] for the tabular methods (sal_background_from_csv): a CSV
 * whose header names the model's features (salient.features), or, for a model
 * without feature names, M numeric columns. */
static SalTensor *
read_background (SalModel *model, const char *path, int max_rows, GError **error)
{
  g_autoptr(GPtrArray) features = sal_model_features (model);
  SalValueInfo info;

  sal_model_get_input (model, 0, &info);
  if (info.dtype != SAL_DTYPE_FLOAT || info.rank != 2 || info.dims[1] <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--background is for models that take one row of measurements"));
      return NULL;
    }
  return sal_background_from_csv (path, features, (guint) info.dims[1], max_rows, error);
}

/* Feature → group index from salient.features when every feature names a
 * group; NULL otherwise. */
static int *
feature_groups (SalModel *model, int *n_groups)
{
  g_autoptr(GPtrArray) features = sal_model_features (model);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree int *groups = NULL;
  SalValueInfo info;

  sal_model_get_input (model, 0, &info);
  if (features->len == 0 || info.rank != 2 || info.dims[1] != (int64_t) features->len)
    return NULL;
  groups = g_new (int, features->len);
  for (guint f = 0; f < features->len; f++)
    {
      const SalFeatureInfo *fi = features->pdata[f];
      guint gi;

      if (fi->group == NULL)
        return NULL;
      for (gi = 0; gi < names->len; gi++)
        if (g_str_equal (names->pdata[gi], fi->group))
          break;
      if (gi == names->len)
        g_ptr_array_add (names, fi->group);
      groups[f] = (int) gi;
    }
  /* one group per feature is the same as no groups */
  if (names->len == features->len)
    return NULL;
  *n_groups = (int) names->len;
  return g_steal_pointer (&groups);
}

static gboolean
write_overlay (const SalTensor *x, const SalExplanation *e, const char *path, GError **error)
{
  int C, H, W;
  g_autofree guint8 *grey = NULL, *rgb = NULL;
  g_autofree float *attr = NULL;
  g_autoptr(SalImage) img = NULL;
  SalOverlayStyle style;
  SalOverlayScale scale;
  float lo = INFINITY, hi = -INFINITY;

  if (x->rank != 4 || x->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--overlay needs an image input"));
      return FALSE;
    }
  C = (int) x->dims[1];
  H = (int) x->dims[2];
  W = (int) x->dims[3];
  grey = g_new (guint8, (gsize) H * W);
  rgb = g_new (guint8, (gsize) H * W * 3);
  attr = g_new0 (float, (gsize) H * W);
  for (int i = 0; i < H * W; i++)
    {
      lo = MIN (lo, sal_tensor_f32 (x)[i]);
      hi = MAX (hi, sal_tensor_f32 (x)[i]);
    }
  for (int i = 0; i < H * W; i++)
    grey[i] = (guint8) lround (hi > lo ? 255.0 * (sal_tensor_f32 (x)[i] - lo) / (hi - lo) : 0);
  for (int c = 0; c < C; c++)
    for (int i = 0; i < H * W; i++)
      attr[i] += sal_tensor_f32 (e->attribution)[(gsize) c * H * W + i];
  sal_overlay_style_init (&style);
  sal_overlay_compute_scale (attr, (gsize) H * W, &style, &scale);
  sal_overlay_compose_rgb8 (grey, attr, W, H, &style, &scale, rgb);
  img = sal_image_new (W, H, 3, 8);
  for (gsize i = 0; i < (gsize) H * W * 3; i++)
    img->pixels[i] = rgb[i];
  return sal_image_save_png (img, path, error);
}

int
sal_cli_explain_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *args[2] = { NULL, NULL }, *method = NULL, *output = NULL, *overlay = NULL;
  const char *rule = NULL, *baseline = NULL, *layer = NULL, *background = NULL;
  gboolean no_groups = FALSE;
  g_autoptr(SalTensor) bg = NULL;
  g_autofree int *groups = NULL;
  int n_groups = 0;
  int n_args = 0, target = -1, steps = -1, samples = -1, window = -1, stride = -1, seed = -1;
  double noise = -1;
  SalExplainParams p;
  SalExplainMethod m;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) input = NULL;
  g_autoptr(SalExplanation) e = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *hash = NULL;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      gboolean ok = TRUE, takes = TRUE;

      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          printf ("%s\n", _(USAGE));
          return 0;
        }
      if (strcmp (a, "--method") == 0)
        method = v;
      else if (strcmp (a, "--target") == 0)
        ok = sal_cli_parse_int (v, 0, G_MAXINT, &target);
      else if (strcmp (a, "--steps") == 0)
        ok = sal_cli_parse_int (v, 1, 100000, &steps);
      else if (strcmp (a, "--samples") == 0)
        ok = sal_cli_parse_int (v, 1, 10000000, &samples);
      else if (strcmp (a, "--window") == 0)
        ok = sal_cli_parse_int (v, 1, 100000, &window);
      else if (strcmp (a, "--stride") == 0)
        ok = sal_cli_parse_int (v, 1, 100000, &stride);
      else if (strcmp (a, "--seed") == 0)
        ok = sal_cli_parse_int (v, 0, G_MAXINT, &seed);
      else if (strcmp (a, "--noise") == 0)
        {
          char *end;
          noise = v ? g_ascii_strtod (v, &end) : -1;
          ok = v != NULL && *end == '\0' && noise >= 0 && noise <= 10;
        }
      else if (strcmp (a, "--rule") == 0)
        rule = v;
      else if (strcmp (a, "--baseline") == 0)
        baseline = v;
      else if (strcmp (a, "--layer") == 0)
        layer = v;
      else if (strcmp (a, "--output") == 0)
        output = v;
      else if (strcmp (a, "--background") == 0)
        background = v;
      else if (strcmp (a, "--no-groups") == 0)
        {
          no_groups = TRUE;
          takes = FALSE;
        }
      else if (strcmp (a, "--overlay") == 0)
        overlay = v;
      else if (a[0] == '-' && a[1] != '\0')
        return sal_cli_fail (_("unknown option “%s”"), a);
      else
        {
          takes = FALSE;
          if (n_args >= 2)
            return sal_cli_fail (_("too many arguments; usage: %s"), _(USAGE));
          args[n_args++] = a;
        }
      if (takes && (v == NULL || !ok))
        return sal_cli_fail (_("option %s needs a valid value"), a);
      if (takes)
        i++;
    }
  if (n_args < 2 || method == NULL)
    return sal_cli_fail (_("missing argument; usage: %s"), _(USAGE));
  if (!sal_explain_method_from_id (method, &m))
    return sal_cli_fail (_("unknown method “%s”"), method);
  sal_explain_params_init (&p, m);
  p.target = target;
  if (steps > 0)
    p.steps = steps;
  if (samples > 0)
    p.samples = samples;
  if (window > 0)
    p.window = window;
  if (stride > 0)
    p.stride = stride;
  if (seed >= 0)
    p.seed = (guint32) seed;
  if (noise >= 0)
    p.noise = (float) noise;
  p.layer = layer;
  if (rule != NULL && !sal_ig_rule_from_id (rule, &p.rule))
    return sal_cli_fail (_("unknown rule “%s” (use trapezoid, right or adaptive)"), rule);
  if (baseline != NULL && !sal_baseline_from_id (baseline, &p.baseline))
    return sal_cli_fail (_("unknown baseline “%s” (use black, blur, noise or pad)"), baseline);

  model = sal_cli_load_model (args[0], &hash, &error);
  if (model == NULL)
    return sal_cli_fail ("%s", error->message);
  p.model_hash = hash;
  input = sal_model_input_from_file (model, args[1], &error);
  if (input == NULL)
    return sal_cli_fail ("%s", error->message);
  if (m == SAL_EXPLAIN_SHAPLEY || m == SAL_EXPLAIN_KERNEL_SHAP || m == SAL_EXPLAIN_PERMUTATION)
    {
      /* No shipped model carries its training rows, so the background is
       * always the caller's. */
      if (background == NULL)
        return sal_cli_fail (_("%s needs background rows: pass --background FILE.csv, a table "
                               "with a header naming the model's features (for example the "
                               "training data)"), method);
      bg = read_background (model, background, m == SAL_EXPLAIN_PERMUTATION ? 1000 : 100, &error);
      if (bg == NULL)
        return sal_cli_fail ("%s", error->message);
      p.background = bg;
      if (!no_groups)
        groups = feature_groups (model, &n_groups);
      p.groups = groups;
      p.n_groups = n_groups;
    }
  else if (background != NULL)
    return sal_cli_fail (_("--background is for shapley, kernel-shap and permutation"));
  e = sal_explain (model, input, &p, &error);
  if (e == NULL)
    return sal_cli_fail ("%s", error->message);
  if (overlay != NULL && !write_overlay (input, e, overlay, &error))
    return sal_cli_fail ("%s", error->message);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, args[0]);
  json_builder_set_member_name (b, "model_sha256");
  json_builder_add_string_value (b, e->model_hash);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, args[1]);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, sal_explain_method_id (e->method));
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "steps");
  json_builder_add_int_value (b, p.steps);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, sal_ig_rule_id (p.rule));
  json_builder_set_member_name (b, "baseline");
  json_builder_add_string_value (b, sal_baseline_id (p.baseline));
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, p.samples);
  sal_cli_add_double (b, "noise", p.noise);
  json_builder_set_member_name (b, "window");
  json_builder_add_int_value (b, p.window);
  json_builder_set_member_name (b, "stride");
  json_builder_add_int_value (b, p.stride);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, p.seed);
  if (bg != NULL)
    {
      json_builder_set_member_name (b, "background");
      json_builder_add_string_value (b, background);
      json_builder_set_member_name (b, "background_rows");
      json_builder_add_int_value (b, bg->dims[0]);
    }
  if (groups != NULL)
    {
      g_autoptr(GPtrArray) features = sal_model_features (model);
      json_builder_set_member_name (b, "groups");
      json_builder_begin_array (b);
      for (int gi = 0; gi < n_groups; gi++)
        for (guint f = 0; f < features->len; f++)
          if (groups[f] == gi)
            {
              json_builder_add_string_value (b, ((SalFeatureInfo *) features->pdata[f])->group);
              break;
            }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "target");
  json_builder_add_int_value (b, e->target);
  json_builder_set_member_name (b, "target_kind");
  json_builder_add_string_value (b, e->target_kind == SAL_TARGET_SCORE ? "score" : "probability");
  json_builder_set_member_name (b, "input_shape");
  json_builder_begin_array (b);
  for (int d = 0; d < input->rank; d++)
    json_builder_add_int_value (b, input->dims[d]);
  json_builder_end_array (b);
  add_tensor (b, "attribution", e->attribution);
  if (e->layer_map != NULL)
    {
      add_tensor (b, "layer_map", e->layer_map);
      json_builder_set_member_name (b, "layer");
      json_builder_add_string_value (b, e->layer);
    }
  if (e->group_attribution != NULL)
    add_tensor (b, "group_attribution", e->group_attribution);
  sal_cli_add_double (b, "score", e->score);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_object (b);
  sal_cli_add_double (b, "baseline_score", e->baseline_score);
  sal_cli_add_double (b, "completeness_gap", e->completeness_gap);
  sal_cli_add_double (b, "expected_score", e->expected_score);
  sal_cli_add_double (b, "efficiency_gap", e->efficiency_gap);
  sal_cli_add_double (b, "deletion_auc", e->deletion_auc);
  sal_cli_add_double (b, "insertion_auc", e->insertion_auc);
  json_builder_end_object (b);
  json_builder_end_object (b);

  if (!sal_cli_write_json (b, output, &error))
    return sal_cli_fail ("%s", error->message);
  (void) g;
  return 0;
}
