// Cases for the data-loss checks on MySQL and MariaDB.
import type { CheckCases } from "../../cases/types.ts";

const MY = ["mysql", "mariadb"] as const;
const PK = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY";

export const mysqlDestructiveCases: CheckCases[] = [
  {
    check: "delete-without-where",
    engines: MY,
    flagged: [
      { sql: "DELETE FROM users", level: "Critical" },
      { sql: "DELETE FROM users WHERE 1 = 1", level: "Critical" },
      { sql: "DELETE FROM users WHERE 1", level: "Critical" },
      { sql: "DELETE FROM sessions LIMIT 1000", level: "Critical" },
      { sql: "DELETE FROM users WHERE TRUE OR id = 1", level: "Critical" },
      { sql: "DELETE LOW_PRIORITY QUICK FROM `users`", level: "Critical" },
    ],
    clean: [
      "DELETE FROM users WHERE id = 42",
      "DELETE FROM sessions WHERE expires_at < NOW() ORDER BY id LIMIT 1000",
      "SELECT 'DELETE FROM users'",
      "# DELETE FROM users\nSELECT 1",
      "-- DELETE FROM users\nSELECT 1",
      `CREATE TABLE tmp (${PK}); DELETE FROM tmp`,
      "DELETE u FROM users u JOIN banned b ON b.user_id = u.id",
      "DELETE FROM users WHERE 1 = 0",
    ],
  },
  {
    check: "update-without-where",
    engines: MY,
    flagged: [
      { sql: "UPDATE users SET active = 0", level: "Critical" },
      { sql: "UPDATE users SET active = 0 WHERE 1 = 1", level: "Critical" },
      { sql: "UPDATE users SET active = 0 WHERE 'x' = 'x'", level: "Critical" },
      { sql: "UPDATE accounts SET balance = 0 LIMIT 10", level: "Critical" },
    ],
    clean: [
      "UPDATE users SET active = 0 WHERE id = 7",
      "SELECT 'UPDATE users SET active = 0'",
      "/* UPDATE users SET a = 1 */ SELECT 1",
      "UPDATE users u JOIN plans p ON p.id = u.plan_id SET u.quota = p.quota WHERE p.id = 3",
      `CREATE TABLE t (${PK}, a INT); UPDATE t SET a = 1`,
    ],
  },
  {
    check: "drop-table",
    engines: MY,
    flagged: [
      { sql: "DROP TABLE users", level: "Critical" },
      { sql: "DROP TABLE IF EXISTS users", level: "Critical" },
      { sql: "DROP TABLE users, orders", level: "Critical", count: 2 },
      { sql: "DROP TABLE `shop`.`audit_log`", level: "Critical" },
    ],
    clean: [
      "SELECT 'DROP TABLE users'",
      "-- DROP TABLE users\nSELECT 1",
      "DROP TEMPORARY TABLE IF EXISTS tmp_totals",
      `CREATE TABLE tmp_import (${PK}); DROP TABLE tmp_import`,
      "DROP VIEW active_users",
      "DELIMITER $$\nCREATE PROCEDURE purge() BEGIN DROP TABLE users; END$$\nDELIMITER ;",
      "/* DROP TABLE users; */ SELECT 1",
    ],
  },
  {
    check: "drop-database-or-schema",
    engines: MY,
    flagged: [
      { sql: "DROP DATABASE shop", level: "Critical" },
      { sql: "DROP SCHEMA billing", level: "Critical" },
      { sql: "DROP DATABASE IF EXISTS `shop`", level: "Critical" },
    ],
    clean: ["CREATE DATABASE billing", "SELECT 'DROP DATABASE shop'", "DROP TABLE IF EXISTS `database`"],
  },
  {
    check: "truncate",
    engines: MY,
    flagged: [
      { sql: "TRUNCATE users", level: "Critical" },
      { sql: "TRUNCATE TABLE users", level: "Critical" },
      { sql: "ALTER TABLE events TRUNCATE PARTITION p2019", level: "Critical" },
      { sql: "ALTER TABLE events DROP PARTITION p2019", level: "Critical" },
    ],
    clean: [
      "SELECT 'TRUNCATE users'",
      `CREATE TABLE staging (${PK}); TRUNCATE staging`,
      "DELETE FROM users WHERE id = 1",
      "ALTER TABLE events ADD PARTITION (PARTITION p2030 VALUES LESS THAN (2031))",
    ],
  },
  {
    check: "drop-column",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users DROP COLUMN legacy", level: "High" },
      { sql: "ALTER TABLE users DROP legacy", level: "High" },
      { sql: "ALTER TABLE users DROP COLUMN a, DROP COLUMN b", level: "High", count: 2 },
    ],
    clean: [
      "ALTER TABLE users DROP INDEX idx_legacy",
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t DROP COLUMN a`,
      "SELECT 'ALTER TABLE users DROP COLUMN legacy'",
      "ALTER TABLE users DROP FOREIGN KEY fk_users_org",
    ],
  },
  {
    check: "drop-fk-constraint",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE orders DROP FOREIGN KEY orders_user_fk", level: "Medium" },
      { sql: "ALTER TABLE orders DROP FOREIGN KEY `fk_orders_users`", level: "Medium" },
      { sql: "ALTER TABLE orders DROP CONSTRAINT fk_orders_users", level: "Medium" },
      { sql: "SET FOREIGN_KEY_CHECKS = 0", level: "Medium" },
      { sql: "SET SESSION foreign_key_checks = OFF", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE orders DROP INDEX idx_created",
      "ALTER TABLE orders DROP CHECK chk_total",
      "SET foreign_key_checks = 1",
      "ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES users (id)",
    ],
  },
  {
    check: "drop-not-null",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users MODIFY email VARCHAR(255) NULL", level: "Low" },
      {
        sql: "ALTER TABLE users MODIFY email VARCHAR(255)",
        level: "Medium",
        schema: { users: ["id:bigint", "email:varchar(255):notnull"] },
      },
      {
        sql: "ALTER TABLE users CHANGE email email VARCHAR(255) DEFAULT NULL",
        level: "Medium",
        schema: { users: ["id:bigint", "email:varchar(255):notnull"] },
      },
    ],
    clean: [
      "ALTER TABLE users MODIFY email VARCHAR(255) NOT NULL",
      { sql: "ALTER TABLE users MODIFY email VARCHAR(255)", schema: { users: ["id:bigint", "email:varchar(255)"] } },
      `CREATE TABLE t (${PK}, a INT NOT NULL); ALTER TABLE t MODIFY a INT NULL`,
      "ALTER TABLE users ALTER COLUMN email DROP DEFAULT",
    ],
  },
  {
    check: "large-dml",
    engines: MY,
    flagged: [
      { sql: "UPDATE users SET score = 0 WHERE score IS NULL", level: "Medium" },
      {
        sql: "UPDATE users SET full_name = CONCAT(first_name, ' ', last_name) WHERE full_name IS NULL",
        level: "Medium",
      },
      { sql: "INSERT INTO users_archive (id, email) SELECT id, email FROM users", level: "Medium" },
    ],
    clean: [
      "UPDATE users SET score = 0 WHERE id BETWEEN 1 AND 10000 AND score IS NULL",
      "INSERT INTO users_archive (id, email) SELECT id, email FROM users WHERE id < 10000",
      "INSERT INTO users (id, email) VALUES (1, 'a@example.com')",
      `CREATE TABLE t (${PK}, a INT); INSERT INTO t (id, a) SELECT id, a FROM t`,
    ],
  },
  {
    check: "dml-limit-orderby",
    engines: MY,
    flagged: [
      { sql: "DELETE FROM sessions WHERE expires_at < NOW() LIMIT 1000", level: "Medium" },
      { sql: "UPDATE jobs SET state = 'queued' WHERE state = 'stuck' LIMIT 50", level: "Medium" },
      { sql: "DELETE FROM sessions WHERE expires_at < NOW() ORDER BY id LIMIT 1000", level: "Low" },
      { sql: "UPDATE jobs SET state = 'x' WHERE state = 'y' ORDER BY created_at", level: "Low" },
    ],
    clean: [
      "DELETE FROM sessions WHERE id BETWEEN 1 AND 1000",
      "SELECT id FROM sessions ORDER BY id LIMIT 10",
      "UPDATE jobs SET state = 'queued' WHERE id = 9",
    ],
  },
  {
    check: "on-delete-cascade",
    engines: MY,
    flagged: [
      {
        sql: `CREATE TABLE items (${PK}, order_id BIGINT UNSIGNED NOT NULL, INDEX (order_id), FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE)`,
        level: "Low",
      },
      {
        sql: "ALTER TABLE items ADD CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON UPDATE CASCADE ON DELETE CASCADE",
        level: "Low",
      },
      {
        sql: `CREATE TABLE notes (${PK}, user_id BIGINT, CONSTRAINT fk_notes_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, INDEX (user_id))`,
        level: "Low",
      },
    ],
    clean: [
      `CREATE TABLE items (${PK}, order_id BIGINT UNSIGNED NOT NULL, INDEX (order_id), FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE RESTRICT)`,
      "ALTER TABLE items ADD CONSTRAINT fk_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON UPDATE CASCADE",
      "SELECT 'ON DELETE CASCADE'",
    ],
  },
];
