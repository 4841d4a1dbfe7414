// PostgreSQL for the conformance suite: a fresh database per run, created through the `postgres` database.
import postgres from "postgres";
import { createPostgresEngine } from "../../postgres/index.ts";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { type ConformanceTarget, col } from "../target.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = "s3cr3t-pw";
const USAGE = "expected postgres://user:password@host:port/database";

export function postgresTarget(): ConformanceTarget {
  return {
    engine: createPostgresEngine(),
    async create() {
      const name = `test_mx_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      return {
        url: `postgres://postgres@127.0.0.1:5432/${name}`,
        database: name,
        async drop() {
          await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
        },
      };
    },
    secret: SECRET,
    connectErrors: [
      {
        name: "wrong scheme",
        url: `mysql://postgres:${SECRET}@127.0.0.1:5432/x`,
        code: "invalid_argument",
        message: `URL scheme "mysql:" is not PostgreSQL's (${USAGE})`,
      },
      {
        name: "bad URL",
        url: `postgres://postgres:${SECRET}@127.0.0.1:notaport/x`,
        code: "invalid_argument",
        message: `not a valid PostgreSQL URL (${USAGE})`,
      },
      {
        name: "unreachable",
        url: `postgres://postgres:${SECRET}@127.0.0.1:{port}/x`,
        code: "unavailable",
        message: "cannot reach PostgreSQL at 127.0.0.1:{port} (ECONNREFUSED)",
      },
      {
        name: "no answer within connectTimeoutMs",
        url: `postgres://postgres:${SECRET}@127.0.0.1:{silentPort}/x`,
        connectTimeoutMs: 100,
        code: "unavailable",
        message: "cannot reach PostgreSQL at 127.0.0.1:{silentPort} (CONNECT_TIMEOUT)",
      },
      {
        // Local connections here use trust auth, which takes any password for a known role; an
        // unknown role is refused on the same authentication path (SQLSTATE 28000).
        name: "login refused",
        url: `postgres://mx_no_such_role:${SECRET}@127.0.0.1:5432/{db}`,
        code: "unauthenticated",
        message: `PostgreSQL at 127.0.0.1:5432/{db} refused the login of user "mx_no_such_role": role "mx_no_such_role" does not exist`,
      },
      {
        name: "missing database",
        url: `postgres://postgres:${SECRET}@127.0.0.1:5432/{db}_missing`,
        code: "not_found",
        message: `database "{db}_missing" does not exist on PostgreSQL at 127.0.0.1:5432`,
      },
    ],
    serverVersion: /^PostgreSQL \d+\.\d+/,
    placeholder: (i) => `$${i}`,
    bigintType: "bigint",
    fixture: {
      sql: `
CREATE SCHEMA app;
CREATE TABLE app.customers (
  id bigserial PRIMARY KEY,
  email varchar(255) NOT NULL,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  score numeric(10,2) DEFAULT 0
);
CREATE UNIQUE INDEX customers_email_uq ON app.customers (lower(email));
CREATE TABLE orders (customer_id bigint NOT NULL, line int NOT NULL, note text,
  CONSTRAINT orders_pk PRIMARY KEY (customer_id, line));
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ADD COLUMN total_cents integer NOT NULL DEFAULT 0;
CREATE INDEX orders_total_idx ON orders (total_cents DESC, line);
`,
      expected: (serverVersion): SchemaSnapshot => ({
        version: 1,
        engine: "postgresql",
        serverVersion,
        schemas: [{ name: "app" }, { name: "public" }],
        tables: [
          {
            schema: "app",
            name: "customers",
            columns: [
              col("id", "bigint", false, "nextval('app.customers_id_seq'::regclass)", 1),
              col("email", "character varying(255)", false, null, 2),
              col("name", "text", true, null, 3),
              col("created_at", "timestamp with time zone", false, "now()", 4),
              col("score", "numeric(10,2)", true, "0", 5),
            ],
            primaryKey: { name: "customers_pkey", columns: ["id"] },
            indexes: [
              { name: "customers_email_uq", columns: ["lower(email::text)"], unique: true },
              { name: "customers_pkey", columns: ["id"], unique: true, primary: true },
            ],
          },
          {
            schema: "public",
            name: "orders",
            columns: [
              col("customer_id", "bigint", false, null, 1),
              col("line", "integer", false, null, 2),
              col("total_cents", "integer", false, "0", 3),
            ],
            primaryKey: { name: "orders_pk", columns: ["customer_id", "line"] },
            indexes: [
              { name: "orders_pk", columns: ["customer_id", "line"], unique: true, primary: true },
              { name: "orders_total_idx", columns: ["total_cents", "line"], unique: false },
            ],
          },
        ],
      }),
    },
    runnerTable: (name) => ({
      schema: "public",
      name,
      columns: [col("id", "integer", false, null, 1), col("v", "character varying(20)", true, null, 2)],
      primaryKey: { name: `${name}_pkey`, columns: ["id"] },
      indexes: [{ name: `${name}_pkey`, columns: ["id"], unique: true, primary: true }],
    }),
    failingStatement: {
      sql: "INSERT INTO no_such_table (id) VALUES (1)",
      error: {
        code: "not_found",
        nativeCode: "42P01",
        message: 'statement 3 (line 5:1) failed at 5:13: relation "no_such_table" does not exist',
        line: 5,
        column: 13,
      },
    },
    ddlRollsBack: true,
    ownSegment: {
      sql: "CREATE INDEX CONCURRENTLY r_own_v ON r_own (v)",
      check: () => "SELECT count(*)::int AS ok FROM pg_indexes WHERE indexname = 'r_own_v'",
    },
  };
}
