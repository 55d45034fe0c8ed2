/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-deid"

#include "config.h"

#include <string.h>

#include "sal-deid-private.h"

/* Person names: evidence from context first (a title, a label such as "Patient:", a
 * relation such as "her son", a signature with a credential), then from the name lists,
 * then every further occurrence of a word already found to be a name in the same note.
 * Medical eponyms ("Parkinson disease", "Murphy's sign") are recognised by the noun
 * that follows them and are never taken from the lists. */

static const char *const titles[] = {
  "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "nurse", NULL
};

/* Words after which a name follows (matched case-insensitively, longest first). */
static const char *const labels[] = {
  "electronically signed by", "electronically signed", "emergency contact",
  "patient name", "attending physician", "referring physician", "referring provider",
  "primary care physician", "signed by", "dictated by", "transcribed by", "seen by",
  "reviewed by", "authenticated by", "cosigned by", "next of kin", "legal guardian",
  "patient", "pt", "name", "participant", "attending", "referring", "pcp", "provider",
  "physician", "surgeon", "resident", "guardian", "contact", "spouse", "husband", "wife",
  "son", "daughter", "mother", "father", "brother", "sister", "sibling", "friend",
  "neighbor", "neighbour", "caregiver", "partner", "grandson", "granddaughter", "niece",
  "nephew", "aunt", "uncle", "cousin", "cc", "signed", "sincerely", "regards", "thanks",
  "interpreter", "fiancé", "fiance", "boyfriend", "girlfriend", NULL
};

/* Credentials after "Name, " in a signature. */
static const char *const credentials[] = {
  "md", "do", "rn", "np", "pa", "pa-c", "phd", "mbbs", "fnp", "fnp-bc", "lpn", "aprn",
  "dds", "dmd", "pharmd", "msw", "lcsw", "cnm", "crna", "dpm", "od", "facp", "mph",
  "bsn", "msn", "dnp", "mbchb", "frcp", "lvn", "cna", "emt", "psyd", NULL
};

/* Nouns that make the capitalised word before them an eponym, not a person. */
static const char *const eponym_heads[] = {
  "disease", "diseases", "syndrome", "sign", "signs", "test", "tests", "score", "scale",
  "catheter", "drain", "procedure", "palsy", "esophagus", "lymphoma", "sarcoma", "tumor",
  "tumour", "phenomenon", "maneuver", "manoeuvre", "reflex", "criteria", "classification",
  "class", "stain", "monitor", "protein", "dementia", "thyroiditis", "cyst", "fracture",
  "ulcer", "node", "nodes", "position", "needle", "tube", "line", "law", "effect",
  "disorder", "anomaly", "operation", "repair", "incision", "triad", "murmur", "rule",
  "equation", "formula", "index", "grade", "stage", "method", "approach", "technique",
  "body", "bodies", "cell", "cells", "shunt", "valve", "hernia", "diverticulum", "pouch",
  "space", "canal", "duct", "gland", "membrane", "fascia", "ligament", "muscle", "nerve",
  "artery", "vein", "lamp", "solution", "splint", "cast", "forceps", "retractor",
  "speculum", "mask", "bag", "sheath", "lesion", "lesions", "nodule", "nodules",
  "point", "spots", "lines", "contracture", "deformity", "neuroma", "neuralgia",
  "encephalopathy", "encephalitis", "arteritis", "ataxia", "chorea", "paralysis",
  "aneurysm", "anemia", "angina", "pattern", "ratio", "questionnaire", "inventory",
  "assessment", "exam", "examination", "view", "views", "classification", "staging",
  "coma", "protocol", "regimen", "pump", "device", "tongs", "clamp", NULL
};

