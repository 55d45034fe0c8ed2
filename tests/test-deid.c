/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "sal-deid.h"
#include "sal-deid-corpus.h"
#include "sal-notegen.h"
#include "sal-test-util.h"

static SalDeid *deid;

/* The categories found over `needle` in `text` (a span overlapping it), or -1. */
static int
category_of (const char *text, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spans = sal_deid_find (deid, text, &error);
  const char *at = strstr (text, needle);
  gsize start, end;

  g_assert_no_error (error);
  g_assert_nonnull (at);
  start = at - text;
  end = start + strlen (needle);
  for (guint i = 0; i < spans->len; i++)
    {
      const SalDeidSpan *s = &g_array_index (spans, SalDeidSpan, i);
      if (s->start <= start && s->end >= end)
        return s->category;
      if (s->start < end && start < s->end)
        return -2;  /* only partly covered */
    }
  return -1;
}

static void
assert_found (const char *text, const char *needle, SalDeidCategory category)
{
  int got = category_of (text, needle);

  if (got != (int) category)
    g_test_fail_printf ("“%s” in “%s”: expected %s, got %s", needle, text, sal_deid_category_id (category),
             got >= 0 ? sal_deid_category_id (got) : got == -1 ? "nothing" : "a partial span");
}

static void
assert_clean (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spans = sal_deid_find (deid, text, &error);

  g_assert_no_error (error);
  if (spans->len > 0)
    {
      const SalDeidSpan *s = &g_array_index (spans, SalDeidSpan, 0);
      g_test_fail_printf ("“%s”: flagged “%.*s” as %s", text, (int) (s->end - s->start), text + s->start,
               sal_deid_category_id (s->category));
    }
}

static void
test_names (void)
{
  assert_found ("Seen today by Dr. Okafor for review.", "Okafor", SAL_DEID_NAME);
  assert_found ("Patient: Jane Doe\nDOB unknown", "Jane Doe", SAL_DEID_NAME);
  assert_found ("PATIENT: ADEBAYO OGUNLESI\n", "ADEBAYO OGUNLESI", SAL_DEID_NAME);
  assert_found ("Name: Quist, Harriet\n", "Quist, Harriet", SAL_DEID_NAME);
  assert_found ("Mrs. Vantongeren declined the flu shot.", "Vantongeren", SAL_DEID_NAME);
  assert_found ("Her daughter Ilse Vantongeren will drive her home.", "Ilse Vantongeren", SAL_DEID_NAME);
  assert_found ("Plan discussed.\n\nBrigitte Okonjo-Sall, MD\n", "Brigitte Okonjo-Sall", SAL_DEID_NAME);
  assert_found ("Electronically signed by Harlan Q. Pettigrew, DO", "Harlan Q. Pettigrew", SAL_DEID_NAME);
  /* From the name lists, and then everywhere in the note. */
  assert_found ("Called Margaret about her refill.", "Margaret", SAL_DEID_NAME);
  assert_found ("Results sent to Anderson.", "Anderson", SAL_DEID_NAME);
}

static void
test_name_propagation (void)
{
  const char *text = "Patient: Tove Brandvold\nTove walks daily. Brandvold family agrees.";
  g_autoptr(GArray) spans = sal_deid_find (deid, text, NULL);
  guint names = 0;

  for (guint i = 0; i < spans->len; i++)
    names += g_array_index (spans, SalDeidSpan, i).category == SAL_DEID_NAME;
  g_assert_cmpuint (names, ==, 3);
}

