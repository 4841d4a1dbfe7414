-- Wishlists and product reviews.
CREATE TABLE wishlists (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id NUMBER(19) NOT NULL REFERENCES customers (id),
  name VARCHAR2(100 CHAR) NOT NULL,
  created_at TIMESTAMP DEFAULT SYSTIMESTAMP NOT NULL
);
CREATE TABLE wishlist_items (
  wishlist_id NUMBER(19) NOT NULL REFERENCES wishlists (id),
  product_id NUMBER(19) NOT NULL REFERENCES products (id),
  added_at TIMESTAMP DEFAULT SYSTIMESTAMP NOT NULL,
  CONSTRAINT pk_wishlist_items PRIMARY KEY (wishlist_id, product_id)
);
CREATE INDEX ix_wishlist_items_product ON wishlist_items (product_id);
CREATE TABLE reviews (
  id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  product_id NUMBER(19) NOT NULL REFERENCES products (id),
  customer_id NUMBER(19) NOT NULL REFERENCES customers (id),
  rating NUMBER(1) NOT NULL CHECK (rating BETWEEN 1 AND 5),
  body VARCHAR2(4000 CHAR),
  created_at TIMESTAMP DEFAULT SYSTIMESTAMP NOT NULL
);
CREATE INDEX ix_reviews_product ON reviews (product_id, created_at);
CREATE UNIQUE INDEX ux_reviews_customer_product ON reviews (customer_id, product_id);
CREATE SEQUENCE invoice_no_seq START WITH 1000 INCREMENT BY 1 CACHE 50;
