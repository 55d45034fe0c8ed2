/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* SalStore: the one owner of Salient's SQLite database.
 *
 * One database per user ($XDG_DATA_HOME/salient/salient.db), or an explicit file, or
 * ":memory:" for the kiosk. WAL, synchronous=FULL, foreign keys, secure_delete, bound
 * parameters only; the schema is migrated by user_version from the numbered SQL files in
 * data/sql/ (compiled into the binary), each migration in one transaction.
 *
 * Threads: a SalStore holds ONE connection, and every function takes the store's
 * recursive mutex for its whole duration, so any thread may call any function (the job
 * service calls from its workers). A multi-row write is one transaction inside one call;
 * to group several calls atomically use sal_store_run_in_transaction(): the callback runs
 * with the mutex held, so other threads wait until it returns. Keep such callbacks short.
 *
 * Missing numbers are NAN in records and NULL in the database. Deletions of cases, notes,
 * images and workouts are two-step: sal_store_mark_deleted() hides the record (the undo
 * toast may bring it back with sal_store_undo_delete()), sal_store_purge_deleted() really
 * deletes it and scrubs the files; sal_store_open() purges what was left pending.
 */

#include <glib.h>

#include "sal-image.h"
#include "sal-workout.h"

G_BEGIN_DECLS

#define SAL_STORE_ERROR (sal_store_error_quark ())

typedef enum {
  SAL_STORE_ERROR_FAILED,
  SAL_STORE_ERROR_FULL,        /* the disk (or the page budget) is full */
  SAL_STORE_ERROR_BUSY,        /* another program holds the database */
  SAL_STORE_ERROR_CORRUPT,     /* damaged or not a Salient database */
  SAL_STORE_ERROR_TOO_NEW,     /* made by a newer Salient */
  SAL_STORE_ERROR_NOT_FOUND,
  SAL_STORE_ERROR_INVALID,     /* a value breaks a rule of the schema */
  SAL_STORE_ERROR_DUPLICATE,   /* the workout is already stored */
  SAL_STORE_ERROR_READ_ONLY,
} SalStoreError;

GQuark sal_store_error_quark (void);

typedef struct _SalStore SalStore;

/* Kinds of objects, as stored in explanations and deletions. */
typedef enum {
  SAL_OBJECT_CASE,
  SAL_OBJECT_NOTE,
  SAL_OBJECT_IMAGE,
  SAL_OBJECT_WORKOUT,
  SAL_OBJECT_GOAL,       /* a weekly fitness goal */
} SalObjectKind;

const char *sal_object_kind_to_string (SalObjectKind kind);   /* "case", "note" ... */

/* ---- opening -------------------------------------------------------------------- */

char     *sal_store_default_path      (void);
/* path NULL: the default path (folders are created); ":memory:": a private in-memory
 * database. Migrates the schema, marks jobs left running as interrupted and purges
 * deletions left pending. */
SalStore *sal_store_open              (const char *path,
                                       GError    **error);
SalStore *sal_store_ref               (SalStore   *store);
void      sal_store_unref             (SalStore   *store);
const char *sal_store_get_path        (SalStore   *store);
int       sal_store_get_schema_version (SalStore  *store);
int       sal_store_get_latest_schema_version (void);
/* Jobs that open found 'running' and marked 'interrupted'. */
guint     sal_store_get_n_interrupted_at_open (SalStore *store);

typedef gboolean (*SalStoreTxnFunc) (SalStore *store, gpointer user_data, GError **error);
/* Runs func in one transaction (a savepoint when nested): commit when it returns TRUE,
 * roll back everything when it returns FALSE. */
gboolean  sal_store_run_in_transaction (SalStore        *store,
                                        SalStoreTxnFunc  func,
                                        gpointer         user_data,
                                        GError         **error);

/* ---- backup and restore --------------------------------------------------------- */

/* A consistent copy of the whole database to out_path (written to a temporary file,
 * then renamed into place). */
gboolean  sal_store_backup            (SalStore   *store,
                                       const char *out_path,
                                       GError    **error);
/* Checks backup_path (opened read-only: integrity check, schema version, tables) and only
 * then replaces the store's database with it (atomic rename) and reopens. On any error
 * the current database is untouched. Needs a file database no other program has open. */
