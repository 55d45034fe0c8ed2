/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-report"

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <unistd.h>

#include "sal-method-names.h"
#include "sal-clinic-jobs.h"

#include "sal-audit.h"
#include "sal-model-input.h"
#include "sal-overlay.h"
#include "sal-report.h"
#include "sal-tokenizer.h"
#include "sal-waterfall.h"

/* A4 in points */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 48.0
#define FOOTER 28.0
#define TEXT_W (PAGE_W - 2 * MARGIN)

G_DEFINE_QUARK (sal-report-error-quark, sal_report_error)

typedef struct {
  cairo_t     *cr;
  double       y;
  int          page;
  char        *footer;
  GHashTable  *models;      /* sha256 → SalModelRecord* (used ones, for the card summary) */
} Doc;

const char *
sal_report_disclaimer (void)
{
  return _("Demonstration model, not for diagnosis.");
}

/* ---- layout helpers ------------------------------------------------------------- */

static void
draw_footer (Doc *d)
{
  g_autoptr(PangoLayout) l = pango_cairo_create_layout (d->cr);
  g_autoptr(PangoFontDescription) f = pango_font_description_from_string ("Sans 7.5");
  g_autofree char *text = g_strdup_printf ("%s — %s — %d", d->footer,
                                           sal_report_disclaimer (), d->page);

  pango_layout_set_font_description (l, f);
  pango_layout_set_width (l, (int) (TEXT_W * PANGO_SCALE));
  pango_layout_set_alignment (l, PANGO_ALIGN_CENTER);
  pango_layout_set_text (l, text, -1);
  cairo_set_source_rgb (d->cr, 0.35, 0.35, 0.35);
  cairo_move_to (d->cr, MARGIN, PAGE_H - MARGIN + 8);
  pango_cairo_show_layout (d->cr, l);
}

static void
new_page (Doc *d)
{
  draw_footer (d);
  cairo_show_page (d->cr);
  d->page++;
  d->y = MARGIN;
}

static void
ensure_space (Doc *d, double h)
{
  if (d->y + h > PAGE_H - MARGIN - FOOTER && d->y > MARGIN)
    new_page (d);
}

static PangoLayout *
make_layout (Doc *d, const char *font, double width)
{
  PangoLayout *l = pango_cairo_create_layout (d->cr);
  g_autoptr(PangoFontDescription) f = pango_font_description_from_string (font);

  pango_layout_set_font_description (l, f);
  pango_layout_set_width (l, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (l, PANGO_WRAP_WORD_CHAR);
  return l;
}

/* Shows a laid-out paragraph, breaking across pages line by line. */
static void
show_layout (Doc *d, PangoLayout *l, double x, double gap_after)
{
  PangoLayoutIter *it = pango_layout_get_iter (l);
  double top_offset = 0;
  gboolean first = TRUE;

  do
    {
      PangoRectangle logical;
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (it);
      int baseline = pango_layout_iter_get_baseline (it);
      double line_top, line_h;

      pango_layout_iter_get_line_extents (it, NULL, &logical);
      line_top = (double) logical.y / PANGO_SCALE;
      line_h = (double) logical.height / PANGO_SCALE;
      if (first)
        top_offset = line_top, first = FALSE;
      if (d->y + (line_top - top_offset) + line_h > PAGE_H - MARGIN - FOOTER)
        {
          new_page (d);
          top_offset = line_top;
        }
      cairo_set_source_rgb (d->cr, 0.08, 0.08, 0.08);
      cairo_move_to (d->cr, x + (double) logical.x / PANGO_SCALE,
                     d->y + ((double) baseline / PANGO_SCALE - top_offset));
      pango_cairo_show_layout_line (d->cr, line);
    }
  while (pango_layout_iter_next_line (it));
  {
    int w, h;

    pango_layout_get_pixel_size (l, &w, &h);
    d->y += h - top_offset + gap_after;
  }
  pango_layout_iter_free (it);
}

static void
paragraph (Doc *d, const char *font, const char *markup, double gap_after)
{
  g_autoptr(PangoLayout) l = make_layout (d, font, TEXT_W);

  pango_layout_set_markup (l, markup, -1);
  show_layout (d, l, MARGIN, gap_after);
}

static void
heading (Doc *d, const char *text)
{
  g_autofree char *esc = g_markup_escape_text (text, -1);

  ensure_space (d, 60);
  d->y += 6;
  paragraph (d, "Sans Bold 13", esc, 4);
  cairo_set_source_rgb (d->cr, 0.75, 0.75, 0.75);
  cairo_set_line_width (d->cr, 0.6);
  cairo_move_to (d->cr, MARGIN, d->y);
  cairo_line_to (d->cr, PAGE_W - MARGIN, d->y);
  cairo_stroke (d->cr);
  d->y += 6;
}

/* ---- explanation details --------------------------------------------------------- */

static SalModelRecord *
lookup_model (SalStore *store, Doc *d, const char *sha256)
{
  SalModelRecord *m;

  if (sha256 == NULL)
    return NULL;
  m = g_hash_table_lookup (d->models, sha256);
  if (m != NULL)
    return m;
  m = sal_store_find_model_by_sha256 (store, sha256, NULL);
  if (m != NULL)
    g_hash_table_insert (d->models, g_strdup (sha256), m);
  return m;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) p = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (p, text, -1, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (p));
}

