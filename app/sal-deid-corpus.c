/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-deid-corpus"

#include "config.h"

#include <string.h>

#include "sal-deid-corpus.h"

/* How the sets were made: the HELD_OUT set below was written first, before any rule
 * of sal-deid.c existed; the rules were then written from the Safe Harbor list and
 * tuned on DEVELOPMENT only. The two sets share no template sentence, name, street,
 * city, e-mail domain, drug or eponym. Placeholders in templates:
 *
 *   {PF} patient "First [M.] Last"   {PFIRST} {PLAST} {PLF} "Last, First"   {PHON} Mr./Ms.
 *   {DR} a doctor's surname          {DRF} a doctor's full name   {RN} a nurse's full name
 *   {REL} a relative's first name    {RELF} a relative's full name
 *   {DATE} a date with year   {DATEN} a date without year   {MY} month and year
 *   {A90} an age over 89      {PHONE} {FAX} {EMAIL} {URL} {IP}
 *   {STREET} {CITY} {ST} (state, not an identifier) {ZIP}
 *   {MRN} {ACCT} {SSN} {MEMBER} {LIC}
 * and distractors that must stay: {AGE} (18–89) {YEAR} {DOSE} {VITALS} {LAB} {DRUG}
 * {EPO} (eponyms) {TIME}. */

typedef struct {
  const char *const *given;
  const char *const *surnames;
  const char *const *streets;
  const char *const *street_types;
  const char *const *cities;
  const char *const *states;
  const char *const *domains;
  const char *const *drugs;
  const char *const *eponyms;
  const char *const *date_formats;     /* see format_date */
  const char *const *nodate_formats;
  const char *const *phone_formats;    /* digits as 'N' */
  const char *const *mrn_formats;      /* 'N' digit, 'A' letter */
  const char *const *headers;
  const char *const *body;
  const char *const *signatures;
} CorpusSet;

/* ======================================================================== */
/* HELD-OUT SET (written first; never used while tuning the rules)          */
/* ======================================================================== */

static const char *const ho_given[] = {
  "Nicholas", "Kathleen", "Eric", "Amy", "Jonathan", "Angela", "Stephen", "Shirley",
  "Larry", "Anna", "Justin", "Brenda", "Scott", "Pamela", "Brandon", "Nicole", "Benjamin",
  "Emma", "Samuel", "Samantha", "Gregory", "Katherine", "Alexander", "Christine", "Frank",
  "Debra", "Raymond", "Rachel", "Patrick", "Carolyn", "Jack", "Janet", "Dennis", "Catherine",
  "Jerry", "Maria", "Tyler", "Heather", "Aaron", "Diane", "Jose", "Ruth", "Adam", "Julie",
  "Nathan", "Olivia", "Henry", "Joyce", "Douglas", "Virginia", "Zachary", "Victoria",
  "Peter", "Kelly", "Kyle", "Lauren", "Ethan", "Christina", "Walter", "Joan",
  "Oluwaseun", "Priyanka", "Xiaoming", "Siobhan", "Mateo", "Anika", "Tadeusz", "Ngozi",
  "Ioana", "Kwame", "Yusuf", "Ingrid", "Zoë", "Łukasz", NULL
};

static const char *const ho_surnames[] = {
  "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz",
  "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim",
  "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett",
  "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel",
  "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell",
  "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
  "Okonkwo", "Wojcik", "Haddad", "Szabo", "Lindqvist", "Takahashi", "Oyelaran",
  "Brannigan", "Achterberg", "Castellanos", "Nowakowski", "Fitzgerald", NULL
};

