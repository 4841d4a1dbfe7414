-- Reference data: note templates shown in the new-note dialog.
CREATE TABLE IF NOT EXISTS templates (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  locale TEXT NOT NULL REFERENCES locales (code),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX IF NOT EXISTS ix_templates_locale ON templates (locale, kind);

INSERT INTO templates (kind, locale, title, body) VALUES ('meeting', 'en', 'Meeting (en)', '# Meeting\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('meeting', 'de', 'Meeting (de)', '# Meeting\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('meeting', 'fr', 'Meeting (fr)', '# Meeting\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('meeting', 'es', 'Meeting (es)', '# Meeting\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('meeting', 'it', 'Meeting (it)', '# Meeting\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('journal', 'en', 'Journal (en)', '# Journal\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('journal', 'de', 'Journal (de)', '# Journal\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('journal', 'fr', 'Journal (fr)', '# Journal\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('journal', 'es', 'Journal (es)', '# Journal\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('journal', 'it', 'Journal (it)', '# Journal\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('todo', 'en', 'Todo (en)', '# Todo\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('todo', 'de', 'Todo (de)', '# Todo\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('todo', 'fr', 'Todo (fr)', '# Todo\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('todo', 'es', 'Todo (es)', '# Todo\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('todo', 'it', 'Todo (it)', '# Todo\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('recipe', 'en', 'Recipe (en)', '# Recipe\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('recipe', 'de', 'Recipe (de)', '# Recipe\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('recipe', 'fr', 'Recipe (fr)', '# Recipe\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('recipe', 'es', 'Recipe (es)', '# Recipe\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('recipe', 'it', 'Recipe (it)', '# Recipe\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('book', 'en', 'Book (en)', '# Book\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('book', 'de', 'Book (de)', '# Book\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('book', 'fr', 'Book (fr)', '# Book\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('book', 'es', 'Book (es)', '# Book\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('book', 'it', 'Book (it)', '# Book\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('project', 'en', 'Project (en)', '# Project\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('project', 'de', 'Project (de)', '# Project\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('project', 'fr', 'Project (fr)', '# Project\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('project', 'es', 'Project (es)', '# Project\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('project', 'it', 'Project (it)', '# Project\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('travel', 'en', 'Travel (en)', '# Travel\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('travel', 'de', 'Travel (de)', '# Travel\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('travel', 'fr', 'Travel (fr)', '# Travel\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('travel', 'es', 'Travel (es)', '# Travel\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('travel', 'it', 'Travel (it)', '# Travel\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('idea', 'en', 'Idea (en)', '# Idea\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('idea', 'de', 'Idea (de)', '# Idea\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('idea', 'fr', 'Idea (fr)', '# Idea\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('idea', 'es', 'Idea (es)', '# Idea\n');
INSERT INTO templates (kind, locale, title, body) VALUES ('idea', 'it', 'Idea (it)', '# Idea\n');
