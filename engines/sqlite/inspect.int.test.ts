// SQLite introspection against real database files: the coverage list (one of every object kind,
// found in the snapshot as a whole value) and the DDL round trips: from the stored definitions
// (sqlite_schema of the copy equals the original's) and from the structured fields alone (the
// copy's snapshot equals the original's apart from the statement texts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CoverageList } from "../schema/coverage.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { coverageTests, expectedColumn, runScript, snapshotFinders } from "../schema/testkit.ts";
import type { Session } from "../types.ts";
import { renderCreateDdl, renderCreateStatements } from "./ddl.ts";
import { createSqliteEngine } from "./index.ts";

const engine = createSqliteEngine();
const dir = realpathSync(mkdtempSync(join(tmpdir(), "mx_inspect_sqlite_")));
const url = (name: string) => `sqlite://${join(dir, `${name}.db`)}`;

const SCHEMA = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  name TEXT DEFAULT 'anon' CHECK (length(name) < 100),
  score REAL DEFAULT 0,
  name_len INTEGER GENERATED ALWAYS AS (length(name)) VIRTUAL,
  email_lower TEXT AS (lower(email)) STORED,
  CONSTRAINT users_score_ck CHECK (score >= 0)
);
CREATE TABLE orders (
  id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  note TEXT,
  PRIMARY KEY (id, line),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL, parent_id INTEGER REFERENCES tags) STRICT;
