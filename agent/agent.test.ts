// The agent against the in-process bus and a real SQLite target: announce, interactive requests,
// and jobs → JobEvents, with the control side played over the bus protocol (agent/test-support.ts).

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createMemoryBus } from "../bus/index.ts";
import { subjects } from "../bus/subjects.ts";
import type { Bus } from "../bus/types.ts";
import { createLogger } from "../common/log.ts";
import { seal } from "../common/sealedbox.ts";
import { AgentReplySchema, AgentRequestSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { JobEvent } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { type Agent, createAgent } from "./agent.ts";
import { Collector, type FakeControl, stable, startFakeControl } from "./test-support.ts";
import { MIN_VAULT_ITERATIONS, openVault, type Vault } from "./vault.ts";
import { AGENT_VERSION } from "./version.ts";

const WS = "ws-agent-test";
const TOKEN = "mxt_agent_test_token";
const AGENT = "agent-t1";
const prefix = `AGT${crypto.randomUUID().slice(0, 8)}`;

let dir: string;
let dbPath: string;
let bus: Bus;
let vault: Vault;
let control: FakeControl;
let agent: Agent;
const logs = new Collector<Record<string, unknown>>();
const log = createLogger({ write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>), level: "debug" });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-agent-"));
  dbPath = join(dir, "target.db");
  bus = createMemoryBus();
  vault = await openVault({
    path: join(dir, "vault.json"),
    passphrase: "test",
    iterations: MIN_VAULT_ITERATIONS,
    agentId: AGENT,
  });
  control = await startFakeControl({ bus, workspaceId: WS, token: TOKEN, streamPrefix: prefix });
  agent = createAgent({
    bus,
    workspaceId: WS,
    token: TOKEN,
    vault,
    streamPrefix: prefix,
    heartbeatMs: 60_000,
    leaseRetryMs: 5,
    httpPort: 0,
    httpHostname: "127.0.0.1",
    log,
  });
  await agent.start();
});

