-- Initial schema: customers, products, orders.
CREATE TABLE dbo.customers (
  id bigint IDENTITY(1,1) NOT NULL CONSTRAINT pk_customers PRIMARY KEY CLUSTERED,
  email nvarchar(320) NOT NULL,
  display_name nvarchar(200) NULL,
  created_at datetime2(3) NOT NULL CONSTRAINT df_customers_created_at DEFAULT SYSUTCDATETIME(),
  CONSTRAINT uq_customers_email UNIQUE (email)
);
GO
CREATE TABLE dbo.products (
  id bigint IDENTITY(1,1) NOT NULL CONSTRAINT pk_products PRIMARY KEY,
  sku nvarchar(40) NOT NULL,
  title nvarchar(200) NOT NULL,
  unit_price decimal(19,4) NOT NULL CONSTRAINT df_products_price DEFAULT 0,
  is_active bit NOT NULL CONSTRAINT df_products_active DEFAULT 1,
  created_at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT uq_products_sku UNIQUE (sku)
);
GO
CREATE TABLE dbo.orders (
  id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  customer_id bigint NOT NULL CONSTRAINT fk_orders_customers REFERENCES dbo.customers (id),
  status nvarchar(20) NOT NULL CONSTRAINT df_orders_status DEFAULT N'new',
  total_amount decimal(19,4) NOT NULL DEFAULT 0,
  placed_at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT ck_orders_status CHECK (status IN (N'new', N'paid', N'shipped', N'cancelled'))
);
GO
CREATE INDEX ix_orders_customer ON dbo.orders (customer_id);
CREATE INDEX ix_orders_placed_at ON dbo.orders (placed_at) INCLUDE (status);
GO
CREATE TABLE dbo.order_lines (
  id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  order_id bigint NOT NULL,
  product_id bigint NOT NULL,
  quantity int NOT NULL CONSTRAINT ck_order_lines_qty CHECK (quantity > 0),
  unit_price decimal(19,4) NOT NULL,
  CONSTRAINT fk_order_lines_orders FOREIGN KEY (order_id) REFERENCES dbo.orders (id),
  CONSTRAINT fk_order_lines_products FOREIGN KEY (product_id) REFERENCES dbo.products (id)
);
GO
CREATE INDEX ix_order_lines_order ON dbo.order_lines (order_id);
CREATE INDEX ix_order_lines_product ON dbo.order_lines (product_id);
GO
