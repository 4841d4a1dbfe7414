// generateDown offline: SQL in, whole down script out, from a hand-written snapshot.
import { expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { generateDown, renderDownScript } from "./generate.ts";

const snapshot: SchemaSnapshot = {
  version: 1,
  engine: "postgresql",
  serverVersion: "PostgreSQL 15.8",
  schemas: [{ name: "public" }],
  tables: [
    {
      schema: "public",
      name: "users",
      columns: [
        { name: "id", type: "integer", nullable: false, default: null, ordinal: 1, identity: "always" },
        { name: "email", type: "text", nullable: false, default: null, ordinal: 2 },
        { name: "score", type: "numeric(10,2)", nullable: true, default: "0", ordinal: 3 },
      ],
      primaryKey: { name: "users_pkey", columns: ["id"] },
      indexes: [
        {
          name: "users_email_idx",
          columns: ["email"],
          unique: false,
          definition: "CREATE INDEX users_email_idx ON public.users USING btree (email)",
        },
        { name: "users_pkey", columns: ["id"], unique: true, primary: true, constraint: true },
      ],
      constraints: [
        { name: "users_pkey", kind: "primary", definition: "PRIMARY KEY (id)" },
        { name: "users_score_check", kind: "check", definition: "CHECK ((score >= (0)::numeric))" },
      ],
    },
    {
      schema: "public",
      name: "log",
      columns: [{ name: "line", type: "text", nullable: true, default: null, ordinal: 1 }],
      primaryKey: null,
      indexes: [],
    },
  ],
  objects: [{ kind: "view", schema: "public", name: "v", definition: 'CREATE VIEW "public"."v" AS\n SELECT 1 AS one' }],
};

const gen = (sql: string) => generateDown(sql, { engine: "postgresql", schemaBefore: snapshot, migrationId: "m1" });

test("reverse order, a note and reversibility per statement, backups named by migration and statement", async () => {
  const d = await gen(
    "ALTER TABLE users ADD COLUMN age int;\nDELETE FROM users WHERE score < 1;\nALTER TABLE users DROP COLUMN email;\nDROP VIEW v",
  );
  expect(d).toEqual({
    engine: "postgresql",
    sql: [
      'CREATE VIEW "public"."v" AS\n SELECT 1 AS one;\n',
      'ALTER TABLE "public"."users" ADD COLUMN "email" text;\n',
      'UPDATE "public"."users" AS t SET "email" = b."email" FROM "migratrix_backup"."m1__s3" AS b WHERE t."id" = b."id";\n',
      'ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL;\n',
      "CREATE INDEX users_email_idx ON public.users USING btree (email);\n",
      'INSERT INTO "public"."users" ("id", "email", "score", "age") OVERRIDING SYSTEM VALUE SELECT "id", "email", "score", "age" FROM "migratrix_backup"."m1__s2";\n',
      'ALTER TABLE "public"."users" DROP COLUMN "age";\n',
    ].join(""),
    steps: [
      {
        upIndex: 4,
        line: 4,
        column: 1,
        sql: ['CREATE VIEW "public"."v" AS\n SELECT 1 AS one'],
        note: "re-creates view v from the snapshot",
        reversibility: "exact",
      },
      {
        upIndex: 3,
        line: 3,
        column: 1,
        sql: [
          'ALTER TABLE "public"."users" ADD COLUMN "email" text',
          'UPDATE "public"."users" AS t SET "email" = b."email" FROM "migratrix_backup"."m1__s3" AS b WHERE t."id" = b."id"',
          'ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL',
          "CREATE INDEX users_email_idx ON public.users USING btree (email)",
        ],
        note: "re-adds column email from the snapshot and restores its values from the backup",
        reversibility: "partly",
        reason: "column email comes back at the end of the table, not at position 2",
      },
      {
        upIndex: 2,
        line: 2,
        column: 1,
        sql: [
          'INSERT INTO "public"."users" ("id", "email", "score", "age") OVERRIDING SYSTEM VALUE SELECT "id", "email", "score", "age" FROM "migratrix_backup"."m1__s2"',
        ],
        note: "re-inserts the deleted rows of users from the backup",
        reversibility: "exact",
      },
      {
        upIndex: 1,
        line: 1,
        column: 1,
        sql: ['ALTER TABLE "public"."users" DROP COLUMN "age"'],
        note: "drops column age, added here",
        reversibility: "exact",
      },
    ],
    reversibility: "partly",
    backups: [
      {
        upIndex: 2,
        backupTable: "m1__s2",
        source: { schema: "public", name: "users" },
        columns: [],
        from: '"public"."users" WHERE score < 1',
        keyColumns: [],
        reason: "DELETE",
      },
      {
        upIndex: 3,
        backupTable: "m1__s3",
        source: { schema: "public", name: "users" },
        columns: ["id", "email"],
        from: '"public"."users"',
        keyColumns: ["id"],
        reason: "DROP COLUMN email",
      },
    ],
    backupGaps: [],
    problems: [],
  });
});

test.each([
  [
    "CREATE INDEX ON users (email)",
    "irreversible",
    "the index has no name, so the down script cannot name it: give it one",
  ],
  ["UPDATE log SET line = 'x'", "irreversible", "log has no primary key to restore the old values by"],
  [
    "INSERT INTO users (email) VALUES ('a')",
    "irreversible",
    "the statement leaves the key (id) to the server, so the inserted keys are unknown",
  ],
  [
    "INSERT INTO users (id, email) VALUES (now()::int, 'a')",
    "irreversible",
    "a key value is not a constant, so the inserted keys are unknown before it runs",
  ],
  [
    "ALTER TYPE mood ADD VALUE 'x'",
    "irreversible",
    "PostgreSQL cannot remove or rename back an enum value safely once rows may use it",
  ],
  [
    "ALTER TABLE users DROP COLUMN email",
    "partly",
    "column email comes back at the end of the table, not at position 2",
  ],
  ["DROP SEQUENCE gone", "irreversible", "sequence gone is not in the schema snapshot, so it cannot be re-created"],
  ["GRANT SELECT ON users TO PUBLIC", "irreversible", "no inverse is known for Grant statements"],
] as const)("%s → %s", async (sql, reversibility, reason) => {
  const d = await gen(sql);
  expect(d.steps.map((s) => [s.reversibility, s.reason])).toEqual([[reversibility, reason]]);
});

test("a data-destroying statement without a possible backup is listed as a gap", async () => {
  const d = await gen("UPDATE log SET line = 'x'");
  expect(d.backupGaps).toEqual([
    { upIndex: 1, reason: "UPDATE on public.log: the table has no primary key to key its backup by" },
  ]);
});

test("INSERT with constant keys is undone by key; the identity sequence it did not use stays put", async () => {
  const d = await gen("INSERT INTO users (id, email) VALUES (7, 'a'), (8::int, 'b')");
  expect(d.sql).toBe('DELETE FROM "public"."users" WHERE "id" IN (7, 8::int);\n');
  expect(d.reversibility).toBe("exact");
});

test("statements on a table this migration creates need nothing beyond dropping it", async () => {
  const d = await gen(
    "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\nCREATE INDEX t_i ON t (id);\nDELETE FROM t",
  );
  expect(d.sql).toBe('DROP TABLE "public"."t";\n');
  expect([d.reversibility, d.backups, d.backupGaps]).toEqual(["exact", [], []]);
});

test("bad SQL is a problem with its file position, never a throw", async () => {
  const d = await generateDown("SELECT 1;\n\nDELETE FRM t", { engine: "postgresql", firstLine: 10 });
  expect(d.problems).toEqual([
    { code: "syntax_error", message: 'syntax error at or near "FRM" at line 12:8', line: 12, column: 8 },
  ]);
  expect([d.sql, d.reversibility]).toEqual(["", "irreversible"]);
});

test("engines without a generator say so", async () => {
  const err = await generateDown("SELECT 1", { engine: "clickhouse" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MigratrixError);
  expect((err as MigratrixError).code).toBe("unimplemented");
});

test("the rendered script carries each note and finding as a comment", async () => {
  const d = await gen("ALTER TABLE users ALTER COLUMN score SET DEFAULT 5;\nGRANT SELECT ON users TO PUBLIC");
  expect(renderDownScript(d)).toBe(
    [
      "-- down script generated by Migratrix (postgresql); overall: irreversible",
      "",
      "-- undoes statement 2 (line 2:1): no inverse generated",
      "-- IRREVERSIBLE: no inverse is known for Grant statements",
      "",
      "-- undoes statement 1 (line 1:1): restores the default of score",
      'ALTER TABLE "public"."users" ALTER COLUMN "score" SET DEFAULT 0;',
      "",
    ].join("\n"),
  );
});

test("without a snapshot, reasons say the snapshot is missing, not that the object is", async () => {
  const d = await generateDown("DELETE FROM t WHERE id = 1", { engine: "postgresql" });
  expect([d.steps.map((s) => s.reason), d.backupGaps]).toEqual([
    ["table t is unknown (no schema snapshot was given)"],
    [{ upIndex: 1, reason: "DELETE on public.t: table t is unknown (no schema snapshot was given)" }],
  ]);
});
