/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sal-audit.h"
#include "sal-store-private.h"
#include "sal-test-util.h"

typedef struct {
  char     *dir;
  char     *path;
  SalStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = sal_test_tmpdir ();
  f->path = g_build_filename (f->dir, "test.db", NULL);
  f->store = sal_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->store, sal_store_unref);
  sal_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->store, sal_store_unref);
  f->store = sal_store_open (f->path, &error);
  g_assert_no_error (error);
}

static int
raw_int (SalStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int v = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static SalWorkout *
make_workout (const char *sport, gint64 start_ms, double duration_s, double distance_m,
              guint n_samples)
{
  SalWorkout *w = sal_workout_new ();

  g_free (w->sport);
  w->sport = g_strdup (sport);
  w->title = g_strdup ("Morning run");
  w->start_ms = start_ms;
  w->duration_s = duration_s;
  w->distance_m = distance_m;
  w->avg_hr_bpm = 141.5;
  w->source = g_strdup ("run.gpx");
  for (guint i = 0; i < n_samples; i++)
    {
      SalSample s = sal_sample_empty ();

      s.time_ms = start_ms + i * 1000;
      s.lat_deg = 52.0 + i * 1e-5;
      s.lon_deg = 13.0 - i * 1e-5;
      s.elevation_m = 30.0 + (i % 7);
      s.distance_m = i * 2.9;
      s.heart_rate_bpm = (i % 3 == 0) ? NAN : 120 + (i % 40);
      s.cadence_rpm = 85;
      s.power_w = 200 + (i % 50);
      g_array_append_val (w->samples, s);
    }
  if (n_samples > 0)
    {
      SalLap lap = { start_ms, duration_s, distance_m, 140, 171 };
      g_array_append_val (w->laps, lap);
    }
  return w;
}

/* ---- migrations ------------------------------------------------------------------ */

static void
test_migrations (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *newer = g_build_filename (f->dir, "newer.db", NULL);
  sqlite3 *db = NULL;
  SalStore *s;
  int latest = sal_store_get_latest_schema_version ();

  g_assert_cmpint (latest, >=, 2);
  g_assert_cmpint (sal_store_get_schema_version (f->store), ==, latest);
  g_assert_cmpint (raw_int (f->store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (raw_int (f->store, "PRAGMA secure_delete"), ==, 1);
  g_assert_cmpint (raw_int (f->store, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                      "'notes_fts'"), ==, 1);
  reopen (f);
  g_assert_cmpint (sal_store_get_schema_version (f->store), ==, latest);

  /* A migration that fails is rolled back whole: 002 meets a table in its way. */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE cases_fts (x)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  s = sal_store_open (other, &error);
  g_assert_null (s);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "schema version 2"));
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt;
    sqlite3_prepare_v2 (db, "SELECT (SELECT user_version FROM pragma_user_version), "
                            "(SELECT count(*) FROM sqlite_schema WHERE name = 'notes_fts'), "
                            "(SELECT count(*) FROM sqlite_schema WHERE name = 'cases')",
                        -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 1);
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);

  /* A database from the future is refused, untouched. */
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  s = sal_store_open (newer, &error);
  g_assert_null (s);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_TOO_NEW);
  g_clear_error (&error);

  /* Not a database at all. */
  g_assert_true (g_file_set_contents (newer, "this is a text file, not SQLite, and it is long "
                                      "enough to have a header ................", -1, NULL));
  s = sal_store_open (newer, &error);
  g_assert_null (s);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT);
}

/* ---- clinic records --------------------------------------------------------------- */

