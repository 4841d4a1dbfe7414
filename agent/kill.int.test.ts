// The foundation's "done when": the compiled agent, driven by the real control plane over real NATS
// JetStream, is SIGKILLed at a fixed point of a 5-statement PostgreSQL migration (before statement
// 3, via MIGRATRIX_FAULT, never a timed sleep). The run must end Failed at statement 3 (control's
// reaper, short lease TTL), PostgreSQL must be unchanged, and the per-target lock must be free.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { FAULT_MARKER } from "./faults.ts";
import { type E2E, spawnAgentBinary, startE2E } from "./int-support.ts";
import { buildAgentBinary } from "./test-support.ts";
import { AGENT_VERSION } from "./version.ts";

const MIGRATION = [
  "-- UP",
  "create table kill_a (id int primary key);",
  "insert into kill_a values (1);",
  "create table kill_b (id int);",
  "create index kill_b_id on kill_b (id);",
  "alter table kill_a add column note text;",
  "-- DOWN",
  "drop table kill_b;",
  "drop table kill_a;",
  "",
].join("\n");

let dir: string;
let binary: string;
let e2e: E2E;
let agentProc: ReturnType<typeof Bun.spawn> | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-kill-"));
  binary = await buildAgentBinary();
  // Short lease so the reaper notices the dead agent quickly; renewals keep a live agent's lease.
  e2e = await startE2E("KILL", { ttlMs: 1_500, renewMs: 200 });
}, 180_000);

afterAll(async () => {
  agentProc?.kill("SIGKILL");
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

test("SIGKILL before statement 3: run Failed at 3, PostgreSQL unchanged, lock free", async () => {
  const agentId = `agent-kill-${e2e.suffix}`;
  const child = await spawnAgentBinary(e2e, {
    binary,
    cwd: dir,
    stateDir: join(dir, "state"),
    agentId,
    passphrase: "kill-test-passphrase",
    fault: "before-statement:3",
  });
  agentProc = child.proc;
  const { stdout, stderr } = child;
  const httpUrl = child.started.http as string;
  expect(await (await fetch(`${httpUrl}/healthz`)).json()).toEqual({
    ok: true,
    agentId,
    version: AGENT_VERSION,
    bus: "connected",
    jobsInFlight: 0,
  });
  await e2e.addTargetConnection(agentId);

  const before = await e2e.snapshot();
  const created = await e2e.migrations.createMigration({
    fileName: "20260101000000_kill_me.sql",
    content: MIGRATION,
    engine: Engine.POSTGRESQL,
  });
  const migrationId = created.migration?.id ?? "";
  const started = await e2e.migrations.runMigration({ migrationId, environment: "dev" });
  const runId = started.runs[0]?.id ?? "";

  const marker = `${FAULT_MARKER} before-statement:3`;
  await stdout.until((l) => l.includes(marker), "the fault point", 30_000);
  agentProc.kill("SIGKILL");
  expect(await agentProc.exited).not.toBe(0);

  // WatchRun ends when the run is terminal: here, when the reaper has failed it.
  const seen: string[] = [];
  for await (const item of e2e.migrations.watchRun({ runId, afterSeq: 0n })) {
    if (item.event) seen.push(item.event.kind.case ?? "none");
  }
  const { run } = await e2e.migrations.getRun({ runId });
  expect({
    stdout: stdout.items,
    events: seen,
    state: run?.state,
    failedStatement: run?.failedStatement,
    error: run?.error && { code: run.error.code, message: run.error.message },
  }).toEqual({
    stdout: [marker],
    events: [
      "started",
      "log",
      "statementStarted",
      "statementFinished",
      "statementStarted",
      "statementFinished",
      "finished",
    ],
    state: RunState.FAILED,
    failedStatement: 3,
    error: { code: "unavailable", message: `agent ${agentId} stopped responding during statement 3` },
  });

  // PostgreSQL rolled the open transaction back when the session died: nothing changed, nothing
  // is recorded as applied, and the advisory lock died with the session.
  expect(await e2e.snapshot()).toEqual(before);
  const history = await e2e.withTarget((s) =>
    s.query("select migration_id, status, statements_done from migratrix_history order by migration_id"),
  );
  expect(history).toEqual([{ migration_id: migrationId, status: "in_progress", statements_done: 0 }]);
  expect(await e2e.lockIsFree()).toBe(true);

  // No log line of the agent ever carried the connection URL.
  expect(stderr.items.filter((l) => l.includes(e2e.targetUrl))).toEqual([]);
}, 120_000);
