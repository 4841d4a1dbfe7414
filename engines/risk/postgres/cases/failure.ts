// Cases for the checks of statements that will fail (PostgreSQL).
import type { CaseSchema, CheckCases } from "../../cases/types.ts";

const PG = ["postgresql"] as const;
const PK = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
const SHOP: CaseSchema = { users: ["id", "email", "name"], orders: ["id", "user_id", "total"] };

export const failureCases: CheckCases[] = [
  {
    check: "syntax-error",
    engines: PG,
    flagged: [
      { sql: "SELEC 1", level: "High" },
      { sql: "CREATE TABLE t (id bigint PRIMARY KEY,)", level: "High" },
      { sql: "SELECT 1;\nALTER TABLE users ADD COLUMN", level: "High" },
      { sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1", level: "High" },
    ],
    clean: ["SELECT 1", "SELECT 'SELEC 1'", "-- SELEC 1\nSELECT 1", 'CREATE TABLE t ("select" text)'],
  },
  {
    check: "unclosed-quote",
    engines: PG,
    flagged: [
      { sql: "SELECT 'abc", level: "High" },
      { sql: "SELECT 1;\nUPDATE users SET name = 'x WHERE id = 1;\nDROP TABLE users;", level: "High" },
      { sql: 'SELECT "name FROM users', level: "High" },
      { sql: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1", level: "High" },
    ],
    clean: ["SELECT 'it''s'", "SELECT E'a\\'b'", "SELECT $$ it's $$", "-- it's\nSELECT 1"],
  },
  {
    check: "unbalanced-parens",
    engines: PG,
    flagged: [
      { sql: "SELECT (1 + 2", level: "High" },
      { sql: "SELECT 1)", level: "High" },
      { sql: "CREATE TABLE t (id bigint PRIMARY KEY;\nSELECT 1;", level: "High" },
      { sql: "SELECT count(*)) FROM users WHERE id = 1", level: "High" },
    ],
    clean: ["SELECT (1 + 2)", "SELECT ')'", "SELECT 1 -- (\n", "SELECT $$(((($$"],
  },
  {
    check: "unknown-table",
    engines: PG,
    flagged: [
      { sql: "SELECT id FROM userz WHERE id = 1", level: "High", schema: SHOP },
      { sql: "ALTER TABLE invoices ADD COLUMN paid boolean", level: "High", schema: SHOP },
      { sql: "INSERT INTO order_items (id) VALUES (1)", level: "High", schema: SHOP },
      { sql: "DROP TABLE carts", level: "High", schema: SHOP },
    ],
    clean: [
      { sql: "SELECT id FROM users WHERE id = 1", schema: SHOP },
      { sql: `CREATE TABLE invoices (${PK}); ALTER TABLE invoices ADD COLUMN paid boolean`, schema: SHOP },
      { sql: "WITH recent AS (SELECT id FROM orders WHERE id > 10) SELECT id FROM recent LIMIT 5", schema: SHOP },
      { sql: "DROP TABLE IF EXISTS carts", schema: SHOP },
      "SELECT id FROM userz WHERE id = 1",
    ],
  },
  {
    check: "unknown-column",
    engines: PG,
    flagged: [
      { sql: "UPDATE users SET emial = 'x' WHERE id = 1", level: "High", schema: SHOP },
      { sql: "ALTER TABLE users DROP COLUMN phone", level: "High", schema: SHOP },
      { sql: "CREATE INDEX CONCURRENTLY users_nick_idx ON users (nick)", level: "High", schema: SHOP },
      { sql: "DELETE FROM orders WHERE totl > 100", level: "High", schema: SHOP },
    ],
    clean: [
      { sql: "UPDATE users SET email = 'x' WHERE id = 1", schema: SHOP },
      { sql: "ALTER TABLE users ADD COLUMN phone text; UPDATE users SET phone = '1' WHERE id = 2", schema: SHOP },
      { sql: "ALTER TABLE users DROP COLUMN IF EXISTS phone", schema: SHOP },
      "UPDATE users SET emial = 'x' WHERE id = 1",
    ],
  },
  {
    check: "unsupported-type",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, created datetime)`, level: "High" },
      { sql: `CREATE TABLE t (${PK}, n int unsigned)`, level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN flags tinyint", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN age int(11)", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, created timestamptz)`,
      "CREATE TYPE datetime AS (d date, t time); CREATE TABLE t (id bigint PRIMARY KEY, at datetime)",
      "SELECT 'tinyint'",
      "ALTER TABLE users ADD COLUMN age integer",
    ],
  },
  {
    check: "duplicate-column",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE t (${PK}, name text, name text)`, level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN nick text, ADD COLUMN nick text", level: "High" },
      { sql: "UPDATE users SET name = 'a', name = 'b' WHERE id = 1", level: "High" },
      { sql: "INSERT INTO users (id, email, id) VALUES (1, 'a', 2)", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN email text", level: "High", schema: SHOP },
    ],
    clean: [
      `CREATE TABLE t (${PK}, name text, nick text)`,
      "UPDATE users SET name = 'a', email = 'b' WHERE id = 1",
      { sql: "ALTER TABLE users ADD COLUMN IF NOT EXISTS email text", schema: SHOP },
      "SELECT name, name FROM users WHERE id = 1",
    ],
  },
  {
    check: "not-null-without-default",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN tier text NOT NULL", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN score int NOT NULL, ADD COLUMN x int", level: "High" },
      { sql: "ALTER TABLE ONLY public.users ADD COLUMN region_id bigint NOT NULL", level: "High" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free'",
      "ALTER TABLE users ADD COLUMN tier text",
      `CREATE TABLE t (${PK}); ALTER TABLE t ADD COLUMN tier text NOT NULL`,
      "ALTER TABLE users ADD COLUMN seq bigint NOT NULL GENERATED ALWAYS AS IDENTITY",
    ],
  },
  {
    check: "concurrent-index-in-transaction",
    engines: PG,
    flagged: [
      { sql: "BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;", level: "High" },
      { sql: "START TRANSACTION;\nDROP INDEX CONCURRENTLY users_email_idx;", level: "High" },
      { sql: "BEGIN;\nREINDEX (CONCURRENTLY) INDEX users_email_idx;", level: "High" },
    ],
    clean: [
      "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
      "BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
      "SELECT 'BEGIN'; CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
    ],
  },
  {
    check: "transaction-control",
    engines: PG,
    flagged: [
      { sql: "BEGIN;\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;", level: "Medium", count: 2 },
      { sql: "ALTER TABLE users ADD COLUMN a text;\nCOMMIT;", level: "Medium" },
      { sql: "START TRANSACTION;\nSELECT 1;", level: "Medium" },
      { sql: "ROLLBACK", level: "Medium" },
    ],
    clean: [
      "SAVEPOINT a; RELEASE SAVEPOINT a",
      "SELECT 'COMMIT'",
      "-- COMMIT;\nSELECT 1",
      "SAVEPOINT a; ROLLBACK TO SAVEPOINT a",
    ],
  },
  {
    check: "dependent-view",
    engines: PG,
    flagged: [
      { sql: "CREATE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;\nDROP TABLE orders;", level: "High" },
      {
        sql: "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;\nALTER TABLE orders DROP COLUMN total;",
        level: "High",
      },
      {
        sql: "CREATE VIEW v AS SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id;\nALTER TABLE users ALTER COLUMN id TYPE text;",
        level: "High",
      },
    ],
    clean: [
      "CREATE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;\nDROP TABLE users;",
      "CREATE VIEW v AS SELECT id FROM orders;\nDROP VIEW v;\nDROP TABLE orders;",
      "DROP TABLE orders",
    ],
  },
  {
    check: "unique-on-existing-data",
    engines: PG,
    flagged: [
      { sql: "CREATE UNIQUE INDEX users_email_key ON users (email)", level: "Medium" },
      { sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)", level: "Medium" },
      { sql: "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)", level: "Low" },
    ],
    clean: [
      "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
      `CREATE TABLE t (${PK}, email text); CREATE UNIQUE INDEX t_email_key ON t (email)`,
      "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx",
    ],
  },
];
