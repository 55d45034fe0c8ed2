/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clinic records: cases, images, notes, measurements, and the search over them. */
#define G_LOG_DOMAIN "sal-store"

#include "config.h"
#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "sal-store-private.h"

void
sal_case_free (SalCase *c)
{
  if (c == NULL)
    return;
  g_free (c->pseudonym);
  g_free (c->title);
  g_free (c);
}

void
sal_stored_image_free (SalStoredImage *image)
{
  if (image == NULL)
    return;
  g_free (image->source);
  g_clear_pointer (&image->image, sal_image_free);
  g_free (image);
}

void
sal_note_free (SalNote *note)
{
  if (note == NULL)
    return;
  g_free (note->title);
  g_free (note->text);
  g_free (note);
}

void
sal_measurement_free (SalMeasurement *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->unit);
  g_free (m);
}

void
sal_search_hit_free (SalSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->snippet);
  g_free (hit);
}

static gboolean
not_found (GError **error, const char *what, gint64 id)
{
  g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
               _("There is no %s with id %" PRId64), what, id);
  return FALSE;
}

/* ---- cases ------------------------------------------------------------------------ */

static char *
new_pseudonym (void)
{
  return g_strdup_printf ("C-%06X", g_random_int_range (0, 0x1000000));
}

gint64
sal_store_add_case (SalStore    *store,
                    const char  *pseudonym,
                    const char  *title,
                    gboolean     demo,
                    GError     **error)
{
  const char *doing = _("Could not save the case");
  gint64 now = sal_store_now_ms ();
  g_autofree char *object = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return 0;
  for (int attempt = 0; attempt < 16 && id == 0; attempt++)
    {
      g_autofree char *made = pseudonym == NULL ? new_pseudonym () : NULL;
      int rc;

      stmt = sal_store_stmt (store, "INSERT INTO cases (pseudonym, title, demo, created_ms, "
                                    "updated_ms) VALUES (?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        goto fail;
      sal_bind_text (stmt, 1, pseudonym != NULL ? pseudonym : made);
      sal_bind_text (stmt, 2, title != NULL ? title : "");
      sqlite3_bind_int (stmt, 3, demo ? 1 : 0);
      sqlite3_bind_int64 (stmt, 4, now);
      sqlite3_bind_int64 (stmt, 5, now);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        id = sqlite3_last_insert_rowid (store->db);
      else if ((rc & 0xff) == SQLITE_CONSTRAINT && pseudonym == NULL)
        continue;   /* a made-up pseudonym collided: make another */
      else if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                       _("%s: the pseudonym “%s” is already used by another case"), doing,
                       pseudonym);
          goto fail;
        }
      else
        {
          sal_store_fail (store, error, doing);
          goto fail;
        }
    }
  if (id == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_FAILED,
                   _("%s: could not find a free pseudonym"), doing);
      goto fail;
    }
  object = g_strdup_printf ("case/%" G_GINT64_FORMAT, id);
  if (!sal_audit_append_locked (store, "create", object, error) || !sal_store_commit (store, error))
    return 0;
  return id;

fail:
  sal_store_rollback (store);
  return 0;
}

gboolean
sal_store_update_case (SalStore *store, gint64 id, const char *title, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE cases SET title = ?, updated_ms = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, title != NULL ? title : "");
  sqlite3_bind_int64 (stmt, 2, sal_store_now_ms ());
  sqlite3_bind_int64 (stmt, 3, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the case")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    return not_found (error, "case", id);
  return TRUE;
}

#define CASE_COLUMNS "id, pseudonym, title, demo, created_ms, updated_ms"

static SalCase *
case_from_row (sqlite3_stmt *stmt)
{
  SalCase *c = g_new0 (SalCase, 1);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->pseudonym = sal_col_text (stmt, 1);
  c->title = sal_col_text (stmt, 2);
  c->demo = sqlite3_column_int (stmt, 3) != 0;
  c->created_ms = sqlite3_column_int64 (stmt, 4);
  c->updated_ms = sqlite3_column_int64 (stmt, 5);
  return c;
}

