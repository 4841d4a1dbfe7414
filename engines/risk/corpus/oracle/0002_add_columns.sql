-- New attributes: nullable, or NOT NULL with a constant default (metadata-only since 11g).
ALTER TABLE customers ADD (phone VARCHAR2(40 CHAR));
ALTER TABLE customers ADD (marketing_opt_in NUMBER(1) DEFAULT 0 NOT NULL);
ALTER TABLE products ADD (description CLOB, weight_grams NUMBER(10));
ALTER TABLE orders ADD (shipped_at TIMESTAMP, tracking_code VARCHAR2(64 CHAR));
ALTER TABLE order_lines ADD (discount_amount NUMBER(19,4) DEFAULT 0 NOT NULL);