static char *
json_value_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);

      if (t == G_TYPE_DOUBLE)
        return g_strdup_printf ("%.4g", json_node_get_double (node));
      if (t == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (t == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? _("yes") : _("no"));
      if (t == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    }
  return json_to_string (node, FALSE);
}

/* "name: value, name: value" of a JSON object's members; NULL when none. */
static char *
object_summary (const char *json, const char *skip)
{
  g_autoptr(JsonNode) root = parse_json (json);
  g_autoptr(GString) s = g_string_new (NULL);
  JsonObject *o;
  g_autoptr(GList) members = NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *v = NULL;

      if (skip != NULL && strstr (skip, l->data) != NULL)
        continue;
      v = json_value_text (json_object_get_member (o, l->data));
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, "%s: %s", (const char *) l->data, v);
    }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

static void
caption (SalStore *store, Doc *d, const SalExplanationRecord *e)
{
  SalModelRecord *m = lookup_model (store, d, e->model_sha256);
  g_autofree char *params = object_summary (e->params_json, "names probabilities");
  g_autofree char *checks = object_summary (e->checks_json, "probabilities");
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (e->created_ms / 1000);
  g_autofree char *date = g_date_time_format (when, "%Y-%m-%d %H:%M");
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *model = g_markup_printf_escaped ("%s (%.12s)",
                                                    m != NULL ? m->name : _("unknown model"),
                                                    e->model_sha256 != NULL ? e->model_sha256 : "");

  g_string_append_printf (s, "<b>%s</b> %s\n", _("Model:"), model);
  g_string_append_printf (s, "<b>%s</b> %s  <b>%s</b> ", _("Method:"),
                          sal_method_display_name (e->method), _("Target:"));
  g_string_append_printf (s, "%s", e->target != NULL ? e->target : "—");
  if (e->baseline != NULL)
    g_string_append_printf (s, "  <b>%s</b> %s", _("Baseline:"), e->baseline);
  g_string_append_printf (s, "  <b>%s</b> %" G_GINT64_FORMAT "  <b>%s</b> %s",
                          _("Seed:"), e->seed, _("Date:"), date);
  if (params != NULL)
    {
      g_autofree char *esc = g_markup_escape_text (params, -1);
      g_string_append_printf (s, "\n<b>%s</b> %s", _("Parameters:"), esc);
    }
  if (checks != NULL)
    {
      g_autofree char *esc = g_markup_escape_text (checks, -1);
      g_string_append_printf (s, "\n<b>%s</b> %s", _("Checks:"), esc);
    }
  paragraph (d, "Sans 8.5", s->str, 6);
}

