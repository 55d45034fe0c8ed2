/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-app"

#include "sal-notegen.h"

#include <string.h>

/*
 * Notes are assembled from sections (history, examination, plan). The label
 * is decided only by evidence phrases: red flags make a note an emergency,
 * warning signs make it urgent, and a note with neither is routine. About a
 * quarter of red-flag and warning phrases appear negated ("denies chest
 * pain"), which must not count; distractors reuse the same words in harmless
 * contexts ("family history of stroke"), and a few typos are sprinkled over
 * the words that are not evidence.
 */

/* Evidence: positive surface forms and a short form used when negated. */
typedef struct {
  SalTriage   level;
  const char *forms[4];
  const char *negatable;       /* "chest pain" in "denies chest pain" */
} Evidence;

static const Evidence evidence[] = {
  { SAL_TRIAGE_EMERGENCY, { "crushing chest pain radiating to the left arm", "substernal chest pressure with diaphoresis", "chest pain radiating to the jaw", NULL }, "chest pain" },
  { SAL_TRIAGE_EMERGENCY, { "unresponsive on arrival", "GCS of 7", "not rousable to voice or pain", NULL }, "loss of consciousness" },
  { SAL_TRIAGE_EMERGENCY, { "systolic pressure of 68", "hypotensive at 70/40", "BP 72/38 despite fluids", NULL }, "hypotension" },
  { SAL_TRIAGE_EMERGENCY, { "vomiting large amounts of blood", "active rectal bleeding with clots", "haematemesis with dizziness", NULL }, "vomiting blood" },
  { SAL_TRIAGE_EMERGENCY, { "sudden facial droop and slurred speech", "acute left-sided weakness", "new aphasia since this morning", NULL }, "facial droop" },
  { SAL_TRIAGE_EMERGENCY, { "oxygen saturation of 82% on room air", "sats 79% with accessory muscle use", "severe respiratory distress", NULL }, "respiratory distress" },
  { SAL_TRIAGE_EMERGENCY, { "anaphylaxis with stridor", "swelling of the tongue and throat", "audible stridor after a bee sting", NULL }, "stridor" },
  { SAL_TRIAGE_EMERGENCY, { "seizure lasting over ten minutes", "ongoing status epilepticus", "repeated seizures without recovery", NULL }, "seizure activity" },
  { SAL_TRIAGE_URGENT, { "fever of 39.4 with rigors", "temperature 39.1 and shaking chills", "high fever with rigors since last night", NULL }, "fever" },
  { SAL_TRIAGE_URGENT, { "worsening shortness of breath over two days", "increasing breathlessness on minimal exertion", "new dyspnoea when lying flat", NULL }, "shortness of breath" },
  { SAL_TRIAGE_URGENT, { "new onset confusion", "acutely confused per family", "disoriented to time and place since yesterday", NULL }, "confusion" },
  { SAL_TRIAGE_URGENT, { "severe pain in the right lower quadrant", "guarding in the right iliac fossa", "rebound tenderness in the lower abdomen", NULL }, "abdominal pain" },
  { SAL_TRIAGE_URGENT, { "heart rate of 128 at rest", "tachycardic at 124", "resting pulse of 131", NULL }, "palpitations" },
  { SAL_TRIAGE_URGENT, { "unable to keep fluids down for 24 hours", "persistent vomiting since yesterday", "vomiting everything taken by mouth", NULL }, "vomiting" },
  { SAL_TRIAGE_URGENT, { "urinary retention for 12 hours", "unable to pass urine since the morning", "painful distended bladder", NULL }, "urinary retention" },
  { SAL_TRIAGE_URGENT, { "swollen painful left calf", "unilateral leg swelling with warmth", "tender swollen right calf after a long flight", NULL }, "calf swelling" },
};

