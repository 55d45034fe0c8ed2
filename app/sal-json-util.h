/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Reading the small JSON objects stored with records (parameters, checks, metadata). */

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The root object of json, parsed into parser (which keeps it alive), or NULL when
 * json is NULL, not JSON, or not an object. */
JsonObject *sal_json_parse_object  (const char *json,
                                    JsonParser *parser);
/* The member `name` of o as a number; NAN when o is NULL or the member is missing,
 * null or not a plain value. */
double      sal_json_member_double (JsonObject *o,
                                    const char *name);

/* s as a JSON string literal (quoted and escaped). */
char       *sal_json_quote             (const char *s);
/* The builder's root as compact JSON text. */
char       *sal_json_builder_to_string (JsonBuilder *b);
/* The member "probabilities": an object of labels[i]: p[i] for i < n. */
void        sal_json_add_probabilities (JsonBuilder *b,
                                        GPtrArray   *labels,
                                        const double *p,
                                        guint        n);

G_END_DECLS
