// The backup hooks against the real MariaDB, where DDL is not transactional: a DDL statement's
// backup is committed before it runs and kept (never taken twice) when the run dies in between; a
// DML statement's backup commits with it; gaps and limits stop the run before any change.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { getEngine } from "../../index.ts";
import { composeHooks, runMigration } from "../../runner/index.ts";
import type { RunHooks } from "../../runner/options.ts";
import type { Session } from "../../types.ts";
import { createBackupHooks, storedDownScript } from "../backup/hooks.ts";
import { listBackups, purgeBackups } from "../backup/store.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../backup-names.ts";
import { generateDown } from "../generate.ts";

const engine = getEngine("mariadb");
const q = engine.dialect.quoteIdent;
const db = `mx_rbhk_${process.pid}_${Date.now() % 100000}`;
let admin: Session;
let s: Session;

beforeAll(async () => {
  admin = await engine.driver.connect("mysql://root@127.0.0.1:3306/test");
  await admin.exec(`CREATE DATABASE ${q(db)}`);
  s = await engine.driver.connect(`mysql://root@127.0.0.1:3306/${db}`);
});

afterAll(async () => {
  if (s) await purgeBackups(engine, s, { all: true });
  await admin?.query(`DELETE FROM ${q(BACKUP_SCHEMA)}.${q(DOWN_SCRIPTS_TABLE)} WHERE database_name = ?`, [db]);
  await s?.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(db)}`);
  await admin?.close();
});

beforeEach(async () => {
  await purgeBackups(engine, s, { all: true });
  for (const t of ["migratrix_history", "users", "log"]) await s.exec(`DROP TABLE IF EXISTS ${q(t)}`);
  await s.exec("CREATE TABLE users (id int PRIMARY KEY, name varchar(20), score int NOT NULL DEFAULT 0)");
  await s.exec("INSERT INTO users VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)");
  await s.exec("CREATE TABLE log (line varchar(20))");
  await s.exec("INSERT INTO log VALUES ('x')");
});

/** Fault injection: stops the run at statement `at`, in the hook named. */
function dieAt(where: "beforeStatement" | "beforeHistoryWrite", at: number): RunHooks {
  return {
    [where]: (st: { index: number }) => {
      if (st.index === at) throw new Error(`agent died at statement ${at}`);
    },
  };
}

async function run(
  id: string,
  sql: string,
  direction: "apply" | "revert",
  o: { extra?: RunHooks; extraFirst?: boolean; allow?: boolean; maxRows?: number } = {},
) {
  const notices: string[] = [];
  let hooks: RunHooks | undefined;
  if (direction === "apply") {
    const down = await generateDown(sql, {
      engine: "mariadb",
      schemaBefore: await engine.inspector.inspect(s, { objects: true }),
      migrationId: id,
    });
    hooks = createBackupHooks({
      engine,
      session: s,
      migrationId: id,
      down,
      ...(o.allow ? { allowWithoutBackup: true } : {}),
      ...(o.maxRows !== undefined ? { maxRows: o.maxRows } : {}),
      onNotice: (m) => {
        notices.push(m.replace(/into migratrix_backup\.\S+/, "into …"));
      },
    });
  }
  const all = (o.extraFirst ? [o.extra, hooks] : [hooks, o.extra]).filter((h): h is RunHooks => h !== undefined);
  const r = await runMigration({
    engine,
    session: s,
    migration: { id, name: id, checksum: "c", sql },
    direction,
    runId: `${id}-${direction}-${Date.now()}`,
    attempt: 1,
    appliedBy: "test",
    correlationId: id,
    onEvent: () => {},
    ...(all.length ? { hooks: composeHooks(...all) } : {}),
  });
  return { outcome: r.outcome, statementsDone: r.statementsDone, error: r.error?.message, notices };
}

const rows = async (sql: string) => (await s.query(sql)).map((r) => ({ ...r }));
const backups = async () =>
  (await listBackups(engine, s)).map((b) => ({ upIndex: b.upIndex, reason: b.reason, rows: b.rows, source: b.source }));

test("DDL: the backup is committed before the statement; a rerun after dying in between keeps it, takes no second one", async () => {
  const up = "UPDATE users SET score = 0 WHERE id = 1;\nALTER TABLE users DROP COLUMN name";
  const died = await run("m_ddl", up, "apply", { extra: dieAt("beforeStatement", 2) });
  expect(died).toEqual({
    outcome: "failed",
    statementsDone: 1,
    error: "agent died at statement 2",
    notices: [
      `backed up 1 row(s) of ${db}.users before statement 1 (UPDATE) into …`,
      `backed up 3 row(s) of ${db}.users before statement 2 (DROP COLUMN) into …`,
    ],
  });
  // The column is still there: the DDL never ran, its backup is committed.
  expect(await rows("SELECT id, name FROM users ORDER BY id")).toEqual([
    { id: 1, name: "a" },
    { id: 2, name: "b" },
    { id: 3, name: "c" },
  ]);
  const again = await run("m_ddl", up, "apply");
  expect(again).toEqual({
    outcome: "completed",
    statementsDone: 2,
    error: undefined,
    notices: [
      expect.stringMatching(/^backup \S+ for statement 2 exists from an earlier attempt: kept$/) as unknown as string,
    ],
  });
  expect(await backups()).toEqual([
    { upIndex: 1, reason: "UPDATE", rows: 1, source: `${db}.users` },
    { upIndex: 2, reason: "DROP COLUMN", rows: 3, source: `${db}.users` },
  ]);
  const down = await storedDownScript(engine, s, "m_ddl");
  expect(await run("m_ddl", down?.sql ?? "", "revert")).toEqual({
    outcome: "completed",
    statementsDone: 3,
    error: undefined,
    notices: [],
  });
  expect(await rows("SELECT * FROM users ORDER BY id")).toEqual([
    { id: 1, name: "a", score: 10 },
    { id: 2, name: "b", score: 20 },
    { id: 3, name: "c", score: 30 },
  ]);
});

test("DML: backup rows and the statement commit together; dying after the statement, before that commit, rolls both back", async () => {
  const up = "DELETE FROM users WHERE id > 1";
  const died = await run("m_dml", up, "apply", { extra: dieAt("beforeHistoryWrite", 1), extraFirst: true });
  expect([died.outcome, died.statementsDone, died.error]).toEqual(["failed", 0, "agent died at statement 1"]);
  expect(await rows("SELECT id FROM users ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  expect(
    await rows(`SELECT COUNT(*) AS n FROM ${q(BACKUP_SCHEMA)}.${q((await listBackups(engine, s))[0]?.table ?? "")}`),
  ).toEqual([{ n: 0 }]);
  // As after a real crash, the run is left in progress (its failure record rolled back with it): the
  // operator resolves it; here the row is removed so the next case runs on a clean history.
  expect(await rows("SELECT status, statements_done FROM migratrix_history WHERE migration_id = 'm_dml'")).toEqual([
    { status: "in_progress", statements_done: 0 },
  ]);
  await s.exec("DELETE FROM migratrix_history WHERE migration_id = 'm_dml'");
  // Dying after that commit, before the history write: statement and backup are both there.
  const late = await run("m_dml2", up, "apply", { extra: dieAt("beforeHistoryWrite", 1) });
  expect([late.outcome, late.statementsDone]).toEqual(["failed", 0]);
  expect(await rows("SELECT id FROM users ORDER BY id")).toEqual([{ id: 1 }]);
  const kept = (await listBackups(engine, s, { migrationId: "m_dml2" }))[0];
  expect(await rows(`SELECT id FROM ${q(BACKUP_SCHEMA)}.${q(kept?.table ?? "")} ORDER BY id`)).toEqual([
    { id: 2 },
    { id: 3 },
  ]);
});

test("DML that fails by itself: InnoDB undoes it, the failure is recorded, nothing is half-kept", async () => {
  const r = await run("m_fail", "UPDATE users SET score = NULL WHERE id = 2", "apply");
  expect([r.outcome, r.statementsDone]).toEqual(["failed", 0]);
  expect(r.error).toContain("cannot be null");
  expect(await rows("SELECT status, statements_done FROM migratrix_history WHERE migration_id = 'm_fail'")).toEqual([
    { status: "failed", statements_done: 0 },
  ]);
  expect(await rows("SELECT id, score FROM users ORDER BY id")).toEqual([
    { id: 1, score: 10 },
    { id: 2, score: 20 },
    { id: 3, score: 30 },
  ]);
});

test("gaps and limits stop the run before any change; the policy goes on and says so", async () => {
  expect(await run("m_gap", "DELETE FROM users WHERE id = 1;\nUPDATE log SET line = 'y'", "apply")).toEqual({
    outcome: "failed",
    statementsDone: 0,
    error:
      "migration m_gap statement 2: no backup can be taken: UPDATE on log: the table has no primary key to key its backup by; nothing was changed (allow running without a backup to go on)",
    notices: [],
  });
  const big = await run("m_big", "DELETE FROM users", "apply", { maxRows: 2 });
  expect([big.outcome, big.statementsDone, big.error]).toEqual([
    "failed",
    0,
    `migration m_big: statement 1 (DELETE) would back up 3 rows of ${db}.users, over the limit of 2; nothing was changed (allow running without a backup to go on)`,
  ]);
  expect(await rows("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 3 }]);
  const allowed = await run("m_allow", "UPDATE log SET line = 'y'", "apply", { allow: true });
  expect(allowed).toEqual({
    outcome: "completed",
    statementsDone: 1,
    error: undefined,
    notices: [
      "statement 1: no backup can be taken: UPDATE on log: the table has no primary key to key its backup by (allowed by policy: running without it)",
    ],
  });
});

test("backups of this database are listed with their size and purged by migration", async () => {
  await run("m_a", "DELETE FROM users WHERE id = 3", "apply");
  await run("m_b", "TRUNCATE TABLE users", "apply");
  const list = await listBackups(engine, s);
  expect(list.map((b) => [b.migrationId, b.reason, b.rows, b.bytes > 0])).toEqual([
    ["m_a", "DELETE", 1, true],
    ["m_b", "TRUNCATE", 2, true],
  ]);
  expect((await purgeBackups(engine, s, { migrationId: "m_a" })).map((b) => b.migrationId)).toEqual(["m_a"]);
  expect((await listBackups(engine, s)).map((b) => b.migrationId)).toEqual(["m_b"]);
});

test("a migration that failed after committing 2 statements is rolled back by the inverses of those 2 only", async () => {
  const up =
    "ALTER TABLE users DROP COLUMN name;\nDELETE FROM users WHERE id = 3;\nALTER TABLE users DROP COLUMN score;\nINSERT INTO no_such_table VALUES (1)";
  const failed = await run("m_partial", up, "apply");
  expect([failed.outcome, failed.statementsDone]).toEqual(["failed", 3]);
  const down = await storedDownScript(engine, s, "m_partial");
  expect(down?.reversibility).toBe("irreversible");
  const reverted = await run("m_partial", down?.sql ?? "", "revert");
  expect([reverted.outcome, reverted.statementsDone, reverted.error]).toEqual(["completed", 5, undefined]);
  expect(await rows("SELECT * FROM users ORDER BY id")).toEqual([
    { id: 1, name: "a", score: 10 },
    { id: 2, name: "b", score: 20 },
    { id: 3, name: "c", score: 30 },
  ]);
  expect(
    await rows(
      "SELECT direction, status, statements_done, statements_total FROM migratrix_history WHERE migration_id = 'm_partial'",
    ),
  ).toEqual([{ direction: "revert", status: "reverted", statements_done: 5, statements_total: 5 }]);
});
