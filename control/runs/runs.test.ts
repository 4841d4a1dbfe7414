import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { subjects } from "../../bus/subjects.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { InDoubtResolution, JobSchema } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { listAudit, verifyChain } from "../audit/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import {
  type Harness,
  jobInbox,
  type SimulatedAgent,
  simulatedAgent,
  startHarness,
  summary,
  THREE_STATEMENTS,
  watch,
} from "../test-harness.ts";

let store: Store;
let h: Harness;
let a1: SimulatedAgent;
let inbox: Awaited<ReturnType<typeof jobInbox>>;

const stmt = (index: number) => ({ index, position: { line: index + 1, column: 1 }, excerpt: `statement ${index}` });

async function newMigration(id: string, content = THREE_STATEMENTS) {
  const res = await h.api.migrations.createMigration({ fileName: `${id}.sql`, content, engine: Engine.POSTGRESQL });
  return res.migration!;
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), leaseTtlMs: 30_000, reaperIntervalMs: 60_000 });
  a1 = simulatedAgent(h, "a1");
  const announced = await a1.announce([
    { name: "main", environment: "dev" },
    { name: "main", environment: "qa" },
    { name: "main", environment: "prod" },
    { name: "x", environment: "nowhere" },
  ]);
  expect({ accepted: announced.accepted, message: announced.message }).toEqual({
    accepted: true,
    message: "nowhere/x: environment nowhere does not exist",
  });
  inbox = await jobInbox(h, "a1");
}, 60_000);
afterAll(async () => {
  await inbox.stop();
  await h.close();
  await h.bus.close();
  await store.close();
});

describe("CreateMigration", () => {
  test("stores the parsed file with its statement count", async () => {
    const m = await newMigration("20260101000000_three");
    expect({ id: m.id, name: m.name, statements: m.statements, down: m.downSql }).toEqual({
      id: "20260101000000_three",
      name: "three",
      statements: 3,
      down: "drop table t1;\n",
    });
  });

  test("a SQL problem is invalid_argument with line:column", async () => {
    const f = await failure(newMigration("20260101000001_bad", "-- UP\nselect 1;\nselect 'oops;\n"));
    expect(f.code).toBe("InvalidArgument");
    expect(f.message).toStartWith("20260101000001_bad.sql:3:8: ");
  });
});

describe("RunMigration", () => {
  test("refuses unknown environments, approval environments and empty ones", async () => {
    const m = await newMigration("20260101000002_guarded");
    expect(await failure(h.api.migrations.runMigration({ migrationId: m.id, environment: "nope" }))).toEqual({
      code: "NotFound",
      message: "environment nope not found",
    });
    expect(await failure(h.api.migrations.runMigration({ migrationId: m.id, environment: "prod" }))).toEqual({
      code: "FailedPrecondition",
      message: `environment prod requires 2 approvals; use promote to run ${m.id} there`,
    });
    expect(await failure(h.api.migrations.runMigration({ migrationId: m.id, environment: "empty" }))).toEqual({
      code: "FailedPrecondition",
      message: `environment empty has no connection to run ${m.id} on; add one with mx connection add`,
    });
    expect(await failure(h.api.migrations.runMigration({ migrationId: "missing", environment: "dev" }))).toEqual({
      code: "NotFound",
      message: "migration missing not found",
    });
  });

  test("creates one Pending run per connection, publishes its job once, and is idempotent", async () => {
    const m = await newMigration("20260101000003_first");
    const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    expect({
      state: run!.state,
      attempt: run!.attempt,
      connection: run!.connection,
      total: run!.statementsTotal,
    }).toEqual({
      state: RunState.PENDING,
      attempt: 1,
      connection: "main",
      total: 3,
    });
    const { job } = await inbox.next();
    expect({
      jobId: job.jobId,
      runId: job.runId,
      attempt: job.attempt,
      connection: job.connection,
      requestedBy: job.requestedBy,
      correlationId: job.correlationId,
      kind: job.kind.case,
      script: job.kind.case === "apply" ? { ...job.kind.value.script, $typeName: undefined } : null,
    }).toEqual({
      jobId: `${run!.id}:1`,
      runId: run!.id,
      attempt: 1,
      connection: "dev/main",
      requestedBy: "admin@localhost",
      correlationId: run!.correlationId,
      kind: "apply",
      script: {
        $typeName: undefined,
        migrationId: m.id,
        name: "first",
        sql: m.upSql,
        checksum: m.checksum,
        firstLine: 2,
        noTransaction: false,
        inDoubt: InDoubtResolution.UNSPECIFIED,
        // Only a revert carries the up script (to decide a statement its apply left in doubt).
        upSql: "",
        upFirstLine: 0,
        // A direct run carries no approved generated rollback and no stage backup policy.
        expectedDownChecksum: "",
        allowWithoutBackup: false,
        maxBackupRows: 0,
      },
    });
    // The job went out under msgId "<run>:<attempt>": the same id again is a duplicate publish.
    const again = await h.bus.publish(subjects.jobs(h.workspaceId, "a1"), toBinary(JobSchema, job), {
      msgId: `${run!.id}:1`,
    });
    expect(again.duplicate).toBe(true);
    const second = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    expect(second.map((r) => [r.id, r.attempt, r.state])).toEqual([[run!.id, 1, RunState.PENDING]]);
  });
});