/* Probabilities, from the explanation's params or checks ("probabilities": {label: p}). */
static void
probabilities (Doc *d, const SalExplanationRecord *e)
{
  const char *sources[] = { e->params_json, e->checks_json };

  for (guint k = 0; k < G_N_ELEMENTS (sources); k++)
    {
      g_autoptr(JsonNode) root = parse_json (sources[k]);
      JsonObject *o, *p;
      g_autoptr(GString) s = NULL;
      g_autoptr(GList) members = NULL;

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      o = json_node_get_object (root);
      if (!json_object_has_member (o, "probabilities")
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "probabilities")))
        continue;
      p = json_object_get_object_member (o, "probabilities");
      s = g_string_new (NULL);
      g_string_append_printf (s, "<b>%s</b>", _("Probabilities:"));
      members = json_object_get_members (p);
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *name = g_markup_escape_text (l->data, -1);

          g_string_append_printf (s, "  %s %.1f %%", name,
                                  100.0 * json_object_get_double_member (p, l->data));
        }
      paragraph (d, "Sans 9", s->str, 4);
      return;
    }
}

/* ---- images ---------------------------------------------------------------------- */

/* 8-bit grey of the first channel (or luminance), windowed min..max. */
static guint8 *
image_to_grey8 (const SalImage *img)
{
  gsize n = (gsize) img->width * img->height;
  guint8 *grey = g_new (guint8, n);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  double *v = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      const guint16 *p = img->pixels + i * img->channels;

      v[i] = img->channels >= 3 ? 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] : p[0];
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
    }
  for (gsize i = 0; i < n; i++)
    grey[i] = hi > lo ? (guint8) lround ((v[i] - lo) / (hi - lo) * 255.0) : 0;
  g_free (v);
  return grey;
}

static gboolean
parse_shape (const char *json, int *h, int *w, int *n_dims)
{
  g_autoptr(JsonNode) root = parse_json (json);
  JsonArray *a;
  guint len;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return FALSE;
  a = json_node_get_array (root);
  len = json_array_get_length (a);
  if (len == 0 || len > 4)
    return FALSE;
  *n_dims = (int) len;
  *w = (int) json_array_get_int_element (a, len - 1);
  *h = len >= 2 ? (int) json_array_get_int_element (a, len - 2) : 1;
  for (guint i = 0; i + 2 < len; i++)
    if (json_array_get_int_element (a, i) != 1)
      return FALSE;
  return *w > 0 && *h > 0;
}

/* Bilinear resample of an attribution map to the image's size (the map is at the
 * model's input size). */
static float *
resample (const float *src, int sw, int sh, int dw, int dh)
{
  float *dst = g_new (float, (gsize) dw * dh);

  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      {
        double fx = ((x + 0.5) * sw / dw) - 0.5, fy = ((y + 0.5) * sh / dh) - 0.5;
        int x0 = CLAMP ((int) floor (fx), 0, sw - 1), y0 = CLAMP ((int) floor (fy), 0, sh - 1);
        int x1 = MIN (x0 + 1, sw - 1), y1 = MIN (y0 + 1, sh - 1);
        double ax = CLAMP (fx - x0, 0, 1), ay = CLAMP (fy - y0, 0, 1);

        dst[(gsize) y * dw + x] =
          (float) ((1 - ay) * ((1 - ax) * src[y0 * sw + x0] + ax * src[y0 * sw + x1])
                   + ay * ((1 - ax) * src[y1 * sw + x0] + ax * src[y1 * sw + x1]));
      }
  return dst;
}

