/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Markdown subset of model cards: block structure and inline tags. */
#include "config.h"

#include "sal-markdown-view.h"
#include "sal-ui-test.h"

static gboolean
has_tag_at (GtkTextBuffer *buffer, const char *needle, const char *tag_name)
{
  GtkTextIter start, match_start, match_end;
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, needle, 0, &match_start, &match_end,
                                               NULL));
  return gtk_text_iter_has_tag (&match_start, tag);
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter a, b;
  gtk_text_buffer_get_bounds (buffer, &a, &b);
  return gtk_text_buffer_get_text (buffer, &a, &b, FALSE);
}

static void
test_blocks_inline (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autofree char *text = NULL;

  sal_markdown_render (buffer,
                       "# Breast-mass risk\n"
                       "\n"
                       "A **demonstration** model,\n"
                       "not for *diagnosis*.\n"
                       "\n"
                       "## Data\n"
                       "- 569 cases\n"
                       "* features in `mm`\n"
                       "1. first\n"
                       "\n"
                       "snake_case_name stays plain\n");
  text = buffer_text (buffer);
  g_assert_cmpstr (text, ==,
                   "Breast-mass risk\n"
                   "A demonstration model, not for diagnosis.\n"
                   "Data\n"
                   "•  569 cases\n"
                   "•  features in mm\n"
                   "1.  first\n"
                   "\n"
                   "snake_case_name stays plain");
  g_assert_true (has_tag_at (buffer, "Breast-mass", "h1"));
  g_assert_true (has_tag_at (buffer, "Data", "h2"));
  g_assert_true (has_tag_at (buffer, "demonstration", "strong"));
  g_assert_false (has_tag_at (buffer, "model,", "strong"));
  g_assert_true (has_tag_at (buffer, "diagnosis", "em"));
  g_assert_true (has_tag_at (buffer, "mm", "code"));
  g_assert_true (has_tag_at (buffer, "569", "bullet"));
  g_assert_false (has_tag_at (buffer, "case_name", "em"));

  /* Rendering again replaces the content; an unclosed marker stays literal. */
  sal_markdown_render (buffer, "**open and `tick");
  g_free (text);
  text = buffer_text (buffer);
  g_assert_cmpstr (text, ==, "**open and `tick");
  sal_markdown_render (buffer, NULL);
  g_free (text);
  text = buffer_text (buffer);
  g_assert_cmpstr (text, ==, "");
}

/* Tables become aligned monospace rows (header bold, no separator row); an indented
 * line after a list item continues the item. */
static void
test_table_continuation (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  g_autofree char *text = NULL;

  sal_markdown_render (buffer,
                       "## Metrics\n"
                       "| metric | value |\n"
                       "|---|---:|\n"
                       "| accuracy | 0.975 |\n"
                       "| roc_auc_mean | 0.99 |\n"
                       "\n"
                       "- one centre and one\n"
                       "  imaging set-up\n"
                       "- not a device\n");
  text = buffer_text (buffer);
  g_assert_cmpstr (text, ==,
                   "Metrics\n"
                   "metric         value\n"
                   "accuracy       0.975\n"
                   "roc_auc_mean   0.99\n"
                   "•  one centre and one imaging set-up\n"
                   "•  not a device");
  g_assert_true (has_tag_at (buffer, "metric ", "table"));
  g_assert_true (has_tag_at (buffer, "metric ", "table-head"));
  g_assert_false (has_tag_at (buffer, "accuracy", "table-head"));
  g_assert_true (has_tag_at (buffer, "imaging", "bullet"));
}

int
main (int argc, char **argv)
{
  if (!sal_ui_test_init (&argc, &argv))
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }
  g_test_add_func ("/ui/markdown/blocks-inline", test_blocks_inline);
  g_test_add_func ("/ui/markdown/table-continuation", test_table_continuation);
  return g_test_run ();
}
