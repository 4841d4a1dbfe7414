// The compiled agent SIGKILLed on MariaDB between statement 3 committing (DDL commits by itself)
// and the history write that counts it, via MIGRATRIX_FAULT=before-history:3. The reaper fails
// the run; the retry finds statement 3 in doubt, sees by introspection that it took effect, and
// finishes the migration from statement 4: nothing runs twice, nothing is skipped.
// Then resolve --rollback (on qa, the same database): statement 3 of another migration does two
// things, so introspection cannot tell whether it took effect. Rolling back without an answer is
// refused before any change (naming how to answer); with the operator's answer the generated down
// script undoes exactly what committed, and the database is as before and no longer dirty.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { InDoubtResolution } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { FAULT_MARKER } from "./faults.ts";
import { type E2E, spawnAgentBinary, startE2E, startLocalAgent } from "./int-support.ts";
import { buildAgentBinary } from "./test-support.ts";

const UP = [
  "create table dk_a (id int primary key);",
  "create table dk_b (id int);",
  "alter table dk_a add column note varchar(20);",
  "create index dk_b_id on dk_b (id);",
  "alter table dk_b add column v int;",
  "drop index dk_b_id on dk_b;",
  "create table dk_c (id int);",
];
const MIGRATION = ["-- UP", ...UP, "-- DOWN", "drop table dk_c;", "drop table dk_b;", "drop table dk_a;", ""].join(
  "\n",
);
const ROLLBACK_MIGRATION = [
  "-- UP",
  "create table dr_a (id int primary key, v int);",
  "create table dr_b (id int primary key);",
  "alter table dr_base add column x int, add column y int;",
  "create table dr_c (id int);",
  "",
].join("\n");
const PASSPHRASE = "doubt-kill-passphrase";

let dir: string;
let binary: string;
let e2e: E2E;
let agentProc: ReturnType<typeof Bun.spawn> | undefined;
let resumed: Agent | undefined;
let rbProc: ReturnType<typeof Bun.spawn> | undefined;
let rbResumed: Agent | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-doubt-"));
  binary = await buildAgentBinary();
  e2e = await startE2E("DOUBT", { ttlMs: 1_500, renewMs: 200 }, "mariadb", [
    { name: "dev", position: 1 },
    { name: "qa", position: 2 },
  ]);
}, 180_000);

