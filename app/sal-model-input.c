/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-model-input.h"
#include "sal-conformance.h"
#include "sal-preprocess.h"
#include "sal-tokenizer.h"
#include "sal-train.h"

#define MAX_TEXT_BYTES ((gsize) 4 << 20)

/* The shape to give an input: its declared shape with dynamic dims as 1. */
static gboolean
concrete_shape (const SalValueInfo *info, int *rank, int64_t *dims, int64_t *known_numel)
{
  *rank = info->rank;
  *known_numel = 1;
  for (int d = 0; d < info->rank; d++)
    {
      dims[d] = info->dims[d] < 0 ? 1 : info->dims[d];
      *known_numel *= dims[d];
    }
  return info->rank >= 0;
}

/* Numbers of a CSV row or a text list: the first line made of numbers (a
 * header line of names is skipped). */
static SalTensor *
numbers_input (const char *text, const SalValueInfo *info, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  int rank;
  int64_t dims[SAL_MAX_RANK], numel;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  SalTensor *t;

  for (char **l = lines; *l != NULL && values->len == 0; l++)
    {
      g_auto(GStrv) fields = g_strsplit_set (*l, ",;\t ", -1);
      gboolean all_numbers = TRUE;
      g_autoptr(GArray) row = g_array_new (FALSE, FALSE, sizeof (double));

      for (char **f = fields; *f != NULL; f++)
        {
          char *end;
          double v;
          g_strstrip (*f);
          if (**f == '\0')
            continue;
          v = g_ascii_strtod (*f, &end);
          if (*end != '\0' || !isfinite (v))
            {
              all_numbers = FALSE;
              break;
            }
          g_array_append_val (row, v);
        }
      if (all_numbers && row->len > 0)
        g_array_append_vals (values, row->data, row->len);
    }
  if (values->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("The input file holds no row of numbers"));
      return NULL;
    }
  if (!concrete_shape (info, &rank, dims, &numel))
    {
      rank = 2;
      dims[0] = 1;
      dims[1] = values->len;
      numel = values->len;
    }
  if (numel != (int64_t) values->len)
    {
      g_autofree char *shape = sal_shape_to_string (info->rank, info->dims);
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The input row has %u numbers but the model’s input “%s” %s takes %" PRId64),
                   values->len, info->name, shape, numel);
      return NULL;
    }
  t = sal_tensor_new (info->dtype, rank, dims, error);
  if (t == NULL)
    return NULL;
  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);
      switch (info->dtype)
        {
        case SAL_DTYPE_FLOAT: sal_tensor_f32 (t)[i] = (float) v; break;
        case SAL_DTYPE_INT64: sal_tensor_i64 (t)[i] = (int64_t) v; break;
        case SAL_DTYPE_INT32: ((gint32 *) t->data)[i] = (gint32) v; break;
        default: sal_tensor_u8 (t)[i] = (guint8) v; break;
        }
    }
  return t;
}

static SalTensor *
text_input (SalModel *model, const char *text, const SalValueInfo *info, GArray **out_tokens,
            GError **error)
{
  g_autoptr(SalTokenizer) tok = NULL;
  g_autoptr(GArray) tokens = NULL;
  int64_t dims[2] = { 1, 0 };
  int64_t len;
  SalTensor *t;

  if (info->dtype != SAL_DTYPE_INT64 && info->dtype != SAL_DTYPE_INT32)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s input “%s” takes %s values, not words"), info->name,
                   sal_dtype_name (info->dtype));
      return NULL;
    }
  tok = sal_tokenizer_new_from_json (sal_model_get_metadata (model, "salient.vocab"),
                                     sal_model_get_metadata (model, "salient.tokenizer"), error);
  if (tok == NULL)
    return NULL;
  tokens = sal_tokenizer_encode (tok, text);
  if (tokens->len == 0)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("The text holds no words"));
      return NULL;
    }
  /* A fixed sequence length pads or truncates; otherwise the text's length. */
  len = info->rank == 2 && info->dims[1] > 0 ? info->dims[1] : (int64_t) tokens->len;
  dims[1] = len;
  t = sal_tensor_new (info->dtype, 2, dims, error);
  if (t == NULL)
    return NULL;
  for (int64_t i = 0; i < len; i++)
    {
      int64_t id = i < (int64_t) tokens->len ? g_array_index (tokens, SalToken, i).id
                                   : sal_tokenizer_pad_id (tok);
      if (info->dtype == SAL_DTYPE_INT64)
        sal_tensor_i64 (t)[i] = id;
      else
        ((gint32 *) t->data)[i] = (gint32) id;
    }
  if (out_tokens != NULL)
    *out_tokens = g_steal_pointer (&tokens);
  return t;
}

static SalTensor *
image_input (SalModel *model, const SalImage *img, const SalValueInfo *info, GError **error)
{
  SalPreprocess p;

  if (!sal_preprocess_parse (sal_model_get_metadata (model, "salient.preprocess"), &p, error))
    return NULL;
  if (info->dtype != SAL_DTYPE_FLOAT)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s input “%s” takes %s values, not an image"), info->name,
                   sal_dtype_name (info->dtype));
      return NULL;
    }
  return sal_preprocess_image (&p, img, error);
}

