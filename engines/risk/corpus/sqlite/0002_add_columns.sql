-- Optional columns: nullable, or NOT NULL with a constant default.
ALTER TABLE accounts ADD COLUMN locale TEXT;
ALTER TABLE notes ADD COLUMN archived_at TEXT;
ALTER TABLE notebooks ADD COLUMN color TEXT NOT NULL DEFAULT 'gray';
ALTER TABLE tags ADD COLUMN color TEXT;