SalCase *
sal_store_get_case (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SalCase *c;
  gboolean found;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  c = sal_store_get_row (store, stmt, (SalStoreRowFunc) case_from_row, &found, error,
                         _("Could not read the case"));
  if (!found)
    not_found (error, "case", id);
  return c;
}

GPtrArray *
sal_store_list_cases (SalStore *store, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT " CASE_COLUMNS " FROM cases "
                                "WHERE pending_delete_ms IS NULL "
                                "ORDER BY created_ms DESC, id DESC", error);
  if (stmt == NULL)
    return NULL;
  return sal_store_collect (store, stmt, (SalStoreRowFunc) case_from_row,
                            (GDestroyNotify) sal_case_free, error,
                            _("Could not read the database"));
}

/* ---- images ----------------------------------------------------------------------- */

gint64
sal_store_add_image (SalStore        *store,
                     gint64           case_id,
                     const char      *source,
                     const SalImage  *image,
                     GError         **error)
{
  const char *doing = _("Could not save the image");
  g_autofree guint16 *le = NULL;
  sqlite3_stmt *stmt;
  guint64 n_values;
  const void *data;
  SAL_STORE_LOCK (store);

  g_return_val_if_fail (image != NULL, 0);
  n_values = (guint64) MAX (image->width, 0) * MAX (image->height, 0) * MAX (image->channels, 0);
  if (n_values == 0 || image->pixels == NULL || n_values * 2 > G_MAXINT)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("%s: a %d × %d image with %d channels cannot be stored"), doing,
                   image->width, image->height, image->channels);
      return 0;
    }
  data = image->pixels;
#if G_BYTE_ORDER == G_BIG_ENDIAN
  le = g_new (guint16, n_values);
  for (guint64 i = 0; i < n_values; i++)
    le[i] = GUINT16_TO_LE (image->pixels[i]);
  data = le;
#endif
  stmt = sal_store_stmt (store, "INSERT INTO images (case_id, source, width, height, channels, "
                                "bit_depth, pixels, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sal_bind_text (stmt, 2, source);
  sqlite3_bind_int (stmt, 3, image->width);
  sqlite3_bind_int (stmt, 4, image->height);
  sqlite3_bind_int (stmt, 5, image->channels);
  sqlite3_bind_int (stmt, 6, image->bit_depth);
  sqlite3_bind_blob (stmt, 7, data, (int) (n_values * 2), SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, sal_store_now_ms ());
  if (!sal_store_step_done (store, stmt, error, doing))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

static SalStoredImage *
image_from_row (sqlite3_stmt *stmt)
{
  SalStoredImage *si = g_new0 (SalStoredImage, 1);

  si->id = sqlite3_column_int64 (stmt, 0);
  si->case_id = sqlite3_column_int64 (stmt, 1);
  si->source = sal_col_text (stmt, 2);
  si->width = sqlite3_column_int (stmt, 3);
  si->height = sqlite3_column_int (stmt, 4);
  si->channels = sqlite3_column_int (stmt, 5);
  si->bit_depth = sqlite3_column_int (stmt, 6);
  si->created_ms = sqlite3_column_int64 (stmt, 7);
  return si;
}

SalStoredImage *
sal_store_get_image (SalStore *store, gint64 id, GError **error)
{
  g_autoptr(SalStoredImage) si = NULL;
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, case_id, source, width, height, channels, bit_depth, "
                                "created_ms, pixels FROM images WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gsize n_bytes = (gsize) sqlite3_column_bytes (stmt, 8);
      const guint16 *blob = sqlite3_column_blob (stmt, 8);

      si = image_from_row (stmt);
      si->image = sal_image_new (si->width, si->height, si->channels, si->bit_depth);
      if (si->image == NULL
          || n_bytes != (gsize) si->width * si->height * si->channels * 2 || blob == NULL)
        {
          g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_CORRUPT,
                       _("Image %" PRId64 " in the database is damaged"), id);
          sqlite3_reset (stmt);
          return NULL;
        }
      memcpy (si->image->pixels, blob, n_bytes);
#if G_BYTE_ORDER == G_BIG_ENDIAN
      for (gsize i = 0; i < n_bytes / 2; i++)
        si->image->pixels[i] = GUINT16_FROM_LE (si->image->pixels[i]);
#endif
    }
  else if (rc == SQLITE_DONE)
    not_found (error, "image", id);
  else
    sal_store_fail (store, error, _("Could not read the image"));
  sqlite3_reset (stmt);
  return g_steal_pointer (&si);
}

