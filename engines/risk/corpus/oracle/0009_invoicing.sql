-- Invoicing: invoices and their lines, payment terms, a numbering sequence and the views finance reads.
CREATE SEQUENCE invoice_no_seq START WITH 100000 INCREMENT BY 1 CACHE 50 NOCYCLE;
CREATE TABLE payment_terms (
  code VARCHAR2(20 CHAR) NOT NULL PRIMARY KEY,
  label VARCHAR2(100 CHAR) NOT NULL,
  due_days NUMBER(3) NOT NULL
);
CREATE TABLE invoices (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_no NUMBER(10) NOT NULL CONSTRAINT uq_invoices_no UNIQUE,
  customer_id NUMBER(19) NOT NULL REFERENCES customers (id),
  terms_code VARCHAR2(20 CHAR) NOT NULL REFERENCES payment_terms (code),
  issued_on DATE DEFAULT TRUNC(SYSDATE) NOT NULL,
  currency CHAR(3 CHAR) DEFAULT 'EUR' NOT NULL,
  status VARCHAR2(20 CHAR) DEFAULT 'draft' NOT NULL CONSTRAINT ck_invoices_status CHECK (status IN ('draft', 'issued', 'paid', 'void'))
);
CREATE INDEX ix_invoices_customer ON invoices (customer_id, issued_on);
CREATE INDEX ix_invoices_terms ON invoices (terms_code);
CREATE TABLE invoice_lines (
  invoice_id NUMBER(19) NOT NULL REFERENCES invoices (id),
  line_no NUMBER(5) NOT NULL,
  description VARCHAR2(400 CHAR) NOT NULL,
  quantity NUMBER(12,3) DEFAULT 1 NOT NULL,
  unit_price NUMBER(19,4) NOT NULL,
  tax_rate NUMBER(5,4) DEFAULT 0 NOT NULL,
  CONSTRAINT pk_invoice_lines PRIMARY KEY (invoice_id, line_no)
);
INSERT INTO payment_terms (code, label, due_days) VALUES ('NET15', 'Net 15 days', 15);
INSERT INTO payment_terms (code, label, due_days) VALUES ('NET30', 'Net 30 days', 30);
INSERT INTO payment_terms (code, label, due_days) VALUES ('NET60', 'Net 60 days', 60);
INSERT INTO payment_terms (code, label, due_days) VALUES ('PREPAID', 'Paid in advance', 0);
INSERT INTO payment_terms (code, label, due_days) VALUES ('EOM', 'End of month', 31);
CREATE OR REPLACE VIEW v_invoice_totals AS
SELECT i.id, i.invoice_no, i.customer_id, i.currency, SUM(l.quantity * l.unit_price * (1 + l.tax_rate)) AS gross
FROM invoices i
JOIN invoice_lines l ON l.invoice_id = i.id
GROUP BY i.id, i.invoice_no, i.customer_id, i.currency;
CREATE OR REPLACE VIEW v_open_invoices AS
SELECT i.id, i.invoice_no, i.customer_id, i.issued_on + t.due_days AS due_on
FROM invoices i
JOIN payment_terms t ON t.code = i.terms_code
WHERE i.status = 'issued';
COMMENT ON TABLE invoices IS 'One row per invoice; numbers come from invoice_no_seq';
COMMENT ON COLUMN invoice_lines.tax_rate IS 'Fraction, 0.2 for 20 percent';
GRANT SELECT ON v_invoice_totals TO reporting;
GRANT SELECT ON v_open_invoices TO reporting;
SELECT COUNT(*) FROM invoices WHERE status = 'issued' AND issued_on >= TRUNC(SYSDATE) - 30;
