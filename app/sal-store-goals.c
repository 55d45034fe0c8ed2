/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fitness goals, cached best efforts, and the athlete's time zone. */
#define G_LOG_DOMAIN "sal-store"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sal-store-private.h"

GTimeZone *
sal_athlete_time_zone (const SalAthlete *a)
{
  GTimeZone *tz = NULL;

  if (a != NULL && a->time_zone != NULL && a->time_zone[0])
    tz = g_time_zone_new_identifier (a->time_zone);
  return tz != NULL ? tz : g_time_zone_new_local ();
}

/* ---- goals ------------------------------------------------------------------------ */

static const char *const goal_kinds[] = { "distance", "time", "sessions" };

const char *
sal_goal_kind_to_string (SalGoalKind kind)
{
  g_return_val_if_fail (kind <= SAL_GOAL_SESSIONS, "distance");
  return goal_kinds[kind];
}

gboolean
sal_goal_kind_from_string (const char *s, SalGoalKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (goal_kinds); i++)
    if (g_strcmp0 (s, goal_kinds[i]) == 0)
      {
        *kind = (SalGoalKind) i;
        return TRUE;
      }
  return FALSE;
}

void
sal_goal_free (SalGoal *g)
{
  if (g == NULL)
    return;
  g_free (g->sport);
  g_free (g);
}

gboolean
sal_store_put_goal (SalStore *store, SalGoal *g, GError **error)
{
  const char *doing = _("Could not save the goal");
  sqlite3_stmt *stmt;
  SAL_STORE_LOCK (store);

  if (!(g->target > 0) || !isfinite (g->target) || g->kind > SAL_GOAL_SESSIONS)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_INVALID,
                   _("%s: a weekly goal needs a target above zero"), doing);
      return FALSE;
    }
  if (g->id == 0)
    stmt = sal_store_stmt (store, "INSERT INTO fitness_goals (kind, sport, target, created_ms) "
                                  "VALUES (?1, ?2, ?3, ?4)", error);
  else
    stmt = sal_store_stmt (store, "UPDATE fitness_goals SET kind = ?1, sport = ?2, target = ?3 "
                                  "WHERE id = ?5 AND pending_delete_ms IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sal_goal_kind_to_string (g->kind), -1, SQLITE_STATIC);
  sal_bind_text (stmt, 2, g->sport);
  sqlite3_bind_double (stmt, 3, g->target);
  if (g->id == 0)
    sqlite3_bind_int64 (stmt, 4, sal_store_now_ms ());
  else
    sqlite3_bind_int64 (stmt, 5, g->id);
  if (!sal_store_step_done (store, stmt, error, doing))
    return FALSE;
  if (g->id == 0)
    g->id = sqlite3_last_insert_rowid (store->db);
  else if (sal_store_changes (store) == 0)
    {
      g_set_error (error, SAL_STORE_ERROR, SAL_STORE_ERROR_NOT_FOUND,
                   _("%s: it was deleted meanwhile"), doing);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
sal_store_list_goals (SalStore *store, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_goal_free);
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT id, kind, sport, target FROM fitness_goals "
                                "WHERE pending_delete_ms IS NULL ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalGoal *g = g_new0 (SalGoal, 1);
      g->id = sqlite3_column_int64 (stmt, 0);
      if (!sal_goal_kind_from_string ((const char *) sqlite3_column_text (stmt, 1), &g->kind))
        g->kind = SAL_GOAL_SESSIONS;
      g->sport = sal_col_text (stmt, 2);
      g->target = sqlite3_column_double (stmt, 3);
      g_ptr_array_add (out, g);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not read the goals"));
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- best efforts ----------------------------------------------------------------- */

gboolean
sal_store_set_efforts (SalStore *store, const SalWorkoutEfforts *e, guint n, GError **error)
{
  const char *doing = _("Could not save the best efforts");
  SAL_STORE_LOCK (store);

  if (n == 0)
    return TRUE;
  if (!sal_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      sqlite3_stmt *stmt = sal_store_stmt (store, "INSERT OR REPLACE INTO workout_efforts "
                                                  "(workout_id, best_1k_s, best_5k_s, best_10k_s, "
                                                  "best_half_s, best_full_s) "
                                                  "VALUES (?, ?, ?, ?, ?, ?)", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, e[i].workout_id);
      for (int k = 0; k < SAL_N_EFFORTS; k++)
        sal_bind_double (stmt, 2 + k, e[i].best_s[k]);
      if (!sal_store_step_done (store, stmt, error, doing))
        goto fail;
    }
  return sal_store_commit (store, error);

fail:
  sal_store_rollback (store);
  return FALSE;
}

GArray *
sal_store_list_efforts (SalStore *store, GError **error)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (SalWorkoutEfforts));
  sqlite3_stmt *stmt;
  int rc;
  SAL_STORE_LOCK (store);

  stmt = sal_store_stmt (store, "SELECT e.workout_id, best_1k_s, best_5k_s, best_10k_s, "
                                "best_half_s, best_full_s FROM workout_efforts e "
                                "JOIN workouts w ON w.id = e.workout_id "
                                "WHERE w.pending_delete_ms IS NULL ORDER BY e.workout_id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SalWorkoutEfforts e = { sqlite3_column_int64 (stmt, 0), { 0 } };
      for (int k = 0; k < SAL_N_EFFORTS; k++)
        e.best_s[k] = sal_col_double (stmt, 1 + k);
      g_array_append_val (out, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      sal_store_fail (store, error, _("Could not read the best efforts"));
      return NULL;
    }
  return g_steal_pointer (&out);
}
