SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TYPE task_state AS ENUM ('open', 'in_progress', 'done');
ALTER TYPE task_state ADD VALUE IF NOT EXISTS 'blocked' AFTER 'in_progress';
CREATE DOMAIN cents AS bigint;
CREATE TYPE money_range AS (low_cents bigint, high_cents bigint);