static void
colour_bar (Doc *d, double x, double y, double h, const SalOverlayScale *scale)
{
  g_autoptr(PangoLayout) l = make_layout (d, "Sans 7", 60);
  char buf[32];

  for (int i = 0; i < (int) h; i++)
    {
      guint8 rgb[3];

      sal_colormap_lookup (scale->map, 1.0 - i / h, rgb);
      cairo_set_source_rgb (d->cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
      cairo_rectangle (d->cr, x, y + i, 12, 1.2);
      cairo_fill (d->cr);
    }
  cairo_set_source_rgb (d->cr, 0.3, 0.3, 0.3);
  cairo_set_line_width (d->cr, 0.5);
  cairo_rectangle (d->cr, x, y, 12, h);
  cairo_stroke (d->cr);
  g_snprintf (buf, sizeof buf, "%.3g", scale->vmax);
  pango_layout_set_text (l, buf, -1);
  cairo_move_to (d->cr, x + 16, y - 2);
  pango_cairo_show_layout (d->cr, l);
  g_snprintf (buf, sizeof buf, "%.3g", scale->vmin);
  pango_layout_set_text (l, buf, -1);
  cairo_move_to (d->cr, x + 16, y + h - 9);
  pango_cairo_show_layout (d->cr, l);
}

static gboolean
report_image (SalStore *store, Doc *d, const SalStoredImage *listed, GError **error)
{
  g_autoptr(SalStoredImage) si = sal_store_get_image (store, listed->id, error);
  g_autoptr(GPtrArray) expl = NULL;
  g_autofree guint8 *grey = NULL;
  g_autofree guint8 *rgb = NULL;
  const SalExplanationRecord *e = NULL;
  SalOverlayScale scale = { 0 };
  gboolean has_overlay = FALSE;
  cairo_surface_t *surf;
  int w, h, stride;
  double side = 250, scale_f;
  g_autofree char *title = NULL;

  if (si == NULL)
    return FALSE;
  expl = sal_store_list_explanations (store, SAL_OBJECT_IMAGE, si->id, error);
  if (expl == NULL)
    return FALSE;
  w = si->image->width;
  h = si->image->height;
  grey = image_to_grey8 (si->image);
  rgb = g_new (guint8, (gsize) w * h * 3);
  for (gsize i = 0; i < (gsize) w * h; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i];

  for (guint i = 0; i < expl->len && e == NULL; i++)
    {
      const SalExplanationRecord *c = expl->pdata[i];
      int ah, aw, nd;

      if (c->attribution != NULL && parse_shape (c->shape_json, &ah, &aw, &nd) && nd >= 2
          && g_bytes_get_size (c->attribution) == (gsize) ah * aw * sizeof (float))
        {
          const float *a = g_bytes_get_data (c->attribution, NULL);
          g_autofree float *full = (ah == h && aw == w) ? g_memdup2 (a, sizeof (float) * w * h)
                                                         : resample (a, aw, ah, w, h);
          SalOverlayStyle style;

          sal_overlay_style_init (&style);
          style.opacity = 0.55;
          style.top_k_percent = 20;
          sal_overlay_compute_scale (full, (gsize) w * h, &style, &scale);
          sal_overlay_compose_rgb8 (grey, full, w, h, &style, &scale, rgb);
          e = c;
          has_overlay = TRUE;
        }
    }

  title = g_markup_printf_escaped ("<b>%s</b> %s · %d × %d, %d-bit",
                                   _("Image"), si->source != NULL ? si->source : "",
                                   w, h, si->bit_depth);
  scale_f = side / MAX (w, h);
  ensure_space (d, h * scale_f + 90);
  paragraph (d, "Sans 9.5", title, 4);

  surf = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  stride = cairo_image_surface_get_stride (surf);
  cairo_surface_flush (surf);
  for (int y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (void *) (cairo_image_surface_get_data (surf) + y * stride);

      for (int x = 0; x < w; x++)
        {
          const guint8 *p = rgb + 3 * ((gsize) y * w + x);
          row[x] = 0xff000000u | (p[0] << 16) | (p[1] << 8) | p[2];
        }
    }
  cairo_surface_mark_dirty (surf);
  cairo_save (d->cr);
  cairo_translate (d->cr, MARGIN, d->y);
  cairo_scale (d->cr, scale_f, scale_f);
  cairo_set_source_surface (d->cr, surf, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (d->cr), CAIRO_FILTER_NEAREST);
  cairo_paint (d->cr);
  cairo_restore (d->cr);
  cairo_surface_destroy (surf);
  if (has_overlay)
    colour_bar (d, MARGIN + w * scale_f + 8, d->y, h * scale_f, &scale);
  d->y += h * scale_f + 6;

  if (e != NULL)
    {
      probabilities (d, e);
      caption (store, d, e);
    }
  else
    paragraph (d, "Sans Italic 8.5", _("No explanation of this image yet."), 6);
  return TRUE;
}

/* ---- notes ----------------------------------------------------------------------- */

/* Tokens of the note as the explanation's model reads them (byte offsets). */
static GArray *
note_tokens (SalStore *store, Doc *d, const SalExplanationRecord *e, const char *text)
{
  SalModelRecord *m = lookup_model (store, d, e->model_sha256);
  g_autoptr(SalModel) model = NULL;
  g_autoptr(SalTensor) t = NULL;
  GArray *tokens = NULL;

  if (m == NULL || m->path == NULL)
    return NULL;
  model = sal_model_load_with_metadata (m->path, m->metadata_json, NULL);
  if (model == NULL)
    return NULL;
  t = sal_model_input_from_text (model, text, &tokens, NULL);
  if (t == NULL)
    g_clear_pointer (&tokens, g_array_unref);
  return tokens;
}

static void
report_note (SalStore *store, Doc *d, const SalNote *note)
{
  g_autoptr(GPtrArray) expl = sal_store_list_explanations (store, SAL_OBJECT_NOTE, note->id,
                                                           NULL);
  g_autoptr(PangoLayout) l = make_layout (d, "Serif 9.5", TEXT_W);
  PangoAttrList *attrs = pango_attr_list_new ();
  const SalExplanationRecord *e = NULL;
  g_autofree char *title = g_markup_printf_escaped ("<b>%s</b> %s", _("Note"),
                                                    note->title != NULL ? note->title : "");
  gsize text_len = strlen (note->text);

  paragraph (d, "Sans 9.5", title, 3);
  for (guint i = 0; expl != NULL && i < expl->len && e == NULL; i++)
    {
      const SalExplanationRecord *c = expl->pdata[i];
      g_autoptr(GArray) tokens = NULL;
      const float *a;
      gsize n;
      double max_abs = 0;

      if (c->attribution == NULL)
        continue;
      {
        g_autoptr(SalClinicResult) r = sal_clinic_result_from_record (c, NULL);

        /* the token positions stored with the result, else as the model reads the note */
        if (r != NULL && r->token_starts != NULL)
          {
            tokens = g_array_new (FALSE, TRUE, sizeof (SalToken));
            for (guint k = 0; k < r->token_starts->len; k++)
              {
                SalToken tk = { 0, g_array_index (r->token_starts, gsize, k),
                                g_array_index (r->token_ends, gsize, k) };
                g_array_append_val (tokens, tk);
              }
          }
        else
          tokens = note_tokens (store, d, c, note->text);
      }
      a = g_bytes_get_data (c->attribution, &n);
      n /= sizeof (float);
      if (tokens == NULL || tokens->len == 0)
        continue;
      for (guint k = 0; k < MIN (n, tokens->len); k++)
        max_abs = MAX (max_abs, fabs (a[k]));
      if (!(max_abs > 0))
        continue;
      for (guint k = 0; k < MIN (n, tokens->len); k++)
        {
          const SalToken *tok = &g_array_index (tokens, SalToken, k);
          double t = 0.5 + 0.5 * a[k] / max_abs;
          guint8 rgb[3];
          PangoAttribute *bg;

          if (fabs (a[k]) < 0.08 * max_abs || tok->end > text_len)
            continue;
          sal_colormap_lookup (SAL_COLORMAP_DIVERGING, t, rgb);
          bg = pango_attr_background_new (rgb[0] * 257, rgb[1] * 257, rgb[2] * 257);
          bg->start_index = (guint) tok->start;
          bg->end_index = (guint) tok->end;
          pango_attr_list_insert (attrs, bg);
        }
      e = c;
    }
  pango_layout_set_text (l, note->text, -1);
  pango_layout_set_attributes (l, attrs);
  pango_attr_list_unref (attrs);
  show_layout (d, l, MARGIN, 4);
  if (e != NULL)
    {
      g_autofree char *legend = g_markup_printf_escaped (
        _("Highlighted words: red pushes towards “%s”, blue away from it; stronger colour, "
          "larger attribution."), e->target != NULL ? e->target : "");

      paragraph (d, "Sans Italic 8", legend, 2);
      probabilities (d, e);
      caption (store, d, e);
    }
  else
    paragraph (d, "Sans Italic 8.5", _("Not analysed yet."), 6);
}

/* ---- measurements ---------------------------------------------------------------- */

static void
report_measurements (SalStore *store, Doc *d, gint64 case_id, GPtrArray *rows)
{
  g_autoptr(GPtrArray) expl = sal_store_list_explanations (store, SAL_OBJECT_CASE, case_id,
                                                           NULL);
  g_autoptr(GString) table = g_string_new (NULL);
  g_autoptr(PangoLayout) l = NULL;
  g_auto(GStrv) cols = NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      const SalMeasurement *m = rows->pdata[i];
      g_autofree char *cell = g_markup_printf_escaped ("%s\t<b>%.4g</b> %s", m->name, m->value,
                                                       m->unit != NULL ? m->unit : "");
      g_string_append (table, cell);
      g_string_append_c (table, i % 2 == 0 ? '\t' : '\n');
    }
  l = make_layout (d, "Sans 8", TEXT_W);
  {
    PangoTabArray *tabs = pango_tab_array_new_with_positions (3, TRUE,
                                                               PANGO_TAB_LEFT, 150,
                                                               PANGO_TAB_LEFT, 250,
                                                               PANGO_TAB_LEFT, 400);
    pango_layout_set_tabs (l, tabs);
    pango_tab_array_free (tabs);
  }
  pango_layout_set_markup (l, table->str, -1);
  show_layout (d, l, MARGIN, 8);

  for (guint i = 0; expl != NULL && i < expl->len; i++)
    {
      const SalExplanationRecord *e = expl->pdata[i];
      g_autoptr(JsonNode) params = parse_json (e->params_json);
      g_autoptr(JsonNode) checks = parse_json (e->checks_json);
      g_autofree const char **names = NULL;
      g_autofree double *values = NULL;
      JsonArray *na;
      JsonObject *co;
      const float *a;
      gsize n;
      SalWaterfallData wd = { 0 };
      SalWaterfallColors colors;
      double hgt;

      if (e->attribution == NULL || params == NULL || checks == NULL
          || !JSON_NODE_HOLDS_OBJECT (params) || !JSON_NODE_HOLDS_OBJECT (checks))
        continue;
      if (!json_object_has_member (json_node_get_object (params), "names"))
        continue;
      na = json_object_get_array_member (json_node_get_object (params), "names");
      co = json_node_get_object (checks);
      a = g_bytes_get_data (e->attribution, &n);
      n /= sizeof (float);
      if (na == NULL || json_array_get_length (na) != n || n == 0
          || !json_object_has_member (co, "expected_value")
          || !json_object_has_member (co, "prediction"))
        continue;
      names = g_new0 (const char *, n + 1);
      values = g_new (double, n);
      for (guint k = 0; k < n; k++)
        {
          names[k] = json_array_get_string_element (na, k);
          values[k] = a[k];
        }
      wd.expected = json_object_get_double_member (co, "expected_value");
      wd.prediction = json_object_get_double_member (co, "prediction");
      wd.n = (guint) n;
      wd.names = names;
      wd.values = values;
      wd.expected_label = _("E[f] (average)");
      wd.prediction_label = _("f(x) (this case)");
      sal_waterfall_colors_default (&colors, FALSE);
      colors.font = "Sans 7.5";
      hgt = sal_waterfall_height (&wd, 14);
      ensure_space (d, hgt + 60);
      paragraph (d, "Sans Bold 9.5", _("Why: Shapley values from the average to this case"), 4);
      sal_waterfall_draw (d->cr, MARGIN, d->y, TEXT_W, hgt, &wd, &colors);
      d->y += hgt + 6;
      probabilities (d, e);
      caption (store, d, e);
      return;
    }
  paragraph (d, "Sans Italic 8.5", _("The measurements have not been scored yet."), 6);
}