static void
test_dates (void)
{
  assert_found ("Seen on March 3, 2024 in clinic.", "March 3, 2024", SAL_DEID_DATE);
  assert_found ("DOB: 03/04/2024", "03/04/2024", SAL_DEID_DATE);
  assert_found ("Surgery 2024-03-04 went well.", "2024-03-04", SAL_DEID_DATE);
  assert_found ("Fell on the 3rd of March at home.", "3rd of March", SAL_DEID_DATE);
  assert_found ("Started 14 February 2023.", "14 February 2023", SAL_DEID_DATE);
  assert_found ("Follow up Mar. 21st, 2025.", "Mar. 21st, 2025", SAL_DEID_DATE);
  assert_found ("Symptoms since June 2021.", "June 2021", SAL_DEID_DATE);
  assert_found ("Seen on 3/14 for a rash.", "3/14", SAL_DEID_DATE);
  assert_found ("Echo 7.8.2022 normal.", "7.8.2022", SAL_DEID_DATE);
  assert_found ("Last visit 11/2019.", "11/2019", SAL_DEID_DATE);
  assert_found ("Collected 12-Jan-2024 08:10.", "12-Jan-2024", SAL_DEID_DATE);
}

static void
test_ages (void)
{
  assert_found ("A 94-year-old woman with dyspnea.", "94", SAL_DEID_AGE);
  assert_found ("Pt is 101 yo, lives alone.", "101", SAL_DEID_AGE);
  assert_found ("Age: 92\n", "92", SAL_DEID_AGE);
  assert_found ("Her mother died at 97.", "97", SAL_DEID_AGE);
  assert_clean ("A 89-year-old man and a 45 yo woman.");
  assert_clean ("Age 67.");
}

static void
test_contacts (void)
{
  assert_found ("Call (555) 201-3344 after 5.", "(555) 201-3344", SAL_DEID_PHONE);
  assert_found ("Cell: +1 555 201 3344", "+1 555 201 3344", SAL_DEID_PHONE);
  assert_found ("Fax: 555.201.3345", "555.201.3345", SAL_DEID_FAX);
  assert_found ("Call back at 555 0134 tomorrow.", "555 0134", SAL_DEID_PHONE);
  assert_found ("Resident on call, pager #4471.", "4471", SAL_DEID_PHONE);
  assert_clean ("Call 911 if worse. Call in 2 weeks with results.");
  assert_found ("Write to o.kessler@example.net today.", "o.kessler@example.net", SAL_DEID_EMAIL);
  assert_found ("See https://portal.example.org/r/123.", "https://portal.example.org/r/123", SAL_DEID_URL);
  assert_found ("Upload from 192.168.10.24 failed.", "192.168.10.24", SAL_DEID_IP);
}

static void
test_places_and_numbers (void)
{
  assert_found ("Lives at 4410 Old Mill Road, Apt 3.", "4410 Old Mill Road, Apt 3", SAL_DEID_ADDRESS);
  assert_found ("Address: 12 Quarry St, Lindenhurst, NY 11757", "Lindenhurst", SAL_DEID_ADDRESS);
  assert_found ("Address: 12 Quarry St, Lindenhurst, NY 11757", "11757", SAL_DEID_ZIP);
  assert_found ("She moved to Springfield last year.", "Springfield", SAL_DEID_ADDRESS);
  assert_found ("MRN: 0048812", "0048812", SAL_DEID_MRN);
  assert_found ("MR# AB-778812 on the wristband.", "AB-778812", SAL_DEID_MRN);
  assert_found ("Acct #: 558100231", "558100231", SAL_DEID_ACCOUNT);
  assert_found ("Member ID XKP10448210 verified.", "XKP10448210", SAL_DEID_ACCOUNT);
  assert_found ("SSN 123-45-6789 on file.", "123-45-6789", SAL_DEID_SSN);
  assert_found ("Driver license D1234567 copied.", "D1234567", SAL_DEID_ID);
}

