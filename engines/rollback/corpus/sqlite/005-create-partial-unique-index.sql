-- covers: CREATE INDEX
-- expect: exact
-- SETUP
CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon', score REAL NOT NULL DEFAULT 0 CHECK (score >= 0), phone TEXT, email_domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL);
CREATE INDEX customers_name_ix ON customers (name COLLATE NOCASE);
INSERT INTO customers (email, name, score, phone) VALUES ('a@x.io', 'Ann', 10.25, '+1'), ('b@x.io', 'Bob', 3.5, NULL), ('c@y.io', NULL, 0, '+44'), ('d@y.io', 'Dé 😀', 99.99, NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total_cents INTEGER NOT NULL CHECK (total_cents >= 0), note TEXT, placed_at TEXT);
CREATE INDEX orders_customer_ix ON orders (customer_id, total_cents DESC);
INSERT INTO orders (customer_id, total_cents, note, placed_at) VALUES (1, 1000, 'first', '2026-01-01'), (1, 250, NULL, NULL), (2, 99, 'x', '2026-02-01'), (4, 0, 'free', NULL);
CREATE TABLE tags (name TEXT NOT NULL, weight INTEGER);
INSERT INTO tags VALUES ('red', 1), ('blue', 2);
CREATE TABLE settings (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
INSERT INTO settings VALUES ('theme', 'dark'), ('lang', 'en');
CREATE VIEW big_orders AS SELECT id, total_cents FROM orders WHERE total_cents > 100;
CREATE TRIGGER orders_note_ai AFTER INSERT ON orders WHEN NEW.note IS NULL BEGIN UPDATE orders SET note = 'none' WHERE id = NEW.id; END;
-- UP
CREATE UNIQUE INDEX orders_note_uq ON orders (note) WHERE note IS NOT NULL;
