-- Indexes on existing tables are built online, so writes continue.
SET LOCK_TIMEOUT 5000;
CREATE NONCLUSTERED INDEX ix_customers_created_at ON dbo.customers (created_at) WITH (ONLINE = ON);
CREATE NONCLUSTERED INDEX ix_products_title ON dbo.products (title) INCLUDE (sku, unit_price) WITH (ONLINE = ON, SORT_IN_TEMPDB = ON);
CREATE NONCLUSTERED INDEX ix_orders_status ON dbo.orders (status, placed_at) WHERE status <> N'cancelled' WITH (ONLINE = ON);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_orders_shipped_at')
  CREATE NONCLUSTERED INDEX ix_orders_shipped_at ON dbo.orders (shipped_at) WITH (ONLINE = ON);
GO
