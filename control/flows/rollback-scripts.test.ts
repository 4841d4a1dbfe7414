// The control plane's half of generated rollback on a flow (issue 5), through the Connect API, a
// PGlite store, the in-process bus and an agent simulated at the protocol level: the script made
// when the migration enters the flow is what votes sign and what the job asks the agent to
// regenerate; an agent's "rollback changed" refusal keeps the run Pending, voids the votes and shows
// the new script until it is approved again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, jobInbox, type SimulatedAgent, simulatedAgent, startHarness, watch } from "../test-harness.ts";
import { approvalChecksum, type RollbackScriptRow } from "./rollback-scripts.ts";
import { flowClient } from "./testing.ts";

const script = (connectionId: string, checksum: string) => ({ connectionId, checksum }) as RollbackScriptRow;

describe("approvalChecksum", () => {
  test("is the migration checksum without generated scripts, and changes with any script, in any order", () => {
    const a = approvalChecksum("m1", [script("c1", "x"), script("c2", "y")]);
    expect({
      none: approvalChecksum("m1", []),
      sameInOtherOrder: approvalChecksum("m1", [script("c2", "y"), script("c1", "x")]) === a,
      otherScript: approvalChecksum("m1", [script("c1", "x"), script("c2", "z")]) === a,
      otherFile: approvalChecksum("m2", [script("c1", "x"), script("c2", "y")]) === a,
      shape: /^[0-9a-f]{64}$/.test(a),
    }).toEqual({ none: "m1", sameInOtherOrder: true, otherScript: false, otherFile: false, shape: true });
  });
});

describe("generated rollback on a flow", () => {
  let store: Store;
  let h: Harness;
  let a1: SimulatedAgent;
  let inbox: Awaited<ReturnType<typeof jobInbox>>;
  let flows: ReturnType<typeof flowClient>;

  beforeAll(async () => {
    store = await openStore({});
    h = await startHarness({ store, bus: createMemoryBus(), leaseTtlMs: 30_000, reaperIntervalMs: 60_000 });
    a1 = simulatedAgent(h, "a1");
    await a1.announce([{ name: "main", environment: "dev" }]);
    inbox = await jobInbox(h, "a1");
    flows = flowClient(h, h.adminToken);
    await flows.createFlow({
      name: "one",
      stages: [{ environment: "dev", requiredApprovals: 1, allowSelfApproval: true, allowWithoutBackup: true }],
    });
  }, 30_000);

  afterAll(async () => {
    await inbox?.stop();
    await h?.close();
    await store?.close();
  });

  test("votes sign the creation script; a different pre-flight script waits for re-approval", async () => {
    const { migration } = await h.api.migrations.createMigration({
      fileName: "20260601000000_drop_c.sql",
      content: "-- UP\nalter table t drop column c;\n",
      engine: Engine.POSTGRESQL,
      flow: "one",
    });
    const id = migration?.id ?? "";
    const entered = (await flows.getFlow({ name: "one", migrationId: id })).stages[0];
    const created = entered?.rollbackScripts[0];
    // The simulated agent answers no introspection: no snapshot, said so with the script.
    expect({
      scripts: entered?.rollbackScripts.length,
      origin: created?.origin,
      source: created?.source.startsWith("no schema snapshot of dev/main (agent unreachable:"),
      signs: entered?.approvalChecksum === approvalChecksum(migration?.checksum ?? "", []),
    }).toEqual({ scripts: 1, origin: "created", source: true, signs: false });

    await flows.approve({ flow: "one", migrationId: id, stage: "dev" });
    await flows.promote({ flow: "one", migrationId: id, stage: "dev" });
    const { job } = await inbox.next();
    const sent = job.kind.case === "apply" ? job.kind.value.script : undefined;
    expect({ expected: sent?.expectedDownChecksum, allow: sent?.allowWithoutBackup }).toEqual({
      expected: created?.checksum,
      allow: true,
    });

    const lease = await a1.lease(job.runId, 1);
    await a1.emit(
      { runId: job.runId, attempt: 1, fencingToken: lease.fencingToken },
      {
        case: "rejected",
        value: {
          error: { code: "failed_precondition", message: "generated rollback differs: re-approval needed" },
          rollbackChanged: {
            sql: 'ALTER TABLE "public"."t" ADD COLUMN "c" integer',
            checksum: "f".repeat(64),
            reversibility: "exact",
            notes: ["statement 1 (line 2:1): re-adds c"],
            approvedChecksum: created?.checksum ?? "",
          },
        },
      },
    );
    await watch(h.api, job.runId, { until: (i) => i.event?.kind.case === "rejected" });
    const waiting = (await flows.getFlow({ name: "one", migrationId: id })).stages[0];
    const shown = await h.api.migrations.getMigration({ id });
    expect({
      stage: RunState[waiting?.state ?? 0],
      run: waiting?.runs.map((r) => [RunState[r.state], r.attempt, r.error?.message]),
      votes: waiting?.votes.map((v) => v.valid),
      approvals: waiting?.approvals,
      scripts: shown.rollbackScripts.map((r) => [r.flow, r.stage, r.connection, r.origin, r.checksum, r.notes]),
    }).toEqual({
      stage: "PENDING",
      run: [["PENDING", 1, "generated rollback differs: re-approval needed"]],
      votes: [false],
      approvals: 0,
      scripts: [["one", "dev", "main", "preflight", "f".repeat(64), ["statement 1 (line 2:1): re-adds c"]]],
    });
    const audit = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).filter(
      (r) => r.action === "rollback.generate" || r.action === "stage.pending",
    );
    expect(audit.map((r) => [r.action, r.actor, (r.detail as { origin?: string }).origin])).toEqual([
      ["rollback.generate", expect.stringMatching(/^user:/), "created"],
      ["rollback.generate", "agent:a1", "preflight"],
      ["stage.pending", "agent:a1", undefined],
    ]);

    await expect(flows.promote({ flow: "one", migrationId: id, stage: "dev" })).rejects.toThrow(
      "it needs 1 approval(s) and has 0",
    );
    await flows.approve({ flow: "one", migrationId: id, stage: "dev" });
    await flows.promote({ flow: "one", migrationId: id, stage: "dev" });
    const again = (await inbox.next()).job;
    expect([
      again.runId,
      again.attempt,
      again.kind.case === "apply" ? again.kind.value.script?.expectedDownChecksum : "",
    ]).toEqual([job.runId, 2, "f".repeat(64)]);
  });
});
