/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include "sal-notegen.h"

static void
test_deterministic (void)
{
  g_autoptr(SalGeneratedNote) a = sal_note_generate (7, SAL_NOTE_TEMPLATES_TRAIN);
  g_autoptr(SalGeneratedNote) b = sal_note_generate (7, SAL_NOTE_TEMPLATES_TRAIN);

  g_assert_cmpstr (a->text, ==, b->text);
  g_assert_cmpint (a->label, ==, b->label);
  g_assert_cmpuint (a->spans->len, ==, b->spans->len);
}

static void
test_labels_follow_evidence (void)
{
  int counts[SAL_TRIAGE_N] = { 0 };
  int red_flags = 0, negated = 0, total = 3000;

  for (int s = 0; s < total; s++)
    {
      g_autoptr(SalGeneratedNote) n = sal_note_generate (s, s % 2 ? SAL_NOTE_TEMPLATES_TRAIN : SAL_NOTE_TEMPLATES_HELD_OUT);
      SalTriage strongest = SAL_TRIAGE_ROUTINE;
      int last_end = 0;

      g_assert_true (g_utf8_validate (n->text, -1, NULL));
      counts[n->label]++;
      for (guint i = 0; i < n->spans->len; i++)
        {
          const SalEvidenceSpan *sp = &g_array_index (n->spans, SalEvidenceSpan, i);
          g_assert_cmpint (sp->start, >=, last_end);
          g_assert_cmpint (sp->end, >, sp->start);
          g_assert_cmpint (sp->end, <=, (int) strlen (n->text));
          last_end = sp->end;
          if (sp->level > SAL_TRIAGE_ROUTINE)
            {
              red_flags++;
              negated += sp->negated;
            }
          if (!sp->negated && sp->level > strongest)
            strongest = sp->level;
        }
      g_assert_cmpint (strongest, ==, n->label);
    }
  /* Classes roughly balanced; at least 20% of red-flag phrases negated. */
  for (int c = 0; c < SAL_TRIAGE_N; c++)
    g_assert_cmpint (counts[c], >, total / 5);
  g_assert_cmpfloat ((double) negated / red_flags, >=, 0.20);
  g_test_message ("routine %d, urgent %d, emergency %d; %d of %d evidence phrases negated",
                  counts[0], counts[1], counts[2], negated, red_flags);
}

/* Held-out notes use sentence frames never seen in training notes. */
static void
test_held_out_frames_disjoint (void)
{
  const char *held_only[] = { "Arrived by ambulance with", "Main concern is", "Relative called because of",
                              "Has not had any", "Without ", "Disposition:", "Next steps:" };
  gboolean seen_held[G_N_ELEMENTS (held_only)] = { FALSE };

  for (int s = 0; s < 2000; s++)
    {
      g_autoptr(SalGeneratedNote) t = sal_note_generate (s, SAL_NOTE_TEMPLATES_TRAIN);
      g_autoptr(SalGeneratedNote) h = sal_note_generate (s, SAL_NOTE_TEMPLATES_HELD_OUT);
      for (guint i = 0; i < G_N_ELEMENTS (held_only); i++)
        {
          g_assert_null (strstr (t->text, held_only[i]));
          seen_held[i] |= strstr (h->text, held_only[i]) != NULL;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (held_only); i++)
    g_assert_true (seen_held[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app/notegen/deterministic", test_deterministic);
  g_test_add_func ("/app/notegen/labels-follow-evidence", test_labels_follow_evidence);
  g_test_add_func ("/app/notegen/held-out-frames", test_held_out_frames_disjoint);
  return g_test_run ();
}