GPtrArray *
sal_store_list_images (SalStore *store, gint64 case_id, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, case_id, source, width, height, channels, bit_depth, "
                                "created_ms FROM images WHERE case_id = ? "
                                "AND pending_delete_ms IS NULL ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) image_from_row,
                            (GDestroyNotify) sal_stored_image_free, error,
                            _("Could not read the database"));
}

/* ---- notes ------------------------------------------------------------------------ */

gint64
sal_store_add_note (SalStore    *store,
                    gint64       case_id,
                    const char  *title,
                    const char  *text,
                    GError     **error)
{
  gint64 now = sal_store_now_ms ();
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "INSERT INTO notes (case_id, title, body, created_ms, updated_ms) "
                                "VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, case_id);
  sal_bind_text (stmt, 2, title != NULL ? title : "");
  sal_bind_text (stmt, 3, text != NULL ? text : "");
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the note")))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

gboolean
sal_store_update_note (SalStore    *store,
                       gint64       id,
                       const char  *title,
                       const char  *text,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "UPDATE notes SET title = ?, body = ?, updated_ms = ? "
                                "WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sal_bind_text (stmt, 1, title != NULL ? title : "");
  sal_bind_text (stmt, 2, text != NULL ? text : "");
  sqlite3_bind_int64 (stmt, 3, sal_store_now_ms ());
  sqlite3_bind_int64 (stmt, 4, id);
  if (!sal_store_step_done (store, stmt, error, _("Could not save the note")))
    return FALSE;
  if (sal_store_changes (store) == 0)
    return not_found (error, "note", id);
  return TRUE;
}

static SalNote *
note_from_row (sqlite3_stmt *stmt)
{
  SalNote *note = g_new0 (SalNote, 1);

  note->id = sqlite3_column_int64 (stmt, 0);
  note->case_id = sqlite3_column_int64 (stmt, 1);
  note->title = sal_col_text (stmt, 2);
  note->text = sal_col_text (stmt, 3);
  note->created_ms = sqlite3_column_int64 (stmt, 4);
  note->updated_ms = sqlite3_column_int64 (stmt, 5);
  return note;
}

SalNote *
sal_store_get_note (SalStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  SalNote *note;
  gboolean found;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, case_id, title, body, created_ms, updated_ms "
                                "FROM notes WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  note = sal_store_get_row (store, stmt, (SalStoreRowFunc) note_from_row, &found, error,
                            _("Could not read the note"));
  if (!found)
    not_found (error, "note", id);
  return note;
}

GPtrArray *
sal_store_list_notes (SalStore *store, gint64 case_id, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, case_id, title, body, created_ms, updated_ms "
                                "FROM notes WHERE case_id = ? AND pending_delete_ms IS NULL "
                                "ORDER BY created_ms, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) note_from_row,
                            (GDestroyNotify) sal_note_free, error,
                            _("Could not read the database"));
}

/* ---- measurements ----------------------------------------------------------------- */

gboolean
sal_store_set_measurements (SalStore              *store,
                            gint64                 case_id,
                            const SalMeasurement  *rows,
                            guint                  n_rows,
                            GError               **error)
{
  const char *doing = _("Could not save the measurements");
  SAL_STORE_LOCK (store);

  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < n_rows; i++)
    {
      sqlite3_stmt *stmt = sal_store_stmt (store, "INSERT OR REPLACE INTO measurements "
                                                  "(case_id, name, value, unit) "
                                                  "VALUES (?, ?, ?, ?)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, case_id);
      sal_bind_text (stmt, 2, rows[i].name);
      sal_bind_double (stmt, 3, rows[i].value);
      sal_bind_text (stmt, 4, rows[i].unit);
      if (!sal_store_step_done (store, stmt, error, doing))
        goto fail;
    }
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

static SalMeasurement *
measurement_from_row (sqlite3_stmt *stmt)
{
  SalMeasurement *m = g_new0 (SalMeasurement, 1);

  m->name = sal_col_text (stmt, 0);
  m->value = sal_col_double (stmt, 1);
  m->unit = sal_col_text (stmt, 2);
  return m;
}

GPtrArray *
sal_store_list_measurements (SalStore *store, gint64 case_id, GError **error)
{
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT name, value, unit FROM measurements WHERE case_id = ? "
                                "ORDER BY name", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, case_id);
  return sal_store_collect (store, stmt, (SalStoreRowFunc) measurement_from_row,
                            (GDestroyNotify) sal_measurement_free, error,
                            _("Could not read the database"));
}

