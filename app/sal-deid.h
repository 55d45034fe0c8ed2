/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* De-identification of free text for the HIPAA Safe Harbor identifiers that occur in
 * notes. Rule based and deterministic: the same text always gives the same spans. */

typedef enum {
  SAL_DEID_NAME,      /* person names (patients, relatives, clinicians) */
  SAL_DEID_DATE,      /* dates more specific than the year */
  SAL_DEID_AGE,       /* ages over 89 */
  SAL_DEID_PHONE,
  SAL_DEID_FAX,
  SAL_DEID_EMAIL,
  SAL_DEID_ADDRESS,   /* street address, city */
  SAL_DEID_ZIP,
  SAL_DEID_SSN,
  SAL_DEID_MRN,       /* medical record numbers */
  SAL_DEID_ACCOUNT,   /* account, health plan, member, policy numbers */
  SAL_DEID_ID,        /* other labelled identifiers: licence, device serial … */
  SAL_DEID_URL,
  SAL_DEID_IP,
  SAL_DEID_N_CATEGORIES
} SalDeidCategory;

/* Byte offsets into the UTF-8 text, [start, end). */
typedef struct {
  gsize           start;
  gsize           end;
  SalDeidCategory category;
} SalDeidSpan;

/* One replacement, for a "show what would change" view. */
typedef struct {
  gsize           start;        /* in the original text */
  gsize           end;
  SalDeidCategory category;
  char           *original;
  char           *replacement;
} SalDeidChange;

typedef struct _SalDeid SalDeid;

SalDeid    *sal_deid_new                 (GError **error);
SalDeid    *sal_deid_ref                 (SalDeid *deid);
void        sal_deid_unref               (SalDeid *deid);

GArray     *sal_deid_find                (SalDeid     *deid,
                                          const char  *text,
                                          GError     **error);
char       *sal_deid_replace             (SalDeid     *deid,
                                          const char  *text,
                                          GPtrArray  **changes,
                                          GError     **error);
char       *sal_deid_apply               (const char  *text,
                                          GArray      *spans,
                                          GPtrArray  **changes);

void        sal_deid_change_free         (SalDeidChange *change);

const char *sal_deid_category_id         (SalDeidCategory category);
const char *sal_deid_category_tag        (SalDeidCategory category);
const char *sal_deid_category_describe   (SalDeidCategory category);
gboolean    sal_deid_category_from_id    (const char      *id,
                                          SalDeidCategory *category);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalDeid, sal_deid_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SalDeidChange, sal_deid_change_free)

G_END_DECLS
