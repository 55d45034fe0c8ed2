/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sal-image-view.h"

struct _SalImageView
{
  GtkWidget        parent_instance;

  SalImage        *image;
  double           vmin, vmax;        /* data range of the image */
  float           *attr;
  int              attr_w, attr_h;
  SalOverlayStyle  style;
  SalOverlayScale  scale;
  guint32         *overlay;           /* premultiplied ARGB32, attr_w × attr_h */

  SalViewState     state;
  gboolean         fit;
  double           wl_center, wl_width;
  gboolean         invert;
  guint8          *lut;               /* 2^bit_depth entries */
  gboolean         lut_dirty;

  GdkTexture      *cache;
  int              cache_w, cache_h;

  SalViewState     gesture_start;     /* drag / pinch */
  double           wl_start_c, wl_start_w;
  double           pinch_x, pinch_y;  /* touch centre when the pinch began */
  char            *readout;
};

G_DEFINE_FINAL_TYPE (SalImageView, sal_image_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  PROP_FIT,
  PROP_WINDOW_CENTER,
  PROP_WINDOW_WIDTH,
  PROP_INVERT,
  PROP_READOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* --- pure maths --- */

double
sal_image_view_clamp_zoom (double zoom)
{
  if (!isfinite (zoom))
    return 1.0;
  return CLAMP (zoom, SAL_IMAGE_VIEW_MIN_ZOOM, SAL_IMAGE_VIEW_MAX_ZOOM);
}

double
sal_image_view_fit_zoom (int iw, int ih, double vw, double vh)
{
  if (iw <= 0 || ih <= 0 || vw <= 0 || vh <= 0)
    return 1.0;
  return sal_image_view_clamp_zoom (MIN (vw / iw, vh / ih));
}

void
sal_image_view_zoom_about (SalViewState *state, double factor,
                           double ax, double ay, double vw, double vh)
{
  /* Image point under the anchor, before and after, must be the same. */
  double ix = state->cx + (ax - vw / 2) / state->zoom;
  double iy = state->cy + (ay - vh / 2) / state->zoom;
  double z = sal_image_view_clamp_zoom (state->zoom * factor);

  state->zoom = z;
  state->cx = ix - (ax - vw / 2) / z;
  state->cy = iy - (ay - vh / 2) / z;
}

void
sal_image_view_pinch (const SalViewState *start, double scale,
                      double sx, double sy, double nx, double ny,
                      double vw, double vh, SalViewState *out)
{
  double ix = start->cx + (sx - vw / 2) / start->zoom;
  double iy = start->cy + (sy - vh / 2) / start->zoom;
  double z = sal_image_view_clamp_zoom (start->zoom * (scale > 0 ? scale : 1.0));

  out->zoom = z;
  out->cx = ix - (nx - vw / 2) / z;
  out->cy = iy - (ny - vh / 2) / z;
}

guint8
sal_image_view_window_level (double v, double c, double w, gboolean invert)
{
  double t;
  int g;

  w = MAX (w, 1.0);
  t = (v - (c - w / 2)) / w;
  t = CLAMP (t, 0.0, 1.0);
  g = (int) lround (t * 255.0);
  return (guint8) (invert ? 255 - g : g);
}

/* --- helpers --- */

static double
max_value (const SalImage *img)
{
  return (double) ((1u << img->bit_depth) - 1);
}

static void
invalidate (SalImageView *self)
{
  g_clear_object (&self->cache);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
rebuild_lut (SalImageView *self)
{
  gsize n;

  if (self->image == NULL)
    return;
  n = (gsize) 1 << self->image->bit_depth;
  if (self->lut == NULL)
    self->lut = g_new (guint8, 65536);
  for (gsize v = 0; v < n; v++)
    self->lut[v] = sal_image_view_window_level ((double) v, self->wl_center, self->wl_width,
                                                self->invert);
  self->lut_dirty = FALSE;
}

static double
pixel_value (const SalImage *img, int x, int y)
{
  const guint16 *p = img->pixels + ((gsize) y * img->width + x) * img->channels;

  if (img->channels >= 3)
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  return p[0];
}

/* Base colour of image pixel (x, y) through the window, as 0xRRGGBB. */
static guint32
base_rgb (SalImageView *self, int x, int y)
{
  const SalImage *img = self->image;
  const guint16 *p = img->pixels + ((gsize) y * img->width + x) * img->channels;

  if (img->channels >= 3)
    return ((guint32) self->lut[p[0]] << 16) | ((guint32) self->lut[p[1]] << 8) | self->lut[p[2]];
  return (guint32) self->lut[p[0]] * 0x010101u;
}

static guint32
overlay_at (SalImageView *self, int x, int y)
{
  int ax, ay;

  if (self->overlay == NULL)
    return 0;
  ax = (int) ((gint64) x * self->attr_w / self->image->width);
  ay = (int) ((gint64) y * self->attr_h / self->image->height);
  return self->overlay[(gsize) ay * self->attr_w + ax];
}

/* Source-over of a premultiplied ARGB overlay on an opaque RGB pixel. */
static guint32
blend (guint32 rgb, guint32 ov)
{
  guint32 a = ov >> 24, out = 0xff000000u;

  for (int s = 0; s <= 16; s += 8)
    {
      guint32 b = (rgb >> s) & 0xff, o = (ov >> s) & 0xff;
      out |= MIN (255u, o + (b * (255 - a) + 127) / 255) << s;
    }
  return out;
}

/* Renders the view at device resolution: nearest sampling at zoom >= 1 (each
 * image pixel a uniform block), a box average over the covered source pixels
 * below 1 so a reduced image does not alias. */
static GdkTexture *
render_view (SalImageView *self, int w, int h, double dscale)
{
  g_autoptr(GBytes) bytes = NULL;
  guint32 *buf = g_new0 (guint32, (gsize) w * h);
  const SalImage *img = self->image;
  double z = self->state.zoom * dscale;
  double x0 = self->state.cx - (w / 2.0) / z, y0 = self->state.cy - (h / 2.0) / z;
  int step = z >= 1.0 ? 1 : MIN (8, (int) ceil (1.0 / z));

  if (self->lut_dirty || self->lut == NULL)
    rebuild_lut (self);
  for (int sy = 0; sy < h; sy++)
    {
      double fy = y0 + (sy + 0.5) / z;
      int iy = (int) floor (fy);
      guint32 *row = buf + (gsize) sy * w;

      if (iy < 0 || iy >= img->height)
        continue;
      for (int sx = 0; sx < w; sx++)
        {
          double fx = x0 + (sx + 0.5) / z;
          int ix = (int) floor (fx);
          guint32 px;

          if (ix < 0 || ix >= img->width)
            continue;
          if (step == 1)
            px = base_rgb (self, ix, iy);
          else
            {
              guint32 acc[3] = { 0, 0, 0 }, n = 0;
              int bx = (int) floor (x0 + sx / z), by = (int) floor (y0 + sy / z);
              for (int j = 0; j < step; j++)
                for (int i = 0; i < step; i++)
                  {
                    int xx = CLAMP (bx + (int) (i / (z * step)), 0, img->width - 1);
                    int yy = CLAMP (by + (int) (j / (z * step)), 0, img->height - 1);
                    guint32 c = base_rgb (self, xx, yy);
                    acc[0] += c >> 16 & 0xff, acc[1] += c >> 8 & 0xff, acc[2] += c & 0xff;
                    n++;
                  }
              px = ((acc[0] / n) << 16) | ((acc[1] / n) << 8) | (acc[2] / n);
            }
          row[sx] = blend (px, overlay_at (self, ix, iy));
        }
    }
  bytes = g_bytes_new_take (buf, (gsize) w * h * 4);
  return gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, (gsize) w * 4);
}

static void
rebuild_overlay (SalImageView *self)
{
  g_clear_pointer (&self->overlay, g_free);
  if (self->attr == NULL)
    return;
  sal_overlay_compute_scale (self->attr, (gsize) self->attr_w * self->attr_h, &self->style,
                             &self->scale);
  self->overlay = g_new0 (guint32, (gsize) self->attr_w * self->attr_h);
  sal_overlay_render_argb32 (self->attr, self->attr_w, self->attr_h, &self->style, &self->scale,
                             (guint8 *) self->overlay, self->attr_w * 4);
}

static void
set_state (SalImageView *self, const SalViewState *s)
{
  double z = sal_image_view_clamp_zoom (s->zoom);

  g_object_freeze_notify (G_OBJECT (self));
  if (z != self->state.zoom)
    {
      self->state.zoom = z;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  if (s->cx != self->state.cx && isfinite (s->cx))
    {
      self->state.cx = s->cx;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_X]);
    }
  if (s->cy != self->state.cy && isfinite (s->cy))
    {
      self->state.cy = s->cy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CENTER_Y]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  invalidate (self);
}

