-- Indexes on existing tables are built ONLINE, so DML continues.
ALTER SESSION SET ddl_lock_timeout = 30;
CREATE INDEX ix_customers_created_at ON customers (created_at) ONLINE;
CREATE INDEX ix_products_title ON products (UPPER(title)) ONLINE TABLESPACE app_idx;
CREATE INDEX ix_orders_status ON orders (status, placed_at) ONLINE PARALLEL 2;
CREATE INDEX ix_orders_shipped_at ON orders (shipped_at) ONLINE;
