/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-preprocess"

#include "config.h"
#include "sal-preprocess.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_SIDE 8192

static gboolean
bad (GError **error, const char *what)
{
  g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
               _("The model’s image settings (salient.preprocess) are invalid: %s"), what);
  return FALSE;
}

static gboolean
read_per_channel (JsonObject *o, const char *key, double def, double out[3], GError **error)
{
  JsonNode *n = json_object_get_member (o, key);

  for (int c = 0; c < 3; c++)
    out[c] = def;
  if (n == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) != G_TYPE_STRING)
    {
      for (int c = 0; c < 3; c++)
        out[c] = json_node_get_double (n);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (n))
    {
      JsonArray *a = json_node_get_array (n);
      guint len = json_array_get_length (a);
      if (len == 0 || len > 3)
        return bad (error, key);
      for (int c = 0; c < 3; c++)
        out[c] = json_array_get_double_element (a, MIN ((guint) c, len - 1));
      return TRUE;
    }
  return bad (error, key);
}

gboolean
sal_preprocess_parse (const char *json, SalPreprocess *out, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  JsonArray *size;
  const char *s;

  memset (out, 0, sizeof *out);
  if (json == NULL)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model does not say how to prepare images (salient.preprocess)"));
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad (error, "not a JSON object");
  o = json_node_get_object (json_parser_get_root (parser));
  out->channels = json_object_get_int_member_with_default (o, "channels", 1);
  if (out->channels != 1 && out->channels != 3)
    return bad (error, "channels must be 1 or 3");
  if (!json_object_has_member (o, "size") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "size")) ||
      json_array_get_length (size = json_object_get_array_member (o, "size")) != 2)
    return bad (error, "size must be [height, width]");
  out->height = json_array_get_int_element (size, 0);
  out->width = json_array_get_int_element (size, 1);
  if (out->height < 1 || out->width < 1 || out->height > MAX_SIDE || out->width > MAX_SIDE)
    return bad (error, "size out of range");
  s = json_object_get_string_member_with_default (o, "resize", "bilinear");
  if (strcmp (s, "bilinear") == 0)
    out->resize = SAL_RESIZE_BILINEAR;
  else if (strcmp (s, "letterbox") == 0)
    out->resize = SAL_RESIZE_LETTERBOX;
  else
    return bad (error, "resize must be bilinear or letterbox");
  s = json_object_get_string_member_with_default (o, "scaling", "minmax");
  if (strcmp (s, "minmax") == 0)
    out->scaling = SAL_SCALE_MINMAX;
  else if (strcmp (s, "percentile") == 0)
    out->scaling = SAL_SCALE_PERCENTILE;
  else if (strcmp (s, "fixed") == 0)
    out->scaling = SAL_SCALE_FIXED;
  else
    return bad (error, "scaling must be minmax, percentile or fixed");
  out->low = json_object_get_double_member_with_default (o, "low", 1);
  out->high = json_object_get_double_member_with_default (o, "high", 99);
  if (!(out->low >= 0 && out->low < out->high && out->high <= 100))
    return bad (error, "percentiles must satisfy 0 <= low < high <= 100");
  if (!read_per_channel (o, "mean", 0, out->mean, error) ||
      !read_per_channel (o, "std", 1, out->std, error))
    return FALSE;
  for (int c = 0; c < 3; c++)
    if (!(out->std[c] > 0) || !isfinite (out->mean[c]))
      return bad (error, "std must be positive");
  return TRUE;
}

/* Source pixel (x, y) of channel c as a value 0..1. */
static float
source_value (const SalImage *img, int c, int x, int y, int channels)
{
  const guint16 *px = img->pixels + ((gsize) y * img->width + x) * img->channels;
  float max = (float) ((1 << img->bit_depth) - 1);
  gboolean colour = img->channels >= 3;

  if (channels == 1)
    return colour ? (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) / max : px[0] / max;
  return (colour ? px[c] : px[0]) / max;
}

static int
cmp_float (gconstpointer a, gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

SalTensor *
sal_preprocess_image (const SalPreprocess *p, const SalImage *img, GError **error)
{
  int64_t dims[4] = { 1, p->channels, p->height, p->width };
  g_autoptr(SalTensor) t = sal_tensor_new (SAL_DTYPE_FLOAT, 4, dims, error);
  int H = p->height, W = p->width;
  int x0 = 0, y0 = 0, w = W, h = H;   /* the image's area inside the tensor */
  float *out;

  if (t == NULL)
    return NULL;
  out = sal_tensor_f32 (t);
  if (p->resize == SAL_RESIZE_LETTERBOX)
    {
      double s = MIN ((double) W / img->width, (double) H / img->height);
      w = MAX (1, (int) lround (img->width * s));
      h = MAX (1, (int) lround (img->height * s));
      x0 = (W - w) / 2;
      y0 = (H - h) / 2;
    }

  /* Bilinear with half-pixel centres (align_corners = false). */
  for (int c = 0; c < p->channels; c++)
    for (int y = 0; y < h; y++)
      {
        double sy = (y + 0.5) * img->height / h - 0.5;
        int ya = (int) floor (sy), yb;
        double fy = sy - ya;
        ya = CLAMP (ya, 0, img->height - 1);
        yb = MIN (ya + 1, img->height - 1);
        if (sy < 0)
          fy = 0;
        for (int x = 0; x < w; x++)
          {
            double sx = (x + 0.5) * img->width / w - 0.5;
            int xa = (int) floor (sx), xb;
            double fx = sx - xa, v;
            xa = CLAMP (xa, 0, img->width - 1);
            xb = MIN (xa + 1, img->width - 1);
            if (sx < 0)
              fx = 0;
            v = (1 - fy) * ((1 - fx) * source_value (img, c, xa, ya, p->channels) +
                            fx * source_value (img, c, xb, ya, p->channels)) +
                fy * ((1 - fx) * source_value (img, c, xa, yb, p->channels) +
                      fx * source_value (img, c, xb, yb, p->channels));
            out[((gsize) c * H + y0 + y) * W + x0 + x] = (float) v;
          }
      }

  /* Intensity scaling over the image area (not the letterbox bars). */
  for (int c = 0; c < p->channels; c++)
    {
      double lo = 0, hi = 1;
      if (p->scaling == SAL_SCALE_FIXED)
        {
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
              {
                float *v = &out[((gsize) c * H + y0 + y) * W + x0 + x];
                *v = (float) ((*v - p->mean[c]) / p->std[c]);
              }
          continue;
        }
      if (p->scaling == SAL_SCALE_MINMAX || p->scaling == SAL_SCALE_PERCENTILE)
        {
          g_autofree float *sorted = g_new (float, (gsize) w * h);
          gsize n = 0;
          for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
              sorted[n++] = out[((gsize) c * H + y0 + y) * W + x0 + x];
          qsort (sorted, n, sizeof (float), cmp_float);
          if (p->scaling == SAL_SCALE_MINMAX)
            {
              lo = sorted[0];
              hi = sorted[n - 1];
            }
          else
            {
              lo = sorted[(gsize) floor (p->low / 100.0 * (n - 1))];
              hi = sorted[(gsize) ceil (p->high / 100.0 * (n - 1))];
            }
        }
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            float *v = &out[((gsize) c * H + y0 + y) * W + x0 + x];
            *v = hi > lo ? (float) CLAMP ((*v - lo) / (hi - lo), 0.0, 1.0) : 0.0f;
          }
    }
  return g_steal_pointer (&t);
}
