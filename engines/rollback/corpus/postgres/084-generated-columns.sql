-- covers: DELETE, DROP TABLE, DROP COLUMN
-- expect: exact
-- SETUP
CREATE TABLE prices (id int PRIMARY KEY, net numeric(10,2) NOT NULL, gross numeric(10,2) GENERATED ALWAYS AS (net * 1.2) STORED, label text);
INSERT INTO prices (id, net, label) VALUES (1, 10, 'a'), (2, 20.5, 'b'), (3, 0, NULL);
CREATE TABLE snapshots (id int PRIMARY KEY, n int, doubled int GENERATED ALWAYS AS (n * 2) STORED);
INSERT INTO snapshots (id, n) VALUES (1, 1), (2, 2);
-- UP
DELETE FROM prices WHERE net > 15;
DROP TABLE snapshots;
ALTER TABLE prices DROP COLUMN label;
ALTER TABLE prices DROP COLUMN gross;