/* Text that must stay: nothing in it identifies a person. */
static void
test_not_flagged (void)
{
  assert_clean ("Continue metformin 500 mg twice daily and lisinopril 10 mg.");
  assert_clean ("BP 120/80, HR 72, SpO2 98%, T 37.1 C.");
  assert_clean ("Strength 5/5 bilaterally, reflexes 2+.");
  assert_clean ("Diagnosed with diabetes in 2019; colonoscopy in 2021 was normal.");
  assert_clean ("History of Parkinson disease and Crohn's disease.");
  assert_clean ("Bell's palsy resolved. Murphy's sign negative.");
  assert_clean ("Wilson disease was ruled out; Barrett's esophagus on biopsy.");
  assert_clean ("Jackson-Pratt drain removed, Foley catheter in place.");
  assert_clean ("Guillain-Barre syndrome in the past; Child-Pugh class A.");
  assert_clean ("Glasgow Coma Scale 15. Wells score 1.");
  assert_clean ("Black stools for two days. White count 11.2.");
  assert_clean ("Walker at bedside. Will follow up in 3 weeks.");
  assert_clean ("Take 1/2 tablet at bedtime; Na 138, K 4.1, Cr 1.2.");
  assert_clean ("Follow up in 2 weeks at 14:30; INR 2.4, A1c 7.2%.");
  assert_clean ("May increase the dose to 5 mg if needed.");
  assert_clean ("ICD-10 E11.9, CPT 99213.");
  /* Clinical text in bulk: services, drugs, scores, eponymous tests and signs. */
  assert_clean ("Resuscitated with Lactated Ringer's and started on Vancomycin and Zosyn.\n"
                "Seen in consultation with Infectious Disease.\n"
                "Discussed with Physical Therapy about Home Health.\n"
                "Follow up with Gastroenterology in 4 weeks.\n"
                "Patient has Type 2 Diabetes Mellitus and Chronic Kidney Disease stage 3.\n"
                "Hx of Hodgkin lymphoma s/p ABVD in 2010. Graves disease treated with RAI.\n"
                "Apgar 8/9. GCS 15. NIHSS 4. CHA2DS2-VASc 3. HAS-BLED 2.\n"
                "Abdomen: soft, Murphy sign negative.\n"
                "Medications: Aspirin 81 mg daily, Atorvastatin 40 mg nightly.\n"
                "Vitals: BP 132/84 | HR 76 | RR 14 | T 98.6 F | SpO2 99% on RA | Wt 82 kg.\n"
                "Smoking: 30 pack-years, quit in 2015. Alcohol: 2 drinks/week.\n"
                "Tinel and Phalen tests positive on the right. Spurling maneuver negative.\n"
                "Epley maneuver performed. Dix-Hallpike positive on the left.\n"
                "Mother with Alzheimer disease at 82, father with MI at 70.\n"
                "Admitted to Internal Medicine for Community Acquired Pneumonia.\n");
  assert_clean ("X-ray of the chest was clear. Chest X-Ray showed no infiltrate.\n"
                "Ward 5B has a bed. Hall pass not needed. Li 0.8 on lithium.\n"
                "Mark the site before surgery. Sims position for the exam.\n"
                "Bishop score 8. Baker cyst noted. Beck Depression Inventory 12.\n"
                "Austin Flint murmur. Allen test normal. Adson test negative.\n");
}