/* ---- model cards ----------------------------------------------------------------- */

/* The card's opening bold sentence and its "Intended use" paragraph. */
static char *
card_summary (const char *card)
{
  g_auto(GStrv) lines = g_strsplit (card, "\n", -1);
  g_autoptr(GString) s = g_string_new (NULL);
  gboolean in_use = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "## "))
        {
          if (in_use)
            break;
          in_use = strstr (line, "Intended use") != NULL;
          continue;
        }
      if (in_use && line[0] != '\0')
        {
          g_string_append (s, line);
          g_string_append_c (s, ' ');
        }
      else if (in_use && s->len > 0)
        break;
    }
  for (char *p = s->str; *p != '\0'; p++)
    if (*p == '*' || *p == '`')
      *p = ' ';
  return g_strstrip (g_string_free (g_steal_pointer (&s), FALSE));
}

static char *
read_card (const SalModelRecord *m, const char *models_dir)
{
  char *text = NULL;

  if (models_dir != NULL)
    {
      g_autofree char *file = g_strconcat (m->name, ".md", NULL);
      g_autofree char *path = g_build_filename (models_dir, file, NULL);

      if (g_file_get_contents (path, &text, NULL, NULL))
        return text;
    }
  {
    g_autoptr(JsonNode) root = parse_json (m->metadata_json);

    if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
        && json_object_has_member (json_node_get_object (root), "salient.card"))
      return g_strdup (json_object_get_string_member (json_node_get_object (root),
                                                      "salient.card"));
  }
  return NULL;
}