static const char *const ho_streets[] = {
  "Birch", "Willow", "Sunset", "Highland", "Jefferson", "Chestnut", "River", "Meadow",
  "Forest", "Spring", "Orchard", "Harbor View", NULL
};
static const char *const ho_street_types[] = {
  "St.", "Ave.", "Blvd", "Way", "Place", "Terrace", "Circle", "Rd", NULL
};
static const char *const ho_cities[] = {
  "Ashland", "Milford", "Dover", "Kingston", "Centerville", "Newport", "Marion",
  "Burlington", "Manchester", "Clayton", "Westfield", "Hudson", "Glen Falls", NULL
};
static const char *const ho_states[] = { "MA", "TX", "CA", "WA", "Oregon", "NJ", NULL };
static const char *const ho_domains[] = {
  "mailbox.example.net", "harborclinic.example.org", "fastmail.example.com", NULL
};
static const char *const ho_drugs[] = {
  "Eliquis", "Keppra", "Synthroid", "Zoloft", "Lasix", "Plavix", "Januvia", "Xarelto",
  "Flomax", "Seroquel", NULL
};
static const char *const ho_eponyms[] = {
  "Hashimoto thyroiditis", "Graves disease", "Cushing syndrome", "Down syndrome",
  "Murphy's sign", "Barrett's esophagus", "Jackson-Pratt drain", "Guillain-Barre syndrome",
  "Wells score of 2", "Child-Pugh class B", "Bell's palsy", "Raynaud phenomenon",
  "Homans sign", "Babinski sign", "Meniere disease", "Kawasaki disease",
  "a Whipple procedure", "Hodgkin lymphoma", NULL
};
/* %B month name, %b abbreviated, %m %d zero padded, %n %e unpadded, %o ordinal day,
 * %Y year, %y two-digit year, %A weekday */
static const char *const ho_date_formats[] = {
  "%e %B %Y", "%b. %o, %Y", "%n-%e-%Y", "%Y/%m/%d", "the %o of %B, %Y", "%d.%m.%Y",
  "%B %e, %Y", "%m/%d/%Y", "%A, %B %e, %Y", NULL
};
static const char *const ho_nodate_formats[] = {
  "%B %o", "%n/%e", "%A, %B %e", "%e %B", NULL
};
static const char *const ho_phone_formats[] = {
  "NNN.NNN.NNNN", "+1 NNN NNN NNNN", "NNN-NNN-NNNN ext. NNN", "1-NNN-NNN-NNNN",
  "(NNN)NNN-NNNN", NULL
};
static const char *const ho_mrn_formats[] = {
  "NNNNNNNN", "AA-NNNNNN", "NNNN-NNNN", "ANNNNNNN", NULL
};

static const char *const ho_headers[] = {
  "PATIENT NAME: {PLF}\nDOB: {DATE}    MR#: {MRN}\nDate of service: {DATE}\n",
  "Name: {PF}\nBirth date: {DATE}\nHome: {STREET}, {CITY}, {ST} {ZIP}\nCell: {PHONE}\n",
  "Outpatient follow-up, {DATE}\nPt: {PF} (MR# {MRN})\nReferring: Dr. {DR}\n",
  "Admission H&P\nPatient {PF}, seen {DATE} at {TIME}.\nAccount no. {ACCT}\n",
  "Telehealth visit {DATE}\nParticipant: {PFIRST} {PLAST}\nCallback: {PHONE}\n",
  "Discharge summary for {PF}\nAdmitted {DATE}; discharged {DATE}.\nMedical record number {MRN}\n",
  NULL
};

static const char *const ho_body[] = {
  "{PHON} {PLAST} is a {A90} yo widow who lives alone at {STREET}.",
  "The patient, a {AGE} year old, reports {DRUG} {DOSE} daily since {YEAR}.",
  "{PFIRST} was brought in by her son {RELF} after a fall on {DATEN}.",
  "Vitals: {VITALS}. Labs from {DATE}: {LAB}.",
  "History notable for {EPO} and hypertension diagnosed in {YEAR}.",
  "Daughter ({REL}) can be reached at {PHONE} or {EMAIL}.",
  "Records were faxed to {FAX} on {DATEN}.",
  "Insurance member ID {MEMBER}; SSN on file {SSN}.",
  "Discussed with Dr. {DRF}, who agrees with starting {DRUG}.",
  "At {A90} years of age, {PHON} {PLAST} remains independent with ADLs.",
  "Pt is a {AGE}-year-old with {EPO}; follow up in 3 weeks.",
  "Patient portal message sent via {URL} on {DATEN}.",
  "Login attempts came from {IP}; IT was notified.",
  "Moved from {CITY}, {ST} to {CITY} in {MY}.",
  "Strength 5/5 in all extremities, reflexes 2+. BP {VITALS}.",
  "{RN}, RN, reviewed the discharge plan with {PFIRST} and her husband {REL}.",
  "Next appointment: {DATEN} at {TIME} with Dr. {DR}.",
  "Mailing address: {STREET}, {CITY}, {ST} {ZIP}.",
  "Driver license {LIC} was copied for the chart.",
  "Take {DRUG} {DOSE} twice a day; recheck A1c in 3 months.",
  "He says his neighbor {RELF} checks on him every day.",
  "Colonoscopy in {YEAR} was normal. Last mammogram {MY}.",
  "Called {PHON} {PLAST} at home ({PHONE}); no answer, left a message.",
  "Oldest sibling is {A90}; father died at {AGE} of MI.",
  NULL
};

