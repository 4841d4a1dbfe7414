-- covers: CREATE TABLE, DELETE, UPDATE, DROP COLUMN
-- expect: exact
-- SETUP
CREATE TABLE "Order Lines" ("Line Id" int PRIMARY KEY, "Qty;" int NOT NULL, "Note ""q""" text);
INSERT INTO "Order Lines" VALUES (1, 2, $$it's$$), (2, 5, NULL), (3, 9, 'ü');
-- UP
DELETE FROM "Order Lines" WHERE "Qty;" > 8;
UPDATE "Order Lines" SET "Qty;" = 0 WHERE "Line Id" = 1;
ALTER TABLE "Order Lines" DROP COLUMN "Note ""q""";