/* ---- search ----------------------------------------------------------------------- */

/* Turns free text into an FTS5 query: every word quoted (so no FTS syntax gets through),
 * all required, the last one as a prefix. NULL when there is no word. */
static char *
fts_query_from_text (const char *text)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);
  const char *p = text;
  guint n_words = 0;

  if (!g_utf8_validate (text, -1, NULL))
    return NULL;
  for (;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }
      if (word->len > 0)
        {
          if (n_words++ > 0)
            g_string_append_c (query, ' ');
          g_string_append_printf (query, "\"%s\"", word->str);
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }
  if (n_words == 0)
    return NULL;
  g_string_append_c (query, '*');
  return g_string_free (g_steal_pointer (&query), FALSE);
}

static int
compare_hits (gconstpointer a, gconstpointer b)
{
  const SalSearchHit *x = *(SalSearchHit * const *) a;
  const SalSearchHit *y = *(SalSearchHit * const *) b;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind == SAL_OBJECT_CASE ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* FTS5 returns rows already sorted by rank (the ORDER BY is consumed by the virtual
 * table), so LIMIT stops early and snippets are made for the kept rows only. */
static gboolean
search_table (SalStore      *store,
              const char    *sql,
              SalObjectKind  kind,
              const char    *query,
              guint          limit,
              GPtrArray     *hits,
              GError       **error)
{
  sqlite3_stmt *stmt = sal_store_stmt (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, SAL_STORE_SNIPPET_OPEN, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, SAL_STORE_SNIPPET_CLOSE, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalSearchHit *hit = g_new0 (SalSearchHit, 1);

      hit->kind = kind;
      hit->id = sqlite3_column_int64 (stmt, 0);
      hit->case_id = sqlite3_column_int64 (stmt, 1);
      hit->rank = sqlite3_column_double (stmt, 2);
      hit->snippet = sal_col_text (stmt, 3);
      g_ptr_array_add (hits, hit);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sal_store_fail (store, error, _("Could not search"));
  return TRUE;
}

GPtrArray *
sal_store_search (SalStore *store, const char *text, guint limit, GError **error)
{
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_search_hit_free);
  g_autofree char *query = fts_query_from_text (text != NULL ? text : "");
  SAL_STORE_LOCK (store);

  if (query == NULL || limit == 0)
    return g_steal_pointer (&hits);
  if (!search_table (store,
                     "SELECT n.id, n.case_id, f.rank, snippet (notes_fts, -1, ?2, ?3, '…', 12) "
                     "FROM notes_fts f JOIN notes n ON n.id = f.rowid "
                     "JOIN cases c ON c.id = n.case_id "
                     "WHERE notes_fts MATCH ?1 AND n.pending_delete_ms IS NULL "
                     "AND c.pending_delete_ms IS NULL "
                     "ORDER BY f.rank LIMIT ?4",
                     SAL_OBJECT_NOTE, query, limit, hits, error)
      || !search_table (store,
                        "SELECT c.id, c.id, f.rank, snippet (cases_fts, -1, ?2, ?3, '…', 12) "
                        "FROM cases_fts f JOIN cases c ON c.id = f.rowid "
                        "WHERE cases_fts MATCH ?1 AND c.pending_delete_ms IS NULL "
                        "ORDER BY f.rank LIMIT ?4",
                        SAL_OBJECT_CASE, query, limit, hits, error))
    return NULL;
  g_ptr_array_sort (hits, compare_hits);
  if (hits->len > limit)
    g_ptr_array_set_size (hits, limit);
  return g_steal_pointer (&hits);
}
