/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Safe XML parsing for the GPX and TCX importers (internal). */

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* Parses untrusted XML from memory: no network, no DTD (a document that
 * declares one, and so could hold entity bombs or outside references, is
 * refused), no entity substitution, libxml2's default size limits, UTF-8
 * checked first. format names the expected format in messages ("GPX"). */
xmlDoc     *sal_xml_parse        (GBytes      *bytes,
                                  const char  *name,
                                  const char  *format,
                                  GError     **error);

/* First element child of node with this local name (any namespace), or NULL. */
xmlNode    *sal_xml_child        (xmlNode    *node,
                                  const char *local_name);
/* Next element sibling after node with this local name, or NULL. */
xmlNode    *sal_xml_next         (xmlNode    *node,
                                  const char *local_name);
/* First descendant element with this local name (depth first), or NULL. */
xmlNode    *sal_xml_descendant   (xmlNode    *node,
                                  const char *local_name);
gboolean    sal_xml_is           (xmlNode    *node,
                                  const char *local_name);
/* The element's text content, trimmed, newly allocated (never NULL). */
char       *sal_xml_text         (xmlNode    *node);
/* Attribute value without namespace, newly allocated, or NULL. */
char       *sal_xml_attr         (xmlNode    *node,
                                  const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

G_END_DECLS
