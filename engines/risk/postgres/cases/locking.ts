// Cases for the lock and rewrite checks on PostgreSQL.
import type { CheckCases } from "../../cases/types.ts";

const PG = ["postgresql"] as const;
const PK = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

export const lockingCases: CheckCases[] = [
  {
    check: "create-index-non-concurrent",
    engines: PG,
    flagged: [
      { sql: "CREATE INDEX users_email_idx ON users (email)", level: "Medium" },
      { sql: "CREATE INDEX ON orders (user_id, created_at)", level: "Medium" },
      { sql: "CREATE INDEX users_email_idx ON users (email)", level: "High", schema: { users: ["id", "email"] } },
    ],
    clean: [
      "CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
      `CREATE TABLE t (${PK}, email text); CREATE INDEX t_email_idx ON t (email)`,
      "SELECT 'CREATE INDEX i ON users (email)'",
    ],
  },
  {
    check: "drop-index-non-concurrent",
    engines: PG,
    flagged: [
      { sql: "DROP INDEX users_email_idx", level: "Medium" },
      { sql: "DROP INDEX IF EXISTS users_email_idx", level: "Medium" },
      { sql: "DROP INDEX public.a_idx, public.b_idx", level: "Medium" },
    ],
    clean: [
      "DROP INDEX CONCURRENTLY users_email_idx",
      `CREATE TABLE t (${PK}, e text); CREATE INDEX t_e_idx ON t (e); DROP INDEX t_e_idx`,
      "-- DROP INDEX users_email_idx\nSELECT 1",
    ],
  },
  {
    check: "alter-column-type",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ALTER COLUMN id TYPE bigint", level: "High" },
      { sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(50)", level: "High" },
      {
        sql: "ALTER TABLE users ALTER COLUMN name SET DATA TYPE text USING name::text",
        level: "High",
      },
    ],
    clean: [
      `CREATE TABLE t (${PK}, n int); ALTER TABLE t ALTER COLUMN n TYPE bigint`,
      {
        sql: "ALTER TABLE users ALTER COLUMN name TYPE varchar(200)",
        schema: { users: ["id", "name:character varying(100)"] },
      },
      {
        sql: "ALTER TABLE users ALTER COLUMN name TYPE text",
        schema: { users: ["id", "name:character varying(100)"] },
      },
      "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x'",
    ],
  },
  {
    check: "add-column-volatile-default",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN r float8 NOT NULL DEFAULT random()", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN code text DEFAULT make_code()", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()",
      "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true",
      `CREATE TABLE t (${PK}); ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid()`,
      "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid()",
    ],
  },
  {
    check: "add-column-rewrite-type",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN seq serial", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED", level: "High" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN seq bigint",
      `CREATE TABLE t (${PK}); ALTER TABLE t ADD COLUMN seq serial`,
      "ALTER TABLE users ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY",
    ],
  },
  {
    check: "add-fk-validating",
    engines: PG,
    flagged: [
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
        level: "Medium",
      },
      { sql: "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users", level: "Medium" },
      { sql: "ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id)", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk",
      `CREATE TABLE t (${PK}, user_id bigint); ALTER TABLE t ADD FOREIGN KEY (user_id) REFERENCES users (id)`,
    ],
  },
  {
    check: "add-check-validating",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0)", level: "Medium" },
      { sql: "ALTER TABLE orders ADD CHECK (total >= 0)", level: "Medium" },
      { sql: "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL)", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID",
      "ALTER TABLE orders VALIDATE CONSTRAINT total_positive",
      `CREATE TABLE t (${PK}, n int); ALTER TABLE t ADD CHECK (n > 0)`,
    ],
  },
  {
    check: "set-not-null",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ALTER COLUMN email SET NOT NULL", level: "Medium" },
      { sql: "ALTER TABLE users ALTER email SET NOT NULL, ALTER name SET NOT NULL", level: "Medium", count: 2 },
      {
        sql: "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        level: "Medium",
      },
    ],
    clean: [
      "ALTER TABLE users ALTER COLUMN email DROP NOT NULL",
      "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
      `CREATE TABLE t (${PK}, e text); ALTER TABLE t ALTER COLUMN e SET NOT NULL`,
    ],
  },
  {
    check: "add-unique-constraint",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)", level: "Medium" },
      { sql: "ALTER TABLE users ADD UNIQUE (email, tenant_id)", level: "Medium" },
      { sql: "ALTER TABLE users ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (email)", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx",
      "CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email)",
      `CREATE TABLE t (${PK}, e text); ALTER TABLE t ADD UNIQUE (e)`,
    ],
  },
  {
    check: "add-primary-key-existing",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE events ADD PRIMARY KEY (id)", level: "High" },
      { sql: "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at)", level: "High" },
      { sql: "ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", level: "High" },
    ],
    clean: [
      "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx",
      "CREATE TABLE events2 (id bigint, PRIMARY KEY (id))",
      "CREATE TABLE t (id bigint); ALTER TABLE t ADD PRIMARY KEY (id)",
    ],
  },
  {
    check: "add-exclusion-constraint",
    engines: PG,
    flagged: [
      {
        sql: "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)",
        level: "High",
      },
      { sql: "ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&)", level: "High" },
      { sql: "ALTER TABLE ONLY bookings ADD CONSTRAINT x EXCLUDE (room WITH =)", level: "High" },
    ],
    clean: [
      `CREATE TABLE b (${PK}, during tstzrange, EXCLUDE USING gist (during WITH &&))`,
      "ALTER TABLE bookings DROP CONSTRAINT no_overlap",
      "SELECT 'EXCLUDE USING gist'",
    ],
  },
  {
    check: "reindex-non-concurrent",
    engines: PG,
    flagged: [
      { sql: "REINDEX INDEX users_email_idx", level: "High" },
      { sql: "REINDEX TABLE users", level: "High" },
      { sql: "REINDEX (VERBOSE) TABLE users", level: "High" },
    ],
    clean: [
      "REINDEX INDEX CONCURRENTLY users_email_idx",
      "REINDEX TABLE CONCURRENTLY users",
      "REINDEX (CONCURRENTLY, VERBOSE) TABLE users",
    ],
  },
  {
    check: "vacuum-full-cluster",
    engines: PG,
    flagged: [
      { sql: "VACUUM FULL users", level: "High" },
      { sql: "VACUUM (FULL, ANALYZE) users", level: "High" },
      { sql: "CLUSTER users USING users_pkey", level: "High" },
    ],
    clean: ["VACUUM users", "VACUUM (ANALYZE) users", "ANALYZE users"],
  },
  {
    check: "detach-partition",
    engines: PG,
    flagged: [
      { sql: "ALTER TABLE events DETACH PARTITION events_2020", level: "Medium" },
      { sql: "ALTER TABLE public.events DETACH PARTITION public.events_2021", level: "Medium" },
      { sql: "ALTER TABLE ONLY events DETACH PARTITION events_2022", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY",
      "ALTER TABLE events DETACH PARTITION events_2020 FINALIZE",
      "ALTER TABLE events ATTACH PARTITION events_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
    ],
  },
  {
    check: "domain-constraint",
    engines: PG,
    flagged: [
      { sql: "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)", level: "Medium" },
      { sql: "ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%')", level: "Medium" },
      { sql: "CREATE DOMAIN code AS text NOT NULL CHECK (length(VALUE) = 3)", level: "Medium" },
    ],
    clean: [
      "CREATE DOMAIN code AS text",
      "SELECT 'CREATE DOMAIN d AS int CHECK (VALUE > 0)'",
      "ALTER DOMAIN email DROP CONSTRAINT has_at",
    ],
  },
  {
    check: "enum-change",
    engines: PG,
    flagged: [
      { sql: "ALTER TYPE status ADD VALUE 'archived'", level: "Low" },
      { sql: "ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'", level: "Low" },
      { sql: "ALTER TYPE status RENAME VALUE 'old' TO 'legacy'", level: "Low" },
    ],
    clean: [
      "ALTER TYPE status ADD VALUE 'archived' AFTER 'active'",
      "ALTER TYPE status ADD VALUE 'draft' BEFORE 'active'",
      "CREATE TYPE status AS ENUM ('a', 'b')",
    ],
  },
  {
    check: "charset-change",
    engines: PG,
    flagged: [
      { sql: 'ALTER TABLE users ALTER COLUMN name TYPE text COLLATE "C"', level: "Medium" },
      { sql: 'ALTER TABLE users ALTER name TYPE varchar(100) COLLATE "en_US"', level: "Medium" },
      { sql: 'ALTER TABLE ONLY users ALTER COLUMN email TYPE text COLLATE "und-x-icu"', level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ALTER COLUMN name TYPE text",
      `CREATE TABLE t (${PK}, n text COLLATE "C")`,
      'CREATE INDEX CONCURRENTLY users_name_c ON users (name COLLATE "C")',
    ],
  },
];
