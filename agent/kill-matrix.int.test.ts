// The compiled agent SIGKILLed at every fixed point of a 7-statement migration, on PostgreSQL and
// MariaDB, driven by the real control plane over real NATS JetStream: before and after each
// statement k, and (MariaDB, where each statement commits by itself) between statement k and its
// history write. At each point the run ends Failed (the control plane's reaper), the target holds
// exactly what committed, and a retry by the same agent finishes the migration with every statement
// run exactly once: running one twice would fail (CREATE TABLE, ADD COLUMN, CREATE/DROP INDEX), so
// Completed plus the final schema proves it. The per-target lock is free afterwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { FAULT_MARKER } from "./faults.ts";
import { type E2E, type E2ETarget, spawnAgentBinary, startE2E, startLocalAgent } from "./int-support.ts";
import { buildAgentBinary } from "./test-support.ts";

const PASSPHRASE = "kill-matrix-passphrase";

/** Seven statements, each of which fails when run a second time. */
function migration(p: string, kind: E2ETarget): string {
  const up = [
    `create table ${p}_a (id int primary key);`,
    `create table ${p}_b (id int);`,
    `alter table ${p}_a add column note varchar(20);`,
    `create index ${p}_b_id on ${p}_b (id);`,
    `alter table ${p}_b add column v int;`,
    kind === "mariadb" ? `drop index ${p}_b_id on ${p}_b;` : `drop index ${p}_b_id;`,
    `create table ${p}_c (id int);`,
  ];
  return ["-- UP", ...up, "-- DOWN", `drop table ${p}_c;`, `drop table ${p}_b;`, `drop table ${p}_a;`, ""].join("\n");
}

interface Point {
  fault: string;
  k: number;
  /** Statements of this migration the target has committed when the agent dies. */
  committed: number;
}

function points(kind: E2ETarget): Point[] {
  const selfCommitting = kind === "mariadb";
  return [1, 2, 3, 4, 5, 6, 7].flatMap((k) => [
    { fault: `before-statement:${k}`, k, committed: selfCommitting ? k - 1 : 0 },
    // PostgreSQL: all seven run in one transaction, which dies with the session.
    { fault: `after-statement:${k}`, k, committed: selfCommitting ? k : 0 },
    ...(selfCommitting ? [{ fault: `before-history:${k}`, k, committed: k }] : []),
  ]);
}

for (const kind of ["postgresql", "mariadb"] as const) {
  describe(`${kind}: SIGKILL at every point of a 7-statement migration`, () => {
    let dir: string;
    let binary: string;
    let e2e: E2E;
    let killed: { kill(): Promise<void> } | undefined;
    const agentId = () => `agent-km-${kind}-${e2e.suffix}`;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `mx-km-${kind}-`));
      binary = await buildAgentBinary();
      // A short lease so the reaper fails a dead agent's run quickly; renewals well inside it.
      e2e = await startE2E(`KM${kind === "mariadb" ? "M" : "P"}`, { ttlMs: 800, renewMs: 100 }, kind);
      // The connection is sealed to the agent once; every restart reads it from the same vault.
      const first = await spawnAgentBinary(e2e, {
        binary,
        cwd: dir,
        stateDir: join(dir, "state"),
        agentId: `agent-km-${kind}-${e2e.suffix}`,
        passphrase: PASSPHRASE,
      });
      await e2e.addTargetConnection(agentId());
      await first.kill();
    }, 180_000);

    afterAll(async () => {
      await killed?.kill();
      await e2e?.close();
      await rm(dir, { recursive: true, force: true });
    }, 30_000);

    /** The migration's tables and their columns on the target, for a point's table prefix. */
    const columns = (p: string) =>
      e2e.withTarget((s) =>
        s.query<{ t: string; c: string }>(
          kind === "mariadb"
            ? "select table_name as t, column_name as c from information_schema.columns where table_schema = database() and table_name like ? order by 1, 2"
            : "select table_name as t, column_name as c from information_schema.columns where table_schema = 'public' and table_name like $1 order by 1, 2",
          [`${p}\\_%`],
        ),
      );
    const historyOf = (migrationId: string) =>
      e2e.withTarget((s) =>
        s.query<{ status: string; done: number }>(
          kind === "mariadb"
            ? "select status, statements_done as done from migratrix_history where migration_id = ?"
            : "select status, statements_done as done from migratrix_history where migration_id = $1",
          [migrationId],
        ),
      );
    test.each(points(kind))(
      "$fault",
      async ({ fault, k, committed }) => {
        const p = `km${fault.replace(/[^a-z0-9]/g, "")}`;
        const { migration: m } = await e2e.migrations.createMigration({
          fileName: `2026050100${String(k).padStart(2, "0")}${fault.length}_${p}.sql`,
          content: migration(p, kind),
          engine: kind === "mariadb" ? Engine.MARIADB : Engine.POSTGRESQL,
        });
        const migrationId = m?.id ?? "";

        const child = await spawnAgentBinary(e2e, {
          binary,
          cwd: dir,
          stateDir: join(dir, "state"),
          agentId: agentId(),
          passphrase: PASSPHRASE,
          fault,
        });
        killed = child;
        const runId = (await e2e.migrations.runMigration({ migrationId, environment: "dev" })).runs[0]?.id ?? "";
        await child.stdout.until((l) => l.includes(`${FAULT_MARKER} ${fault}`), "the fault point", 30_000);
        await child.kill();
        killed = undefined;
        const dead = await e2e.untilRunEnds(runId);
        const afterKill = await historyOf(migrationId);
        expect({ state: dead?.state, committed: afterKill[0]?.done }).toEqual({
          state: RunState.FAILED,
          // before-history: statement k committed, its history write never happened.
          committed: fault.startsWith("before-history") ? k - 1 : committed,
        });
        if (kind === "postgresql") expect(await columns(p)).toEqual([]);

        // The same agent comes back and the run is retried: it finishes, nothing runs twice.
        const agent = await startLocalAgent(e2e, {
          vaultPath: join(dir, "state", "agent", "vault.json"),
          passphrase: PASSPHRASE,
          agentId: agentId(),
        });
        try {
          await e2e.migrations.runMigration({ migrationId, environment: "dev" });
          const done = await e2e.untilRunEnds(runId);
          expect({
            state: done?.state,
            history: await historyOf(migrationId),
            columns: await columns(p),
            lockFree: await e2e.lockIsFree(),
          }).toEqual({
            state: RunState.COMPLETED,
            history: [{ status: "applied", done: 7 }],
            columns: [
              { t: `${p}_a`, c: "id" },
              { t: `${p}_a`, c: "note" },
              { t: `${p}_b`, c: "id" },
              { t: `${p}_b`, c: "v" },
              { t: `${p}_c`, c: "id" },
            ],
            lockFree: true,
          });
        } finally {
          await agent.stop();
        }
      },
      60_000,
    );
  });
}
