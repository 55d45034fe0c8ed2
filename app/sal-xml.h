/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Safe streaming XML parsing for the GPX and TCX importers (internal). */

#include <gio/gio.h>

G_BEGIN_DECLS

#define SAL_XML_MAX_DEPTH 256

/* Where the parser is: local names (no namespace prefix) from the root down. */
typedef struct {
  const char *names[SAL_XML_MAX_DEPTH + 1];
  int         depth;      /* number of open elements; names[depth - 1] is the current one */
  long        line;       /* line of the current event */
} SalXmlPath;

/* attrs: SAX2 triples flattened as (localname, prefix, URI, value, value_end) × n. */
typedef gboolean (*SalXmlStartFunc) (gpointer          user_data,
                                     const SalXmlPath *path,
                                     const char      **attrs,
                                     int               n_attrs,
                                     GError          **error);
/* text: the element's own character data, trimmed (complete for leaf elements). */
typedef gboolean (*SalXmlEndFunc)   (gpointer          user_data,
                                     const SalXmlPath *path,
                                     const char       *text,
                                     GError          **error);

/* Streams untrusted XML from memory to the two callbacks: no tree is built,
 * no network, no DTD (a document that declares one, and so could hold entity
 * bombs or outside references, is refused), no entity substitution, no
 * XML_PARSE_HUGE, nesting limited to SAL_XML_MAX_DEPTH, UTF-8 checked first.
 * A callback returning FALSE stops the parse with its error, and so does
 * cancellable (G_IO_ERROR_CANCELLED; may be NULL). format names the
 * expected format in messages ("GPX"). */
gboolean    sal_xml_parse        (GBytes          *bytes,
                                  const char      *name,
                                  const char      *format,
                                  SalXmlStartFunc  start,
                                  SalXmlEndFunc    end,
                                  gpointer         user_data,
                                  GCancellable    *cancellable,
                                  GError         **error);

/* The local name k levels above the current element (0: the current one), or "". */
const char *sal_xml_path_up      (const SalXmlPath *path,
                                  int               k);
/* TRUE when an element with this local name is open (current or above). */
gboolean    sal_xml_path_has     (const SalXmlPath *path,
                                  const char       *local_name);
/* An attribute value (no namespace) of a start event, newly allocated, or NULL. */
char       *sal_xml_attr         (const char      **attrs,
                                  int               n_attrs,
                                  const char       *name);

G_END_DECLS
