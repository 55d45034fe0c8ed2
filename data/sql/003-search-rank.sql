-- SPDX-License-Identifier: GPL-3.0-or-later
-- Faster search: prefix indexes for the 2- and 3-character starts of words (the last word
-- of a query is a prefix), and BM25 ranking with a note's title weighing twice its body
-- configured as the table's rank, so "ORDER BY rank" is sorted inside FTS5 and a LIMIT
-- stops early. The triggers of 002 find the new tables by name.
DROP TABLE notes_fts;
CREATE VIRTUAL TABLE notes_fts USING fts5 (
  title, body,
  content = 'notes', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
INSERT INTO notes_fts (notes_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0)');

DROP TABLE cases_fts;
CREATE VIRTUAL TABLE cases_fts USING fts5 (
  pseudonym, title,
  content = 'cases', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