/* Capitalised words known as eponyms or medical terms: never names without context. */
static const char *const eponyms[] = {
  "parkinson", "parkinsonism", "parkinsonian", "alzheimer", "crohn", "hodgkin",
  "hashimoto", "cushing", "cushingoid", "addison", "graves", "raynaud", "babinski",
  "homans", "meniere", "kawasaki", "whipple", "foley", "holter", "apgar", "glasgow",
  "romberg", "tourette", "marfan", "lyme", "bence", "swan", "ganz", "guillain", "barre",
  "barré", "epley", "valsalva", "trendelenburg", "korotkoff", "kussmaul", "cheyne",
  "stokes", "osler", "virchow", "mcburney", "kernig", "brudzinski", "tinel", "phalen",
  "lachman", "mcmurray", "spurling", "finkelstein", "hoffmann", "rinne", "snellen",
  "gleason", "breslow", "kaposi", "paget", "wilms", "ewing", "meckel", "hirschsprung",
  "sjogren", "sjögren", "wegener", "behcet", "behçet", "kawasaki", "reye", "bell",
  "barrett", "down", "turner", "wilson", "murphy", "baker", "jackson", "pratt", "child",
  "pugh", "wells", "hawkins", "kennedy", "allen", "patrick", "thompson", "weber",
  "adson", "ranson", "killip", "mallampati", "kocher", "pfannenstiel", "hickman",
  "broviac", "coombs", "gram", "wright", "giemsa", "papanicolaou", "heimlich", "nissen",
  "roux", "billroth", "hartmann", "bartholin", "skene", "cowper", "fallot", "ebstein",
  "eisenmenger", "mobitz", "wenckebach", "brugada", "kaplan", "meier", "cox", "bonferroni",
  NULL
};

/* Capitalised words that never start or continue a name. */
static const char *const stop_words[] = {
  "january", "february", "march", "april", "may", "june", "july", "august", "september",
  "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
  "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
  "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thurs", "fri",
  "sat", "sun", "the", "a", "an", "he", "she", "his", "her", "hers", "him", "they",
  "their", "we", "our", "you", "your", "it", "its", "this", "that", "these", "those",
  "no", "not", "and", "or", "but", "if", "at", "on", "in", "of", "to", "for", "with",
  "by", "from", "as", "per", "is", "was", "are", "were", "be", "has", "had", "have",
  "will", "would", "can", "could", "should", "today", "yesterday", "tomorrow", "tonight",
  "dob", "mrn", "ssn", "id", "phone", "cell", "home", "work", "fax", "pager", "email",
  "e-mail", "address", "date", "birth", "visit", "account", "acct", "admission",
  "discharge", "discharged", "admitted", "hpi", "plan", "assessment", "impression",
  "history", "exam", "labs", "vitals", "medications", "allergies", "diagnosis",
  "procedure", "follow-up", "followup", "note", "clinic", "hospital", "center", "centre",
  "department", "emergency", "unit", "icu", "er", "ed", "or", "pacu", "floor", "room",
  "bed", "ward", "service", "team", "medicine", "surgery", "cardiology", "neurology",
  "oncology", "pediatrics", "radiology", "pathology", "pharmacy", "lab", "laboratory",
  "insurance", "medicare", "medicaid", "md", "do", "rn", "np", "pa", "phd", "mbbs",
  "ok", "yes", "per", "re", "cc", "bp", "hr", "rr", "spo", "temp", "wbc", "hgb", "plt",
  "inr", "ct", "mri", "ekg", "ecg", "cxr", "us", "iv", "po", "prn", "bid", "tid", "qd",
  "am", "pm", "et", "al", "st", "ave", "rd", "blvd", "apt", "suite", "street", "avenue",
  "road", "lane", "drive", "court", "north", "south", "east", "west", "new", "old",
  "mild", "moderate", "severe", "acute", "chronic", "left", "right", "bilateral",
  "normal", "abnormal", "negative", "positive", "patient", "pt", "name", "signed",
  "electronically", "dictated", "transcribed", "reviewed", "seen", "sincerely",
  "regards", "thanks", "thank", "dear", "attending", "referring", "pcp", "provider",
  "physician", "surgeon", "resident", "nurse", "doctor", "mr", "mrs", "ms", "miss",
  "dr", "prof", "english", "spanish", "christmas", "easter", "thanksgiving", "covid",
  "god", "tylenol", "advil", "motrin", "aspirin", "coumadin", "lasix", "eliquis",
  "xarelto", "plavix", "lipitor", "zoloft", "prozac", "keppra", "seroquel", "flomax",
  "synthroid", "januvia", "norvasc", "humalog", "lantus", "zyrtec", "metformin",
  "lisinopril", NULL
};

static GHashTable *
set_from_list (const char *const *list)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; list[i] != NULL; i++)
    g_hash_table_add (set, (gpointer) list[i]);
  return set;
}

static GHashTable *
static_set (GHashTable **slot, const char *const *list)
{
  if (g_once_init_enter (slot))
    g_once_init_leave (slot, set_from_list (list));
  return *slot;
}

static GHashTable *title_set, *credential_set, *head_set, *eponym_set, *stop_set;

static gboolean
is_in (GHashTable **slot, const char *const *list, const char *word)
{
  return g_hash_table_contains (static_set (slot, list), word);
}

