SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE SEQUENCE IF NOT EXISTS invoice_numbers START 1000;
ALTER SEQUENCE invoice_numbers OWNED BY invoices.number;
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (key, value) VALUES ('signup_open', 'true'), ('max_projects', '50')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();
