-- Wishlists and product reviews.
IF OBJECT_ID(N'dbo.wishlists', N'U') IS NULL
CREATE TABLE dbo.wishlists (
  id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES dbo.customers (id),
  name nvarchar(100) NOT NULL,
  created_at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME()
);
GO
CREATE TABLE dbo.wishlist_items (
  wishlist_id bigint NOT NULL REFERENCES dbo.wishlists (id),
  product_id bigint NOT NULL REFERENCES dbo.products (id),
  added_at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT pk_wishlist_items PRIMARY KEY (wishlist_id, product_id)
);
GO
CREATE INDEX ix_wishlist_items_product ON dbo.wishlist_items (product_id);
GO
CREATE TABLE dbo.reviews (
  id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES dbo.products (id),
  customer_id bigint NOT NULL REFERENCES dbo.customers (id),
  rating tinyint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  body nvarchar(4000) NULL,
  created_at datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME()
);
GO
CREATE INDEX ix_reviews_product ON dbo.reviews (product_id, created_at);
CREATE UNIQUE INDEX ux_reviews_customer_product ON dbo.reviews (customer_id, product_id);
GO
