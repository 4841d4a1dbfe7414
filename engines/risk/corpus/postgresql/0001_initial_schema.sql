SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  plan text NOT NULL DEFAULT 'free',
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE accounts IS 'The accounts of the application';
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  email text NOT NULL,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_account_id_idx ON users (account_id);
COMMENT ON TABLE users IS 'The users of the application';
CREATE TABLE projects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  name text NOT NULL,
  archived boolean NOT NULL DEFAULT false
);
CREATE INDEX projects_account_id_idx ON projects (account_id);
COMMENT ON TABLE projects IS 'The projects of the application';
CREATE TABLE tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id bigint NOT NULL REFERENCES projects (id),
  assignee_id bigint REFERENCES users (id),
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open',
  due_on date
);
CREATE INDEX tasks_project_id_idx ON tasks (project_id);
CREATE INDEX tasks_assignee_id_idx ON tasks (assignee_id);
COMMENT ON TABLE tasks IS 'The tasks of the application';
CREATE TABLE comments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES tasks (id),
  author_id bigint NOT NULL REFERENCES users (id),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_task_id_idx ON comments (task_id);
CREATE INDEX comments_author_id_idx ON comments (author_id);
COMMENT ON TABLE comments IS 'The comments of the application';
CREATE TABLE labels (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  name text NOT NULL,
  color text NOT NULL DEFAULT '#888888'
);
CREATE INDEX labels_account_id_idx ON labels (account_id);
COMMENT ON TABLE labels IS 'The labels of the application';
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  number text NOT NULL,
  total_cents bigint NOT NULL DEFAULT 0,
  issued_at timestamptz
);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);
COMMENT ON TABLE invoices IS 'The invoices of the application';
CREATE TABLE invoice_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES invoices (id),
  description text NOT NULL,
  amount_cents bigint NOT NULL
);
CREATE INDEX invoice_lines_invoice_id_idx ON invoice_lines (invoice_id);
COMMENT ON TABLE invoice_lines IS 'The invoice lines of the application';
CREATE TABLE api_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  hash text NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);
COMMENT ON TABLE api_keys IS 'The api keys of the application';
CREATE TABLE webhooks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  url text NOT NULL,
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true
);
CREATE INDEX webhooks_account_id_idx ON webhooks (account_id);
COMMENT ON TABLE webhooks IS 'The webhooks of the application';
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  actor_id bigint REFERENCES users (id),
  action text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_account_id_idx ON audit_events (account_id);
CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id);
COMMENT ON TABLE audit_events IS 'The audit events of the application';
CREATE TABLE attachments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id bigint NOT NULL REFERENCES tasks (id),
  file_name text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  storage_key text NOT NULL
);
CREATE INDEX attachments_task_id_idx ON attachments (task_id);
COMMENT ON TABLE attachments IS 'The attachments of the application';
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX invoices_number_key ON invoices (account_id, number);
CREATE INDEX tasks_open_idx ON tasks (project_id) WHERE status = 'open';
CREATE INDEX audit_events_at_idx ON audit_events USING brin (at);
CREATE VIEW open_tasks AS SELECT t.id, t.title, t.project_id FROM tasks t WHERE t.status = 'open';
GRANT SELECT ON open_tasks TO reporting;