gboolean  sal_store_restore           (SalStore   *store,
                                       const char *backup_path,
                                       GError    **error);
/* The checks restore makes, on their own. */
gboolean  sal_store_check_file        (const char *path,
                                       int        *schema_version,
                                       GError    **error);

/* ---- cases, images, notes, measurements ----------------------------------------- */

typedef struct {
  gint64    id;
  char     *pseudonym;   /* never a real name by default */
  char     *title;
  gboolean  demo;
  gint64    created_ms;
  gint64    updated_ms;
} SalCase;

void      sal_case_free               (SalCase *c);
/* pseudonym NULL: a new unique one ("C-7F3A19") is made. Returns the id, 0 on error. */
gint64    sal_store_add_case          (SalStore   *store,
                                       const char *pseudonym,
                                       const char *title,
                                       gboolean    demo,
                                       GError    **error);
gboolean  sal_store_update_case       (SalStore   *store,
                                       gint64      id,
                                       const char *title,
                                       GError    **error);
SalCase  *sal_store_get_case          (SalStore   *store,
                                       gint64      id,
                                       GError    **error);
/* Of SalCase, newest first, without those pending deletion. */
GPtrArray *sal_store_list_cases       (SalStore   *store,
                                       GError    **error);

typedef struct {
  gint64    id;
  gint64    case_id;
  char     *source;       /* file name it came from, or NULL */
  int       width;
  int       height;
  int       channels;
  int       bit_depth;
  SalImage *image;        /* the pixels (sal-image.h); NULL in lists */
  gint64    created_ms;
} SalStoredImage;

void      sal_stored_image_free       (SalStoredImage *image);
/* Pixels are stored as little-endian guint16, as SalImage holds them. */
gint64    sal_store_add_image         (SalStore       *store,
                                       gint64          case_id,
                                       const char     *source,
                                       const SalImage *image,
                                       GError        **error);
SalStoredImage *sal_store_get_image   (SalStore *store, gint64 id, GError **error);
/* Of SalStoredImage without pixels. */
GPtrArray *sal_store_list_images      (SalStore *store, gint64 case_id, GError **error);

typedef struct {
  gint64  id;
  gint64  case_id;
  char   *title;
  char   *text;
  gint64  created_ms;
  gint64  updated_ms;
} SalNote;

void      sal_note_free               (SalNote *note);
gint64    sal_store_add_note          (SalStore   *store,
                                       gint64      case_id,
                                       const char *title,
                                       const char *text,
                                       GError    **error);
gboolean  sal_store_update_note       (SalStore   *store,
                                       gint64      id,
                                       const char *title,
                                       const char *text,
                                       GError    **error);
SalNote   *sal_store_get_note         (SalStore *store, gint64 id, GError **error);
GPtrArray *sal_store_list_notes       (SalStore *store, gint64 case_id, GError **error);

typedef struct {
  char   *name;         /* feature name, e.g. "radius_mean" */
  double  value;
  char   *unit;         /* or NULL */
} SalMeasurement;

void      sal_measurement_free        (SalMeasurement *m);
/* Adds or replaces (by name) the given rows of one case, all in one transaction. */
gboolean  sal_store_set_measurements  (SalStore             *store,
                                       gint64                case_id,
                                       const SalMeasurement *rows,
                                       guint                 n_rows,
                                       GError              **error);
/* Of SalMeasurement, by name. */
GPtrArray *sal_store_list_measurements (SalStore *store, gint64 case_id, GError **error);

/* ---- search --------------------------------------------------------------------- */

/* Snippets mark matched words with these (the caller escapes the rest and turns them
 * into markup). */
#define SAL_STORE_SNIPPET_OPEN  "\x02"
#define SAL_STORE_SNIPPET_CLOSE "\x03"

typedef struct {
  SalObjectKind kind;     /* SAL_OBJECT_NOTE or SAL_OBJECT_CASE */
  gint64        id;
  gint64        case_id;
  double        rank;     /* bm25: smaller is better */
  char         *snippet;
} SalSearchHit;

void       sal_search_hit_free        (SalSearchHit *hit);
/* Words of query (any text; it is not FTS syntax) must all occur, the last one as a
 * prefix. Of SalSearchHit, best first, at most limit. */
