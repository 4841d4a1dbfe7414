-- covers: RENAME TABLE
-- expect: exact
-- SETUP
CREATE SCHEMA IF NOT EXISTS c_085_set_schema_archive;
CREATE TABLE old_orders (id int PRIMARY KEY, cents int);
INSERT INTO old_orders VALUES (1, 100), (2, 200);
-- UP
ALTER TABLE old_orders SET SCHEMA c_085_set_schema_archive;
DELETE FROM c_085_set_schema_archive.old_orders WHERE id = 2;
