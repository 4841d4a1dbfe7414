SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE projects ALTER COLUMN archived SET DEFAULT false;
ALTER TABLE tasks ALTER COLUMN priority SET DEFAULT 1;
ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT 'starter';
ALTER TABLE users ALTER COLUMN display_name SET STATISTICS 500;
ANALYZE users;
VACUUM (ANALYZE) tasks;