GPtrArray *sal_store_search           (SalStore   *store,
                                       const char *query,
                                       guint       limit,
                                       GError    **error);

/* ---- deletion ------------------------------------------------------------------- */

gboolean  sal_store_mark_deleted      (SalStore      *store,
                                       SalObjectKind  kind,
                                       gint64         id,
                                       GError       **error);
gboolean  sal_store_undo_delete       (SalStore      *store,
                                       SalObjectKind  kind,
                                       gint64         id,
                                       GError       **error);
/* Really deletes what was marked before before_ms (G_MAXINT64: all) with secure_delete,
 * optimizes the search index and checkpoints the WAL (TRUNCATE), so no trace stays in any
 * file. If another program is reading the database, the WAL is truncated when the last
 * connection closes instead. */
gboolean  sal_store_purge_deleted     (SalStore  *store,
                                       gint64     before_ms,
                                       guint     *n_purged,
                                       GError   **error);
/* Marks all demo cases, workouts, wellness entries, tests and the demo athlete deleted. */
gboolean  sal_store_delete_demo_data  (SalStore *store, GError **error);

/* ---- fitness -------------------------------------------------------------------- */

typedef struct {
  int    zone;          /* 1.. */
  double low_bpm;
  double high_bpm;
} SalHrZone;

typedef struct {
  char    *name;        /* display name or pseudonym */
  int      birth_year;  /* 0 unknown */
  char    *sex;         /* "female", "male", other or NULL */
  double   weight_kg;
  double   height_cm;
  double   resting_hr_bpm;
  double   max_hr_bpm;
  double   threshold_hr_bpm;
  double   ftp_w;
  gboolean demo;
  gint64   updated_ms;
  GArray  *zones;       /* of SalHrZone, by zone */
  gboolean miles;       /* show distances in miles (stored in metres either way) */
  gboolean pounds;      /* show weights in pounds (stored in kg) */
  char    *time_zone;   /* IANA identifier of the athlete's local days; NULL: the system's */
} SalAthlete;

SalAthlete *sal_athlete_new           (void);
void        sal_athlete_free          (SalAthlete *a);
/* The one athlete profile, with its zones (replaced as a whole). */
gboolean    sal_store_set_athlete     (SalStore *store, const SalAthlete *a, GError **error);
/* NULL without error when there is none yet. */
SalAthlete *sal_store_get_athlete     (SalStore *store, GError **error);

/* The athlete's time zone (its identifier, when GLib knows it), else the system's. */
GTimeZone  *sal_athlete_time_zone     (const SalAthlete *a);

/* Weekly goals (weeks from Monday, local days). Deleted with sal_store_mark_deleted
 * (SAL_OBJECT_GOAL), so the undo toast can bring one back. */
typedef enum {
  SAL_GOAL_DISTANCE,    /* metres */
  SAL_GOAL_TIME,        /* seconds */
  SAL_GOAL_SESSIONS,    /* count */
} SalGoalKind;

typedef struct {
  gint64      id;
  SalGoalKind kind;
  char       *sport;    /* NULL: every sport */
  double      target;   /* per week, in the kind's SI unit */
} SalGoal;

const char *sal_goal_kind_to_string   (SalGoalKind kind);   /* "distance", "time", "sessions" */
gboolean    sal_goal_kind_from_string (const char *s, SalGoalKind *kind);
void        sal_goal_free             (SalGoal *g);
/* Adds (id 0) or updates a goal; sets g->id. A target that is not > 0 is an error. */
gboolean    sal_store_put_goal        (SalStore *store, SalGoal *g, GError **error);
/* Of SalGoal, by id. */
GPtrArray  *sal_store_list_goals      (SalStore *store, GError **error);

/* Best efforts of one workout (seconds; NAN: the workout is shorter), cached once
 * computed from its samples. */
#define SAL_N_EFFORTS 5
typedef struct {
  gint64 workout_id;
  double best_s[SAL_N_EFFORTS];   /* 1 km, 5 km, 10 km, half and full marathon */
} SalWorkoutEfforts;

/* Stores n of them in one transaction (replacing what a workout had). */
gboolean    sal_store_set_efforts     (SalStore *store, const SalWorkoutEfforts *e, guint n,
                                       GError **error);
/* Of SalWorkoutEfforts, of workouts not deleted. */
GArray     *sal_store_list_efforts    (SalStore *store, GError **error);

