/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-deid"

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "sal-deid-private.h"
#include "sal-deid-resources.h"

/* Patterns for everything but names (sal-deid-names.c), then one pass that merges
 * overlapping findings. Dates are recognised only when more specific than a year; ages
 * only when over 89; bare numbers only when labelled or long enough to be identifiers
 * (doses, vitals and lab values stay). */

struct _SalDeid {
  gatomicrefcount ref;
  SalDeidLexicon  lex;
  GPtrArray      *patterns;   /* Pattern * */
  GRegex         *place_ctx;  /* "lives in X" */
  GRegex         *moved_to;   /* "moved from X to Y" */
};

typedef enum {
  CHECK_NONE,
  CHECK_DATE_MD,      /* groups: month/day in either order, validated */
  CHECK_DATE_DAY,     /* a day of the month (1–31) in group "day" */
  CHECK_DATE_ISO,
  CHECK_MONTH_YEAR,
  CHECK_MD_CUE,       /* month/day without a year: needs a date word before it */
  CHECK_AGE,          /* group 1 over 89 (and under 130) */
  CHECK_DIGITS4,      /* the value has at least 4 digits */
  CHECK_PHONE,        /* phone or fax, from the words before it */
  CHECK_URL,          /* trailing punctuation trimmed */
  CHECK_CITY,         /* "City, ST": not "Jane Doe, MD" (a credential, not Maryland) */
} Check;

typedef struct {
  GRegex          *regex;
  SalDeidCategory  category;
  int              group;     /* the span is this group (0: whole match) */
  Check            check;
} Pattern;

#define MONTH "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
              "Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?"
#define WEEKDAY "(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\\.?,?\\s+)"
#define DAY "(?<day>[0-3]?\\d)(?:st|nd|rd|th)?"
#define YEAR4 "(?:1[89]\\d\\d|20\\d\\d)"
#define NOT_UNIT "(?!\\s*(?:mg|mcg|g|kg|ml|mL|L|units?|%|mmHg|cm|mm|lbs?|bpm)\\b)"
#define STATES "(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|" \
               "PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR|" \
               "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|" \
               "Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|" \
               "Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|" \
               "Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|" \
               "North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|" \
               "South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|" \
               "Wisconsin|Wyoming)"
#define STREET_TYPE "(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|" \
                    "Way|Place|Pl|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|" \
                    "Trail|Trl|Alley|Loop|Crescent|Plaza|Row|Pike|Path|Run)"
#define ID_VALUE "([A-Za-z]{0,4}-?\\d[\\dA-Za-z-]{2,}\\d|\\d{4,})"
#define ID_GAP "[\\s:#.]*(?:(?:is|on file|number|no\\.?|num|#|id)[\\s:#.]*){0,2}"