SalTensor *
sal_model_input_from_file (SalModel *model, const char *path, GError **error)
{
  SalValueInfo info;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autofree char *contents = NULL;
  gsize len;

  sal_model_get_input (model, 0, &info);
  if (g_str_has_suffix (lower, ".pb"))
    return sal_conformance_load_pb (path, NULL, error);
  if (g_str_has_suffix (lower, ".png"))
    {
      g_autoptr(SalImage) img = sal_image_load_png (path, NULL, error);
      return img != NULL ? image_input (model, img, &info, error) : NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > MAX_TEXT_BYTES)
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_TOO_LARGE, _("“%s” is too large"), path);
      return NULL;
    }
  if (!g_utf8_validate_len (contents, len, NULL))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("“%s” is not UTF-8 text"), path);
      return NULL;
    }
  if (g_str_has_suffix (lower, ".csv") || info.dtype == SAL_DTYPE_FLOAT)
    return numbers_input (contents, &info, error);
  return text_input (model, contents, &info, NULL, error);
}

GPtrArray *
sal_model_labels (SalModel *model)
{
  const char *json = sal_model_get_metadata (model, "salient.labels");
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  JsonArray *a;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return labels;
  a = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      g_ptr_array_add (labels, g_strdup (JSON_NODE_HOLDS_VALUE (n) &&
                                         json_node_get_value_type (n) == G_TYPE_STRING
                                         ? json_node_get_string (n) : ""));
    }
  return labels;
}


SalTensor *
sal_model_input_from_image (SalModel *model, const SalImage *image, GError **error)
{
  SalValueInfo info;

  sal_model_get_input (model, 0, &info);
  return image_input (model, image, &info, error);
}

SalTensor *
sal_model_input_from_text (SalModel *model, const char *text, GArray **tokens, GError **error)
{
  SalValueInfo info;

  sal_model_get_input (model, 0, &info);
  return text_input (model, text, &info, tokens, error);
}

SalTensor *
sal_model_input_from_values (SalModel *model, const double *values, guint n, GError **error)
{
  SalValueInfo info;
  g_autoptr(GString) row = g_string_new (NULL);

  sal_model_get_input (model, 0, &info);
  for (guint i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      if (!isfinite (values[i]))
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID, _("Value %u is not a finite number"), i + 1);
          return NULL;
        }
      g_string_append (row, g_ascii_dtostr (buf, sizeof buf, values[i]));
      g_string_append_c (row, ',');
    }
  return numbers_input (row->str, &info, error);
}

static const char *const kind_ids[] = { "unknown", "image", "note", "measurements", "fitness" };

const char *
sal_input_kind_id (SalInputKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_ids) ? kind_ids[kind] : "unknown";
}

/* A metadata value parsed as JSON; NULL when absent or malformed. */
static JsonNode *
metadata_json (SalModel *model, const char *key)
{
  const char *json = sal_model_get_metadata (model, key);
  g_autoptr(JsonParser) parser = NULL;

  if (json == NULL)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

SalInputKind
sal_model_input_kind (SalModel *model)
{
  g_autoptr(JsonNode) n = metadata_json (model, "salient.input_kind");
  const char *s;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return SAL_INPUT_KIND_UNKNOWN;
  s = json_node_get_string (n);
  for (guint i = 1; i < G_N_ELEMENTS (kind_ids); i++)
    if (g_strcmp0 (s, kind_ids[i]) == 0)
      return (SalInputKind) i;
  return SAL_INPUT_KIND_UNKNOWN;
}

void
sal_feature_info_free (SalFeatureInfo *f)
{
  if (f == NULL)
    return;
  g_free (f->name);
  g_free (f->unit);
  g_free (f->group);
  g_free (f);
}

static double
member_number (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return NAN;
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return json_node_get_double (n);
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return (double) json_node_get_int (n);
  return NAN;
}

static char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (n));
}

GPtrArray *
sal_model_features (SalModel *model)
{
  g_autoptr(JsonNode) n = metadata_json (model, "salient.features");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_feature_info_free);
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return out;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      SalFeatureInfo *f = g_new0 (SalFeatureInfo, 1);
      if (JSON_NODE_HOLDS_OBJECT (e))
        {
          JsonObject *o = json_node_get_object (e);
          f->name = member_string (o, "name");
          f->unit = member_string (o, "unit");
          f->group = member_string (o, "group");
          f->min = member_number (o, "min");
          f->max = member_number (o, "max");
        }
      else
        {
          f->min = f->max = NAN;
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            f->name = g_strdup (json_node_get_string (e));
        }
      if (f->name == NULL)
        f->name = g_strdup_printf ("x%u", i + 1);
      g_ptr_array_add (out, f);
    }
  return out;
}

/* A stored value must be of the kind DESIGN.md gives its key, so that a typo in the
 * user's answers cannot reach the preprocessing or the labels of a prediction. */
