/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* salient-cli explain-eval MODEL …: how good the explanations of a shipped
 * model are, against the ground truth Salient's generators plant (issue 6).
 *  - image models (the lesion finder): pointing-game hit rate of every image
 *    method on held-out phantoms with lesions, next to a random map's; and
 *    the cascading model-randomisation check per stage and method, averaged
 *    over images;
 *  - note models (note triage): how often a top-3 token by Integrated
 *    Gradients (64 steps, adaptive rule, pad baseline) lies in a planted,
 *    non-negated evidence span of a held-out urgent or emergency note, and
 *    IG's completeness gap with the adaptive rule and the uniform trapezoid.
 * Prints JSON (or writes --output). */

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
#include "sal-notegen.h"
#include "sal-phantom.h"
#include "sal-tokenizer.h"

#define USAGE N_("salient-cli explain-eval MODEL [--images N] [--sanity-images N] " \
                 "[--methods LIST] [--sanity-methods LIST] [--notes N] [--tolerance PX] " \
                 "[--first-seed S] [--output OUT.json]")

#define MAX_STAGES 16

static const SalExplainMethod image_methods[] = {
  SAL_EXPLAIN_GRADIENT, SAL_EXPLAIN_GRADIENT_X_INPUT, SAL_EXPLAIN_SMOOTHGRAD,
  SAL_EXPLAIN_INTEGRATED_GRADIENTS, SAL_EXPLAIN_GRAD_CAM, SAL_EXPLAIN_GRAD_CAM_PP,
  SAL_EXPLAIN_OCCLUSION, SAL_EXPLAIN_RISE,
};

typedef struct {
  int         images, sanity_images, notes, tolerance;
  guint32     first_seed;
  GArray     *methods;          /* SalExplainMethod */
  GArray     *sanity_methods;
} EvalOptions;

static GArray *
parse_methods (const char *list, GError **error)
{
  g_auto(GStrv) ids = g_strsplit (list, ",", -1);
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (SalExplainMethod));

  for (guint i = 0; ids[i] != NULL; i++)
    {
      SalExplainMethod m;
      gboolean image = FALSE;

      if (sal_explain_method_from_id (g_strstrip (ids[i]), &m))
        for (guint k = 0; k < G_N_ELEMENTS (image_methods); k++)
          image |= image_methods[k] == m;
      if (!image)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an image method (use gradient, gradient-x-input, smoothgrad, "
                         "integrated-gradients, grad-cam, grad-cam-pp, occlusion or rise)"), ids[i]);
          return NULL;
        }
      g_array_append_val (out, m);
    }
  return g_steal_pointer (&out);
}

static SalTensor *
phantom_input (SalModel *model, const SalPhantom *ph, GError **error)
{
  g_autoptr(SalImage) img = sal_image_new (ph->width, ph->height, 1, 16);

  memcpy (img->pixels, ph->pixels, sizeof (guint16) * ph->width * ph->height);
  return sal_model_input_from_image (model, img, error);
}

/* The class the explanations are for: "lesion" when the model names it, else 1. */
static int
lesion_class (SalModel *model)
{
  g_autoptr(GPtrArray) labels = sal_model_labels (model);

  for (guint i = 0; i < labels->len; i++)
    if (g_ascii_strcasecmp (labels->pdata[i], "lesion") == 0)
      return (int) i;
  return 1;
}