static void
apply_fit (SalImageView *self)
{
  SalViewState s;
  int w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->image == NULL || w <= 0 || h <= 0)
    return;
  s.zoom = sal_image_view_fit_zoom (self->image->width, self->image->height, w, h);
  s.cx = self->image->width / 2.0;
  s.cy = self->image->height / 2.0;
  set_state (self, &s);
}

static void
user_state (SalImageView *self, const SalViewState *s)
{
  sal_image_view_set_fit (self, FALSE);
  set_state (self, s);
}

static void
zoom_by (SalImageView *self, double factor, double ax, double ay)
{
  SalViewState s = self->state;

  sal_image_view_zoom_about (&s, factor, ax, ay, gtk_widget_get_width (GTK_WIDGET (self)),
                             gtk_widget_get_height (GTK_WIDGET (self)));
  user_state (self, &s);
}

static void
update_readout (SalImageView *self, double x, double y)
{
  int ix, iy;
  double v, a;
  g_autofree char *text = NULL;

  if (sal_image_view_probe (self, x, y, &ix, &iy, &v, &a))
    {
      if (isnan (a))
        /* Translators: pointer readout: image position and pixel value */
        text = g_strdup_printf (_("x %d, y %d: value %.0f"), ix, iy, v);
      else
        /* Translators: pointer readout with the explanation's attribution there */
        text = g_strdup_printf (_("x %d, y %d: value %.0f, attribution %.3g"), ix, iy, v, a);
    }
  if (g_strcmp0 (text, self->readout) == 0)
    return;
  g_free (self->readout);
  self->readout = g_steal_pointer (&text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READOUT]);
}

