/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Slow evaluation of explanations on the shipped models (figures of issue 6):
 * note triage — how often the top-3 tokens by Integrated Gradients fall in a
 * planted, non-negated evidence span of held-out urgent/emergency notes. */
#include <math.h>
#include <string.h>

#include "sal-engine.h"
#include "sal-explain.h"
#include "sal-model-input.h"
#include "sal-notegen.h"
#include "sal-tokenizer.h"

static gboolean
in_span (const SalGeneratedNote *note, const SalToken *tok)
{
  for (guint s = 0; s < note->spans->len; s++)
    {
      const SalEvidenceSpan *sp = &g_array_index (note->spans, SalEvidenceSpan, s);
      if (!sp->negated && sp->level == note->label && (int) tok->start >= sp->start &&
          (int) tok->end <= sp->end)
        return TRUE;
    }
  return FALSE;
}

static void
test_note_evidence (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SALIENT_SOURCE_DIR"), "data", "models",
                                            "note-triage.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SalModel) m = sal_model_load_file (path, NULL, &error);
  int n = 0, hit_any = 0, hit_tokens = 0, max_gap_bad = 0;
  double worst_gap = 0;

  g_assert_no_error (error);
  for (guint32 seed = 1000000; seed < 1001000 && n < 200; seed++)
    {
      g_autoptr(SalGeneratedNote) note = sal_note_generate (seed, SAL_NOTE_TEMPLATES_TRAIN);
      g_autoptr(GArray) toks = NULL;
      g_autoptr(SalTensor) x = NULL;
      g_autoptr(SalExplanation) e = NULL;
      SalExplainParams p;
      int top[3] = { -1, -1, -1 }, any = 0;
      guint T;

      if (note->label == SAL_TRIAGE_ROUTINE)
        continue;
      x = sal_model_input_from_text (m, note->text, &toks, &error);
      g_assert_no_error (error);
      sal_explain_params_init (&p, SAL_EXPLAIN_INTEGRATED_GRADIENTS);
      p.baseline = SAL_BASELINE_PAD;
      p.rule = SAL_IG_ADAPTIVE;
      p.target = note->label;
      p.check_steps = 0;
      e = sal_explain (m, x, &p, &error);
      g_assert_no_error (error);
      worst_gap = MAX (worst_gap, e->completeness_gap / fabs (e->score - e->baseline_score));
      max_gap_bad += e->completeness_gap > 0.01 * fabs (e->score - e->baseline_score);
      T = MIN (toks->len, (guint) x->dims[1]);
      for (int k = 0; k < 3; k++)
        for (guint t = 0; t < T; t++)
          {
            gboolean used = FALSE;
            for (int j = 0; j < k; j++)
              used |= top[j] == (int) t;
            if (!used && (top[k] < 0 || sal_tensor_f32 (e->attribution)[t] >
                                          sal_tensor_f32 (e->attribution)[top[k]]))
              top[k] = (int) t;
          }
      for (int k = 0; k < 3; k++)
        if (top[k] >= 0 && in_span (note, &g_array_index (toks, SalToken, top[k])))
          {
            any = 1;
            hit_tokens++;
          }
      hit_any += any;
      n++;
    }
  g_test_message ("note triage, %d held-out urgent/emergency notes: top-3 IG tokens hit a planted "
                  "span in %.1f%% of notes; %.1f%% of top-3 tokens lie in spans; completeness gap "
                  "> 1%% in %d notes (worst %.3f%%)", n, 100.0 * hit_any / n,
                  100.0 * hit_tokens / (3 * n), max_gap_bad, 100 * worst_gap);
  g_assert_cmpint (n, >=, 100);
  g_assert_cmpfloat ((double) hit_any / n, >=, 0.90);
  /* The uniform trapezoid misses 1 % on about a quarter of these notes (a
   * steep stretch of the GRU's path, engine/README.md); the adaptive rule
   * refines the grid there. */
  g_assert_cmpint (max_gap_bad, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sal_engine_init ();
  g_test_add_func ("/engine/explain-eval/note-evidence", test_note_evidence);
  return g_test_run ();
}
