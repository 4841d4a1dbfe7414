-- Reference data: the locales the app is translated into.
CREATE TABLE IF NOT EXISTS locales (
  code TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

INSERT INTO locales (code, name) VALUES ('ar', 'Arabic');
INSERT INTO locales (code, name) VALUES ('bg', 'Bulgarian');
INSERT INTO locales (code, name) VALUES ('ca', 'Catalan');
INSERT INTO locales (code, name) VALUES ('cs', 'Czech');
INSERT INTO locales (code, name) VALUES ('da', 'Danish');
INSERT INTO locales (code, name) VALUES ('de', 'German');
INSERT INTO locales (code, name) VALUES ('el', 'Greek');
INSERT INTO locales (code, name) VALUES ('en', 'English');
INSERT INTO locales (code, name) VALUES ('es', 'Spanish');
INSERT INTO locales (code, name) VALUES ('et', 'Estonian');
INSERT INTO locales (code, name) VALUES ('fa', 'Persian');
INSERT INTO locales (code, name) VALUES ('fi', 'Finnish');
INSERT INTO locales (code, name) VALUES ('fr', 'French');
INSERT INTO locales (code, name) VALUES ('ga', 'Irish');
INSERT INTO locales (code, name) VALUES ('he', 'Hebrew');
INSERT INTO locales (code, name) VALUES ('hi', 'Hindi');
INSERT INTO locales (code, name) VALUES ('hr', 'Croatian');
INSERT INTO locales (code, name) VALUES ('hu', 'Hungarian');
INSERT INTO locales (code, name) VALUES ('id', 'Indonesian');
INSERT INTO locales (code, name) VALUES ('is', 'Icelandic');
INSERT INTO locales (code, name) VALUES ('it', 'Italian');
INSERT INTO locales (code, name) VALUES ('ja', 'Japanese');
INSERT INTO locales (code, name) VALUES ('ko', 'Korean');
INSERT INTO locales (code, name) VALUES ('lt', 'Lithuanian');
INSERT INTO locales (code, name) VALUES ('lv', 'Latvian');
INSERT INTO locales (code, name) VALUES ('ms', 'Malay');
INSERT INTO locales (code, name) VALUES ('mt', 'Maltese');
INSERT INTO locales (code, name) VALUES ('nb', 'Norwegian Bokmål');
INSERT INTO locales (code, name) VALUES ('nl', 'Dutch');
INSERT INTO locales (code, name) VALUES ('pl', 'Polish');
INSERT INTO locales (code, name) VALUES ('pt', 'Portuguese');
INSERT INTO locales (code, name) VALUES ('ro', 'Romanian');
INSERT INTO locales (code, name) VALUES ('ru', 'Russian');
INSERT INTO locales (code, name) VALUES ('sk', 'Slovak');
INSERT INTO locales (code, name) VALUES ('sl', 'Slovenian');
INSERT INTO locales (code, name) VALUES ('sr', 'Serbian');
INSERT INTO locales (code, name) VALUES ('sv', 'Swedish');
INSERT INTO locales (code, name) VALUES ('th', 'Thai');
INSERT INTO locales (code, name) VALUES ('tr', 'Turkish');
INSERT INTO locales (code, name) VALUES ('uk', 'Ukrainian');
INSERT INTO locales (code, name) VALUES ('vi', 'Vietnamese');
INSERT INTO locales (code, name) VALUES ('zh', 'Chinese');
UPDATE locales SET enabled = 1 WHERE code IN ('de', 'en', 'fr', 'es', 'it');
