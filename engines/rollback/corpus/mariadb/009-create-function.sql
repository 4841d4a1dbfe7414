-- covers: CREATE FUNCTION
-- expect: exact
-- SETUP
CREATE TABLE customers (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL COMMENT 'login', name varchar(50) DEFAULT 'anon', score decimal(10,2) NOT NULL DEFAULT 0.00, updated_at timestamp NOT NULL DEFAULT '2026-01-01 00:00:00' ON UPDATE current_timestamp(), email_domain varchar(100) GENERATED ALWAYS AS (substring_index(email, '@', -1)) VIRTUAL, UNIQUE KEY customers_email_uq (email), KEY customers_name_ix (name(10)), CONSTRAINT customers_score_ck CHECK (score >= 0)) ENGINE=InnoDB COMMENT='people';
INSERT INTO customers (email, name, score) VALUES ('a@x.io', 'Ann', 10.25), ('b@x.io', 'Bob', 3.5), ('c@y.io', NULL, 0), ('d@y.io', 'Dé 😀', 99.99);
CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, total_cents int NOT NULL CHECK (total_cents >= 0), note text, KEY orders_customer_ix (customer_id, total_cents), CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE);
INSERT INTO orders (customer_id, total_cents, note) VALUES (1, 1000, 'first'), (1, 250, NULL), (2, 99, 'x'), (4, 0, 'free');
CREATE TABLE tags (name varchar(20) NOT NULL, weight int);
INSERT INTO tags VALUES ('red', 1), ('blue', 2);
CREATE TABLE settings (k varchar(20) NOT NULL PRIMARY KEY, v text);
INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');
-- UP
CREATE FUNCTION double_it(x int) RETURNS int DETERMINISTIC RETURN x * 2;