static void
report_models (Doc *d, const char *models_dir)
{
  GHashTableIter it;
  gpointer value;

  heading (d, _("Models"));
  if (g_hash_table_size (d->models) == 0)
    {
      paragraph (d, "Sans Italic 9", _("No model has been run on this case."), 6);
      return;
    }
  g_hash_table_iter_init (&it, d->models);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const SalModelRecord *m = value;
      g_autofree char *card = read_card (m, models_dir);
      g_autofree char *summary = card != NULL ? card_summary (card) : NULL;
      g_autofree char *head = g_markup_printf_escaped ("<b>%s</b>  sha256 %.16s…", m->name,
                                                       m->sha256);
      g_autofree char *body = g_markup_escape_text (summary != NULL && summary[0] != '\0'
                                                    ? summary
                                                    : _("This model has no card."), -1);

      paragraph (d, "Sans 9.5", head, 2);
      paragraph (d, "Sans 8.5", body, 4);
      if (card != NULL && strstr (card, "not for diagnosis") != NULL)
        {
          g_autofree char *disc = g_markup_printf_escaped ("<b>%s</b>",
                                                           sal_report_disclaimer ());
          paragraph (d, "Sans 8.5", disc, 6);
        }
    }
}

/* ---- the document ---------------------------------------------------------------- */

