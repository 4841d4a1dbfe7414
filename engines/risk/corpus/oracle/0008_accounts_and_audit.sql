-- Accounts, roles and an audit trail.
CREATE TABLE roles (
  id NUMBER(10) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name VARCHAR2(50 CHAR) NOT NULL CONSTRAINT uq_roles_name UNIQUE
);
CREATE TABLE permissions (
  id NUMBER(10) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code VARCHAR2(80 CHAR) NOT NULL CONSTRAINT uq_permissions_code UNIQUE,
  description VARCHAR2(200 CHAR)
);
CREATE TABLE role_permissions (
  role_id NUMBER(10) NOT NULL REFERENCES roles (id),
  permission_id NUMBER(10) NOT NULL REFERENCES permissions (id),
  CONSTRAINT pk_role_permissions PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX ix_role_permissions_perm ON role_permissions (permission_id);
CREATE TABLE audit_events (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id NUMBER(19),
  action VARCHAR2(100 CHAR) NOT NULL,
  subject VARCHAR2(200 CHAR),
  at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL
) PARTITION BY RANGE (at) INTERVAL (NUMTOYMINTERVAL(1, 'MONTH')) (PARTITION p0 VALUES LESS THAN (TIMESTAMP '2024-01-01 00:00:00 UTC'));
CREATE INDEX ix_audit_events_at ON audit_events (at) LOCAL;
CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, at);
INSERT INTO roles (name) VALUES ('admin');
INSERT INTO roles (name) VALUES ('editor');
INSERT INTO roles (name) VALUES ('viewer');
INSERT INTO permissions (code, description) VALUES ('orders.read', 'See orders');
INSERT INTO permissions (code, description) VALUES ('orders.write', 'Change orders');
INSERT INTO permissions (code, description) VALUES ('products.write', 'Change the catalogue');
INSERT INTO role_permissions (role_id, permission_id) SELECT r.id, p.id FROM roles r JOIN permissions p ON p.code LIKE 'orders.%' WHERE r.name = 'admin';
ALTER TABLE customers ADD (locale VARCHAR2(10 CHAR) DEFAULT 'en' NOT NULL);
CREATE OR REPLACE VIEW v_role_permissions AS
SELECT r.name AS role_name, p.code FROM role_permissions rp
JOIN roles r ON r.id = rp.role_id
JOIN permissions p ON p.id = rp.permission_id;
GRANT SELECT ON v_role_permissions TO reporting;
COMMENT ON TABLE audit_events IS 'Who did what, when';
