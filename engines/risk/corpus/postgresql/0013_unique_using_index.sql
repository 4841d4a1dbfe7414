SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE labels ADD CONSTRAINT labels_account_name_uniq UNIQUE USING INDEX labels_account_name_key;
