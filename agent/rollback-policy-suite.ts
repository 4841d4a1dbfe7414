// The rollback-policy suite (issue 5), run through the real agent, control plane and NATS JetStream
// on a real target of each engine that generates rollback: the down script generated when the
// migration enters the flow is what votes sign; when the target's schema changes before the run,
// the agent's pre-flight script differs, the run waits Pending for re-approval (votes void, new
// script shown) and runs once approved again. A stage may allow running without a backup (shown,
// audited); backups are listed with their size and purged through the agent, explicitly or by the
// environment's retention policy (the shared scheduler, on a test clock).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import type { createClient } from "@connectrpc/connect";
import { type ManualClock, manualClock } from "../control/schedules/index.ts";
import type { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { BackupService } from "../proto/gen/migratrix/control/v1/backup_pb.ts";
import type { StageStatus } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2EWithAgent } from "./int-support.ts";

/** What differs between the engines the suite runs on. */
export interface PolicyDialect {
  /** Stream prefix and database name tag. */
  tag: string;
  engine: Engine;
  /** SELECT of rp_items.note's type, as one row { data_type } (none once dropped). */
  noteType: string;
  /** How the generated down script re-adds the dropped text column. */
  textInverse: string;
  /** Statements that turn rp_items.note into a varchar(40) behind Migratrix's back. */
  widenNote: string[];
  /** How the down script re-adds it then, and the type noteType reads then. */
  varcharInverse: string;
  varcharType: string;
  /** rp_keep (id int primary key, v text) with 50 rows. */
  seedKeep: string;
  /** A table's name as the backup notes write it. */
  qualified(table: string): string;
  /** A backup's source table as listings write it, given the target database. */
  backupSource(table: string, database: string): string;
}