static const struct {
  const char      *pattern;
  SalDeidCategory  category;
  int              group;
  Check            check;
} pattern_table[] = {
  /* E-mail, URLs, IP addresses. */
  { "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}", SAL_DEID_EMAIL, 0, CHECK_NONE },
  { "\\b(?:https?://|ftp://|www\\.)[^\\s<>\"']+", SAL_DEID_URL, 0, CHECK_URL },
  { "\\b[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.(?:com|org|net|edu|gov|mil|io|info|biz|health)\\b"
    "(?:/[^\\s<>\"']*)?", SAL_DEID_URL, 0, CHECK_URL },
  { "(?<![\\d.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
    "(?!\\d|\\.\\d)", SAL_DEID_IP, 0, CHECK_NONE },
  { "\\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\\b", SAL_DEID_IP, 0, CHECK_NONE },
  { "\\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}\\b", SAL_DEID_IP, 0, CHECK_NONE },

  /* Social security numbers. */
  { "(?<![\\d-])\\d{3}-\\d{2}-\\d{4}(?![\\d-])", SAL_DEID_SSN, 0, CHECK_NONE },
  { "(?i:\\b(?:ssn|ss#|social security(?: number| no\\.?| #)?))[\\s:#.]*(?:(?:is|on file)\\s+)?"
    "(\\d{3}[\\s-]?\\d{2}[\\s-]?\\d{4})\\b", SAL_DEID_SSN, 1, CHECK_NONE },

  /* Phone and fax numbers. */
  { "(?<![\\w/.-])(?:\\+?1[\\s.-]?)?(?:\\(\\d{3}\\)\\s?|\\d{3}[\\s.-])\\d{3}[\\s.-]\\d{4}"
    "(?:\\s*(?:ext\\.?|x|extension)\\s*\\d{1,5})?(?![\\w/-])", SAL_DEID_PHONE, 0, CHECK_PHONE },

  /* Short numbers after a phone word: "call 555-0134", "pager #4471". */
  { "(?i:\\b(?:pager|beeper|phone|tel|telephone|cell|mobile|call|callback|extension|ext))"
    "\\.?[\\s:#.]*(?:(?:back\\s+)?(?:at|is|number|no\\.?)\\s+)?(\\d{3}[-.\\s]\\d{4}|\\d{4,5})"
    "(?![\\d/-]|\\.\\d|\\s*(?:mg|mcg|ml|units?|%))\\b",
    SAL_DEID_PHONE, 1, CHECK_PHONE },

  /* Dates more specific than a year. */
  { "\\b" WEEKDAY "?" MONTH "\\s+" DAY "\\b" NOT_UNIT "(?:,?\\s+" YEAR4 "\\b)?", SAL_DEID_DATE, 0, CHECK_DATE_DAY },
  { "\\b" WEEKDAY "?(?:the\\s+)?" DAY "\\s+(?:of\\s+)?" MONTH "(?![a-z])(?:,?\\s+" YEAR4 "\\b)?",
    SAL_DEID_DATE, 0, CHECK_DATE_DAY },
  { "\\b" MONTH ",?\\s+" YEAR4 "\\b", SAL_DEID_DATE, 0, CHECK_NONE },
  /* "12-Jan-2024", "12/Jan/24": the form many record systems print. */
  { "\\b" DAY "([-/])" MONTH "\\g{-1}(?:" YEAR4 "|\\d{2})\\b", SAL_DEID_DATE, 0, CHECK_DATE_DAY },
  { "(?<![\\d/.-])(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4}|\\d{2})(?![\\d/-]|\\.\\d)", SAL_DEID_DATE, 0, CHECK_DATE_MD },
  { "(?<![\\d/.-])(\\d{4})([/.-])(\\d{1,2})\\2(\\d{1,2})(?![\\d/-]|\\.\\d)", SAL_DEID_DATE, 0, CHECK_DATE_ISO },
  { "(?<![\\d/.-])(0?[1-9]|1[0-2])/((?:19|20)\\d\\d)(?![\\d/])", SAL_DEID_DATE, 0, CHECK_MONTH_YEAR },
  { "(?<![\\d/.-])(0?[1-9]|1[0-2])/(0?[1-9]|[12]\\d|3[01])(?![\\d/]|\\.\\d)", SAL_DEID_DATE, 0, CHECK_MD_CUE },

  /* Ages over 89. */
  { "\\b(\\d{2,3})\\s*-?\\s*(?:years?|yrs?)\\s*-?\\s*old\\b", SAL_DEID_AGE, 1, CHECK_AGE },
  { "\\b(\\d{2,3})\\s*-?\\s*(?:yo|y/o|y\\.o\\.|yr|yrs|years?|year-old|yr-old)(?![A-Za-z])", SAL_DEID_AGE, 1, CHECK_AGE },
  { "(?i:\\b(?:age|aged|ages|age:))\\s*:?\\s*(\\d{2,3})\\b", SAL_DEID_AGE, 1, CHECK_AGE },
  { "(?i:\\b(?:turned|died at(?: the age of| age)?|deceased at(?: age)?|passed away at(?: age)?|"
    "now|is now|at the age of))\\s+(\\d{2,3})\\b" NOT_UNIT, SAL_DEID_AGE, 1, CHECK_AGE },
  { "(?i:\\b(?:patient|pt|he|she|mother|father|mom|dad|sibling|brother|sister|husband|wife|"
    "spouse|grandmother|grandfather|grandma|grandpa|aunt|uncle|son|daughter|friend|"
    "neighbou?r|widow|widower|man|woman|gentleman|lady))\\s+(?:is|was|who is|, age)\\s+(\\d{2,3})\\b"
    "(?!\\s*(?:%|mg|mcg|kg|lbs?|cm|mm|bpm|/|\\.\\d))", SAL_DEID_AGE, 1, CHECK_AGE },

  /* Labelled numbers. */
  { "(?i:(?<![A-Za-z])(?:mrn|mr\\s*#|mr no\\.?|medical record(?: number| no\\.?| #)?|"
    "record(?: number| no\\.?| #)|chart(?: number| no\\.?| #)|hospital number|patient id|"
    "pt id|unit number))" ID_GAP ID_VALUE, SAL_DEID_MRN, 1, CHECK_DIGITS4 },
  { "(?i:(?<![A-Za-z])(?:acct|account|member(?: id)?|insurance(?: id)?|policy|subscriber(?: id)?|"
    "health plan(?: id)?|beneficiary(?: id)?|group(?: number| no\\.?| #)|medicaid(?: id)?|"
    "medicare(?: id)?|claim))" ID_GAP ID_VALUE, SAL_DEID_ACCOUNT, 1, CHECK_DIGITS4 },
  { "(?i:(?<![A-Za-z])(?:licen[cs]e|driver'?s? licen[cs]e|dl|serial|device id|vin|plate|npi|dea|"
    "certificate|passport|badge|employee id))" ID_GAP ID_VALUE, SAL_DEID_ID, 1, CHECK_DIGITS4 },
  /* Long bare numbers are identifiers, not measurements. */
  { "(?<![\\w.,-])\\d{7,}(?![\\w]|[.,]\\d)", SAL_DEID_ID, 0, CHECK_NONE },

  /* Addresses and ZIP codes. */
  { "\\b\\d{1,6}(?:-\\d{1,4})?\\s+(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\\.?\\s+)?"
    "(?:[A-Z][A-Za-z'-]*\\.?\\s+){1,3}" STREET_TYPE "\\b\\.?"
    "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Bldg|Building|#)\\.?\\s*#?\\s*[A-Za-z0-9-]+)?",
    SAL_DEID_ADDRESS, 0, CHECK_NONE },
  { "\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d+\\b", SAL_DEID_ADDRESS, 0, CHECK_NONE },
  { "\\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})\\s*,\\s*(" STATES ")\\b\\.?,?(?:\\s+(\\d{5}(?:-\\d{4})?)\\b)?",
    SAL_DEID_ADDRESS, 1, CHECK_CITY },
  { "\\b" STATES "\\.?,?\\s+(\\d{5}(?:-\\d{4})?)\\b", SAL_DEID_ZIP, 1, CHECK_NONE },
  { "(?i:\\bzip(?:\\s*code)?)\\s*[:#]?\\s*(\\d{5}(?:-\\d{4})?)\\b", SAL_DEID_ZIP, 1, CHECK_NONE },
};

