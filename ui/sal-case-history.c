/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sal-method-names.h"
#include "sal-case-history.h"

/* The History tab of a case: every stored result of its images, notes and
 * measurements, newest first, each with its provenance (model and hash, method,
 * parameters, target, baseline, seed, date). Activating one asks the page to reopen it
 * in its tab ("result-activated"). */
struct _SalCaseHistory
{
  AdwBin      parent_instance;

  GtkStack   *stack;
  GtkLabel   *summary;
  GtkListBox *list;

  SalStore   *store;
  gint64      case_id;
  GArray     *entries;    /* of Entry, in row order */
};

typedef struct {
  gint64        id;
  SalObjectKind kind;
  gint64        object_id;
} Entry;

G_DEFINE_FINAL_TYPE (SalCaseHistory, sal_case_history, ADW_TYPE_BIN)

enum {
  SIGNAL_RESULT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The parameters a person can read: the scalar members of params_json (token lists and
 * other arrays are left out), "name value" joined by commas. */
static char *
format_params (const char *params_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  JsonObject *obj;
  GList *members;

  if (params_json == NULL || !json_parser_load_from_data (parser, params_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  obj = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (obj, l->data);
      GType type;

      if (!JSON_NODE_HOLDS_VALUE (node))
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      type = json_node_get_value_type (node);
      if (type == G_TYPE_STRING)
        g_string_append_printf (out, "%s %s", (const char *) l->data, json_node_get_string (node));
      else if (type == G_TYPE_BOOLEAN)
        g_string_append_printf (out, "%s %s", (const char *) l->data,
                                json_node_get_boolean (node) ? "true" : "false");
      else if (type == G_TYPE_INT64)
        g_string_append_printf (out, "%s %" G_GINT64_FORMAT, (const char *) l->data,
                                json_node_get_int (node));
      else
        g_string_append_printf (out, "%s %g", (const char *) l->data, json_node_get_double (node));
    }
  g_list_free (members);
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static char *
format_date (gint64 ms)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  /* Translators: date and time of a stored result, g_date_time_format syntax. */
  return local != NULL ? g_date_time_format (local, _("%Y-%m-%d %H:%M")) : g_strdup ("");
}

static char *
model_name (SalCaseHistory *self, GHashTable *names, const char *sha256)
{
  const char *name;

  if (sha256 == NULL)
    return g_strdup (_("unknown model"));
  name = g_hash_table_lookup (names, sha256);
  if (name == NULL)
    {
      g_autoptr(SalModelRecord) m = sal_store_find_model_by_sha256 (self->store, sha256, NULL);

      name = m != NULL ? m->name : _("a model no longer in the library");
      g_hash_table_insert (names, g_strdup (sha256), g_strdup (name));
      name = g_hash_table_lookup (names, sha256);
    }
  return g_strdup_printf ("%s (%.12s)", name, sha256);
}

static GtkWidget *
result_row (SalCaseHistory *self, GHashTable *names, const SalExplanationRecord *e,
            const char *object)
{
  g_autofree char *title = NULL;
  g_autofree char *model = model_name (self, names, e->model_sha256);
  g_autofree char *params = format_params (e->params_json);
  g_autofree char *date = format_date (e->created_ms);
  g_autofree char *escaped = NULL;
  g_autoptr(GString) sub = g_string_new (NULL);
  GtkWidget *row;

  /* Translators: a stored result: the explanation method, then what it explains. */
  title = g_strdup_printf (_("%s · %s"), sal_method_display_name (e->method), object);
  g_string_append_printf (sub, _("Model %s"), model);
  g_string_append (sub, "\n");
  g_string_append_printf (sub, _("Target “%s”"), e->target != NULL ? e->target : "");
  g_string_append (sub, " · ");
  if (e->baseline != NULL)
    g_string_append_printf (sub, _("baseline %s"), e->baseline);
  else
    g_string_append (sub, _("no baseline"));
  g_string_append (sub, " · ");
  {
    g_autofree char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, e->seed);
    g_string_append_printf (sub, _("seed %s"), seed);
  }
  g_string_append (sub, " · ");
  g_string_append (sub, date);
  if (params != NULL)
    {
      g_string_append (sub, "\n");
      g_string_append_printf (sub, _("Parameters: %s"), params);
    }

  row = adw_action_row_new ();
  escaped = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  g_free (escaped);
  escaped = g_markup_escape_text (sub->str, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Reopen this result as it was"));
  return row;
}

static int
compare_records (gconstpointer a, gconstpointer b, gpointer data)
{
  GPtrArray *records = data;
  const SalExplanationRecord *x = records->pdata[*(const guint *) a];
  const SalExplanationRecord *y = records->pdata[*(const guint *) b];

  if (x->created_ms != y->created_ms)
    return x->created_ms > y->created_ms ? -1 : 1;
  return x->id > y->id ? -1 : x->id < y->id;
}

/* Appends the object's records to `records` (of SalExplanationRecord) and their
 * object names to `objects`. */
static gboolean
collect (SalCaseHistory *self, SalObjectKind kind, gint64 object_id, const char *object,
         GPtrArray *records, GPtrArray *objects, GError **error)
{
  g_autoptr(GPtrArray) list = sal_store_list_explanations (self->store, kind, object_id, error);

  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      g_ptr_array_add (records, g_steal_pointer (&list->pdata[i]));
      g_ptr_array_add (objects, g_strdup (object));
    }
  return TRUE;
}

void
sal_case_history_reload (SalCaseHistory *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_explanation_record_free);
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *summary = NULL;
  GtkWidget *child;

