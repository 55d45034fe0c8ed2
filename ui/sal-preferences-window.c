/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "sal-preferences-window.h"
#include "sal-method-names.h"

struct _SalPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings           *settings;

  AdwComboRow         *appearance_row;
  AdwComboRow         *method_row;
  AdwComboRow         *colormap_row;
  GtkScale            *opacity_scale;
  GtkSpinButton       *threads_spin;
};

G_DEFINE_FINAL_TYPE (SalPreferencesWindow, sal_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A choice stored in GSettings by its stable id and shown by its translated name.
 * The order of each table is the order of the combo row. */
typedef struct {
  const char *id;
  const char *name;
} Choice;

static const Choice appearances[] = {
  { "system", N_("Follow System") },
  { "light", N_("Light") },
  { "dark", N_("Dark") },
  { NULL, NULL }
};

/* Named by sal_method_display_name (), like everywhere else. */
static const Choice methods[] = {
  { "gradient", NULL },
  { "gradient-x-input", NULL },
  { "smoothgrad", NULL },
  { "integrated-gradients", NULL },
  { "grad-cam", NULL },
  { "grad-cam-pp", NULL },
  { "occlusion", NULL },
  { "rise", NULL },
  { NULL, NULL }
};

static const Choice colormaps[] = {
  { "viridis", N_("Viridis") },
  { "inferno", N_("Inferno") },
  { "cividis", N_("Cividis") },
  { "diverging", N_("Diverging blue–red") },
  { NULL, NULL }
};

static GListModel *
choice_model (const Choice *choices)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (const Choice *c = choices; c->id != NULL; c++)
    gtk_string_list_append (list, c->name != NULL ? _(c->name) : sal_method_display_name (c->id));
  return G_LIST_MODEL (list);
}

/* GSettings → row: the id's position. An id this version does not know shows the
 * first entry without changing the stored value. */
static gboolean
choice_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const Choice *choices = user_data;
  const char *id = g_variant_get_string (variant, NULL);
  guint i;

  for (i = 0; choices[i].id != NULL; i++)
    if (g_str_equal (choices[i].id, id))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
choice_set_mapping (const GValue *value, const GVariantType *expected_type, gpointer user_data)
{
  const Choice *choices = user_data;
  guint selected = g_value_get_uint (value);

  for (guint i = 0; choices[i].id != NULL; i++)
    if (i == selected)
      return g_variant_new_string (choices[i].id);
  return NULL;  /* GTK_INVALID_LIST_POSITION while the model changes: keep the value */
}

static void
bind_choice (SalPreferencesWindow *self, AdwComboRow *row, const char *key, const Choice *choices)
{
  g_autoptr(GListModel) model = choice_model (choices);

  adw_combo_row_set_model (row, model);
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                choice_get_mapping, choice_set_mapping, (gpointer) choices, NULL);
}

static char *
format_percent (GtkScale *scale, double value, gpointer user_data)
{
  /* Translators: an overlay opacity, e.g. “50 %”; use your language's percent style. */
  return g_strdup_printf (_("%.0f %%"), value * 100.0);
}

static void
sal_preferences_window_constructed (GObject *object)
{
  SalPreferencesWindow *self = SAL_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (sal_preferences_window_parent_class)->constructed (object);
  g_return_if_fail (G_IS_SETTINGS (self->settings));

  bind_choice (self, self->appearance_row, "appearance", appearances);
  bind_choice (self, self->method_row, "default-method", methods);
  bind_choice (self, self->colormap_row, "overlay-colormap", colormaps);
  g_settings_bind (self->settings, "overlay-opacity",
                   gtk_range_get_adjustment (GTK_RANGE (self->opacity_scale)), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "engine-threads",
                   gtk_spin_button_get_adjustment (self->threads_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
}

static void
sal_preferences_window_dispose (GObject *object)
{
  SalPreferencesWindow *self = SAL_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (sal_preferences_window_parent_class)->dispose (object);
}

static void
sal_preferences_window_get_property (GObject *object, guint prop_id, GValue *value,
                                     GParamSpec *pspec)
{
  SalPreferencesWindow *self = SAL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_preferences_window_set_property (GObject *object, guint prop_id, const GValue *value,
                                     GParamSpec *pspec)
{
  SalPreferencesWindow *self = SAL_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sal_preferences_window_class_init (SalPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sal_preferences_window_constructed;
  object_class->dispose = sal_preferences_window_dispose;
  object_class->get_property = sal_preferences_window_get_property;
  object_class->set_property = sal_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SalPreferencesWindow, appearance_row);
  gtk_widget_class_bind_template_child (widget_class, SalPreferencesWindow, method_row);
  gtk_widget_class_bind_template_child (widget_class, SalPreferencesWindow, colormap_row);
  gtk_widget_class_bind_template_child (widget_class, SalPreferencesWindow, opacity_scale);
  gtk_widget_class_bind_template_child (widget_class, SalPreferencesWindow, threads_spin);
}

static void
sal_preferences_window_init (SalPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_scale_set_format_value_func (self->opacity_scale, format_percent, NULL, NULL);
}

SalPreferencesWindow *
sal_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  return g_object_new (SAL_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