/* Words just before a month/day without a year that make it a date ("seen on 3/14"). */
static const char *const date_cues[] = {
  "on", "since", "from", "until", "till", "by", "dated", "of", "dos", "seen", "before",
  "after", "starting", "through", "thru", "effective", "due", "for", "returned",
  "admitted", "discharged", "appointment", "appt", "scheduled", "date", "last", "next",
  "visit", "transcribed", "faxed", "called", "surgery", "procedure", "and", "to", NULL
};

/* Spans ------------------------------------------------------------------------------ */

void
sal_deid_add_span (GArray *spans, gsize start, gsize end, SalDeidCategory category)
{
  SalDeidSpan span = { start, end, category };

  if (spans == NULL || end <= start)
    return;
  g_array_append_val (spans, span);
}

static int
span_cmp (gconstpointer a, gconstpointer b)
{
  const SalDeidSpan *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;  /* longer first */
  return (int) x->category - (int) y->category;
}

/* Sorts and merges overlapping spans (the longer one names the category), and joins
 * names and addresses separated only by blanks. */
static void
merge_spans (const char *text, GArray *spans)
{
  guint out = 0;

  g_array_sort (spans, span_cmp);
  for (guint i = 0; i < spans->len; i++)
    {
      SalDeidSpan s = g_array_index (spans, SalDeidSpan, i);

      if (out > 0)
        {
          SalDeidSpan *prev = &g_array_index (spans, SalDeidSpan, out - 1);
          gboolean join = FALSE;

          if (s.start < prev->end)
            join = TRUE;
          else if (s.category == prev->category
                   && (s.category == SAL_DEID_NAME || s.category == SAL_DEID_ADDRESS))
            {
              join = TRUE;
              for (gsize b = prev->end; b < s.start && join; b++)
                join = text[b] == ' ' || text[b] == '\t';
            }
          if (join)
            {
              if (s.end > prev->end)
                {
                  if (s.end - s.start > prev->end - prev->start && s.start < prev->end)
                    prev->category = s.category;
                  prev->end = s.end;
                }
              continue;
            }
        }
      g_array_index (spans, SalDeidSpan, out++) = s;
    }
  g_array_set_size (spans, out);
}