  g_return_if_fail (SAL_IS_CASE_HISTORY (self));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_array_set_size (self->entries, 0);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  if (self->store == NULL || self->case_id == 0)
    return;

  images = sal_store_list_images (self->store, self->case_id, &error);
  notes = images != NULL ? sal_store_list_notes (self->store, self->case_id, &error) : NULL;
  if (notes == NULL)
    goto fail;
  for (guint i = 0; i < images->len; i++)
    {
      const SalStoredImage *im = images->pdata[i];
      g_autofree char *name = g_strdup_printf (_("image “%s”"),
                                               im->source != NULL ? im->source : _("unnamed"));

      if (!collect (self, SAL_OBJECT_IMAGE, im->id, name, records, objects, &error))
        goto fail;
    }
  for (guint i = 0; i < notes->len; i++)
    {
      const SalNote *n = notes->pdata[i];
      g_autofree char *name = g_strdup_printf (_("note “%s”"),
                                               n->title != NULL ? n->title : _("Untitled note"));

      if (!collect (self, SAL_OBJECT_NOTE, n->id, name, records, objects, &error))
        goto fail;
    }
  if (!collect (self, SAL_OBJECT_CASE, self->case_id, _("measurements"), records, objects,
                &error))
    goto fail;

  /* Newest first across all objects. */
  for (guint i = 0; i < records->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_records, records);
  for (guint i = 0; i < order->len; i++)
    {
      guint k = g_array_index (order, guint, i);
      const SalExplanationRecord *e = records->pdata[k];
      Entry entry = { e->id, e->object_kind, e->object_id };

      gtk_list_box_append (self->list, result_row (self, names, e, objects->pdata[k]));
      g_array_append_val (self->entries, entry);
    }
  if (self->entries->len == 0)
    return;
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stored result. Choose one to reopen it in its tab exactly as it was.",
                                          "%u stored results. Choose one to reopen it in its tab exactly as it was.",
                                          self->entries->len),
                             self->entries->len);
  gtk_label_set_text (self->summary, summary);
  gtk_stack_set_visible_child_name (self->stack, "list");
  return;

fail:
  g_warning ("Could not list the case's results: %s", error->message);
}

void
sal_case_history_set_case (SalCaseHistory *self, SalStore *store, gint64 case_id)
{
  g_return_if_fail (SAL_IS_CASE_HISTORY (self));
  if (store != self->store)
    {
      g_clear_pointer (&self->store, sal_store_unref);
      self->store = store != NULL ? sal_store_ref (store) : NULL;
    }
  self->case_id = case_id;
  sal_case_history_reload (self);
}

guint
sal_case_history_get_n_results (SalCaseHistory *self)
{
  g_return_val_if_fail (SAL_IS_CASE_HISTORY (self), 0);
  return self->entries->len;
}

gint64
sal_case_history_get_result_id (SalCaseHistory *self, guint index)
{
  g_return_val_if_fail (SAL_IS_CASE_HISTORY (self), 0);
  g_return_val_if_fail (index < self->entries->len, 0);
  return g_array_index (self->entries, Entry, index).id;
}

void
sal_case_history_activate (SalCaseHistory *self, guint index)
{
  const Entry *e;

  g_return_if_fail (SAL_IS_CASE_HISTORY (self));
  g_return_if_fail (index < self->entries->len);
  e = &g_array_index (self->entries, Entry, index);
  g_signal_emit (self, signals[SIGNAL_RESULT_ACTIVATED], 0, (int) e->kind, e->object_id, e->id);
}

static void
on_row_activated (GtkListBox *list, GtkListBoxRow *row, SalCaseHistory *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->entries->len)
    sal_case_history_activate (self, (guint) index);
}

static void
sal_case_history_dispose (GObject *object)
{
  /* The bin's child is a bound template child: let AdwBin let go of it first. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SAL_TYPE_CASE_HISTORY);
  G_OBJECT_CLASS (sal_case_history_parent_class)->dispose (object);
}

static void
sal_case_history_finalize (GObject *object)
{
  SalCaseHistory *self = SAL_CASE_HISTORY (object);

  g_clear_pointer (&self->store, sal_store_unref);
  g_array_unref (self->entries);
  G_OBJECT_CLASS (sal_case_history_parent_class)->finalize (object);
}

static void
sal_case_history_class_init (SalCaseHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sal_case_history_dispose;
  object_class->finalize = sal_case_history_finalize;

  /* A result was chosen: its object (SalObjectKind, id) and its explanation record. */
  signals[SIGNAL_RESULT_ACTIVATED] =
    g_signal_new ("result-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT64, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/salient/Salient/sal-case-history.ui");
  gtk_widget_class_bind_template_child (widget_class, SalCaseHistory, stack);
  gtk_widget_class_bind_template_child (widget_class, SalCaseHistory, summary);
  gtk_widget_class_bind_template_child (widget_class, SalCaseHistory, list);
}

static void
sal_case_history_init (SalCaseHistory *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_signal_connect_object (self->list, "row-activated", G_CALLBACK (on_row_activated), self, 0);
}

GtkWidget *
sal_case_history_new (void)
{
  return g_object_new (SAL_TYPE_CASE_HISTORY, NULL);
}
