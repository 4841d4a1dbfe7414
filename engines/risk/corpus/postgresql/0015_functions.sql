SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  -- DROP TABLE users; is only a comment in here
  RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION account_task_count(p_account bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT count(*) FROM tasks t JOIN projects p ON p.id = t.project_id WHERE p.account_id = p_account
$$;
ALTER TABLE tasks ADD COLUMN updated_at timestamptz DEFAULT now();
CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