/* Checks ------------------------------------------------------------------------------ */

static int
group_int (GMatchInfo *info, int group)
{
  g_autofree char *s = g_match_info_fetch (info, group);

  return s != NULL && *s ? atoi (s) : -1;
}

static gboolean
valid_md (int a, int b)
{
  return (a >= 1 && a <= 12 && b >= 1 && b <= 31) || (b >= 1 && b <= 12 && a >= 1 && a <= 31);
}

/* The word before byte `pos` (lower case), on the same line. */
static char *
word_before (const char *text, gsize pos)
{
  gsize end = pos, start;

  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == ':'))
    end--;
  start = end;
  while (start > 0 && g_ascii_isalpha (text[start - 1]))
    start--;
  return g_ascii_strdown (text + start, end - start);
}

static gboolean
line_before_mentions (const char *text, gsize pos, gsize window, const char *word)
{
  gsize start = pos > window ? pos - window : 0;
  g_autofree char *before = NULL;
  const char *nl;

  before = g_ascii_strdown (text + start, pos - start);
  nl = strrchr (before, '\n');
  return strstr (nl != NULL ? nl : before, word) != NULL;
}

static gboolean
check_match (const Pattern *p, GHashTable *places, const char *text, GMatchInfo *info,
             int *start, int *end, SalDeidCategory *category)
{
  switch (p->check)
    {
    case CHECK_NONE:
      return TRUE;
    case CHECK_DATE_DAY:
      {
        g_autofree char *day = g_match_info_fetch_named (info, "day");
        int d = day != NULL ? atoi (day) : 0;
        return d >= 1 && d <= 31;
      }
    case CHECK_DATE_MD:
      return valid_md (group_int (info, 1), group_int (info, 3));
    case CHECK_DATE_ISO:
      {
        int y = group_int (info, 1), m = group_int (info, 3), d = group_int (info, 4);
        return y >= 1800 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
      }
    case CHECK_MONTH_YEAR:
      return TRUE;
    case CHECK_MD_CUE:
      {
        g_autofree char *w = word_before (text, *start);
        for (guint i = 0; date_cues[i] != NULL; i++)
          if (g_str_equal (w, date_cues[i]))
            return TRUE;
        return FALSE;
      }
    case CHECK_AGE:
      {
        g_autofree char *s = g_match_info_fetch (info, p->group);
        int age = atoi (s);
        return age >= 90 && age < 130;
      }
    case CHECK_DIGITS4:
      {
        g_autofree char *s = g_match_info_fetch (info, p->group);
        guint digits = 0;
        for (const char *c = s; *c; c++)
          digits += g_ascii_isdigit (*c) ? 1 : 0;
        return digits >= 4;
      }
    case CHECK_PHONE:
      if (line_before_mentions (text, *start, 24, "fax"))
        *category = SAL_DEID_FAX;
      return TRUE;
    case CHECK_URL:
      while (*end > *start && strchr (".,;:!?)]'\"", text[*end - 1]) != NULL)
        (*end)--;
      return *end > *start;
    case CHECK_CITY:
      {
        g_autofree char *state = g_match_info_fetch (info, 2);
        g_autofree char *zip = g_match_info_fetch (info, 3);
        g_autofree char *city = NULL;
        g_autofree char *lower = NULL;

        if ((zip != NULL && *zip) || !(g_str_equal (state, "MD") || g_str_equal (state, "PA")
                                       || g_str_equal (state, "MA") || g_str_equal (state, "DO")))
          return TRUE;
        city = g_match_info_fetch (info, 1);
        lower = g_utf8_strdown (city, -1);
        return g_hash_table_contains (places, lower);
      }
    default:
      g_assert_not_reached ();
    }
}

