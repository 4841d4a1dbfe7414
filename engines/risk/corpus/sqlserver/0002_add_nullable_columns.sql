-- New optional attributes: nullable columns, or NOT NULL with a constant default.
ALTER TABLE dbo.customers ADD phone nvarchar(40) NULL;
GO
ALTER TABLE dbo.customers ADD marketing_opt_in bit NOT NULL CONSTRAINT df_customers_opt_in DEFAULT 0;
GO
ALTER TABLE dbo.products ADD description nvarchar(max) NULL, weight_grams int NULL;
GO
ALTER TABLE dbo.orders ADD shipped_at datetime2(3) NULL, tracking_code nvarchar(64) NULL;
GO
ALTER TABLE dbo.order_lines ADD discount_amount decimal(19,4) NOT NULL CONSTRAINT df_order_lines_discount DEFAULT 0;
GO
