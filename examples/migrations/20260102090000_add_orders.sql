-- Orders, and when a customer was last seen.
-- UP
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  total_cents INTEGER NOT NULL DEFAULT 0,
  placed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
ALTER TABLE customers ADD COLUMN last_seen TIMESTAMP;
UPDATE customers SET last_seen = created_at WHERE last_seen IS NULL;

-- DOWN
ALTER TABLE customers DROP COLUMN last_seen;
DROP TABLE orders;
