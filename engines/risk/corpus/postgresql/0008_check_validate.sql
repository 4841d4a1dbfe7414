SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total_nonneg;
