-- Indexes for the search and archive views.
CREATE INDEX IF NOT EXISTS ix_notes_archived ON notes (archived_at) WHERE archived_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_notes_pinned ON notes (notebook_id) WHERE pinned = 1;
CREATE INDEX IF NOT EXISTS ix_accounts_created ON accounts (created_at);
DROP INDEX IF EXISTS ix_accounts_created;
