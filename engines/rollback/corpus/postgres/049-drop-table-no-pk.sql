-- covers: DROP TABLE
-- expect: exact
-- SETUP
CREATE TABLE events (kind text, payload jsonb);
INSERT INTO events VALUES ('a', '{"x": 1}'), ('a', '{"x": 1}'), ('b', NULL);
-- UP
DROP TABLE events;