static gboolean
eval_image (SalModel *model, const char *hash, const EvalOptions *o, JsonBuilder *b,
            GError **error)
{
  int target = lesion_class (model), n_methods = (int) o->methods->len;
  int n_images = MAX (o->images, o->sanity_images);
  g_autofree int *hits = g_new0 (int, n_methods);
  g_autofree double *rho_sum = g_new0 (double, (gsize) o->sanity_methods->len * MAX_STAGES);
  g_autofree int *rho_n = g_new0 (int, (gsize) o->sanity_methods->len * MAX_STAGES);
  g_autofree int *n_stages = g_new0 (int, o->sanity_methods->len);
  int random_hits = 0, pointed = 0, checked = 0;
  double predicted_lesion = 0;
  g_autoptr(GRand) rng = g_rand_new_with_seed (o->first_seed);

  for (int i = 0; i < n_images; i++)
    {
      g_autoptr(SalPhantom) ph = sal_phantom_generate (o->first_seed + (guint32) i,
                                                       SAL_PHANTOM_WITH_LESION);
      g_autoptr(SalTensor) x = phantom_input (model, ph, error);
      g_autoptr(SalTensor) random_map = NULL;
      int h, w;

      if (x == NULL)
        return FALSE;
      if (x->rank != 4)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The model does not take one image [1, channels, height, width]"));
          return FALSE;
        }
      h = (int) x->dims[2];
      w = (int) x->dims[3];
      if (h != ph->height || w != ph->width)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The model takes %d × %d images; the phantoms are %d × %d"), w, h,
                       ph->width, ph->height);
          return FALSE;
        }
      if (i < o->images)
        {
          random_map = sal_tensor_new_f32 (4, x->dims);
          for (int64_t k = 0; k < random_map->numel; k++)
            sal_tensor_f32 (random_map)[k] = (float) g_rand_double (rng);
          random_hits += sal_explain_pointing_game (random_map, ph->lesion_mask, h, w,
                                                    o->tolerance);
          for (int m = 0; m < n_methods; m++)
            {
              g_autoptr(SalExplanation) e = NULL;
              SalExplainParams p;

              sal_explain_params_init (&p, g_array_index (o->methods, SalExplainMethod, m));
              p.target = target;
              p.check_steps = 0;
              p.model_hash = hash;
              e = sal_explain (model, x, &p, error);
              if (e == NULL)
                return FALSE;
              hits[m] += sal_explain_pointing_game (e->attribution, ph->lesion_mask, h, w,
                                                    o->tolerance);
              if (m == 0)
                {
                  /* how often the model itself finds the lesion (softmax of the scores) */
                  SalExplainParams q;
                  g_autoptr(SalExplanation) pe = NULL;
                  sal_explain_params_init (&q, SAL_EXPLAIN_GRADIENT);
                  q.target = target;
                  q.target_kind = SAL_TARGET_PROBABILITY;
                  q.check_steps = 0;
                  q.model_hash = hash;
                  pe = sal_explain (model, x, &q, error);
                  if (pe == NULL)
                    return FALSE;
                  predicted_lesion += pe->score > 0.5;
                }
            }
          pointed++;
        }
      if (i < o->sanity_images)
        {
          for (guint m = 0; m < o->sanity_methods->len; m++)
            {
              double rho[MAX_STAGES];
              SalExplainParams p;
              int n;

              sal_explain_params_init (&p, g_array_index (o->sanity_methods, SalExplainMethod, m));
              p.target = target;
              p.check_steps = 0;
              p.model_hash = hash;
              n = sal_explain_sanity_check (model, x, &p, rho, MAX_STAGES, error);
              if (n < 0)
                return FALSE;
              n_stages[m] = MAX (n_stages[m], n);
              for (int k = 0; k < n; k++)
                if (isfinite (rho[k]))
                  {
                    rho_sum[m * MAX_STAGES + k] += rho[k];
                    rho_n[m * MAX_STAGES + k]++;
                  }
            }
          checked++;
        }
    }

  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "image");
  json_builder_set_member_name (b, "target");
  json_builder_add_int_value (b, target);
  json_builder_set_member_name (b, "pointing_game");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, pointed);
  json_builder_set_member_name (b, "first_seed");
  json_builder_add_int_value (b, o->first_seed);
  json_builder_set_member_name (b, "tolerance_px");
  json_builder_add_int_value (b, o->tolerance);
  sal_cli_add_double (b, "model_finds_lesion", pointed ? predicted_lesion / pointed : NAN);
  sal_cli_add_double (b, "random_map", pointed ? (double) random_hits / pointed : NAN);
  json_builder_set_member_name (b, "hit_rate");
  json_builder_begin_object (b);
  for (int m = 0; m < n_methods; m++)
    sal_cli_add_double (b, sal_explain_method_id (g_array_index (o->methods, SalExplainMethod, m)),
                pointed ? (double) hits[m] / pointed : NAN);
  json_builder_end_object (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "sanity_check");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "images");
  json_builder_add_int_value (b, checked);
  json_builder_set_member_name (b, "spearman_by_stage");
  json_builder_begin_object (b);
  for (guint m = 0; m < o->sanity_methods->len; m++)
    {
      json_builder_set_member_name (b, sal_explain_method_id (g_array_index (o->sanity_methods,
                                                                             SalExplainMethod, m)));
      json_builder_begin_array (b);
      for (int k = 0; k < n_stages[m]; k++)
        if (rho_n[m * MAX_STAGES + k] > 0)
          json_builder_add_double_value (b, rho_sum[m * MAX_STAGES + k] / rho_n[m * MAX_STAGES + k]);
        else
          json_builder_add_null_value (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return TRUE;
}

static gboolean
in_span (const SalGeneratedNote *note, const SalToken *tok)
{
  for (guint s = 0; s < note->spans->len; s++)
    {
      const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, s);
      if (!sp->negated && sp->level == note->label && (int) tok->start >= sp->start &&
          (int) tok->end <= sp->end)
        return TRUE;
    }
  return FALSE;
}

