/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include "sal-check-badges.h"   /* first: it pulls in the engine's types */

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-json-util.h"

/* Integrated Gradients add up to f(x) − f(baseline) within this fraction. */
#define COMPLETENESS_PASS 0.05
/* Rank correlation with the map of a model whose top layer was scrambled,
 * below which the map depends on what the model learned. */
#define SANITY_PASS 0.5

typedef struct {
  char           *id;
  SalCheckVerdict verdict;
  char           *explanation;
} Badge;

struct _SalCheckBadges
{
  GtkWidget  parent_instance;
  GtkWidget *flow;
  GtkWidget *note;
  GArray    *badges;   /* Badge */
};

G_DEFINE_FINAL_TYPE (SalCheckBadges, sal_check_badges, GTK_TYPE_WIDGET)

static void
badge_clear (gpointer p)
{
  Badge *b = p;

  g_free (b->id);
  g_free (b->explanation);
}

static void
clear (SalCheckBadges *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->flow)) != NULL)
    gtk_flow_box_remove (GTK_FLOW_BOX (self->flow), child);
  g_array_set_size (self->badges, 0);
  gtk_label_set_text (GTK_LABEL (self->note), "");
  gtk_widget_set_visible (self->note, FALSE);
}

/* A button that shows the verdict (icon and colour) and opens the explanation. */
static void
add_badge (SalCheckBadges *self, const char *id, SalCheckVerdict verdict, const char *label,
           const char *explanation)
{
  Badge b = { g_strdup (id), verdict, g_strdup (explanation) };
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *text = gtk_label_new (explanation);
  g_autofree char *a11y = g_strdup_printf ("%s: %s. %s", label,
                                           verdict == SAL_CHECK_PASS ? _("passed") : _("warning"),
                                           explanation);

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (verdict == SAL_CHECK_PASS
                                                                 ? "emblem-ok-symbolic"
                                                                 : "dialog-warning-symbolic"));
  gtk_box_append (GTK_BOX (box), gtk_label_new (label));
  gtk_menu_button_set_child (GTK_MENU_BUTTON (button), box);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (text), 42);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_popover_set_child (GTK_POPOVER (popover), text);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_add_css_class (button, "sal-badge");
  gtk_widget_add_css_class (button, verdict == SAL_CHECK_PASS ? "pass" : "warn");
  gtk_widget_set_tooltip_text (button, explanation);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_flow_box_append (GTK_FLOW_BOX (self->flow), button);
  g_array_append_val (self->badges, b);
}

static double
checks_number (const char *json, const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  return sal_json_member_double (sal_json_parse_object (json, parser), name);
}

