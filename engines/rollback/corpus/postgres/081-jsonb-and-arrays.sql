-- covers: DELETE, DROP COLUMN
-- expect: exact
-- SETUP
CREATE TABLE docs (id int PRIMARY KEY, body jsonb, tags text[], at timestamptz);
INSERT INTO docs VALUES (1, '{"a": [1, 2, {"b": null}]}', '{x,y}', '2026-02-03 04:05:06.789+02'), (2, NULL, '{}', NULL), (3, '"str"', '{"with space",NULL}', 'infinity');
-- UP
DELETE FROM docs WHERE id = 3;
ALTER TABLE docs DROP COLUMN at;
ALTER TABLE docs DROP COLUMN tags;
