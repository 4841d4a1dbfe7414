// A flow stage on a real PostgreSQL target through the real agent, control plane and NATS
// JetStream: a failing statement fails the stage with the database unchanged and rollback returns
// it to Pending; a completed stage rolls back by running the down script, and promoting again is
// a new attempt of the same run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { StageStatus } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2E, startLocalAgent } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-flow-"));
  e2e = await startE2E("FLOW", { ttlMs: 5_000, renewMs: 100 });
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "flow",
    agentId: `agent-flow-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId);
  await e2e.flows.createFlow({ name: "one", stages: [{ environment: "dev" }] });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Follows every active run of the stage to its end, then reads the stage again. */
async function settle(migrationId: string, stage: StageStatus | undefined) {
  await e2e.settleRuns(stage?.runs);
  const res = await e2e.flows.getFlow({ name: "one", migrationId });
  const s = res.stages[0];
  return {
    state: RunState[s?.state ?? RunState.UNSPECIFIED],
    operation: s?.operation,
    runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}#${r.attempt}`),
  };
}

const tables = () =>
  e2e.withTarget((s) =>
    s.query(
      "select table_name from information_schema.tables where table_schema = 'public' and table_name like 'fl_%' order by 1",
    ),
  );

test("a failing statement fails the stage and leaves PostgreSQL unchanged; rollback makes it Pending", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260301000000_dup.sql",
    content:
      "-- UP\ncreate table fl_dup (id int primary key);\ninsert into fl_dup values (1), (1);\n-- DOWN\ndrop table fl_dup;\n",
    engine: Engine.POSTGRESQL,
  });
  const id = migration?.id ?? "";
  const promoted = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, promoted.stage)).toEqual({ state: "FAILED", operation: "apply", runs: ["apply:FAILED#1"] });
  expect(await tables()).toEqual([]);
  const rolled = await e2e.flows.rollback({ flow: "one", migrationId: id, stage: "dev" });
  // Nothing committed on the target, so there is nothing to revert: Pending at once.
  expect(await settle(id, rolled.stage)).toEqual({ state: "PENDING", operation: "revert", runs: ["apply:FAILED#1"] });
}, 60_000);

test("a completed stage rolls back through the down script; promoting again is attempt 2", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260301000001_ok.sql",
    content:
      "-- UP\ncreate table fl_ok (id int primary key);\ninsert into fl_ok values (1);\n-- DOWN\ndrop table fl_ok;\n",
    engine: Engine.POSTGRESQL,
  });
  const id = migration?.id ?? "";
  const first = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, first.stage)).toEqual({
    state: "COMPLETED",
    operation: "apply",
    runs: ["apply:COMPLETED#1"],
  });
  expect(await tables()).toEqual([{ table_name: "fl_ok" }]);

  const back = await e2e.flows.rollback({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, back.stage)).toEqual({
    state: "PENDING",
    operation: "revert",
    runs: ["apply:COMPLETED#1", "revert:COMPLETED#1"],
  });
  expect(await tables()).toEqual([]);

  const again = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, again.stage)).toEqual({
    state: "COMPLETED",
    operation: "apply",
    runs: ["apply:COMPLETED#2", "revert:COMPLETED#1"],
  });
  expect({
    tables: await tables(),
    history: await e2e.withTarget((s) =>
      s.query("select status, direction, attempt, statements_done from migratrix_history where migration_id = $1", [
        id,
      ]),
    ),
  }).toEqual({
    tables: [{ table_name: "fl_ok" }],
    history: [{ status: "applied", direction: "apply", attempt: 2, statements_done: 2 }],
  });
}, 60_000);
