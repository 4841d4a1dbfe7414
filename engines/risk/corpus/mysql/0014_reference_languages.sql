-- Reference data: languages (ISO 639-1) for the locale picker.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE TABLE IF NOT EXISTS languages (
  code CHAR(2) NOT NULL PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO languages (code, name) VALUES ('ar', 'Arabic');
INSERT INTO languages (code, name) VALUES ('bg', 'Bulgarian');
INSERT INTO languages (code, name) VALUES ('ca', 'Catalan');
INSERT INTO languages (code, name) VALUES ('cs', 'Czech');
INSERT INTO languages (code, name) VALUES ('da', 'Danish');
INSERT INTO languages (code, name) VALUES ('de', 'German');
INSERT INTO languages (code, name) VALUES ('el', 'Greek');
INSERT INTO languages (code, name) VALUES ('en', 'English');
INSERT INTO languages (code, name) VALUES ('es', 'Spanish');
INSERT INTO languages (code, name) VALUES ('et', 'Estonian');
INSERT INTO languages (code, name) VALUES ('fa', 'Persian');
INSERT INTO languages (code, name) VALUES ('fi', 'Finnish');
INSERT INTO languages (code, name) VALUES ('fr', 'French');
INSERT INTO languages (code, name) VALUES ('ga', 'Irish');
INSERT INTO languages (code, name) VALUES ('he', 'Hebrew');
INSERT INTO languages (code, name) VALUES ('hi', 'Hindi');
INSERT INTO languages (code, name) VALUES ('hr', 'Croatian');
INSERT INTO languages (code, name) VALUES ('hu', 'Hungarian');
INSERT INTO languages (code, name) VALUES ('id', 'Indonesian');
INSERT INTO languages (code, name) VALUES ('is', 'Icelandic');
INSERT INTO languages (code, name) VALUES ('it', 'Italian');
INSERT INTO languages (code, name) VALUES ('ja', 'Japanese');
INSERT INTO languages (code, name) VALUES ('ko', 'Korean');
INSERT INTO languages (code, name) VALUES ('lt', 'Lithuanian');
INSERT INTO languages (code, name) VALUES ('lv', 'Latvian');
INSERT INTO languages (code, name) VALUES ('ms', 'Malay');
INSERT INTO languages (code, name) VALUES ('mt', 'Maltese');
INSERT INTO languages (code, name) VALUES ('nb', 'Norwegian Bokmål');
INSERT INTO languages (code, name) VALUES ('nl', 'Dutch');
INSERT INTO languages (code, name) VALUES ('pl', 'Polish');
INSERT INTO languages (code, name) VALUES ('pt', 'Portuguese');
INSERT INTO languages (code, name) VALUES ('ro', 'Romanian');
INSERT INTO languages (code, name) VALUES ('ru', 'Russian');
INSERT INTO languages (code, name) VALUES ('sk', 'Slovak');
INSERT INTO languages (code, name) VALUES ('sl', 'Slovenian');
INSERT INTO languages (code, name) VALUES ('sr', 'Serbian');
INSERT INTO languages (code, name) VALUES ('sv', 'Swedish');
INSERT INTO languages (code, name) VALUES ('th', 'Thai');
INSERT INTO languages (code, name) VALUES ('tr', 'Turkish');
INSERT INTO languages (code, name) VALUES ('uk', 'Ukrainian');
INSERT INTO languages (code, name) VALUES ('vi', 'Vietnamese');
INSERT INTO languages (code, name) VALUES ('zh', 'Chinese');
UPDATE languages SET enabled = 1 WHERE code IN ('de', 'en', 'fr', 'es', 'it');