/* Stores the workouts (with samples and laps) in ONE transaction: all or nothing.
 * A workout already stored (same sport, start within 60 s, duration within 2 % or 30 s,
 * distance within 2 % when both are known) is skipped and counted as a duplicate; stored
 * ones get their id set, duplicates keep id 0. */
gboolean  sal_store_add_workouts      (SalStore   *store,
                                       GPtrArray  *workouts,
                                       gboolean    demo,
                                       guint      *n_added,
                                       guint      *n_duplicates,
                                       GError    **error);
/* One workout; a duplicate is a SAL_STORE_ERROR_DUPLICATE error. */
gint64    sal_store_add_workout       (SalStore   *store,
                                       SalWorkout *workout,
                                       GError    **error);
/* Id of a stored workout that w duplicates, or 0. */
gint64    sal_store_find_duplicate_workout (SalStore         *store,
                                            const SalWorkout *w,
                                            GError          **error);
/* Updates sport, title, rpe and notes. */
gboolean  sal_store_update_workout    (SalStore *store, const SalWorkout *w, GError **error);
SalWorkout *sal_store_get_workout     (SalStore *store,
                                       gint64    id,
                                       gboolean  with_samples,
                                       GError  **error);
/* Of SalWorkout without samples and laps, by start time, from_ms <= start < to_ms. */
GPtrArray *sal_store_list_workouts    (SalStore *store,
                                       gint64    from_ms,
                                       gint64    to_ms,
                                       GError  **error);
gint64    sal_store_count_workouts    (SalStore *store, GError **error);

typedef struct {
  char   *day;            /* "YYYY-MM-DD", local date */
  double  sleep_h;
  double  resting_hr_bpm;
  double  hrv_ms;
  double  weight_kg;
  double  fatigue;        /* 1..5 */
  double  soreness;       /* 1..5 */
  double  stress;         /* 1..5 */
  double  mood;           /* 1..5 */
  char   *notes;
} SalWellness;

SalWellness *sal_wellness_new         (const char *day);
void      sal_wellness_free           (SalWellness *w);
/* Adds or replaces the entry of w->day. */
gboolean  sal_store_set_wellness      (SalStore *store, const SalWellness *w, gboolean demo,
                                       GError **error);
/* Of SalWellness, from_day <= day <= to_day (NULL: open end). */
GPtrArray *sal_store_list_wellness    (SalStore *store, const char *from_day,
                                       const char *to_day, GError **error);

typedef struct {
  gint64  id;
  char   *kind;           /* "ftp", "vo2max", "5k-time", "threshold-hr", ... */
  gint64  time_ms;
  double  value;
  char   *unit;
  char   *notes;
} SalPerformanceTest;

void      sal_performance_test_free   (SalPerformanceTest *t);
gint64    sal_store_add_performance_test (SalStore *store, const SalPerformanceTest *t,
                                          gboolean demo, GError **error);
/* kind NULL: all kinds; by time. */
GPtrArray *sal_store_list_performance_tests (SalStore *store, const char *kind,
                                             GError **error);

/* ---- models, jobs, explanations ------------------------------------------------- */

typedef struct {
  gint64    id;
  char     *name;
  char     *path;
  char     *sha256;         /* lower-case hex */
  gboolean  shipped;
  char     *metadata_json;  /* an object */
  gint64    created_ms;
} SalModelRecord;

void      sal_model_record_free       (SalModelRecord *m);
/* Adds, or updates the row of the same name. Returns the id. */
gint64    sal_store_put_model         (SalStore   *store,
                                       const char *name,
                                       const char *path,
                                       const char *sha256,
                                       gboolean    shipped,
                                       const char *metadata_json,
                                       GError    **error);
SalModelRecord *sal_store_get_model   (SalStore *store, gint64 id, GError **error);
SalModelRecord *sal_store_find_model_by_sha256 (SalStore *store, const char *sha256,
                                                GError **error);
GPtrArray *sal_store_list_models      (SalStore *store, GError **error);
gboolean  sal_store_remove_model      (SalStore *store, gint64 id, GError **error);
/* Registers the given .onnx files as shipped models (name = file name without .onnx,
 * sha256 of the content) in one transaction; unchanged ones are left alone. */