static void
find_patterns (SalDeid *self, const char *text, GArray *spans)
{
  for (guint i = 0; i < self->patterns->len; i++)
    {
      const Pattern *p = g_ptr_array_index (self->patterns, i);
      g_autoptr(GMatchInfo) info = NULL;

      g_regex_match (p->regex, text, 0, &info);
      while (g_match_info_matches (info))
        {
          int start, end;
          SalDeidCategory category = p->category;

          if (g_match_info_fetch_pos (info, p->group, &start, &end) && start >= 0
              && check_match (p, self->lex.places, text, info, &start, &end, &category))
            sal_deid_add_span (spans, start, end, category);
          g_match_info_next (info, NULL);
        }
    }
}

/* Places: "lives in Dover", and every further mention of a city found in an address. */
static void
find_places (SalDeid *self, const char *text, GArray *spans)
{
  g_autoptr(GMatchInfo) info = NULL;
  g_autoptr(GHashTable) cities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = spans->len;

  g_regex_match (self->place_ctx, text, 0, &info);
  while (g_match_info_matches (info))
    {
      int start, end;
      g_autofree char *word = NULL;
      g_autofree char *lower = NULL;

      g_match_info_fetch_pos (info, 1, &start, &end);
      word = g_match_info_fetch (info, 1);
      lower = g_utf8_strdown (word, -1);
      if (g_hash_table_contains (self->lex.places, lower))
        sal_deid_add_span (spans, start, end, SAL_DEID_ADDRESS);
      g_match_info_next (info, NULL);
    }

  g_clear_pointer (&info, g_match_info_free);
  g_regex_match (self->moved_to, text, 0, &info);
  while (g_match_info_matches (info))
    {
      int start, end;

      g_match_info_fetch_pos (info, 1, &start, &end);
      sal_deid_add_span (spans, start, end, SAL_DEID_ADDRESS);
      g_match_info_next (info, NULL);
    }

  n = spans->len;
  for (guint i = 0; i < n; i++)
    {
      const SalDeidSpan *s = &g_array_index (spans, SalDeidSpan, i);
      if (s->category == SAL_DEID_ADDRESS && g_ascii_isupper (text[s->start]))
        g_hash_table_add (cities, g_strndup (text + s->start, s->end - s->start));
    }
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, cities);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        const char *city = key;
        gsize len = strlen (city);

        if (len < 3)
          continue;
        for (const char *p = strstr (text, city); p != NULL; p = strstr (p + 1, city))
          {
            gboolean left = p == text || !g_ascii_isalnum (p[-1]);
            gboolean right = !g_ascii_isalnum (p[len]);
            if (left && right)
              sal_deid_add_span (spans, p - text, p - text + len, SAL_DEID_ADDRESS);
          }
      }
  }
}

