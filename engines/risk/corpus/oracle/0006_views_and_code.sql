-- Reporting views and a small PL/SQL helper.
CREATE OR REPLACE VIEW v_order_totals AS
SELECT o.id, o.customer_id, SUM(l.quantity * l.unit_price) AS total
FROM orders o
JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id, o.customer_id;
CREATE OR REPLACE VIEW v_active_products AS
SELECT p.id, p.sku, p.title, p.unit_price FROM products p WHERE p.is_active = 1;
CREATE OR REPLACE FUNCTION order_total (p_order_id IN NUMBER) RETURN NUMBER IS
  v_total NUMBER(19,4);
BEGIN
  SELECT NVL(SUM(quantity * unit_price), 0) INTO v_total FROM order_lines WHERE order_id = p_order_id;
  RETURN v_total;
END order_total;
/
GRANT SELECT ON v_order_totals TO reporting;
GRANT SELECT ON v_active_products TO reporting;
CREATE OR REPLACE SYNONYM order_totals FOR v_order_totals;