describe("leases and events", () => {
  test("a run goes Pending → InProgress → Completed through lease and events; WatchRun resumes", async () => {
    const m = await newMigration("20260101000004_flow");
    const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    const { job } = await inbox.next();
    expect(job.runId).toBe(run!.id);
    const lease = await a1.lease(run!.id, 1);
    expect({ ...lease, $typeName: undefined }).toEqual({
      $typeName: undefined,
      granted: true,
      fencingToken: 1n,
      ttlMs: 30_000,
      renewEveryMs: 10_000,
      reason: "",
    });
    const renewed = await a1.lease(run!.id, 1, 1n);
    expect([renewed.granted, renewed.fencingToken]).toEqual([true, 1n]);
    const stale = await a1.lease(run!.id, 1, 7n);
    expect([stale.granted, stale.reason]).toEqual([false, "fencing token 7 is stale: the run's token is 1"]);
    const other = simulatedAgent(h, "b1");
    expect((await other.lease(run!.id, 1)).reason).toBe(`run ${run!.id} is served by agent a1`);

    const r = { runId: run!.id, attempt: 1, fencingToken: 1n };
    a1.resetSeq();
    await a1.emit(r, { case: "started", value: { statementsTotal: 3, statementsDone: 0 } });
    for (const i of [1, 2, 3]) {
      await a1.emit(r, { case: "statementStarted", value: { statement: stmt(i) } });
      await a1.emit(r, { case: "statementFinished", value: { statement: stmt(i), durationMs: 1, rowsAffected: 0n } });
    }
    await a1.emit(r, { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: 3, durationMs: 9 } });

    const all = await watch(h.api, run!.id);
    const P = RunState.IN_PROGRESS;
    expect(summary(all)).toEqual([
      [1, P, "started"],
      [2, P, "statementStarted"],
      [3, P, "statementFinished"],
      [4, P, "statementStarted"],
      [5, P, "statementFinished"],
      [6, P, "statementStarted"],
      [7, P, "statementFinished"],
      [8, RunState.COMPLETED, "finished"],
    ]);
    expect(summary(await watch(h.api, run!.id, { afterSeq: 5n }))).toEqual(summary(all).slice(5));
    const done = (await h.api.migrations.getRun({ runId: run!.id })).run!;
    expect([done.state, done.statementsDone, done.failedStatement, done.agentId, done.error]).toEqual([
      RunState.COMPLETED,
      3,
      0,
      "a1",
      undefined,
    ]);
    const audit = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).filter(
      (a) => a.target === `run:${run!.id}`,
    );
    expect(audit.map((a) => [a.action, a.actor, a.detail.to])).toEqual([
      ["run.pending", `user:${(await h.api.identity.whoAmI({})).userId}`, "Pending"],
      ["run.lease", "agent:a1", "InProgress"],
      ["run.complete", "agent:a1", "Completed"],
    ]);
    expect(await verifyChain(store.db, h.workspaceId)).toBeNull();
    expect((await a1.lease(run!.id, 1)).reason).toBe("run is Completed");
  });

  test("watching an unknown run is not_found", async () => {
    expect(await failure(watch(h.api, crypto.randomUUID()))).toMatchObject({ code: "NotFound" });
    expect(await failure(h.api.migrations.getRun({ runId: "x" }))).toEqual({
      code: "NotFound",
      message: 'run "x" not found',
    });
  });

  test("duplicate and stale events are dropped; a re-acquired lease makes the old token stale", async () => {
    const m = await newMigration("20260101000005_stale");
    const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    await inbox.next();
    const lease = await a1.lease(run!.id, 1);
    const r = { runId: run!.id, attempt: 1, fencingToken: lease.fencingToken };
    await a1.emit(r, { case: "started", value: { statementsTotal: 3 } }, { seq: 1n });
    // Same agent seq under another msgId: the stream keeps it, the control plane must not.
    await a1.emit(r, { case: "started", value: { statementsTotal: 3 } }, { seq: 1n, msgId: "replay-1" });
    await a1.emit(
      { ...r, fencingToken: 99n },
      { case: "log", value: { level: "info", message: "forged" } },
      { seq: 2n },
    );
    await a1.emit({ ...r, attempt: 2 }, { case: "log", value: { level: "info", message: "future" } }, { seq: 3n });
    await a1.emit(r, { case: "log", value: { level: "info", message: "real" } }, { seq: 4n });
    const seen = await watch(h.api, run!.id, { until: (i) => i.event?.kind.case === "log" });
    expect(summary(seen)).toEqual([
      [1, RunState.IN_PROGRESS, "started"],
      [2, RunState.IN_PROGRESS, "log"],
    ]);
    expect(seen[1]?.event?.kind.value).toMatchObject({ message: "real" });

    // The agent restarts and takes the lease again: its old token no longer counts.
    const again = await a1.lease(run!.id, 1);
    expect([again.granted, again.fencingToken]).toEqual([true, lease.fencingToken + 1n]);
    await a1.emit(r, { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: 3 } }, { seq: 5n });
    const r2 = { ...r, fencingToken: again.fencingToken };
    await a1.emit(
      r2,
      {
        case: "finished",
        value: {
          outcome: RunOutcome.FAILED,
          statementsDone: 1,
          error: { code: "invalid_argument", message: 'syntax error at or near "x"', nativeCode: "42601" },
        },
      },
      { seq: 6n },
    );
    const rest = await watch(h.api, run!.id, { afterSeq: 2n });
    expect(summary(rest)).toEqual([[3, RunState.FAILED, "finished"]]);
    const failed = (await h.api.migrations.getRun({ runId: run!.id })).run!;
    expect([failed.state, failed.failedStatement, failed.error?.message, failed.error?.nativeCode]).toEqual([
      RunState.FAILED,
      2,
      'syntax error at or near "x"',
      "42601",
    ]);
    const text = await (await h.control.fetch(new Request("http://localhost/metrics"))).text();
    expect(text).toContain('migratrix_job_events_total{outcome="duplicate"} 1');
    expect(text).toMatch(/migratrix_job_events_total\{outcome="stale"\} [3-9]/);
  });

  test("a lease is refused while another agent holds it", async () => {
    const m = await newMigration("20260101000006_held");
    const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "qa" })).runs;
    await inbox.next();
    expect((await a1.lease(run!.id, 1)).granted).toBe(true);
    // The connection moves to agent b1 while a1 still holds a live lease.
    const b1 = simulatedAgent(h, "b1");
    await b1.announce([]);
    await store.db
      .update(tables.connections)
      .set({ agentId: "b1" })
      .where(
        eq(
          tables.connections.id,
          (await store.db.select().from(tables.runs).where(eq(tables.runs.id, run!.id)))[0]!.connectionId,
        ),
      );
    const refused = await b1.lease(run!.id, 1);
    expect(refused.granted).toBe(false);
    expect(refused.reason).toMatch(/^held by agent a1 until \d{4}-/);
  });

  test("an agent may reject a job before leasing it; a retry is a new attempt of the same run", async () => {
    const m = await newMigration("20260101000007_rejected");
    const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    await inbox.next();
    const r = { runId: run!.id, attempt: 1, fencingToken: 0n };
    await a1.emit(
      r,
      { case: "rejected", value: { error: { code: "failed_precondition", message: "unknown connection dev/main" } } },
      { seq: 1n },
    );
    const items = await watch(h.api, run!.id);
    expect(summary(items)).toEqual([[1, RunState.REJECTED, "rejected"]]);
    const retried = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
    expect(retried.map((x) => [x.id, x.attempt, x.state, x.failedStatement, x.error])).toEqual([
      [run!.id, 2, RunState.PENDING, 0, undefined],
    ]);
    const { job } = await inbox.next();
    expect([job.runId, job.attempt, job.jobId]).toEqual([run!.id, 2, `${run!.id}:2`]);
    expect((await a1.lease(run!.id, 1)).reason).toBe("attempt 1 is stale: run is at attempt 2");
    expect((await a1.lease(run!.id, 2)).granted).toBe(true);
    const history = (await h.api.migrations.listHistory({ environment: "dev" })).entries.find(
      (e) => e.runId === run!.id,
    );
    expect([history?.migrationId, history?.state, history?.attempt, history?.appliedBy]).toEqual([
      m.id,
      RunState.IN_PROGRESS,
      2,
      "admin@localhost",
    ]);
  });
});
