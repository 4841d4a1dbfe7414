-- covers: DROP VIEW
-- expect: exact
-- SETUP
CREATE TABLE parents (id int PRIMARY KEY, name text);
CREATE TABLE children (id int PRIMARY KEY, parent_id int CONSTRAINT children_parent_fk REFERENCES parents (id));
INSERT INTO parents VALUES (1, 'p1'), (2, 'p2');
INSERT INTO children VALUES (10, 1), (11, 2);
CREATE VIEW named_parents AS SELECT id, name FROM parents WHERE name IS NOT NULL;
CREATE VIEW parent_counts AS SELECT p.id, count(c.id) AS n FROM named_parents p LEFT JOIN children c ON c.parent_id = p.id GROUP BY p.id;
-- UP
DROP VIEW named_parents CASCADE;
DROP TABLE parents CASCADE;