/* --- input --- */

static gboolean
on_scroll (GtkEventControllerScroll *c, double dx, double dy, SalImageView *self)
{
  double x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  GdkEvent *ev = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (c));

  if (self->image == NULL || dy == 0)
    return FALSE;
  if (ev != NULL)
    gdk_event_get_position (ev, &x, &y);
  zoom_by (self, pow (1.2, -dy), x, y);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *g, double x, double y, SalImageView *self)
{
  self->gesture_start = self->state;
  self->wl_start_c = self->wl_center;
  self->wl_start_w = self->wl_width;
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *g, double dx, double dy, SalImageView *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (g));

  if (self->image == NULL)
    return;
  if (button == GDK_BUTTON_SECONDARY)
    {
      /* Right-drag: across changes the width, up/down the level, scaled to the
       * image's own value range so 16-bit data moves as fast as 8-bit. */
      double range = MAX (self->vmax - self->vmin, 1.0);
      sal_image_view_set_window (self, self->wl_start_c - dy * range / 256,
                                 MAX (1.0, self->wl_start_w + dx * range / 256));
    }
  else
    {
      SalViewState s = self->gesture_start;
      s.cx -= dx / s.zoom;
      s.cy -= dy / s.zoom;
      user_state (self, &s);
    }
}

static void
on_pinch_begin (GtkGesture *g, GdkEventSequence *seq, SalImageView *self)
{
  self->gesture_start = self->state;
  if (!gtk_gesture_get_bounding_box_center (g, &self->pinch_x, &self->pinch_y))
    self->pinch_x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
    self->pinch_y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
}

