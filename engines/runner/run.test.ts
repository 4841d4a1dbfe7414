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
