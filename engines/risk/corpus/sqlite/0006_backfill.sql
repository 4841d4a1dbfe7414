-- Backfills scoped by key ranges.
UPDATE accounts SET locale = 'en' WHERE locale IS NULL AND id BETWEEN 1 AND 50000;
UPDATE accounts SET locale = 'en' WHERE locale IS NULL AND id BETWEEN 50001 AND 100000;
UPDATE notebooks SET position = id WHERE position = 0 AND id < 10000;
DELETE FROM note_tags WHERE tag_id IN (SELECT id FROM tags WHERE name = '');
DELETE FROM tags WHERE name = '' AND id < 100000;
INSERT INTO tags (account_id, name) SELECT id, 'inbox' FROM accounts WHERE id = 1;
