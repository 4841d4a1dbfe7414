// The in-process agent with the real control plane on real NATS JetStream and a real PostgreSQL
// target: a migration runs to Completed statement by statement, and a second delivery of the same
// job (as JetStream gives after an ack-wait lapse) is dropped by the lease without running again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../bus/subjects.ts";
import { createLogger } from "../common/log.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { JobSchema } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2E, startLocalAgent } from "./int-support.ts";
import { Collector } from "./test-support.ts";

const UP = [
  "create table e2e_a (id int primary key);",
  "insert into e2e_a values (1), (2);",
  "create index e2e_a_i on e2e_a (id);",
];
const MIGRATION = ["-- UP", ...UP, "-- DOWN", "drop table e2e_a;", ""].join("\n");

let dir: string;
let e2e: E2E;
let agent: Agent;
const logs = new Collector<Record<string, unknown>>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-e2e-"));
  e2e = await startE2E("E2E", { ttlMs: 5_000, renewMs: 100 });
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "e2e",
    agentId: `agent-e2e-${e2e.suffix}`,
    log: createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), level: "debug" }),
  });
  await e2e.addTargetConnection(agent.agentId);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

test("a migration runs to Completed with every statement streamed; a redelivered job never runs twice", async () => {
  const created = await e2e.migrations.createMigration({
    fileName: "20260102000000_e2e.sql",
    content: MIGRATION,
    engine: Engine.POSTGRESQL,
  });
  const migration = created.migration;
  const started = await e2e.migrations.runMigration({ migrationId: migration?.id ?? "", environment: "dev" });
  const runId = started.runs[0]?.id ?? "";

  const kinds: string[] = [];
  for await (const item of e2e.migrations.watchRun({ runId, afterSeq: 0n })) {
    if (item.event) kinds.push(item.event.kind.case ?? "none");
  }
  const { run } = await e2e.migrations.getRun({ runId });
  const history = await e2e.withTarget((s) =>
    s.query("select migration_id, status, statements_done, applied_by, run_id from migratrix_history"),
  );
  expect({
    kinds,
    state: run?.state,
    done: run?.statementsDone,
    rows: await e2e.withTarget((s) => s.query("select id from e2e_a order by id")),
    history,
  }).toEqual({
    // "log": which down script the apply generated for rollback.
    kinds: [
      "started",
      "log",
      ...UP.flatMap(() => ["statementStarted", "statementFinished"]),
      "schemaImpact",
      "finished",
    ],
    state: RunState.COMPLETED,
    done: 3,
    rows: [{ id: 1 }, { id: 2 }],
    history: [
      {
        migration_id: migration?.id,
        status: "applied",
        statements_done: 3,
        applied_by: expect.any(String),
        run_id: runId,
      },
    ],
  });

  // The same job again, as a redelivery would bring it: control refuses the lease of a Completed
  // run, so the agent drops it before touching the database.
  const job = create(JobSchema, {
    jobId: "redelivered",
    runId,
    attempt: run?.attempt ?? 1,
    correlationId: run?.correlationId ?? "",
    workspaceId: e2e.workspaceId,
    connection: "dev/app",
    requestedBy: "test",
    kind: {
      case: "apply",
      value: {
        engine: Engine.POSTGRESQL,
        script: {
          migrationId: migration?.id ?? "",
          name: "e2e",
          sql: UP.join("\n"),
          checksum: migration?.checksum ?? "",
        },
      },
    },
  });
  await e2e.bus.publish(subjects.jobs(e2e.workspaceId, agent.agentId), toBinary(JobSchema, job), {
    msgId: `${runId}:redelivered`,
  });
  const dropped = await logs.until(
    (l) => l.some((x) => x.msg === "job dropped: run not leasable" && x.jobId === "redelivered"),
    "the redelivered job to be dropped",
  );
  const after = await e2e.migrations.getRun({ runId });
  const events: string[] = [];
  for await (const item of e2e.migrations.watchRun({ runId, afterSeq: 0n })) {
    if (item.event) events.push(item.event.kind.case ?? "none");
  }
  expect({
    reason: dropped.find((x) => x.jobId === "redelivered" && x.msg === "job dropped: run not leasable")?.reason,
    state: after.run?.state,
    events,
  }).toEqual({ reason: "run is Completed", state: RunState.COMPLETED, events: kinds });
}, 60_000);
