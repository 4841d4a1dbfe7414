-- An app schema with triggers, as SQLite users write it.
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS "users" (
  id INTEGER PRIMARY KEY,
  [display name] TEXT NOT NULL DEFAULT 'anon;',
  `updated` TEXT
);

CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);

CREATE TRIGGER users_touch AFTER UPDATE ON users
WHEN old."display name" IS NOT new."display name"
BEGIN
  UPDATE users SET updated = datetime('now') WHERE id = new.id;
  INSERT INTO audit (what) VALUES (CASE WHEN new.id > 0 THEN 'rename;' ELSE 'odd' END);
END;

CREATE TEMPORARY TRIGGER IF NOT EXISTS audit_guard BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit is append-only; sorry');
END;

/* block comment; not a statement */
INSERT INTO users ([display name]) VALUES ('Zoë 😀');
VACUUM;
