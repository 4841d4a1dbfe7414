-- Indexes built online: ALGORITHM=INPLACE, LOCK=NONE, so the server refuses rather than locks.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 3600;

ALTER TABLE users ADD INDEX ix_users_last_login (last_login_at), ALGORITHM=INPLACE, LOCK=NONE;
CREATE INDEX ix_products_created ON products (created_at) ALGORITHM=INPLACE LOCK=NONE;
ALTER TABLE orders ADD INDEX ix_orders_placed (placed_at), ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE products DROP INDEX ix_products_created, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE order_items RENAME INDEX ix_order_items_product TO ix_items_product, ALGORITHM=INPLACE, LOCK=NONE;
