// SQLite for the conformance suite: a database file in a fresh temporary directory per run.
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { createSqliteEngine } from "../../sqlite/index.ts";
import type { ConformanceTarget } from "../target.ts";

const SECRET = "s3cr3t-pw";
const USAGE = "expected sqlite:///absolute/path.db, sqlite://./relative.db or sqlite::memory:";

const col = (name: string, type: string, nullable: boolean, dflt: string | null, ordinal: number) => ({
  name,
  type,
  nullable,
  default: dflt,
  ordinal,
});

export function sqliteTarget(): ConformanceTarget {
  return {
    engine: createSqliteEngine(),
    async create() {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), "test_mx_")));
      const file = join(dir, "conformance.db");
      return {
        url: `sqlite://${file}`,
        database: file,
        async drop() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    secret: SECRET,
    // A file database has no host to miss and no login to refuse: those cases do not exist here.
    connectErrors: [
      {
        name: "wrong scheme",
        url: `postgres://postgres:${SECRET}@127.0.0.1:5432/x`,
        code: "invalid_argument",
        message: `URL scheme "postgres:" is not SQLite's (${USAGE})`,
      },
      {
        name: "no file",
        url: "sqlite:",
        code: "invalid_argument",
        message: `SQLite URL names no file (${USAGE})`,
      },
      {
        name: "unsupported parameter",
        url: `sqlite:///tmp/x.db?key=${SECRET}`,
        code: "invalid_argument",
        message: 'SQLite URL parameter "key" is not supported (only mode=ro|rw|rwc)',
      },
      {
        name: "missing directory",
        url: "sqlite:///nonexistent_mx_dir/x.db",
        code: "not_found",
        message: "cannot open SQLite database /nonexistent_mx_dir/x.db: directory /nonexistent_mx_dir does not exist",
      },
      {
        name: "missing file without create",
        url: "sqlite://{db}_missing?mode=rw",
        code: "not_found",
        message: "SQLite database file {db}_missing does not exist (mode=rw does not create it)",
      },
    ],
    serverVersion: /^SQLite \d+\.\d+\.\d+$/,
    placeholder: () => "?",
    bigintType: "INTEGER",
    fixture: {
      sql: `
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  score REAL DEFAULT 0
);
CREATE UNIQUE INDEX customers_email_uq ON customers (lower(email));
CREATE TABLE orders (customer_id INTEGER NOT NULL, line INTEGER NOT NULL, note TEXT, PRIMARY KEY (customer_id, line));
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ADD COLUMN total_cents INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_total_idx ON orders (total_cents DESC, line);
`,
      expected: (serverVersion): SchemaSnapshot => ({
        version: 1,
        engine: "sqlite",
        serverVersion,
        schemas: [{ name: "main" }],
        tables: [
          {
            schema: "main",
            name: "customers",
            columns: [
              // SQLite reports the declared NOT NULL only; a rowid alias is never NULL all the same.
              col("id", "INTEGER", true, null, 1),
              col("email", "TEXT", false, null, 2),
              col("name", "TEXT", true, null, 3),
              col("created_at", "TEXT", false, "CURRENT_TIMESTAMP", 4),
              col("score", "REAL", true, "0", 5),
            ],
            primaryKey: { columns: ["id"] },
            indexes: [{ name: "customers_email_uq", columns: ["(expression)"], unique: true }],
          },
          {
            schema: "main",
            name: "orders",
            columns: [
              col("customer_id", "INTEGER", false, null, 1),
              col("line", "INTEGER", false, null, 2),
              col("total_cents", "INTEGER", false, "0", 3),
            ],
            primaryKey: { columns: ["customer_id", "line"] },
            indexes: [
              { name: "orders_total_idx", columns: ["total_cents", "line"], unique: false },
              { name: "sqlite_autoindex_orders_1", columns: ["customer_id", "line"], unique: true, primary: true },
            ],
          },
        ],
      }),
    },
    runnerTable: (name) => ({
      schema: "main",
      name,
      columns: [col("id", "INTEGER", true, null, 1), col("v", "VARCHAR(20)", true, null, 2)],
      primaryKey: { columns: ["id"] },
      indexes: [],
    }),
    failingStatement: {
      sql: "INSERT INTO no_such_table (id) VALUES (1)",
      error: {
        code: "not_found",
        nativeCode: "SQLITE_ERROR",
        // SQLite gives no offset for a missing table: the position is the statement's.
        message: "statement 3 (line 5:1) failed: no such table: no_such_table",
        line: 5,
        column: 1,
      },
    },
    ddlRollsBack: true,
    ownSegment: { sql: "VACUUM", check: () => "SELECT count(*) AS ok FROM r_own" },
  };
}