/* Public API ----------------------------------------------------------------------------- */

static GHashTable *
load_list (const char *name, GError **error)
{
  g_autofree char *path = g_strconcat ("/org/salient/Salient/deid/", name, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (sal_deid_get_resource (), path, 0, error);
  GHashTable *set;
  g_auto(GStrv) lines = NULL;

  if (bytes == NULL)
    return NULL;
  set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    lines = g_strsplit (text, "\n", -1);
  }
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (*line == '\0' || *line == '#')
        continue;
      g_hash_table_add (set, g_utf8_strdown (line, -1));
    }
  return set;
}

/**
 * sal_deid_new:
 *
 * Loads the name and place lists (compiled into the program). Thread safe to use from
 * several threads once made.
 */
SalDeid *
sal_deid_new (GError **error)
{
  g_autoptr(SalDeid) self = g_new0 (SalDeid, 1);

  g_atomic_ref_count_init (&self->ref);
  self->patterns = g_ptr_array_new ();
  if ((self->lex.given = load_list ("given-names.txt", error)) == NULL
      || (self->lex.surnames = load_list ("surnames.txt", error)) == NULL
      || (self->lex.places = load_list ("places.txt", error)) == NULL
      || (self->lex.ambiguous = load_list ("ambiguous-names.txt", error)) == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (pattern_table); i++)
    {
      Pattern *p = g_new0 (Pattern, 1);
      g_autoptr(GError) local = NULL;

      p->regex = g_regex_new (pattern_table[i].pattern, G_REGEX_OPTIMIZE, 0, &local);
      if (p->regex == NULL)
        g_error ("de-identification pattern %u does not compile: %s", i, local->message);
      p->category = pattern_table[i].category;
      p->group = pattern_table[i].group;
      p->check = pattern_table[i].check;
      g_ptr_array_add (self->patterns, p);
    }
  self->moved_to = g_regex_new ("(?i:\\b(?:moved|relocated|came|transferred|moving))"
                                "\\s+(?:here\\s+)?from\\s+[A-Z][\\w .,-]{1,40}?\\s+to\\s+"
                                "([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)",
                                G_REGEX_OPTIMIZE, 0, NULL);
  g_assert (self->moved_to != NULL);
  self->place_ctx = g_regex_new ("(?i:\\b(?:in|from|to|near|at|of|moved to|resident of|born in|"
                                 "lives in|living in|visiting))\\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)",
                                 G_REGEX_OPTIMIZE, 0, NULL);
  g_assert (self->place_ctx != NULL);
  return g_steal_pointer (&self);
}

SalDeid *
sal_deid_ref (SalDeid *deid)
{
  g_atomic_ref_count_inc (&deid->ref);
  return deid;
}

void
sal_deid_unref (SalDeid *deid)
{
  if (deid == NULL || !g_atomic_ref_count_dec (&deid->ref))
    return;
  for (guint i = 0; deid->patterns != NULL && i < deid->patterns->len; i++)
    {
      Pattern *p = g_ptr_array_index (deid->patterns, i);
      g_regex_unref (p->regex);
      g_free (p);
    }
  g_clear_pointer (&deid->patterns, g_ptr_array_unref);
  g_clear_pointer (&deid->place_ctx, g_regex_unref);
  g_clear_pointer (&deid->moved_to, g_regex_unref);
  g_clear_pointer (&deid->lex.given, g_hash_table_unref);
  g_clear_pointer (&deid->lex.surnames, g_hash_table_unref);
  g_clear_pointer (&deid->lex.places, g_hash_table_unref);
  g_clear_pointer (&deid->lex.ambiguous, g_hash_table_unref);
  g_free (deid);
}