static void
on_pinch_scale (GtkGestureZoom *g, double scale, SalImageView *self)
{
  double x, y;
  SalViewState s;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (g), &x, &y))
    return;
  sal_image_view_pinch (&self->gesture_start, scale, self->pinch_x, self->pinch_y, x, y,
                        gtk_widget_get_width (GTK_WIDGET (self)),
                        gtk_widget_get_height (GTK_WIDGET (self)), &s);
  user_state (self, &s);
}

static void
on_motion (GtkEventControllerMotion *c, double x, double y, SalImageView *self)
{
  update_readout (self, x, y);
}

static void
on_leave (GtkEventControllerMotion *c, SalImageView *self)
{
  update_readout (self, -1e9, -1e9);
}

static void
action_zoom (GtkWidget *w, const char *name, GVariant *param)
{
  SalImageView *self = SAL_IMAGE_VIEW (w);

  zoom_by (self, g_variant_get_double (param), gtk_widget_get_width (w) / 2.0,
           gtk_widget_get_height (w) / 2.0);
}

static void
action_fit (GtkWidget *w, const char *name, GVariant *param)
{
  sal_image_view_set_fit (SAL_IMAGE_VIEW (w), TRUE);
}

static void
action_actual (GtkWidget *w, const char *name, GVariant *param)
{
  sal_image_view_set_zoom (SAL_IMAGE_VIEW (w), 1.0);
}

static void
action_invert (GtkWidget *w, const char *name, GVariant *param)
{
  SalImageView *self = SAL_IMAGE_VIEW (w);

  sal_image_view_set_invert (self, !self->invert);
}

static void
action_pan (GtkWidget *w, const char *name, GVariant *param)
{
  SalImageView *self = SAL_IMAGE_VIEW (w);
  SalViewState s = self->state;
  double dx, dy;

  g_variant_get (param, "(dd)", &dx, &dy);
  /* A key press moves a tenth of the view, whatever the zoom. */
  s.cx += dx * gtk_widget_get_width (w) / 10.0 / s.zoom;
  s.cy += dy * gtk_widget_get_height (w) / 10.0 / s.zoom;
  user_state (self, &s);
}

static void
action_preset (GtkWidget *w, const char *name, GVariant *param)
{
  sal_image_view_apply_preset (SAL_IMAGE_VIEW (w), (SalWindowPreset) g_variant_get_int32 (param));
}

/* --- GtkWidget --- */

static void
sal_image_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SalImageView *self = SAL_IMAGE_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->image == NULL || w <= 0 || h <= 0)
    return;
  if (self->cache == NULL || self->cache_w != w * scale || self->cache_h != h * scale)
    {
      g_clear_object (&self->cache);
      self->cache_w = w * scale;
      self->cache_h = h * scale;
      self->cache = render_view (self, self->cache_w, self->cache_h, scale);
    }
  gtk_snapshot_append_texture (snapshot, self->cache, &GRAPHENE_RECT_INIT (0, 0, w, h));
}

static void
sal_image_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  SalImageView *self = SAL_IMAGE_VIEW (widget);

  if (self->fit)
    apply_fit (self);
  invalidate (self);
}

static void
sal_image_view_measure (GtkWidget *widget, GtkOrientation o, int for_size,
                        int *min, int *nat, int *min_base, int *nat_base)
{
  *min = 64;
  *nat = 400;
}

static void
sal_image_view_finalize (GObject *object)
{
  SalImageView *self = SAL_IMAGE_VIEW (object);

  g_clear_pointer (&self->image, sal_image_free);
  g_clear_pointer (&self->attr, g_free);
  g_clear_pointer (&self->overlay, g_free);
  g_clear_pointer (&self->lut, g_free);
  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->cache);
  G_OBJECT_CLASS (sal_image_view_parent_class)->finalize (object);
}

