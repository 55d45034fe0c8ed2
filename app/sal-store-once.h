/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Things done once per database, such as seeding the first-run demo data. The audit log
 * remembers each as a "once" entry naming its key, so removing what it made (the demo
 * cases, or every case) does not bring it back at the next start; another database
 * (`--db FILE`) gets its own first run. Any workspace's first-run seeding uses this:
 * the Clinic's demo cases under the key "clinic-demo". */

#include "sal-store.h"

G_BEGIN_DECLS

/* Whether `key` was done in this database. */
gboolean sal_store_once_done (SalStore   *store,
                              const char *key,
                              gboolean   *done,
                              GError    **error);

/* Runs func, unless `key` was done already, and records `key` as done, in one
 * transaction: when func fails nothing is recorded (the next start tries again) and
 * what func wrote is rolled back. ran: whether func ran. */
gboolean sal_store_run_once  (SalStore        *store,
                              const char      *key,
                              SalStoreTxnFunc  func,
                              gpointer         user_data,
                              gboolean        *ran,
                              GError         **error);

G_END_DECLS
