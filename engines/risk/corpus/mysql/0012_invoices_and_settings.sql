-- Invoices, settings and an append-only audit log.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE TABLE IF NOT EXISTS settings (
  name VARCHAR(100) NOT NULL PRIMARY KEY,
  value VARCHAR(1000) NOT NULL,
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS invoices (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  number VARCHAR(32) NOT NULL,
  issued_on DATE NOT NULL,
  due_on DATE NULL,
  amount DECIMAL(12,2) NOT NULL,
  currency CHAR(3) NOT NULL,
  UNIQUE KEY ux_invoices_number (number),
  KEY ix_invoices_order (order_id),
  KEY ix_invoices_currency (currency),
  CONSTRAINT fk_invoices_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_invoices_currency FOREIGN KEY (currency) REFERENCES currencies (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor_id BIGINT UNSIGNED NULL,
  action VARCHAR(100) NOT NULL,
  subject VARCHAR(200) NOT NULL,
  details JSON NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_audit_log_actor (actor_id, created_at),
  KEY ix_audit_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO settings (name, value) VALUES ('invoice.prefix', 'INV-');
INSERT INTO settings (name, value) VALUES ('invoice.due_days', '30');
INSERT INTO settings (name, value) VALUES ('checkout.enabled', 'false');
INSERT INTO settings (name, value) VALUES ('maintenance', 'false');
INSERT INTO settings (name, value) VALUES ('support.email', 'support@example.com');
