// The backup hooks on a real SQLite file: backups ride in the migration's transaction as
// migratrix_backup__… tables in main; gaps and limits stop the run before any change; a failed
// statement rolls its backup back with it; backups list with their size and purge.
import { afterAll, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEngine } from "../../index.ts";
import { runMigration } from "../../runner/index.ts";
import type { Session } from "../../types.ts";
import { createBackupHooks, storedDownScript } from "../backup/hooks.ts";
import { listBackups, purgeBackups } from "../backup/store.ts";
import { generateDown } from "../generate.ts";

const engine = getEngine("sqlite");
const dir = realpathSync(mkdtempSync(join(tmpdir(), "mx_rbsqhk_")));
let s: Session;
let n = 0;

beforeEach(async () => {
  await s?.close();
  s = await engine.driver.connect(`sqlite://${join(dir, `t${++n}.db`)}`);
  await s.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, score INTEGER NOT NULL DEFAULT 0)");
  await s.exec("INSERT INTO users VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)");
  await s.exec("CREATE TABLE log (line TEXT)");
  await s.exec("INSERT INTO log VALUES ('x')");
});

afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  id: string,
  sql: string,
  direction: "apply" | "revert",
  o: { allow?: boolean; maxRows?: number } = {},
) {
  const notices: string[] = [];
  const hooks =
    direction === "apply"
      ? createBackupHooks({
          engine,
          session: s,
          migrationId: id,
          down: await generateDown(sql, {
            engine: "sqlite",
            schemaBefore: await engine.inspector.inspect(s, { objects: true }),
            migrationId: id,
          }),
          ...(o.allow ? { allowWithoutBackup: true } : {}),
          ...(o.maxRows !== undefined ? { maxRows: o.maxRows } : {}),
          onNotice: (m) => {
            notices.push(m);
          },
        })
      : undefined;
  const r = await runMigration({
    engine,
    session: s,
    migration: { id, name: id, checksum: "c", sql },
    direction,
    runId: `${id}-${direction}`,
    attempt: 1,
    appliedBy: "test",
    correlationId: id,
    onEvent: () => {},
    ...(hooks ? { hooks } : {}),
  });
  return { outcome: r.outcome, statementsDone: r.statementsDone, error: r.error?.message, notices };
}

const rows = async (sql: string) => (await s.query(sql)).map((r) => ({ ...r }));

test("apply backs up in its transaction, revert restores from the stored script", async () => {
  const up = "DELETE FROM users WHERE id = 3;\nALTER TABLE users DROP COLUMN name";
  expect(await run("m1", up, "apply")).toEqual({
    outcome: "completed",
    statementsDone: 2,
    error: undefined,
    notices: [
      "backed up 1 row(s) of main.users before statement 1 (DELETE) into migratrix_backup.m1__s1",
      "backed up 2 row(s) of main.users before statement 2 (DROP COLUMN) into migratrix_backup.m1__s2",
    ],
  });
  expect((await listBackups(engine, s)).map((b) => [b.table, b.reason, b.rows, b.bytes > 0])).toEqual([
    ["m1__s1", "DELETE", 1, true],
    ["m1__s2", "DROP COLUMN", 2, true],
  ]);
  const down = await storedDownScript(engine, s, "m1");
  expect((await run("m1", down?.sql ?? "", "revert")).outcome).toBe("completed");
  expect(await rows("SELECT * FROM users ORDER BY id")).toEqual([
    { id: 1, name: "a", score: 10 },
    { id: 2, name: "b", score: 20 },
    { id: 3, name: "c", score: 30 },
  ]);
  expect((await purgeBackups(engine, s, { migrationId: "m1" })).map((b) => b.table)).toEqual(["m1__s1", "m1__s2"]);
  expect(await listBackups(engine, s)).toEqual([]);
});

test("a failing statement rolls its backup back with it", async () => {
  const r = await run("m2", "DELETE FROM users WHERE id = 1;\nINSERT INTO no_such_table VALUES (1)", "apply");
  expect([r.outcome, r.statementsDone]).toEqual(["failed", 0]);
  expect([await rows("SELECT COUNT(*) AS n FROM users"), await listBackups(engine, s)]).toEqual([[{ n: 3 }], []]);
});

test("no primary key or too many rows: the run stops before any change; the policy goes on and says so", async () => {
  expect(await run("m3", "UPDATE log SET line = 'y'", "apply")).toEqual({
    outcome: "failed",
    statementsDone: 0,
    error:
      "migration m3 statement 1: no backup can be taken: UPDATE on log: the table has no primary key to key its backup by; nothing was changed (allow running without a backup to go on)",
    notices: [],
  });
  const big = await run("m4", "DELETE FROM users", "apply", { maxRows: 2 });
  expect([big.outcome, big.error]).toEqual([
    "failed",
    "migration m4: statement 1 (DELETE) would back up 3 rows of main.users, over the limit of 2; nothing was changed (allow running without a backup to go on)",
  ]);
  expect(await rows("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 3 }]);
  const allowed = await run("m5", "UPDATE log SET line = 'y'", "apply", { allow: true });
  expect([allowed.outcome, allowed.notices]).toEqual([
    "completed",
    [
      "statement 1: no backup can be taken: UPDATE on log: the table has no primary key to key its backup by (allowed by policy: running without it)",
    ],
  ]);
});