static void
sal_image_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SalImageView *self = SAL_IMAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM: g_value_set_double (value, self->state.zoom); break;
    case PROP_CENTER_X: g_value_set_double (value, self->state.cx); break;
    case PROP_CENTER_Y: g_value_set_double (value, self->state.cy); break;
    case PROP_FIT: g_value_set_boolean (value, self->fit); break;
    case PROP_WINDOW_CENTER: g_value_set_double (value, self->wl_center); break;
    case PROP_WINDOW_WIDTH: g_value_set_double (value, self->wl_width); break;
    case PROP_INVERT: g_value_set_boolean (value, self->invert); break;
    case PROP_READOUT: g_value_set_string (value, self->readout); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_image_view_set_property (GObject *object, guint prop_id, const GValue *value,
                             GParamSpec *pspec)
{
  SalImageView *self = SAL_IMAGE_VIEW (object);
  SalViewState s = self->state;

  switch (prop_id)
    {
    case PROP_ZOOM: sal_image_view_set_zoom (self, g_value_get_double (value)); break;
    case PROP_CENTER_X:
      s.cx = g_value_get_double (value);
      if (s.cx != self->state.cx)
        user_state (self, &s);
      break;
    case PROP_CENTER_Y:
      s.cy = g_value_get_double (value);
      if (s.cy != self->state.cy)
        user_state (self, &s);
      break;
    case PROP_FIT: sal_image_view_set_fit (self, g_value_get_boolean (value)); break;
    case PROP_WINDOW_CENTER:
      sal_image_view_set_window (self, g_value_get_double (value), self->wl_width);
      break;
    case PROP_WINDOW_WIDTH:
      sal_image_view_set_window (self, self->wl_center, g_value_get_double (value));
      break;
    case PROP_INVERT: sal_image_view_set_invert (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_image_view_class_init (SalImageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sal_image_view_finalize;
  object_class->get_property = sal_image_view_get_property;
  object_class->set_property = sal_image_view_set_property;
  widget_class->snapshot = sal_image_view_snapshot;
  widget_class->size_allocate = sal_image_view_size_allocate;
  widget_class->measure = sal_image_view_measure;

  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, SAL_IMAGE_VIEW_MIN_ZOOM,
                                               SAL_IMAGE_VIEW_MAX_ZOOM, 1.0, rw);
  properties[PROP_CENTER_X] = g_param_spec_double ("center-x", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, rw);
  properties[PROP_CENTER_Y] = g_param_spec_double ("center-y", NULL, NULL, -G_MAXDOUBLE,
                                                   G_MAXDOUBLE, 0, rw);
  properties[PROP_FIT] = g_param_spec_boolean ("fit", NULL, NULL, TRUE, rw);
  properties[PROP_WINDOW_CENTER] = g_param_spec_double ("window-center", NULL, NULL,
                                                        -G_MAXDOUBLE, G_MAXDOUBLE, 127.5, rw);
  properties[PROP_WINDOW_WIDTH] = g_param_spec_double ("window-width", NULL, NULL, 1.0,
                                                       G_MAXDOUBLE, 256, rw);
  properties[PROP_INVERT] = g_param_spec_boolean ("invert", NULL, NULL, FALSE, rw);
  properties[PROP_READOUT] = g_param_spec_string ("readout", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "view.zoom", "d", action_zoom);
  gtk_widget_class_install_action (widget_class, "view.fit", NULL, action_fit);
  gtk_widget_class_install_action (widget_class, "view.actual-size", NULL, action_actual);
  gtk_widget_class_install_action (widget_class, "view.invert", NULL, action_invert);
  gtk_widget_class_install_action (widget_class, "view.pan", "(dd)", action_pan);
  gtk_widget_class_install_action (widget_class, "view.window-preset", "i", action_preset);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "view.zoom", "d", 1.25);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "view.zoom", "d", 1.25);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "view.zoom", "d", 1.25);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "view.zoom", "d", 0.8);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "view.zoom", "d", 0.8);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "view.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "view.actual-size", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, 0, "view.invert", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "view.pan", "(dd)", -1.0, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "view.pan", "(dd)", 1.0, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "view.pan", "(dd)", 0.0, -1.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "view.pan", "(dd)", 0.0, 1.0);

  gtk_widget_class_set_css_name (widget_class, "salimageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sal_image_view_init (SalImageView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *c;
  GtkGesture *g;

  self->state = (SalViewState) { 1.0, 0, 0 };
  self->fit = TRUE;
  self->wl_center = 127.5;
  self->wl_width = 256;
  self->lut_dirty = TRUE;
  sal_overlay_style_init (&self->style);
  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Image"), -1);

  c = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (c, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, c);

  g = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (g), 0);
  g_signal_connect (g, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (g, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (g));

  g = gtk_gesture_zoom_new ();
  g_signal_connect (g, "begin", G_CALLBACK (on_pinch_begin), self);
  g_signal_connect (g, "scale-changed", G_CALLBACK (on_pinch_scale), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (g));

  c = gtk_event_controller_motion_new ();
  g_signal_connect (c, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (c, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, c);
}

/* --- public API --- */

GtkWidget *
sal_image_view_new (void)
{
  return g_object_new (SAL_TYPE_IMAGE_VIEW, NULL);
}

void
sal_image_view_set_image (SalImageView *self, const SalImage *image)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));

  g_clear_pointer (&self->image, sal_image_free);
  if (image != NULL)
    {
      gsize n = (gsize) image->width * image->height * image->channels;
      self->image = sal_image_new (image->width, image->height, image->channels, image->bit_depth);
      g_return_if_fail (self->image != NULL);
      memcpy (self->image->pixels, image->pixels, n * sizeof (guint16));
      self->vmin = G_MAXDOUBLE;
      self->vmax = -G_MAXDOUBLE;
      for (gsize i = 0; i < n; i++)
        {
          self->vmin = MIN (self->vmin, image->pixels[i]);
          self->vmax = MAX (self->vmax, image->pixels[i]);
        }
      sal_image_view_apply_preset (self, SAL_WINDOW_PRESET_DATA);
      sal_image_view_set_fit (self, TRUE);
      apply_fit (self);
    }
  self->lut_dirty = TRUE;
  invalidate (self);
}

