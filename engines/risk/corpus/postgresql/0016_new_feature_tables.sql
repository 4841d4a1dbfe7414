SET lock_timeout = '5s';
SET statement_timeout = '60s';

CREATE TABLE notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  kind text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE TABLE notification_settings (
  user_id bigint NOT NULL REFERENCES users (id),
  kind text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  PRIMARY KEY (user_id, kind)
);
ALTER TABLE notification_settings ADD COLUMN channel text NOT NULL DEFAULT 'email';
ALTER TABLE notifications ADD COLUMN seen boolean NOT NULL DEFAULT false;
COMMENT ON TABLE notifications IS 'In-app notifications';
GRANT SELECT, INSERT, UPDATE ON notifications TO app_rw;
GRANT SELECT ON notification_settings TO reporting;
