-- covers: DROP TYPE
-- expect: exact
-- SETUP
CREATE DOMAIN percent AS numeric(5,2) DEFAULT 0 NOT NULL CHECK (VALUE >= 0 AND VALUE <= 100);
CREATE TYPE point3 AS (x int, y int, "Z" text);
-- UP
DROP DOMAIN percent;
DROP TYPE point3;
