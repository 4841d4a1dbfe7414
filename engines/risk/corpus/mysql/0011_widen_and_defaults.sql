-- Widen a column in place and change defaults: metadata-only or in-place changes, fail-fast options.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 600;

ALTER TABLE users MODIFY display_name VARCHAR(300) NULL, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE products ALTER COLUMN stock SET DEFAULT 10;
ALTER TABLE orders ALTER COLUMN note DROP DEFAULT;
ALTER TABLE products MODIFY status ENUM('draft','active','retired','archived') NOT NULL DEFAULT 'draft', ALGORITHM=INSTANT;
ALTER TABLE organizations ADD COLUMN plan VARCHAR(20) NOT NULL DEFAULT 'free', ALGORITHM=INSTANT;
ALTER TABLE users ADD COLUMN locale VARCHAR(10) NULL DEFAULT 'en', ADD COLUMN timezone VARCHAR(64) NULL, ALGORITHM=INSTANT;
