-- Data fixes scoped by key, with explicit column lists.
SET SESSION max_statement_time = 60;

INSERT INTO organizations (name, slug) VALUES ('Acme', 'acme');
INSERT INTO organizations (name, slug) VALUES ('Globex', 'globex');
INSERT INTO users (organization_id, email, display_name) SELECT o.id, 'admin@acme.example', 'Admin' FROM organizations o WHERE o.slug = 'acme';
UPDATE organizations SET billing_email = 'billing@acme.example' WHERE slug = 'acme';
UPDATE products SET archived_at = NOW() WHERE id IN (17, 18, 19);
DELETE FROM wishlist_items WHERE wishlist_id = 42 AND product_id = 7;
INSERT INTO settings (name, value) VALUES ('checkout.enabled', 'true') ON DUPLICATE KEY UPDATE value = VALUES(value);
REPLACE INTO settings (name, value) VALUES ('maintenance', 'false');
SELECT id, email FROM users WHERE email LIKE 'admin@%' LIMIT 10;
SELECT COUNT(*) FROM orders WHERE status = 'pending';