static const char *const ho_signatures[] = {
  "\n-- {DRF}, MD\nPager {PHONE}\n",
  "\nElectronically signed: {DRF}, DO on {DATE}\n",
  "\nDictated by {DRF}, MD; transcribed {DATEN}.\n",
  "\nThanks,\n{RN}, NP\n",
  NULL
};

/* ======================================================================== */
/* DEVELOPMENT SET (the rules were tuned on this one only)                   */
/* ======================================================================== */

static const char *const dev_given[] = {
  "Jamal", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "William", "Linda",
  "David", "Elizabeth", "Richard", "Barbara", "Joseph", "Susan", "Thomas", "Jessica",
  "Charles", "Sarah", "Christopher", "Karen", "Daniel", "Nancy", "Matthew", "Lisa",
  "Anthony", "Betty", "Donald", "Margaret", "Steven", "Sandra", "Paul", "Ashley", "Andrew",
  "Kimberly", "Joshua", "Emily", "Kenneth", "Donna", "Kevin", "Michelle", "Brian",
  "Dorothy", "George", "Carol", "Edward", "Amanda", "Ronald", "Melissa", "Timothy",
  "Deborah", "Jason", "Stephanie", "Jeffrey", "Rebecca", "Ryan", "Sharon", "Jacob",
  "Laura", "Gary", "Cynthia", "Chidi", "Anneliese", "Rafael", "Mei", "Pat", "Drew", "Will",
  "Oksana", "Thabo", "Saoirse", NULL
};

static const char *const dev_surnames[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
  "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
  "Thomas", "Taylor", "Moore", "Sandoval", "Martin", "Lee", "Perez", "Thompson", "White",
  "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
  "Allen", "King", "Wright", "Whitfield", "Torres", "Nguyen", "Hill", "Flores", "Green",
  "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
  "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards",
  "Collins", "Reyes", "Eze", "Vasquez-Mora", "Black", "Stone", "Fox", "Little", "Hunt",
  "Adeyemi-Cole", "Mwangi", "Kowalczyk", NULL
};

static const char *const dev_streets[] = {
  "Maple", "Oak", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
  NULL
};
static const char *const dev_street_types[] = {
  "Street", "Avenue", "Road", "Lane", "Drive", "Court", NULL
};
static const char *const dev_cities[] = {
  "Springfield", "Riverton", "Fairview", "Lakewood", "Georgetown", "Madison", "Clinton",
  "Franklin", "Greenville", "Bristol", "Salem", "Oakdale", "Elmhurst", "Pinecrest",
  "Cedar Rapids", NULL
};
static const char *const dev_states[] = { "IL", "OH", "PA", "NY", "Michigan", NULL };
static const char *const dev_domains[] = {
  "example.com", "mail.example.org", "clinic.example.edu", NULL
};
static const char *const dev_drugs[] = {
  "Lipitor", "Norvasc", "Coumadin", "Metformin", "Lisinopril", "Prozac", "Zyrtec",
  "Advil", "Tylenol", "Humalog", NULL
};
static const char *const dev_eponyms[] = {
  "Parkinson disease", "Parkinson's disease", "Crohn's disease", "Alzheimer dementia",
  "a Foley catheter", "Wilson disease", "Addison's disease", "Paget's disease",
  "Glasgow Coma Scale 15", "Apgar scores 8 and 9", "Bence Jones protein",
  "Swan-Ganz catheter", "Tourette syndrome", "Marfan syndrome", "Lyme disease",
  "a positive Romberg test", "Holter monitor", NULL
};
static const char *const dev_date_formats[] = {
  "%b. %e %Y", "%n/%e/%Y", "%Y-%m-%d", "%b %e, %Y", "%n/%e/%y", "%o %B %Y", NULL
};
static const char *const dev_nodate_formats[] = {
  "%o of %B", "%B %e", "%b %o", "%n/%e", NULL
};
static const char *const dev_phone_formats[] = {
  "(NNN) NNN-NNNN", "NNN-NNN-NNNN", "NNN NNN NNNN", NULL
};
static const char *const dev_mrn_formats[] = { "NNNNNNN", "NNNNNNNN", "NNNNNN", NULL };

