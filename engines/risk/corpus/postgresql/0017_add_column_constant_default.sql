SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE accounts ADD COLUMN seats integer NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN failure_count integer NOT NULL DEFAULT 0, ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