gboolean  sal_store_register_shipped_models (SalStore           *store,
                                             const char * const *paths,
                                             guint              *n_new,
                                             GError            **error);
/* Every *.onnx file of dir, as above. */
gboolean  sal_store_register_models_in_dir  (SalStore   *store,
                                             const char *dir,
                                             guint      *n_new,
                                             GError    **error);
/* Stored results (explanations) made with the model of this hash; -1 on error. */
gint64    sal_store_count_model_results (SalStore *store, const char *sha256, GError **error);
/* Replaces the model's metadata_json (an object; see sal_model_apply_stored_metadata). */
gboolean  sal_store_set_model_metadata  (SalStore *store, gint64 id, const char *metadata_json,
                                         GError **error);
/* SHA-256 of a file's content, lower-case hex. */
char     *sal_file_sha256             (const char *path, GError **error);

typedef enum {
  SAL_JOB_QUEUED,
  SAL_JOB_RUNNING,
  SAL_JOB_DONE,
  SAL_JOB_FAILED,
  SAL_JOB_CANCELLED,
  SAL_JOB_INTERRUPTED,   /* was running when Salient stopped; retryable */
} SalStoreJobState;

const char *sal_store_job_state_to_string   (SalStoreJobState state);
gboolean    sal_store_job_state_from_string (const char *s, SalStoreJobState *state);

typedef struct {
  gint64       id;
  char        *kind;
  char        *params_json;
  SalStoreJobState  state;
  int          priority;     /* larger runs first */
  double       progress;     /* 0..1 */
  char        *error;
  char        *result_json;
  gint64       created_ms;
  gint64       started_ms;   /* 0 if not */
  gint64       finished_ms;
} SalJobRecord;

void      sal_job_record_free         (SalJobRecord *j);
gint64    sal_store_add_job           (SalStore   *store,
                                       const char *kind,
                                       const char *params_json,
                                       int         priority,
                                       GError    **error);
/* Sets state; RUNNING stamps started, DONE/FAILED/CANCELLED stamp finished. error_message
 * and result_json may be NULL. */
gboolean  sal_store_set_job_state     (SalStore    *store,
                                       gint64       id,
                                       SalStoreJobState  state,
                                       const char  *error_message,
                                       const char  *result_json,
                                       GError     **error);
gboolean  sal_store_set_job_progress  (SalStore *store, gint64 id, double progress,
                                       GError **error);
/* Puts a failed, cancelled or interrupted job back in the queue. */
gboolean  sal_store_retry_job         (SalStore *store, gint64 id, GError **error);
SalJobRecord *sal_store_get_job       (SalStore *store, gint64 id, GError **error);
/* state < 0: all; queued ones by priority, others by id. */
GPtrArray *sal_store_list_jobs        (SalStore *store, int state, GError **error);

typedef struct {
  gint64   id;
  gint64   job_id;          /* 0 if none */
  SalObjectKind object_kind;
  gint64   object_id;
  char    *model_sha256;
  char    *method;          /* "integrated-gradients", ... */
  char    *params_json;
  char    *target;          /* class name or output */
  char    *baseline;        /* "black", "blur", "noise" or NULL */
  gint64   seed;
  char    *shape_json;      /* e.g. "[224,224]" */
  GBytes  *attribution;     /* float32 little-endian, product of shape values */
  char    *checks_json;
  gint64   created_ms;
} SalExplanationRecord;

void      sal_explanation_record_free (SalExplanationRecord *e);
gint64    sal_store_add_explanation   (SalStore *store, const SalExplanationRecord *e,
                                       GError **error);
SalExplanationRecord *sal_store_get_explanation (SalStore *store, gint64 id, GError **error);
/* Of SalExplanationRecord (with attribution), newest first. */
GPtrArray *sal_store_list_explanations (SalStore *store, SalObjectKind kind, gint64 object_id,
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalStore, sal_store_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalCase, sal_case_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalStoredImage, sal_stored_image_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalNote, sal_note_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalAthlete, sal_athlete_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalWellness, sal_wellness_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalGoal, sal_goal_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalPerformanceTest, sal_performance_test_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalModelRecord, sal_model_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalJobRecord, sal_job_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalExplanationRecord, sal_explanation_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalSearchHit, sal_search_hit_free)

G_END_DECLS
