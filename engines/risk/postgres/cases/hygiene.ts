// Cases for design, hygiene and query checks on PostgreSQL.
import type { CheckCases } from "../../cases/types.ts";

const PG = ["postgresql"] as const;
const PK = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
const LONG = "a_very_long_column_name_that_goes_on_and_on_past_the_limit_of_63_b";

export const hygieneCases: CheckCases[] = [
  {
    check: "missing-primary-key",
    engines: PG,
    flagged: [
      { sql: "CREATE TABLE events (at timestamptz, kind text)", level: "Medium" },
      { sql: "CREATE TABLE IF NOT EXISTS logs (line text)", level: "Medium" },
      { sql: "CREATE TABLE a (x int);\nCREATE TABLE b (y int);", level: "Medium", count: 2 },
    ],
    clean: [
      `CREATE TABLE events (${PK}, at timestamptz)`,
      "CREATE TABLE events (id bigint, at timestamptz);\nALTER TABLE events ADD PRIMARY KEY (id);",
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
      "CREATE TABLE pairs (a bigint, b bigint, PRIMARY KEY (a, b))",
      "CREATE TEMP TABLE scratch (v text)",
      "CREATE TABLE users_copy (LIKE users INCLUDING ALL)",
    ],
  },
  {
    check: "fk-missing-index",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE orders2 (${PK}, user_id bigint REFERENCES users (id))`, level: "Low" },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        level: "Low",
      },
      {
        sql: `CREATE TABLE items (${PK}, order_id bigint, sku text, FOREIGN KEY (order_id) REFERENCES orders (id));\nCREATE INDEX items_sku_idx ON items (sku);`,
        level: "Low",
      },
    ],
    clean: [
      `CREATE TABLE orders2 (${PK}, user_id bigint REFERENCES users (id));\nCREATE INDEX orders2_user_idx ON orders2 (user_id);`,
      `CREATE TABLE items (order_id bigint REFERENCES orders (id), n int, PRIMARY KEY (order_id, n))`,
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
        schema: { "orders#orders_user_idx(user_id)": ["id", "user_id"] },
      },
    ],
  },
  {
    check: "type-hygiene",
    engines: PG,
    flagged: [
      { sql: "CREATE TABLE t (id int PRIMARY KEY)", level: "Low" },
      { sql: `CREATE TABLE t (${PK}, at timestamp)`, level: "Low" },
      { sql: `CREATE TABLE t (${PK}, doc json)`, level: "Low" },
      { sql: "ALTER TABLE users ADD COLUMN code char(3)", level: "Low" },
      { sql: "CREATE TABLE t (id serial PRIMARY KEY)", level: "Low" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, at timestamptz, doc jsonb, name text)`,
      "CREATE TABLE t (id bigint PRIMARY KEY, n bigint, label text)",
      "SELECT now()::timestamp",
    ],
  },
  {
    check: "naming",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE "UserAccounts" (${PK})`, level: "Low" },
      { sql: 'ALTER TABLE users ADD COLUMN "firstName" text', level: "Low" },
      { sql: `CREATE TABLE t (${PK}, "${LONG}" text)`, level: "Low" },
    ],
    clean: [
      `CREATE TABLE user_accounts (${PK})`,
      "ALTER TABLE users ADD COLUMN FirstName text",
      "SELECT 'UserAccounts'",
    ],
  },
  {
    check: "index-hygiene",
    engines: PG,
    flagged: [
      { sql: "CREATE INDEX CONCURRENTLY i ON users (email, email)", level: "Low" },
      {
        sql: `CREATE TABLE t (${PK}, a int, b int);\nCREATE INDEX t_ab ON t (a, b);\nCREATE INDEX t_a ON t (a);`,
        level: "Low",
      },
      {
        sql: "CREATE INDEX CONCURRENTLY users_email_idx2 ON users (email)",
        level: "Low",
        schema: { "users#users_email_idx(email)": ["id", "email"] },
      },
    ],
    clean: [
      "CREATE INDEX CONCURRENTLY i ON users (email, name)",
      `CREATE TABLE t (${PK}, a int, b int);\nCREATE INDEX t_a ON t (a);\nCREATE INDEX t_b ON t (b);`,
      `CREATE TABLE t (${PK}, a int, b int);\nCREATE INDEX t_a ON t (a);\nCREATE INDEX t_ab ON t (a, b);`,
    ],
  },
  {
    check: "select-star",
    engines: PG,
    flagged: [
      { sql: "SELECT * FROM users WHERE id = 1", level: "Low" },
      { sql: "CREATE VIEW v AS SELECT * FROM users", level: "Low" },
      { sql: "INSERT INTO users_archive SELECT u.* FROM users u WHERE id = 1", level: "Low" },
    ],
    clean: [
      "SELECT id, email FROM users WHERE id = 1",
      "SELECT count(*) FROM users",
      "SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id) LIMIT 1",
    ],
  },
  {
    check: "missing-limit",
    engines: PG,
    flagged: [
      { sql: "SELECT id FROM users", level: "Low" },
      { sql: "SELECT u.id, o.id FROM users u JOIN orders o ON o.user_id = u.id", level: "Low" },
      { sql: "SELECT DISTINCT email FROM users ORDER BY email", level: "Low" },
    ],
    clean: ["SELECT id FROM users WHERE id = 1", "SELECT id FROM users LIMIT 10", "SELECT count(*) FROM users"],
  },
  {
    check: "cartesian-join",
    engines: PG,
    flagged: [
      { sql: "SELECT u.id, o.id FROM users u, orders o LIMIT 5", level: "Medium" },
      { sql: "SELECT u.id FROM users u, orders o WHERE u.id = 1", level: "Medium" },
      { sql: "SELECT u.id FROM users u JOIN orders o ON true WHERE u.id = 1", level: "Medium" },
      { sql: "UPDATE orders o SET total = 0 FROM users u WHERE o.id = 5", level: "Medium" },
    ],
    clean: [
      "SELECT u.id FROM users u, orders o WHERE o.user_id = u.id",
      "SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 1",
      "SELECT u.id FROM users u CROSS JOIN generate_series(1, 3) g LIMIT 3",
      "UPDATE orders o SET total = 0 FROM users u WHERE o.user_id = u.id AND u.id = 1",
    ],
  },
  {
    check: "insert-without-columns",
    engines: PG,
    flagged: [
      { sql: "INSERT INTO users VALUES (1, 'a@b.c')", level: "Low" },
      { sql: "INSERT INTO users_archive SELECT id, email FROM users WHERE id = 1", level: "Low" },
      { sql: "INSERT INTO public.settings VALUES ('k', 'v') ON CONFLICT DO NOTHING", level: "Low" },
    ],
    clean: [
      "INSERT INTO users (id, email) VALUES (1, 'a@b.c')",
      "INSERT INTO users DEFAULT VALUES",
      "SELECT 'INSERT INTO users VALUES (1)'",
    ],
  },
  {
    check: "non-sargable",
    engines: PG,
    flagged: [
      { sql: "SELECT id FROM users WHERE email = NULL", level: "Medium" },
      { sql: "SELECT id FROM users WHERE email LIKE '%@example.com' LIMIT 10", level: "Low" },
      { sql: "SELECT id FROM users WHERE lower(email) = 'a@b.c'", level: "Low" },
      { sql: "DELETE FROM sessions WHERE user_id <> NULL", level: "Medium" },
    ],
    clean: [
      "SELECT id FROM users WHERE email IS NULL",
      "SELECT id FROM users WHERE email LIKE 'admin%'",
      "SELECT id FROM users WHERE email = lower('A@B.C')",
    ],
  },
  {
    check: "raw-sql-unchecked",
    engines: PG,
    flagged: [
      { sql: "DO $$ BEGIN PERFORM 1; END $$", level: "Low" },
      {
        sql: "CREATE FUNCTION drop_all() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE ' || 'x'; END $$",
        level: "Low",
      },
      { sql: "PREPARE q AS SELECT 1;\nEXECUTE q;", level: "Low" },
    ],
    clean: [
      "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$",
      "SELECT 'DO $$ BEGIN END $$'",
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$",
    ],
  },
  {
    check: "require-schema-qualified",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE users2 (${PK})`, level: "Low" },
      { sql: "ALTER TABLE users ADD COLUMN nick text", level: "Low" },
      { sql: `CREATE TABLE IF NOT EXISTS t (${PK})`, level: "Low" },
    ],
    clean: [
      `CREATE TABLE app.users2 (${PK})`,
      "ALTER TABLE app.users ADD COLUMN nick text",
      "SELECT id FROM users WHERE id = 1",
    ],
  },
  {
    check: "non-idempotent",
    engines: PG,
    flagged: [
      { sql: `CREATE TABLE t (${PK})`, level: "Low" },
      { sql: "ALTER TABLE users ADD COLUMN nick text", level: "Low" },
      { sql: "CREATE INDEX CONCURRENTLY users_nick_idx ON users (nick)", level: "Low" },
    ],
    clean: [
      `CREATE TABLE IF NOT EXISTS t (${PK})`,
      "ALTER TABLE users ADD COLUMN IF NOT EXISTS nick text",
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_nick_idx ON users (nick)",
    ],
  },
  {
    check: "object-policy",
    engines: PG,
    flagged: [
      {
        sql: "CREATE TRIGGER touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
        level: "Low",
      },
      { sql: "CREATE RULE no_delete AS ON DELETE TO users DO INSTEAD NOTHING", level: "Low" },
      {
        sql: "CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION audit_ddl()",
        level: "Low",
      },
    ],
    clean: [
      "CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
      "DROP TRIGGER IF EXISTS touch ON users",
      "SELECT 'CREATE TRIGGER'",
    ],
  },
];