/**
 * sal_deid_find:
 * @text: UTF-8 text
 *
 * Returns: (transfer full) (element-type SalDeidSpan): the identifiers in @text, sorted
 * and not overlapping; NULL with @error when @text is not valid UTF-8.
 */
GArray *
sal_deid_find (SalDeid *self, const char *text, GError **error)
{
  GArray *spans;
  g_autoptr(GPtrArray) tokens = NULL;
  const char *bad;

  g_return_val_if_fail (self != NULL && text != NULL, NULL);

  if (!g_utf8_validate (text, -1, &bad))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The text is not valid UTF-8 (at byte %zu); convert it to UTF-8 first"),
                   (gsize) (bad - text));
      return NULL;
    }
  spans = g_array_new (FALSE, FALSE, sizeof (SalDeidSpan));
  find_patterns (self, text, spans);
  find_places (self, text, spans);
  tokens = sal_deid_tokenize (text);
  sal_deid_find_names (&self->lex, text, tokens, spans);
  merge_spans (text, spans);
  return spans;
}

void
sal_deid_change_free (SalDeidChange *change)
{
  if (change == NULL)
    return;
  g_free (change->original);
  g_free (change->replacement);
  g_free (change);
}

/* The year a date span mentions ("March 3, 2024" → "2024", "3/4/24" → "'24"), or NULL. */
static char *
date_year (const char *s, gsize len)
{
  for (gsize i = 0; i + 4 <= len; i++)
    if ((i == 0 || !g_ascii_isdigit (s[i - 1])) && (i + 4 == len || !g_ascii_isdigit (s[i + 4]))
        && g_ascii_isdigit (s[i]) && g_ascii_isdigit (s[i + 1]) && g_ascii_isdigit (s[i + 2])
        && g_ascii_isdigit (s[i + 3]) && (s[i] == '1' || s[i] == '2'))
      return g_strndup (s + i, 4);
  /* A two-digit year closes a numeric date: d/m/yy. */
  if (len >= 6 && g_ascii_isdigit (s[len - 1]) && g_ascii_isdigit (s[len - 2])
      && strchr ("/.-", s[len - 3]) != NULL)
    {
      int seps = 0;
      for (gsize i = 0; i < len; i++)
        seps += strchr ("/.-", s[i]) != NULL;
      if (seps == 2)
        return g_strdup_printf ("'%c%c", s[len - 2], s[len - 1]);
    }
  return NULL;
}

static char *
replacement_for (const char *text, const SalDeidSpan *span)
{
  if (span->category == SAL_DEID_DATE)
    {
      g_autofree char *year = date_year (text + span->start, span->end - span->start);
      if (year != NULL)
        return g_strdup_printf ("%s %s", sal_deid_category_tag (span->category), year);
    }
  return g_strdup (sal_deid_category_tag (span->category));
}

/**
 * sal_deid_apply:
 * @spans: (element-type SalDeidSpan): sorted, not overlapping (as sal_deid_find gives)
 * @changes: (out) (optional) (element-type SalDeidChange): what was replaced
 *
 * Returns: (transfer full): @text with every span replaced by its category's tag; the
 * year of a date is kept ("[DATE] 2024"), as Safe Harbor allows. NULL (with a critical
 * warning) for spans that are not sorted, overlap or leave the text.
 */
