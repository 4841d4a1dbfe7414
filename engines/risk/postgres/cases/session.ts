// Cases for script-level checks (timeouts, lock holding, batching) and renames on PostgreSQL.
import type { CheckCases } from "../../cases/types.ts";

const PG = ["postgresql"] as const;
const PK = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
const TIMEOUTS = "SET lock_timeout = '5s';\nSET statement_timeout = '60s';\n";

export const sessionCases: CheckCases[] = [
  {
    check: "missing-lock-timeout",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN nick text", level: "Medium" },
      { sql: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;", level: "Medium" },
      { sql: "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN nick text", level: "Medium" },
      { sql: "SET lock_timeout = '5s';\nRESET lock_timeout;\nCREATE INDEX i ON users (email)", level: "Medium" },
    ],
    clean: [
      "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nick text",
      "SET LOCAL lock_timeout TO '2s';\nALTER TABLE users ADD COLUMN nick text",
      "SELECT set_config('lock_timeout', '3s', false);\nALTER TABLE users ADD COLUMN nick text",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD COLUMN x text`,
      "CREATE SCHEMA reporting;\nCREATE VIEW reporting.v AS SELECT 1 AS one;",
    ],
  },
  {
    check: "missing-statement-timeout",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN nick text", level: "Low" },
      { sql: "UPDATE users SET nick = name WHERE id = 1", level: "Low" },
      { sql: "SET statement_timeout = 0;\nTRUNCATE users", level: "Low" },
      { sql: "SET statement_timeout = '5s';\nRESET ALL;\nTRUNCATE users", level: "Low" },
    ],
    clean: [
      "SET statement_timeout = '30s';\nALTER TABLE users ADD COLUMN nick text",
      `CREATE TABLE t (${PK})`,
      "SELECT 1",
    ],
  },
  {
    check: "long-lock-hold",
    engines: PG,
    flagged: [
      {
        sql: `${TIMEOUTS}ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;`,
        level: "Medium",
      },
      {
        sql: `${TIMEOUTS}ALTER TABLE users ADD COLUMN score int;\nUPDATE users SET score = 0 WHERE id < 1000;`,
        level: "Medium",
      },
      {
        sql: `${TIMEOUTS}ALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX users_nick_idx ON users (nick);`,
        level: "Medium",
      },
    ],
    clean: [
      `${TIMEOUTS}ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;`,
      `${TIMEOUTS}ALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX CONCURRENTLY users_nick_idx ON users (nick);`,
      `${TIMEOUTS}ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;`,
    ],
  },
  {
    check: "merge-alter-table",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;", level: "Low" },
      { sql: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ALTER COLUMN a SET DEFAULT 'x';", level: "Low" },
      {
        sql: "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\nALTER TABLE users ADD COLUMN c text;",
        level: "Low",
        count: 2,
      },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN a text, ADD COLUMN b text",
      "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orders ADD COLUMN b text;",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD COLUMN a text;\nALTER TABLE t ADD COLUMN b text;`,
    ],
  },
  {
    check: "mix-ddl-dml",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN score int;\nUPDATE users SET score = 0 WHERE id = 1;", level: "Low" },
      { sql: "INSERT INTO settings (k) VALUES ('a');\nCREATE INDEX CONCURRENTLY i ON users (email);", level: "Low" },
      { sql: `CREATE TABLE t (${PK}, v text);\nINSERT INTO t (v) VALUES ('x');`, level: "Low" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN score int",
      "UPDATE users SET score = 0 WHERE id = 1;\nDELETE FROM sessions WHERE id = 2;",
      "SELECT 'INSERT INTO t VALUES (1)';\nALTER TABLE users ADD COLUMN a text;",
    ],
  },
  {
    check: "rename-column",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users RENAME COLUMN name TO full_name", level: "High" },
      { sql: "ALTER TABLE users RENAME name TO full_name", level: "High" },
      { sql: "ALTER TABLE IF EXISTS public.users RENAME COLUMN email TO mail", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, n text);\nALTER TABLE t RENAME COLUMN n TO name;`,
      "ALTER TABLE users ADD COLUMN full_name text",
      "ALTER TABLE users RENAME CONSTRAINT a TO b",
    ],
  },
  {
    check: "rename-table",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users RENAME TO accounts", level: "High" },
      { sql: "ALTER TABLE IF EXISTS users RENAME TO accounts", level: "High" },
      { sql: "ALTER TABLE public.users RENAME TO members", level: "High" },
    ],
    clean: [
      `CREATE TABLE t (${PK});\nALTER TABLE t RENAME TO t2;`,
      "ALTER INDEX users_email_idx RENAME TO users_mail_idx",
      "CREATE VIEW accounts AS SELECT id FROM users",
    ],
  },
  {
    check: "rename-schema",
    engines: PG,
    flagged: [
      { sql: "ALTER SCHEMA billing RENAME TO payments", level: "High" },
      { sql: "ALTER SCHEMA public RENAME TO app", level: "High" },
      { sql: 'ALTER SCHEMA "Legacy" RENAME TO legacy', level: "High" },
    ],
    clean: ["ALTER SCHEMA billing OWNER TO app", "CREATE SCHEMA payments", "SELECT 'ALTER SCHEMA a RENAME TO b'"],
  },
];