CREATE INDEX orders_note_lower ON orders (lower(note), qty DESC) WHERE note IS NOT NULL;
CREATE UNIQUE INDEX tags_label ON tags (label);
CREATE VIEW big_orders AS SELECT o.id, o.qty, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.qty > 10;
CREATE VIEW big_order_emails AS SELECT DISTINCT email FROM big_orders;
CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN UPDATE orders SET note = coalesce(note, 'x') WHERE id = NEW.id; END;
`;

let x: Session;
let snap: SchemaSnapshot;
const opened: Session[] = [];

async function open(name: string): Promise<Session> {
  const s = await engine.driver.connect(url(name));
  opened.push(s);
  return s;
}

const run = (session: Session, script: string) => runScript(engine.dialect, session, script);

beforeAll(async () => {
  x = await open("x");
  await run(x, SCHEMA);
  snap = await engine.inspector.inspect(x, { objects: true });
});

afterAll(async () => {
  for (const s of opened) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const { table, column, index, constraint, object } = snapshotFinders();
const col = expectedColumn;
const NOT_SQLITE = (what: string) => ({ none: `SQLite has no ${what}` });

const COVERAGE: CoverageList<SchemaSnapshot> = {
  schema: { find: (s) => s.schemas, expected: [{ name: "main" }] },
  "schema.comment": NOT_SQLITE("comments"),
  table: { find: (s) => s.tables.map((t) => t.name), expected: ["orders", "tags", "users"] },
  "table.comment": NOT_SQLITE("comments"),
  "table.options": {
    find: (s) => [table(s, "orders")?.options, table(s, "tags")?.options, table(s, "users")?.options],
    expected: [{ without_rowid: "true" }, { strict: "true" }, undefined],
  },
  "table.partitioned": NOT_SQLITE("partitioned tables"),
  "table.partition": NOT_SQLITE("partitioned tables"),
  "column.type": { find: (s) => column(s, "users", "score"), expected: col("score", "REAL", 4, { default: "0" }) },
  "column.nullable": {
    find: (s) => column(s, "orders", "qty"),
    expected: col("qty", "INTEGER", 4, { nullable: false }),
  },
  "column.default": {
    find: (s) => column(s, "users", "name"),
    expected: col("name", "TEXT", 3, { default: "'anon'" }),
  },
  "column.identity": NOT_SQLITE("identity columns (column.auto_increment is its AUTOINCREMENT)"),
  "column.auto_increment": {
    find: (s) => column(s, "users", "id"),
    expected: col("id", "INTEGER", 1, { autoIncrement: true }),
  },
  "column.generated": {
    find: (s) => column(s, "users", "email_lower"),
    expected: col("email_lower", "TEXT", 6, { generated: "lower(email)" }),
  },
  "column.generated_virtual": {
    find: (s) => column(s, "users", "name_len"),
    expected: col("name_len", "INTEGER", 5, { generated: "length(name)", virtual: true }),
  },
  "column.collation": {
    find: (s) => column(s, "users", "email"),
    expected: col("email", "TEXT", 2, { nullable: false, collation: "NOCASE" }),
  },
  "column.charset": NOT_SQLITE("per-column character sets"),
  "column.comment": NOT_SQLITE("comments"),
  "column.on_update": NOT_SQLITE("ON UPDATE column clause"),
  primary_key: {
    find: (s) => [
      table(s, "orders")?.primaryKey,
      constraint(s, "orders", "orders_pkey"),
      index(s, "orders", "sqlite_autoindex_orders_1"),
    ],
    expected: [
      { columns: ["id", "line"] },
      { name: "orders_pkey", kind: "primary", definition: 'PRIMARY KEY ("id", "line")' },
      { name: "sqlite_autoindex_orders_1", columns: ["id", "line"], unique: true, primary: true },
    ],
  },
  unique: {
    find: (s) => [index(s, "users", "sqlite_autoindex_users_1"), constraint(s, "users", "sqlite_autoindex_users_1")],
    expected: [
      { name: "sqlite_autoindex_users_1", columns: ["email"], unique: true, constraint: true },
      { name: "sqlite_autoindex_users_1", kind: "unique", definition: 'UNIQUE ("email")' },
    ],
  },
  check: {
    find: (s) => (table(s, "users")?.constraints ?? []).filter((c) => c.kind === "check"),
    expected: [
      { name: "users_check1", kind: "check", definition: "CHECK (length(name) < 100)", column: "name" },
      { name: "users_score_ck", kind: "check", definition: "CHECK (score >= 0)" },
    ],
  },
  foreign_key: {
    find: (s) => [constraint(s, "orders", "orders_user_fk"), constraint(s, "tags", "tags_parent_id_fkey")],
    expected: [
      {
        name: "orders_user_fk",
        kind: "foreign",
        definition: 'FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE',
        references: "main.users",
        columns: ["user_id"],
        referencedColumns: ["id"],
        onDelete: "CASCADE",
      },
      {
        name: "tags_parent_id_fkey",
        kind: "foreign",
        definition: 'FOREIGN KEY ("parent_id") REFERENCES "tags"',
        references: "main.tags",
        columns: ["parent_id"],
      },
    ],
  },
  exclusion: NOT_SQLITE("exclusion constraints"),
  index: {
    find: (s) => index(s, "tags", "tags_label"),
    expected: {
      name: "tags_label",
      columns: ["label"],
      unique: true,
      definition: "CREATE UNIQUE INDEX tags_label ON tags (label)",
    },
  },
  "index.method": NOT_SQLITE("index methods other than its B-tree"),
  "index.partial": { find: (s) => index(s, "orders", "orders_note_lower")?.where, expected: "note IS NOT NULL" },
  "index.expression": {
    find: (s) => index(s, "orders", "orders_note_lower"),
    expected: {
      name: "orders_note_lower",
      columns: ["lower(note)", "qty"],
      unique: false,
      where: "note IS NOT NULL",
      descending: [false, true],
      definition: "CREATE INDEX orders_note_lower ON orders (lower(note), qty DESC) WHERE note IS NOT NULL",
    },
  },
  "index.include": NOT_SQLITE("INCLUDE columns"),
  "index.descending": { find: (s) => index(s, "orders", "orders_note_lower")?.descending, expected: [false, true] },
  "index.prefix": NOT_SQLITE("index prefix lengths"),
  view: {
    find: (s) => object(s, "view", "big_order_emails"),
    expected: {
      kind: "view",
      schema: "main",
      name: "big_order_emails",
      dependsOn: ["main.big_orders"],
      definition: "CREATE VIEW big_order_emails AS SELECT DISTINCT email FROM big_orders",
    },
  },
  materialized_view: NOT_SQLITE("materialized views"),
  sequence: NOT_SQLITE("sequences (AUTOINCREMENT keeps its counter in sqlite_sequence)"),
  enum: NOT_SQLITE("enum types (a CHECK (x IN (…)) does it)"),
  composite_type: NOT_SQLITE("user-defined types"),
  domain: NOT_SQLITE("domains"),
  range_type: NOT_SQLITE("range types"),
  function: NOT_SQLITE("stored functions (they are registered by the application)"),
  procedure: NOT_SQLITE("stored procedures"),
  trigger: {
    find: (s) => object(s, "trigger", "orders_touch"),
    expected: {
      kind: "trigger",
      schema: "main",
      name: "orders_touch",
      table: "orders",
      definition:
        "CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN UPDATE orders SET note = coalesce(note, 'x') WHERE id = NEW.id; END",
    },
  },
  event: NOT_SQLITE("scheduled events"),
  extension: NOT_SQLITE("extensions that live in a database file (loadable extensions are per connection)"),
};

coverageTests(COVERAGE, () => snap);

const schemaRows = (s: Session) =>
  s.query("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name <> 'sqlite_sequence' ORDER BY type, name");

test("from the stored definitions: the copy's sqlite_schema and snapshot equal the original's", async () => {
  const y = await open("y");
  await run(y, renderCreateDdl(snap));
  expect(await engine.inspector.inspect(y, { objects: true })).toEqual(snap);
  expect(await schemaRows(y)).toEqual(await schemaRows(x));
});

/** The snapshot without statement texts of tables and indexes: what a diff-built snapshot looks like. */
function structuredOnly(s: SchemaSnapshot): SchemaSnapshot {
  return {
    ...s,
    tables: s.tables.map(({ definition: _d, ...t }) => ({
      ...t,
      indexes: t.indexes.map(({ definition: _i, ...ix }) => ix),
    })),
  };
}

test("from the structured fields alone: the copy's snapshot equals the original's but for statement texts", async () => {
  const z = await open("z");
  for (const st of renderCreateStatements(structuredOnly(snap))) await z.exec(st);
  expect(structuredOnly(await engine.inspector.inspect(z, { objects: true }))).toEqual(structuredOnly(snap));
});

test("objects: false reads generated columns too, and nothing optional", async () => {
  const plain = await engine.inspector.inspect(x);
  expect({ objects: plain.objects, users: table(plain, "users") }).toEqual({
    objects: undefined,
    users: {
      schema: "main",
      name: "users",
      columns: [
        col("id", "INTEGER", 1),
        col("email", "TEXT", 2, { nullable: false }),
        col("name", "TEXT", 3, { default: "'anon'" }),
        col("score", "REAL", 4, { default: "0" }),
        col("name_len", "INTEGER", 5),
        col("email_lower", "TEXT", 6),
      ],
      primaryKey: { columns: ["id"] },
      indexes: [{ name: "sqlite_autoindex_users_1", columns: ["email"], unique: true }],
    },
  });
});