static gboolean
check_stored_value (const char *key, JsonNode *value, GError **error)
{
  if (g_strcmp0 (key, "salient.input_kind") == 0)
    {
      const char *s = JSON_NODE_HOLDS_VALUE (value)
                      && json_node_get_value_type (value) == G_TYPE_STRING
                      ? json_node_get_string (value) : NULL;
      for (guint i = 1; s != NULL && i < G_N_ELEMENTS (kind_ids); i++)
        if (g_strcmp0 (s, kind_ids[i]) == 0)
          return TRUE;
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The stored input kind is not one of image, note, measurements or "
                     "fitness"));
      return FALSE;
    }
  if (g_strcmp0 (key, "salient.labels") == 0)
    {
      JsonArray *a = JSON_NODE_HOLDS_ARRAY (value) ? json_node_get_array (value) : NULL;
      for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            a = NULL;
        }
      if (a == NULL)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       _("The stored labels are not a list of names"));
          return FALSE;
        }
      return TRUE;
    }
  if (g_strcmp0 (key, "salient.preprocess") == 0)
    {
      g_autofree char *text = json_to_string (value, FALSE);
      SalPreprocess p;
      return sal_preprocess_parse (text, &p, error);
    }
  return TRUE;
}

gboolean
sal_model_apply_stored_metadata (SalModel *model, const char *metadata_json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) keys = NULL;
  JsonObject *o;

  if (metadata_json == NULL || *metadata_json == '\0')
    return TRUE;
  if (!json_parser_load_from_data (parser, metadata_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                   _("The model’s stored settings are damaged; set them again on the Models "
                     "page"));
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  keys = json_object_get_members (o);
  /* Check everything before changing anything. */
  for (GList *l = keys; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, "salient.")
        && !check_stored_value (l->data, json_object_get_member (o, l->data), error))
      return FALSE;
  for (GList *l = keys; l != NULL; l = l->next)
    if (g_str_has_prefix (l->data, "salient."))
      {
        g_autofree char *raw = json_to_string (json_object_get_member (o, l->data), FALSE);
        sal_model_set_metadata (model, l->data, raw);
      }
  return TRUE;
}

SalModel *
sal_model_load_with_metadata (const char *path, const char *metadata_json, GError **error)
{
  g_autoptr(SalModel) model = sal_model_load_file (path, NULL, error);

  if (model == NULL || !sal_model_apply_stored_metadata (model, metadata_json, error))
    return NULL;
  return g_steal_pointer (&model);
}

SalTensor *
sal_background_from_csv (const char *path, GPtrArray *features, guint n_columns, int max_rows,
                         GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree int *col = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(SalTensor) t = NULL;
  guint first = 0, take, M = n_columns;
  gboolean named = features->len == M;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  while (lines[first] != NULL && (lines[first][0] == '#' || g_strstrip (lines[first])[0] == '\0'))
    first++;
  if (lines[first] == NULL)
    goto bad;
  col = g_new (int, M);
  header = g_strsplit (g_strstrip (lines[first]), ",", -1);
  if (named)
    {
      for (guint f = 0; f < M; f++)
        {
          const SalFeatureInfo *fi = features->pdata[f];
          col[f] = -1;
          for (guint c = 0; header[c] != NULL; c++)
            if (g_str_equal (g_strstrip (header[c]), fi->name))
              col[f] = (int) c;
          if (col[f] < 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The background data “%s” has no column “%s”"), path, fi->name);
              return NULL;
            }
        }
      first++;
    }
  else
    {
      char *end = NULL;
      for (guint f = 0; f < M; f++)
        col[f] = (int) f;
      /* a header line of names is skipped */
      g_ascii_strtod (header[0], &end);
      if (end == header[0])
        first++;
    }
  for (guint i = first; lines[i] != NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0' && lines[i][0] != '#')
      g_ptr_array_add (rows, lines[i]);
  if (rows->len == 0)
    goto bad;
  take = MIN (rows->len, (guint) max_rows);
  t = sal_tensor_new_f32 (2, (int64_t[]) { take, M });
  for (guint r = 0; r < take; r++)
    {
      g_auto(GStrv) cells = g_strsplit (rows->pdata[(gsize) r * rows->len / take], ",", -1);
      guint n_cells = g_strv_length (cells);

      for (guint f = 0; f < M; f++)
        {
          char *end = NULL;
          double v = (guint) col[f] < n_cells ? g_ascii_strtod (cells[col[f]], &end) : NAN;

          if (end == NULL || end == cells[col[f]] || !isfinite (v))
            goto bad;
          sal_tensor_f32 (t)[(gsize) r * M + f] = (float) v;
        }
    }
  return g_steal_pointer (&t);

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               named ? _("The background data “%s” is not a table of numbers with a header")
                     : _("The background data “%s” is not a table of %u numbers per row"),
               path, M);
  return NULL;
}

GPtrArray *
sal_model_class_labels (SalModel *model, guint n)
{
  g_autoptr(GPtrArray) named = sal_model_labels (model);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, i < named->len ? g_strdup (g_ptr_array_index (named, i))
                                         /* Translators: an unnamed output class */
                                         : g_strdup_printf (_("class %u"), i));
  return out;
}
