-- Loyalty points per customer: the change the demo carries through the release flow and rolls back.
-- UP
CREATE TABLE loyalty_points (
  customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
  points INTEGER NOT NULL DEFAULT 0
);
INSERT INTO loyalty_points (customer_id, points) VALUES (1, 120);
INSERT INTO loyalty_points (customer_id, points) VALUES (2, 80);

-- DOWN
DROP TABLE loyalty_points;
