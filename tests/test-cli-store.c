/* SPDX-License-Identifier: GPL-3.0-or-later */
/* salient-cli's store commands: cases, workouts, backup, restore, audit, import, export. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sal-audit.h"
#include "sal-store-private.h"
#include "sal-test-util.h"

typedef struct {
  char *dir;
  char *db;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = sal_test_tmpdir ();
  f->db = g_build_filename (f->dir, "cli.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static JsonArray *
parse_array (const char *text, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

static void
seed (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (f->db, &error);
  g_autoptr(SalWorkout) w = sal_workout_new ();

  g_assert_no_error (error);
  g_assert_cmpint (sal_store_add_case (store, "P-17", "Knee \"pain\"", FALSE, &error), >, 0);
  g_assert_cmpint (sal_store_add_case (store, "P-18", "Demo case", TRUE, &error), >, 0);
  g_free (w->sport);
  w->sport = g_strdup ("cycling");
  w->title = g_strdup ("Hill repeats");
  w->start_ms = 1714548600000;   /* 2024-05-01T07:30:00Z */
  w->duration_s = 3600;
  w->distance_m = 31500;
  g_assert_cmpint (sal_store_add_workout (store, w, &error), >, 0);
}

static void
test_lists (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *arr;
  JsonObject *o;

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "cases", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "No cases"));
  g_clear_pointer (&out, g_free);
  seed (f);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "cases", "list", "--json", NULL),
                   ==, 0);
  arr = parse_array (out, parser);
  g_assert_cmpuint (json_array_get_length (arr), ==, 2);
  o = json_array_get_object_element (arr, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "pseudonym"), ==, "P-17");
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==, "Knee \"pain\"");
  g_assert_false (json_object_get_boolean_member (o, "demo"));
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (arr, 0), "demo"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "cases", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "P-17"));
  g_assert_nonnull (strstr (out, "P-18"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "workouts", "list", "--json",
                                     NULL), ==, 0);
  arr = parse_array (out, parser);
  g_assert_cmpuint (json_array_get_length (arr), ==, 1);
  o = json_array_get_object_element (arr, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "sport"), ==, "cycling");
  g_assert_cmpstr (json_object_get_string_member (o, "start"), ==, "2024-05-01T07:30:00Z");
  g_assert_cmpfloat (json_object_get_double_member (o, "distance_m"), ==, 31500);
  g_assert_true (json_object_get_null_member (o, "avg_hr_bpm"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "workouts", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Hill repeats"));
  g_assert_nonnull (strstr (out, "31.50"));

  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "cases", "list", "--xml", NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "--xml"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "workouts", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "list"));
}

static void
test_backup_restore (Fixture *f, gconstpointer data)
{
  g_autofree char *backup = g_build_filename (f->dir, "b.db", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  seed (f);
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "backup", backup, NULL), ==, 0);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  {
    g_autoptr(SalStore) store = sal_store_open (f->db, NULL);
    g_assert_cmpint (sal_store_add_case (store, "P-99", "after", FALSE, NULL), >, 0);
  }

  /* A truncated backup is refused; the database keeps all three cases. */
  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (bad, contents, len / 2, NULL));
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "restore", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "bad.db"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "cases", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "P-99"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "restore", backup, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "cases", "list", NULL), ==, 0);
  g_assert_null (strstr (out, "P-99"));
  g_assert_nonnull (strstr (out, "P-17"));
}

static void
test_audit_verify (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  sqlite3 *db = NULL;

  seed (f);
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "audit", "verify", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "3 entries"));   /* two cases created, one import */
  g_assert_cmpint (sqlite3_open (f->db, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_log_no_update;"
                                     "UPDATE audit_log SET when_ms = when_ms + 1 WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "audit", "verify", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "entry 3"));
}

static char *
fixture_path (const char *sub, const char *name)
{
  return g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "tests", "fixtures", sub, name, NULL);
}

static guint
count_workouts (Fixture *f)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "workouts", "list", "--json",
                                     NULL), ==, 0);
  return json_array_get_length (parse_array (out, parser));
}

static void
test_import_export (Fixture *f, gconstpointer data)
{
  g_autofree char *gpx = fixture_path ("import", "source.gpx");
  g_autofree char *tcx = fixture_path ("import", "handmade.tcx");
  g_autofree char *png = fixture_path ("import/png", "grey16.png");
  g_autofree char *bomb = fixture_path ("malformed", "gpx-billion-laughs.gpx");
  g_autofree char *csv_out = g_build_filename (f->dir, "all.csv", NULL);
  g_autofree char *gpx_out = g_build_filename (f->dir, "one.gpx", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  /* A bad file among good ones: nothing is imported, and the error names it. */
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "import", gpx, bomb, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "gpx-billion-laughs.gpx"));
  g_assert_nonnull (strstr (err, "nothing was imported"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpuint (count_workouts (f), ==, 0);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "import", gpx, tcx, png, NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "image"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (count_workouts (f), >=, 2);
  {
    g_autoptr(SalStore) store = sal_store_open (f->db, NULL);
    g_autoptr(GPtrArray) cases = sal_store_list_cases (store, NULL);
    g_autoptr(GPtrArray) images = NULL;
    g_autoptr(SalStoredImage) image = NULL;

    g_assert_cmpuint (cases->len, ==, 1);
    images = sal_store_list_images (store, ((SalCase *) cases->pdata[0])->id, NULL);
    g_assert_cmpuint (images->len, ==, 1);
    image = sal_store_get_image (store, ((SalStoredImage *) images->pdata[0])->id, NULL);
    g_assert_cmpint (image->bit_depth, ==, 16);
    g_assert_cmpstr (image->source, ==, "grey16.png");
  }
  /* The same file again: all duplicates. */
  {
    guint before = count_workouts (f);
    g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "import", gpx, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "already stored"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpuint (count_workouts (f), ==, before);
  }

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "export", "--format", "csv",
                                     "--output", csv_out, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_true (g_file_get_contents (csv_out, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "sport,start,"));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, count_workouts (f) + 1);
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "--db", f->db, "export", "--format", "gpx",
                                     "--output", gpx_out, "--workout", "1", NULL), ==, 0);
  g_assert_true (g_file_get_contents (gpx_out, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<trkpt"));
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "export", "--format", "xml",
                                     "--output", gpx_out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "xml"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "--db", f->db, "export", "--format", "csv",
                                     "--output", gpx_out, "--workout", "999", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "999"));
  g_clear_pointer (&err, g_free);

  /* Import, image import and both exports are in the audit log, which verifies. */
  {
    g_autoptr(SalStore) store = sal_store_open (f->db, NULL);
    g_autoptr(GPtrArray) entries = sal_audit_list (store, 0, NULL);
    guint n_export = 0, n_import = 0;

    for (guint i = 0; i < entries->len; i++)
      {
        SalAuditEntry *e = entries->pdata[i];
        n_export += strcmp (e->what, "export") == 0;
        n_import += strcmp (e->what, "import") == 0;
      }
    g_assert_cmpuint (n_export, ==, 2);
    g_assert_cmpuint (n_import, ==, 2);
    g_assert_true (sal_audit_verify (store, NULL, NULL, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/app/cli-store/lists", test_lists);
  ADD ("/app/cli-store/backup-restore", test_backup_restore);
  ADD ("/app/cli-store/audit-verify", test_audit_verify);
  ADD ("/app/cli-store/import-export", test_import_export);
#undef ADD
  return g_test_run ();
}
