/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Safe streaming XML parsing for the GPX and TCX importers (internal). */

#include <gio/gio.h>

#include "sal-import-util.h"

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

/* What the GPX and TCX readers share: the budgets, the finished workouts and
 * the open track point. A reader's state starts with one of these, so the
 * state is also the user_data of sal_xml_track_read. */
typedef struct {
  const char *name;          /* the file, in messages */
  guint       max_samples;
  guint       max_workouts;
  guint       n_samples;
  GPtrArray  *out;           /* finished workouts */
  gboolean    in_point;
  SalSample   point;
  long        point_line;
  char       *point_time;
} SalXmlTrack;

/* The element's text as a number in *out; empty text leaves *out alone. */
gboolean    sal_xml_number       (const char       *name,
                                  const SalXmlPath *path,
                                  const char       *text,
                                  double           *out,
                                  GError          **error);
/* text (from line `line`) as a time in ms since the epoch. */
gboolean    sal_xml_time         (const char       *name,
                                  long              line,
                                  const char       *text,
                                  gint64           *out,
                                  GError          **error);
/* Opens a track point at `line`, counting it against max_samples. */
gboolean    sal_xml_track_begin_point (SalXmlTrack  *t,
                                       long          line,
                                       GError      **error);
/* Closes the open track point: reads point_time (the caller has checked
 * there is one) into point.time_ms, which must not go back from the last
 * sample in `samples`. */
gboolean    sal_xml_track_end_point   (SalXmlTrack  *t,
                                       GArray       *samples,
                                       GError      **error);
/* Resolves limits into t (name: `name`, or `format` when NULL), checks the
 * size and parses bytes with start and end, which get t as their user_data.
 * Finished workouts go to t->out; the caller frees its open workout and
 * decides what an empty t->out means. */
gboolean    sal_xml_track_read   (SalXmlTrack            *t,
                                  GBytes                 *bytes,
                                  const char             *name,
                                  const char             *format,
                                  const SalImportLimits  *limits,
                                  SalXmlStartFunc         start,
                                  SalXmlEndFunc           end,
                                  GError                **error);

G_END_DECLS