static const char *const dev_headers[] = {
  "Patient: {PF}\nDOB: {DATE}\nMRN: {MRN}\nVisit date: {DATE}\n",
  "Patient Name: {PLF}\nDate of Birth: {DATE}\nAddress: {STREET}, {CITY}, {ST} {ZIP}\nPhone: {PHONE}\n",
  "Clinic note {DATE}\n{PF} is seen today for follow-up. MRN {MRN}.\n",
  "Emergency Department record\nName: {PF}   Acct #: {ACCT}\nArrival: {DATE} {TIME}\n",
  "Consult note for {PF}, {DATE}\nRequested by Dr. {DR}.\n",
  "Letter regarding {PF} (DOB {DATE})\n",
  NULL
};

static const char *const dev_body[] = {
  "Mr. {PLAST} is a {A90}-year-old man with a history of {EPO}.",
  "She is a {AGE}-year-old woman on {DRUG} {DOSE}.",
  "{PFIRST} reports feeling better since {DATEN}.",
  "BP {VITALS}. {LAB}.",
  "Seen previously by Dr. {DR} in {YEAR}.",
  "Her husband {RELF} called at {PHONE} with questions.",
  "Please fax results to {FAX}.",
  "Contact e-mail: {EMAIL}.",
  "SSN {SSN}. Insurance ID {MEMBER}.",
  "Patient is {A90} years old and lives with her daughter {REL}.",
  "Lives at {STREET} in {CITY}, {ST} {ZIP}.",
  "Results available at {URL}.",
  "The device at {IP} sent the glucose readings.",
  "Plan: continue {DRUG} {DOSE}; last echo was in {YEAR}.",
  "Age {A90}. Family history of {EPO}.",
  "Referred to Dr. {DRF} for {EPO}.",
  "Symptoms began in {MY}.",
  "{PHON} {PLAST} was last seen on {DATE}.",
  "Nurse {RN} administered {DRUG} {DOSE} at {TIME}.",
  "Motor strength 4/5 on the left, 5/5 on the right. HR {VITALS}.",
  "Medical license {LIC} verified.",
  "The family relocated from {CITY}, {ST} to {CITY} in {YEAR}.",
  "{PFIRST} {PLAST} presented with {EPO}.",
  "Spoke with {RELF} about transport.",
  NULL
};

static const char *const dev_signatures[] = {
  "\n{DRF}, MD\n",
  "\nSigned by {DRF}, MD on {DATE}\n",
  "\n/s/ {RN}, RN\n",
  NULL
};

static const CorpusSet corpus_sets[] = {
  [SAL_DEID_CORPUS_DEVELOPMENT] = {
    dev_given, dev_surnames, dev_streets, dev_street_types, dev_cities, dev_states,
    dev_domains, dev_drugs, dev_eponyms, dev_date_formats, dev_nodate_formats,
    dev_phone_formats, dev_mrn_formats, dev_headers, dev_body, dev_signatures,
  },
  [SAL_DEID_CORPUS_HELD_OUT] = {
    ho_given, ho_surnames, ho_streets, ho_street_types, ho_cities, ho_states,
    ho_domains, ho_drugs, ho_eponyms, ho_date_formats, ho_nodate_formats,
    ho_phone_formats, ho_mrn_formats, ho_headers, ho_body, ho_signatures,
  },
};

/* Shared distractors: no identifiers in them. */
static const char *const doses[] = {
  "5 mg", "500 mg", "0.125 mg", "10 units", "81 mg", "2.5 mg", "1 g", "40 mEq", "25 mcg", NULL
};
static const char *const vitals[] = {
  "120/80", "138/86, HR 72", "BP 142/90, pulse 88", "118/76, SpO2 97%", "T 37.2 C, RR 16",
  "HR 64, BP 110/70", NULL
};
static const char *const lab_values[] = {
  "Na 138, K 4.1, Cr 1.2", "WBC 11.2, Hgb 13.5, Plt 250", "A1c 7.2%", "TSH 2.3",
  "INR 2.4", "LDL 130 mg/dL", "glucose 182", NULL
};

static const char *const month_names[] = {
  "January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"
};
static const char *const weekday_names[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};

/* Generation ----------------------------------------------------------------- */

typedef struct {
  GRand           *rand;
  const CorpusSet *set;
  GString         *text;
  GArray          *gold;
  char            *first, *last, *honorific;
  gboolean         female;
} Gen;

static guint
list_len (const char *const *list)
{
  guint n = 0;

  while (list[n] != NULL)
    n++;
  return n;
}