/* One set of notes: seeds from `first`, `templates`. */
static gboolean
eval_notes (SalModel *model, const char *hash, int want, guint32 first, SalNoteTemplates templates,
            const char *name, JsonBuilder *b, GError **error)
{
  int n = 0, hit_any = 0, hit_tokens = 0, gap_over = 0, uniform_over = 0, points = 0;
  double worst_gap = 0, gap_sum = 0, uniform_worst = 0;

  for (guint32 seed = first; n < want && seed < first + 100 * (guint32) want; seed++)
    {
      g_autoptr(SalGeneratedNote) note = sal_note_generate (seed, templates);
      g_autoptr(GArray) toks = NULL;
      g_autoptr(SalTensor) x = NULL;
      g_autoptr(SalExplanation) e = NULL, u = NULL;
      SalExplainParams p;
      int top[3] = { -1, -1, -1 }, any = 0;
      guint T;
      double rel, urel;

      if (note->label == SAL_TRIAGE_ROUTINE)
        continue;
      x = sal_model_input_from_text (model, note->text, &toks, error);
      if (x == NULL)
        return FALSE;
      sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
      p.baseline = SAL_BASELINE_PAD;
      p.target = note->label;
      p.steps = 64;
      p.check_steps = 0;
      p.model_hash = hash;
      /* the uniform 64-step trapezoid, for its completeness gap only */
      u = sal_explain (model, x, &p, error);
      if (u == NULL)
        return FALSE;
      urel = u->completeness_gap / MAX (fabs (u->score - u->baseline_score), 1e-12);
      uniform_worst = MAX (uniform_worst, urel);
      uniform_over += urel > 0.01;
      p.rule = SAL_IG_ADAPTIVE;
      e = sal_explain (model, x, &p, error);
      if (e == NULL)
        return FALSE;
      points += e->steps + 1;
      rel = e->completeness_gap / MAX (fabs (e->score - e->baseline_score), 1e-12);
      worst_gap = MAX (worst_gap, rel);
      gap_sum += rel;
      gap_over += rel > 0.01;
      T = MIN (toks->len, (guint) x->dims[1]);
      for (int k = 0; k < 3; k++)
        for (guint t = 0; t < T; t++)
          {
            gboolean used = FALSE;
            for (int j = 0; j < k; j++)
              used |= top[j] == (int) t;
            if (!used && (top[k] < 0 || sal_tensor_f32 (e->attribution)[t] >
                                          sal_tensor_f32 (e->attribution)[top[k]]))
              top[k] = (int) t;
          }
      for (int k = 0; k < 3; k++)
        if (top[k] >= 0 && in_span (note, &g_array_index (toks, SalToken, top[k])))
          {
            any = 1;
            hit_tokens++;
          }
      hit_any += any;
      n++;
    }
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "notes");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "first_seed");
  json_builder_add_int_value (b, first);
  sal_cli_add_double (b, "top3_hit_rate", n ? (double) hit_any / n : NAN);
  sal_cli_add_double (b, "top3_tokens_in_spans", n ? (double) hit_tokens / (3.0 * n) : NAN);
  json_builder_set_member_name (b, "rule");
  json_builder_add_string_value (b, "adaptive");
  json_builder_set_member_name (b, "completeness_gap_over_1_percent");
  json_builder_add_int_value (b, gap_over);
  sal_cli_add_double (b, "completeness_gap_mean", n ? gap_sum / n : NAN);
  sal_cli_add_double (b, "completeness_gap_worst", worst_gap);
  sal_cli_add_double (b, "path_points_mean", n ? (double) points / n : NAN);
  json_builder_set_member_name (b, "trapezoid_64_gap_over_1_percent");
  json_builder_add_int_value (b, uniform_over);
  sal_cli_add_double (b, "trapezoid_64_gap_worst", uniform_worst);
  json_builder_end_object (b);
  return TRUE;
}

