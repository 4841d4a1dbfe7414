// Runner edge cases the conformance suite does not cover, on SQLite (in-process, a temp file per test file).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteEngine } from "../sqlite/index.ts";
import type { Session } from "../types.ts";
import type { RunnerEvent } from "./events.ts";
import type { RunOptions } from "./options.ts";
import { runMigration } from "./run.ts";

const engine = createSqliteEngine();
const dir = mkdtempSync(join(tmpdir(), "test_mx_runner_"));
const url = `sqlite://${join(dir, "runner.db")}`;
let session: Session;

beforeAll(async () => {
  session = await engine.driver.connect(url);
});
afterAll(async () => {
  await session.close();
  rmSync(dir, { recursive: true, force: true });
});

const tables = async () =>
  (await session.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")).map(
    (r) => r.name,
  );
const status = async (id: string) => {
  const rows = await session.query("SELECT status, statements_done FROM migratrix_history WHERE migration_id = ?", [
    id,
  ]);
  return rows[0] ?? null;
};

async function run(id: string, sql: string, extra: Partial<RunOptions> = {}) {
  const events: RunnerEvent[] = [];
  const result = await runMigration({
    engine,
    session,
    migration: { id, name: id, checksum: `c-${id}`, sql },
    direction: "apply",
    runId: `r-${id}`,
    attempt: 1,
    appliedBy: "test",
    correlationId: `c-${id}`,
    lockTimeoutMs: 1000,
    onEvent: (e) => {
      events.push(e);
    },
    ...extra,
  });
  // The lock (SQLite's write lock) is free again: another session can take it at once.
  const other = await engine.driver.connect(url);
  try {
    expect(await engine.migrate.lock(other, { key: "k", timeoutMs: 0 })).toBe(true);
    await engine.migrate.unlock(other, { key: "k" });
  } finally {
    await other.close();
  }
  return { result, events };
}

test("an onEvent error stops the run as failed and rolls back", async () => {
  const { result } = await run("e1", "CREATE TABLE e1_a (id INTEGER);\nCREATE TABLE e1_b (id INTEGER);", {
    onEvent: (e) => {
      if (e.kind === "statementStarted" && e.statement.index === 2) throw new Error("event sink gone");
    },
  });
  expect({
    outcome: result.outcome,
    error: result.error?.message,
    tables: (await tables()).filter((t) => t.startsWith("e1_")),
    history: await status("e1"),
  }).toEqual({
    outcome: "failed",
    error: "event sink gone",
    tables: [],
    history: { status: "failed", statements_done: 0 },
  });
});

test("a failing beforeRun hook fails the run before any statement", async () => {
  const { result, events } = await run("e2", "CREATE TABLE e2_a (id INTEGER);", {
    hooks: {
      beforeRun: () => {
        throw new Error("backup failed");
      },
    },
  });
  expect({
    outcome: result.outcome,
    error: result.error?.message,
    kinds: events.map((e) => e.kind),
    tables: (await tables()).filter((t) => t.startsWith("e2_")),
    history: await status("e2"),
  }).toEqual({
    outcome: "failed",
    error: "backup failed",
    kinds: ["started"],
    tables: [],
    history: { status: "failed", statements_done: 0 },
  });
});

test("a failing afterRun hook is logged and leaves the outcome alone", async () => {
  const { result, events } = await run("e3", "CREATE TABLE e3_a (id INTEGER);", {
    hooks: {
      afterRun: () => {
        throw new Error("snapshot upload failed");
      },
    },
  });
  expect({ outcome: result.outcome, last: events.at(-1), history: await status("e3") }).toEqual({
    outcome: "completed",
    last: { kind: "log", level: "error", message: "afterRun hook failed: snapshot upload failed" },
    history: { status: "applied", statements_done: 1 },
  });
});

test("an empty up script is recorded as applied", async () => {
  const { result } = await run("e4", "-- nothing to do yet\n");
  expect({ outcome: result.outcome, total: result.statementsTotal, history: await status("e4") }).toEqual({
    outcome: "completed",
    total: 0,
    history: { status: "applied", statements_done: 0 },
  });
});

test("revert needs a down script and an applied migration", async () => {
  const empty = await run("e5", "", { direction: "revert" });
  const notApplied = await run("e6", "DROP TABLE nothing;", { direction: "revert" });
  expect([
    { outcome: empty.result.outcome, code: empty.result.error?.code, message: empty.result.error?.message },
    {
      outcome: notApplied.result.outcome,
      code: notApplied.result.error?.code,
      message: notApplied.result.error?.message,
    },
  ]).toEqual([
    { outcome: "rejected", code: "invalid_argument", message: "migration e5 has no down script to revert with" },
    {
      outcome: "rejected",
      code: "failed_precondition",
      message: `migration e6 is not applied to ${join(dir, "runner.db")}; nothing to revert`,
    },
  ]);
});

