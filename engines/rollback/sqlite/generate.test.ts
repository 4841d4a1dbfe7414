// generateDown for SQLite from SQL and a snapshot, offline: statement in → inverse steps out.
import { expect, test } from "bun:test";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { generateDown } from "../generate.ts";

const USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, note TEXT)";
const snapshot: SchemaSnapshot = {
  version: 1,
  engine: "sqlite",
  serverVersion: "3.54",
  schemas: [{ name: "main" }],
  tables: [
    {
      schema: "main",
      name: "users",
      columns: [
        { name: "id", type: "INTEGER", nullable: true, default: null, ordinal: 1 },
        { name: "email", type: "TEXT", nullable: false, default: null, ordinal: 2 },
        { name: "note", type: "TEXT", nullable: true, default: null, ordinal: 3 },
      ],
      primaryKey: { columns: ["id"] },
      indexes: [
        {
          name: "users_email_ix",
          columns: ["email"],
          unique: false,
          definition: "CREATE INDEX users_email_ix ON users (email)",
        },
      ],
      definition: USERS,
    },
    {
      schema: "main",
      name: "log",
      columns: [{ name: "line", type: "TEXT", nullable: true, default: null, ordinal: 1 }],
      primaryKey: null,
      indexes: [],
      definition: "CREATE TABLE log (line TEXT)",
    },
  ],
  objects: [
    {
      kind: "trigger",
      schema: "main",
      name: "users_ai",
      table: "users",
      definition: "CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN SELECT 1; END",
    },
  ],
};

const gen = (sql: string) => generateDown(sql, { engine: "sqlite", schemaBefore: snapshot, migrationId: "m1" });
const BK = '"migratrix_backup__m1__s1"';

const CASES: Array<{ name: string; up: string; sql: string[]; reversibility: string; reason?: string }> = [
  {
    name: "create table",
    up: "CREATE TABLE t (id INTEGER PRIMARY KEY)",
    sql: ['DROP TABLE "t"'],
    reversibility: "exact",
  },
  {
    name: "add column",
    up: "ALTER TABLE users ADD COLUMN phone TEXT",
    sql: ['ALTER TABLE "users" DROP COLUMN "phone"'],
    reversibility: "exact",
  },
  {
    name: "rename column: back, written bare as SQLite writes it into the stored text",
    up: "ALTER TABLE users RENAME COLUMN note TO remark",
    sql: ['ALTER TABLE "users" RENAME COLUMN "remark" TO note'],
    reversibility: "exact",
  },
  {
    name: "drop column: the table is rebuilt from its stored text, values from the backup, index and trigger again",
    up: "ALTER TABLE users DROP COLUMN note",
    sql: [
      "PRAGMA defer_foreign_keys = ON",
      "PRAGMA legacy_alter_table = ON",
      'CREATE TABLE "_mx_rebuild_users" (id INTEGER PRIMARY KEY, email TEXT NOT NULL, note TEXT)',
      `INSERT INTO "_mx_rebuild_users" ("id", "email", "note") SELECT cur."id", cur."email", b."note" FROM "users" AS cur LEFT JOIN ${BK} AS b ON cur."id" = b."id"`,
      'DROP TABLE "users"',
      'ALTER TABLE "_mx_rebuild_users" RENAME TO "users"',
      "CREATE INDEX users_email_ix ON users (email)",
      "CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN SELECT 1; END",
      "PRAGMA legacy_alter_table = OFF",
    ],
    reversibility: "exact",
  },
  {
    name: "drop table: stored text, rows (triggers not yet there), indexes and triggers",
    up: "DROP TABLE users",
    sql: [
      USERS,
      `INSERT INTO "users" ("id", "email", "note") SELECT "id", "email", "note" FROM ${BK}`,
      "CREATE INDEX users_email_ix ON users (email)",
      "CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN SELECT 1; END",
    ],
    reversibility: "exact",
  },
  {
    name: "delete: re-inserted with the table's triggers dropped around it",
    up: "DELETE FROM users WHERE id > 3",
    sql: [
      'DROP TRIGGER "users_ai"',
      `INSERT INTO "users" ("id", "email", "note") SELECT "id", "email", "note" FROM ${BK}`,
      "CREATE TRIGGER users_ai AFTER INSERT ON users BEGIN SELECT 1; END",
    ],
    reversibility: "exact",
  },
  {
    name: "drop index",
    up: "DROP INDEX users_email_ix",
    sql: ["CREATE INDEX users_email_ix ON users (email)"],
    reversibility: "exact",
  },
  {
    name: "insert by key",
    up: "INSERT INTO users VALUES (9, 'a', NULL)",
    sql: ['DELETE FROM "users" WHERE "id" IN (9)'],
    reversibility: "exact",
  },
  {
    name: "update without a primary key",
    up: "UPDATE log SET line = 'x'",
    sql: [],
    reversibility: "irreversible",
    reason: "UPDATE on log: the table has no primary key to key its backup by",
  },
  {
    name: "insert or replace",
    up: "INSERT OR REPLACE INTO users VALUES (1, 'a', NULL)",
    sql: [],
    reversibility: "irreversible",
    reason: "INSERT OR REPLACE / ON CONFLICT may overwrite or keep existing rows, which are not backed up",
  },
];

for (const c of CASES) {
  test(c.name, async () => {
    const d = await gen(c.up);
    const [step] = d.steps;
    expect({ sql: step?.sql, reversibility: step?.reversibility, reason: step?.reason, problems: d.problems }).toEqual({
      sql: c.sql,
      reversibility: c.reversibility as "exact",
      reason: c.reason,
      problems: [],
    });
  });
}

test("without a snapshot, ADD and RENAME are still undone; what needs the old table is irreversible, never guessed", async () => {
  const d = await generateDown(
    "ALTER TABLE t ADD COLUMN c TEXT;\nALTER TABLE t RENAME COLUMN a TO b;\nDELETE FROM t WHERE id = 1",
    {
      engine: "sqlite",
      migrationId: "m1",
    },
  );
  expect(d.steps.map((s) => [s.upIndex, s.reversibility, s.sql, s.reason])).toEqual([
    [3, "irreversible", [], "DELETE on t: the table is unknown (no schema snapshot was given)"],
    [2, "exact", ['ALTER TABLE "t" RENAME COLUMN "b" TO a'], undefined],
    [1, "exact", ['ALTER TABLE "t" DROP COLUMN "c"'], undefined],
  ]);
});