int
sal_cli_explain_eval_cmd (const SalCliGlobals *g, int argc, char **argv)
{
  const char *path = NULL, *output = NULL, *methods = NULL, *sanity_methods = NULL;
  EvalOptions o = { 100, 50, 200, 3, 1000000, NULL, NULL };
  int first_seed = -1;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) model = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GArray) m_list = NULL, s_list = NULL;
  g_autofree char *hash = NULL;
  SalInputKind kind;
  gboolean ok;

  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      gboolean valid = TRUE;

      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          printf ("%s\n", _(USAGE));
          return 0;
        }
      if (a[0] != '-' || a[1] == '\0')
        {
          if (path != NULL)
            return sal_cli_fail (_("too many arguments; usage: %s"), _(USAGE));
          path = a;
          continue;
        }
      if (strcmp (a, "--images") == 0)
        valid = sal_cli_parse_int (v, 0, 100000, &o.images);
      else if (strcmp (a, "--sanity-images") == 0)
        valid = sal_cli_parse_int (v, 0, 100000, &o.sanity_images);
      else if (strcmp (a, "--notes") == 0)
        valid = sal_cli_parse_int (v, 0, 100000, &o.notes);
      else if (strcmp (a, "--tolerance") == 0)
        valid = sal_cli_parse_int (v, 0, 1000, &o.tolerance);
      else if (strcmp (a, "--first-seed") == 0)
        valid = sal_cli_parse_int (v, 0, G_MAXINT, &first_seed);
      else if (strcmp (a, "--methods") == 0)
        methods = v;
      else if (strcmp (a, "--sanity-methods") == 0)
        sanity_methods = v;
      else if (strcmp (a, "--output") == 0)
        output = v;
      else
        return sal_cli_fail (_("unknown option “%s”"), a);
      if (v == NULL || !valid)
        return sal_cli_fail (_("option %s needs a valid value"), a);
      i++;
    }
  if (path == NULL)
    return sal_cli_fail (_("missing argument; usage: %s"), _(USAGE));
  if (first_seed >= 0)
    o.first_seed = (guint32) first_seed;
  m_list = parse_methods (methods ? methods
                                  : "gradient,gradient-x-input,smoothgrad,integrated-gradients,"
                                    "grad-cam,grad-cam-pp,occlusion,rise", &error);
  if (m_list == NULL)
    return sal_cli_fail ("%s", error->message);
  s_list = parse_methods (sanity_methods ? sanity_methods
                                         : "gradient,gradient-x-input,smoothgrad,"
                                           "integrated-gradients,grad-cam,grad-cam-pp", &error);
  if (s_list == NULL)
    return sal_cli_fail ("%s", error->message);
  o.methods = m_list;
  o.sanity_methods = s_list;

  model = sal_cli_load_model (path, &hash, &error);
  if (model == NULL)
    return sal_cli_fail ("%s", error->message);
  kind = sal_model_input_kind (model);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "model_sha256");
  json_builder_add_string_value (b, hash);
  if (kind == SAL_INPUT_KIND_IMAGE)
    ok = eval_image (model, hash, &o, b, &error);
  else if (kind == SAL_INPUT_KIND_NOTE)
    {
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, "note");
      /* held-out seeds (training templates), then held-out templates (model card) */
      ok = eval_notes (model, hash, o.notes, first_seed >= 0 ? o.first_seed : 1000000,
                       SAL_NOTE_TEMPLATES_TRAIN, "held_out_notes", b, &error) &&
           eval_notes (model, hash, o.notes, first_seed >= 0 ? o.first_seed : 1001000,
                       SAL_NOTE_TEMPLATES_HELD_OUT, "held_out_templates", b, &error);
    }
  else
    return sal_cli_fail (_("explain-eval needs an image model (phantoms) or a note model; "
                           "“%s” takes %s"), path, sal_input_kind_id (kind));
  if (!ok)
    return sal_cli_fail ("%s", error->message);
  json_builder_end_object (b);

  if (!sal_cli_write_json (b, output, &error))
    return sal_cli_fail ("%s", error->message);
  (void) g;
  return 0;
}
