// A flow stage on SQLite through the real agent, control plane and NATS JetStream: a migration
// without -- DOWN completes and rolls back through the down script the agent generated and stored
// when it applied; a failing statement fails the stage with the database unchanged (SQLite runs
// the migration in one transaction).
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
  dir = await mkdtemp(join(tmpdir(), "mx-flow-sqlite-"));
  e2e = await startE2E("FLOWSQ", { ttlMs: 5_000, renewMs: 200 }, "sqlite");
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "flow-sqlite",
    agentId: `agent-flowsq-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId);
  await e2e.flows.createFlow({ name: "one", stages: [{ environment: "dev" }] });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

async function settle(migrationId: string, stage: StageStatus | undefined) {
  await e2e.settleRuns(stage?.runs);
  const s = (await e2e.flows.getFlow({ name: "one", migrationId })).stages[0];
  return {
    state: RunState[s?.state ?? RunState.UNSPECIFIED],
    operation: s?.operation,
    runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}`),
  };
}

const userTables = () =>
  e2e.withTarget(async (s) =>
    (
      await s.query<{ name: string }>(
        "select name from sqlite_schema where type = 'table' and name like 'sq\\_%' escape '\\' order by name",
      )
    ).map((r) => r.name),
  );

test("SQLite: a migration without -- DOWN completes and rolls back through the generated script", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260701000000_sq.sql",
    content: "-- UP\ncreate table sq_a (id integer primary key, note text);\ninsert into sq_a values (1, 'x');\n",
    engine: Engine.SQLITE,
  });
  const id = migration?.id ?? "";
  const applied = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, applied.stage)).toEqual({
    state: "COMPLETED",
    operation: "apply",
    runs: ["apply:COMPLETED"],
  });
  expect({
    tables: await userTables(),
    rows: await e2e.withTarget((s) => s.query("select id, note from sq_a")),
  }).toEqual({ tables: ["sq_a"], rows: [{ id: 1, note: "x" }] });

  const rolled = await e2e.flows.rollback({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, rolled.stage)).toEqual({
    state: "PENDING",
    operation: "revert",
    runs: ["apply:COMPLETED", "revert:COMPLETED"],
  });
  expect(await userTables()).toEqual([]);
}, 60_000);

test("SQLite: a failing statement fails the stage and leaves the database unchanged", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260701000100_sq_fail.sql",
    content: "-- UP\ncreate table sq_b (id integer);\ninsert into sq_missing values (1);\n",
    engine: Engine.SQLITE,
  });
  const id = migration?.id ?? "";
  const promoted = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, promoted.stage)).toEqual({ state: "FAILED", operation: "apply", runs: ["apply:FAILED"] });
  expect({ tables: await userTables(), lockFree: await e2e.lockIsFree() }).toEqual({ tables: [], lockFree: true });
}, 60_000);
