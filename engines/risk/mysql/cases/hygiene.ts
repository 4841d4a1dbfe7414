// Cases for renames, design hygiene and query hygiene on MySQL and MariaDB.
import type { CheckCases } from "../../cases/types.ts";

const MY = ["mysql", "mariadb"] as const;
const PK = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY";

export const mysqlHygieneCases: CheckCases[] = [
  {
    check: "rename-column",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users RENAME COLUMN email TO email_address", level: "High" },
      { sql: "ALTER TABLE users CHANGE email email_address VARCHAR(100)", level: "High" },
      { sql: "ALTER TABLE users RENAME COLUMN a TO b, RENAME COLUMN c TO d", level: "High", count: 2 },
    ],
    clean: [
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t RENAME COLUMN a TO b`,
      "ALTER TABLE users RENAME INDEX ix_a TO ix_b",
      "ALTER TABLE users CHANGE email email VARCHAR(100) NULL",
    ],
  },
  {
    check: "rename-table",
    engines: MY,
    flagged: [
      { sql: "RENAME TABLE users TO members", level: "High" },
      { sql: "ALTER TABLE users RENAME TO members", level: "High" },
      { sql: "ALTER TABLE users RENAME AS members", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}); RENAME TABLE t TO t2`,
      "RENAME TABLE users TO users_old, users_new TO users",
      "SELECT 'RENAME TABLE users TO members'",
    ],
  },
  {
    check: "missing-primary-key",
    engines: MY,
    flagged: [
      { sql: "CREATE TABLE logs (msg TEXT)", level: "Medium" },
      { sql: "CREATE TABLE logs (id BIGINT NOT NULL, msg TEXT, UNIQUE KEY (id))", level: "Medium" },
      { sql: "CREATE TABLE IF NOT EXISTS `events` (id BIGINT, INDEX (id))", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE logs (${PK}, msg TEXT)`,
      "CREATE TABLE logs (id BIGINT NOT NULL, msg TEXT, PRIMARY KEY (id))",
      "CREATE TEMPORARY TABLE scratch (a INT)",
      "CREATE TABLE logs_copy LIKE logs",
      "CREATE TABLE logs (msg TEXT);\nALTER TABLE logs ADD COLUMN id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY",
    ],
  },
  {
    check: "fk-missing-index",
    engines: MY,
    flagged: [
      {
        sql: `CREATE TABLE items (${PK}, order_id BIGINT UNSIGNED, FOREIGN KEY (order_id) REFERENCES orders (id))`,
        level: "Low",
      },
      { sql: "ALTER TABLE items ADD CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES orders (id)", level: "Low" },
      {
        sql: `CREATE TABLE items (${PK}, a BIGINT, b BIGINT, INDEX (b, a), FOREIGN KEY (a, b) REFERENCES p (x, y))`,
        level: "Low",
      },
    ],
    clean: [
      `CREATE TABLE items (${PK}, order_id BIGINT UNSIGNED, INDEX ix_order (order_id), FOREIGN KEY (order_id) REFERENCES orders (id))`,
      {
        sql: "ALTER TABLE items ADD CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES orders (id)",
        schema: { "items#ix_items_order(order_id)": ["id", "order_id"] },
      },
      `CREATE TABLE items (${PK}, a BIGINT, b BIGINT, INDEX (a, b), FOREIGN KEY (a) REFERENCES p (x))`,
    ],
  },
  {
    check: "type-hygiene",
    engines: MY,
    flagged: [
      { sql: "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)", level: "Low" },
      { sql: `CREATE TABLE t (${PK}, seen_at TIMESTAMP NULL)`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, price DOUBLE)`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, name VARCHAR(10) CHARACTER SET utf8)`, level: "Low" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, seen_at DATETIME NULL, price DECIMAL(12,2), name VARCHAR(10) CHARACTER SET utf8mb4)`,
      `CREATE TABLE t (${PK}, flag TINYINT(1) NOT NULL DEFAULT 0)`,
      `CREATE TABLE t (${PK}, ratio DOUBLE)`,
    ],
  },
  {
    check: "type-hygiene",
    engines: ["mysql"],
    flagged: [{ sql: `CREATE TABLE t (${PK}, n INT(11))`, level: "Low" }],
    clean: [],
  },
  {
    check: "type-hygiene",
    engines: ["mariadb"],
    flagged: [],
    clean: [`CREATE TABLE t (${PK}, n INT(11))`],
  },
  {
    check: "naming",
    engines: MY,
    flagged: [
      { sql: `CREATE TABLE UserAccounts (${PK})`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, ${"x".repeat(70)} INT)`, level: "High" },
      { sql: "RENAME TABLE users TO Users", level: "Low" },
    ],
    clean: [
      `CREATE TABLE user_accounts (${PK})`,
      `CREATE TABLE t (${PK}, createdAt DATETIME)`,
      "SELECT 1 AS `UserAccounts`",
    ],
  },
  {
    check: "index-hygiene",
    engines: MY,
    flagged: [
      { sql: "CREATE INDEX ix ON users (email, email)", level: "Low" },
      {
        sql: "CREATE INDEX ix_email ON users (email) ALGORITHM=INPLACE LOCK=NONE",
        level: "Low",
        schema: { "users#ix_email_name(email,name)": ["id", "email", "name"] },
      },
      { sql: `CREATE TABLE t (${PK}, a INT, b INT, INDEX i1 (a, b), INDEX i2 (a))`, level: "Low" },
    ],
    clean: [
      "CREATE INDEX ix ON users (email, name)",
      {
        sql: "CREATE INDEX ix_name ON users (name)",
        schema: { "users#ix_email_name(email,name)": ["id", "email", "name"] },
      },
      `CREATE TABLE t (${PK}, a INT, b INT, INDEX i1 (a), INDEX i2 (b))`,
    ],
  },
  {
    check: "non-idempotent",
    engines: MY,
    flagged: [
      { sql: `CREATE TABLE t (${PK})`, level: "Low" },
      { sql: "DROP TABLE t", level: "Low" },
      { sql: "DROP INDEX ix ON t", level: "Low" },
    ],
    clean: [`CREATE TABLE IF NOT EXISTS t (${PK})`, "DROP TABLE IF EXISTS t", "SELECT 1"],
  },
  {
    check: "object-policy",
    engines: MY,
    flagged: [
      { sql: "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", level: "Low" },
      { sql: "CREATE PROCEDURE p() BEGIN SELECT 1; END", level: "Low" },
      { sql: "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM logs WHERE id < 10", level: "Low" },
    ],
    clean: [`CREATE TABLE t (${PK})`, "CREATE VIEW v AS SELECT id FROM t WHERE id > 1", "SELECT 'CREATE TRIGGER'"],
  },
  {
    check: "select-star",
    engines: MY,
    flagged: [
      { sql: "SELECT * FROM users WHERE id = 1", level: "Low" },
      { sql: "SELECT u.* FROM users u WHERE u.id = 1", level: "Low" },
      { sql: "INSERT INTO archive SELECT * FROM users WHERE id < 5", level: "Low" },
    ],
    clean: [
      "SELECT id, email FROM users WHERE id = 1",
      "SELECT COUNT(*) FROM users",
      "SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id)",
      "SELECT 2 * 3",
    ],
  },
  {
    check: "missing-limit",
    engines: MY,
    flagged: [
      { sql: "SELECT id FROM users", level: "Low" },
      { sql: "SELECT id, email FROM users ORDER BY id", level: "Low" },
      { sql: "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id", level: "Low" },
    ],
    clean: [
      "SELECT id FROM users WHERE id = 1",
      "SELECT id FROM users LIMIT 10",
      "SELECT COUNT(*) FROM users",
      "SELECT status, COUNT(*) FROM users GROUP BY status",
    ],
  },
  {
    check: "cartesian-join",
    engines: MY,
    flagged: [
      { sql: "SELECT u.id FROM users u, orders o WHERE u.id = 1", level: "Medium" },
      { sql: "SELECT u.id FROM users u JOIN orders o ON 1 = 1 WHERE u.id = 1", level: "Medium" },
      { sql: "SELECT u.id FROM users u JOIN orders o WHERE u.id = 1", level: "Medium" },
    ],
    clean: [
      "SELECT u.id FROM users u, orders o WHERE o.user_id = u.id",
      "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 1",
      "SELECT u.id FROM users u CROSS JOIN settings s WHERE u.id = 1",
      "SELECT u.id FROM users u JOIN orders o USING (id) WHERE u.id = 1",
    ],
  },
  {
    check: "insert-without-columns",
    engines: MY,
    flagged: [
      { sql: "INSERT INTO users VALUES (1, 'a@example.com')", level: "Low" },
      { sql: "INSERT INTO archive SELECT id, email FROM users WHERE id < 5", level: "Low" },
      { sql: "REPLACE INTO settings VALUES ('k', 'v')", level: "Low" },
    ],
    clean: [
      "INSERT INTO users (id, email) VALUES (1, 'a@example.com')",
      "INSERT INTO users SET id = 1, email = 'a@example.com'",
      "INSERT INTO archive (id, email) SELECT id, email FROM users WHERE id < 5",
    ],
  },
  {
    check: "non-sargable",
    engines: MY,
    flagged: [
      { sql: "SELECT id FROM users WHERE email = NULL", level: "Medium" },
      { sql: "SELECT id FROM users WHERE email LIKE '%@example.com'", level: "Low" },
      { sql: "SELECT id FROM users WHERE LOWER(email) = 'a@example.com'", level: "Low" },
      { sql: "SELECT id FROM users WHERE id > 5 ORDER BY RAND() LIMIT 1", level: "Low" },
    ],
    clean: [
      "SELECT id FROM users WHERE email IS NULL",
      "SELECT id FROM users WHERE email LIKE 'a%'",
      "SELECT id FROM users WHERE email = LOWER('A@example.com')",
    ],
  },
  {
    check: "raw-sql-unchecked",
    engines: MY,
    flagged: [
      { sql: "PREPARE stmt FROM @sql", level: "Low" },
      { sql: "EXECUTE stmt", level: "Low" },
      { sql: "CREATE PROCEDURE p() BEGIN SET @s = 'DROP TABLE x'; PREPARE s FROM @s; EXECUTE s; END", level: "Low" },
    ],
    clean: ["SELECT 'PREPARE stmt FROM @sql'", "SELECT id FROM users WHERE id = 1", "-- EXECUTE stmt\nSELECT 1"],
  },
];