static void
test_cases_notes_images (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(SalCase) c = NULL;
  g_autoptr(SalNote) note = NULL;
  g_autoptr(SalStoredImage) stored = NULL;
  g_autoptr(SalImage) image = sal_image_new (3, 2, 1, 16);
  SalImage bad = { 3, 0, 1, 16, NULL };
  SalMeasurement m[3] = {
    { "radius_mean", 17.99, "mm" }, { "texture_mean", 10.38, NULL }, { "area_mean", NAN, NULL },
  };
  gint64 a, b, n1, n2, img;

  a = sal_store_add_case (f->store, NULL, "Left breast mass", FALSE, &error);
  g_assert_no_error (error);
  b = sal_store_add_case (f->store, "P-0002", "Follow-up", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, a);
  g_assert_cmpint (sal_store_add_case (f->store, "P-0002", "again", FALSE, &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "P-0002"));
  g_clear_error (&error);

  c = sal_store_get_case (f->store, a, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (c->pseudonym, "C-"));
  g_assert_cmpuint (strlen (c->pseudonym), ==, 8);
  g_assert_cmpstr (c->title, ==, "Left breast mass");
  g_assert_false (c->demo);
  g_assert_true (sal_store_update_case (f->store, a, "Right breast mass", &error));
  g_clear_pointer (&c, sal_case_free);
  c = sal_store_get_case (f->store, a, &error);
  g_assert_cmpstr (c->title, ==, "Right breast mass");
  g_assert_null (sal_store_get_case (f->store, 9999, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  cases = sal_store_list_cases (f->store, &error);
  g_assert_cmpuint (cases->len, ==, 2);
  g_assert_cmpint (((SalCase *) cases->pdata[0])->id, ==, b);   /* newest first */
  g_assert_true (((SalCase *) cases->pdata[0])->demo);

  n1 = sal_store_add_note (f->store, a, "Referral", "Palpable lump, 2 cm.", &error);
  n2 = sal_store_add_note (f->store, a, "Biopsy", "Core biopsy planned.", &error);
  g_assert_no_error (error);
  g_assert_true (sal_store_update_note (f->store, n2, "Biopsy", "Core biopsy done.", &error));
  note = sal_store_get_note (f->store, n2, &error);
  g_assert_cmpstr (note->text, ==, "Core biopsy done.");
  g_assert_cmpint (note->case_id, ==, a);
  notes = sal_store_list_notes (f->store, a, &error);
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_cmpint (((SalNote *) notes->pdata[0])->id, ==, n1);
  /* Foreign keys are on: a note of no case is refused. */
  g_assert_cmpint (sal_store_add_note (f->store, 4242, "x", "y", &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);

  for (guint i = 0; i < 6; i++)
    image->pixels[i] = (guint16) (i * 10000 + 7);
  img = sal_store_add_image (f->store, a, "slice.png", image, &error);
  g_assert_no_error (error);
  stored = sal_store_get_image (f->store, img, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stored->width, ==, 3);
  g_assert_cmpint (stored->height, ==, 2);
  g_assert_cmpint (stored->bit_depth, ==, 16);
  g_assert_cmpstr (stored->source, ==, "slice.png");
  g_assert_cmpint (stored->image->channels, ==, 1);
  g_assert_cmpmem (stored->image->pixels, 12, image->pixels, 12);
  g_assert_cmpint (sal_store_add_image (f->store, a, NULL, &bad, &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  rows = sal_store_list_images (f->store, a, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_null (((SalStoredImage *) rows->pdata[0])->image);
  g_clear_pointer (&rows, g_ptr_array_unref);

  g_assert_true (sal_store_set_measurements (f->store, a, m, 3, &error));
  m[0].value = 18.5;
  g_assert_true (sal_store_set_measurements (f->store, a, m, 1, &error));
  rows = sal_store_list_measurements (f->store, a, &error);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (((SalMeasurement *) rows->pdata[0])->name, ==, "area_mean");
  g_assert_true (isnan (((SalMeasurement *) rows->pdata[0])->value));
  g_assert_cmpfloat (((SalMeasurement *) rows->pdata[1])->value, ==, 18.5);
  g_assert_cmpstr (((SalMeasurement *) rows->pdata[1])->unit, ==, "mm");
  g_assert_null (((SalMeasurement *) rows->pdata[2])->unit);
}

/* ---- fitness records -------------------------------------------------------------- */

static void
test_workouts (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalWorkout) w = make_workout ("running", 1700000000000, 3600, 10000, 500);
  g_autoptr(SalWorkout) again = make_workout ("running", 1700000020000, 3630, 10100, 0);
  g_autoptr(SalWorkout) other = make_workout ("cycling", 1700000000000, 3600, 10000, 0);
  g_autoptr(SalWorkout) back = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GPtrArray) list = NULL;
  guint added = 99, dups = 99;
  gint64 id;

  id = sal_store_add_workout (f->store, w, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (w->id, ==, id);
  back = sal_store_get_workout (f->store, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sport, ==, "running");
  g_assert_cmpstr (back->title, ==, "Morning run");
  g_assert_cmpint (back->start_ms, ==, w->start_ms);
  g_assert_cmpfloat (back->avg_hr_bpm, ==, 141.5);
  g_assert_true (isnan (back->max_hr_bpm));
  g_assert_true (isnan (back->rpe));
  g_assert_cmpuint (back->samples->len, ==, 500);
  g_assert_cmpuint (back->laps->len, ==, 1);
  for (guint i = 0; i < 500; i++)
    {
      SalSample *x = &g_array_index (w->samples, SalSample, i);
      SalSample *y = &g_array_index (back->samples, SalSample, i);

      g_assert_cmpint (x->time_ms, ==, y->time_ms);
      g_assert_cmpfloat (x->lat_deg, ==, y->lat_deg);
      g_assert_cmpfloat (x->lon_deg, ==, y->lon_deg);
      g_assert_cmpfloat (x->power_w, ==, y->power_w);
      g_assert_true (isnan (x->heart_rate_bpm) == isnan (y->heart_rate_bpm));
      if (!isnan (x->heart_rate_bpm))
        g_assert_cmpfloat (x->heart_rate_bpm, ==, y->heart_rate_bpm);
      g_assert_true (isnan (y->speed_mps));
    }
  g_assert_cmpfloat (g_array_index (back->laps, SalLap, 0).max_hr_bpm, ==, 171);

  /* The same run from another file (20 s later start, 1 % longer): a duplicate. */
  g_assert_cmpint (sal_store_find_duplicate_workout (f->store, again, &error), ==, id);
  g_assert_cmpint (sal_store_add_workout (f->store, again, &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);
  g_assert_cmpint (sal_store_find_duplicate_workout (f->store, other, &error), ==, 0);

  /* A batch is all or nothing: the third workout is invalid. */
  g_ptr_array_add (batch, make_workout ("walking", 1700100000000, 1800, 3000, 50));
  g_ptr_array_add (batch, make_workout ("cycling", 1700200000000, 5400, 40000, 50));
  g_ptr_array_add (batch, make_workout ("running", 1700300000000, 1200, 4000, 50));
  ((SalWorkout *) batch->pdata[2])->rpe = 11;
  g_assert_false (sal_store_add_workouts (f->store, batch, FALSE, &added, &dups, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Workout 3"));
  g_clear_error (&error);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 1);
  g_assert_cmpint (((SalWorkout *) batch->pdata[0])->id, ==, 0);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM workout_samples"), ==, 500);

  /* Same batch, valid, plus a duplicate of the first run: 3 added, 1 skipped. */
  ((SalWorkout *) batch->pdata[2])->rpe = 6;
  g_ptr_array_add (batch, g_steal_pointer (&again));
  g_assert_true (sal_store_add_workouts (f->store, batch, FALSE, &added, &dups, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 3);
  g_assert_cmpuint (dups, ==, 1);
  g_assert_cmpint (((SalWorkout *) batch->pdata[3])->id, ==, 0);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 4);
  list = sal_store_list_workouts (f->store, 1700050000000, 1700250000000, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((SalWorkout *) list->pdata[0])->sport, ==, "walking");
  g_assert_cmpuint (((SalWorkout *) list->pdata[0])->samples->len, ==, 0);

  /* Edit. */
  back->rpe = 7;
  g_free (back->title);
  back->title = g_strdup ("Tempo");
  g_assert_true (sal_store_update_workout (f->store, back, &error));
  g_clear_pointer (&back, sal_workout_free);
  back = sal_store_get_workout (f->store, id, FALSE, &error);
  g_assert_cmpfloat (back->rpe, ==, 7);
  g_assert_cmpstr (back->title, ==, "Tempo");
  g_assert_cmpuint (back->samples->len, ==, 0);

  /* Deleting: hidden at once, samples and laps gone with the purge; a re-import after
   * the deletion is no duplicate. */
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_WORKOUT, id, &error));
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 3);
  g_assert_cmpint (sal_store_find_duplicate_workout (f->store, w, &error), ==, 0);
  g_assert_true (sal_store_purge_deleted (f->store, G_MAXINT64, NULL, &error));
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM workout_samples"), ==, 150);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM workout_laps"), ==, 3);
  g_assert_false (sal_store_mark_deleted (f->store, SAL_OBJECT_WORKOUT, id, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
}

static void
test_athlete_wellness (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalAthlete) a = sal_athlete_new ();
  g_autoptr(SalAthlete) back = NULL;
  g_autoptr(SalWellness) w = sal_wellness_new ("2026-11-02");
  g_autoptr(GPtrArray) rows = NULL;
  SalPerformanceTest t = { 0, "ftp", 1700000000000, 251, "W", NULL };
  SalHrZone zones[] = { { 1, 100, 130 }, { 2, 130, 150 }, { 3, 150, 165 } };

  g_assert_null (sal_store_get_athlete (f->store, &error));
  g_assert_no_error (error);
  a->name = g_strdup ("Me");
  a->birth_year = 1990;
  a->max_hr_bpm = 188;
  g_array_append_vals (a->zones, zones, 3);
  g_assert_true (sal_store_set_athlete (f->store, a, &error));
  back = sal_store_get_athlete (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, "Me");
  g_assert_cmpint (back->birth_year, ==, 1990);
  g_assert_cmpfloat (back->max_hr_bpm, ==, 188);
  g_assert_true (isnan (back->ftp_w));
  g_assert_cmpuint (back->zones->len, ==, 3);
  g_assert_cmpfloat (g_array_index (back->zones, SalHrZone, 2).high_bpm, ==, 165);
  /* A zone with low >= high is refused and the old profile stays. */
  g_array_index (a->zones, SalHrZone, 1).high_bpm = 120;
  a->max_hr_bpm = 190;
  g_assert_false (sal_store_set_athlete (f->store, a, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&back, sal_athlete_free);
  back = sal_store_get_athlete (f->store, &error);
  g_assert_cmpfloat (back->max_hr_bpm, ==, 188);
  g_assert_cmpuint (back->zones->len, ==, 3);

  w->sleep_h = 7.5;
  w->fatigue = 2;
  g_assert_true (sal_store_set_wellness (f->store, w, FALSE, &error));
  w->sleep_h = 6;
  g_assert_true (sal_store_set_wellness (f->store, w, FALSE, &error));
  g_free (w->day);
  w->day = g_strdup ("2026-11-05");
  g_assert_true (sal_store_set_wellness (f->store, w, FALSE, &error));
  g_free (w->day);
  w->day = g_strdup ("yesterday");
  g_assert_false (sal_store_set_wellness (f->store, w, FALSE, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  rows = sal_store_list_wellness (f->store, "2026-11-01", "2026-11-03", &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpfloat (((SalWellness *) rows->pdata[0])->sleep_h, ==, 6);
  g_assert_true (isnan (((SalWellness *) rows->pdata[0])->mood));
  g_clear_pointer (&rows, g_ptr_array_unref);

  g_assert_cmpint (sal_store_add_performance_test (f->store, &t, TRUE, &error), >, 0);
  t.kind = "vo2max";
  g_assert_cmpint (sal_store_add_performance_test (f->store, &t, FALSE, &error), >, 0);
  rows = sal_store_list_performance_tests (f->store, "ftp", &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpfloat (((SalPerformanceTest *) rows->pdata[0])->value, ==, 251);
  g_clear_pointer (&rows, g_ptr_array_unref);
  /* Demo data goes in one action. */
  g_assert_true (sal_store_delete_demo_data (f->store, &error));
  rows = sal_store_list_performance_tests (f->store, NULL, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((SalPerformanceTest *) rows->pdata[0])->kind, ==, "vo2max");
}

/* ---- models, jobs, explanations --------------------------------------------------- */

static void
test_models (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *models = g_build_filename (f->dir, "models", NULL);
  g_autofree char *a = g_build_filename (models, "lesion-finder.onnx", NULL);
  g_autofree char *b = g_build_filename (models, "readiness.onnx", NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "model A bytes", -1);
  g_autofree char *sum2 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "model A v2", -1);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(SalModelRecord) m = NULL;
  guint n_new = 99;

  g_assert_cmpint (g_mkdir (models, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a, "model A bytes", -1, NULL));
  g_assert_true (g_file_set_contents (b, "model B bytes", -1, NULL));
  g_assert_true (sal_store_register_models_in_dir (f->store, models, &n_new, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_new, ==, 2);
  g_assert_true (sal_store_register_models_in_dir (f->store, models, &n_new, &error));
  g_assert_cmpuint (n_new, ==, 0);
  list = sal_store_list_models (f->store, &error);
  g_assert_cmpuint (list->len, ==, 2);
  m = sal_store_find_model_by_sha256 (f->store, sum, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->name, ==, "lesion-finder");
  g_assert_true (m->shipped);
  g_assert_cmpstr (m->metadata_json, ==, "{}");
  g_clear_pointer (&m, sal_model_record_free);

  /* A newer shipped file replaces the hash, keeps the row. */
  g_assert_true (g_file_set_contents (a, "model A v2", -1, NULL));
  g_assert_true (sal_store_register_models_in_dir (f->store, models, &n_new, &error));
  g_assert_cmpuint (n_new, ==, 0);
  m = sal_store_find_model_by_sha256 (f->store, sum2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->id, ==, ((SalModelRecord *) list->pdata[0])->id);
  g_clear_pointer (&m, sal_model_record_free);

  g_assert_cmpint (sal_store_put_model (f->store, "mine", "/tmp/mine.onnx", sum, FALSE,
                                        "{\"salient.task\": \"classification\"}", &error), >, 0);
  g_assert_cmpint (sal_store_put_model (f->store, "bad", "/tmp/bad.onnx", sum, FALSE, "{not json",
                                        &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sal_store_register_models_in_dir (f->store, "/nonexistent/models", NULL,
                                                    &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
}

static void
test_jobs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(SalJobRecord) j = NULL;
  gint64 batch, interactive, done;

  batch = sal_store_add_job (f->store, "train", "{\"epochs\": 3}", 0, &error);
  interactive = sal_store_add_job (f->store, "explain", NULL, 10, &error);
  done = sal_store_add_job (f->store, "import", NULL, 0, &error);
  g_assert_no_error (error);
  queued = sal_store_list_jobs (f->store, SAL_JOB_QUEUED, &error);
  g_assert_cmpuint (queued->len, ==, 3);
  g_assert_cmpint (((SalJobRecord *) queued->pdata[0])->id, ==, interactive);
  g_assert_cmpint (((SalJobRecord *) queued->pdata[1])->id, ==, batch);

  g_assert_true (sal_store_set_job_state (f->store, batch, SAL_JOB_RUNNING, NULL, NULL, &error));
  g_assert_true (sal_store_set_job_progress (f->store, batch, 0.4, &error));
  g_assert_true (sal_store_set_job_state (f->store, done, SAL_JOB_RUNNING, NULL, NULL, &error));
  g_assert_true (sal_store_set_job_state (f->store, done, SAL_JOB_DONE, NULL, "{\"n\": 4}",
                                          &error));
  g_assert_false (sal_store_set_job_state (f->store, done, SAL_JOB_DONE, NULL, "oops", &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (sal_store_set_job_progress (f->store, 777, 0.5, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A crash leaves the job running: the next open marks it interrupted, retryable. */
  reopen (f);
  g_assert_cmpuint (sal_store_get_n_interrupted_at_open (f->store), ==, 1);
  j = sal_store_get_job (f->store, batch, &error);
  g_assert_cmpint (j->state, ==, SAL_JOB_INTERRUPTED);
  g_assert_cmpfloat (j->progress, ==, 0.4);
  g_assert_cmpint (j->finished_ms, >, 0);
  g_clear_pointer (&j, sal_job_record_free);
  j = sal_store_get_job (f->store, done, &error);
  g_assert_cmpint (j->state, ==, SAL_JOB_DONE);
  g_assert_cmpfloat (j->progress, ==, 1.0);
  g_assert_cmpstr (j->result_json, ==, "{\"n\": 4}");
  g_clear_pointer (&j, sal_job_record_free);
  g_assert_true (sal_store_retry_job (f->store, batch, &error));
  j = sal_store_get_job (f->store, batch, &error);
  g_assert_cmpint (j->state, ==, SAL_JOB_QUEUED);
  g_assert_cmpfloat (j->progress, ==, 0);
  g_assert_false (sal_store_retry_job (f->store, done, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  reopen (f);
  g_assert_cmpuint (sal_store_get_n_interrupted_at_open (f->store), ==, 0);

  /* A job run by another live process (salient-cli opening the window's database) stays
   * running; one whose process has exited is interrupted. */
  {
    g_autofree char *sql = NULL;
    gint64 live = sal_store_add_job (f->store, "train", NULL, 0, &error);
    gint64 dead = sal_store_add_job (f->store, "train", NULL, 0, &error);
    GPid child = 0;
    const char *argv[] = { "/bin/true", NULL };
    int status;

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &child, &error));
    g_assert_cmpint (waitpid (child, &status, 0), ==, child);
    sql = g_strdup_printf ("UPDATE jobs SET state = 'running', runner_boot = '%s', runner_pid = "
                           "CASE id WHEN %" G_GINT64_FORMAT " THEN %d ELSE %d END "
                           "WHERE id IN (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                           sal_store_boot_id (), live, (int) getppid (), (int) child, live, dead);
    g_assert_cmpint (sqlite3_exec (f->store->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    reopen (f);
    g_assert_cmpuint (sal_store_get_n_interrupted_at_open (f->store), ==, 1);
    g_clear_pointer (&j, sal_job_record_free);
    j = sal_store_get_job (f->store, live, &error);
    g_assert_cmpint (j->state, ==, SAL_JOB_RUNNING);
    g_clear_pointer (&j, sal_job_record_free);
    j = sal_store_get_job (f->store, dead, &error);
    g_assert_cmpint (j->state, ==, SAL_JOB_INTERRUPTED);
  }
}

static void
test_explanations (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  float attr[6] = { 0.5f, -1.25f, 3e-8f, 0, 1, -0.0f };
  g_autoptr(GBytes) bytes = g_bytes_new (attr, sizeof attr);
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "m", -1);
  SalExplanationRecord e = { 0 };
  g_autoptr(SalExplanationRecord) back = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gint64 case_id, id;

  case_id = sal_store_add_case (f->store, NULL, "x", FALSE, &error);
  e.object_kind = SAL_OBJECT_CASE;
  e.object_id = case_id;
  e.model_sha256 = sha;
  e.method = "shapley";
  e.params_json = "{\"samples\": 0}";
  e.target = "malignant";
  e.seed = 42;
  e.shape_json = "[2,3]";
  e.attribution = bytes;
  e.checks_json = "{\"efficiency_gap\": 1e-7}";
  id = sal_store_add_explanation (f->store, &e, &error);
  g_assert_no_error (error);
  back = sal_store_get_explanation (f->store, id, &error);
  g_assert_cmpstr (back->method, ==, "shapley");
  g_assert_cmpstr (back->target, ==, "malignant");
  g_assert_null (back->baseline);
  g_assert_cmpint (back->seed, ==, 42);
  g_assert_cmpint (back->job_id, ==, 0);
  g_assert_cmpint (back->object_kind, ==, SAL_OBJECT_CASE);
  g_assert_true (g_bytes_equal (back->attribution, bytes));
  list = sal_store_list_explanations (f->store, SAL_OBJECT_CASE, case_id, &error);
  g_assert_cmpuint (list->len, ==, 1);
  e.model_sha256 = "short";
  g_assert_cmpint (sal_store_add_explanation (f->store, &e, &error), ==, 0);
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
}

/* ---- search ----------------------------------------------------------------------- */

static void
test_search (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  gint64 c, d, n1, n2, n3;
  const char *odd[] = { "\"", "AND (", "NEAR(", "*", "title:x", "a\"b OR c", "^", "", "   ",
                        "\xff\xfe" };

  c = sal_store_add_case (f->store, NULL, "Headache clinic", FALSE, &error);
  d = sal_store_add_case (f->store, NULL, "Knee pain", FALSE, &error);
  n1 = sal_store_add_note (f->store, c, "Triage", "Sudden severe headache with neck stiffness.",
                           &error);
  n2 = sal_store_add_note (f->store, c, "Plan", "Headache improving; headache diary; headache "
                           "log reviewed.", &error);
  n3 = sal_store_add_note (f->store, d, "Exam", "Swelling of the left knee after a fall.", &error);
  g_assert_no_error (error);

  hits = sal_store_search (f->store, "headache", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 3);   /* two notes and the case title */
  g_assert_cmpint (((SalSearchHit *) hits->pdata[0])->rank, <=,
                   ((SalSearchHit *) hits->pdata[1])->rank);
  for (guint i = 0; i < hits->len; i++)
    {
      SalSearchHit *h = hits->pdata[i];
      g_assert_nonnull (strstr (h->snippet, SAL_STORE_SNIPPET_OPEN));
      g_assert_true (h->kind == SAL_OBJECT_CASE ? h->id == c : (h->id == n1 || h->id == n2));
      g_assert_cmpint (h->case_id, ==, c);
    }
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* Several words: all must occur; the last is a prefix. */
  hits = sal_store_search (f->store, "left kne", 10, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((SalSearchHit *) hits->pdata[0])->id, ==, n3);
  g_assert_nonnull (strstr (((SalSearchHit *) hits->pdata[0])->snippet,
                            SAL_STORE_SNIPPET_OPEN "knee" SAL_STORE_SNIPPET_CLOSE));
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = sal_store_search (f->store, "left headache", 10, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* FTS syntax in the query is plain text, never an error. */
  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      hits = sal_store_search (f->store, odd[i], 10, &error);
      g_assert_no_error (error);
      g_assert_nonnull (hits);
      g_clear_pointer (&hits, g_ptr_array_unref);
    }

  /* Edits and pending deletions are followed. */
  g_assert_true (sal_store_update_note (f->store, n3, "Exam", "Swelling of the right ankle.",
                                        &error));
  hits = sal_store_search (f->store, "knee", 10, &error);
  g_assert_cmpuint (hits->len, ==, 1);   /* only the case title "Knee pain" */
  g_assert_cmpint (((SalSearchHit *) hits->pdata[0])->kind, ==, SAL_OBJECT_CASE);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_CASE, c, &error));
  hits = sal_store_search (f->store, "headache", 10, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_true (sal_store_undo_delete (f->store, SAL_OBJECT_CASE, c, &error));
  hits = sal_store_search (f->store, "headache", 2, &error);
  g_assert_cmpuint (hits->len, ==, 2);
}

/* ---- transactions ----------------------------------------------------------------- */

static gboolean
add_two_notes_then_fail (SalStore *store, gpointer data, GError **error)
{
  gint64 case_id = *(gint64 *) data;

  if (sal_store_add_note (store, case_id, "one", "first", error) == 0
      || sal_store_add_note (store, case_id, "two", "second", error) == 0)
    return FALSE;
  g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED, "stopped on purpose");
  return FALSE;
}

static gboolean
add_note_ok (SalStore *store, gpointer data, GError **error)
{
  return sal_store_add_note (store, *(gint64 *) data, "kept", "kept", error) > 0;
}

static gboolean
nested (SalStore *store, gpointer data, GError **error)
{
  g_autoptr(GError) inner = NULL;

  if (!sal_store_run_in_transaction (store, add_note_ok, data, error))
    return FALSE;
  /* An inner failure rolls back only the inner part. */
  g_assert_false (sal_store_run_in_transaction (store, add_two_notes_then_fail, data, &inner));
  return TRUE;
}

static void
test_transactions (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  gint64 case_id = sal_store_add_case (f->store, NULL, "t", FALSE, &error);

  g_assert_false (sal_store_run_in_transaction (f->store, add_two_notes_then_fail, &case_id,
                                                &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED);
  g_clear_error (&error);
  notes = sal_store_list_notes (f->store, case_id, &error);
  g_assert_cmpuint (notes->len, ==, 0);
  g_clear_pointer (&notes, g_ptr_array_unref);

  g_assert_true (sal_store_run_in_transaction (f->store, nested, &case_id, &error));
  g_assert_no_error (error);
  notes = sal_store_list_notes (f->store, case_id, &error);
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_cmpstr (((SalNote *) notes->pdata[0])->title, ==, "kept");
}

typedef struct {
  SalStore *store;
  gint64    case_id;
} ThreadData;

static gpointer
thread_writer (gpointer data)
{
  ThreadData *td = data;

  for (int i = 0; i < 50; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 job = sal_store_add_job (td->store, "t", NULL, i % 3, &error);

      g_assert_no_error (error);
      g_assert_true (sal_store_set_job_state (td->store, job, SAL_JOB_DONE, NULL, NULL, &error));
      g_assert_cmpint (sal_store_add_note (td->store, td->case_id, "n", "thread note", &error),
                       >, 0);
    }
  return NULL;
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  ThreadData td = { f->store, sal_store_add_case (f->store, NULL, "threads", FALSE, &error) };
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("writer", thread_writer, &td);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  notes = sal_store_list_notes (f->store, td.case_id, &error);
  g_assert_cmpuint (notes->len, ==, 200);
  jobs = sal_store_list_jobs (f->store, SAL_JOB_DONE, &error);
  g_assert_cmpuint (jobs->len, ==, 200);
}

/* ---- backup and restore ----------------------------------------------------------- */

static guint
n_cases (SalStore *store)
{
  g_autoptr(GPtrArray) cases = sal_store_list_cases (store, NULL);

  return cases->len;
}

static void
test_backup_restore (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (f->dir, "backup.db", NULL);
  g_autofree char *corrupt = g_build_filename (f->dir, "corrupt.db", NULL);
  g_autofree char *text = g_build_filename (f->dir, "text.db", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.db", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  sqlite3 *db = NULL;
  gint64 c;

  c = sal_store_add_case (f->store, "KEEP-1", "kept", FALSE, &error);
  for (int i = 0; i < 300; i++)
    sal_store_add_note (f->store, c, "note", "A long enough note to fill several pages of the "
                        "database so that damage lands inside a b-tree page.", &error);
  g_assert_no_error (error);
  g_assert_false (sal_store_backup (f->store, f->path, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (sal_store_backup (f->store, backup, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  sal_store_add_case (f->store, "LATER-2", "added after the backup", FALSE, &error);
  g_assert_cmpuint (n_cases (f->store), ==, 2);

  /* A damaged backup is refused and nothing is replaced. */
  g_assert_true (g_file_get_contents (backup, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 8 * 4096);
  for (gsize i = 2 * 4096; i < 6 * 4096; i++)
    contents[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (corrupt, contents, len, NULL));
  g_assert_false (sal_store_restore (f->store, corrupt, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "corrupt.db"));
  g_clear_error (&error);
  g_assert_cmpuint (n_cases (f->store), ==, 2);
  g_assert_false (sal_store_check_file (corrupt, NULL, &error));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text, "not a database at all, just words", -1, NULL));
  g_assert_false (sal_store_restore (f->store, text, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_open (empty, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "CREATE TABLE t (x); PRAGMA user_version = 1", NULL, NULL, NULL);
  sqlite3_close (db);
  g_assert_false (sal_store_restore (f->store, empty, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not a Salient database"));
  g_clear_error (&error);
  g_assert_false (sal_store_restore (f->store, "/nonexistent/backup.db", &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (n_cases (f->store), ==, 2);

  /* Another program reading the database: refused, nothing replaced, still usable. */
  {
    sqlite3 *reader = NULL;

    g_assert_cmpint (sqlite3_open (f->path, &reader), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (reader, "BEGIN; SELECT count(*) FROM cases", NULL, NULL, NULL),
                     ==, SQLITE_OK);
    sqlite3_busy_timeout (f->store->db, 100);
    g_assert_false (sal_store_restore (f->store, backup, &error));
    g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_BUSY);
    g_clear_error (&error);
    sqlite3_exec (reader, "COMMIT", NULL, NULL, NULL);
    sqlite3_close (reader);
    g_assert_cmpuint (n_cases (f->store), ==, 2);
  }

  /* The good backup comes back whole; the store stays usable. */
  g_assert_true (sal_store_restore (f->store, backup, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_cases (f->store), ==, 1);
  {
    g_autoptr(SalCase) kept = sal_store_get_case (f->store, c, &error);
    g_autoptr(GPtrArray) notes = sal_store_list_notes (f->store, c, &error);
    g_assert_cmpstr (kept->pseudonym, ==, "KEEP-1");
    g_assert_cmpuint (notes->len, ==, 300);
  }
  g_assert_cmpint (sal_store_add_case (f->store, NULL, "after restore", FALSE, &error), >, 0);
  g_assert_true (sal_audit_verify (f->store, NULL, NULL, &error));
  g_assert_no_error (error);
  reopen (f);
  g_assert_cmpuint (n_cases (f->store), ==, 2);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM pragma_integrity_check "
                                      "WHERE integrity_check = 'ok'"), ==, 1);
}

/* ---- deletion leaves no trace ------------------------------------------------------ */

/* Every log message of the run (debug included), to check no health data is logged. */
static GString *log_text;
static GMutex log_lock;

static GLogWriterOutput
record_log (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].value != NULL)
      {
        if (fields[i].length < 0)
          g_string_append (log_text, fields[i].value);
        else
          g_string_append_len (log_text, fields[i].value, fields[i].length);
        g_string_append_c (log_text, '\n');
      }
  g_mutex_unlock (&log_lock);
  /* Debug and info would go to stdout and break the TAP stream. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, data);
}

#define SECRET_NAME "Quorvenna Blithermoss"

/* Counts files among db, -wal, -shm holding needle (exactly or lower-cased). */
static guint
files_containing (const char *path, const char *needle)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  g_autofree char *lower = g_ascii_strdown (needle, -1);
  guint found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *data = NULL;
      gsize len = 0;

      if (!g_file_get_contents (file, &data, &len, NULL))
        continue;
      if (memmem (data, len, needle, strlen (needle)) != NULL
          || memmem (data, len, lower, strlen (lower)) != NULL)
        found++;
    }
  return found;
}

static void
test_purge_leaves_no_trace (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(SalNote) note = NULL;
  guint n_purged = 0;
  gint64 c, n, keep;

  c = sal_store_add_case (f->store, NULL, "Chest pain", FALSE, &error);
  keep = sal_store_add_note (f->store, c, "Other", "Unrelated note about chest pain.", &error);
  n = sal_store_add_note (f->store, c, "Visit",
                          "Patient " SECRET_NAME " reports chest pain since Tuesday. "
                          "Brother Blithermoss had similar complaints.", &error);
  g_assert_no_error (error);
  /* The probe works: the name is in the files now. */
  g_assert_cmpuint (files_containing (f->path, "Blithermoss"), >, 0);

  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_NOTE, n, &error));
  hits = sal_store_search (f->store, "blithermoss", 10, &error);
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);
  g_assert_true (sal_store_undo_delete (f->store, SAL_OBJECT_NOTE, n, &error));
  hits = sal_store_search (f->store, "blithermoss", 10, &error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);

  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_NOTE, n, &error));
  /* Not yet expired: a purge of older marks leaves it. */
  g_assert_true (sal_store_purge_deleted (f->store, 0, &n_purged, &error));
  g_assert_cmpuint (n_purged, ==, 0);
  g_assert_true (sal_store_purge_deleted (f->store, G_MAXINT64, &n_purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_purged, ==, 1);
  g_assert_null (sal_store_get_note (f->store, n, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  note = sal_store_get_note (f->store, keep, &error);
  g_assert_nonnull (note);
  g_assert_cmpuint (files_containing (f->path, "Blithermoss"), ==, 0);
  g_assert_cmpuint (files_containing (f->path, "Quorvenna"), ==, 0);
  g_assert_true (sal_audit_verify (f->store, NULL, NULL, &error));

  /* Left pending at exit: purged at the next open. */
  n = sal_store_add_note (f->store, c, "Again", "Seen by Dr " SECRET_NAME ".", &error);
  g_assert_cmpuint (files_containing (f->path, "Quorvenna"), >, 0);
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_NOTE, n, &error));
  reopen (f);
  g_assert_null (sal_store_get_note (f->store, n, &error));
  g_clear_error (&error);
  g_assert_cmpuint (files_containing (f->path, "Quorvenna"), ==, 0);

  /* A whole case with its notes. */
  n = sal_store_add_note (f->store, c, "Third", "Contact: " SECRET_NAME, &error);
  g_assert_true (sal_store_mark_deleted (f->store, SAL_OBJECT_CASE, c, &error));
  g_assert_true (sal_store_purge_deleted (f->store, G_MAXINT64, &n_purged, &error));
  g_assert_null (sal_store_get_note (f->store, keep, &error));
  g_clear_error (&error);
  g_assert_cmpuint (files_containing (f->path, "Quorvenna"), ==, 0);
  g_assert_cmpuint (files_containing (f->path, "Chest pain"), ==, 0);

  /* Nothing of the notes went to the log, even at debug level. */
  g_mutex_lock (&log_lock);
  g_assert_null (strstr (log_text->str, "Blithermoss"));
  g_assert_null (strstr (log_text->str, "chest pain"));
  g_mutex_unlock (&log_lock);
}

/* ---- audit ------------------------------------------------------------------------ */

static void
test_audit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint64 n = 0;
  gint64 broken = -1;
  sqlite3 *db = NULL;

  g_assert_true (sal_audit_append (f->store, "open-case", "case/1", &error));
  g_assert_true (sal_audit_append (f->store, "run-model", "model/abc", &error));
  g_assert_true (sal_audit_append (f->store, "export", "workout/3", &error));
  g_assert_true (sal_audit_append (f->store, "delete", "note/9", &error));
  g_assert_true (sal_audit_verify (f->store, &n, &broken, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (broken, ==, 0);
  entries = sal_audit_list (f->store, 2, &error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((SalAuditEntry *) entries->pdata[0])->what, ==, "export");
  g_assert_cmpstr (((SalAuditEntry *) entries->pdata[1])->prev_hash, ==,
                   ((SalAuditEntry *) entries->pdata[0])->hash);
  g_assert_cmpstr (((SalAuditEntry *) entries->pdata[0])->who, ==, g_get_user_name ());

  /* The table refuses changes. */
  g_assert_cmpint (sqlite3_exec (f->store->db, "UPDATE audit_log SET what = 'x' WHERE id = 2",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (f->store->db, "DELETE FROM audit_log WHERE id = 2",
                                 NULL, NULL, NULL) & 0xff, ==, SQLITE_CONSTRAINT);
  g_assert_true (sal_audit_verify (f->store, &n, &broken, &error));

  /* Someone with the file drops the guard and edits row 2: verify finds it. */
  g_clear_pointer (&f->store, sal_store_unref);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER audit_log_no_update;"
                                     "UPDATE audit_log SET what = 'view' WHERE id = 2",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  reopen (f);
  g_assert_false (sal_audit_verify (f->store, &n, &broken, &error));
  g_assert_error (error, SAL_AUDIT_ERROR, SAL_AUDIT_ERROR_BROKEN);
  g_assert_nonnull (strstr (error->message, "entry 2"));
  g_assert_cmpint (broken, ==, 2);
  g_assert_cmpuint (n, ==, 1);
  g_clear_error (&error);

  /* Put it back, then remove a row instead. */
  g_clear_pointer (&f->store, sal_store_unref);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit_log SET what = 'run-model' WHERE id = 2;"
                                     "DROP TRIGGER audit_log_no_delete;"
                                     "DELETE FROM audit_log WHERE id = 3",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  reopen (f);
  g_assert_false (sal_audit_verify (f->store, &n, &broken, &error));
  g_assert_cmpint (broken, ==, 4);
  g_assert_cmpuint (n, ==, 2);
}

/* ---- full disk -------------------------------------------------------------------- */

static void
test_full_disk (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(GPtrArray) big = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_workout_free);
  g_autoptr(SalWorkout) back = NULL;
  g_autofree char *sql = NULL;
  guint added = 0;
  int pages;

  for (int i = 0; i < 5; i++)
    g_ptr_array_add (first, make_workout ("running", 1600000000000 + i * 86400000LL, 1800, 5000,
                                          200));
  g_assert_true (sal_store_add_workouts (f->store, first, FALSE, &added, NULL, &error));
  g_assert_cmpuint (added, ==, 5);
  for (int i = 0; i < 200; i++)
    g_ptr_array_add (big, make_workout ("cycling", 1650000000000 + i * 86400000LL, 3600, 30000,
                                        300));

  /* The disk fills up a few pages in. */
  pages = raw_int (f->store, "PRAGMA page_count");
  sql = g_strdup_printf ("PRAGMA max_page_count = %d", pages + 4);
  g_assert_cmpint (sqlite3_exec (f->store->db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_false (sal_store_add_workouts (f->store, big, FALSE, &added, NULL, &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_clear_error (&error);
  g_assert_cmpint (((SalWorkout *) big->pdata[0])->id, ==, 0);
  /* Nothing already saved is lost, nothing half-written stays. */
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 5);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM workout_samples"), ==, 1000);
  back = sal_store_get_workout (f->store, ((SalWorkout *) first->pdata[4])->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->samples->len, ==, 200);
  g_assert_false (sal_audit_append (f->store, "export", "x", &error) == FALSE
                  && error->code != SAL_STORE_ERROR_FULL);
  g_clear_error (&error);

  /* Space again: the same import succeeds, and the database is sound. */
  g_assert_cmpint (sqlite3_exec (f->store->db, "PRAGMA max_page_count = 1073741823", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  g_assert_true (sal_store_add_workouts (f->store, big, FALSE, &added, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 200);
  reopen (f);
  g_assert_cmpint (sal_store_count_workouts (f->store, &error), ==, 205);
  g_assert_cmpint (raw_int (f->store, "SELECT count(*) FROM pragma_integrity_check "
                                      "WHERE integrity_check = 'ok'"), ==, 1);
  g_assert_true (sal_audit_verify (f->store, NULL, NULL, &error));
}

static void
test_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SalStore) store = sal_store_open (":memory:", &error);
  g_autoptr(GPtrArray) cases = NULL;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (sal_store_add_case (store, NULL, "kiosk", TRUE, &error), >, 0);
  cases = sal_store_list_cases (store, &error);
  g_assert_cmpuint (cases->len, ==, 1);
  g_assert_true (sal_store_delete_demo_data (store, &error));
  g_assert_true (sal_store_purge_deleted (store, G_MAXINT64, &n, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_false (sal_store_restore (store, "whatever.db", &error));
  g_assert_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_READ_ONLY);
}

int
main (int argc, char **argv)
{
  log_text = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (record_log, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/app/store/migrations", test_migrations);
  ADD ("/app/store/cases-notes-images", test_cases_notes_images);
  ADD ("/app/store/workouts", test_workouts);
  ADD ("/app/store/athlete-wellness", test_athlete_wellness);
  ADD ("/app/store/models", test_models);
  ADD ("/app/store/jobs", test_jobs);
  ADD ("/app/store/explanations", test_explanations);
  ADD ("/app/store/search", test_search);
  ADD ("/app/store/transactions", test_transactions);
  ADD ("/app/store/threads", test_threads);
  ADD ("/app/store/backup-restore", test_backup_restore);
  ADD ("/app/store/purge-leaves-no-trace", test_purge_leaves_no_trace);
  ADD ("/app/store/audit", test_audit);
  ADD ("/app/store/full-disk", test_full_disk);
#undef ADD
  g_test_add_func ("/app/store/memory", test_memory);
  return g_test_run ();
}
