// Cases for the data-loss checks on PostgreSQL.
import type { CheckCases } from "../../cases/types.ts";

const PG = ["postgresql"] as const;
const PK = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

export const destructiveCases: CheckCases[] = [
  {
    check: "delete-without-where",
    engines: PG,
    flagged: [
      { sql: "DELETE FROM users", level: "Critical" },
      { sql: "DELETE FROM users WHERE 1 = 1", level: "Critical" },
      { sql: "DELETE FROM users WHERE true", level: "Critical" },
      { sql: "WITH gone AS (DELETE FROM sessions RETURNING id) SELECT count(*) FROM gone", level: "Critical" },
    ],
    clean: [
      "DELETE FROM users WHERE id = 42",
      "SELECT 'DELETE FROM users'",
      "-- DELETE FROM users\nSELECT 1",
      `CREATE TABLE tmp (${PK}); DELETE FROM tmp`,
      "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS $$ DELETE FROM users $$",
    ],
  },
  {
    check: "update-without-where",
    engines: PG,
    flagged: [
      { sql: "UPDATE users SET active = false", level: "Critical" },
      { sql: "UPDATE users SET active = false WHERE 1 = 1", level: "Critical" },
      { sql: "UPDATE users SET active = false WHERE 'x' = 'x'", level: "Critical" },
      { sql: "UPDATE accounts SET balance = 0 WHERE true OR id = 1", level: "Critical" },
    ],
    clean: [
      "UPDATE users SET active = false WHERE id = 7",
      "SELECT 'UPDATE users SET active = false'",
      "DO $$ BEGIN UPDATE users SET active = false; END $$",
      "/* UPDATE users SET a = 1 */ SELECT 1",
    ],
  },
  {
    check: "drop-table",
    engines: PG,
    flagged: [
      { sql: "DROP TABLE users", level: "Critical" },
      { sql: "DROP TABLE IF EXISTS users", level: "Critical" },
      { sql: "DROP TABLE users, orders", level: "Critical", count: 2 },
      { sql: "DROP TABLE public.audit_log CASCADE", level: "Critical" },
    ],
    clean: [
      "SELECT 'DROP TABLE users'",
      "-- DROP TABLE users\nSELECT 1",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$",
      `CREATE TABLE tmp_import (${PK}); DROP TABLE tmp_import`,
      "DROP VIEW active_users",
    ],
  },
  {
    check: "drop-database-or-schema",
    engines: PG,
    flagged: [
      { sql: "DROP DATABASE shop", level: "Critical" },
      { sql: "DROP SCHEMA billing", level: "Critical" },
      { sql: "DROP SCHEMA IF EXISTS billing CASCADE", level: "Critical" },
    ],
    clean: ["CREATE SCHEMA billing", "SELECT 'DROP DATABASE shop'", "ALTER SCHEMA billing OWNER TO app"],
  },
  {
    check: "truncate",
    engines: PG,
    flagged: [
      { sql: "TRUNCATE users", level: "High" },
      { sql: "TRUNCATE TABLE users, orders", level: "High" },
      { sql: "TRUNCATE users RESTART IDENTITY", level: "High" },
    ],
    clean: [
      "SELECT 'TRUNCATE users'",
      `CREATE TABLE staging (${PK}); TRUNCATE staging`,
      "DELETE FROM users WHERE id = 1",
    ],
  },
  {
    check: "cascade",
    engines: PG,
    flagged: [
      { sql: "DROP TABLE users CASCADE", level: "Critical" },
      { sql: "TRUNCATE orders CASCADE", level: "Critical" },
      { sql: "ALTER TABLE users DROP COLUMN email CASCADE", level: "Critical" },
      { sql: "DROP SCHEMA old CASCADE", level: "Critical" },
    ],
    clean: [
      "DROP TABLE users",
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID",
      "SELECT 'DROP TABLE users CASCADE'",
    ],
  },
  {
    check: "drop-column",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users DROP COLUMN email", level: "High" },
      { sql: "ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag", level: "High" },
      { sql: "ALTER TABLE users DROP email, DROP phone", level: "High", count: 2 },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN email text",
      `CREATE TABLE t (${PK}, x int); ALTER TABLE t DROP COLUMN x`,
      "ALTER TABLE users DROP CONSTRAINT users_email_key",
    ],
  },
  {
    check: "drop-fk-constraint",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey", level: "Medium" },
      { sql: "ALTER TABLE orders DROP CONSTRAINT fk_orders_user", level: "Medium" },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT ord_usr FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders DROP CONSTRAINT ord_usr",
        level: "Medium",
      },
    ],
    clean: [
      "ALTER TABLE orders DROP CONSTRAINT orders_amount_check",
      "ALTER TABLE orders DROP CONSTRAINT orders_email_key",
      "SELECT 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey'",
    ],
  },
  {
    check: "drop-not-null",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL", level: "Medium" },
      { sql: "ALTER TABLE users ALTER email DROP NOT NULL", level: "Medium" },
      { sql: "ALTER TABLE ONLY users ALTER COLUMN phone DROP NOT NULL", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ALTER COLUMN email SET DEFAULT ''",
      `CREATE TABLE t (${PK}, x int NOT NULL); ALTER TABLE t ALTER COLUMN x DROP NOT NULL`,
      "ALTER TABLE users ALTER COLUMN email DROP DEFAULT",
    ],
  },
  {
    check: "large-dml",
    engines: PG,
    flagged: [
      { sql: "UPDATE users SET score = 0 WHERE score IS NULL", level: "Medium" },
      {
        sql: "UPDATE users SET email_lower = lower(email) WHERE email_lower IS DISTINCT FROM lower(email)",
        level: "Medium",
      },
      { sql: "INSERT INTO users_archive (id, email) SELECT id, email FROM users", level: "Medium" },
    ],
    clean: [
      "UPDATE users SET score = 0 WHERE id = 5",
      "UPDATE users SET score = 0 WHERE id BETWEEN 1 AND 1000",
      "INSERT INTO users_archive (id) SELECT id FROM users WHERE created_at < '2020-01-01'",
      "INSERT INTO settings (key, value) VALUES ('a', 'b')",
    ],
  },
  {
    check: "on-delete-cascade",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE o (${PK}, user_id bigint REFERENCES users (id) ON DELETE CASCADE)`, level: "Low" },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID",
        level: "Low",
      },
      { sql: `CREATE TABLE o (${PK}, u bigint, FOREIGN KEY (u) REFERENCES users ON DELETE CASCADE)`, level: "Low" },
    ],
    clean: [
      `CREATE TABLE o (${PK}, user_id bigint REFERENCES users (id) ON DELETE RESTRICT)`,
      `CREATE TABLE o (${PK}, user_id bigint REFERENCES users (id) ON UPDATE CASCADE)`,
      `CREATE TABLE o (${PK}, user_id bigint REFERENCES users (id))`,
    ],
  },
];