/* Harmless sentences that reuse evidence words. */
static const char *const distractors[] = {
  "Family history of stroke in her grandmother.",
  "Chest x-ray from last year was reported as normal.",
  "Father had a heart attack at the age of 78.",
  "Blood pressure is well controlled at 128/76 on current medication.",
  "Back pain score is 2/10 and improving.",
  "Had a fever as a child, no sequelae.",
  "Previous episode of confusion was attributed to a urinary infection years ago.",
  "Uses an inhaler for mild exercise-induced wheeze.",
  "Seen in clinic for chest wall tenderness after a fall last spring.",
  "Reports occasional heartburn after large meals.",
  "Knee swelling after football, settled with rest.",
  "Takes paracetamol for headaches once a month.",
};

/* Routine content: why the person came when nothing is wrong. */
static const char *const routine_reasons[] = {
  "attends for routine follow-up of hypertension",
  "requests a repeat prescription of levothyroxine",
  "comes for a medication review",
  "reports mild seasonal allergies",
  "has had stable knee pain for three months",
  "attends for a diabetes annual review",
  "asks about travel vaccinations",
  "wants advice on stopping smoking",
  "presents for a dressing change",
  "has a mild dry cough for a week without other symptoms",
};

/* Examination and plan sentences are the same whatever the label, so the
 * label can only be learnt from the evidence. */
static const char *const exam_sentences[] = {
  "Examined with a chaperone present.",
  "Weight recorded.",
  "Skin intact.",
  "Ears and throat unremarkable.",
  "Pupils equal and reactive.",
  "Capillary refill checked.",
};

static const char *const plans[] = {
  "Discussed with the patient and family.",
  "Bloods sent.",
  "Observations to be repeated.",
  "Documentation completed.",
  "Medication reconciled.",
  "Follow the local pathway.",
};

/* Sentence frames for positive evidence ({} is replaced) and negated evidence.
 * The last entries of each table are held out of training. */
typedef struct { const char *frame; gboolean held_out; } Frame;

static const Frame positive_frames[] = {
  { "Patient reports {}.", FALSE },
  { "Presenting complaint: {}.", FALSE },
  { "On examination, {}.", FALSE },
  { "Triage nurse notes {}.", FALSE },
  { "Family describe {}.", FALSE },
  { "History of {} today.", FALSE },
  { "Paramedics found {}.", FALSE },
  { "Now with {}.", FALSE },
  { "Seen with {} this morning.", TRUE },
  { "Arrived by ambulance with {}.", TRUE },
  { "Main concern is {}.", TRUE },
  { "Relative called because of {}.", TRUE },
};

static const Frame negated_frames[] = {
  { "Denies {}.", FALSE },
  { "No {}.", FALSE },
  { "Negative for {}.", FALSE },
  { "Patient denies any {}.", FALSE },
  { "No {} reported.", FALSE },
  { "Specifically asked about {}: none.", TRUE },
  { "Has not had any {}.", TRUE },
  { "Without {} at present.", TRUE },
};

static const Frame openings[] = {
  { "HISTORY: A {age}-year-old {sex} {reason}.", FALSE },
  { "HPI: {age}-year-old {sex} who {reason}.", FALSE },
  { "Subjective: {age} yo {sex}, {reason}.", FALSE },
  { "Background: this {age}-year-old {sex} {reason}.", TRUE },
  { "Clinical summary: {age}-year-old {sex}; {reason}.", TRUE },
};

static const char *const exam_heads[] = { "EXAM:", "Examination:", "O/E:" };
static const char *const exam_heads_held_out[] = { "Findings:", "Assessment on arrival:" };
static const char *const plan_heads[] = { "PLAN:", "Plan:", "Management:" };
static const char *const plan_heads_held_out[] = { "Next steps:", "Disposition:" };

typedef struct {
  GRand           *rng;
  GString         *text;
  GArray          *spans;
  SalNoteTemplates templates;
} Builder;