static void
test_replace (void)
{
  const char *text = "Patient: Jane Doe, seen March 3, 2024 (age 93). Call 555-201-3344.";
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = sal_deid_replace (deid, text, &changes, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "Patient: [NAME], seen [DATE] 2024 (age [AGE 90+]). Call [PHONE].");
  g_assert_cmpuint (changes->len, ==, 4);
  {
    SalDeidChange *c = g_ptr_array_index (changes, 1);
    g_assert_cmpstr (c->original, ==, "March 3, 2024");
    g_assert_cmpstr (c->replacement, ==, "[DATE] 2024");
    g_assert_cmpint (c->category, ==, SAL_DEID_DATE);
    g_assert_cmpstr (text + c->start, ==, "March 3, 2024 (age 93). Call 555-201-3344.");
  }
  {
    g_autofree char *short_year = sal_deid_replace (deid, "Seen 3/4/24.", NULL, NULL);
    g_assert_cmpstr (short_year, ==, "Seen [DATE] '24.");
  }
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spans = sal_deid_find (deid, "Name: \xff\xfe Smith", &error);

  g_assert_null (spans);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

static void
test_categories (void)
{
  for (guint c = 0; c < SAL_DEID_N_CATEGORIES; c++)
    {
      SalDeidCategory back;
      g_assert_true (sal_deid_category_from_id (sal_deid_category_id (c), &back));
      g_assert_cmpint (back, ==, c);
      g_assert_true (sal_deid_category_tag (c)[0] == '[');
      g_assert_nonnull (sal_deid_category_describe (c));
    }
  g_assert_false (sal_deid_category_from_id ("shoe-size", NULL));
}

static void
test_deterministic (void)
{
  g_autoptr(GPtrArray) a = sal_deid_corpus_generate (SAL_DEID_CORPUS_DEVELOPMENT, 5, 42);
  g_autoptr(GPtrArray) b = sal_deid_corpus_generate (SAL_DEID_CORPUS_DEVELOPMENT, 5, 42);

  for (guint i = 0; i < a->len; i++)
    {
      SalDeidCorpusNote *na = g_ptr_array_index (a, i), *nb = g_ptr_array_index (b, i);
      g_autofree char *ra = sal_deid_replace (deid, na->text, NULL, NULL);
      g_autofree char *rb = sal_deid_replace (deid, nb->text, NULL, NULL);
      g_assert_cmpstr (na->text, ==, nb->text);
      g_assert_cmpstr (ra, ==, rb);
    }
}

/* The held-out set shares no name, place, drug, eponym, template or date format with
 * the development set. */
static void
test_sets_disjoint (void)
{
  g_autofree char *overlap = sal_deid_corpus_overlap ();

  if (*overlap != '\0')
    g_test_fail_printf ("the corpus sets share:\n%s", overlap);
}

static void
evaluate (SalDeidCorpusSet set, guint n_notes, guint32 seed, SalDeidScore *score, GString *misses)
{
  g_autoptr(GPtrArray) notes = sal_deid_corpus_generate (set, n_notes, seed);

  for (guint i = 0; i < notes->len; i++)
    {
      SalDeidCorpusNote *note = g_ptr_array_index (notes, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) found = sal_deid_find (deid, note->text, &error);

      g_assert_no_error (error);
      sal_deid_score_add (score, note->text, note->gold, found, misses);
    }
}

static void
report (const char *what, const SalDeidScore *score)
{
  g_autoptr(GString) per = g_string_new (NULL);

  for (guint c = 0; c < SAL_DEID_N_CATEGORIES; c++)
    if (score->per_category_gold[c] > 0)
      g_string_append_printf (per, " %s %u/%u", sal_deid_category_id (c),
                              score->per_category_gold[c] - score->per_category_missed[c],
                              score->per_category_gold[c]);
  g_test_message ("%s: %u identifiers, recall %.4f, precision %.4f (%u of %u found spans);%s",
                  what, score->gold_total, sal_deid_score_recall (score),
                  sal_deid_score_precision (score), score->found_correct, score->found_total,
                  per->str);
}

/* The set the rules were tuned on: misses are printed for development
 * (SALIENT_DEID_SHOW_MISSES=1). */
static void
test_development_set (void)
{
  SalDeidScore score = { 0 };
  g_autoptr(GString) misses = g_string_new (NULL);

  evaluate (SAL_DEID_CORPUS_DEVELOPMENT, 300, 1, &score, misses);
  report ("development set", &score);
  if (g_getenv ("SALIENT_DEID_SHOW_MISSES") != NULL)
    g_printerr ("%s", misses->str);
  g_assert_cmpuint (score.gold_total, >, 2000);
  g_assert_cmpfloat (sal_deid_score_recall (&score), >=, 0.99);
  g_assert_cmpfloat (sal_deid_score_precision (&score), >=, 0.90);
}

/* The held-out set: other templates, names, places, drugs and eponyms, never looked at
 * while tuning. Only the figures are printed. */
static void
test_held_out_set (void)
{
  SalDeidScore score = { 0 };

  evaluate (SAL_DEID_CORPUS_HELD_OUT, 400, 20261128, &score, NULL);
  report ("held-out set", &score);
  g_assert_cmpuint (score.gold_total, >, 3000);
  g_assert_cmpfloat (sal_deid_score_recall (&score), >=, 0.99);
  g_assert_cmpfloat (sal_deid_score_precision (&score), >=, 0.90);
}

/* An independent negative set: the note-triage generator (sal-notegen.c, written
 * separately) makes clinical-style notes with ages, vitals, drugs and history but no
 * identifiers, so every span found in them is a false positive. */
static void
test_notegen_clean (void)
{
  guint spans_found = 0;

  for (guint32 seed = 1; seed <= 600; seed++)
    {
      g_autoptr(SalGeneratedNote) note =
        sal_note_generate (seed, seed % 2 ? SAL_NOTE_TEMPLATES_TRAIN : SAL_NOTE_TEMPLATES_HELD_OUT);
      g_autoptr(GArray) spans = sal_deid_find (deid, note->text, NULL);

      for (guint i = 0; i < spans->len; i++)
        {
          const SalDeidSpan *s = &g_array_index (spans, SalDeidSpan, i);
          g_test_message ("false positive %s: %.*s", sal_deid_category_id (s->category),
                          (int) (s->end - s->start), note->text + s->start);
        }
      spans_found += spans->len;
    }
  g_test_message ("600 generated triage notes: %u spans flagged", spans_found);
  g_assert_cmpuint (spans_found, ==, 0);
}

static void
test_cli (void)
{
  g_autofree char *dir = sal_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "note.txt", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.txt", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (path, "Patient: Jane Doe\nSeen 2024-03-04, SSN 123-45-6789.\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (&out, NULL, "deid", path, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Patient: [NAME]\nSeen [DATE] 2024, SSN [SSN].\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sal_test_run_cli (&out, NULL, "deid", "--json", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"category\" : \"name\""));
  g_assert_nonnull (strstr (out, "\"text\" : \"Jane Doe\""));
  g_assert_nonnull (strstr (out, "\"start\" : 9"));
  g_assert_nonnull (strstr (out, "\"replacement\" : \"[DATE] 2024\""));
  g_clear_pointer (&out, g_free);

  g_assert_true (g_file_set_contents (bad, "Name: \xff Smith\n", -1, NULL));
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "deid", bad, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "UTF-8"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "deid", "/nonexistent/note.txt", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "note.txt"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (sal_test_run_cli (NULL, &err, "deid", NULL), ==, 2);
  sal_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  deid = sal_deid_new (&error);
  g_assert_no_error (error);

  g_test_add_func ("/app/deid/names", test_names);
  g_test_add_func ("/app/deid/name-propagation", test_name_propagation);
  g_test_add_func ("/app/deid/dates", test_dates);
  g_test_add_func ("/app/deid/ages", test_ages);
  g_test_add_func ("/app/deid/contacts", test_contacts);
  g_test_add_func ("/app/deid/places-and-numbers", test_places_and_numbers);
  g_test_add_func ("/app/deid/not-flagged", test_not_flagged);
  g_test_add_func ("/app/deid/replace", test_replace);
  g_test_add_func ("/app/deid/bad-input", test_bad_input);
  g_test_add_func ("/app/deid/categories", test_categories);
  g_test_add_func ("/app/deid/deterministic", test_deterministic);
  g_test_add_func ("/app/deid/sets-disjoint", test_sets_disjoint);
  g_test_add_func ("/app/deid/development-set", test_development_set);
  g_test_add_func ("/app/deid/held-out-set", test_held_out_set);
  g_test_add_func ("/app/deid/notegen-clean", test_notegen_clean);
  g_test_add_func ("/app/deid/cli", test_cli);
  ret = g_test_run ();
  sal_deid_unref (deid);
  return ret;
}
