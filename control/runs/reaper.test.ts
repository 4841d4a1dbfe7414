import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { listAudit } from "../audit/index.ts";
import { flowClient, untilFinished } from "../flows/testing.ts";
import { openStore, type Store } from "../store/index.ts";
import {
  type Harness,
  jobInbox,
  simulatedAgent,
  startHarness,
  summary,
  THREE_STATEMENTS,
  watch,
} from "../test-harness.ts";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore({});
  // The TTL is far above the renewal interval so a loaded CI machine cannot lapse a live lease;
  // the test still ends the lease by stopping renewals, never by a sleep.
  h = await startHarness({ store, bus: createMemoryBus(), leaseTtlMs: 400, leaseRenewMs: 10, reaperIntervalMs: 10 });
}, 60_000);
afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

const stmt = (index: number) => ({ index, position: { line: index + 1, column: 1 }, excerpt: `statement ${index}` });

test("a run whose agent stops renewing its lease fails at the statement it was in", async () => {
  const a1 = simulatedAgent(h, "a1");
  await a1.announce([{ name: "main", environment: "dev" }]);
  const inbox = await jobInbox(h, "a1");
  const m = (
    await h.api.migrations.createMigration({
      fileName: "20260101000000_three.sql",
      content: THREE_STATEMENTS,
      engine: Engine.POSTGRESQL,
    })
  ).migration!;
  const [run] = (await h.api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
  await inbox.next();
  const lease = await a1.lease(run!.id, 1);
  expect([lease.granted, lease.ttlMs, lease.renewEveryMs]).toEqual([true, 400, 10]);

  // Renew like a live agent until statement 1 is recorded, then go silent (the agent died).
  let renewing = true;
  const renewals = (async () => {
    while (renewing) {
      const r = await a1.lease(run!.id, 1, lease.fencingToken);
      if (!r.granted) throw new Error(`renewal refused: ${r.reason}`);
      await new Promise((resolve) => setTimeout(resolve, lease.renewEveryMs));
    }
  })();
  const r = { runId: run!.id, attempt: 1, fencingToken: lease.fencingToken };
  await a1.emit(r, { case: "started", value: { statementsTotal: 3 } });
  await a1.emit(r, { case: "statementStarted", value: { statement: stmt(1) } });
  await a1.emit(r, { case: "statementFinished", value: { statement: stmt(1), durationMs: 1 } });
  await a1.emit(r, { case: "statementStarted", value: { statement: stmt(2) } });
  await watch(h.api, run!.id, { until: (i) => i.seq === 4n });
  renewing = false;
  await renewals;

  const items = await watch(h.api, run!.id);
  const P = RunState.IN_PROGRESS;
  expect(summary(items)).toEqual([
    [1, P, "started"],
    [2, P, "statementStarted"],
    [3, P, "statementFinished"],
    [4, P, "statementStarted"],
    [5, RunState.FAILED, "finished"],
  ]);
  const end = items[4]!.event!;
  expect(end.kind.case === "finished" ? [end.kind.value.statementsDone, end.kind.value.error?.message] : []).toEqual([
    1,
    "agent a1 stopped responding during statement 2",
  ]);
  const failed = (await h.api.migrations.getRun({ runId: run!.id })).run!;
  expect([
    failed.state,
    failed.statementsDone,
    failed.failedStatement,
    failed.error?.code,
    failed.error?.message,
  ]).toEqual([RunState.FAILED, 1, 2, "unavailable", "agent a1 stopped responding during statement 2"]);
  const last = (await listAudit(h.store.db, h.workspaceId, { limit: 1000 })).at(-1)!;
  expect([last.action, last.actor, last.target, last.detail.failedStatement]).toEqual([
    "run.fail",
    "control:reaper",
    `run:${run!.id}`,
    2,
  ]);
  // The agent wakes up late: its lease is gone and so are its events.
  expect((await a1.lease(run!.id, 1, lease.fencingToken)).reason).toBe("run is Failed");
  await inbox.stop();
});

test("a reaped run fails its flow stage in the same transaction", async () => {
  const a2 = simulatedAgent(h, "a2");
  await a2.announce([{ name: "main", environment: "qa" }]);
  const inbox = await jobInbox(h, "a2");
  const flows = flowClient(h, h.adminToken);
  await flows.createFlow({ name: "reaped", stages: [{ environment: "qa" }] });
  const id = (
    await h.api.migrations.createMigration({
      fileName: "20260101000001_reaped.sql",
      content: THREE_STATEMENTS,
      engine: Engine.POSTGRESQL,
    })
  ).migration!.id;
  await flows.promote({ flow: "reaped", migrationId: id, stage: "qa" });
  const { job } = await inbox.next();
  // Leased and never renewed: the agent died right after taking the run.
  expect((await a2.lease(job.runId, job.attempt)).granted).toBe(true);
  expect(await untilFinished(h, job.runId)).toBe("failed");
  const stage = (await flows.getFlow({ name: "reaped", migrationId: id })).stages[0];
  const audit = (await listAudit(h.store.db, h.workspaceId, { limit: 1000 })).filter(
    (a) => a.target === `migration:${id}` && a.action === "stage.failed",
  );
  expect({
    state: stage?.state,
    runs: stage?.runs.map((r) => [r.state, r.failedStatement, r.error?.code]),
    audit: audit.map((a) => [a.actor, a.detail.from, a.detail.to]),
  }).toEqual({
    state: RunState.FAILED,
    runs: [[RunState.FAILED, 1, "unavailable"]],
    audit: [["control:reaper", "InProgress", "Failed"]],
  });
  await inbox.stop();
});
