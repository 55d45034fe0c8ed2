-- SPDX-License-Identifier: GPL-3.0-or-later
-- Full-text search over notes and case titles: FTS5 external-content tables kept in step
-- by triggers. The purge runs the 'optimize' command so deleted words leave the index.

CREATE VIRTUAL TABLE notes_fts USING fts5 (
  title, body,
  content = 'notes', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes
BEGIN
  INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes
BEGIN
  INSERT INTO notes_fts (notes_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body ON notes
BEGIN
  INSERT INTO notes_fts (notes_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE VIRTUAL TABLE cases_fts USING fts5 (
  pseudonym, title,
  content = 'cases', content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
BEGIN
  INSERT INTO cases_fts (rowid, pseudonym, title) VALUES (new.id, new.pseudonym, new.title);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases
BEGIN
  INSERT INTO cases_fts (cases_fts, rowid, pseudonym, title)
    VALUES ('delete', old.id, old.pseudonym, old.title);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF pseudonym, title ON cases
BEGIN
  INSERT INTO cases_fts (cases_fts, rowid, pseudonym, title)
    VALUES ('delete', old.id, old.pseudonym, old.title);
  INSERT INTO cases_fts (rowid, pseudonym, title) VALUES (new.id, new.pseudonym, new.title);
END;

INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');
INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