static const char *
pick (Gen *g, const char *const *list)
{
  return list[g_rand_int_range (g->rand, 0, (gint32) list_len (list))];
}

static void
emit (Gen *g, const char *value, int category)
{
  gsize start = g->text->len;

  g_string_append (g->text, value);
  if (category >= 0)
    {
      SalDeidSpan span = { start, g->text->len, (SalDeidCategory) category };
      g_array_append_val (g->gold, span);
    }
}

static char *
fill_pattern (Gen *g, const char *pattern)
{
  GString *s = g_string_new (NULL);

  for (const char *p = pattern; *p; p++)
    {
      if (*p == 'N')
        g_string_append_c (s, (char) ('0' + g_rand_int_range (g->rand, 0, 10)));
      else if (*p == 'A')
        g_string_append_c (s, (char) ('A' + g_rand_int_range (g->rand, 0, 26)));
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static const char *
ordinal_suffix (int day)
{
  if (day >= 11 && day <= 13)
    return "th";
  switch (day % 10)
    {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

static char *
format_date (Gen *g, const char *format)
{
  int year = g_rand_int_range (g->rand, 1925, 2026);
  int month = g_rand_int_range (g->rand, 1, 13);
  int day = g_rand_int_range (g->rand, 1, 29);
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, 0, 0, 0);
  GString *s = g_string_new (NULL);

  for (const char *p = format; *p; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (s, *p);
          continue;
        }
      switch (*++p)
        {
        case 'B': g_string_append (s, month_names[month - 1]); break;
        case 'b': g_string_append_len (s, month_names[month - 1], 3); break;
        case 'm': g_string_append_printf (s, "%02d", month); break;
        case 'd': g_string_append_printf (s, "%02d", day); break;
        case 'n': g_string_append_printf (s, "%d", month); break;
        case 'e': g_string_append_printf (s, "%d", day); break;
        case 'o': g_string_append_printf (s, "%d%s", day, ordinal_suffix (day)); break;
        case 'Y': g_string_append_printf (s, "%d", year); break;
        case 'y': g_string_append_printf (s, "%02d", year % 100); break;
        case 'A':
          g_string_append (s, weekday_names[g_date_time_get_day_of_week (dt) - 1]);
          break;
        default: g_string_append_c (s, *p);
        }
    }
  return g_string_free (s, FALSE);
}

static char *
person_full (Gen *g)
{
  if (g_rand_int_range (g->rand, 0, 4) == 0)
    return g_strdup_printf ("%s %c. %s", pick (g, g->set->given),
                            'A' + g_rand_int_range (g->rand, 0, 26), pick (g, g->set->surnames));
  return g_strdup_printf ("%s %s", pick (g, g->set->given), pick (g, g->set->surnames));
}

static void
expand (Gen *g, const char *key)
{
  g_autofree char *v = NULL;

  if (g_str_equal (key, "PF"))
    {
      if (g_rand_int_range (g->rand, 0, 4) == 0)
        v = g_strdup_printf ("%s %c. %s", g->first, 'A' + g_rand_int_range (g->rand, 0, 26), g->last);
      else
        v = g_strdup_printf ("%s %s", g->first, g->last);
      emit (g, v, SAL_DEID_NAME);
    }
  else if (g_str_equal (key, "PFIRST"))
    emit (g, g->first, SAL_DEID_NAME);
  else if (g_str_equal (key, "PLAST"))
    emit (g, g->last, SAL_DEID_NAME);
  else if (g_str_equal (key, "PLF"))
    {
      v = g_strdup_printf ("%s, %s", g->last, g->first);
      emit (g, v, SAL_DEID_NAME);
    }
  else if (g_str_equal (key, "PHON"))
    emit (g, g->honorific, -1);
  else if (g_str_equal (key, "DR"))
    emit (g, pick (g, g->set->surnames), SAL_DEID_NAME);
  else if (g_str_equal (key, "DRF") || g_str_equal (key, "RN") || g_str_equal (key, "RELF"))
    {
      v = person_full (g);
      emit (g, v, SAL_DEID_NAME);
    }
  else if (g_str_equal (key, "REL"))
    emit (g, pick (g, g->set->given), SAL_DEID_NAME);
  else if (g_str_equal (key, "DATE"))
    {
      v = format_date (g, pick (g, g->set->date_formats));
      emit (g, v, SAL_DEID_DATE);
    }
  else if (g_str_equal (key, "DATEN"))
    {
      v = format_date (g, pick (g, g->set->nodate_formats));
      emit (g, v, SAL_DEID_DATE);
    }
  else if (g_str_equal (key, "MY"))
    {
      v = format_date (g, g_rand_boolean (g->rand) ? "%B %Y" : "%m/%Y");
      emit (g, v, SAL_DEID_DATE);
    }
  else if (g_str_equal (key, "A90"))
    {
      v = g_strdup_printf ("%d", g_rand_int_range (g->rand, 90, 106));
      emit (g, v, SAL_DEID_AGE);
    }
  else if (g_str_equal (key, "AGE"))
    {
      v = g_strdup_printf ("%d", g_rand_int_range (g->rand, 18, 90));
      emit (g, v, -1);
    }
  else if (g_str_equal (key, "PHONE") || g_str_equal (key, "FAX"))
    {
      v = fill_pattern (g, pick (g, g->set->phone_formats));
      emit (g, v, g_str_equal (key, "FAX") ? SAL_DEID_FAX : SAL_DEID_PHONE);
    }
  else if (g_str_equal (key, "EMAIL"))
    {
      /* Addresses are ASCII: "Łukasz Wojcik" writes as l.wojcik. */
      g_autofree char *surname = g_str_to_ascii (pick (g, g->set->surnames), "C");
      g_autofree char *given = g_str_to_ascii (pick (g, g->set->given), "C");
      g_autofree char *user = g_ascii_strdown (surname, -1);
      v = g_strdup_printf ("%c.%s%d@%s", g_ascii_tolower (given[0]), user,
                           g_rand_int_range (g->rand, 1, 99), pick (g, g->set->domains));
      emit (g, v, SAL_DEID_EMAIL);
    }
  else if (g_str_equal (key, "URL"))
    {
      v = g_strdup_printf ("https://%s/records/%d?view=full", pick (g, g->set->domains),
                           g_rand_int_range (g->rand, 1000, 99999));
      emit (g, v, SAL_DEID_URL);
    }
  else if (g_str_equal (key, "IP"))
    {
      v = g_strdup_printf ("%d.%d.%d.%d", g_rand_int_range (g->rand, 10, 224),
                           g_rand_int_range (g->rand, 0, 256), g_rand_int_range (g->rand, 0, 256),
                           g_rand_int_range (g->rand, 1, 255));
      emit (g, v, SAL_DEID_IP);
    }
  else if (g_str_equal (key, "STREET"))
    {
      if (g_rand_int_range (g->rand, 0, 3) == 0)
        v = g_strdup_printf ("%d %s %s, Apt %d", g_rand_int_range (g->rand, 1, 9999),
                             pick (g, g->set->streets), pick (g, g->set->street_types),
                             g_rand_int_range (g->rand, 1, 40));
      else
        v = g_strdup_printf ("%d %s %s", g_rand_int_range (g->rand, 1, 9999),
                             pick (g, g->set->streets), pick (g, g->set->street_types));
      emit (g, v, SAL_DEID_ADDRESS);
    }
  else if (g_str_equal (key, "CITY"))
    emit (g, pick (g, g->set->cities), SAL_DEID_ADDRESS);
  else if (g_str_equal (key, "ST"))
    emit (g, pick (g, g->set->states), -1);
  else if (g_str_equal (key, "ZIP"))
    {
      v = fill_pattern (g, g_rand_int_range (g->rand, 0, 4) == 0 ? "NNNNN-NNNN" : "NNNNN");
      emit (g, v, SAL_DEID_ZIP);
    }
  else if (g_str_equal (key, "MRN"))
    {
      v = fill_pattern (g, pick (g, g->set->mrn_formats));
      emit (g, v, SAL_DEID_MRN);
    }
  else if (g_str_equal (key, "ACCT") || g_str_equal (key, "MEMBER"))
    {
      v = fill_pattern (g, g_str_equal (key, "ACCT") ? "NNNNNNNNN" : "AAANNNNNNNN");
      emit (g, v, SAL_DEID_ACCOUNT);
    }
  else if (g_str_equal (key, "SSN"))
    {
      v = g_strdup_printf ("%03d-%02d-%04d", g_rand_int_range (g->rand, 100, 900),
                           g_rand_int_range (g->rand, 1, 100), g_rand_int_range (g->rand, 1, 10000));
      emit (g, v, SAL_DEID_SSN);
    }
  else if (g_str_equal (key, "LIC"))
    {
      v = fill_pattern (g, "ANNNNNNN");
      emit (g, v, SAL_DEID_ID);
    }
  else if (g_str_equal (key, "YEAR"))
    {
      v = g_strdup_printf ("%d", g_rand_int_range (g->rand, 1990, 2026));
      emit (g, v, -1);
    }
  else if (g_str_equal (key, "DOSE"))
    emit (g, pick (g, doses), -1);
  else if (g_str_equal (key, "VITALS"))
    emit (g, pick (g, vitals), -1);
  else if (g_str_equal (key, "LAB"))
    emit (g, pick (g, lab_values), -1);
  else if (g_str_equal (key, "DRUG"))
    emit (g, pick (g, g->set->drugs), -1);
  else if (g_str_equal (key, "EPO"))
    emit (g, pick (g, g->set->eponyms), -1);
  else if (g_str_equal (key, "TIME"))
    {
      v = g_strdup_printf ("%02d:%02d", g_rand_int_range (g->rand, 0, 24),
                           g_rand_int_range (g->rand, 0, 60));
      emit (g, v, -1);
    }
  else
    g_error ("unknown corpus placeholder {%s}", key);
}

static void
expand_template (Gen *g, const char *template)
{
  for (const char *p = template; *p; )
    {
      const char *close;

      if (*p == '{' && (close = strchr (p, '}')) != NULL)
        {
          g_autofree char *key = g_strndup (p + 1, close - p - 1);
          expand (g, key);
          p = close + 1;
        }
      else
        {
          g_string_append_c (g->text, *p);
          p++;
        }
    }
}

/**
 * sal_deid_corpus_generate:
 *
 * Returns: (transfer full) (element-type SalDeidCorpusNote): @n_notes notes; the same
 * set, count and seed always give the same notes.
 */
GPtrArray *
sal_deid_corpus_generate (SalDeidCorpusSet set, guint n_notes, guint32 seed)
{
  GPtrArray *notes = g_ptr_array_new_with_free_func ((GDestroyNotify) sal_deid_corpus_note_free);
  Gen g = { 0 };

  g_return_val_if_fail (set == SAL_DEID_CORPUS_DEVELOPMENT || set == SAL_DEID_CORPUS_HELD_OUT, notes);

  g.rand = g_rand_new_with_seed (seed);
  g.set = &corpus_sets[set];
  for (guint i = 0; i < n_notes; i++)
    {
      SalDeidCorpusNote *note = g_new0 (SalDeidCorpusNote, 1);
      guint n_body = list_len (g.set->body);
      int n_sentences = g_rand_int_range (g.rand, 4, 9);

      g.text = g_string_new (NULL);
      g.gold = g_array_new (FALSE, FALSE, sizeof (SalDeidSpan));
      g.first = g_strdup (pick (&g, g.set->given));
      g.last = g_strdup (pick (&g, g.set->surnames));
      g.female = g_rand_boolean (g.rand);
      g.honorific = g_strdup (g.female ? (g_rand_boolean (g.rand) ? "Ms." : "Mrs.") : "Mr.");

      expand_template (&g, pick (&g, g.set->headers));
      g_string_append_c (g.text, '\n');
      for (int s = 0; s < n_sentences; s++)
        {
          expand_template (&g, g.set->body[g_rand_int_range (g.rand, 0, (gint32) n_body)]);
          g_string_append_c (g.text, s % 3 == 2 ? '\n' : ' ');
        }
      expand_template (&g, pick (&g, g.set->signatures));

      note->text = g_string_free (g.text, FALSE);
      note->gold = g.gold;
      g_clear_pointer (&g.first, g_free);
      g_clear_pointer (&g.last, g_free);
      g_clear_pointer (&g.honorific, g_free);
      g_ptr_array_add (notes, note);
    }
  g_rand_free (g.rand);
  return notes;
}

void
sal_deid_corpus_note_free (SalDeidCorpusNote *note)
{
  if (note == NULL)
    return;
  g_free (note->text);
  g_array_unref (note->gold);
  g_free (note);
}

/* Disjointness ---------------------------------------------------------------------- */

/* Words of three letters or more; only capitalised ones when asked (the eponyms'
 * "disease" and "syndrome" are shared on purpose, their names are not). */
static void
add_words (GHashTable *words, const char *const *list, gboolean capitalised_only)
{
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_regex_split_simple ("[^[:alpha:]]+", list[i], 0, 0);

      for (guint k = 0; parts[k] != NULL; k++)
        if (g_utf8_strlen (parts[k], -1) >= 3
            && (!capitalised_only || g_unichar_isupper (g_utf8_get_char (parts[k]))))
          g_hash_table_add (words, g_utf8_strdown (parts[k], -1));
    }
}

static GHashTable *
set_words (const CorpusSet *set)
{
  GHashTable *words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  add_words (words, set->given, FALSE);
  add_words (words, set->surnames, FALSE);
  add_words (words, set->streets, FALSE);
  add_words (words, set->cities, FALSE);
  add_words (words, set->drugs, FALSE);
  add_words (words, set->eponyms, TRUE);
  return words;
}

/**
 * sal_deid_corpus_overlap:
 *
 * Returns: (transfer full): what the two sets share, one item a line: words of their
 * name, street, city, drug and eponym lists, and whole template strings. Empty when
 * the sets are disjoint, as they must be.
 */
char *
sal_deid_corpus_overlap (void)
{
  const CorpusSet *dev = &corpus_sets[SAL_DEID_CORPUS_DEVELOPMENT];
  const CorpusSet *ho = &corpus_sets[SAL_DEID_CORPUS_HELD_OUT];
  g_autoptr(GHashTable) a = set_words (dev);
  g_autoptr(GHashTable) b = set_words (ho);
  GString *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;
  const char *const *lists[][2] = {
    { dev->headers, ho->headers }, { dev->body, ho->body }, { dev->signatures, ho->signatures },
    { dev->domains, ho->domains }, { dev->date_formats, ho->date_formats },
  };

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_hash_table_contains (b, key))
      g_string_append_printf (out, "%s\n", (const char *) key);
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l][0][i] != NULL; i++)
      for (guint j = 0; lists[l][1][j] != NULL; j++)
        if (g_str_equal (lists[l][0][i], lists[l][1][j]))
          g_string_append_printf (out, "%s\n", lists[l][0][i]);
  return g_string_free (out, FALSE);
}

