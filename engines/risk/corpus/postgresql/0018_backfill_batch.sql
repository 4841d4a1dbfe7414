SET lock_timeout = '5s';
SET statement_timeout = '60s';

UPDATE users SET locale = 'en' WHERE id BETWEEN 1 AND 10000 AND locale IS NULL;
UPDATE users SET locale = 'en' WHERE id BETWEEN 10001 AND 20000 AND locale IS NULL;
UPDATE users SET locale = 'en' WHERE id BETWEEN 20001 AND 30000 AND locale IS NULL;
DELETE FROM api_keys WHERE last_used_at < now() - interval '2 years' AND id < 50000;
INSERT INTO labels (account_id, name, color) VALUES (1, 'bug', '#ff0000'), (1, 'feature', '#00ff00');
INSERT INTO labels (account_id, name, color) SELECT id, 'urgent', '#ff8800' FROM accounts WHERE plan = 'enterprise' AND id < 1000;
