SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE INDEX CONCURRENTLY IF NOT EXISTS users_last_login_idx ON users (last_login_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS tasks_due_on_idx ON tasks (due_on) WHERE due_on IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS comments_created_idx ON comments (task_id, created_at);
DROP INDEX CONCURRENTLY IF EXISTS tasks_open_idx;
