-- Read-only reporting views.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE OR REPLACE VIEW v_active_users AS
  SELECT u.id, u.email, u.display_name, o.name AS organization
  FROM users u
  JOIN organizations o ON o.id = u.organization_id
  WHERE u.is_active = 1;

CREATE OR REPLACE VIEW v_order_totals AS
  SELECT o.id, o.user_id, SUM(i.quantity * i.unit_price) AS total
  FROM orders o
  JOIN order_items i ON i.order_id = o.id
  GROUP BY o.id, o.user_id;

CREATE OR REPLACE VIEW v_product_ratings AS
  SELECT r.product_id, AVG(r.rating) AS avg_rating, COUNT(*) AS reviews
  FROM reviews r
  GROUP BY r.product_id;
