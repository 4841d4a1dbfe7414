// "A migration fails mid-execution: run the rollback with one click" on MariaDB, where each statement
// commits by itself (real control plane, agent, NATS JetStream). The migration has no -- DOWN: the
// agent stored a generated down script when the apply started. Statement 3 fails after 1 and 2
// committed; the flow's rollback undoes exactly those two (the script's step markers say which
// inverse undoes which statement), the database is as before, the stage is Pending again and the
// database is no longer dirty: a later migration runs.
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
  dir = await mkdtemp(join(tmpdir(), "mx-partial-"));
  e2e = await startE2E("PARTIAL", { ttlMs: 5_000, renewMs: 200 }, "mariadb");
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "partial",
    agentId: `agent-partial-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId);
  await e2e.flows.createFlow({ name: "one", stages: [{ environment: "dev" }] });
  await e2e.withTarget((s) => s.exec("create table pr_keep (id int primary key, v int)"));
  await e2e.withTarget((s) => s.exec("insert into pr_keep values (1, 10), (2, 20)"));
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

/** Follows the stage's active runs to their end, then reads the stage again. */
async function settle(migrationId: string, stage: StageStatus | undefined) {
  await e2e.settleRuns(stage?.runs);
  const s = (await e2e.flows.getFlow({ name: "one", migrationId })).stages[0];
  return {
    state: RunState[s?.state ?? RunState.UNSPECIFIED],
    operation: s?.operation,
    runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}:${r.statementsDone}`),
  };
}

const state = () =>
  e2e.withTarget(async (s) => ({
    tables: (
      await s.query<{ t: string }>(
        "select table_name as t from information_schema.tables where table_schema = database() and table_name like 'pr\\_%' order by 1",
      )
    ).map((r) => r.t),
    keep: await s.query("select id, v from pr_keep order by id"),
  }));

test("a migration that failed after 2 of 4 statements on MariaDB rolls back exactly those 2", async () => {
  const before = await state();
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260601000000_partial.sql",
    content: [
      "-- UP",
      "create table pr_new (id int primary key);",
      "update pr_keep set v = v + 1 where id = 2;",
      "insert into pr_missing values (1);",
      "create table pr_never (id int);",
      "",
    ].join("\n"),
    engine: Engine.MARIADB,
  });
  const id = migration?.id ?? "";
  const promoted = await e2e.flows.promote({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, promoted.stage)).toEqual({
    state: "FAILED",
    operation: "apply",
    runs: ["apply:FAILED:2"],
  });
  expect(await state()).toEqual({
    tables: ["pr_keep", "pr_new"],
    keep: [
      { id: 1, v: 10 },
      { id: 2, v: 21 },
    ],
  });

  const rolled = await e2e.flows.rollback({ flow: "one", migrationId: id, stage: "dev" });
  expect(await settle(id, rolled.stage)).toEqual({
    state: "PENDING",
    operation: "revert",
    runs: ["apply:FAILED:2", "revert:COMPLETED:2"],
  });
  expect(await state()).toEqual(before);
  const history = await e2e.withTarget((s) =>
    s.query("select status, direction from migratrix_history where migration_id = ?", [id]),
  );
  expect(history).toEqual([{ status: "reverted", direction: "revert" }]);

  // Not dirty any more: another migration runs at once.
  const next = await e2e.migrations.createMigration({
    fileName: "20260601000100_next.sql",
    content: "-- UP\ncreate table pr_next (id int);\n",
    engine: Engine.MARIADB,
  });
  const nextId = next.migration?.id ?? "";
  expect(
    await settle(nextId, (await e2e.flows.promote({ flow: "one", migrationId: nextId, stage: "dev" })).stage),
  ).toEqual({
    state: "COMPLETED",
    operation: "apply",
    runs: ["apply:COMPLETED:1"],
  });
}, 60_000);
