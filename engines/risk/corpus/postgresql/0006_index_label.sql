SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_label_id_idx ON tasks (label_id);
