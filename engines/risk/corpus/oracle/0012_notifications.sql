-- Notification preferences and an outbox the mailer drains, with a purge job for delivered rows.
CREATE TABLE notification_channels (
  code VARCHAR2(20 CHAR) NOT NULL PRIMARY KEY,
  label VARCHAR2(60 CHAR) NOT NULL
);
CREATE TABLE notification_preferences (
  customer_id NUMBER(19) NOT NULL REFERENCES customers (id),
  channel_code VARCHAR2(20 CHAR) NOT NULL REFERENCES notification_channels (code),
  topic VARCHAR2(40 CHAR) NOT NULL,
  enabled NUMBER(1) DEFAULT 1 NOT NULL CONSTRAINT ck_notification_prefs_enabled CHECK (enabled IN (0, 1)),
  CONSTRAINT pk_notification_preferences PRIMARY KEY (customer_id, channel_code, topic)
);
CREATE INDEX ix_notification_prefs_channel ON notification_preferences (channel_code);
CREATE TABLE notification_outbox (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id NUMBER(19) NOT NULL,
  channel_code VARCHAR2(20 CHAR) NOT NULL,
  payload CLOB NOT NULL CONSTRAINT ck_notification_outbox_json CHECK (payload IS JSON),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL,
  sent_at TIMESTAMP WITH TIME ZONE,
  attempts NUMBER(3) DEFAULT 0 NOT NULL
);
CREATE INDEX ix_notification_outbox_pending ON notification_outbox (sent_at, created_at);
INSERT INTO notification_channels (code, label) VALUES ('email', 'E-mail');
INSERT INTO notification_channels (code, label) VALUES ('sms', 'Text message');
INSERT INTO notification_channels (code, label) VALUES ('push', 'Mobile push');
INSERT INTO notification_channels (code, label) VALUES ('webhook', 'Webhook');
CREATE OR REPLACE PROCEDURE purge_sent_notifications (p_days IN NUMBER) IS
BEGIN
  DELETE FROM notification_outbox WHERE sent_at < SYSTIMESTAMP - NUMTODSINTERVAL(p_days, 'DAY') AND ROWNUM <= 10000;
  COMMIT;
END purge_sent_notifications;
/
CREATE OR REPLACE VIEW v_pending_notifications AS
SELECT id, customer_id, channel_code, created_at, attempts FROM notification_outbox WHERE sent_at IS NULL;
GRANT SELECT ON v_pending_notifications TO mailer;
GRANT UPDATE (sent_at, attempts) ON notification_outbox TO mailer;
COMMENT ON COLUMN notification_outbox.attempts IS 'Delivery attempts so far; the mailer gives up after 10';
SELECT channel_code, COUNT(*) FROM notification_outbox WHERE sent_at IS NULL GROUP BY channel_code;
SELECT COUNT(*) FROM notification_preferences WHERE enabled = 0;
