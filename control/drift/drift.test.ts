// Drift detection through the control plane with a simulated agent: expected schemas from the
// schema impact of completed runs, on-demand checks, reports, schedules fired by the test clock.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { subjects } from "../../bus/subjects.ts";
import type { Subscription } from "../../bus/types.ts";
import type { SchemaSnapshot } from "../../engines/index.ts";
import {
  AgentReplySchema,
  type AgentRequest,
  AgentRequestSchema,
} from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { DriftService, DriftStatus } from "../../proto/gen/migratrix/control/v1/drift_pb.ts";
import { listAudit } from "../audit/index.ts";
import { type ManualClock, manualClock } from "../schedules/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { type Harness, jobInbox, type SimulatedAgent, simulatedAgent, startHarness, watch } from "../test-harness.ts";
import { packSnapshotForTest } from "./testing.ts";

let store: Store;
let h: Harness;
let clock: ManualClock;
let a1: SimulatedAgent;
let inbox: Awaited<ReturnType<typeof jobInbox>>;
let rpc: Subscription;
let drift: ReturnType<typeof createClient<typeof DriftService>>;
/** What the simulated agent answers for each connection's live schema. */
const live = new Map<string, SchemaSnapshot>();
const asked: { connection: string; objects: boolean }[] = [];

const START = new Date("2026-03-01T10:07:00.000Z");

function snapshot(columns: string[]): SchemaSnapshot {
  return {
    version: 1,
    engine: "postgresql",
    serverVersion: "PostgreSQL 15.8",
    schemas: [{ name: "public" }],
    tables: [
      {
        schema: "public",
        name: "users",
        columns: columns.map((c, i) => {
          const [name = "", type = "text"] = c.split(" ");
          return { name, type, nullable: name !== "id", default: null, ordinal: i + 1 };
        }),
        primaryKey: { name: "users_pkey", columns: ["id"] },
        indexes: [{ name: "users_pkey", columns: ["id"], unique: true, primary: true }],
      },
    ],
    objects: [],
  };
}

