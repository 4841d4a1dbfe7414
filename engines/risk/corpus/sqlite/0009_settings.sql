-- Application settings, one row each.
CREATE TABLE IF NOT EXISTS settings (
  name TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO settings (name, value) VALUES ('sync.interval_seconds', '300') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('sync.enabled', '1') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('export.format', 'markdown') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('editor.font', 'system') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('editor.spellcheck', '1') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('trash.retention_days', '30') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('search.fuzzy', '1') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('backup.enabled', '1') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('backup.keep', '7') ON CONFLICT (name) DO NOTHING;
INSERT INTO settings (name, value) VALUES ('ui.theme', 'auto') ON CONFLICT (name) DO NOTHING;