char *
sal_deid_apply (const char *text, GArray *spans, GPtrArray **changes)
{
  GString *out = g_string_new (NULL);
  gsize pos = 0, len = strlen (text);

  if (changes != NULL)
    *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_deid_change_free);
  for (guint i = 0; i < spans->len; i++)
    {
      const SalDeidSpan *s = &g_array_index (spans, SalDeidSpan, i);
      g_autofree char *rep = NULL;

      if (s->start < pos || s->end < s->start || s->end > len)
        {
          g_critical ("sal_deid_apply: spans must be sorted, inside the text and not overlapping");
          g_string_free (out, TRUE);
          if (changes != NULL)
            g_clear_pointer (changes, g_ptr_array_unref);
          return NULL;
        }
      g_string_append_len (out, text + pos, s->start - pos);
      rep = replacement_for (text, s);
      g_string_append (out, rep);
      if (changes != NULL)
        {
          SalDeidChange *c = g_new0 (SalDeidChange, 1);
          c->start = s->start;
          c->end = s->end;
          c->category = s->category;
          c->original = g_strndup (text + s->start, s->end - s->start);
          c->replacement = g_steal_pointer (&rep);
          g_ptr_array_add (*changes, c);
        }
      pos = s->end;
    }
  g_string_append (out, text + pos);
  return g_string_free (out, FALSE);
}

char *
sal_deid_replace (SalDeid *self, const char *text, GPtrArray **changes, GError **error)
{
  g_autoptr(GArray) spans = sal_deid_find (self, text, error);

  if (spans == NULL)
    return NULL;
  return sal_deid_apply (text, spans, changes);
}

static const struct {
  const char *id;
  const char *tag;
  const char *description;
} categories[SAL_DEID_N_CATEGORIES] = {
  [SAL_DEID_NAME] = { "name", "[NAME]", N_("Person name") },
  [SAL_DEID_DATE] = { "date", "[DATE]", N_("Date") },
  [SAL_DEID_AGE] = { "age", "[AGE 90+]", N_("Age over 89") },
  [SAL_DEID_PHONE] = { "phone", "[PHONE]", N_("Phone number") },
  [SAL_DEID_FAX] = { "fax", "[FAX]", N_("Fax number") },
  [SAL_DEID_EMAIL] = { "email", "[EMAIL]", N_("E-mail address") },
  [SAL_DEID_ADDRESS] = { "address", "[ADDRESS]", N_("Street address or city") },
  [SAL_DEID_ZIP] = { "zip", "[ZIP]", N_("ZIP code") },
  [SAL_DEID_SSN] = { "ssn", "[SSN]", N_("Social security number") },
  [SAL_DEID_MRN] = { "mrn", "[MRN]", N_("Medical record number") },
  [SAL_DEID_ACCOUNT] = { "account", "[ACCOUNT]", N_("Account or health plan number") },
  [SAL_DEID_ID] = { "id", "[ID]", N_("Other identifying number") },
  [SAL_DEID_URL] = { "url", "[URL]", N_("Web address") },
  [SAL_DEID_IP] = { "ip", "[IP]", N_("IP address") },
};

/* The stable id ("name", "date" …), for JSON and settings. */
const char *
sal_deid_category_id (SalDeidCategory category)
{
  g_return_val_if_fail (category < SAL_DEID_N_CATEGORIES, NULL);
  return categories[category].id;
}

/* The tag put in the text: fixed ASCII, not translated, so de-identified text reads the
 * same in every language and tools can find the tags. */
const char *
sal_deid_category_tag (SalDeidCategory category)
{
  g_return_val_if_fail (category < SAL_DEID_N_CATEGORIES, NULL);
  return categories[category].tag;
}

/* A translated name for the category, for people. */
const char *
sal_deid_category_describe (SalDeidCategory category)
{
  g_return_val_if_fail (category < SAL_DEID_N_CATEGORIES, NULL);
  return _(categories[category].description);
}

gboolean
sal_deid_category_from_id (const char *id, SalDeidCategory *category)
{
  for (guint i = 0; i < SAL_DEID_N_CATEGORIES; i++)
    if (g_strcmp0 (categories[i].id, id) == 0)
      {
        if (category != NULL)
          *category = i;
        return TRUE;
      }
  return FALSE;
}