afterAll(async () => {
  await agent?.stop();
  await control?.stop();
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

async function rpc(init: Parameters<typeof create<typeof AgentRequestSchema>>[1], agentId = AGENT) {
  const req = create(AgentRequestSchema, { correlationId: "c-rpc", workspaceId: WS, ...init });
  const reply = await bus.requestOne(subjects.agentRpc(WS, agentId), toBinary(AgentRequestSchema, req), {
    timeoutMs: 10_000,
  });
  return fromBinary(AgentReplySchema, reply).kind;
}

const eventsOf = (runId: string) => control.events.items.filter((e) => e.runId === runId);
const finishedFor = (runId: string) => (items: JobEvent[]) =>
  items.some((e) => e.runId === runId && (e.kind.case === "finished" || e.kind.case === "rejected"));

const grant =
  (token: bigint, ttlMs = 30_000, renewEveryMs = 10_000) =>
  () => ({ granted: true, fencingToken: token, ttlMs, renewEveryMs });

const tables = () =>
  new Database(dbPath, { readonly: true })
    // Migratrix's own tables (history, the rollback backup area) are not the user's.
    .query("select name from sqlite_master where type = 'table' and name not like 'migratrix%' order by name")
    .all();

describe("agent", () => {
  test("announces itself with its token, public key and version", async () => {
    await control.announces.until((a) => a.length >= 1, "announce");
    const first = control.announces.items[0];
    expect({
      authorization: first?.authorization,
      agentId: first?.req.agentId,
      workspaceId: first?.req.workspaceId,
      version: first?.req.version,
      publicKey: Buffer.from(first?.req.publicKey ?? []).equals(Buffer.from(vault.publicKey)),
      connections: first?.req.connections,
    }).toEqual({
      authorization: `Bearer ${TOKEN}`,
      agentId: AGENT,
      workspaceId: WS,
      version: AGENT_VERSION,
      publicKey: true,
      connections: [],
    });
  });

  test("store_secret opens the sealed URL, proves it connects, and keeps it in the vault", async () => {
    const url = `sqlite://${dbPath}`;
    const box = seal(new TextEncoder().encode(url), vault.publicKey);
    const reply = await rpc({
      kind: {
        case: "storeSecret",
        value: {
          connection: { name: "app", environment: "dev", engine: Engine.SQLITE },
          sealedUrl: { ephemeralPublicKey: box.ephemeralPublicKey, nonce: box.nonce, ciphertext: box.ciphertext },
        },
      },
    });
    expect(reply.case).toBe("storeSecret");
    const value = reply.case === "storeSecret" ? reply.value : undefined;
    expect({ connection: value?.connection?.name, version: /^SQLite 3\.\d+/.test(value?.serverVersion ?? "") }).toEqual(
      {
        connection: "app",
        version: true,
      },
    );
    expect(vault.connection("dev/app")).toEqual({ name: "app", environment: "dev", engine: "sqlite", url });

    const tampered = { ...box, ciphertext: box.ciphertext.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const bad = await rpc({
      kind: {
        case: "storeSecret",
        value: { connection: { name: "other", environment: "dev", engine: Engine.SQLITE }, sealedUrl: tampered },
      },
    });
    expect(bad.case === "error" ? bad.value.error : bad).toMatchObject({
      code: "invalid_argument",
      message: "sealed secret could not be opened",
    });
  });

  test("store_secret refuses a URL of another engine or one that does not connect, never echoing it", async () => {
    const attempt = async (engine: Engine, url: string) => {
      const box = seal(new TextEncoder().encode(url), vault.publicKey);
      const reply = await rpc({
        kind: {
          case: "storeSecret",
          value: { connection: { name: "bad", environment: "dev", engine }, sealedUrl: box },
        },
      });
      const error = reply.case === "error" ? reply.value.error : undefined;
      return { code: error?.code, leaks: (error?.message ?? "").includes("s3cretpw"), message: error?.message };
    };
    const mismatch = await attempt(Engine.POSTGRESQL, `sqlite://${dir}/x.db`);
    const unreachable = await attempt(Engine.POSTGRESQL, "postgres://app:s3cretpw@127.0.0.1:1/db");
    expect({ mismatch, unreachable: { code: unreachable.code, leaks: unreachable.leaks } }).toEqual({
      mismatch: {
        code: "invalid_argument",
        leaks: false,
        message: "connection dev/bad is declared postgresql but its URL is for sqlite",
      },
      unreachable: { code: "unavailable", leaks: false },
    });
    expect(vault.connection("dev/bad")).toBeUndefined();
  });

  test("test_connection and introspect answer; an unknown connection is not_found", async () => {
    const tc = await rpc({ kind: { case: "testConnection", value: { connection: "dev/app" } } });
    expect(tc.case).toBe("testConnection");
    const intro = await rpc({ kind: { case: "introspect", value: { connection: "dev/app" } } });
    const snapshot = intro.case === "introspect" ? JSON.parse(intro.value.snapshotJson) : intro;
    expect({ version: snapshot.version, engine: snapshot.engine, tables: snapshot.tables }).toEqual({
      version: 1,
      engine: "sqlite",
      tables: [],
    });
    const missing = await rpc({ kind: { case: "introspect", value: { connection: "dev/none" } } });
    expect(missing.case === "error" ? missing.value.error : missing).toMatchObject({
      code: "not_found",
      message: `connection dev/none is not in the vault of agent ${AGENT}`,
    });
  });

  test("an apply job runs under its lease and streams every runner event in order", async () => {
    const runId = "run-apply-1";
    control.policies.set(runId, grant(7n));
    await control.publishJob(
      {
        jobId: "j1",
        runId,
        attempt: 1,
        correlationId: "corr-1",
        connection: "dev/app",
        requestedBy: "alice",
        kind: {
          case: "apply",
          value: {
            engine: Engine.SQLITE,
            script: {
              migrationId: "001_users",
              name: "users",
              checksum: "sha256:one",
              sql: "create table users (id integer primary key);\ncreate index users_id on users (id);\n",
            },
          },
        },
      },
      AGENT,
    );
    await control.events.until(finishedFor(runId), "run-apply-1 finished");
    const common = { runId, attempt: 1, fencingToken: 7, correlationId: "corr-1", agentId: AGENT, hasTime: true };
    const stmt = (index: number, line: number, excerpt: string) => ({
      index,
      position: { line, column: 1 },
      excerpt,
      ownSegment: false,
    });
    const s1 = stmt(1, 1, "create table users (id integer primary key)");
    const s2 = stmt(2, 2, "create index users_id on users (id)");
    expect(eventsOf(runId).map(stable)).toEqual([
      { ...common, seq: 1, started: { statementsTotal: 2, statementsDone: 0 } },
      // SQLite applies store a generated down script for rollback (engines/rollback).
      {
        ...common,
        seq: 2,
        log: { level: "info", message: "generated down script for rollback: exact, 0 backup(s) to take", code: "" },
      },
      { ...common, seq: 3, statementStarted: { statement: s1 } },
      { ...common, seq: 4, statementFinished: { statement: s1, durationMs: "number", rowsAffected: 0 } },
      { ...common, seq: 5, statementStarted: { statement: s2 } },
      { ...common, seq: 6, statementFinished: { statement: s2, durationMs: "number", rowsAffected: 0 } },
      // Read under the lock before statement 1 and after statement 2 (agent/impact.ts).
      {
        ...common,
        seq: 7,
        schemaImpact: {
          changes: 1,
          text: "+ table main.users\n1 difference (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
          truncated: false,
          // The whole after-schema: the connection's expected schema for drift detection.
          direction: "apply",
          snapshotJson: expect.stringContaining('"name":"users"'),
          snapshotEncoding: "",
          snapshotOmitted: "",
        },
      },
      { ...common, seq: 8, finished: { outcome: 1, statementsDone: 2, durationMs: "number" } },
    ]);
    expect(tables()).toEqual([{ name: "users" }]);
  });

  test("a duplicate delivery of a finished run is acked and dropped without running", async () => {
    const runId = "run-apply-1";
    control.policies.set(runId, () => ({ granted: false, reason: "run is Completed" }));
    const before = eventsOf(runId).length;
    await control.publishJob(
      {
        jobId: "j1-again",
        runId,
        attempt: 1,
        correlationId: "corr-1",
        connection: "dev/app",
        kind: {
          case: "apply",
          value: { engine: Engine.SQLITE, script: { migrationId: "001_users", sql: "select 1" } },
        },
      },
      AGENT,
    );
    const dropped = await logs.until(
      (l) => l.some((x) => x.msg === "job dropped: run not leasable" && x.jobId === "j1-again"),
      "drop",
    );
    expect(dropped.find((x) => x.jobId === "j1-again" && x.msg === "job dropped: run not leasable")).toMatchObject({
      reason: "run is Completed",
      correlationId: "corr-1",
    });
    expect(eventsOf(runId).length).toBe(before);
  });

  test("a run held by another agent is retried later and then runs once", async () => {
    const runId = "run-held";
    control.policies.set(runId, (_req, n) =>
      n === 1 ? { granted: false, reason: "held by agent other until 2030-01-01T00:00:00.000Z" } : grant(3n)(),
    );
    await control.publishJob(
      {
        jobId: "j-held",
        runId,
        attempt: 2,
        correlationId: "corr-held",
        connection: "dev/app",
        kind: {
          case: "apply",
          value: {
            engine: Engine.SQLITE,
            script: { migrationId: "002_t", checksum: "c2", sql: "create table t2 (a int)" },
          },
        },
      },
      AGENT,
    );
    await control.events.until(finishedFor(runId), "run-held finished");
    const acquisitions = control.leases.items.filter((l) => l.runId === runId && l.fencingToken === 0n);
    expect({
      acquisitions: acquisitions.length,
      kinds: eventsOf(runId).map((e) => e.kind.case),
      tokens: [...new Set(eventsOf(runId).map((e) => e.fencingToken))],
    }).toEqual({
      acquisitions: 2,
      kinds: ["started", "log", "statementStarted", "statementFinished", "schemaImpact", "finished"],
      tokens: [3n],
    });
  });

  test("a failing statement fails the run at that statement and leaves SQLite unchanged", async () => {
    const runId = "run-fail";
    control.policies.set(runId, grant(1n));
    const before = tables();
    await control.publishJob(
      {
        jobId: "j-fail",
        runId,
        attempt: 1,
        correlationId: "corr-fail",
        connection: "dev/app",
        kind: {
          case: "apply",
          value: {
            engine: Engine.SQLITE,
            script: {
              migrationId: "003_bad",
              checksum: "c3",
              sql: "create table t3 (a int);\ninsert into nope values (1);",
            },
          },
        },
      },
      AGENT,
    );
    await control.events.until(finishedFor(runId), "run-fail finished");
    const evs = eventsOf(runId);
    const failed = evs.find((e) => e.kind.case === "statementFailed");
    const fin = evs.at(-1);
    expect({
      kinds: evs.map((e) => e.kind.case),
      failedIndex: failed?.kind.case === "statementFailed" ? failed.kind.value.statement?.index : 0,
      outcome: fin?.kind.case === "finished" ? [fin.kind.value.outcome, fin.kind.value.statementsDone] : [],
      tables: tables(),
    }).toEqual({
      kinds: [
        "started",
        "log",
        "statementStarted",
        "statementFinished",
        "statementStarted",
        "statementFailed",
        "finished",
      ],
      failedIndex: 2,
      outcome: [2, 0],
      tables: before,
    });
  });

  test("the job's first_line and no_transaction reach the runner", async () => {
    const runId = "run-notx";
    control.policies.set(runId, grant(4n));
    await control.publishJob(
      {
        jobId: "j-notx",
        runId,
        attempt: 1,
        correlationId: "corr-notx",
        connection: "dev/app",
        kind: {
          case: "apply",
          value: {
            engine: Engine.SQLITE,
            script: {
              migrationId: "005_notx",
              checksum: "c5",
              sql: "create table t6 (a int);\ninsert into nope values (1);",
              firstLine: 10,
              noTransaction: true,
            },
          },
        },
      },
      AGENT,
    );
    await control.events.until(finishedFor(runId), "run-notx finished");
    const failed = eventsOf(runId).find((e) => e.kind.case === "statementFailed");
    const fin = eventsOf(runId).at(-1);
    expect({
      failedAt: failed?.kind.case === "statementFailed" ? failed.kind.value.statement?.position : undefined,
      statementsDone: fin?.kind.case === "finished" ? fin.kind.value.statementsDone : undefined,
      // Without a transaction, statement 1 stays committed although statement 2 failed.
      tables: tables().map((t) => (t as { name: string }).name),
    }).toEqual({
      failedAt: { $typeName: "migratrix.agent.v1.SourcePosition", line: 11, column: 1 },
      statementsDone: 1,
      tables: ["t2", "t6", "users"],
    });
    // The half-applied 005_notx leaves the database dirty, which would hold every later migration
    // here; the same migration with statement 2 fixed resumes there and finishes it.
    control.policies.set("run-notx-fixed", grant(5n));
    await control.publishJob(
      {
        jobId: "j-notx-fixed",
        runId: "run-notx-fixed",
        attempt: 1,
        correlationId: "corr-notx-fixed",
        connection: "dev/app",
        kind: {
          case: "apply",
          value: {
            engine: Engine.SQLITE,
            script: {
              migrationId: "005_notx",
              checksum: "c5b",
              sql: "create table t6 (a int);\nselect 1;",
              noTransaction: true,
            },
          },
        },
      },
      AGENT,
    );
    await control.events.until(finishedFor("run-notx-fixed"), "run-notx-fixed finished");
    const fixed = eventsOf("run-notx-fixed").at(-1);
    expect(fixed?.kind.case === "finished" ? fixed.kind.value.statementsDone : undefined).toBe(2);
  });

  test("an unknown connection is rejected not_found; an unhandled kind is rejected unimplemented", async () => {
    control.policies.set("run-noconn", grant(2n));
    await control.publishJob(
      {
        jobId: "j-noconn",
        runId: "run-noconn",
        attempt: 1,
        correlationId: "corr-nc",
        connection: "dev/none",
        kind: { case: "apply", value: { engine: Engine.SQLITE, script: { migrationId: "x", sql: "select 1" } } },
      },
      AGENT,
    );
    await control.publishJob(
      {
        jobId: "j-transfer",
        runId: "run-transfer",
        attempt: 1,
        correlationId: "corr-tr",
        connection: "dev/app",
        kind: { case: "datadiff", value: { sourceConnection: "dev/app", targetConnection: "qa/app" } },
      },
      AGENT,
    );
    await control.events.until(finishedFor("run-noconn"), "run-noconn rejected");
    await control.events.until(finishedFor("run-transfer"), "run-transfer rejected");
    expect([...eventsOf("run-noconn"), ...eventsOf("run-transfer")].map(stable)).toEqual([
      {
        runId: "run-noconn",
        attempt: 1,
        seq: 1,
        fencingToken: 2,
        correlationId: "corr-nc",
        agentId: AGENT,
        hasTime: true,
        rejected: {
          error: {
            code: "not_found",
            nativeCode: "",
            message: `connection dev/none is not in the vault of agent ${AGENT}`,
          },
        },
      },
      {
        runId: "run-transfer",
        attempt: 1,
        seq: 1,
        fencingToken: 0,
        correlationId: "corr-tr",
        agentId: AGENT,
        hasTime: true,
        rejected: {
          error: {
            code: "unimplemented",
            nativeCode: "",
            message: `job kind datadiff is not handled by agent ${AGENT_VERSION}`,
          },
        },
      },
    ]);
  });

  test("an introspect job publishes the snapshot", async () => {
    await control.publishJob(
      {
        jobId: "j-intro",
        runId: "run-intro",
        attempt: 1,
        correlationId: "corr-i",
        connection: "dev/app",
        kind: { case: "introspect", value: {} },
      },
      AGENT,
    );
    await control.events.until(finishedFor("run-intro"), "run-intro finished");
    const [snap, fin] = eventsOf("run-intro");
    const snapshot = snap?.kind.case === "snapshot" ? JSON.parse(snap.kind.value.snapshotJson) : undefined;
    expect({
      tables: snapshot?.tables.map((t: { name: string }) => t.name),
      finished: fin?.kind.case === "finished" ? fin.kind.value.outcome : undefined,
    }).toEqual({ tables: ["t2", "t6", "users"], finished: 1 });
  });

  test("a refused lease renewal aborts the run before its next statement", async () => {
    const runId = "run-lost";
    control.policies.set(runId, (req) =>
      req.fencingToken === 0n
        ? { granted: true, fencingToken: 9n, ttlMs: 60_000, renewEveryMs: 1 }
        : { granted: false, reason: "fencing token 9 is stale: the run's token is 10" },
    );
    // Holds statement 1 until the agent has logged the lost lease: the abort is then certain to be
    // seen at the check before statement 2, without any timing assumption.
    const lost = logs.until((l) => l.some((x) => x.msg === "lease lost" && x.runId === runId), "lease lost");
    const second = createAgent({
      bus,
      workspaceId: WS,
      agentId: "agent-t2",
      token: TOKEN,
      vault,
      streamPrefix: prefix,
      heartbeatMs: 60_000,
      log,
      faultHooks: { beforeStatement: async (s) => void (s.index === 1 && (await lost)) },
    });
    await second.start();
    try {
      await control.publishJob(
        {
          jobId: "j-lost",
          runId,
          attempt: 1,
          correlationId: "corr-lost",
          connection: "dev/app",
          kind: {
            case: "apply",
            value: {
              engine: Engine.SQLITE,
              script: {
                migrationId: "004_lost",
                checksum: "c4",
                sql: "create table t4 (a int);\ncreate table t5 (a int);",
              },
            },
          },
        },
        "agent-t2",
      );
      await control.events.until(finishedFor(runId), "run-lost finished");
    } finally {
      await second.stop();
    }
    const fin = eventsOf(runId).at(-1);
    expect(fin && stable(fin)).toEqual({
      runId,
      attempt: 1,
      // started, the rollback note, statement 1 started and finished, then the abort.
      seq: 5,
      fencingToken: 9,
      correlationId: "corr-lost",
      agentId: "agent-t2",
      hasTime: true,
      finished: {
        outcome: 2,
        statementsDone: 0,
        durationMs: "number",
        error: {
          code: "aborted",
          nativeCode: "",
          message: "run aborted before statement 2 (line 2:1)",
          position: { line: 2, column: 1 },
        },
      },
    });
    expect(tables()).toEqual([{ name: "t2" }, { name: "t6" }, { name: "users" }]);
  });

  test("/healthz and /metrics report the agent's state and counts", async () => {
    const base = agent.http?.url;
    const health = await (await fetch(`${base}/healthz`)).json();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(health).toEqual({ ok: true, agentId: AGENT, version: AGENT_VERSION, bus: "connected", jobsInFlight: 0 });
    const lines = metrics.split("\n");
    expect(
      [
        'migratrix_agent_jobs_total{kind="apply",outcome="completed"} 3',
        'migratrix_agent_jobs_total{kind="apply",outcome="dropped"} 1',
        'migratrix_agent_jobs_total{kind="apply",outcome="failed"} 2',
        'migratrix_agent_jobs_total{kind="datadiff",outcome="rejected"} 1',
        "migratrix_agent_bus_connected 1",
        'migratrix_agent_statements_total{outcome="failed"} 2',
      ].filter((l) => !lines.includes(l)),
    ).toEqual([]);
  });

  test("no log line carries the connection URL", () => {
    const all = JSON.stringify(logs.items);
    expect({ url: all.includes(dbPath), correlated: logs.items.some((l) => l.correlationId === "corr-1") }).toEqual({
      url: false,
      correlated: true,
    });
  });
});
