/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-session.h"
#include "sal-datasets.h"
#include "sal-store.h"

SalStore *
sal_session_open_store (const char *db_path, gboolean in_memory, GError **error)
{
  SalStore *store = sal_store_open (in_memory ? ":memory:" : db_path, error);
  g_autofree char *models_dir = NULL;
  g_autoptr(GError) local = NULL;

  if (store == NULL)
    return NULL;
  /* A model folder that cannot be read leaves the library as it was; the
   * Models workspace shows what is there. */
  models_dir = sal_shipped_models_dir ();
  if (models_dir != NULL && !sal_store_register_models_in_dir (store, models_dir, NULL, &local))
    g_message ("shipped models in %s were not registered: %s", models_dir, local->message);
  return store;
}

void
sal_session_release_store (SalStore *store)
{
  sal_store_unref (store);
}
