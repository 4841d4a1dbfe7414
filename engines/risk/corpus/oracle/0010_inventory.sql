-- Warehouses and stock levels, with the movements that change them.
CREATE TABLE warehouses (
  id NUMBER(10) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code VARCHAR2(10 CHAR) NOT NULL CONSTRAINT uq_warehouses_code UNIQUE,
  name VARCHAR2(100 CHAR) NOT NULL,
  country CHAR(2 CHAR) NOT NULL REFERENCES countries (code)
);
CREATE TABLE stock_levels (
  warehouse_id NUMBER(10) NOT NULL REFERENCES warehouses (id),
  product_id NUMBER(19) NOT NULL REFERENCES products (id),
  on_hand NUMBER(12) DEFAULT 0 NOT NULL,
  reserved NUMBER(12) DEFAULT 0 NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL,
  CONSTRAINT pk_stock_levels PRIMARY KEY (warehouse_id, product_id),
  CONSTRAINT ck_stock_levels_reserved CHECK (reserved <= on_hand)
);
CREATE INDEX ix_stock_levels_product ON stock_levels (product_id);
CREATE TABLE stock_movements (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  warehouse_id NUMBER(10) NOT NULL REFERENCES warehouses (id),
  product_id NUMBER(19) NOT NULL REFERENCES products (id),
  delta NUMBER(12) NOT NULL,
  reason VARCHAR2(30 CHAR) NOT NULL,
  at TIMESTAMP WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL
);
CREATE INDEX ix_stock_movements_wh_product ON stock_movements (warehouse_id, product_id, at);
CREATE INDEX ix_stock_movements_product ON stock_movements (product_id);
INSERT INTO warehouses (code, name, country) VALUES ('AMS1', 'Amsterdam Westpoort', 'NL');
INSERT INTO warehouses (code, name, country) VALUES ('FRA1', 'Frankfurt Ost', 'DE');
INSERT INTO warehouses (code, name, country) VALUES ('LYS1', 'Lyon Saint-Exupery', 'FR');
INSERT INTO warehouses (code, name, country) VALUES ('MAD1', 'Madrid Coslada', 'ES');
ALTER TABLE products ADD (reorder_level NUMBER(10) DEFAULT 0 NOT NULL);
ALTER TABLE products ADD (discontinued_on DATE);
CREATE INDEX ix_products_discontinued ON products (discontinued_on) ONLINE;
CREATE OR REPLACE VIEW v_stock_available AS
SELECT s.product_id, SUM(s.on_hand - s.reserved) AS available FROM stock_levels s GROUP BY s.product_id;
CREATE OR REPLACE VIEW v_reorder_needed AS
SELECT p.id, p.sku, a.available, p.reorder_level
FROM products p
JOIN v_stock_available a ON a.product_id = p.id
WHERE a.available < p.reorder_level;
GRANT SELECT ON v_stock_available TO reporting;
GRANT SELECT ON v_reorder_needed TO reporting;
COMMENT ON COLUMN stock_movements.delta IS 'Positive for goods in, negative for goods out';
SELECT w.code, COUNT(*) FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id GROUP BY w.code;
