// The before-hooks against the real PostgreSQL: a backup that cannot be taken or is too big stops
// the run before any change; the policy that allows it goes on and says so; backups list and purge.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { getEngine } from "../../index.ts";
import { runMigration } from "../../runner/index.ts";
import type { Session } from "../../types.ts";
import { generateDown } from "../generate.ts";
import { createBackupHooks, storedDownScript } from "./hooks.ts";
import { listBackups, purgeBackups } from "./store.ts";

const engine = getEngine("postgresql");
const q = engine.dialect.quoteIdent;
const db = `mx_backup_${process.pid}_${Date.now()}`;
const url = (name: string) => `postgres://postgres@127.0.0.1:5432/${name}`;
let admin: Session;
let s: Session;

beforeAll(async () => {
  admin = await engine.driver.connect(url("postgres"));
  await admin.exec(`CREATE DATABASE ${q(db)}`);
  s = await engine.driver.connect(url(db));
});

afterAll(async () => {
  await s?.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(db)} WITH (FORCE)`);
  await admin?.close();
});

beforeEach(async () => {
  await s.exec("DROP SCHEMA IF EXISTS public CASCADE");
  await s.exec("DROP SCHEMA IF EXISTS migratrix_backup CASCADE");
  await s.exec("CREATE SCHEMA public");
  await s.exec("CREATE TABLE users (id int PRIMARY KEY, name text)");
  await s.exec("INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  await s.exec("CREATE TABLE log (line text)");
  await s.exec("INSERT INTO log VALUES ('x')");
});

async function apply(id: string, sql: string, opts: { allow?: boolean; maxRows?: number } = {}) {
  const down = await generateDown(sql, {
    engine: "postgresql",
    schemaBefore: await engine.inspector.inspect(s, { objects: true }),
    migrationId: id,
  });
  const notices: string[] = [];
  const hooks = createBackupHooks({
    engine,
    session: s,
    migrationId: id,
    down,
    ...(opts.allow ? { allowWithoutBackup: true } : {}),
    ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}),
    onNotice: (m) => {
      notices.push(m.replace(/into migratrix_backup\.\S+/, "into …"));
    },
  });
  const r = await runMigration({
    engine,
    session: s,
    migration: { id, name: id, checksum: "c", sql },
    direction: "apply",
    runId: id,
    attempt: 1,
    appliedBy: "test",
    correlationId: id,
    onEvent: () => {},
    hooks,
  });
  return { outcome: r.outcome, statementsDone: r.statementsDone, error: r.error?.message, notices };
}

const rows = async (table: string) => (await s.query(`SELECT * FROM ${table} ORDER BY 1`)).map((r) => ({ ...r }));

test("no primary key to key a backup by: the run stops before any change", async () => {
  expect(await apply("m_gap", "DELETE FROM users WHERE id = 1;\nUPDATE log SET line = 'y'")).toEqual({
    outcome: "failed",
    statementsDone: 0,
    error:
      "migration m_gap statement 2: no backup can be taken: UPDATE on public.log: the table has no primary key to key its backup by; nothing was changed (allow running without a backup to go on)",
    notices: [],
  });
  expect([await rows("users"), await rows("log")]).toEqual([
    [
      { id: 1, name: "a" },
      { id: 2, name: "b" },
      { id: 3, name: "c" },
    ],
    [{ line: "x" }],
  ]);
});

test("the policy that allows running without a backup goes on and says so", async () => {
  expect(await apply("m_allowed", "UPDATE log SET line = 'y'", { allow: true })).toEqual({
    outcome: "completed",
    statementsDone: 1,
    error: undefined,
    notices: [
      "statement 1: no backup can be taken: UPDATE on public.log: the table has no primary key to key its backup by (allowed by policy: running without it)",
    ],
  });
});

test("a backup over the size limit, counted ahead, stops the run before any change", async () => {
  expect(await apply("m_big", "DELETE FROM users WHERE id > 1", { maxRows: 1 })).toEqual({
    outcome: "failed",
    statementsDone: 0,
    error:
      "migration m_big: statement 1 (DELETE) would back up 2 rows of public.users, over the limit of 1; nothing was changed (allow running without a backup to go on)",
    notices: [],
  });
  expect((await rows("users")).length).toBe(3);
});

test("a backup over the limit found only when taken rolls back the whole transaction", async () => {
  const sql =
    "CREATE TABLE doomed (id int);\nINSERT INTO doomed VALUES (2), (3);\nDELETE FROM users WHERE id IN (SELECT id FROM doomed)";
  expect(await apply("m_late", sql, { maxRows: 1 })).toEqual({
    outcome: "failed",
    statementsDone: 0,
    error: "statement 3 (DELETE) backs up 2 rows of public.users, over the limit of 1; its transaction was rolled back",
    notices: [],
  });
  expect(await s.query("SELECT to_regclass('public.doomed') AS t")).toEqual([{ t: null }]);
});

test("backups are listed with their size, the down script is stored, and purge drops them", async () => {
  const r = await apply("m_ok", "DELETE FROM users WHERE id = 3;\nALTER TABLE users DROP COLUMN name");
  expect(r).toEqual({
    outcome: "completed",
    statementsDone: 2,
    error: undefined,
    notices: [
      "backed up 1 row(s) of public.users before statement 1 (DELETE) into …",
      "backed up 2 row(s) of public.users before statement 2 (DROP COLUMN name) into …",
    ],
  });
  const list = await listBackups(engine, s);
  expect(list.map(({ bytes, createdAt, ...b }) => ({ ...b, sized: bytes > 0, dated: createdAt !== "" }))).toEqual([
    {
      table: "m_ok__s1",
      migrationId: "m_ok",
      upIndex: 1,
      source: "public.users",
      reason: "DELETE",
      rows: 1,
      sized: true,
      dated: true,
    },
    {
      table: "m_ok__s2",
      migrationId: "m_ok",
      upIndex: 2,
      source: "public.users",
      reason: "DROP COLUMN name",
      rows: 2,
      sized: true,
      dated: true,
    },
  ]);
  expect(await storedDownScript(engine, s, "m_ok")).toEqual({
    sql: [
      'ALTER TABLE "public"."users" ADD COLUMN "name" text;\n',
      'UPDATE "public"."users" AS t SET "name" = b."name" FROM "migratrix_backup"."m_ok__s2" AS b WHERE t."id" = b."id";\n',
      'INSERT INTO "public"."users" ("id", "name") OVERRIDING SYSTEM VALUE SELECT "id", "name" FROM "migratrix_backup"."m_ok__s1";\n',
    ].join(""),
    reversibility: "exact",
  });
  // The backup area is Migratrix's, not the user's schema: introspection leaves it out unless named.
  expect((await engine.inspector.inspect(s)).schemas).toEqual([{ name: "public" }]);
  expect(await purgeBackups(engine, s, { olderThanMs: 3_600_000 })).toEqual([]);
  expect((await purgeBackups(engine, s, { migrationId: "m_ok" })).map((b) => b.table)).toEqual([
    "m_ok__s1",
    "m_ok__s2",
  ]);
  expect(await listBackups(engine, s)).toEqual([]);
  await expect(purgeBackups(engine, s, {})).rejects.toThrow("purge needs a migration id, an age (older than) or all");
});

test("a resumed run keeps the down script stored by the run that started the migration", async () => {
  const down = (sql: string) => ({ ...emptyDown, sql });
  const ctx = (resumeFrom: number) => ({
    session: s,
    target: { database: db, historySchema: "public" },
    direction: "apply" as const,
    statements: [],
    resumeFrom,
  });
  await createBackupHooks({ engine, session: s, migrationId: "m_resume", down: down("first;\n") }).beforeRun?.(ctx(0));
  await createBackupHooks({ engine, session: s, migrationId: "m_resume", down: down("second;\n") }).beforeRun?.(ctx(2));
  expect(await storedDownScript(engine, s, "m_resume")).toEqual({ sql: "first;\n", reversibility: "exact" });
  await createBackupHooks({ engine, session: s, migrationId: "m_resume", down: down("third;\n") }).beforeRun?.(ctx(0));
  expect(await storedDownScript(engine, s, "m_resume")).toEqual({ sql: "third;\n", reversibility: "exact" });
});

const emptyDown = {
  engine: "postgresql" as const,
  sql: "",
  steps: [],
  reversibility: "exact" as const,
  backups: [],
  backupGaps: [],
  problems: [],
};
