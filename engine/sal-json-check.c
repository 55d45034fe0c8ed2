/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-engine"

#include "sal-json-check.h"
#include "sal-error.h"

#include <string.h>

#define MAX_DEPTH 64

static void
skip_ws (const char **p)
{
  while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
    (*p)++;
}

static gboolean
parse_string (const char **p)
{
  const char *s = *p;

  if (*s != '"')
    return FALSE;
  s++;
  while (*s != '"')
    {
      if ((guchar) *s < 0x20)   /* also the end of the text */
        return FALSE;
      if (*s == '\\')
        {
          s++;
          if (*s == 'u')
            {
              for (int i = 1; i <= 4; i++)
                if (!g_ascii_isxdigit (s[i]))
                  return FALSE;
              s += 4;
            }
          else if (strchr ("\"\\/bfnrt", *s) == NULL || *s == '\0')
            return FALSE;
        }
      s++;
    }
  *p = s + 1;
  return TRUE;
}

static gboolean
parse_number (const char **p)
{
  const char *s = *p;

  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    while (g_ascii_isdigit (*s))
      s++;
  else
    return FALSE;
  if (*s == '.')
    {
      s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }
  if (*s == 'e' || *s == 'E')
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }
  *p = s;
  return TRUE;
}

static SalJsonKind
parse_value (const char **p, int depth)
{
  skip_ws (p);
  if (depth > MAX_DEPTH)
    return SAL_JSON_INVALID;
  switch (**p)
    {
    case '"':
      return parse_string (p) ? SAL_JSON_STRING : SAL_JSON_INVALID;
    case '{':
      (*p)++;
      skip_ws (p);
      if (**p == '}')
        {
          (*p)++;
          return SAL_JSON_OBJECT;
        }
      for (;;)
        {
          skip_ws (p);
          if (!parse_string (p))
            return SAL_JSON_INVALID;
          skip_ws (p);
          if (**p != ':')
            return SAL_JSON_INVALID;
          (*p)++;
          if (parse_value (p, depth + 1) == SAL_JSON_INVALID)
            return SAL_JSON_INVALID;
          skip_ws (p);
          if (**p == '}')
            {
              (*p)++;
              return SAL_JSON_OBJECT;
            }
          if (**p != ',')
            return SAL_JSON_INVALID;
          (*p)++;
        }
    case '[':
      (*p)++;
      skip_ws (p);
      if (**p == ']')
        {
          (*p)++;
          return SAL_JSON_ARRAY;
        }
      for (;;)
        {
          if (parse_value (p, depth + 1) == SAL_JSON_INVALID)
            return SAL_JSON_INVALID;
          skip_ws (p);
          if (**p == ']')
            {
              (*p)++;
              return SAL_JSON_ARRAY;
            }
          if (**p != ',')
            return SAL_JSON_INVALID;
          (*p)++;
        }
    case 't':
      if (strncmp (*p, "true", 4) != 0)
        return SAL_JSON_INVALID;
      *p += 4;
      return SAL_JSON_BOOL;
    case 'f':
      if (strncmp (*p, "false", 5) != 0)
        return SAL_JSON_INVALID;
      *p += 5;
      return SAL_JSON_BOOL;
    case 'n':
      if (strncmp (*p, "null", 4) != 0)
        return SAL_JSON_INVALID;
      *p += 4;
      return SAL_JSON_NULL;
    default:
      return parse_number (p) ? SAL_JSON_NUMBER : SAL_JSON_INVALID;
    }
}

SalJsonKind
sal_json_check (const char *text)
{
  const char *p = text;
  SalJsonKind kind;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return SAL_JSON_INVALID;
  kind = parse_value (&p, 0);
  if (kind == SAL_JSON_INVALID)
    return kind;
  skip_ws (&p);
  return *p == '\0' ? kind : SAL_JSON_INVALID;
}

const char *
sal_json_kind_name (SalJsonKind kind)
{
  static const char *const names[] = {
    "invalid JSON", "null", "a boolean", "a number", "a string", "an array", "an object",
  };

  return names[kind];
}

static const struct {
  const char  *key;
  SalJsonKind  kind;
  const char  *choices;   /* for strings with fixed values, '|'-separated */
} metadata_keys[] = {
  { "salient.task", SAL_JSON_STRING, "classification|regression" },
  { "salient.input_kind", SAL_JSON_STRING, "image|note|measurements|fitness" },
  { "salient.labels", SAL_JSON_ARRAY, NULL },
  { "salient.features", SAL_JSON_ARRAY, NULL },
  { "salient.preprocess", SAL_JSON_OBJECT, NULL },
  { "salient.vocab", SAL_JSON_ARRAY, NULL },
  { "salient.tokenizer", SAL_JSON_STRING, NULL },
  { "salient.attention", SAL_JSON_STRING, NULL },
  { "salient.card", SAL_JSON_STRING, NULL },
  { "salient.provenance", SAL_JSON_OBJECT, NULL },
};

gboolean
sal_json_check_metadata (const char *key, const char *value, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (metadata_keys); i++)
    {
      SalJsonKind kind;

      if (strcmp (key, metadata_keys[i].key) != 0)
        continue;
      kind = sal_json_check (value);
      if (kind != metadata_keys[i].kind)
        {
          g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                       "model metadata “%s” must be a JSON %s but is %s",
                       key, sal_json_kind_name (metadata_keys[i].kind) + 
                       (metadata_keys[i].kind == SAL_JSON_ARRAY ||
                        metadata_keys[i].kind == SAL_JSON_OBJECT ? 3 : 2),
                       sal_json_kind_name (kind));
          return FALSE;
        }
      if (metadata_keys[i].choices != NULL)
        {
          g_auto(GStrv) choices = g_strsplit (metadata_keys[i].choices, "|", -1);
          /* The value is a checked JSON string: compare without the quotes. */
          gsize len = strlen (value);
          const char *start = value, *end = value + len;

          while (*start != '"')
            start++;
          while (end[-1] != '"')
            end--;
          for (char **c = choices; *c != NULL; c++)
            if ((gsize) (end - start - 2) == strlen (*c) && strncmp (start + 1, *c, strlen (*c)) == 0)
              return TRUE;
          {
            g_autofree char *list = g_strjoinv (", ", choices);
            g_set_error (error, SAL_ERROR, SAL_ERROR_INVALID,
                         "model metadata “%s” is %s; expected one of: %s", key, value, list);
          }
          return FALSE;
        }
      return TRUE;
    }
  return TRUE;
}