static const Frame *
pick_frame (Builder *b, const Frame *frames, guint n)
{
  for (;;)
    {
      const Frame *f = &frames[g_rand_int_range (b->rng, 0, n)];
      if (f->held_out == (b->templates == SAL_NOTE_TEMPLATES_HELD_OUT))
        return f;
    }
}

static const char *
pick (Builder *b, const char *const *list, guint n)
{
  return list[g_rand_int_range (b->rng, 0, n)];
}

/* Copies `s`, sometimes swapping two adjacent letters of a longer word. */
static void
append_with_typos (Builder *b, const char *s)
{
  gsize start = b->text->len;

  g_string_append (b->text, s);
  for (gsize i = start + 1; i + 2 < b->text->len; i++)
    {
      char *t = b->text->str;
      if (g_ascii_isalpha (t[i]) && g_ascii_isalpha (t[i + 1]) && g_ascii_isalpha (t[i - 1]) &&
          g_rand_double (b->rng) < 0.004)
        {
          char c = t[i];
          t[i] = t[i + 1];
          t[i + 1] = c;
          i++;
        }
    }
}

static void
append_evidence_sentence (Builder *b, const char *frame, const char *phrase,
                          SalTriage level, gboolean negated)
{
  const char *hole = strstr (frame, "{}");
  SalEvidenceSpan span;
  g_autofree char *head = g_strndup (frame, hole - frame);

  if (b->text->len > 0)
    g_string_append_c (b->text, ' ');
  append_with_typos (b, head);
  span.start = (int) b->text->len;
  /* A phrase at the start of a sentence gets a capital letter. */
  if (hole == frame)
    {
      g_string_append_c (b->text, g_ascii_toupper (phrase[0]));
      g_string_append (b->text, phrase + 1);
    }
  else
    g_string_append (b->text, phrase);
  span.end = (int) b->text->len;
  span.level = level;
  span.negated = negated;
  g_array_append_val (b->spans, span);
  append_with_typos (b, hole + 2);
}

static void
append_sentence (Builder *b, const char *s)
{
  if (b->text->len > 0)
    g_string_append_c (b->text, ' ');
  append_with_typos (b, s);
}

const char *
sal_triage_id (SalTriage t)
{
  switch (t)
    {
    case SAL_TRIAGE_URGENT: return "urgent";
    case SAL_TRIAGE_EMERGENCY: return "emergency";
    case SAL_TRIAGE_ROUTINE:
    default: return "routine";
    }
}

static guint
pick_evidence (Builder *b, SalTriage level, guint avoid)
{
  for (;;)
    {
      guint i = g_rand_int_range (b->rng, 0, G_N_ELEMENTS (evidence));
      if (evidence[i].level == level && i != avoid)
        return i;
    }
}

static const char *
pick_form (Builder *b, const Evidence *e)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (e->forms) && e->forms[n] != NULL)
    n++;
  return e->forms[g_rand_int_range (b->rng, 0, n)];
}

