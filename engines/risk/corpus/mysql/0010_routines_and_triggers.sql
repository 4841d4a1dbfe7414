-- A procedure for batched archiving and an audit trigger, written with DELIMITER as mysqldump does.
SET SESSION lock_wait_timeout = 5;
SET SESSION max_statement_time = 60;

CREATE TABLE IF NOT EXISTS order_audit (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  old_status VARCHAR(20) NULL,
  new_status VARCHAR(20) NOT NULL,
  changed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_order_audit_order (order_id)
) ENGINE=InnoDB;

DELIMITER $$
CREATE TRIGGER trg_orders_status AFTER UPDATE ON orders
FOR EACH ROW
BEGIN
  IF NEW.status <> OLD.status THEN
    INSERT INTO order_audit (order_id, old_status, new_status) VALUES (NEW.id, OLD.status, NEW.status);
  END IF;
END$$

CREATE PROCEDURE archive_cancelled(IN batch INT)
BEGIN
  DELETE FROM orders WHERE status = 'cancelled' AND placed_at < NOW() - INTERVAL 1 YEAR ORDER BY id LIMIT batch;
END$$
DELIMITER ;
