-- Customer support: tickets, their messages, tags and the SLA policy per priority.
CREATE TABLE sla_policies (
  priority VARCHAR2(10 CHAR) NOT NULL PRIMARY KEY,
  first_response_minutes NUMBER(6) NOT NULL,
  resolution_hours NUMBER(5) NOT NULL
);
CREATE TABLE tickets (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id NUMBER(19) NOT NULL REFERENCES customers (id),
  subject VARCHAR2(200 CHAR) NOT NULL,
  priority VARCHAR2(10 CHAR) DEFAULT 'normal' NOT NULL REFERENCES sla_policies (priority),
  status VARCHAR2(20 CHAR) DEFAULT 'open' NOT NULL,
  assignee_id NUMBER(19),
  opened_at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL,
  closed_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX ix_tickets_customer ON tickets (customer_id, opened_at);
CREATE INDEX ix_tickets_queue ON tickets (status, priority, opened_at);
CREATE INDEX ix_tickets_priority ON tickets (priority);
CREATE TABLE ticket_messages (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ticket_id NUMBER(19) NOT NULL REFERENCES tickets (id),
  author_kind VARCHAR2(10 CHAR) NOT NULL CONSTRAINT ck_ticket_messages_author CHECK (author_kind IN ('customer', 'agent', 'system')),
  body CLOB NOT NULL,
  sent_at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL
);
CREATE INDEX ix_ticket_messages_ticket ON ticket_messages (ticket_id, sent_at);
CREATE TABLE ticket_tags (
  ticket_id NUMBER(19) NOT NULL REFERENCES tickets (id),
  tag VARCHAR2(40 CHAR) NOT NULL,
  CONSTRAINT pk_ticket_tags PRIMARY KEY (ticket_id, tag)
);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_hours) VALUES ('urgent', 30, 8);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_hours) VALUES ('high', 120, 24);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_hours) VALUES ('normal', 480, 72);
INSERT INTO sla_policies (priority, first_response_minutes, resolution_hours) VALUES ('low', 1440, 168);
CREATE OR REPLACE VIEW v_ticket_queue AS
SELECT t.id, t.subject, t.priority, t.opened_at, t.opened_at + NUMTODSINTERVAL(p.first_response_minutes, 'MINUTE') AS respond_by
FROM tickets t
JOIN sla_policies p ON p.priority = t.priority
WHERE t.status = 'open';
GRANT SELECT ON v_ticket_queue TO support_app;
GRANT SELECT, INSERT ON ticket_messages TO support_app;
COMMENT ON TABLE ticket_tags IS 'Free-form labels agents put on tickets';
SELECT priority, COUNT(*) FROM tickets WHERE status = 'open' GROUP BY priority;