void
sal_check_badges_set_result (SalCheckBadges *self, const SalAttributionResult *r)
{
  g_return_if_fail (SAL_IS_CHECK_BADGES (self));

  clear (self);
  if (r == NULL)
    return;

  if (!isnan (r->completeness_gap))
    {
      double base = checks_number (r->checks_json, "baseline_score");
      double change = isnan (base) ? NAN : r->score - base;
      double rel = isnan (change) ? NAN : r->completeness_gap / MAX (fabs (change), 1e-9);
      gboolean pass = !isnan (rel) && rel <= COMPLETENESS_PASS;
      g_autofree char *label = NULL;
      g_autofree char *text = NULL;

      if (isnan (rel))
        {
          /* Translators: a check badge: the completeness gap of an explanation (a number) */
          label = g_strdup_printf (_("Completeness gap %.3g"), r->completeness_gap);
          text = g_strdup (_("The attributions should add up to the change in the model's score from the baseline to this image; the size of that change was not recorded, so the gap cannot be judged."));
        }
      else
        {
          /* Translators: a check badge: the completeness gap as a percentage */
          label = g_strdup_printf (_("Completeness gap %.1f %%"), 100 * rel);
          text = pass
            ? g_strdup_printf (_("The attributions should add up to the change in the model's score from the baseline to this image (%.3g). They do, within %.1f %%: the map accounts for the whole decision."),
                               change, 100 * rel)
            : g_strdup_printf (_("The attributions should add up to the change in the model's score from the baseline to this image (%.3g). They miss it by %.1f %%: part of the decision is not in the map. More steps usually close the gap."),
                               change, 100 * rel);
        }
      add_badge (self, "completeness", pass ? SAL_CHECK_PASS : SAL_CHECK_WARN, label, text);
    }

  if (!isnan (r->deletion_auc) && !isnan (r->insertion_auc))
    {
      gboolean pass = r->insertion_auc > r->deletion_auc;
      g_autofree char *del_label = g_strdup_printf (_("Deletion AUC %.3g"), r->deletion_auc);
      g_autofree char *ins_label = g_strdup_printf (_("Insertion AUC %.3g"), r->insertion_auc);
      g_autofree char *del_text = NULL;
      g_autofree char *ins_text = NULL;

      del_text = g_strdup_printf (pass
        ? _("The model's mean score while the pixels the map ranks highest are removed first: %.3g. Lower is better. It is below the insertion score (%.3g), so what the map points at does carry the decision.")
        : _("The model's mean score while the pixels the map ranks highest are removed first: %.3g. Lower is better. It is not below the insertion score (%.3g): removing what the map points at hardly changes the decision, so the map may not be faithful."),
        r->deletion_auc, r->insertion_auc);
      ins_text = g_strdup_printf (pass
        ? _("The model's mean score while the pixels the map ranks highest are put back first, starting from the baseline: %.3g. Higher is better. It is above the deletion score (%.3g), so those pixels alone bring the decision back.")
        : _("The model's mean score while the pixels the map ranks highest are put back first, starting from the baseline: %.3g. Higher is better. It is not above the deletion score (%.3g): the pixels the map ranks highest do not bring the decision back, so the map may not be faithful."),
        r->insertion_auc, r->deletion_auc);
      add_badge (self, "deletion", pass ? SAL_CHECK_PASS : SAL_CHECK_WARN, del_label, del_text);
      add_badge (self, "insertion", pass ? SAL_CHECK_PASS : SAL_CHECK_WARN, ins_label, ins_text);
    }

  if (!isnan (r->sanity_rho))
    {
      gboolean pass = r->sanity_rho < SANITY_PASS;
      /* Translators: a check badge: ρ is the rank correlation of the sanity check */
      g_autofree char *label = g_strdup_printf (_("Sanity ρ %.2f"), r->sanity_rho);
      g_autofree char *text = g_strdup_printf (pass
        ? _("The top layer of the model was scrambled and the image explained again. The two maps agree only weakly (rank correlation %.2f), so this map depends on what the model learned, as it should.")
        : _("The top layer of the model was scrambled and the image explained again. The two maps still agree (rank correlation %.2f), so this map would look much the same for a model that learned nothing: it may show the image more than the model's reasoning."),
        r->sanity_rho);

      add_badge (self, "sanity", pass ? SAL_CHECK_PASS : SAL_CHECK_WARN, label, text);
      if (g_strcmp0 (r->method, "gradient-x-input") == 0
          || g_strcmp0 (r->method, "integrated-gradients") == 0)
        {
          gtk_label_set_text (GTK_LABEL (self->note),
                              _("Gradient × Input and Integrated Gradients multiply by the image, so they often track the image itself; a high sanity value is expected for them."));
          gtk_widget_set_visible (self->note, TRUE);
        }
    }
}

guint
sal_check_badges_get_n (SalCheckBadges *self)
{
  return self->badges->len;
}

const char *
sal_check_badges_get_id (SalCheckBadges *self, guint i)
{
  g_return_val_if_fail (i < self->badges->len, NULL);
  return g_array_index (self->badges, Badge, i).id;
}

SalCheckVerdict
sal_check_badges_get_verdict (SalCheckBadges *self, guint i)
{
  g_return_val_if_fail (i < self->badges->len, SAL_CHECK_WARN);
  return g_array_index (self->badges, Badge, i).verdict;
}

const char *
sal_check_badges_get_explanation (SalCheckBadges *self, guint i)
{
  g_return_val_if_fail (i < self->badges->len, NULL);
  return g_array_index (self->badges, Badge, i).explanation;
}

const char *
sal_check_badges_get_note (SalCheckBadges *self)
{
  return gtk_widget_get_visible (self->note) ? gtk_label_get_text (GTK_LABEL (self->note)) : NULL;
}

static void
sal_check_badges_dispose (GObject *object)
{
  SalCheckBadges *self = SAL_CHECK_BADGES (object);

  g_clear_pointer (&self->flow, gtk_widget_unparent);
  g_clear_pointer (&self->note, gtk_widget_unparent);
  G_OBJECT_CLASS (sal_check_badges_parent_class)->dispose (object);
}

static void
sal_check_badges_finalize (GObject *object)
{
  g_array_unref (SAL_CHECK_BADGES (object)->badges);
  G_OBJECT_CLASS (sal_check_badges_parent_class)->finalize (object);
}

static void
sal_check_badges_class_init (SalCheckBadgesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_check_badges_dispose;
  object_class->finalize = sal_check_badges_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "salcheckbadges");
}

static void
sal_check_badges_init (SalCheckBadges *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->badges = g_array_new (FALSE, TRUE, sizeof (Badge));
  g_array_set_clear_func (self->badges, badge_clear);
  self->flow = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (self->flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (self->flow), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (self->flow), 6);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (self->flow), 2);
  gtk_widget_set_parent (self->flow, GTK_WIDGET (self));
  self->note = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->note), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->note), 0);
  gtk_widget_add_css_class (self->note, "caption");
  gtk_widget_set_visible (self->note, FALSE);
  gtk_widget_set_parent (self->note, GTK_WIDGET (self));
}

GtkWidget *
sal_check_badges_new (void)
{
  return g_object_new (SAL_TYPE_CHECK_BADGES, NULL);
}