/* Tokens ------------------------------------------------------------------------ */

void
sal_deid_token_free (SalDeidToken *token)
{
  g_free (token->lower);
  g_free (token);
}

static gboolean
is_joiner (gunichar c)
{
  return c == '\'' || c == 0x2019 || c == '-';
}

GPtrArray *
sal_deid_tokenize (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_deid_token_free);
  const char *p = text;

  while (*p)
    {
      gunichar c = g_utf8_get_char (p);
      const char *start = p, *end;
      gboolean digits = FALSE, all_upper = TRUE;
      guint letters = 0;
      SalDeidToken *tok;

      if (!g_unichar_isalnum (c))
        {
          p = g_utf8_next_char (p);
          continue;
        }
      while (*p)
        {
          c = g_utf8_get_char (p);
          if (g_unichar_isalpha (c))
            {
              letters++;
              if (!g_unichar_isupper (c))
                all_upper = FALSE;
            }
          else if (g_unichar_isdigit (c))
            digits = TRUE;
          else if (is_joiner (c) && letters > 0)
            {
              const char *next = g_utf8_next_char (p);
              if (!g_unichar_isalpha (g_utf8_get_char (next)))
                break;
            }
          else
            break;
          p = g_utf8_next_char (p);
        }
      end = p;
      if (digits || letters == 0)
        continue;

      /* "Murphy's" → "Murphy" (the possessive is not part of the name). */
      if (end - start > 2 && end[-1] == 's' && (end[-2] == '\'' ))
        end -= 2;
      else if (end - start > 4 && end[-1] == 's' && (guchar) end[-2] == 0x99
               && (guchar) end[-3] == 0x80 && (guchar) end[-4] == 0xe2)
        end -= 4;

      tok = g_new0 (SalDeidToken, 1);
      tok->start = start - text;
      tok->end = end - text;
      tok->lower = g_utf8_strdown (start, end - start);
      tok->cap = g_unichar_isupper (g_utf8_get_char (start));
      tok->upper = all_upper && letters > 1;
      tok->initial = letters == 1 && tok->cap && *end == '.';

      /* Sentence start: only blanks back to a line start or to ".!?" (not after a
       * title or an initial, whose '.' ends no sentence). */
      {
        const char *q = start;
        while (q > text && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '"' || q[-1] == '('))
          q--;
        if (q == text || q[-1] == '\n' || q[-1] == '!' || q[-1] == '?')
          tok->sentence_start = TRUE;
        else if (q[-1] == '.' && tokens->len > 0)
          {
            SalDeidToken *prev = g_ptr_array_index (tokens, tokens->len - 1);
            tok->sentence_start = !(prev->initial || is_in (&title_set, titles, prev->lower));
          }
      }
      g_ptr_array_add (tokens, tok);
    }
  return tokens;
}

/* Name rules ------------------------------------------------------------------------ */

typedef struct {
  const SalDeidLexicon *lex;
  const char           *text;
  GPtrArray            *tokens;
  guint8               *mark;     /* per token: 0 no, 1 from lists, 2 from context */
  GArray               *spans;
} Names;

#define TOK(n, i) ((SalDeidToken *) g_ptr_array_index ((n)->tokens, (i)))

