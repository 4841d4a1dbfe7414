-- covers: DELETE
-- expect: exact
-- SETUP
CREATE TABLE events (kind text, n int);
INSERT INTO events VALUES ('a', 1), ('a', 1), ('b', 2);
-- UP
DELETE FROM events WHERE kind = 'a';
