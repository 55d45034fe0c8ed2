/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sal-json-util.h"
#include "sal-model-describe.h"

/* Order of the kind list; ids as in DESIGN.md's salient.input_kind. */
static const char *const kind_ids[] = { "image", "note", "measurements", "fitness" };
static const char *const resize_ids[] = { "bilinear", "letterbox" };

typedef struct {
  SalModelDescribeNeeds needs;
  GtkDropDown *kind;
  GtkEntry    *labels;
  GtkDropDown *resize;
  GtkDropDown *scaling;
  GtkWidget   *image_box;
} Describe;

static void
describe_free (Describe *d)
{
  g_free ((char *) d->needs.input_kind);
  g_free (d);
}

static const char *
chosen_kind (Describe *d)
{
  if (d->kind != NULL)
    {
      guint i = gtk_drop_down_get_selected (d->kind);
      return i < G_N_ELEMENTS (kind_ids) ? kind_ids[i] : NULL;
    }
  return d->needs.input_kind;
}

static void
update_image_box (Describe *d)
{
  gtk_widget_set_visible (d->image_box, d->needs.need_preprocess
                                        && g_strcmp0 (chosen_kind (d), "image") == 0);
}

static GtkWidget *
labelled (GtkWidget *box, const char *mnemonic, GtkWidget *field)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), field);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), field);
  return field;
}

GtkWidget *
sal_model_describe_dialog_new (GtkWindow *parent, const char *model_name,
                               const SalModelDescribeNeeds *needs)
{
  g_autofree char *body = g_strdup_printf (_("The file of “%s” does not say everything Salient "
                                             "needs to use it. Tell it what the model expects; "
                                             "this is stored with the model in the library."),
                                           model_name);
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Describe the Model"), body);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  Describe *d = g_new0 (Describe, 1);

  d->needs = *needs;
  d->needs.input_kind = g_strdup (needs->input_kind);
  if (needs->need_kind)
    {
      const char *names[] = { N_("Image"), N_("Clinical note"), N_("Measurements"),
                              N_("Fitness features"), NULL };
      const char *shown[G_N_ELEMENTS (names)];
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        shown[i] = names[i] != NULL ? _(names[i]) : NULL;
      d->kind = GTK_DROP_DOWN (labelled (box, _("_Input kind"), gtk_drop_down_new_from_strings (shown)));
      /* A 4-D float input is most likely an image; else measurements. */
      gtk_drop_down_set_selected (d->kind, needs->image_channels > 0 ? 0 : 2);
      gtk_widget_set_name (GTK_WIDGET (d->kind), "input-kind");
    }
  if (needs->need_labels)
    {
      g_autofree char *hint = needs->n_classes > 0
        ? g_strdup_printf (ngettext ("%d name, separated by commas",
                                     "%d names in output order, separated by commas",
                                     needs->n_classes), needs->n_classes)
        : g_strdup (_("Names in output order, separated by commas"));
      d->labels = GTK_ENTRY (labelled (box, _("Class _labels"), gtk_entry_new ()));
      gtk_entry_set_placeholder_text (d->labels, hint);
      gtk_widget_set_name (GTK_WIDGET (d->labels), "labels");
      gtk_entry_set_activates_default (d->labels, TRUE);
    }
  d->image_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  {
    const char *resize[] = { _("Stretch to the input size"), _("Keep the aspect ratio (letterbox)"),
                             NULL };
    const char *scaling[] = { _("Image minimum to maximum → 0 to 1"),
                              _("1st to 99th percentile → 0 to 1"), NULL };
    d->resize = GTK_DROP_DOWN (labelled (d->image_box, _("_Resize"),
                                         gtk_drop_down_new_from_strings (resize)));
    d->scaling = GTK_DROP_DOWN (labelled (d->image_box, _("Intensity _scaling"),
                                          gtk_drop_down_new_from_strings (scaling)));
    gtk_widget_set_name (GTK_WIDGET (d->resize), "resize");
    gtk_widget_set_name (GTK_WIDGET (d->scaling), "scaling");
  }
  gtk_box_append (GTK_BOX (box), d->image_box);
  g_object_set_data_full (G_OBJECT (dialog), "sal-describe", d, (GDestroyNotify) describe_free);
  if (d->kind != NULL)
    g_signal_connect_swapped (d->kind, "notify::selected", G_CALLBACK (update_image_box), d);
  update_image_box (d);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel Import"),
                                    "import", _("_Import"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

char *
sal_model_describe_dialog_get_json (GtkWidget *dialog, GError **error)
{
  Describe *d = g_object_get_data (G_OBJECT (dialog), "sal-describe");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *kind;

  g_return_val_if_fail (d != NULL, NULL);
  kind = chosen_kind (d);
  json_builder_begin_object (b);
  if (d->kind != NULL && kind != NULL)
    {
      json_builder_set_member_name (b, "salient.input_kind");
      json_builder_add_string_value (b, kind);
    }
  if (d->labels != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (d->labels)), ",", -1);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        if (*g_strstrip (parts[i]) != '\0')
          g_ptr_array_add (names, parts[i]);
      if (names->len > 0 && d->needs.n_classes > 0 && names->len != (guint) d->needs.n_classes)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       ngettext ("The model has %d output class but %u labels were given",
                                 "The model has %d output classes but %u labels were given",
                                 d->needs.n_classes),
                       d->needs.n_classes, names->len);
          return NULL;
        }
      if (names->len > 0)
        {
          json_builder_set_member_name (b, "salient.labels");
          json_builder_begin_array (b);
          for (guint i = 0; i < names->len; i++)
            json_builder_add_string_value (b, g_ptr_array_index (names, i));
          json_builder_end_array (b);
        }
    }
  if (d->needs.need_preprocess && g_strcmp0 (kind, "image") == 0)
    {
      if (d->needs.image_channels <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The model’s first input is not an image of 1 or 3 channels with a "
                         "fixed size; choose another input kind"));
          return NULL;
        }
      json_builder_set_member_name (b, "salient.preprocess");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "channels");
      json_builder_add_int_value (b, d->needs.image_channels);
      json_builder_set_member_name (b, "size");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, d->needs.image_height);
      json_builder_add_int_value (b, d->needs.image_width);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "resize");
      json_builder_add_string_value (b, resize_ids[MIN (gtk_drop_down_get_selected (d->resize),
                                                        G_N_ELEMENTS (resize_ids) - 1)]);
      json_builder_set_member_name (b, "scaling");
      if (gtk_drop_down_get_selected (d->scaling) == 1)
        {
          json_builder_add_string_value (b, "percentile");
          json_builder_set_member_name (b, "low");
          json_builder_add_double_value (b, 1.0);
          json_builder_set_member_name (b, "high");
          json_builder_add_double_value (b, 99.0);
        }
      else
        json_builder_add_string_value (b, "minmax");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return sal_json_builder_to_string (b);
}
