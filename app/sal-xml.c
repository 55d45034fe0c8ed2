/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-import"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
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

#define MAX_TEXT (1024 * 1024)

typedef struct {
  const char      *name;
  const char      *format;
  SalXmlStartFunc  start;
  SalXmlEndFunc    end;
  gpointer         user_data;
  SalXmlPath       path;
  GString         *text;
  GError          *error;       /* from a callback, or our own */
  xmlParserCtxt   *ctxt;
  GCancellable    *cancellable;
  guint            n_elements;
} SaxState;

static gsize xml_init_done = 0;

static void
stop_with (SaxState *st, GError *error)
{
  if (st->error == NULL)
    st->error = error;
  else
    g_error_free (error);
  xmlStopParser (st->ctxt);
}

static void
on_start (void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
          int n_ns, const xmlChar **ns, int n_attrs, int n_defaulted, const xmlChar **attrs)
{
  xmlParserCtxt *ctxt = ctx;
  SaxState *st = ctxt->_private;
  GError *error = NULL;

  if (st->error != NULL)
    return;
  if (st->path.depth >= SAL_XML_MAX_DEPTH)
    {
      stop_with (st, g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                                  _("%s: line %d: elements nested more than %d deep"),
                                  st->name, xmlSAX2GetLineNumber (ctx), SAL_XML_MAX_DEPTH));
      return;
    }
  if ((st->n_elements++ & 1023) == 0
      && g_cancellable_set_error_if_cancelled (st->cancellable, &error))
    {
      stop_with (st, error);
      return;
    }
  st->path.names[st->path.depth++] = (const char *) localname;
  st->path.line = xmlSAX2GetLineNumber (ctx);
  g_string_truncate (st->text, 0);
  if (!st->start (st->user_data, &st->path, (const char **) attrs, n_attrs, &error))
    stop_with (st, error);
}

static void
on_end (void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
  xmlParserCtxt *ctxt = ctx;
  SaxState *st = ctxt->_private;
  GError *error = NULL;
  gsize a = 0, b = st->text->len;

  if (st->error != NULL || st->path.depth == 0)
    return;
  while (a < b && g_ascii_isspace (st->text->str[a]))
    a++;
  while (b > a && g_ascii_isspace (st->text->str[b - 1]))
    b--;
  st->text->str[b] = '\0';
  st->path.line = xmlSAX2GetLineNumber (ctx);
  if (!st->end (st->user_data, &st->path, st->text->str + a, &error))
    stop_with (st, error);
  st->path.depth--;
  g_string_truncate (st->text, 0);
}

static void
on_characters (void *ctx, const xmlChar *ch, int len)
{
  xmlParserCtxt *ctxt = ctx;
  SaxState *st = ctxt->_private;

  if (st->error != NULL)
    return;
  if (st->text->len + (gsize) len > MAX_TEXT)
    {
      stop_with (st, g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                                  _("%s: line %d: an element holds more than %d bytes of text"),
                                  st->name, xmlSAX2GetLineNumber (ctx), MAX_TEXT));
      return;
    }
  g_string_append_len (st->text, (const char *) ch, len);
}

static void
on_dtd (void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
  xmlParserCtxt *ctxt = ctx;
  SaxState *st = ctxt->_private;

  stop_with (st, g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                              _("%s: the file declares a DTD, which %s files never need"),
                              st->name, st->format));
}

static void
on_entity_decl (void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                const xmlChar *system_id, xmlChar *content)
{
  xmlParserCtxt *ctxt = ctx;
  SaxState *st = ctxt->_private;

  stop_with (st, g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                              _("%s: the file declares an entity, which %s files never need"),
                              st->name, st->format));
}

/* Only the five predefined entities exist; the parser resolves those itself. */
static xmlEntity *
on_get_entity (void *ctx, const xmlChar *name)
{
  return NULL;
}

