SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_by_account ON projects USING (account_id = current_setting('app.account_id')::bigint);
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
