// The compiled agent SIGKILLed in the middle of a transfer job (MIGRATRIX_FAULT=transfer-after-chunk:2
// holds it right after its second chunk committed), PostgreSQL → PostgreSQL and MariaDB →
// PostgreSQL on one agent, and PostgreSQL → PostgreSQL between two agents over JetStream (the killed
// one receives), through the real control plane on real NATS JetStream: the lease lapses, the attempt
// fails, the auto-retry publishes attempt 2, and the restarted agent resumes from the checkpoints in
// the target: the two finished chunks are not copied again, counts and checksums are equal, no row
// is duplicated.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { createClient } from "@connectrpc/connect";
import { TRANSFER_FAULT_MARKER } from "../arrow-transfer/index.ts";
import { createMariaDb, createPgDb, type MariaDb, type PgDb } from "../arrow-transfer/test-support.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { TransferService } from "../proto/gen/migratrix/control/v1/transfer_pb.ts";
import type { Agent } from "./agent.ts";
import { type AgentProcess, type E2E, spawnAgentBinary, startE2E, startLocalAgent } from "./int-support.ts";
import { buildAgentBinary } from "./test-support.ts";

const PASSPHRASE = "transfer-kill-passphrase";
const ROWS = 5000;

let dir: string;
let binary: string;
let e2e: E2E;
let pgSource: PgDb;
let mariaSource: MariaDb;
let target: PgDb;
let api: ReturnType<typeof createClient<typeof TransferService>>;
let running: AgentProcess | undefined;
/** Serves prod/far (the same source database) from another agent: the cross-agent sender. */
let sender: Agent;
const agentId = () => `agent-xk-${e2e.suffix}`;

const spawn = (fault?: string) =>
  spawnAgentBinary(e2e, {
    binary,
    cwd: dir,
    stateDir: join(dir, "state"),
    agentId: agentId(),
    passphrase: PASSPHRASE,
    ...(fault ? { fault } : {}),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-xk-"));
  binary = await buildAgentBinary();
  // A short lease so a dead agent's attempt fails quickly; a short back-off before the retry.
  e2e = await startE2E(
    "XK",
    { ttlMs: 800, renewMs: 100 },
    "postgresql",
    [
      { name: "dev", position: 1 },
      { name: "prod", position: 2 },
    ],
    { transferRetryBaseMs: 20 },
  );
  pgSource = await createPgDb("xk_pg");
  mariaSource = await createMariaDb("xk_maria");
  target = await createPgDb("xk_tgt");
  await pgSource.sql.unsafe(`
    create table pg_items (id bigint primary key, name text not null, payload jsonb, at timestamptz);
    insert into pg_items select g, 'ünïcode ' || g, jsonb_build_object('g', g), '2026-01-01'::timestamptz + g * interval '1 minute'
      from generate_series(1, ${ROWS}) g;`);
  await mariaSource.conn.query(
    "create table maria_items (id int primary key, name varchar(64) not null, flag tinyint(1), amount decimal(12,2))",
  );
  const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'row ${i + 1}', ${i % 2}, ${(i + 1) * 1.5})`);
  await mariaSource.conn.query(`insert into maria_items values ${values.join(",")}`);
  // The connections are sealed to the agent once; every restart reads them from the same vault.
  const first = await spawn();
  await e2e.addConnection(agentId(), { name: "pg", environment: "prod", url: pgSource.url, engine: Engine.POSTGRESQL });
  await e2e.addConnection(agentId(), {
    name: "maria",
    environment: "prod",
    url: mariaSource.url,
    engine: Engine.MARIADB,
  });
  await e2e.addConnection(agentId(), { name: "app", environment: "dev", url: target.url, engine: Engine.POSTGRESQL });
  await first.kill();
  sender = await startLocalAgent(e2e, {
    vaultPath: join(dir, "sender-vault.json"),
    passphrase: PASSPHRASE,
    agentId: `agent-xks-${e2e.suffix}`,
  });
  await e2e.addConnection(sender.agentId, {
    name: "far",
    environment: "prod",
    url: pgSource.url,
    engine: Engine.POSTGRESQL,
  });
  await pgSource.sql.unsafe(
    `create table far_items as select * from pg_items; alter table far_items add primary key (id);`,
  );
  api = e2e.client(TransferService);
}, 180_000);

afterAll(async () => {
  await running?.kill();
  await sender?.stop();
  await e2e?.close();
  await pgSource?.drop();
  await mariaSource?.drop();
  await target?.drop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe("SIGKILL mid-transfer → lease lapses → retry resumes from the checkpoints", () => {
  test.each([
    { source: "prod/pg", table: "pg_items" },
    { source: "prod/maria", table: "maria_items" },
    { source: "prod/far", table: "far_items" },
  ])(
    "$source → dev/app",
    async ({ source, table }) => {
      running = await spawn("transfer-after-chunk:2");
      const { job } = await api.startTransfer({
        from: source,
        to: "dev/app",
        options: { tables: [table], batchRows: 1000, create: true },
      });
      if (!job) throw new Error("no job");
      await running.stdout.until((l) => l.some((x) => x.includes(TRANSFER_FAULT_MARKER)), "the fault point", 30_000);
      // Two chunks and their checkpoints committed before the kill.
      const [before] = await target.sql.unsafe(`select count(*)::int as n from ${table}`);
      expect(before?.n).toBe(2000);
      await running.kill();
      running = undefined;

      // The lapsed lease fails attempt 1 and the retry is queued for attempt 2.
      for await (const m of api.watchTransfer({ id: job.id })) {
        if ((m.job?.attempt ?? 1) >= 2) break;
      }
      running = await spawn();
      for await (const _ of api.watchTransfer({ id: job.id })) {
        // Until the job is over.
      }
      const done = (await api.getTransfer({ id: job.id })).job;
      const report = JSON.parse(done?.reportJson ?? "{}") as {
        tables: {
          chunksCopied: number;
          chunksSkipped: number;
          rowsCopied: number;
          sourceRows: number;
          targetRows: number;
          match: boolean;
        }[];
      };
      expect({
        state: done ? RunState[done.state] : "none",
        attempt: done?.attempt,
        verified: done?.verified,
        tables: report.tables,
      }).toEqual({
        state: "COMPLETED",
        attempt: 2,
        verified: true,
        tables: [
          expect.objectContaining({
            chunksSkipped: 2,
            chunksCopied: 3,
            rowsCopied: 3000,
            sourceRows: ROWS,
            targetRows: ROWS,
            match: true,
          }),
        ],
      });
      const [after] = await target.sql.unsafe(
        `select count(*)::int as n, count(distinct id)::int as d, sum(id)::text as s from ${table}`,
      );
      expect({ ...after }).toEqual({ n: ROWS, d: ROWS, s: String((ROWS * (ROWS + 1)) / 2) });
      const audit = await e2e.audit.listAudit({ limit: 1000 });
      const actions = audit.records
        .filter((r) => r.target === `transfer:${job.id}` && r.action !== "transfer.start")
        .map((r) => `${r.action} by ${r.actor}`);
      expect(actions).toEqual([
        `transfer.lease by agent:${agentId()}`,
        "transfer.retry by control:reaper",
        `transfer.lease by agent:${agentId()}`,
        `transfer.complete by agent:${agentId()}`,
      ]);
      await running.kill();
      running = undefined;
    },
    120_000,
  );
});
