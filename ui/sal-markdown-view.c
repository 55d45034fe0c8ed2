/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sal-ui"

#include "config.h"

#include <string.h>

#include "sal-markdown-view.h"

static void
ensure_tags (GtkTextBuffer *buffer)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);

  if (gtk_text_tag_table_lookup (table, "h1") != NULL)
    return;
  gtk_text_buffer_create_tag (buffer, "h1", "weight", PANGO_WEIGHT_BOLD, "scale", 1.5,
                              "pixels-above-lines", 8, "pixels-below-lines", 4, NULL);
  gtk_text_buffer_create_tag (buffer, "h2", "weight", PANGO_WEIGHT_BOLD, "scale", 1.25,
                              "pixels-above-lines", 8, "pixels-below-lines", 2, NULL);
  gtk_text_buffer_create_tag (buffer, "h3", "weight", PANGO_WEIGHT_BOLD, "scale", 1.1,
                              "pixels-above-lines", 6, NULL);
  gtk_text_buffer_create_tag (buffer, "bullet", "left-margin", 24, "indent", -14, NULL);
  gtk_text_buffer_create_tag (buffer, "strong", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "em", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buffer, "code", "family", "monospace", NULL);
  gtk_text_buffer_create_tag (buffer, "table", "family", "monospace", "left-margin", 12,
                              "wrap-mode", GTK_WRAP_NONE, NULL);
  gtk_text_buffer_create_tag (buffer, "table-head", "weight", PANGO_WEIGHT_BOLD, NULL);
}

/* A table row's cells ("| a | b |"), trimmed. */
static GStrv
table_cells (const char *line)
{
  g_autofree char *inner = g_strdup (line + 1);
  gsize len = strlen (inner);
  GStrv cells;

  if (len > 0 && inner[len - 1] == '|')
    inner[len - 1] = '\0';
  cells = g_strsplit (inner, "|", -1);
  for (guint i = 0; cells[i] != NULL; i++)
    g_strstrip (cells[i]);
  return cells;
}

/* "|---|:--:|" */
static gboolean
is_separator_row (GStrv cells)
{
  for (guint i = 0; cells[i] != NULL; i++)
    for (const char *c = cells[i]; *c != '\0'; c++)
      if (*c != '-' && *c != ':')
        return FALSE;
  return cells[0] != NULL;
}

/* Lines i.. that start with '|', as aligned monospace rows (GTK has no table in a text
 * view); the first row is the header. Returns the index of the last table line. */
static guint
insert_table (GtkTextBuffer *buffer, GtkTextIter *iter, GStrv lines, guint i)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GArray) widths = g_array_new (FALSE, TRUE, sizeof (glong));
  guint last = i;

  for (; lines[last] != NULL; last++)
    {
      const char *l = lines[last];
      GStrv cells;

      while (*l == ' ')
        l++;
      if (*l != '|')
        break;
      cells = table_cells (l);
      if (is_separator_row (cells))
        {
          g_strfreev (cells);
          continue;
        }
      for (guint c = 0; cells[c] != NULL; c++)
        {
          glong w = g_utf8_strlen (cells[c], -1);
          if (c >= widths->len)
            g_array_set_size (widths, c + 1);
          g_array_index (widths, glong, c) = MAX (g_array_index (widths, glong, c), w);
        }
      g_ptr_array_add (rows, cells);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      GStrv cells = g_ptr_array_index (rows, r);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint c = 0; cells[c] != NULL; c++)
        {
          glong pad = g_array_index (widths, glong, c) - g_utf8_strlen (cells[c], -1);
          g_string_append (text, cells[c]);
          if (cells[c + 1] != NULL)
            for (glong k = 0; k < pad + 3; k++)
              g_string_append_c (text, ' ');
        }
      if (r > 0)
        gtk_text_buffer_insert (buffer, iter, "\n", -1);
      gtk_text_buffer_insert_with_tags_by_name (buffer, iter, text->str, -1, "table",
                                                r == 0 ? "table-head" : NULL, NULL);
    }
  return last - 1;
}

