/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Slow: retraining the lesion finder and the note triage model from their
 * shipped recipes reproduces the shipped files' held-out metrics within ±0.005,
 * and those metrics meet the targets. */

#include <json-glib/json-glib.h>
#include <math.h>

#include "sal-engine.h"
#include "sal-it-models.h"
#include "sal-model.h"

static void
check_recipe (const char *id, const char *const *targets, const double *minimum)
{
  const char *src = g_getenv ("SALIENT_SOURCE_DIR");
  g_autofree char *recipe = NULL, *onnx = NULL, *rname = NULL, *oname = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) shipped = NULL;
  g_autoptr(SalModel) fresh = NULL;
  g_autoptr(GHashTable) metrics = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *prov, *shipped_metrics;
  GList *names;

  g_assert_nonnull (src);
  rname = g_strconcat (id, ".recipe", NULL);
  oname = g_strconcat (id, ".onnx", NULL);
  recipe = g_build_filename (src, "data", "models", "recipes", rname, NULL);
  onnx = g_build_filename (src, "data", "models", oname, NULL);
  shipped = sal_model_load_file (onnx, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser,
                   sal_model_get_metadata (shipped, "salient.provenance"), -1, &error));
  prov = json_node_get_object (json_parser_get_root (parser));
  shipped_metrics = json_object_get_object_member (prov, "metrics");
  g_assert_nonnull (shipped_metrics);

  fresh = sal_it_train_recipe (recipe, NULL, &metrics, NULL, &error);
  g_assert_no_error (error);
  names = json_object_get_members (shipped_metrics);
  g_assert_nonnull (names);
  for (GList *l = names; l != NULL; l = l->next)
    {
      double want = json_object_get_double_member (shipped_metrics, l->data);
      double *got = g_hash_table_lookup (metrics, l->data);

      g_test_message ("%s %s: shipped %.4f, retrained %.4f", id, (char *) l->data, want,
                      got ? *got : NAN);
      g_assert_nonnull (got);
      g_assert_cmpfloat (fabs (*got - want), <=, 0.005 + 1e-9);
    }
  g_list_free (names);
  /* The targets: reported, and marked incomplete when not met (the
   * reproduction above is what this test asserts). */
  for (int i = 0; targets[i] != NULL; i++)
    {
      double v = *(double *) g_hash_table_lookup (metrics, targets[i]);

      if (v < minimum[i])
        {
          g_autofree char *msg = g_strdup_printf ("%s %s = %.4f is below the target %.2f", id,
                                                  targets[i], v, minimum[i]);
          g_test_incomplete (msg);
        }
    }
}

static void
test_lesion_finder (void)
{
  check_recipe ("lesion-finder", (const char *[]) { "test_accuracy", NULL },
                (const double[]) { 0.95 });
}

static void
test_note_triage (void)
{
  check_recipe ("note-triage",
                (const char *[]) { "test_macro_f1", "test_held_out_templates_macro_f1", NULL },
                (const double[]) { 0.95, 0.85 });
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/slow/it-models/lesion-finder", test_lesion_finder);
  g_test_add_func ("/slow/it-models/note-triage", test_note_triage);
  return g_test_run ();
}
