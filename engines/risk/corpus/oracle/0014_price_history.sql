-- Price history: every price a product had, written by a trigger, so invoices can be checked later.
CREATE TABLE product_prices (
  product_id NUMBER(19) NOT NULL REFERENCES products (id),
  valid_from TIMESTAMP WITH TIME ZONE NOT NULL,
  unit_price NUMBER(19,4) NOT NULL,
  currency CHAR(3 CHAR) DEFAULT 'EUR' NOT NULL,
  CONSTRAINT pk_product_prices PRIMARY KEY (product_id, valid_from)
);
CREATE OR REPLACE TRIGGER trg_products_price_history
AFTER INSERT OR UPDATE OF unit_price ON products
FOR EACH ROW
BEGIN
  INSERT INTO product_prices (product_id, valid_from, unit_price) VALUES (:NEW.id, SYSTIMESTAMP, :NEW.unit_price);
END;
/
INSERT INTO product_prices (product_id, valid_from, unit_price) SELECT id, SYSTIMESTAMP, unit_price FROM products WHERE id BETWEEN 1 AND 5000;
INSERT INTO product_prices (product_id, valid_from, unit_price) SELECT id, SYSTIMESTAMP, unit_price FROM products WHERE id BETWEEN 5001 AND 10000;
CREATE OR REPLACE VIEW v_current_prices AS
SELECT product_id, unit_price, currency
FROM (SELECT p.*, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY valid_from DESC) AS rn FROM product_prices p)
WHERE rn = 1;
GRANT SELECT ON v_current_prices TO reporting;
COMMENT ON TABLE product_prices IS 'Written by trg_products_price_history; never updated';
SELECT COUNT(*) FROM product_prices WHERE valid_from >= SYSTIMESTAMP - INTERVAL '1' DAY;