test("an abort before the first statement runs nothing", async () => {
  const ac = new AbortController();
  ac.abort();
  const { result } = await run("e7", "CREATE TABLE e7_a (id INTEGER);", { signal: ac.signal });
  expect({
    outcome: result.outcome,
    code: result.error?.code,
    tables: (await tables()).filter((t) => t.startsWith("e7_")),
    history: await status("e7"),
  }).toEqual({
    outcome: "failed",
    code: "aborted",
    tables: [],
    history: { status: "failed", statements_done: 0 },
  });
});

const dbName = join(dir, "runner.db");

/** Runs a no-transaction migration that stops before statement 2, then marks it as a run that died. */
async function diedBefore2(id: string, sql: string) {
  const { result } = await run(id, sql, {
    migration: { id, name: id, checksum: `c-${id}`, sql, noTransaction: true },
    hooks: {
      beforeStatement: (s) => {
        if (s.index === 2) throw new Error("killed");
      },
    },
  });
  expect(result.outcome).toBe("failed");
  // A kill, unlike a failure, leaves the row in_progress.
  await session.query("UPDATE migratrix_history SET status = 'in_progress' WHERE migration_id = ?", [id]);
}

const warnings = (events: RunnerEvent[]) =>
  events.flatMap((e) => (e.kind === "log" && e.level === "warn" ? [e.message] : []));

test("a statement in doubt whose effect introspection sees is counted as done, not run twice", async () => {
  const sql = "CREATE TABLE d1_a (id INTEGER);\nCREATE TABLE d1_b (id INTEGER);\nCREATE TABLE d1_c (id INTEGER);";
  await diedBefore2("d1", sql);
  // Statement 2 committed, and the agent died before its history write.
  await session.exec("CREATE TABLE d1_b (id INTEGER)");
  const { result, events } = await run("d1", sql, {
    migration: { id: "d1", name: "d1", checksum: "c-d1", sql, noTransaction: true },
  });
  expect({
    outcome: result.outcome,
    warnings: warnings(events),
    tables: (await tables()).filter((t) => t.startsWith("d1_")),
    history: await status("d1"),
  }).toEqual({
    outcome: "completed",
    warnings: [
      `migration d1 statement 2 (line 2) on ${dbName} was in doubt after the previous run stopped: counted as done, introspection shows it took effect`,
    ],
    tables: ["d1_a", "d1_b", "d1_c"],
    history: { status: "applied", statements_done: 3 },
  });
});

test("a statement in doubt whose effect is absent runs again", async () => {
  const sql = "CREATE TABLE d2_a (id INTEGER);\nCREATE TABLE d2_b (id INTEGER);";
  await diedBefore2("d2", sql);
  const { result, events } = await run("d2", sql, {
    migration: { id: "d2", name: "d2", checksum: "c-d2", sql, noTransaction: true },
  });
  expect({ outcome: result.outcome, warnings: warnings(events), history: await status("d2") }).toEqual({
    outcome: "completed",
    warnings: [
      `migration d2 statement 2 (line 2) on ${dbName} was in doubt after the previous run stopped: running it again, introspection shows it did not take effect`,
    ],
    history: { status: "applied", statements_done: 2 },
  });
});

test("a statement in doubt introspection cannot decide is refused until the operator resolves it", async () => {
  const sql = "CREATE TABLE d3_a (id INTEGER);\nINSERT INTO d3_a VALUES (1);";
  const migration = { id: "d3", name: "d3", checksum: "c-d3", sql, noTransaction: true };
  await diedBefore2("d3", sql);
  const refused = await run("d3", sql, { migration });
  expect({
    outcome: refused.result.outcome,
    code: refused.result.error?.code,
    message: refused.result.error?.message,
    history: await status("d3"),
  }).toEqual({
    outcome: "rejected",
    code: "failed_precondition",
    message: `migration d3 statement 2 (line 2) on ${dbName} is in doubt: the run that stopped there may have committed it without recording it, and introspection cannot tell; resolve it by running it again (resume), skipping it (it took effect) or rolling the migration back`,
    history: { status: "in_progress", statements_done: 1 },
  });
  const resolved = await run("d3", sql, { migration, inDoubt: "rerun" });
  expect({
    outcome: resolved.result.outcome,
    warnings: warnings(resolved.events),
    rows: await session.query("SELECT id FROM d3_a"),
  }).toEqual({
    outcome: "completed",
    warnings: [
      `migration d3 statement 2 (line 2) on ${dbName} was in doubt after the previous run stopped: running it again, as the operator resolved`,
    ],
    rows: [{ id: 1 }],
  });
});
