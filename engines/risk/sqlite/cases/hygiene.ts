// Cases for renames, script-wide checks, design and query hygiene on SQLite.
import type { CheckCases } from "../../cases/types.ts";

const SQ = ["sqlite"] as const;
const PK = "id INTEGER PRIMARY KEY";

export const sqliteHygieneCases: CheckCases[] = [
  {
    check: "merge-alter-table",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN a TEXT;\nALTER TABLE users ADD COLUMN b TEXT", level: "Low" },
      { sql: "ALTER TABLE users RENAME COLUMN a TO b;\nALTER TABLE users DROP COLUMN c", level: "Low" },
      {
        sql: "ALTER TABLE t1 ADD COLUMN a TEXT;\nALTER TABLE t2 ADD COLUMN a TEXT;\nALTER TABLE t1 ADD COLUMN b TEXT",
        level: "Low",
      },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN a TEXT",
      "ALTER TABLE users ADD COLUMN a TEXT;\nALTER TABLE orders ADD COLUMN a TEXT",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD COLUMN a TEXT;\nALTER TABLE t ADD COLUMN b TEXT`,
    ],
  },
  {
    check: "mix-ddl-dml",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN a TEXT;\nUPDATE users SET a = 'x' WHERE id = 1", level: "Low" },
      { sql: "DELETE FROM users WHERE id = 1;\nCREATE INDEX ix ON users (email)", level: "Low" },
      { sql: `CREATE TABLE t (${PK});\nINSERT INTO t (id) VALUES (1)`, level: "Low" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN a TEXT",
      "UPDATE users SET a = 1 WHERE id = 1;\nDELETE FROM users WHERE id = 2",
      "SELECT 1;\nCREATE INDEX ix ON users (email)",
    ],
  },
  {
    check: "rename-column",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users RENAME COLUMN email TO email_address", level: "High" },
      { sql: "ALTER TABLE users RENAME email TO email_address", level: "High" },
      { sql: 'ALTER TABLE main.users RENAME COLUMN "name" TO full_name', level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, a TEXT); ALTER TABLE t RENAME COLUMN a TO b`,
      "SELECT 'RENAME COLUMN'",
      "ALTER TABLE users ADD COLUMN email_address TEXT",
    ],
  },
  {
    check: "rename-table",
    engines: SQ,
    flagged: [
      { sql: "ALTER TABLE users RENAME TO members", level: "High" },
      { sql: "ALTER TABLE main.users RENAME TO members", level: "High" },
      { sql: "ALTER TABLE [users] RENAME TO [people]", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}); ALTER TABLE t RENAME TO t2`,
      `CREATE TABLE users_new (${PK});\nINSERT INTO users_new (id) SELECT id FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users`,
      "SELECT 'ALTER TABLE users RENAME TO members'",
    ],
  },
  {
    check: "missing-primary-key",
    engines: SQ,
    flagged: [
      { sql: "CREATE TABLE logs (msg TEXT)", level: "Medium" },
      { sql: "CREATE TABLE logs (id INTEGER, msg TEXT, UNIQUE (id))", level: "Medium" },
      { sql: "CREATE TABLE IF NOT EXISTS events (id INTEGER, at TEXT)", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE logs (${PK}, msg TEXT)`,
      "CREATE TABLE kv (k TEXT, v TEXT, PRIMARY KEY (k)) WITHOUT ROWID",
      "CREATE TEMP TABLE scratch (a TEXT)",
      "CREATE TABLE copy AS SELECT id FROM users WHERE id < 10",
    ],
  },
  {
    check: "type-hygiene",
    engines: SQ,
    flagged: [
      { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", level: "Low" },
      { sql: `CREATE TABLE t (${PK}, name VARCHAR(50))`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, seen_at DATETIME)`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, price DECIMAL(10,2))`, level: "Low" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, name TEXT, seen_at TEXT, price_cents INTEGER)`,
      `CREATE TABLE t (${PK}, ratio REAL)`,
      `CREATE TABLE t (${PK}, body BLOB) STRICT`,
    ],
  },
  {
    check: "naming",
    engines: SQ,
    flagged: [
      { sql: `CREATE TABLE sqlite_stats_extra (${PK})`, level: "High" },
      { sql: "CREATE INDEX sqlite_ix ON users (email)", level: "High" },
      { sql: "ALTER TABLE users RENAME TO sqlite_users", level: "High" },
    ],
    clean: [
      `CREATE TABLE stats_extra (${PK})`,
      "CREATE INDEX ix_sqlite ON users (email)",
      "SELECT name FROM sqlite_master WHERE type = 'index'",
    ],
  },
  {
    check: "index-hygiene",
    engines: SQ,
    flagged: [
      { sql: "CREATE INDEX ix ON users (email, email)", level: "Low" },
      {
        sql: "CREATE INDEX ix_email ON users (email)",
        level: "Low",
        schema: { "users#ix_email_name(email,name)": ["id", "email", "name"] },
      },
      { sql: `CREATE TABLE t (${PK}, a TEXT, b TEXT, UNIQUE (a, b), UNIQUE (a, b))`, level: "Low" },
    ],
    clean: [
      "CREATE INDEX ix ON users (email, name)",
      {
        sql: "CREATE INDEX ix_name ON users (name)",
        schema: { "users#ix_email_name(email,name)": ["id", "email", "name"] },
      },
      "CREATE INDEX ix_active ON users (email) WHERE active = 1",
    ],
  },
  {
    check: "non-idempotent",
    engines: SQ,
    flagged: [
      { sql: `CREATE TABLE t (${PK})`, level: "Low" },
      { sql: "CREATE INDEX ix ON users (email)", level: "Low" },
      { sql: "DROP TABLE t", level: "Low" },
    ],
    clean: [
      `CREATE TABLE IF NOT EXISTS t (${PK})`,
      "CREATE INDEX IF NOT EXISTS ix ON users (email)",
      "DROP TABLE IF EXISTS t",
    ],
  },
  {
    check: "object-policy",
    engines: SQ,
    flagged: [
      {
        sql: "CREATE TRIGGER trg AFTER INSERT ON users BEGIN UPDATE counters SET n = n + 1 WHERE id = 1; END",
        level: "Low",
      },
      { sql: "CREATE TEMP TRIGGER trg BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'no'); END", level: "Low" },
      { sql: "CREATE TRIGGER IF NOT EXISTS trg AFTER UPDATE OF email ON users BEGIN SELECT 1; END", level: "Low" },
    ],
    clean: [`CREATE TABLE t (${PK})`, "CREATE VIEW v AS SELECT id FROM users WHERE id > 1", "SELECT 'CREATE TRIGGER'"],
  },
  {
    check: "select-star",
    engines: SQ,
    flagged: [
      { sql: "SELECT * FROM users WHERE id = 1", level: "Low" },
      { sql: "SELECT u.* FROM users u WHERE u.id = 1", level: "Low" },
      { sql: "CREATE VIEW v AS SELECT * FROM users WHERE id > 1", level: "Low" },
    ],
    clean: [
      "SELECT id, email FROM users WHERE id = 1",
      "SELECT count(*) FROM users",
      "SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id)",
    ],
  },
  {
    check: "missing-limit",
    engines: SQ,
    flagged: [
      { sql: "SELECT id FROM users", level: "Low" },
      { sql: "SELECT id FROM users ORDER BY id", level: "Low" },
      { sql: "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id", level: "Low" },
    ],
    clean: [
      "SELECT id FROM users WHERE id = 1",
      "SELECT id FROM users LIMIT 10",
      "SELECT count(*) FROM users",
      "SELECT status, count(*) FROM users GROUP BY status",
    ],
  },
  {
    check: "cartesian-join",
    engines: SQ,
    flagged: [
      { sql: "SELECT u.id FROM users u, orders o WHERE u.id = 1", level: "Medium" },
      { sql: "SELECT u.id FROM users u JOIN orders o ON 1 = 1 WHERE u.id = 1", level: "Medium" },
      { sql: "SELECT u.id FROM users u JOIN orders o WHERE u.id = 1", level: "Medium" },
    ],
    clean: [
      "SELECT u.id FROM users u, orders o WHERE o.user_id = u.id",
      "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 1",
      "SELECT u.id FROM users u CROSS JOIN settings s WHERE u.id = 1",
    ],
  },
  {
    check: "insert-without-columns",
    engines: SQ,
    flagged: [
      { sql: "INSERT INTO users VALUES (1, 'a@example.com')", level: "Low" },
      { sql: "INSERT OR REPLACE INTO settings VALUES ('k', 'v')", level: "Low" },
      { sql: "INSERT INTO archive SELECT id, email FROM users WHERE id < 5", level: "Low" },
    ],
    clean: [
      "INSERT INTO users (id, email) VALUES (1, 'a@example.com')",
      "INSERT INTO archive (id, email) SELECT id, email FROM users WHERE id < 5",
      "SELECT 'INSERT INTO users VALUES (1)'",
    ],
  },
  {
    check: "non-sargable",
    engines: SQ,
    flagged: [
      { sql: "SELECT id FROM users WHERE email = NULL", level: "Medium" },
      { sql: "SELECT id FROM users WHERE email LIKE '%@example.com'", level: "Low" },
      { sql: "SELECT id FROM users WHERE lower(email) = 'a@example.com'", level: "Low" },
      { sql: "SELECT id FROM users WHERE id > 5 ORDER BY random() LIMIT 1", level: "Low" },
    ],
    clean: [
      "SELECT id FROM users WHERE email IS NULL",
      "SELECT id FROM users WHERE email LIKE 'a%'",
      "SELECT id FROM users WHERE email = lower('A@example.com')",
    ],
  },
  {
    check: "raw-sql-unchecked",
    engines: SQ,
    flagged: [
      { sql: "SELECT load_extension('./vec0')", level: "Low" },
      { sql: "CREATE TRIGGER trg AFTER INSERT ON users BEGIN DELETE FROM cache; END", level: "Low" },
      { sql: "CREATE TRIGGER trg2 BEFORE UPDATE ON users BEGIN SELECT 1; END", level: "Low" },
    ],
    clean: ["SELECT 'load_extension'", "SELECT id FROM users WHERE id = 1", "-- SELECT load_extension('x')\nSELECT 1"],
  },
];
