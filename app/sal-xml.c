/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <string.h>

#include "sal-import-util.h"
#include "sal-xml.h"

static gboolean
ascii_prefix_ci (const char *p, const char *end, const char *word)
{
  gsize n = strlen (word);

  return (gsize) (end - p) >= n && g_ascii_strncasecmp (p, word, n) == 0;
}

/* Looks at the prolog (before the root element): a DOCTYPE is refused, and
 * the declared encoding is returned (NULL when none). */
static gboolean
check_prolog (const char *data, gsize len, const char *name, const char *format,
              char **encoding, GError **error)
{
  const char *p = data, *end = data + len;

  *encoding = NULL;
  if (len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    p += 3;
  for (;;)
    {
      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p >= end)
        break;
      if (ascii_prefix_ci (p, end, "<?xml"))
        {
          const char *close = g_strstr_len (p, end - p, "?>");
          const char *enc;
          if (close == NULL)
            break;
          enc = g_strstr_len (p, close - p, "encoding");
          if (enc != NULL)
            {
              const char *q = enc + 8;
              while (q < close && (*q == ' ' || *q == '=' || *q == '\t'))
                q++;
              if (q < close && (*q == '"' || *q == '\''))
                {
                  const char *qend = memchr (q + 1, *q, close - q - 1);
                  if (qend != NULL)
                    *encoding = g_strndup (q + 1, qend - q - 1);
                }
            }
          p = close + 2;
        }
      else if (ascii_prefix_ci (p, end, "<?"))
        {
          const char *close = g_strstr_len (p, end - p, "?>");
          if (close == NULL)
            break;
          p = close + 2;
        }
      else if (ascii_prefix_ci (p, end, "<!--"))
        {
          const char *close = g_strstr_len (p, end - p, "-->");
          if (close == NULL)
            break;
          p = close + 3;
        }
      else if (ascii_prefix_ci (p, end, "<!"))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                       _("%s: the file declares a DTD (<!DOCTYPE …>), which %s files never "
                         "need; it is refused because a DTD can hold entity bombs or "
                         "references to other files"), name, format);
          g_clear_pointer (encoding, g_free);
          return FALSE;
        }
      else
        break;
    }
  return TRUE;
}

static gsize xml_init_done = 0;

xmlDoc *
sal_xml_parse (GBytes *bytes, const char *name, const char *format, GError **error)
{
  g_autofree char *encoding = NULL;
  const char *data;
  gsize len;
  xmlParserCtxt *ctxt;
  xmlDoc *doc;
  guint line, column;

  if (g_once_init_enter (&xml_init_done))
    {
      xmlInitParser ();
      g_once_init_leave (&xml_init_done, 1);
    }

  data = g_bytes_get_data (bytes, &len);
  if (len >= 2 && ((guint8) data[0] == 0xfe || (guint8) data[0] == 0xff || data[0] == 0
                   || data[1] == 0))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: the file is in UTF-16 or UTF-32; save it as UTF-8"), name);
      return NULL;
    }
  if (len > G_MAXINT)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is too large for the XML parser"), name);
      return NULL;
    }
  if (!check_prolog (data, len, name, format, &encoding, error))
    return NULL;
  /* An 8-bit legacy encoding is converted by libxml2; anything else must be UTF-8. */
  if (encoding == NULL || g_ascii_strcasecmp (encoding, "UTF-8") == 0
      || g_ascii_strcasecmp (encoding, "US-ASCII") == 0)
    {
      if (!sal_import_check_utf8 (data, len, &line, &column))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: line %u, byte %u: invalid UTF-8 text"), name, line, column);
          return NULL;
        }
    }
  else if (g_ascii_strncasecmp (encoding, "ISO-8859-", 9) != 0
           && g_ascii_strncasecmp (encoding, "windows-125", 11) != 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: the text encoding “%s” is not supported; save the file as UTF-8"),
                   name, encoding);
      return NULL;
    }

  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_IO,
                   _("%s: cannot start the XML parser"), name);
      return NULL;
    }
  /* No XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD or XML_PARSE_HUGE. */
  doc = xmlCtxtReadMemory (ctxt, data, (int) len, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING
                           | XML_PARSE_NOCDATA);
  if (doc == NULL || !ctxt->wellFormed)
    {
      const xmlError *e = xmlCtxtGetLastError (ctxt);
      g_autofree char *msg = NULL;

      if (e != NULL && e->message != NULL)
        msg = g_strchomp (g_strdup (e->message));
      if (e != NULL && e->line > 0)
        g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                     _("%s: line %d: not well-formed XML: %s"), name, e->line,
                     msg != NULL ? msg : "?");
      else
        g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                     _("%s: not well-formed XML: %s"), name, msg != NULL ? msg : "?");
      if (doc != NULL)
        xmlFreeDoc (doc);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xmlFreeParserCtxt (ctxt);
  if (doc->intSubset != NULL || doc->extSubset != NULL)
    {
      xmlFreeDoc (doc);
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: the file declares a DTD, which %s files never need"), name, format);
      return NULL;
    }
  return doc;
}

gboolean
sal_xml_is (xmlNode *node, const char *local_name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE
         && strcmp ((const char *) node->name, local_name) == 0;
}

xmlNode *
sal_xml_next (xmlNode *node, const char *local_name)
{
  for (xmlNode *n = node != NULL ? node->next : NULL; n != NULL; n = n->next)
    if (sal_xml_is (n, local_name))
      return n;
  return NULL;
}

xmlNode *
sal_xml_child (xmlNode *node, const char *local_name)
{
  if (node == NULL)
    return NULL;
  for (xmlNode *n = node->children; n != NULL; n = n->next)
    if (sal_xml_is (n, local_name))
      return n;
  return NULL;
}

xmlNode *
sal_xml_descendant (xmlNode *node, const char *local_name)
{
  if (node == NULL)
    return NULL;
  for (xmlNode *n = node->children; n != NULL; n = n->next)
    {
      xmlNode *found;

      if (n->type != XML_ELEMENT_NODE)
        continue;
      if (sal_xml_is (n, local_name))
        return n;
      found = sal_xml_descendant (n, local_name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

char *
sal_xml_text (xmlNode *node)
{
  xmlChar *content;
  char *text;

  if (node == NULL)
    return g_strdup ("");
  content = xmlNodeGetContent (node);
  text = g_strstrip (g_strdup (content != NULL ? (const char *) content : ""));
  xmlFree (content);
  return text;
}

char *
sal_xml_attr (xmlNode *node, const char *name)
{
  xmlChar *v = xmlGetNoNsProp (node, (const xmlChar *) name);
  char *copy;

  if (v == NULL)
    return NULL;
  copy = g_strdup ((const char *) v);
  xmlFree (v);
  return copy;
}