static gboolean
in_table_or_parts (GHashTable *table, const SalDeidToken *tok)
{
  g_auto(GStrv) parts = NULL;

  if (g_hash_table_contains (table, tok->lower))
    return TRUE;
  if (strchr (tok->lower, '-') == NULL)
    return FALSE;
  /* Double-barrelled names ("Vasquez-Mora"), not "X-ray": every part two letters or more. */
  parts = g_strsplit (tok->lower, "-", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_utf8_strlen (parts[i], -1) < 2)
      return FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_hash_table_contains (table, parts[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_stop (const SalDeidToken *tok)
{
  return is_in (&stop_set, stop_words, tok->lower);
}

/* A capitalised word that can be part of a name. */
static gboolean
nameish (const SalDeidToken *tok)
{
  if (!tok->cap)
    return FALSE;
  if (tok->initial)
    return TRUE;
  return g_utf8_strlen (tok->lower, -1) >= 2 && !is_stop (tok);
}

/* Only blanks (and a '.' after an initial or title) between tokens i and j = i + 1. */
static gboolean
adjacent (Names *n, guint i)
{
  const SalDeidToken *a = TOK (n, i), *b = TOK (n, i + 1);
  const char *p = n->text + a->end;

  if (a->initial || is_in (&title_set, titles, a->lower))
    if (*p == '.')
      p++;
  for (; p < n->text + b->start; p++)
    if (*p != ' ' && *p != '\t')
      return FALSE;
  return TRUE;
}

/* The text between tokens i and i + 1 (exclusive) contains only these characters. */
static gboolean
gap_only (Names *n, guint i, const char *allowed)
{
  const char *p = n->text + TOK (n, i)->end;

  for (; p < n->text + TOK (n, i + 1)->start; p++)
    if (strchr (allowed, *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
followed_by_eponym_head (Names *n, guint i)
{
  for (guint k = i + 1; k < n->tokens->len && k <= i + 2; k++)
    {
      if (is_in (&head_set, eponym_heads, TOK (n, k)->lower))
        return TRUE;
      /* "Guillain Barre syndrome", "Jackson Pratt drain": another capitalised word. */
      if (!TOK (n, k)->cap)
        return FALSE;
    }
  return FALSE;
}

static gboolean
is_eponym (Names *n, guint i)
{
  const SalDeidToken *tok = TOK (n, i);

  if (followed_by_eponym_head (n, i))
    return TRUE;
  if (is_in (&eponym_set, eponyms, tok->lower))
    return TRUE;
  if (strchr (tok->lower, '-') != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (tok->lower, "-", -1);
      for (guint k = 0; parts[k] != NULL; k++)
        if (is_in (&eponym_set, eponyms, parts[k]))
          return TRUE;
    }
  return FALSE;
}

/* Marks up to `max` name tokens from i on (capitalised, or all upper case in headers),
 * on one line. Returns how many. */
static guint
take_name (Names *n, guint i, guint max, gboolean allow_upper)
{
  guint taken = 0;

  for (guint k = i; k < n->tokens->len && taken < max; k++)
    {
      const SalDeidToken *tok = TOK (n, k);

      /* A label or title vouches for words that are otherwise common ("Will"). */
      gboolean listed = tok->cap && (g_hash_table_contains (n->lex->given, tok->lower)
                                     || g_hash_table_contains (n->lex->surnames, tok->lower));
      if (!(nameish (tok) || listed || (allow_upper && tok->upper && !is_stop (tok))))
        break;
      if (is_in (&credential_set, credentials, tok->lower) && tok->upper)
        break;
      n->mark[k] = 2;
      taken++;
      if (k + 1 >= n->tokens->len || !adjacent (n, k))
        break;
    }
  return taken;
}

/* Length in tokens of the label ending at token `last`, or 0. */
static guint
label_ending_at (Names *n, guint last)
{
  for (guint l = 0; labels[l] != NULL; l++)
    {
      g_auto(GStrv) words = g_strsplit (labels[l], " ", -1);
      guint nw = g_strv_length (words);
      gboolean ok = nw <= last + 1;

      for (guint w = 0; ok && w < nw; w++)
        ok = g_str_equal (TOK (n, last + 1 - nw + w)->lower, words[w]);
      if (ok)
        return nw;
    }
  return 0;
}

static void
rule_titles (Names *n)
{
  for (guint i = 0; i + 1 < n->tokens->len; i++)
    {
      const SalDeidToken *tok = TOK (n, i);

      if (!tok->cap || !is_in (&title_set, titles, tok->lower) || !adjacent (n, i))
        continue;
      take_name (n, i + 1, 3, tok->upper);
    }
}

static void
rule_labels (Names *n)
{
  for (guint i = 0; i + 1 < n->tokens->len; i++)
    {
      const SalDeidToken *next = TOK (n, i + 1);
      gboolean upper_ok;
      guint taken;

      if (label_ending_at (n, i) == 0)
        continue;
      /* Between label and name: blanks, ':', '(', ',' or '-' — and a line break only
       * after a closing ("Thanks,") or a colon. */
      if (!gap_only (n, i, " \t:(,-#"))
        {
          if (!gap_only (n, i, " \t:,\n") || !(g_str_equal (TOK (n, i)->lower, "thanks")
                                                || g_str_equal (TOK (n, i)->lower, "sincerely")
                                                || g_str_equal (TOK (n, i)->lower, "regards")))
            continue;
        }
      if (!next->cap)
        continue;
      upper_ok = TOK (n, i)->upper || n->text[TOK (n, i)->end] == ':';
      taken = take_name (n, i + 1, 4, upper_ok);
      /* "Last, First" after a label. */
      if (taken == 1 && i + 2 < n->tokens->len && gap_only (n, i + 1, ", ")
          && strchr (n->text + TOK (n, i + 1)->end, ',') == n->text + TOK (n, i + 1)->end)
        {
          guint more = take_name (n, i + 2, 2, upper_ok);
          if (more > 0)
            sal_deid_add_span (n->spans, TOK (n, i + 1)->start, TOK (n, i + 1 + more)->end,
                               SAL_DEID_NAME);
        }
    }
}

static void
rule_signatures (Names *n)
{
  for (guint c = 1; c < n->tokens->len; c++)
    {
      const SalDeidToken *cred = TOK (n, c);
      guint k;

      if (!(cred->upper || cred->cap) || !is_in (&credential_set, credentials, cred->lower))
        continue;
      if (!gap_only (n, c - 1, ", "))
        continue;
      if (strchr (n->text + TOK (n, c - 1)->end, ',') != n->text + TOK (n, c - 1)->end)
        continue;
      /* Walk back over up to four name words on the same line. */
      k = c;
      while (k > 0 && c - k < 4)
        {
          const SalDeidToken *tok = TOK (n, k - 1);
          if (!nameish (tok) || (k < c && !adjacent (n, k - 1)))
            break;
          k--;
        }
      for (guint j = k; j < c; j++)
        n->mark[j] = 2;
    }
}

static void
rule_lists (Names *n)
{
  const SalDeidLexicon *lex = n->lex;

  for (guint i = 0; i < n->tokens->len; i++)
    {
      const SalDeidToken *tok = TOK (n, i);

      /* Two-letter names ("Li", "Le") are also symbols and words: context only. */
      if (n->mark[i] || !nameish (tok) || tok->initial || tok->upper
          || g_utf8_strlen (tok->lower, -1) < 3)
        continue;
      if (g_hash_table_contains (lex->ambiguous, tok->lower) || is_eponym (n, i))
        continue;
      if (in_table_or_parts (lex->given, tok))
        {
          n->mark[i] = 1;
          /* The words that follow: "Jane Q. Doe". */
          for (guint k = i + 1; k < n->tokens->len && k <= i + 2; k++)
            {
              /* After a given name, an eponym-like surname is a surname ("Linda
               * Turner") unless a noun makes it an eponym ("Turner syndrome"). */
              if (!adjacent (n, k - 1) || !nameish (TOK (n, k)) || followed_by_eponym_head (n, k))
                break;
              n->mark[k] = MAX (n->mark[k], 1);
              if (!TOK (n, k)->initial)
                break;
            }
        }
      else if (in_table_or_parts (lex->surnames, tok))
        {
          n->mark[i] = 1;
          /* A given name or initials before it: "J. Smith", "Jack Smith", and an
           * unknown given name inside a sentence: "with Oksana Rivera". */
          for (guint k = i; k > 0 && k + 2 > i; k--)
            {
              const SalDeidToken *prev = TOK (n, k - 1);
              gboolean given = prev->initial || g_hash_table_contains (lex->given, prev->lower);
              if (!adjacent (n, k - 1) || !prev->cap)
                break;
              if (!given && (prev->sentence_start || !nameish (prev) || prev->upper
                             || is_eponym (n, k - 1) || (k != i && !TOK (n, k)->initial)))
                break;
              n->mark[k - 1] = MAX (n->mark[k - 1], 1);
            }
        }
    }
}

static gboolean
listed_any (const SalDeidLexicon *lex, const SalDeidToken *tok)
{
  return in_table_or_parts (lex->given, tok) || in_table_or_parts (lex->surnames, tok)
         || g_hash_table_contains (lex->ambiguous, tok->lower);
}

/* Two listed words in a row, even common ones: "Jack Cox", "Will G. Hunt". */
static void
rule_pairs (Names *n)
{
  const SalDeidLexicon *lex = n->lex;

  for (guint i = 0; i + 1 < n->tokens->len; i++)
    {
      const SalDeidToken *a = TOK (n, i);
      guint j = i + 1;

      if (!a->cap || a->upper || a->initial || !g_hash_table_contains (lex->given, a->lower)
          || !adjacent (n, i))
        continue;
      if (TOK (n, j)->initial && j + 1 < n->tokens->len && adjacent (n, j))
        j++;
      if (!TOK (n, j)->cap || TOK (n, j)->upper || !listed_any (lex, TOK (n, j))
          || followed_by_eponym_head (n, j))
        continue;
      for (guint k = i; k <= j; k++)
        n->mark[k] = MAX (n->mark[k], 1);
    }
}

/* Word endings of medical and abstract English terms ("Therapy", "Pneumonia",
 * "Cardiology"), which unlisted names rarely have. */
static gboolean
looks_like_term (const SalDeidToken *tok)
{
  static const char *const endings[] = {
    "ology", "ologist", "itis", "osis", "emia", "aemia", "ectomy", "otomy", "ostomy",
    "plasty", "therapy", "pathy", "oma", "ine", "ide", "ase", "ics", "ment", "tion",
    "sion", "ness", "ity", "ance", "ence", "ing", "ed", "ive", "ary", "ory", "ical", "ic",
    "nia", "sia", "gia", "ism", "ist", "ure", "age", "ous", "ful", "less", "ship", "care",
    "health", "unit", "center", "clinic", NULL
  };

  for (guint e = 0; endings[e] != NULL; e++)
    if (g_str_has_suffix (tok->lower, endings[e]))
      return TRUE;
  return FALSE;
}

/* "Consult note for Oksana Mwangi", "regarding Thabo Lee": two or three capitalised
 * words after these, closing the line or the clause. */
static void
rule_prepositions (Names *n)
{
  static const char *const preps[] = { "for", "re", "regarding", "about", "with", NULL };

  for (guint i = 0; i + 2 < n->tokens->len; i++)
    {
      const SalDeidToken *p = TOK (n, i);
      guint k = i + 1, count = 0;
      const char *after;
      gboolean is_prep = FALSE;

      for (guint w = 0; preps[w] != NULL; w++)
        is_prep |= g_str_equal (p->lower, preps[w]);
      if (!is_prep || !gap_only (n, i, " "))
        continue;
      while (k < n->tokens->len && count < 3 && nameish (TOK (n, k)) && !TOK (n, k)->upper
             && !is_eponym (n, k))
        {
          count++;
          if (k + 1 >= n->tokens->len || !adjacent (n, k))
            break;
          k++;
        }
      if (count < 2 || !nameish (TOK (n, i + count)))
        continue;
      k = i + count;
      after = n->text + TOK (n, k)->end;
      if (TOK (n, k)->initial)
        continue;
      while (*after == ' ')
        after++;
      /* Header-like: the name closes the line or is followed by "," or "(". */
      if (!(*after == '\0' || *after == '\n' || *after == '\r' || *after == ',' || *after == '('))
        continue;
      {
        gboolean wordlike = FALSE;
        for (guint m = i + 1; m <= k; m++)
          wordlike |= !listed_any (n->lex, TOK (n, m)) && looks_like_term (TOK (n, m));
        if (wordlike)
          continue;
      }
      for (guint m = i + 1; m <= k; m++)
        n->mark[m] = MAX (n->mark[m], 1);
    }
}

/* A word found as a name anywhere in the note is a name everywhere in it. */
static void
rule_propagate (Names *n)
{
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n->tokens->len; i++)
    if (n->mark[i] && !TOK (n, i)->initial && g_utf8_strlen (TOK (n, i)->lower, -1) >= 2)
      g_hash_table_add (known, TOK (n, i)->lower);
  for (guint i = 0; i < n->tokens->len; i++)
    {
      const SalDeidToken *tok = TOK (n, i);

      if (n->mark[i] || !(tok->cap || tok->upper) || !g_hash_table_contains (known, tok->lower))
        continue;
      if (followed_by_eponym_head (n, i))
        continue;
      n->mark[i] = 1;
    }
}

void
sal_deid_find_names (const SalDeidLexicon *lex,
                     const char           *text,
                     GPtrArray            *tokens,
                     GArray               *spans)
{
  Names n = { lex, text, tokens, NULL, spans };
  g_autofree guint8 *mark = g_new0 (guint8, tokens->len + 1);

  n.mark = mark;
  rule_titles (&n);
  rule_labels (&n);
  rule_signatures (&n);
  rule_lists (&n);
  rule_pairs (&n);
  rule_prepositions (&n);
  rule_propagate (&n);

  for (guint i = 0; i < tokens->len; i++)
    {
      gsize end;

      if (!mark[i])
        continue;
      end = TOK (&n, i)->end;
      /* An initial's period belongs to the name. */
      if (TOK (&n, i)->initial && text[end] == '.')
        end++;
      sal_deid_add_span (spans, TOK (&n, i)->start, end, SAL_DEID_NAME);
    }
}
