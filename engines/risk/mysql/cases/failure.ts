// Cases for statements that fail, or do something else than meant, on MySQL and MariaDB.
import type { CheckCases } from "../../cases/types.ts";

const MY = ["mysql", "mariadb"] as const;
const PK = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY";
const USERS = { users: ["id:bigint", "email:varchar(255)", "name:varchar(100)"] };

export const mysqlFailureCases: CheckCases[] = [
  {
    check: "syntax-error",
    engines: MY,
    flagged: [
      { sql: "SELEC id FROM users", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN", level: "High" },
      { sql: "UPDATE users WHERE id = 1", level: "High" },
      { sql: "CREATE INDEX ON users (email)", level: "High" },
      { sql: "ALTER TABLE users ALTER COLUMN email TYPE text", level: "High" },
    ],
    clean: [
      "SELECT id FROM users WHERE id = 1",
      "DELETE FROM users WHERE id < 10 LIMIT 100",
      "ALTER TABLE users ADD COLUMN nickname VARCHAR(50) NULL, ALGORITHM=INSTANT",
      "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
      "SELECT 'SELEC'",
      "/*!40101 SET NAMES utf8mb4 */",
    ],
  },
  {
    check: "unclosed-quote",
    engines: MY,
    flagged: [
      { sql: "SELECT 'abc FROM users", level: "High" },
      { sql: 'UPDATE users SET name = "x WHERE id = 1', level: "High" },
      { sql: "SELECT 1;\nSELECT `weird FROM t", level: "High" },
    ],
    clean: [
      "SELECT 'it''s' AS a",
      "SELECT 'back\\'slash' AS a",
      'SELECT "dq" AS a',
      "SELECT `we``ird` FROM t WHERE id = 1",
    ],
  },
  {
    check: "unbalanced-parens",
    engines: MY,
    flagged: [
      { sql: "SELECT COUNT(* FROM users", level: "High" },
      { sql: "CREATE TABLE t (id INT PRIMARY KEY", level: "High" },
      { sql: "SELECT id FROM users WHERE (id = 1))", level: "High" },
    ],
    clean: ["SELECT COUNT(*) FROM users", "SELECT ')' AS p", "SELECT id FROM users WHERE (id = 1) -- )"],
  },
  {
    check: "unknown-table",
    engines: MY,
    flagged: [
      { sql: "SELECT id FROM userz WHERE id = 1", level: "High", schema: USERS },
      { sql: "ALTER TABLE accounts ADD COLUMN x INT NULL", level: "High", schema: USERS },
      { sql: "INSERT INTO audit (id) VALUES (1)", level: "High", schema: USERS },
      { sql: "DROP TABLE ghosts", level: "High", schema: USERS },
    ],
    clean: [
      { sql: "SELECT id FROM users WHERE id = 1", schema: USERS },
      { sql: `CREATE TABLE audit (${PK}); INSERT INTO audit (id) VALUES (1)`, schema: USERS },
      { sql: "DROP TABLE IF EXISTS ghosts", schema: USERS },
      "SELECT id FROM userz WHERE id = 1",
      { sql: "WITH recent AS (SELECT id FROM users WHERE id > 5) SELECT id FROM recent LIMIT 5", schema: USERS },
      { sql: "SELECT table_name FROM information_schema.tables WHERE table_schema = 'x'", schema: USERS },
    ],
  },
  {
    check: "unknown-column",
    engines: MY,
    flagged: [
      { sql: "UPDATE users SET emial = 'x' WHERE id = 1", level: "High", schema: USERS },
      { sql: "INSERT INTO users (id, mail) VALUES (1, 'x')", level: "High", schema: USERS },
      { sql: "ALTER TABLE users DROP COLUMN nickname", level: "High", schema: USERS },
      { sql: "DELETE FROM users WHERE nick = 'x'", level: "High", schema: USERS },
    ],
    clean: [
      { sql: "UPDATE users SET email = 'x' WHERE id = 1", schema: USERS },
      {
        sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL; UPDATE users SET nick = 'x' WHERE id = 1",
        schema: USERS,
      },
      { sql: "ALTER TABLE users DROP COLUMN IF EXISTS nickname", schema: USERS },
      "UPDATE users SET emial = 'x' WHERE id = 1",
    ],
  },
  {
    check: "unsupported-type",
    engines: MY,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, data JSONB)`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, at TIMESTAMPTZ)`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, body BYTEA)`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, name VARCHAR)`, level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN tags TEXT[] NULL", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, data JSON)`,
      `CREATE TABLE t (${PK}, at DATETIME(6), body BLOB, name VARCHAR(100), f FLOAT8, b BOOL)`,
      "SELECT 'JSONB' AS t",
      "CREATE TABLE t (s SERIAL PRIMARY KEY, n INT4, m INT8)",
    ],
  },
  {
    check: "unsupported-type",
    engines: ["mysql"],
    flagged: [{ sql: `CREATE TABLE t (${PK}, ext UUID)`, level: "High" }],
    clean: [],
  },
  {
    check: "unsupported-type",
    engines: ["mariadb"],
    flagged: [],
    clean: [`CREATE TABLE t (${PK}, ext UUID)`, `CREATE TABLE t (${PK}, ip INET6)`],
  },
  {
    // ALTER IGNORE is MariaDB only (MySQL removed it in 5.7).
    check: "unique-on-existing-data",
    engines: ["mariadb"],
    flagged: [{ sql: "ALTER IGNORE TABLE users ADD UNIQUE KEY ux_email (email)", level: "Critical" }],
    clean: [],
  },
  {
    check: "duplicate-column",
    engines: MY,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, a INT, a INT)`, level: "High" },
      { sql: "INSERT INTO users (id, id) VALUES (1, 2)", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN email VARCHAR(10) NULL", level: "High", schema: USERS },
      { sql: "UPDATE users SET name = 'a', name = 'b' WHERE id = 1", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, a INT, b INT)`,
      "INSERT INTO users (id, email) VALUES (1, 'x')",
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(10) NULL", schema: USERS },
      "UPDATE users SET name = 'a', email = 'b' WHERE id = 1",
    ],
  },
  {
    check: "not-null-without-default",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN age INT NOT NULL", level: "Medium" },
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NOT NULL", level: "Medium" },
      { sql: "ALTER TABLE users ADD COLUMN born DATE NOT NULL", level: "High" },
      { sql: "ALTER TABLE users ADD tier ENUM('free','pro') NOT NULL, ALGORITHM=INSTANT", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN age INT NOT NULL DEFAULT 0",
      "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL",
      `CREATE TABLE t (${PK}); ALTER TABLE t ADD COLUMN a INT NOT NULL`,
      "ALTER TABLE users ADD COLUMN doubled INT AS (id * 2) VIRTUAL",
      `CREATE TABLE t (${PK}, a INT NOT NULL)`,
    ],
  },
  {
    check: "transaction-control",
    engines: MY,
    flagged: [
      { sql: "START TRANSACTION;\nALTER TABLE users ADD COLUMN x INT NULL;\nCOMMIT", level: "Medium" },
      { sql: "BEGIN;\nUPDATE users SET a = 1 WHERE id = 1;\nSTART TRANSACTION;\nCOMMIT", level: "Medium" },
      { sql: "START TRANSACTION;\nUPDATE users SET a = 1 WHERE id = 1", level: "Medium" },
      { sql: `BEGIN;\nCREATE TABLE t (${PK});\nCOMMIT`, level: "Medium" },
    ],
    clean: [
      "START TRANSACTION;\nUPDATE users SET a = 1 WHERE id = 1;\nUPDATE orders SET b = 2 WHERE id = 2;\nCOMMIT",
      "ALTER TABLE users ADD COLUMN x INT NULL",
      "SELECT 'START TRANSACTION'",
      "BEGIN;\nDELETE FROM users WHERE id = 1;\nROLLBACK",
    ],
  },
  {
    check: "unique-on-existing-data",
    engines: MY,
    flagged: [
      { sql: "CREATE UNIQUE INDEX ux_email ON users (email)", level: "Medium" },
      { sql: "ALTER TABLE users ADD UNIQUE KEY ux_email (email), ALGORITHM=INPLACE, LOCK=NONE", level: "Medium" },
      { sql: "ALTER TABLE users ADD CONSTRAINT ux_email UNIQUE (email)", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, email VARCHAR(100)); CREATE UNIQUE INDEX ux ON t (email)`,
      "CREATE INDEX ix_email ON users (email)",
      `CREATE TABLE t (${PK}, email VARCHAR(100), UNIQUE KEY ux (email))`,
    ],
  },
];