static cairo_status_t
write_fd (void *closure, const unsigned char *data, unsigned int length)
{
  int fd = GPOINTER_TO_INT (closure);

  while (length > 0)
    {
      gssize w = write (fd, data, length);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return CAIRO_STATUS_WRITE_ERROR;
      data += w;
      length -= (unsigned int) w;
    }
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
write_document (SalStore *store, const SalCase *c, const char *models_dir, int fd,
                GError **error)
{
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (write_fd, GINT_TO_POINTER (fd),
                                                                  PAGE_W, PAGE_H);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *head = NULL;
  g_autofree char *disc = NULL;
  cairo_status_t status;
  gboolean ok = FALSE;
  Doc d = { 0 };

  d.cr = cairo_create (surface);
  d.y = MARGIN;
  d.page = 1;
  d.footer = g_strdup_printf (_("Case %s, %s"), c->pseudonym, date);
  d.models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) sal_model_record_free);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, d.footer);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Salient " PACKAGE_VERSION);

  images = sal_store_list_images (store, c->id, error);
  notes = images != NULL ? sal_store_list_notes (store, c->id, error) : NULL;
  rows = notes != NULL ? sal_store_list_measurements (store, c->id, error) : NULL;
  if (rows == NULL)
    goto out;

  head = g_markup_printf_escaped ("<span size='x-large' weight='bold'>%s</span>\n"
                                  "<b>%s</b> %s   <b>%s</b> %s\n<b>%s</b> %s",
                                  _("Salient case report"), _("Case:"), c->pseudonym,
                                  _("Title:"), c->title != NULL ? c->title : "",
                                  _("Generated:"), date);
  paragraph (&d, "Sans 10", head, 6);
  disc = g_markup_printf_escaped ("<span foreground='#a51d2d' weight='bold'>%s</span> %s",
                                  sal_report_disclaimer (),
                                  _("The results below come from demonstration models and "
                                    "must not be used for diagnosis or treatment."));
  paragraph (&d, "Sans 9", disc, 8);

  heading (&d, _("Images"));
  if (images->len == 0)
    paragraph (&d, "Sans Italic 9", _("No images."), 6);
  for (guint i = 0; i < images->len; i++)
    if (!report_image (store, &d, images->pdata[i], error))
      goto out;

  heading (&d, _("Notes"));
  if (notes->len == 0)
    paragraph (&d, "Sans Italic 9", _("No notes."), 6);
  for (guint i = 0; i < notes->len; i++)
    report_note (store, &d, notes->pdata[i]);

  heading (&d, _("Measurements"));
  if (rows->len == 0)
    paragraph (&d, "Sans Italic 9", _("No measurements."), 6);
  else
    report_measurements (store, &d, c->id, rows);

  report_models (&d, models_dir);
  draw_footer (&d);
  cairo_show_page (d.cr);
  ok = TRUE;