const SalImage *
sal_image_view_get_image (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), NULL);
  return self->image;
}

void
sal_image_view_set_attribution (SalImageView *self, const float *attr, int width, int height)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));

  g_clear_pointer (&self->attr, g_free);
  if (attr != NULL && width > 0 && height > 0)
    {
      self->attr = g_memdup2 (attr, (gsize) width * height * sizeof (float));
      self->attr_w = width;
      self->attr_h = height;
    }
  rebuild_overlay (self);
  invalidate (self);
}

gboolean
sal_image_view_has_attribution (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), FALSE);
  return self->attr != NULL;
}

void
sal_image_view_set_overlay_style (SalImageView *self, const SalOverlayStyle *style)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  g_return_if_fail (style != NULL);

  if (memcmp (style, &self->style, sizeof *style) == 0)
    return;
  self->style = *style;
  rebuild_overlay (self);
  invalidate (self);
}

void
sal_image_view_get_overlay_style (SalImageView *self, SalOverlayStyle *style)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  *style = self->style;
}

gboolean
sal_image_view_get_overlay_scale (SalImageView *self, SalOverlayScale *scale)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), FALSE);
  if (self->attr == NULL)
    return FALSE;
  *scale = self->scale;
  return TRUE;
}

double
sal_image_view_get_zoom (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), 1.0);
  return self->state.zoom;
}

void
sal_image_view_set_zoom (SalImageView *self, double zoom)
{
  SalViewState s;

  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  zoom = sal_image_view_clamp_zoom (zoom);
  if (zoom == self->state.zoom)
    return;
  s = self->state;
  s.zoom = zoom;
  user_state (self, &s);
}

