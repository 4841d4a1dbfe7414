// Generated rollback through the platform on a real PostgreSQL target: a migration without a
// -- DOWN section that drops a column and deletes rows is applied through a flow stage by the agent
// (which stores the generated down script and backs up what the statements destroy), then rolled
// back through FlowService.Rollback: the schema and every row are as before.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../engines/index.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { StageStatus } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2E, startLocalAgent } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-rollback-"));
  e2e = await startE2E("RBK", { ttlMs: 5_000, renewMs: 100 });
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "rollback",
    agentId: `agent-rbk-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId);
  await e2e.flows.createFlow({ name: "rb", stages: [{ environment: "dev" }] });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Follows every active run of the stage to its end; returns each run's log lines and the stage. */
async function settle(migrationId: string, stage: StageStatus | undefined) {
  const logs: string[] = [];
  for (const run of stage?.runs ?? []) {
    if (run.state !== RunState.PENDING && run.state !== RunState.IN_PROGRESS) continue;
    for await (const item of e2e.migrations.watchRun({ runId: run.id, afterSeq: 0n })) {
      if (item.event?.kind.case === "log") logs.push(`${run.direction}: ${item.event.kind.value.message}`);
    }
  }
  const res = await e2e.flows.getFlow({ name: "rb", migrationId });
  const s = res.stages[0];
  return {
    state: RunState[s?.state ?? RunState.UNSPECIFIED],
    runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}#${r.attempt}`),
    logs,
  };
}

/** The table's introspected shape and a checksum over every row in key order. */
const observe = async () => {
  const snap = (await e2e.snapshot()) as { tables: Array<{ name: string }> };
  const checksum = await e2e.withTarget((s) =>
    s.query<{ sum: string; n: string }>(
      "select md5(string_agg(row(id, qty, note)::text, ';' order by id)) as sum, count(*)::text as n from rb_items",
    ),
  );
  return { table: snap.tables.filter((t) => t.name === "rb_items"), rows: checksum };
};

test("a migration without -- DOWN that drops a column and deletes rows rolls back to the same schema and rows", async () => {
  await e2e.withTarget(async (s) => {
    await s.query("create table rb_items (id int primary key, qty int not null default 0, note text)");
    await s.query("insert into rb_items values (1, 10, 'a'), (2, 20, null), (3, 30, 'c'), (4, 40, 'd; e')");
  });
  const before = await observe();
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260401000000_shrink.sql",
    content: "-- UP\nalter table rb_items drop column note;\ndelete from rb_items where id > 2;\n",
    engine: Engine.POSTGRESQL,
  });
  const id = migration?.id ?? "";

  const applied = await e2e.flows.promote({ flow: "rb", migrationId: id, stage: "dev" });
  const afterApply = await settle(id, applied.stage);
  const shrunk = await e2e.withTarget((s) => s.query("select * from rb_items order by id"));
  expect({ stage: afterApply, shrunk }).toEqual({
    stage: {
      state: "COMPLETED",
      runs: ["apply:COMPLETED#1"],
      logs: [
        "apply: generated down script for rollback: exact, 2 backup(s) to take",
        `apply: backed up 4 row(s) of public.rb_items before statement 1 (DROP COLUMN note) into migratrix_backup.${id}__s1`,
        `apply: backed up 2 row(s) of public.rb_items before statement 2 (DELETE) into migratrix_backup.${id}__s2`,
      ],
    },
    shrunk: [
      { id: 1, qty: 10 },
      { id: 2, qty: 20 },
    ],
  });

  const back = await e2e.flows.rollback({ flow: "rb", migrationId: id, stage: "dev" });
  const afterRollback = await settle(id, back.stage);
  expect({ stage: afterRollback, observed: await observe() }).toEqual({
    stage: {
      state: "PENDING",
      runs: ["apply:COMPLETED#1", "revert:COMPLETED#1"],
      logs: [expect.stringMatching(new RegExp(`^revert: running the down script generated when ${id} was applied`))],
    },
    observed: before,
  });
  expect(before.rows[0]?.n).toBe("4");
}, 60_000);

test("a destructive statement whose rows cannot be backed up fails the apply before any change", async () => {
  await e2e.withTarget(async (s) => {
    await s.query("create table rb_nokey (v int)");
    await s.query("insert into rb_nokey values (1), (2)");
  });
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260401000001_nokey.sql",
    content: "-- UP\ncreate table rb_new (id int primary key);\nupdate rb_nokey set v = 3 where v = 2;\n",
    engine: Engine.POSTGRESQL,
  });
  const id = migration?.id ?? "";
  const applied = await e2e.flows.promote({ flow: "rb", migrationId: id, stage: "dev" });
  const stage = await settle(id, applied.stage);
  const run = (await e2e.flows.getFlow({ name: "rb", migrationId: id })).stages[0]?.runs[0];
  expect({
    stage,
    error: { code: run?.error?.code, message: run?.error?.message },
    rows: await e2e.withTarget((s) => s.query("select v from rb_nokey order by v")),
    created: await e2e.withTarget((s) => s.query("select to_regclass('rb_new') is not null as ok")),
  }).toEqual({
    stage: {
      state: "FAILED",
      runs: ["apply:FAILED#1"],
      logs: ["apply: generated down script for rollback: irreversible, 0 backup(s) to take"],
    },
    error: {
      code: "failed_precondition",
      message: `migration ${id} statement 2: no backup can be taken: UPDATE on public.rb_nokey: the table has no primary key to key its backup by; nothing was changed (allow running without a backup to go on)`,
    },
    rows: [{ v: 1 }, { v: 2 }],
    created: [{ ok: false }],
  });
}, 60_000);

test("a rollback whose stored down script is gone fails the revert by name and changes nothing", async () => {
  const { migration } = await e2e.migrations.createMigration({
    fileName: "20260401000002_gone.sql",
    content: "-- UP\ncreate table rb_gone (id int primary key);\n",
    engine: Engine.POSTGRESQL,
  });
  const id = migration?.id ?? "";
  const applied = await e2e.flows.promote({ flow: "rb", migrationId: id, stage: "dev" });
  expect((await settle(id, applied.stage)).state).toBe("COMPLETED");
  // As a purge of the backup area would leave it.
  await e2e.withTarget((s) =>
    s.query(`delete from ${BACKUP_SCHEMA}.${DOWN_SCRIPTS_TABLE} where migration_id = $1`, [id]),
  );
  const back = await e2e.flows.rollback({ flow: "rb", migrationId: id, stage: "dev" });
  const stage = await settle(id, back.stage);
  const revert = (await e2e.flows.getFlow({ name: "rb", migrationId: id })).stages[0]?.runs.find(
    (r) => r.direction === "revert",
  );
  expect({
    stage,
    error: { code: revert?.error?.code, message: revert?.error?.message },
    table: await e2e.withTarget((s) => s.query("select to_regclass('rb_gone') is not null as ok")),
  }).toEqual({
    stage: { state: "FAILED", runs: ["apply:COMPLETED#1", "revert:REJECTED#1"], logs: [] },
    error: {
      code: "failed_precondition",
      message: `migration ${id} has no -- DOWN section and no down script was stored in postgresql when it was applied`,
    },
    table: [{ ok: true }],
  });
}, 60_000);
