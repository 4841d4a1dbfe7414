-- covers: UPDATE
-- expect: irreversible
-- allow-no-backup
-- SETUP
CREATE TABLE events (kind text, n int);
INSERT INTO events VALUES ('a', 1), ('b', 2);
-- UP
UPDATE events SET n = n + 1;
