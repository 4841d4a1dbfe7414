-- Reporting views: each alone in its batch.
CREATE OR ALTER VIEW dbo.v_order_totals AS
SELECT o.id, o.customer_id, SUM(l.quantity * l.unit_price) AS total
FROM dbo.orders AS o
JOIN dbo.order_lines AS l ON l.order_id = o.id
GROUP BY o.id, o.customer_id;
GO
CREATE OR ALTER VIEW dbo.v_active_products AS
SELECT p.id, p.sku, p.title, p.unit_price FROM dbo.products AS p WHERE p.is_active = 1;
GO
CREATE OR ALTER VIEW dbo.v_customer_reviews AS
SELECT r.id, r.product_id, r.rating, c.display_name
FROM dbo.reviews AS r
JOIN dbo.customers AS c ON c.id = r.customer_id
WHERE r.rating IS NOT NULL;
GO