/* Inserts one line's inline spans (**strong**, *em*, _em_, `code`) with the block tag. */
static void
insert_inline (GtkTextBuffer *buffer, GtkTextIter *iter, const char *text, const char *block)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *marker = NULL;
      const char *tag = NULL;
      gsize mlen = 0;
      const char *end;

      if (g_str_has_prefix (p, "**"))
        marker = "**", tag = "strong", mlen = 2;
      else if (*p == '`')
        marker = "`", tag = "code", mlen = 1;
      else if ((*p == '*' || *p == '_') && p[1] != ' ' && p[1] != '\0'
               && (p == text || !g_ascii_isalnum (p[-1])))
        marker = *p == '*' ? "*" : "_", tag = "em", mlen = 1;

      end = marker != NULL ? strstr (p + mlen, marker) : NULL;
      if (end != NULL && end > p + mlen)
        {
          g_autofree char *span = g_strndup (p + mlen, end - p - mlen);
          gtk_text_buffer_insert_with_tags_by_name (buffer, iter, span, -1, tag, block, NULL);
          p = end + mlen;
          continue;
        }
      {
        /* Plain text up to the next possible marker. */
        const char *q = p + 1;
        g_autofree char *plain = NULL;

        while (*q != '\0' && *q != '*' && *q != '_' && *q != '`')
          q++;
        plain = g_strndup (p, q - p);
        gtk_text_buffer_insert_with_tags_by_name (buffer, iter, plain, -1, block, NULL);
        p = q;
      }
    }
}

void
sal_markdown_render (GtkTextBuffer *buffer, const char *markdown)
{
  g_auto(GStrv) lines = NULL;
  GtkTextIter iter;
  gboolean blank = FALSE;
  gboolean prev_block = FALSE;
  gboolean prev_heading = FALSE;
  gboolean prev_bullet = FALSE;

  g_return_if_fail (GTK_IS_TEXT_BUFFER (buffer));
  ensure_tags (buffer);
  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_text_buffer_get_end_iter (buffer, &iter);
  if (markdown == NULL)
    return;
  lines = g_strsplit (markdown, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);
      const char *rest = line;
      const char *block = NULL;
      g_autofree char *prefix = NULL;

      while (*rest == ' ')
        rest++;
      if (*rest == '\0')
        {
          blank = TRUE;
          continue;
        }
      if (*rest == '|')
        {
          if (gtk_text_buffer_get_char_count (buffer) > 0)
            gtk_text_buffer_insert (buffer, &iter, blank && !prev_heading ? "\n\n" : "\n", -1);
          i = insert_table (buffer, &iter, lines, i);
          blank = FALSE;
          prev_block = TRUE;
          prev_heading = prev_bullet = FALSE;
          continue;
        }
      /* An indented line right after a list item continues it. */
      if (prev_bullet && !blank && rest - line >= 2)
        {
          gtk_text_buffer_insert (buffer, &iter, " ", -1);
          insert_inline (buffer, &iter, rest, "bullet");
          continue;
        }
      if (g_str_has_prefix (rest, "### "))
        block = "h3", rest += 4;
      else if (g_str_has_prefix (rest, "## "))
        block = "h2", rest += 3;
      else if (g_str_has_prefix (rest, "# "))
        block = "h1", rest += 2;
      else if (g_str_has_prefix (rest, "- ") || g_str_has_prefix (rest, "* "))
        block = "bullet", rest += 2, prefix = g_strdup ("•  ");
      else if (g_ascii_isdigit (*rest))
        {
          const char *d = rest;
          while (g_ascii_isdigit (*d))
            d++;
          if (d[0] == '.' && d[1] == ' ')
            {
              prefix = g_strdup_printf ("%.*s.  ", (int) (d - rest), rest);
              block = "bullet";
              rest = d + 2;
            }
        }

      /* Lines of one paragraph join with a space; a blank line between paragraphs
       * leaves an empty line; headings and list items start their own line. */
      if (gtk_text_buffer_get_char_count (buffer) > 0)
        {
          const char *sep = " ";
          if (block != NULL || prev_block)
            sep = "\n";
          if (blank && block == NULL && !prev_heading)
            sep = "\n\n";
          gtk_text_buffer_insert (buffer, &iter, sep, -1);
        }
      blank = FALSE;
      if (prefix != NULL)
        gtk_text_buffer_insert_with_tags_by_name (buffer, &iter, prefix, -1, block, NULL);
      insert_inline (buffer, &iter, rest, block);
      prev_block = block != NULL;
      prev_heading = block != NULL && block[0] == 'h';
      prev_bullet = g_strcmp0 (block, "bullet") == 0;
    }
}

GtkWidget *
sal_markdown_view_new (const char *markdown)
{
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  sal_markdown_render (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), markdown);
  return view;
}
