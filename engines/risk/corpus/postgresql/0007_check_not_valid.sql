SET lock_timeout = '5s';
SET statement_timeout = '60s';

ALTER TABLE invoices ADD CONSTRAINT invoices_total_nonneg CHECK (total_cents >= 0) NOT VALID;
