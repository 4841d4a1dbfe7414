-- Customers: the first table of the sample shop. Portable SQL: runs on SQLite, PostgreSQL and MariaDB.
-- UP
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  name VARCHAR(200),
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX customers_email_uq ON customers (email);
INSERT INTO customers (id, email, name) VALUES (1, 'ada@example.com', 'Ada Lovelace');
INSERT INTO customers (id, email, name) VALUES (2, 'grace@example.com', 'Grace Hopper');

-- DOWN
DROP TABLE customers;
