SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE users ADD COLUMN phone text, ADD COLUMN locale text DEFAULT 'en', ADD COLUMN last_login_at timestamptz;
ALTER TABLE projects ADD COLUMN description text;
ALTER TABLE tasks ADD COLUMN priority smallint DEFAULT 0;
ALTER TABLE accounts ADD COLUMN billing_email text, ADD COLUMN trial_ends_on date;
COMMENT ON COLUMN users.phone IS 'E.164 phone number';
COMMENT ON COLUMN tasks.priority IS '0 = none, 3 = urgent';
