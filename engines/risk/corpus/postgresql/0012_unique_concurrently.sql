SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS labels_account_name_key ON labels (account_id, name);
