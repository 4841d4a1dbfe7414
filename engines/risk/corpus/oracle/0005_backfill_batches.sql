-- Backfills in key ranges.
UPDATE orders SET tracking_code = '-' WHERE id BETWEEN 1 AND 5000 AND tracking_code IS NULL;
UPDATE orders SET tracking_code = '-' WHERE id BETWEEN 5001 AND 10000 AND tracking_code IS NULL;
UPDATE products SET weight_grams = 0 WHERE id BETWEEN 1 AND 2000 AND weight_grams IS NULL;
UPDATE customers SET display_name = email WHERE id BETWEEN 1 AND 5000 AND display_name IS NULL;
DELETE FROM wishlist_items WHERE wishlist_id = 42 AND product_id = 7;
INSERT INTO wishlists (customer_id, name) VALUES (1, 'Favourites');