beforeAll(async () => {
  store = await openStore({});
  clock = manualClock(START);
  h = await startHarness({ store, bus: createMemoryBus(), clock, agentRequestTimeoutMs: 2000 });
  a1 = simulatedAgent(h, "a1");
  await a1.announce([
    { name: "main", environment: "dev" },
    { name: "fresh", environment: "empty" },
    { name: "main", environment: "qa" },
  ]);
  inbox = await jobInbox(h, "a1");
  rpc = await h.bus.serve(subjects.agentRpc(h.workspaceId, "a1"), async (req, reply) => {
    const msg: AgentRequest = fromBinary(AgentRequestSchema, req.data);
    const k = msg.kind;
    if (k.case === "introspect") asked.push({ connection: k.value.connection, objects: k.value.objects });
    const snap = k.case === "introspect" ? live.get(k.value.connection) : undefined;
    const kind = snap
      ? { case: "introspect" as const, value: { snapshotJson: JSON.stringify(snap) } }
      : {
          case: "error" as const,
          value: { error: { code: "unavailable", message: "connect ECONNREFUSED 127.0.0.1:5999" } },
        };
    await reply.send(toBinary(AgentReplySchema, create(AgentReplySchema, { kind })));
    await reply.end();
  });
  drift = createClient(
    DriftService,
    createConnectTransport({
      baseUrl: "http://localhost",
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${h.adminToken}`);
          return next(req);
        },
      ],
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        h.control.fetch(
          input instanceof Request ? new Request(input, init) : new Request(String(input), init),
        )) as typeof globalThis.fetch,
    }),
  );
}, 60_000);

afterAll(async () => {
  await rpc.stop();
  await inbox.stop();
  await h.close();
  await h.bus.close();
  await store.close();
});

let n = 0;
/** Runs a migration on env/main through the simulated agent, ending with a schema impact. */
async function completeRun(environment: string, after: SchemaSnapshot, opts: { busLimit?: number } = {}) {
  n += 1;
  const id = `2026030100000${n}_step`;
  await h.api.migrations.createMigration({
    fileName: `${id}.sql`,
    content: `-- UP\nalter table users add column c${n} text;\n`,
    engine: Engine.POSTGRESQL,
  });
  const [run] = (await h.api.migrations.runMigration({ migrationId: id, environment })).runs;
  await inbox.next();
  const lease = await a1.lease(run!.id, 1);
  const r = { runId: run!.id, attempt: 1, fencingToken: lease.fencingToken };
  a1.resetSeq();
  await a1.emit(r, { case: "started", value: { statementsTotal: 1, statementsDone: 0 } });
  await a1.emit(r, {
    case: "schemaImpact",
    value: {
      text: "users\n  + column ...",
      changes: 1,
      direction: "apply",
      ...packSnapshotForTest(JSON.stringify(after), opts.busLimit),
    },
  });
  await a1.emit(r, { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: 1, durationMs: 1 } });
  await watch(h.api, run!.id);
  return { migrationId: id, runId: run!.id };
}

const view = (r: {
  connection: string;
  status: DriftStatus;
  changes: number;
  diffText: string;
  message: string;
  trigger: string;
  migrationId: string;
}) => ({
  connection: r.connection,
  status: DriftStatus[r.status],
  changes: r.changes,
  diffText: r.diffText,
  message: r.message,
  trigger: r.trigger,
  migrationId: r.migrationId,
});

describe("drift", () => {
  let baseline: { migrationId: string; runId: string };

  test("a completed run's schema impact becomes the expected schema; the run log keeps no snapshot", async () => {
    baseline = await completeRun("dev", snapshot(["id integer", "email text"]));
    const [row] = await store.db
      .select()
      .from(tables.expectedSchemas)
      .innerJoin(tables.connections, eq(tables.connections.id, tables.expectedSchemas.connectionId));
    expect({
      connection: row?.connections.name,
      migrationId: row?.expected_schemas.migrationId,
      runId: row?.expected_schemas.runId,
      direction: row?.expected_schemas.direction,
      snapshot: JSON.parse(row?.expected_schemas.snapshotJson ?? "null"),
    }).toEqual({
      connection: "main",
      ...baseline,
      direction: "apply",
      snapshot: snapshot(["id integer", "email text"]),
    });
    const [event] = await store.db
      .select({ event: tables.runEvents.event })
      .from(tables.runEvents)
      .where(eq(tables.runEvents.kind, "schemaImpact"));
    expect(event?.event).toEqual({
      runId: baseline.runId,
      attempt: 1,
      seq: "2",
      fencingToken: "1",
      correlationId: "test",
      agentId: "a1",
      at: expect.any(String),
      schemaImpact: { text: "users\n  + column ...", changes: 1, direction: "apply" },
    });
  });

  test("CheckDrift: clean, drifted with the readable diff, no baseline; live read with objects", async () => {
    live.set("dev/main", snapshot(["id integer", "email text"]));
    live.set("empty/fresh", snapshot(["id integer"]));
    asked.length = 0;
    const none = await drift.checkDrift({ environment: "empty" });
    const clean = await drift.checkDrift({ environment: "dev" });
    expect([...none.reports, ...clean.reports].map(view)).toEqual([
      {
        connection: "empty/fresh",
        status: "NO_BASELINE",
        changes: 0,
        diffText: "",
        message: "no baseline: no migration has completed here through Migratrix",
        trigger: "manual",
        migrationId: "",
      },
      {
        connection: "dev/main",
        status: "CLEAN",
        changes: 0,
        diffText: "No differences.",
        message: "",
        trigger: "manual",
        migrationId: baseline.migrationId,
      },
    ]);
    // Only the connection with a baseline is read, and with objects.
    expect(asked).toEqual([{ connection: "dev/main", objects: true }]);

    // Behind Migratrix's back: a column changes type and one is added.
    live.set("dev/main", snapshot(["id integer", "email varchar(200)", "nickname text"]));
    const drifted = await drift.checkDrift({ environment: "dev", connection: "main" });
    expect(drifted.reports.map(view)).toEqual([
      {
        connection: "dev/main",
        status: "DRIFTED",
        changes: 2,
        diffText: DRIFT_TEXT,
        message: "",
        trigger: "manual",
        migrationId: baseline.migrationId,
      },
    ]);
    const json = JSON.parse(drifted.reports[0]!.diffJson) as { changes: { action: string; name: string }[] };
    expect(json.changes.map((c) => [c.action, c.name])).toEqual(DRIFT_JSON);
  });

  test("ListDrift: the latest report per connection; audit records every check", async () => {
    const listed = await drift.listDrift({ environment: "dev" });
    expect({
      reports: listed.reports.map((r) => [r.connection, DriftStatus[r.status]]),
      schedule: listed.schedule,
    }).toEqual({ reports: [["dev/main", "DRIFTED"]], schedule: undefined });
    const user = `user:${(await h.api.identity.whoAmI({})).userId}`;
    const audit = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))
      .filter((a) => a.action === "drift.check")
      .map((a) => [a.actor, a.environment, a.target, a.detail.status, a.detail.trigger]);
    expect(audit).toEqual([
      [user, "empty", "empty/fresh", "no_baseline", "manual"],
      [user, "dev", "dev/main", "clean", "manual"],
      [user, "dev", "dev/main", "drifted", "manual"],
    ]);
  });

  test("an agent that cannot read the live schema gives an error report, not a failed call", async () => {
    await completeRun("qa", snapshot(["id integer"]));
    const res = await drift.checkDrift({ environment: "qa" });
    expect(res.reports.map(view)).toEqual([
      {
        connection: "qa/main",
        status: "ERROR",
        changes: 0,
        diffText: "",
        message: "live schema not read: connect ECONNREFUSED 127.0.0.1:5999",
        trigger: "manual",
        migrationId: expect.stringContaining("_step"),
      },
    ]);
  });

  test("a gzip+base64 snapshot is stored decoded", async () => {
    const wide = snapshot(["id integer", ...Array.from({ length: 40 }, (_, i) => `column_${i} text`)]);
    expect(Buffer.byteLength(JSON.stringify(wide))).toBeGreaterThan(2000);
    await completeRun("qa", wide, { busLimit: 2000 });
    live.set("qa/main", wide);
    const res = await drift.checkDrift({ environment: "qa" });
    expect(res.reports.map((r) => [DriftStatus[r.status], r.diffText])).toEqual([["CLEAN", "No differences."]]);
  });

  test("a snapshot too big for the bus leaves no baseline and says why", async () => {
    const { runId } = await completeRun("qa", snapshot(["id integer", "big text"]), { busLimit: 64 });
    live.set("qa/main", snapshot(["id integer", "big text"]));
    const res = await drift.checkDrift({ environment: "qa" });
    expect(res.reports.map((r) => [DriftStatus[r.status], r.message])).toEqual([
      ["NO_BASELINE", `no baseline: the schema after run ${runId} was too large to send over the bus`],
    ]);
  });

  test("SetDriftSchedule: refused cron, then the scheduler loop checks at each slot of the test clock", async () => {
    const bad = await drift
      .setDriftSchedule({ environment: "dev", cron: "every hour" })
      .catch((e) => ConnectError.from(e));
    expect(bad instanceof ConnectError ? [Code[bad.code], bad.rawMessage] : bad).toEqual([
      "InvalidArgument",
      "cron expression \"every hour\" is not valid: invalid configuration format ('every hour'), exactly five, six, or seven space separated parts are required.",
    ]);
    live.set("dev/main", snapshot(["id integer", "email text"]));
    const set = await drift.setDriftSchedule({ environment: "dev", cron: "*/30 * * * *" });
    expect({
      cron: set.schedule?.cron,
      next: set.schedule?.nextRun && timestampDate(set.schedule.nextRun).toISOString(),
      last: set.schedule?.lastFired,
    }).toEqual({ cron: "*/30 * * * *", next: "2026-03-01T10:30:00.000Z", last: undefined });

    const fired = h.control.scheduler.untilFired((f) => f.kind === "drift");
    clock.set(new Date("2026-03-01T10:30:00.000Z"));
    expect(await fired).toEqual({
      kind: "drift",
      target: expect.any(String),
      slot: "2026-03-01T10:30:00.000Z",
      outcome: "ok",
    });
    const listed = await drift.listDrift({ environment: "dev" });
    expect({
      reports: listed.reports.map((r) => [r.connection, DriftStatus[r.status], r.trigger]),
      cron: listed.schedule?.cron,
      next: listed.schedule?.nextRun && timestampDate(listed.schedule.nextRun).toISOString(),
      last: listed.schedule?.lastFired && timestampDate(listed.schedule.lastFired).toISOString(),
    }).toEqual({
      reports: [["dev/main", "CLEAN", "schedule"]],
      cron: "*/30 * * * *",
      next: "2026-03-01T11:00:00.000Z",
      last: "2026-03-01T10:30:00.000Z",
    });
    const audit = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))
      .filter((a) => a.actor === "control:scheduler")
      .map((a) => [a.action, a.environment, a.target]);
    expect(audit).toEqual([
      ["schedule.fire", "dev", expect.stringMatching(/^schedule:drift:/)],
      ["drift.check", "dev", "dev/main"],
    ]);

    const removed = await drift.setDriftSchedule({ environment: "dev", cron: "" });
    expect(removed.schedule).toBeUndefined();
    expect((await drift.listDrift({ environment: "dev" })).schedule).toBeUndefined();
  });
});

const DRIFT_TEXT = [
  "~ table public.users",
  "    ~ users.email: text → varchar(200)",
  "    + column nickname text",
  "2 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
].join("\n");
const DRIFT_JSON: [string, string][] = [
  ["changed", "email"],
  ["added", "nickname"],
];