out:
  cairo_destroy (d.cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  g_free (d.footer);
  g_hash_table_unref (d.models);
  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SAL_REPORT_ERROR, SAL_REPORT_ERROR_FAILED,
                   _("Could not write the report: %s"), cairo_status_to_string (status));
      ok = FALSE;
    }
  return ok;
}

gboolean
sal_report_write_case (SalStore   *store,
                       gint64      case_id,
                       const char *models_dir,
                       const char *out_path,
                       GError    **error)
{
  g_autoptr(SalCase) c = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *object = NULL;
  int fd;
  gboolean ok;

  g_return_val_if_fail (store != NULL && out_path != NULL, FALSE);

  c = sal_store_get_case (store, case_id, error);
  if (c == NULL)
    return FALSE;

  dir = g_path_get_dirname (out_path);
  base = g_path_get_basename (out_path);
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp (tmp);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), out_path, g_strerror (saved));
      return FALSE;
    }
  ok = write_document (store, c, models_dir, fd, error);
  if (ok && fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), out_path, g_strerror (saved));
      ok = FALSE;
    }
  close (fd);
  if (ok && g_rename (tmp, out_path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not write “%s”: %s"), out_path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (tmp);
      return FALSE;
    }
  object = g_strdup_printf ("case/%" G_GINT64_FORMAT, case_id);
  return sal_audit_append (store, "export", object, error);
}
