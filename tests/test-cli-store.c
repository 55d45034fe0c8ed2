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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/app/cli-store/lists", test_lists);
  ADD ("/app/cli-store/backup-restore", test_backup_restore);
  ADD ("/app/cli-store/audit-verify", test_audit_verify);
#undef ADD
  return g_test_run ();
}
