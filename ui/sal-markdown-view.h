/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A tiny Markdown subset for model cards, shown in a GtkTextView with tags:
 * "# ", "## ", "### " headings, "- " / "* " / "1. " list items, **strong**,
 * *emphasis* / _emphasis_, `code`, blank lines between paragraphs. Anything else is
 * shown as the text it is. Replaces the buffer's content; tags are created once per
 * buffer ("h1", "h2", "h3", "bullet", "strong", "em", "code"). */
void       sal_markdown_render   (GtkTextBuffer *buffer,
                                  const char    *markdown);

/* A read-only, word-wrapped text view showing @markdown. */
GtkWidget *sal_markdown_view_new (const char *markdown);

G_END_DECLS