gboolean
sal_xml_parse (GBytes *bytes, const char *name, const char *format, SalXmlStartFunc start,
               SalXmlEndFunc end, gpointer user_data, GCancellable *cancellable,
               GError **error)
{
  g_autofree char *encoding = NULL;
  SaxState st = { 0 };
  xmlSAXHandler sax;
  const char *data;
  gsize len;
  guint line, column;
  gboolean well_formed;

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
      return FALSE;
    }
  if (len > G_MAXINT)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: the file is too large for the XML parser"), name);
      return FALSE;
    }
  if (!check_prolog (data, len, name, format, &encoding, error))
    return FALSE;
  /* An 8-bit legacy encoding is converted by libxml2; anything else must be UTF-8. */
  if (encoding == NULL || g_ascii_strcasecmp (encoding, "UTF-8") == 0
      || g_ascii_strcasecmp (encoding, "US-ASCII") == 0)
    {
      if (!sal_import_check_utf8 (data, len, &line, &column))
        {
          g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                       _("%s: line %u, byte %u: invalid UTF-8 text"), name, line, column);
          return FALSE;
        }
    }
  else if (g_ascii_strncasecmp (encoding, "ISO-8859-", 9) != 0
           && g_ascii_strncasecmp (encoding, "windows-125", 11) != 0)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_UNSUPPORTED,
                   _("%s: the text encoding “%s” is not supported; save the file as UTF-8"),
                   name, encoding);
      return FALSE;
    }

  memset (&sax, 0, sizeof sax);
  xmlSAXVersion (&sax, 2);
  sax.startDocument = NULL;          /* no tree */
  sax.endDocument = NULL;
  sax.startElementNs = on_start;
  sax.endElementNs = on_end;
  sax.characters = on_characters;
  sax.cdataBlock = on_characters;
  sax.ignorableWhitespace = NULL;
  sax.internalSubset = on_dtd;
  sax.externalSubset = NULL;
  sax.entityDecl = on_entity_decl;
  sax.getEntity = on_get_entity;
  sax.getParameterEntity = on_get_entity;
  sax.resolveEntity = NULL;
  sax.reference = NULL;
  sax.comment = NULL;
  sax.processingInstruction = NULL;
  sax.error = NULL;
  sax.warning = NULL;
  sax.serror = NULL;

  st.ctxt = xmlCreateMemoryParserCtxt (data, (int) len);
  if (st.ctxt == NULL)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: the file is empty"), name);
      return FALSE;
    }
  memcpy (st.ctxt->sax, &sax, sizeof sax);
  st.ctxt->_private = &st;
  /* No XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD or XML_PARSE_HUGE. */
  xmlCtxtUseOptions (st.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  st.name = name;
  st.format = format;
  st.start = start;
  st.end = end;
  st.user_data = user_data;
  st.cancellable = cancellable;
  st.text = g_string_sized_new (256);

  xmlParseDocument (st.ctxt);
  well_formed = st.ctxt->wellFormed;
  if (st.error == NULL && (!well_formed || st.path.depth != 0))
    {
      const xmlError *e = xmlCtxtGetLastError (st.ctxt);
      g_autofree char *msg = NULL;

      if (e != NULL && e->message != NULL)
        msg = g_strchomp (g_strdup (e->message));
      if (e != NULL && e->line > 0)
        st.error = g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                                _("%s: line %d: not well-formed XML: %s"), name, e->line,
                                msg != NULL ? msg : _("the document ends early"));
      else
        st.error = g_error_new (SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                                _("%s: not well-formed XML: %s"), name,
                                msg != NULL ? msg : _("the document ends early"));
    }
  if (st.ctxt->myDoc != NULL)
    xmlFreeDoc (st.ctxt->myDoc);
  xmlFreeParserCtxt (st.ctxt);
  g_string_free (st.text, TRUE);
  if (st.error != NULL)
    {
      g_propagate_error (error, st.error);
      return FALSE;
    }
  return TRUE;
}

const char *
sal_xml_path_up (const SalXmlPath *path, int k)
{
  int i = path->depth - 1 - k;

  return i >= 0 ? path->names[i] : "";
}

gboolean
sal_xml_path_has (const SalXmlPath *path, const char *local_name)
{
  for (int i = 0; i < path->depth; i++)
    if (strcmp (path->names[i], local_name) == 0)
      return TRUE;
  return FALSE;
}

char *
sal_xml_attr (const char **attrs, int n_attrs, const char *name)
{
  for (int i = 0; i < n_attrs; i++)
    {
      const char **a = attrs + 5 * i;
      if (a[2] == NULL && strcmp (a[0], name) == 0)
        return g_strndup (a[3], a[4] - a[3]);
    }
  return NULL;
}

gboolean
sal_xml_number (const char *name, const SalXmlPath *path, const char *text, double *out,
                GError **error)
{
  if (text[0] == '\0')
    return TRUE;
  if (!sal_import_parse_double (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: <%s> holds “%s”, not a number"), name, path->line,
                   sal_xml_path_up (path, 0), text);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_xml_time (const char *name, long line, const char *text, gint64 *out, GError **error)
{
  if (!sal_import_parse_time (text, out))
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_MALFORMED,
                   _("%s: line %ld: “%s” is not a valid time"), name, line, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_xml_track_begin_point (SalXmlTrack *t, long line, GError **error)
{
  t->point = sal_sample_empty ();
  t->point_line = line;
  t->in_point = TRUE;
  g_clear_pointer (&t->point_time, g_free);
  if (++t->n_samples > t->max_samples)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_TOO_LARGE,
                   _("%s: more than %u track points, the most allowed"), t->name,
                   t->max_samples);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_xml_track_end_point (SalXmlTrack *t, GArray *samples, GError **error)
{
  SalSample *s = &t->point;

  if (!sal_xml_time (t->name, t->point_line, t->point_time, &s->time_ms, error))
    return FALSE;
  if (samples->len > 0 && s->time_ms < g_array_index (samples, SalSample, samples->len - 1).time_ms)
    {
      g_set_error (error, SAL_IMPORT_ERROR, SAL_IMPORT_ERROR_INVALID,
                   _("%s: line %ld: time goes backwards (%s comes after a later point)"),
                   t->name, t->point_line, t->point_time);
      return FALSE;
    }
  return TRUE;
}

gboolean
sal_xml_track_read (SalXmlTrack *t, GBytes *bytes, const char *name, const char *format,
                    const SalImportLimits *limits, SalXmlStartFunc start, SalXmlEndFunc end,
                    GError **error)
{
  SalImportLimits lim;
  gboolean ok;

  sal_import_limits_resolve (limits, &lim);
  t->name = name != NULL ? name : format;
  t->max_samples = lim.max_samples;
  t->max_workouts = lim.max_workouts;
  if (!sal_import_check_size (g_bytes_get_size (bytes), lim.max_bytes, t->name, error))
    return FALSE;
  ok = sal_xml_parse (bytes, t->name, format, start, end, t, lim.cancellable, error);
  g_clear_pointer (&t->point_time, g_free);
  return ok;
}
