/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The Clinic's first-run demo set: a few cases, marked demo, so a new user sees real
 * work at once: phantom slices with and without a lesion, generated notes (routine,
 * urgent, emergency) and measurement rows of the Wisconsin breast-mass data.
 * Everything is removable in one action with sal_store_delete_demo_data(). */

#include <glib.h>

#include "sal-store.h"

G_BEGIN_DECLS

/* Seeds the demo set into a store that holds no case yet (a store with cases, demo or
 * not, is left alone, so removed demo data does not come back next to the user's own
 * cases). wdbc_csv: data/datasets/wdbc.csv, or NULL to skip the measurement rows.
 * n_cases: cases added (0 when the store already had cases). All in one transaction. */
gboolean sal_demo_clinic_seed (SalStore   *store,
                               const char *wdbc_csv,
                               guint      *n_cases,
                               GError    **error);

G_END_DECLS