afterAll(async () => {
  agentProc?.kill("SIGKILL");
  rbProc?.kill("SIGKILL");
  await resumed?.stop();
  await rbResumed?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

test("SIGKILL between statement 3 and its history write on MariaDB: resumed at 4, nothing twice", async () => {
  const agentId = `agent-doubt-${e2e.suffix}`;
  const state = join(dir, "state");
  const child = await spawnAgentBinary(e2e, {
    binary,
    cwd: dir,
    stateDir: state,
    agentId,
    passphrase: PASSPHRASE,
    fault: "before-history:3",
  });
  agentProc = child.proc;
  const { stdout } = child;
  await e2e.addTargetConnection(agentId);

  const created = await e2e.migrations.createMigration({
    fileName: "20260401000000_doubt.sql",
    content: MIGRATION,
    engine: Engine.MARIADB,
  });
  const migrationId = created.migration?.id ?? "";
  const runId = (await e2e.migrations.runMigration({ migrationId, environment: "dev" })).runs[0]?.id ?? "";
  await stdout.until((l) => l.includes(`${FAULT_MARKER} before-history:3`), "the fault point", 30_000);
  agentProc.kill("SIGKILL");
  await agentProc.exited;
  // Ends when the reaper has failed the run.
  await e2e.untilRunEnds(runId);
  const history = () =>
    e2e.withTarget((s) => s.query("select status, statements_done, attempt from migratrix_history"));
  expect({ run: (await e2e.migrations.getRun({ runId })).run?.state, history: await history() }).toEqual({
    run: RunState.FAILED,
    history: [{ status: "in_progress", statements_done: 2, attempt: 1 }],
  });

  // The same agent comes back (its vault, its id) and the run is retried.
  resumed = await startLocalAgent(e2e, {
    vaultPath: join(state, "agent", "vault.json"),
    passphrase: PASSPHRASE,
    agentId,
  });
  const retry = (await e2e.migrations.runMigration({ migrationId, environment: "dev" })).runs[0];
  const logs: string[] = [];
  for await (const item of e2e.migrations.watchRun({ runId, afterSeq: 0n })) {
    const k = item.event?.kind;
    if (item.event?.attempt === 2 && k?.case === "log") logs.push(k.value.message);
  }
  const columns = await e2e.withTarget((s) =>
    s.query(
      "select table_name, column_name from information_schema.columns where table_schema = database() and table_name like 'dk_%' order by 1, 2",
    ),
  );
  expect({
    attempt: retry?.attempt,
    run: (await e2e.migrations.getRun({ runId })).run?.state,
    logs,
    history: await history(),
    columns,
    lockFree: await e2e.lockIsFree(),
  }).toEqual({
    attempt: 2,
    run: RunState.COMPLETED,
    logs: [
      `migration ${migrationId} statement 3 (line 4) on ${e2e.targetUrl.split("/").at(-1)} was in doubt after the previous run stopped: counted as done, introspection shows it took effect`,
      "resuming at statement 4: the down script generated when this migration first started stays the rollback",
    ],
    history: [{ status: "applied", statements_done: 7, attempt: 2 }],
    columns: [
      { table_name: "dk_a", column_name: "id" },
      { table_name: "dk_a", column_name: "note" },
      { table_name: "dk_b", column_name: "id" },
      { table_name: "dk_b", column_name: "v" },
      { table_name: "dk_c", column_name: "id" },
    ],
    lockFree: true,
  });
}, 120_000);

test("SIGKILL leaves statement 3 in doubt on MariaDB: resolve --rollback undoes exactly what committed", async () => {
  const agentId = `agent-doubt-rb-${e2e.suffix}`;
  const state = join(dir, "state-rb");
  await e2e.withTarget((s) => s.exec("create table dr_base (id int primary key)"));
  const before = await e2e.snapshot();
  const child = await spawnAgentBinary(e2e, {
    binary,
    cwd: dir,
    stateDir: state,
    agentId,
    passphrase: PASSPHRASE,
    fault: "before-history:3",
  });
  rbProc = child.proc;
  await e2e.addTargetConnection(agentId, "qa");
  const created = await e2e.migrations.createMigration({
    fileName: "20260401000000_doubt_rb.sql",
    content: ROLLBACK_MIGRATION,
    engine: Engine.MARIADB,
  });
  const migrationId = created.migration?.id ?? "";
  const runId = (await e2e.migrations.runMigration({ migrationId, environment: "qa" })).runs[0]?.id ?? "";
  await child.stdout.until((l) => l.includes(`${FAULT_MARKER} before-history:3`), "the fault point", 30_000);
  rbProc.kill("SIGKILL");
  await rbProc.exited;
  const failed = await e2e.untilRunEnds(runId);
  // The agent reported statement 3 finished before the kill; the target's history counts only 2.
  expect({ state: failed?.state, done: failed?.statementsDone }).toEqual({ state: RunState.FAILED, done: 3 });

  rbResumed = await startLocalAgent(e2e, {
    vaultPath: join(state, "agent", "vault.json"),
    passphrase: PASSPHRASE,
    agentId,
  });
  const columns = () =>
    e2e.withTarget((s) =>
      s.query<{ c: string }>(
        "select concat(table_name, '.', column_name) as c from information_schema.columns where table_schema = database() and table_name like 'dr\\_%' order by 1",
      ),
    );
  const history = () =>
    e2e.withTarget((s) =>
      s.query("select direction, status, statements_done from migratrix_history where migration_id = ?", [migrationId]),
    );

  // No answer: the revert decides statement 3 by introspection, cannot, and refuses before any SQL.
  const first = await e2e.migrations.resolveRun({ runId, rollback: true });
  expect(first.message).toBe(
    `rolling back ${migrationId} on qa/app (the runner decides the statement in doubt by introspection)`,
  );
  const refused = await e2e.untilRunEnds(first.run?.id ?? "");
  expect(refused?.state).toBe(RunState.REJECTED);
  expect(refused?.error?.message).toContain("statement 3 (line 4) on " /* the database */);
  expect(refused?.error?.message).toContain(
    "introspection cannot tell; roll it back saying whether it took effect (mx migration resolve RUN --rollback --took-effect | --not-applied)",
  );
  expect((await columns()).map((r) => r.c)).toEqual([
    "dr_a.id",
    "dr_a.v",
    "dr_b.id",
    "dr_base.id",
    "dr_base.x",
    "dr_base.y",
  ]);
  expect(await history()).toEqual([{ direction: "apply", status: "in_progress", statements_done: 2 }]);

  // The operator looked: it took effect. The generated down script undoes statements 1 to 3.
  const second = await e2e.migrations.resolveRun({ runId, rollback: true, resolution: InDoubtResolution.SKIP });
  expect(second.run?.id).toBe(first.run?.id);
  const reverted = await e2e.untilRunEnds(second.run?.id ?? "");
  expect({
    state: reverted?.state,
    attempt: reverted?.attempt,
    columns: await columns(),
    history: await history(),
    schema: await e2e.snapshot(),
    lockFree: await e2e.lockIsFree(),
  }).toEqual({
    state: RunState.COMPLETED,
    attempt: 2,
    columns: [{ c: "dr_base.id" }],
    // Four down statements: y and x dropped from dr_base (statement 3), then dr_b and dr_a dropped.
    history: [{ direction: "revert", status: "reverted", statements_done: 4 }],
    schema: before,
    lockFree: true,
  });

  // Not dirty any more: another migration runs.
  const other = await e2e.migrations.createMigration({
    fileName: "20260401000001_after.sql",
    content: "-- UP\ncreate table dr_after (id int);\n",
    engine: Engine.MARIADB,
  });
  const otherRun = (await e2e.migrations.runMigration({ migrationId: other.migration?.id ?? "", environment: "qa" }))
    .runs[0];
  expect((await e2e.untilRunEnds(otherRun?.id ?? ""))?.state).toBe(RunState.COMPLETED);
}, 120_000);