/* Scoring ------------------------------------------------------------------------ */

void
sal_deid_score_add (SalDeidScore *score,
                    const char   *text,
                    GArray       *gold,
                    GArray       *found,
                    GString      *misses)
{
  gsize len = strlen (text);
  g_autofree guint8 *covered = g_new0 (guint8, len + 1);

  for (guint i = 0; i < found->len; i++)
    {
      const SalDeidSpan *f = &g_array_index (found, SalDeidSpan, i);
      gboolean hit = FALSE;

      for (gsize b = f->start; b < f->end && b < len; b++)
        covered[b] = 1;
      for (guint j = 0; j < gold->len && !hit; j++)
        {
          const SalDeidSpan *t = &g_array_index (gold, SalDeidSpan, j);
          hit = f->start < t->end && t->start < f->end;
        }
      score->found_total++;
      if (hit)
        score->found_correct++;
      else if (misses != NULL)
        g_string_append_printf (misses, "false positive %s: “%.*s”\n",
                                sal_deid_category_id (f->category),
                                (int) (f->end - f->start), text + f->start);
    }
  for (guint j = 0; j < gold->len; j++)
    {
      const SalDeidSpan *t = &g_array_index (gold, SalDeidSpan, j);
      gboolean all = TRUE;

      /* Every letter and digit must be covered (blanks and punctuation inside a span,
       * as in "Long, Kathleen", identify no one). */
      for (gsize b = t->start; b < t->end && all; b++)
        all = covered[b] != 0 || !(g_ascii_isalnum (text[b]) || (guchar) text[b] >= 0x80);
      score->gold_total++;
      score->per_category_gold[t->category]++;
      if (all)
        score->gold_recalled++;
      else
        {
          score->per_category_missed[t->category]++;
          if (misses != NULL)
            g_string_append_printf (misses, "missed %s: “%.*s” in “%.*s”\n",
                                    sal_deid_category_id (t->category),
                                    (int) (t->end - t->start), text + t->start,
                                    (int) (MIN (t->end + 30, len) - (t->start > 30 ? t->start - 30 : 0)),
                                    text + (t->start > 30 ? t->start - 30 : 0));
        }
    }
}

double
sal_deid_score_recall (const SalDeidScore *score)
{
  return score->gold_total > 0 ? (double) score->gold_recalled / score->gold_total : 1.0;
}

double
sal_deid_score_precision (const SalDeidScore *score)
{
  return score->found_total > 0 ? (double) score->found_correct / score->found_total : 1.0;
}
