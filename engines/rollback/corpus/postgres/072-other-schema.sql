-- covers: DROP TABLE, RENAME TABLE
-- expect: exact
-- SETUP
CREATE SCHEMA IF NOT EXISTS c_072_other_schema_app;
CREATE TABLE c_072_other_schema_app.accounts (id int PRIMARY KEY, owner text);
INSERT INTO c_072_other_schema_app.accounts VALUES (1, 'x');
CREATE TABLE pins (id int PRIMARY KEY);
INSERT INTO pins VALUES (1), (2);
-- UP
ALTER TABLE pins RENAME TO pins_old;
DROP TABLE pins_old;
