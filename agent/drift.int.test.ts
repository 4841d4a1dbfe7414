// Drift detection end to end (real PostgreSQL, agent, control plane, NATS JetStream): a migration
// applied through the platform sets the expected schema; a change made behind Migratrix's back is
// reported by CheckDrift, and by the scheduled check that the test clock fires.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import type { createClient } from "@connectrpc/connect";
import { type ManualClock, manualClock } from "../control/schedules/index.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { type DriftReport, DriftService, DriftStatus } from "../proto/gen/migratrix/control/v1/drift_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2EWithAgent } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;
let clock: ManualClock;
let drift: ReturnType<typeof createClient<typeof DriftService>>;

beforeAll(async () => {
  clock = manualClock(new Date("2026-05-01T08:00:00.000Z"));
  ({ dir, e2e, agent } = await startE2EWithAgent({ tag: "DRIFT", controlOptions: { clock } }));
  drift = e2e.client(DriftService);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const view = (r: DriftReport) => ({
  connection: r.connection,
  status: DriftStatus[r.status],
  changes: r.changes,
  diffText: r.diffText,
  message: r.message,
  trigger: r.trigger,
  migrationId: r.migrationId,
});

const MIGRATION = "20260501000000_customers";

test("no migration yet: no baseline", async () => {
  const res = await drift.checkDrift({ environment: "dev" });
  expect(res.reports.map(view)).toEqual([
    {
      connection: "dev/app",
      status: "NO_BASELINE",
      changes: 0,
      diffText: "",
      message: "no baseline: no migration has completed here through Migratrix",
      trigger: "manual",
      migrationId: "",
    },
  ]);
});

test("after an apply through the platform the database is clean; a change behind its back is drift", async () => {
  await e2e.migrations.createMigration({
    fileName: `${MIGRATION}.sql`,
    content: [
      "-- UP",
      "create table dr_customers (id bigint primary key, name text not null);",
      "create view dr_names as select name from dr_customers;",
      "-- DOWN",
      "drop view dr_names;",
      "drop table dr_customers;",
      "",
    ].join("\n"),
    engine: Engine.POSTGRESQL,
  });
  const [run] = (await e2e.migrations.runMigration({ migrationId: MIGRATION, environment: "dev" })).runs;
  expect((await e2e.untilRunEnds(run?.id ?? ""))?.state).toBe(RunState.COMPLETED);

  const clean = await drift.checkDrift({ environment: "dev" });
  expect(clean.reports.map(view)).toEqual([
    {
      connection: "dev/app",
      status: "CLEAN",
      changes: 0,
      diffText: "No differences.",
      message: "",
      trigger: "manual",
      migrationId: MIGRATION,
    },
  ]);

  await e2e.withTarget((s) => s.exec("alter table dr_customers add column phone varchar(20)"));
  const drifted = await drift.checkDrift({ environment: "dev" });
  expect(drifted.reports.map(view)).toEqual([
    {
      connection: "dev/app",
      status: "DRIFTED",
      changes: 1,
      diffText: [
        "~ table public.dr_customers",
        "    + column phone character varying(20)",
        "1 difference (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
      ].join("\n"),
      message: "",
      trigger: "manual",
      migrationId: MIGRATION,
    },
  ]);
}, 60_000);

test("the scheduled check fires from the scheduler loop as the test clock reaches its slot", async () => {
  await e2e.withTarget((s) => s.exec("drop view dr_names"));
  const set = await drift.setDriftSchedule({ environment: "dev", cron: "0 * * * *" });
  expect(set.schedule?.cron).toBe("0 * * * *");
  const fired = e2e.control.scheduler.untilFired((f) => f.kind === "drift");
  clock.set(new Date("2026-05-01T09:00:00.000Z"));
  expect(await fired).toEqual({
    kind: "drift",
    target: expect.any(String),
    slot: "2026-05-01T09:00:00.000Z",
    outcome: "ok",
  });
  const listed = await drift.listDrift({ environment: "dev" });
  expect(listed.reports.map(view)).toEqual([
    {
      connection: "dev/app",
      status: "DRIFTED",
      changes: 2,
      diffText: [
        "~ table public.dr_customers",
        "    + column phone character varying(20)",
        "- view public.dr_names",
        "2 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
      ].join("\n"),
      message: "",
      trigger: "schedule",
      migrationId: MIGRATION,
    },
  ]);
}, 60_000);

test("a completed rollback (revert run) sets the expected schema too", async () => {
  await e2e.flows.createFlow({ name: "drift", stages: [{ environment: "dev" }] });
  const id = "20260501000001_note";
  await e2e.migrations.createMigration({
    fileName: `${id}.sql`,
    content:
      "-- UP\nalter table dr_customers add column note text;\n-- DOWN\nalter table dr_customers drop column note;\n",
    engine: Engine.POSTGRESQL,
  });
  /** Waits for the stage's unfinished runs to end. */
  const settle = (runs: { id: string; state: RunState }[] = []) => e2e.settleRuns(runs);
  await settle((await e2e.flows.promote({ flow: "drift", migrationId: id, stage: "dev" })).stage?.runs);
  // The apply absorbed what was changed by hand before it: its after-schema is the new baseline.
  const applied = await drift.checkDrift({ environment: "dev" });
  const back = await e2e.flows.rollback({ flow: "drift", migrationId: id, stage: "dev" });
  const revert = back.stage?.runs.find((r) => r.direction === "revert");
  await settle(back.stage?.runs);
  const reverted = await drift.checkDrift({ environment: "dev" });
  await e2e.withTarget((s) => s.exec("alter table dr_customers add column note text"));
  const redone = await drift.checkDrift({ environment: "dev" });
  expect({
    applied: applied.reports.map((r) => [DriftStatus[r.status], r.migrationId]),
    reverted: reverted.reports.map((r) => [DriftStatus[r.status], r.migrationId, r.runId]),
    redone: redone.reports.map((r) => [DriftStatus[r.status], r.diffText.split("\n").slice(0, 2)]),
  }).toEqual({
    applied: [["CLEAN", id]],
    reverted: [["CLEAN", id, revert?.id ?? "no revert run"]],
    redone: [["DRIFTED", ["~ table public.dr_customers", "    + column note text"]]],
  });
}, 60_000);