SalGeneratedNote *
sal_note_generate (guint32 seed, SalNoteTemplates templates)
{
  Builder b = { g_rand_new_with_seed (seed), g_string_new (NULL),
                g_array_new (FALSE, FALSE, sizeof (SalEvidenceSpan)), templates };
  SalGeneratedNote *note = g_new0 (SalGeneratedNote, 1);
  gboolean held = templates == SAL_NOTE_TEMPLATES_HELD_OUT;
  SalTriage label = g_rand_int_range (b.rng, 0, SAL_TRIAGE_N);
  guint n_positive = label == SAL_TRIAGE_ROUTINE ? 0 : 1 + (g_rand_double (b.rng) < 0.35);
  guint n_negated = (g_rand_double (b.rng) < 0.6) + (g_rand_double (b.rng) < 0.25);
  guint used = G_MAXUINT;
  const Frame *opening = pick_frame (&b, openings, G_N_ELEMENTS (openings));
  int age = g_rand_int_range (b.rng, 18, 89);
  const char *sex = g_rand_boolean (b.rng) ? "woman" : "man";
  g_autofree char *open_text = NULL;
  /* Each sentence slot: 0 = history, 1 = exam. */
  int n_slots;

  note->seed = seed;
  {
    g_autoptr(GString) o = g_string_new (opening->frame);
    g_autofree char *age_text = g_strdup_printf ("%d", age);
    g_string_replace (o, "{age}", age_text, 1);
    g_string_replace (o, "{sex}", sex, 1);
    g_string_replace (o, "{reason}", pick (&b, routine_reasons, G_N_ELEMENTS (routine_reasons)), 1);
    open_text = g_string_free (g_steal_pointer (&o), FALSE);
  }
  append_with_typos (&b, open_text);

  n_slots = 2 + g_rand_int_range (b.rng, 0, 3);
  for (int s = 0; s < n_slots; s++)
    {
      if (s == n_slots / 2)
        {
          append_sentence (&b, held ? pick (&b, exam_heads_held_out, G_N_ELEMENTS (exam_heads_held_out))
                                    : pick (&b, exam_heads, G_N_ELEMENTS (exam_heads)));
          append_sentence (&b, pick (&b, exam_sentences, G_N_ELEMENTS (exam_sentences)));
        }
      if (n_positive > 0 && (g_rand_boolean (b.rng) || s >= n_slots - (int) n_positive))
        {
          /* The strongest evidence decides the label; a second phrase may be one level lower. */
          SalTriage lvl = label;
          guint e;
          if (n_positive == 1 && label == SAL_TRIAGE_EMERGENCY && g_rand_double (b.rng) < 0.3)
            lvl = SAL_TRIAGE_URGENT, n_positive++;  /* an extra, lower phrase */
          e = pick_evidence (&b, lvl, used);
          used = e;
          append_evidence_sentence (&b, pick_frame (&b, positive_frames, G_N_ELEMENTS (positive_frames))->frame,
                                    pick_form (&b, &evidence[e]), lvl, FALSE);
          n_positive--;
        }
      else if (n_negated > 0 && g_rand_boolean (b.rng))
        {
          /* Negated phrases may be of any level: they never count. */
          guint e = g_rand_int_range (b.rng, 0, G_N_ELEMENTS (evidence));
          append_evidence_sentence (&b, pick_frame (&b, negated_frames, G_N_ELEMENTS (negated_frames))->frame,
                                    evidence[e].negatable, evidence[e].level, TRUE);
          n_negated--;
        }
      else
        append_sentence (&b, pick (&b, distractors, G_N_ELEMENTS (distractors)));
    }
  /* Anything not placed yet goes last, before the plan. */
  while (n_positive > 0)
    {
      guint e = pick_evidence (&b, label, used);
      used = e;
      append_evidence_sentence (&b, pick_frame (&b, positive_frames, G_N_ELEMENTS (positive_frames))->frame,
                                pick_form (&b, &evidence[e]), label, FALSE);
      n_positive--;
    }

  append_sentence (&b, held ? pick (&b, plan_heads_held_out, G_N_ELEMENTS (plan_heads_held_out))
                            : pick (&b, plan_heads, G_N_ELEMENTS (plan_heads)));
  append_sentence (&b, pick (&b, plans, G_N_ELEMENTS (plans)));

  note->text = g_string_free (b.text, FALSE);
  note->spans = b.spans;
  /* The label is what the non-negated evidence says. */
  note->label = SAL_TRIAGE_ROUTINE;
  for (guint i = 0; i < note->spans->len; i++)
    {
      const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, i);
      if (!sp->negated && sp->level > note->label)
        note->label = sp->level;
    }
  g_rand_free (b.rng);
  return note;
}

void
sal_generated_note_free (SalGeneratedNote *note)
{
  if (note == NULL)
    return;
  g_free (note->text);
  g_array_unref (note->spans);
  g_free (note);
}
