-- covers: ADD CONSTRAINT
-- expect: exact
-- SETUP
CREATE TABLE tags (name text NOT NULL, weight int);
INSERT INTO tags VALUES ('a', 1), ('b', 2);
-- UP
ALTER TABLE tags ADD PRIMARY KEY (name);