export function rollbackPolicySuite(kind: "postgresql" | "mariadb" | "sqlite", d: PolicyDialect): void {
  let dir: string;
  let e2e: E2E;
  let agent: Agent;
  let clock: ManualClock;
  let backups: ReturnType<typeof createClient<typeof BackupService>>;

  beforeAll(async () => {
    clock = manualClock(new Date());
    ({ dir, e2e, agent } = await startE2EWithAgent({
      tag: d.tag,
      lease: { ttlMs: 5_000, renewMs: 100 },
      kind,
      controlOptions: { clock },
    }));
    backups = e2e.client(BackupService);
    await e2e.flows.createFlow({
      name: "reviewed",
      stages: [{ environment: "dev", requiredApprovals: 1, allowSelfApproval: true }],
    });
    await e2e.flows.createFlow({ name: "strict", stages: [{ environment: "dev" }] });
    await e2e.flows.createFlow({ name: "lenient", stages: [{ environment: "dev", allowWithoutBackup: true }] });
    await e2e.flows.createFlow({ name: "tight", stages: [{ environment: "dev", maxBackupRows: 1 }] });
    await e2e.flows.createFlow({
      name: "tight-lenient",
      stages: [{ environment: "dev", maxBackupRows: 1, allowWithoutBackup: true }],
    });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await e2e?.close();
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  async function stageOf(flow: string, migrationId: string): Promise<StageStatus | undefined> {
    return (await e2e.flows.getFlow({ name: flow, migrationId })).stages[0];
  }

  /** Creates an up-only migration of `sql`; its id. */
  async function createUp(fileName: string, sql: string): Promise<string> {
    const { migration } = await e2e.migrations.createMigration({
      fileName,
      content: `-- UP\n${sql}\n`,
      engine: d.engine,
    });
    return migration?.id ?? "";
  }

  /** Promotes the migration to dev on `flow` and follows it (settle). */
  async function promoteDev(flow: string, migrationId: string) {
    return settle(flow, migrationId, (await e2e.flows.promote({ flow, migrationId, stage: "dev" })).stage);
  }

  /** Follows the stage's active runs to their end; the stage, its runs and their log lines. */
  async function settle(flow: string, migrationId: string, stage: StageStatus | undefined) {
    const logs: string[] = [];
    for (const run of stage?.runs ?? []) {
      if (run.state !== RunState.PENDING && run.state !== RunState.IN_PROGRESS) continue;
      for await (const item of e2e.migrations.watchRun({ runId: run.id, afterSeq: 0n })) {
        const k = item.event?.kind;
        if (item.event?.attempt !== run.attempt) continue;
        if (k?.case === "log") logs.push(`${k.value.level}: ${k.value.message}`);
        // A run that waits for re-approval stays Pending: the stream has nothing more to say.
        if (k?.case === "rejected" && item.event?.attempt === run.attempt) break;
      }
    }
    const s = await stageOf(flow, migrationId);
    return {
      state: RunState[s?.state ?? RunState.UNSPECIFIED],
      runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}#${r.attempt}`),
      logs,
    };
  }

  const noteColumn = () => e2e.withTarget((s) => s.query<{ data_type: string }>(d.noteType));

  const auditActions = async (prefix: string) =>
    (await e2e.audit.listAudit({ limit: 1000 })).records
      .filter((r) => r.action.startsWith(prefix))
      .map((r) => ({ action: r.action, actor: r.actor, detail: JSON.parse(r.detailJson) as Record<string, unknown> }));

  test("a target whose generated rollback changed since approval waits Pending for re-approval, then runs", async () => {
    await e2e.withTarget(async (s) => {
      await s.query("create table rp_items (id int primary key, qty int not null, note text)");
      await s.query("insert into rp_items values (1, 10, 'a'), (2, 20, null), (3, 30, 'c')");
    });
    const { migration } = await e2e.migrations.createMigration({
      fileName: "20260501000000_drop_note.sql",
      content: "-- UP\nalter table rp_items drop column note;\n",
      engine: d.engine,
      flow: "reviewed",
    });
    const id = migration?.id ?? "";

    // At creation: generated from the first stage's live schema, shown, and signed by the vote.
    const created = await stageOf("reviewed", id);
    const first = created?.rollbackScripts[0];
    expect({
      scripts: created?.rollbackScripts.length,
      origin: first?.origin,
      source: first?.source,
      reversibility: first?.reversibility,
      restoresText: first?.sql.includes(d.textInverse),
      signsMoreThanTheFile: created?.approvalChecksum !== migration?.checksum,
    }).toEqual({
      scripts: 1,
      origin: "created",
      source: "live schema of dev/app",
      reversibility: "exact",
      restoresText: true,
      signsMoreThanTheFile: true,
    });
    const approved = (await e2e.flows.approve({ flow: "reviewed", migrationId: id, stage: "dev" })).stage;
    expect(approved?.votes.map((v) => ({ checksum: v.checksum, valid: v.valid }))).toEqual([
      { checksum: created?.approvalChecksum ?? "", valid: true },
    ]);

    // Between approval and run the target's schema changes: the inverse now re-adds a varchar(40).
    await e2e.withTarget(async (s) => {
      for (const sql of d.widenNote) await s.exec(sql);
    });
    const promoted = await e2e.flows.promote({ flow: "reviewed", migrationId: id, stage: "dev" });
    const waiting = await settle("reviewed", id, promoted.stage);
    const after = await stageOf("reviewed", id);
    const run = after?.runs[0];
    expect({
      stage: waiting.state,
      runs: waiting.runs,
      error: run?.error?.message.startsWith(
        `migration ${id}: generated rollback differs from the approved one: re-approval needed`,
      ),
      script: after?.rollbackScripts.map((r) => ({
        origin: r.origin,
        source: r.source,
        varchar: r.sql.includes(d.varcharInverse),
      })),
      votes: after?.votes.map((v) => v.valid),
      approvals: after?.approvals,
      unchanged: await noteColumn(),
    }).toEqual({
      stage: "PENDING",
      runs: ["apply:PENDING#1"],
      error: true,
      script: [{ origin: "preflight", source: "agent pre-flight on dev/app", varchar: true }],
      votes: [false],
      approvals: 0,
      unchanged: [{ data_type: d.varcharType }],
    });
    expect((await auditActions("rollback.generate")).map((a) => ({ origin: a.detail.origin, actor: a.actor }))).toEqual(
      [
        { origin: "created", actor: expect.stringMatching(/^user:/) },
        { origin: "preflight", actor: `agent:${agent.agentId}` },
      ],
    );

    // Without a new approval it does not run.
    await expect(e2e.flows.promote({ flow: "reviewed", migrationId: id, stage: "dev" })).rejects.toThrow(
      "it needs 1 approval(s) and has 0",
    );
    // Approved again (the vote signs the new script), it runs; the rollback re-adds the varchar.
    const again = (await e2e.flows.approve({ flow: "reviewed", migrationId: id, stage: "dev" })).stage;
    expect(again?.votes.map((v) => ({ checksum: v.checksum, valid: v.valid }))).toEqual([
      { checksum: again?.approvalChecksum ?? "", valid: true },
    ]);
    const ran = await promoteDev("reviewed", id);
    expect({ stage: ran.state, runs: ran.runs, note: await noteColumn() }).toEqual({
      stage: "COMPLETED",
      runs: ["apply:COMPLETED#2"],
      note: [],
    });
    const back = await settle(
      "reviewed",
      id,
      (await e2e.flows.rollback({ flow: "reviewed", migrationId: id, stage: "dev" })).stage,
    );
    expect({
      stage: back.state,
      note: await noteColumn(),
      rows: await e2e.withTarget((s) => s.query("select id, note from rp_items order by id")),
    }).toEqual({
      stage: "PENDING",
      note: [{ data_type: d.varcharType }],
      rows: [
        { id: 1, note: "a" },
        { id: 2, note: null },
        { id: 3, note: "c" },
      ],
    });
  }, 90_000);

  test("a backup that cannot be taken stops the run unless the stage allows running without it (shown, audited)", async () => {
    await e2e.withTarget(async (s) => {
      await s.query("create table rp_nokey (v int)");
      await s.query("insert into rp_nokey values (1), (2)");
    });
    const sql = "update rp_nokey set v = 3 where v = 2;";
    const strictId = await createUp("20260501000001_nokey_strict.sql", sql);
    const refused = await promoteDev("strict", strictId);
    expect({
      stage: refused.state,
      error: (await stageOf("strict", strictId))?.runs[0]?.error?.message,
      rows: await e2e.withTarget((s) => s.query("select v from rp_nokey order by v")),
    }).toEqual({
      stage: "FAILED",
      error: `migration ${strictId} statement 1: no backup can be taken: UPDATE on ${d.qualified("rp_nokey")}: the table has no primary key to key its backup by; nothing was changed (allow running without a backup to go on)`,
      rows: [{ v: 1 }, { v: 2 }],
    });

    const lenientId = await createUp("20260501000002_nokey_lenient.sql", sql);
    const ran = await promoteDev("lenient", lenientId);
    const flow = (await e2e.flows.getFlow({ name: "lenient" })).flow;
    const skipped = (await auditActions("run.backup_skipped")).map((a) => ({
      actor: a.actor,
      migrationId: a.detail.migrationId,
      reason: a.detail.reason,
    }));
    const promoted = (await auditActions("stage.in_progress")).filter((a) => a.detail.flowId === flow?.id);
    expect({
      policy: flow?.stages[0]?.allowWithoutBackup,
      stage: ran.state,
      logs: ran.logs,
      rows: await e2e.withTarget((s) => s.query("select v from rp_nokey order by v")),
      skipped,
      promotedWith: promoted.map((a) => a.detail.allowWithoutBackup),
    }).toEqual({
      policy: true,
      stage: "COMPLETED",
      logs: [
        "info: generated down script for rollback: irreversible, 0 backup(s) to take",
        `warn: statement 1: no backup can be taken: UPDATE on ${d.qualified("rp_nokey")}: the table has no primary key to key its backup by (allowed by policy: running without it)`,
      ],
      rows: [{ v: 1 }, { v: 3 }],
      skipped: [
        {
          actor: `agent:${agent.agentId}`,
          migrationId: lenientId,
          reason: `statement 1: no backup can be taken: UPDATE on ${d.qualified("rp_nokey")}: the table has no primary key to key its backup by (allowed by policy: running without it)`,
        },
      ],
      promotedWith: [true],
    });
  }, 60_000);

  test("a backup over the stage's size limit stops the run before any change unless the stage allows it", async () => {
    await e2e.withTarget(async (s) => {
      await s.query("create table rp_big (id int primary key)");
      await s.query("insert into rp_big values (1), (2), (3)");
    });
    const source = d.backupSource("rp_big", new URL(e2e.targetUrl).pathname.slice(1));
    const outcome = async (flow: string, file: string, sql: string) => {
      const id = await createUp(file, sql);
      const ran = await promoteDev(flow, id);
      const run = (await stageOf(flow, id))?.runs[0];
      return {
        id,
        stage: ran.state,
        warnings: ran.logs.filter((l) => l.startsWith("warn: ")),
        error: run?.error?.message ?? "",
        left: await e2e.withTarget((s) => s.query<{ n: number | string }>("select count(*) as n from rp_big")),
      };
    };
    const refused = await outcome("tight", "20260501000005_big_strict.sql", "delete from rp_big where id > 1;");
    expect({ ...refused, left: Number(refused.left[0]?.n) }).toEqual({
      id: refused.id,
      stage: "FAILED",
      warnings: [],
      error: `migration ${refused.id}: statement 1 (DELETE) would back up 2 rows of ${source}, over the limit of 1; nothing was changed (allow running without a backup to go on)`,
      left: 3,
    });
    const allowed = await outcome(
      "tight-lenient",
      "20260501000006_big_lenient.sql",
      "delete from rp_big where id > 1;",
    );
    expect({ ...allowed, left: Number(allowed.left[0]?.n) }).toEqual({
      id: allowed.id,
      stage: "COMPLETED",
      warnings: [
        `warn: statement 1 (DELETE) would back up 2 rows of ${source}, over the limit of 1 (allowed by policy: running without it)`,
      ],
      error: "",
      left: 1,
    });
  }, 60_000);

  test("backups are listed with their size and purged through the agent, by name and by retention", async () => {
    await e2e.withTarget(async (s) => {
      await s.query("create table rp_keep (id int primary key, v text)");
      await s.query(d.seedKeep);
    });
    const ids: string[] = [];
    for (const [n, sql] of [
      ["20260501000003_trim", "delete from rp_keep where id > 40;"],
      ["20260501000004_trim_more", "delete from rp_keep where id > 30;"],
    ] as const) {
      const id = await createUp(`${n}.sql`, sql);
      ids.push(id);
      const done = await promoteDev("strict", id);
      expect(done.state).toBe("COMPLETED");
    }
    const listed = await backups.listBackups({ environment: "dev" });
    const mine = listed.backups.filter((b) => ids.includes(b.migrationId));
    expect({
      errors: listed.errors,
      backups: mine.map((b) => ({
        connection: b.connection,
        migrationId: b.migrationId,
        source: b.source,
        reason: b.reason,
        rows: b.rows,
        sized: b.bytes > 0n,
      })),
    }).toEqual({
      errors: [],
      backups: [
        {
          connection: "dev/app",
          migrationId: ids[0] ?? "",
          source: d.backupSource("rp_keep", new URL(e2e.targetUrl).pathname.slice(1)),
          reason: "DELETE",
          rows: 10n,
          sized: true,
        },
        {
          connection: "dev/app",
          migrationId: ids[1] ?? "",
          source: d.backupSource("rp_keep", new URL(e2e.targetUrl).pathname.slice(1)),
          reason: "DELETE",
          rows: 10n,
          sized: true,
        },
      ],
    });

    // Explicit purge of one migration's backups: what and how big is on the audit trail.
    const purged = await backups.purgeBackups({ environment: "dev", migrationId: ids[0] ?? "" });
    expect(purged.purged.map((b) => b.migrationId)).toEqual([ids[0] ?? ""]);
    const [explicit] = await auditActions("backup.purge");
    expect(explicit).toEqual({
      action: "backup.purge",
      actor: expect.stringMatching(/^user:/),
      detail: {
        migrationId: ids[0],
        purged: [
          {
            connection: "dev/app",
            table: purged.purged[0]?.table,
            migrationId: ids[0],
            rows: 10,
            bytes: Number(purged.purged[0]?.bytes),
          },
        ],
        bytes: Number(purged.purged[0]?.bytes),
      },
    });
    await expect(backups.purgeBackups({ environment: "dev" })).rejects.toThrow(
      "purge needs a migration id or an age (older than)",
    );

    // Retention: keep 1 day; the scheduler's slot two days on purges what is older, as the system.
    const set = await backups.setBackupRetention({ environment: "dev", keepDays: 1 });
    expect({ keepDays: set.keepDays, cron: set.cron }).toEqual({ keepDays: 1, cron: "0 3 * * *" });
    const fired = e2e.control.scheduler.untilFired((f) => f.kind === "backup_retention");
    clock.advance(3 * 86_400_000);
    expect((await fired).outcome).toBe("ok");
    const left = (await backups.listBackups({ environment: "dev" })).backups;
    const byScheduler = (await auditActions("backup.purge")).filter((a) => a.actor === "control:scheduler");
    expect({
      left: left.length,
      scheduled: byScheduler.map((a) => (a.detail.purged as { migrationId: string }[]).map((p) => p.migrationId)),
    }).toEqual({ left: 0, scheduled: [expect.arrayContaining([ids[1]])] });
  }, 90_000);
}
