-- Make notes.title NOT NULL-safe and add a check: SQLite's table rebuild, rows copied first.
UPDATE notes SET title = '' WHERE title IS NULL AND id BETWEEN 1 AND 100000;

CREATE TABLE IF NOT EXISTS notes_new (
  id INTEGER PRIMARY KEY,
  notebook_id INTEGER NOT NULL REFERENCES notebooks (id),
  title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 500),
  body TEXT NOT NULL DEFAULT '',
  pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  archived_at TEXT
) STRICT;

INSERT INTO notes_new (id, notebook_id, title, body, pinned, updated_at, archived_at)
  SELECT id, notebook_id, title, body, pinned, updated_at, archived_at FROM notes;

DROP TABLE notes;

ALTER TABLE notes_new RENAME TO notes;

CREATE INDEX IF NOT EXISTS ix_notes_notebook ON notes (notebook_id, updated_at);
CREATE INDEX IF NOT EXISTS ix_notes_archived ON notes (archived_at) WHERE archived_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_notes_pinned ON notes (notebook_id) WHERE pinned = 1;
