// Cases for data loss and statements that fail on SQLite.
import type { CheckCases } from "../../cases/types.ts";

const SQ = ["sqlite"] as const;
const PK = "id INTEGER PRIMARY KEY";
const USERS = { users: ["id:INTEGER", "email:TEXT:notnull", "name:TEXT", "score:INTEGER"] };
/** A table rebuild: new definition, copy, drop, rename. */
const rebuild = (
  cols: string,
  copy = "INSERT INTO users_new (id, email, name, score) SELECT id, email, name, score FROM users;\n",
) => `CREATE TABLE users_new (${cols});\n${copy}DROP TABLE users;\nALTER TABLE users_new RENAME TO users`;

export const sqliteDestructiveCases: CheckCases[] = [
  {
    check: "delete-without-where",
    engines: SQ,
    flagged: [
      { sql: "DELETE FROM users", level: "Critical" },
      { sql: "DELETE FROM users WHERE 1 = 1", level: "Critical" },
      { sql: "DELETE FROM users WHERE true", level: "Critical" },
    ],
    clean: [
      "DELETE FROM users WHERE id = 42",
      "SELECT 'DELETE FROM users'",
      "-- DELETE FROM users\nSELECT 1",
      `CREATE TABLE tmp (${PK}); DELETE FROM tmp`,
    ],
  },
  {
    check: "update-without-where",
    engines: SQ,
    flagged: [
      { sql: "UPDATE users SET score = 0", level: "Critical" },
      { sql: "UPDATE users SET score = 0 WHERE 1", level: "Critical" },
      { sql: "UPDATE OR IGNORE users SET score = 0 WHERE 'a' = 'a'", level: "Critical" },
    ],
    clean: [
      "UPDATE users SET score = 0 WHERE id = 7",
      "/* UPDATE users SET score = 0 */ SELECT 1",
      "CREATE TRIGGER trg AFTER INSERT ON users BEGIN UPDATE counters SET n = n + 1; END",
      `CREATE TABLE t (${PK}, a INTEGER); UPDATE t SET a = 1`,
    ],
  },
  {
    check: "drop-table",
    engines: SQ,
    flagged: [
      { sql: "DROP TABLE users", level: "Critical" },
      { sql: "DROP TABLE IF EXISTS main.users", level: "Critical" },
      { sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER`, ""), level: "Critical" },
    ],
    clean: [
      "SELECT 'DROP TABLE users'",
      `CREATE TABLE tmp (${PK}); DROP TABLE tmp`,
      "DROP VIEW IF EXISTS active_users",
      rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER`),
    ],
  },
  {
    check: "drop-database-or-schema",
    engines: SQ,
    flagged: [
      { sql: "PRAGMA writable_schema = ON", level: "Critical" },
      { sql: "UPDATE sqlite_schema SET sql = 'CREATE TABLE t (a)' WHERE name = 't'", level: "Critical" },
      { sql: "DELETE FROM sqlite_master WHERE type = 'table' AND name = 'users'", level: "Critical" },
    ],
    clean: [
      "PRAGMA writable_schema = OFF",
      "SELECT name FROM sqlite_schema WHERE type = 'table'",
      "DETACH DATABASE archive",
    ],
  },
  {
    check: "truncate",
    engines: SQ,
    flagged: [
      { sql: "TRUNCATE users", level: "High" },
      { sql: "TRUNCATE TABLE users", level: "High" },
      { sql: "SELECT 1;\nTRUNCATE TABLE sessions", level: "High" },
    ],
    clean: ["SELECT 'TRUNCATE users'", "DELETE FROM users WHERE id = 1", "-- TRUNCATE users\nSELECT 1"],
  },
  {
    check: "drop-column",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users DROP COLUMN legacy", level: "High" },
      { sql: "ALTER TABLE users DROP legacy", level: "High" },
      {
        sql: rebuild(
          `${PK}, email TEXT NOT NULL, name TEXT`,
          "INSERT INTO users_new (id, email, name) SELECT id, email, name FROM users;\n",
        ),
        level: "High",
        schema: USERS,
      },
    ],
    clean: [
      `CREATE TABLE t (${PK}, a TEXT); ALTER TABLE t DROP COLUMN a`,
      "DROP INDEX IF EXISTS ix_users_legacy",
      { sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER, nick TEXT`), schema: USERS },
    ],
  },
  {
    check: "drop-fk-constraint",
    engines: SQ,
    flagged: [
      { sql: "PRAGMA foreign_keys = OFF", level: "Medium" },
      { sql: "PRAGMA foreign_keys = 0", level: "Medium" },
      { sql: "PRAGMA main.foreign_keys = false", level: "Medium" },
    ],
    clean: ["PRAGMA foreign_keys = ON", "PRAGMA foreign_keys", "PRAGMA foreign_key_check"],
  },
  {
    check: "drop-not-null",
    engines: SQ,
    flagged: [
      { sql: rebuild(`${PK}, email TEXT, name TEXT, score INTEGER`), level: "Medium", schema: USERS },
      { sql: rebuild(`${PK}, email TEXT NULL, name TEXT, score INTEGER`), level: "Medium", schema: USERS },
      { sql: rebuild(`${PK}, email TEXT DEFAULT NULL, name TEXT, score INTEGER`), level: "Medium", schema: USERS },
    ],
    clean: [
      { sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER`), schema: USERS },
      rebuild(`${PK}, email TEXT, name TEXT, score INTEGER`),
      "ALTER TABLE users ADD COLUMN nick TEXT",
    ],
  },
  {
    check: "set-not-null",
    engines: SQ,
    flagged: [
      { sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT NOT NULL, score INTEGER`), level: "Medium", schema: USERS },
      {
        sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER NOT NULL DEFAULT 0`),
        level: "Medium",
        schema: USERS,
      },
      {
        sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', score INTEGER NOT NULL`),
        level: "Medium",
        count: 2,
        schema: USERS,
      },
    ],
    clean: [
      { sql: rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER`), schema: USERS },
      `CREATE TABLE t (${PK}, a TEXT NOT NULL)`,
      "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT ''",
    ],
  },
  {
    check: "large-dml",
    engines: SQ,
    flagged: [
      { sql: "UPDATE users SET score = 0 WHERE score IS NULL", level: "Medium" },
      { sql: "INSERT INTO users_archive (id, email) SELECT id, email FROM users", level: "Medium" },
      { sql: "UPDATE users SET name = email WHERE name IS NULL OR name = email", level: "Medium" },
    ],
    clean: [
      "UPDATE users SET score = 0 WHERE id BETWEEN 1 AND 1000 AND score IS NULL",
      "INSERT INTO users_archive (id, email) SELECT id, email FROM users WHERE id < 1000",
      rebuild(`${PK}, email TEXT NOT NULL, name TEXT, score INTEGER`),
    ],
  },
  {
    check: "on-delete-cascade",
    engines: SQ,
    flagged: [
      { sql: `CREATE TABLE items (${PK}, order_id INTEGER REFERENCES orders (id) ON DELETE CASCADE)`, level: "Low" },
      {
        sql: `CREATE TABLE items (${PK}, order_id INTEGER, FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE)`,
        level: "Low",
      },
      { sql: "ALTER TABLE items ADD COLUMN order_id INTEGER REFERENCES orders (id) ON DELETE CASCADE", level: "Low" },
    ],
    clean: [
      `CREATE TABLE items (${PK}, order_id INTEGER REFERENCES orders (id) ON DELETE RESTRICT)`,
      `CREATE TABLE items (${PK}, order_id INTEGER REFERENCES orders (id) ON UPDATE CASCADE)`,
      "SELECT 'ON DELETE CASCADE'",
    ],
  },
  {
    check: "syntax-error",
    engines: SQ,
    flagged: [
      { sql: "SELEC id FROM users", level: "High" },
      { sql: "ALTER TABLE users ALTER COLUMN email TYPE text", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN code TEXT UNIQUE", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN created TEXT DEFAULT (datetime('now'))", level: "High" },
    ],
    clean: [
      "SELECT id FROM users WHERE id = 1",
      "ALTER TABLE users RENAME email TO mail",
      "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL ON CONFLICT REPLACE) STRICT, WITHOUT ROWID",
      "INSERT INTO t (id, a) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET a = excluded.a",
      "ALTER TABLE users ADD COLUMN created TEXT DEFAULT '2020-01-01'",
    ],
  },
  {
    check: "unclosed-quote",
    engines: SQ,
    flagged: [
      { sql: "SELECT 'abc FROM users", level: "High" },
      { sql: 'SELECT "col FROM users', level: "High" },
      { sql: "SELECT 1;\nSELECT [weird FROM t", level: "High" },
    ],
    clean: ["SELECT 'it''s' AS a", 'SELECT "we""ird" FROM t WHERE 1 = 0', "SELECT [a b] FROM t WHERE 1 = 0"],
  },
  {
    check: "unbalanced-parens",
    engines: SQ,
    flagged: [
      { sql: "SELECT count(* FROM users", level: "High" },
      { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY", level: "High" },
      { sql: "SELECT id FROM users WHERE (id = 1))", level: "High" },
    ],
    clean: ["SELECT count(*) FROM users", "SELECT ')' AS p", "SELECT id FROM users WHERE (id = 1) -- )"],
  },
  {
    check: "unknown-table",
    engines: SQ,
    flagged: [
      { sql: "SELECT id FROM userz WHERE id = 1", level: "High", schema: USERS },
      { sql: "ALTER TABLE accounts ADD COLUMN x TEXT", level: "High", schema: USERS },
      { sql: "INSERT INTO audit (id) VALUES (1)", level: "High", schema: USERS },
    ],
    clean: [
      { sql: "SELECT id FROM users WHERE id = 1", schema: USERS },
      { sql: `CREATE TABLE audit (${PK}); INSERT INTO audit (id) VALUES (1)`, schema: USERS },
      { sql: "SELECT name FROM sqlite_schema WHERE type = 'table'", schema: USERS },
      "SELECT id FROM userz WHERE id = 1",
    ],
  },
  {
    check: "unknown-column",
    engines: SQ,
    flagged: [
      { sql: "UPDATE users SET emial = 'x' WHERE id = 1", level: "High", schema: USERS },
      { sql: "INSERT INTO users (id, mail) VALUES (1, 'x')", level: "High", schema: USERS },
      { sql: "ALTER TABLE users DROP COLUMN nickname", level: "High", schema: USERS },
    ],
    clean: [
      { sql: "UPDATE users SET email = 'x' WHERE id = 1", schema: USERS },
      { sql: "ALTER TABLE users ADD COLUMN nick TEXT; UPDATE users SET nick = 'x' WHERE id = 1", schema: USERS },
      "UPDATE users SET emial = 'x' WHERE id = 1",
    ],
  },
  {
    check: "unsupported-type",
    engines: SQ,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, code STRING)`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, v VARCHAR(10)) STRICT`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, at DATETIME) STRICT`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, p FLOATING POINT)`, level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, code TEXT)`,
      `CREATE TABLE t (${PK}, v TEXT, n INT, r REAL, b BLOB, x ANY) STRICT`,
      `CREATE TABLE t (${PK}, n BIGINT, m UNSIGNED BIG INT)`,
    ],
  },
  {
    check: "duplicate-column",
    engines: SQ,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, a TEXT, a TEXT)`, level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN email TEXT", level: "High", schema: USERS },
      { sql: "INSERT INTO users (id, name, name) VALUES (1, 'a', 'b')", level: "Medium" },
      { sql: "UPDATE users SET name = 'a', name = 'b' WHERE id = 1", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, a TEXT, b TEXT)`,
      { sql: "ALTER TABLE users ADD COLUMN nick TEXT", schema: USERS },
      "UPDATE users SET name = 'a', email = 'b' WHERE id = 1",
    ],
  },
  {
    check: "not-null-without-default",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL", level: "High" },
      { sql: "ALTER TABLE users ADD nick TEXT NOT NULL", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT NULL", level: "High" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE users ADD COLUMN nick TEXT",
      `CREATE TABLE t (${PK}, a TEXT NOT NULL)`,
    ],
  },
  {
    check: "transaction-control",
    engines: SQ,
    flagged: [
      { sql: "BEGIN;\nUPDATE users SET a = 1 WHERE id = 1", level: "Medium" },
      { sql: "UPDATE users SET a = 1 WHERE id = 1;\nCOMMIT", level: "Medium" },
      { sql: "BEGIN IMMEDIATE", level: "Medium" },
      { sql: "ROLLBACK", level: "Medium" },
    ],
    clean: ["SAVEPOINT step1", "RELEASE step1", "SELECT 'BEGIN'"],
  },
  {
    check: "unique-on-existing-data",
    engines: SQ,
    flagged: [
      { sql: "CREATE UNIQUE INDEX ux_email ON users (email)", level: "Medium" },
      { sql: "CREATE UNIQUE INDEX IF NOT EXISTS ux_email ON users (email)", level: "Medium" },
      { sql: "CREATE UNIQUE INDEX ux_name ON users (lower(name))", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, e TEXT); CREATE UNIQUE INDEX ux ON t (e)`,
      "CREATE INDEX ix_email ON users (email)",
      `CREATE TABLE t (${PK}, e TEXT UNIQUE)`,
    ],
  },
];
