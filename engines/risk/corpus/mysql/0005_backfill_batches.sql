-- Backfill display names in key-range batches, each its own short transaction.
SET SESSION max_statement_time = 60;

START TRANSACTION;
UPDATE users SET display_name = email WHERE id BETWEEN 1 AND 10000 AND display_name IS NULL;
COMMIT;
START TRANSACTION;
UPDATE users SET display_name = email WHERE id BETWEEN 10001 AND 20000 AND display_name IS NULL;
COMMIT;
START TRANSACTION;
UPDATE users SET display_name = email WHERE id BETWEEN 20001 AND 30000 AND display_name IS NULL;
COMMIT;
UPDATE products SET currency = 'EUR' WHERE id BETWEEN 1 AND 5000 AND currency = '';
UPDATE products SET currency = 'EUR' WHERE id BETWEEN 5001 AND 10000 AND currency = '';
DELETE FROM orders WHERE status = 'cancelled' AND placed_at < '2020-01-01' ORDER BY id LIMIT 1000;