void
sal_image_view_set_center (SalImageView *self, double cx, double cy)
{
  SalViewState s;

  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  s = self->state;
  s.cx = cx;
  s.cy = cy;
  user_state (self, &s);
}

void
sal_image_view_get_state (SalImageView *self, SalViewState *state)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  *state = self->state;
}

gboolean
sal_image_view_get_fit (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), FALSE);
  return self->fit;
}

void
sal_image_view_set_fit (SalImageView *self, gboolean fit)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));

  fit = !!fit;
  if (fit == self->fit)
    return;
  self->fit = fit;
  if (fit)
    apply_fit (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIT]);
}

void
sal_image_view_set_window (SalImageView *self, double center, double width)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));

  if (!isfinite (center) || !isfinite (width))
    return;
  width = MAX (width, 1.0);
  if (center == self->wl_center && width == self->wl_width)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  if (center != self->wl_center)
    {
      self->wl_center = center;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_CENTER]);
    }
  if (width != self->wl_width)
    {
      self->wl_width = width;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  self->lut_dirty = TRUE;
  invalidate (self);
}

void
sal_image_view_get_window (SalImageView *self, double *center, double *width)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  *center = self->wl_center;
  *width = self->wl_width;
}

void
sal_image_view_apply_preset (SalImageView *self, SalWindowPreset preset)
{
  double lo, hi;

  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));
  if (self->image == NULL)
    return;
  switch (preset)
    {
    case SAL_WINDOW_PRESET_FULL:
      lo = 0, hi = max_value (self->image);
      break;
    case SAL_WINDOW_PRESET_PERCENTILE:
      {
        gsize n = (gsize) self->image->width * self->image->height * self->image->channels;
        g_autofree guint32 *hist = g_new0 (guint32, 65536);
        gsize acc = 0;
        lo = self->vmin, hi = self->vmax;
        for (gsize i = 0; i < n; i++)
          hist[self->image->pixels[i]]++;
        for (int v = 0; v < 65536; v++)
          {
            gsize before = acc;
            acc += hist[v];
            if (before < n / 100 && acc >= n / 100)
              lo = v;
            if (before < n - n / 100 && acc >= n - n / 100)
              {
                hi = v;
                break;
              }
          }
      }
      break;
    case SAL_WINDOW_PRESET_DATA:
    default:
      lo = self->vmin, hi = self->vmax;
      break;
    }
  /* lo at black, hi at white. */
  sal_image_view_set_window (self, (lo + hi) / 2.0, MAX (1.0, hi - lo));
}

gboolean
sal_image_view_get_invert (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), FALSE);
  return self->invert;
}

void
sal_image_view_set_invert (SalImageView *self, gboolean invert)
{
  g_return_if_fail (SAL_IS_IMAGE_VIEW (self));

  invert = !!invert;
  if (invert == self->invert)
    return;
  self->invert = invert;
  self->lut_dirty = TRUE;
  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INVERT]);
}

gboolean
sal_image_view_probe (SalImageView *self, double x, double y, int *ix, int *iy,
                      double *value, double *attribution)
{
  double fx, fy;
  int px, py;

  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), FALSE);
  if (self->image == NULL)
    return FALSE;
  fx = self->state.cx + (x - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0) / self->state.zoom;
  fy = self->state.cy + (y - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0) / self->state.zoom;
  if (!(fx >= 0 && fy >= 0 && fx < self->image->width && fy < self->image->height))
    return FALSE;
  px = (int) fx, py = (int) fy;
  *ix = px;
  *iy = py;
  *value = pixel_value (self->image, px, py);
  *attribution = NAN;
  if (self->attr != NULL)
    {
      int ax = (int) ((gint64) px * self->attr_w / self->image->width);
      int ay = (int) ((gint64) py * self->attr_h / self->image->height);
      *attribution = self->attr[(gsize) ay * self->attr_w + ax];
    }
  return TRUE;
}

const char *
sal_image_view_get_readout (SalImageView *self)
{
  g_return_val_if_fail (SAL_IS_IMAGE_VIEW (self), NULL);
  return self->readout;
}
