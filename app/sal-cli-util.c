/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-cli"

/* Small pieces the subcommands share: option values and JSON output. */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "sal-cli-private.h"
#include "sal-engine.h"

SalModel *
sal_cli_load_model (const char *path, char **sha256, GError **error)
{
  g_autofree char *contents = NULL, *hash = NULL;
  SalModel *model;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, len);
  g_clear_pointer (&contents, g_free);
  model = sal_model_load_file (path, NULL, error);
  if (model != NULL)
    *sha256 = g_steal_pointer (&hash);
  return model;
}

void
sal_cli_add_tensor (JsonBuilder *b, const SalTensor *t)
{
  json_builder_set_member_name (b, "shape");
  json_builder_begin_array (b);
  for (int d = 0; d < t->rank; d++)
    json_builder_add_int_value (b, t->dims[d]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "values");
  json_builder_begin_array (b);
  for (int64_t i = 0; i < t->numel; i++)
    json_builder_add_double_value (b, sal_tensor_get_f64 (t, i));
  json_builder_end_array (b);
}

gboolean
sal_cli_parse_int (const char *s, int lo, int hi, int *out)
{
  char *end;
  gint64 v;

  if (s == NULL)
    return FALSE;
  v = g_ascii_strtoll (s, &end, 10);
  if (*end != '\0' || end == s || v < lo || v > hi)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* NAN and infinities have no JSON form: they are null ("—" in the UI). */
void
sal_cli_add_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

gboolean
sal_cli_write_json (JsonBuilder *b, const char *output, GError **error)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  if (output != NULL)
    return g_file_set_contents (output, text, -1, error);
  printf ("%s\n", text);
  return TRUE;
}
