// Schema impact on the approval request (real PostgreSQL, agent, control plane, NATS JetStream): a
// migration completed on DEV shows PROD's approvers what it changed there, read by the agent under
// the run's lock before the first and after the last statement.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2E, startLocalAgent } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-impact-"));
  e2e = await startE2E("IMPACT", { ttlMs: 5_000, renewMs: 200 }, "postgresql", [
    { name: "dev", position: 1 },
    { name: "prod", position: 2, requiredApprovals: 1, protected: true },
  ]);
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "impact",
    agentId: `agent-impact-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId, "dev");
  await e2e.addTargetConnection(agent.agentId, "prod");
  await e2e.flows.createFlow({ name: "main", stages: [{ environment: "dev" }, { environment: "prod" }] });
  await e2e.withTarget((s) => s.exec("create table im_customers (id bigint primary key, name text not null)"));
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

test("PROD's approval request shows what the migration changed on DEV", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260401000000_orders.sql",
    content: [
      "-- UP",
      "create table im_orders (id bigint primary key, customer_id bigint not null references im_customers (id), note text);",
      "alter table im_customers add column email varchar(100) not null default '';",
      "create index im_orders_note on im_orders (note);",
      "-- DOWN",
      "drop table im_orders;",
      "alter table im_customers drop column email;",
      "",
    ].join("\n"),
    engine: Engine.POSTGRESQL,
  });
  const migrationId = migration?.id ?? "";
  const before = await e2e.flows.getFlow({ name: "main", migrationId });
  const promoted = await e2e.flows.promote({ flow: "main", migrationId, stage: "dev" });
  const runId = promoted.stage?.runs[0]?.id ?? "";
  await e2e.untilRunEnds(runId);
  const after = await e2e.flows.getFlow({ name: "main", migrationId });
  const [dev, prod] = after.stages;
  expect({
    beforeRun: before.stages.map((s) => s.schemaImpact),
    dev: { state: dev?.state, impact: dev?.schemaImpact },
    prod: { state: prod?.state, impact: prod?.schemaImpact },
  }).toEqual({
    beforeRun: ["", ""],
    dev: { state: RunState.COMPLETED, impact: "" },
    prod: {
      state: RunState.PENDING,
      impact: [
        "~ table public.im_customers",
        "    + column email character varying(100) NOT NULL DEFAULT ''::character varying",
        "+ table public.im_orders",
        "2 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
      ].join("\n"),
    },
  });
}, 60_000);
