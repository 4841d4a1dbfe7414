// The control plane on a real PostgreSQL store (a database of this file's own) and NATS JetStream
// (streams under a unique prefix), reached over HTTP on a port-0 server by a Connect client.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import postgres from "postgres";
import { createNatsBus } from "../bus/index.ts";
import { streamNames } from "../bus/streams.ts";
import type { Bus } from "../bus/types.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunOutcome } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { verifyChain } from "./audit/index.ts";
import { openStore, type Store } from "./store/index.ts";
import {
  clientsFor,
  type Harness,
  jobInbox,
  simulatedAgent,
  startHarness,
  summary,
  THREE_STATEMENTS,
  watch,
} from "./test-harness.ts";

const PG = process.env.MIGRATRIX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS = process.env.MIGRATRIX_TEST_NATS ?? "nats://127.0.0.1:4222";
const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
const dbName = `mx_control_${suffix}`;
const admin = postgres(PG, { max: 1, onnotice: () => {} });

let store: Store;
let bus: Bus;
let h: Harness;
let url: string;

beforeAll(async () => {
  await admin.unsafe(`create database ${dbName}`);
  store = await openStore({ url: PG.replace(/\/[^/]*$/, `/${dbName}`) });
  bus = await createNatsBus({ url: NATS, name: `control-int-${suffix}` });
  h = await startHarness({
    store,
    bus,
    streamPrefix: `MXT_${suffix}`,
    // A completing run must never be reaped, however slow the machine: a lease renewal is a NATS
    // round trip that a loaded 2-core CI machine once took over 60 ms to answer. The silent agent
    // of the second run is still reaped within about a second.
    leaseTtlMs: 1_000,
    leaseRenewMs: 50,
    reaperIntervalMs: 20,
  });
  url = (await h.control.start(0)).url;
}, 30_000);

afterAll(async () => {
  await h.close();
  const names = streamNames(h.streamPrefix);
  await bus.deleteQueue(names.jobs);
  await bus.deleteQueue(names.events);
  await bus.close();
  await store.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

test("over HTTP, a missing token is unauthenticated and the admin token works", async () => {
  const err = await clientsFor(url)
    .identity.whoAmI({})
    .catch((e: unknown) => ConnectError.from(e));
  expect(err instanceof ConnectError ? [Code[err.code], err.rawMessage] : []).toEqual([
    "Unauthenticated",
    "missing Authorization: Bearer token",
  ]);
  expect((await clientsFor(url, h.adminToken).identity.whoAmI({})).email).toBe("admin@localhost");
  const health = await fetch(`${url}/healthz`);
  expect(await health.json()).toEqual({ status: "ok", store: "ok", bus: "ok", busKind: "nats" });
});

test("a run completes through NATS, then a second run fails by the reaper when its agent goes silent", async () => {
  const api = clientsFor(url, h.adminToken);
  const a1 = simulatedAgent(h, "a1");
  const announced = await a1.announce([{ name: "main", environment: "dev" }]);
  expect(announced.accepted).toBe(true);
  const inbox = await jobInbox(h, "a1");
  const m = (
    await api.migrations.createMigration({
      fileName: "20260101000000_three.sql",
      content: THREE_STATEMENTS,
      engine: Engine.POSTGRESQL,
    })
  ).migration!;
  const [run] = (await api.migrations.runMigration({ migrationId: m.id, environment: "dev" })).runs;
  const { job } = await inbox.next();
  expect([job.runId, job.attempt, job.connection]).toEqual([run!.id, 1, "dev/main"]);

  const lease = await a1.lease(run!.id, 1);
  expect([lease.granted, lease.fencingToken]).toEqual([true, 1n]);
  let renewing = true;
  const renewals = (async () => {
    while (renewing) {
      await a1.lease(run!.id, 1, lease.fencingToken);
      await new Promise((resolve) => setTimeout(resolve, lease.renewEveryMs));
    }
  })();
  const r = { runId: run!.id, attempt: 1, fencingToken: lease.fencingToken };
  await a1.emit(r, { case: "started", value: { statementsTotal: 3 } });
  for (const index of [1, 2, 3]) {
    await a1.emit(r, { case: "statementFinished", value: { statement: { index }, durationMs: 1 } });
  }
  await a1.emit(r, { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: 3 } });
  const items = await watch(api, run!.id);
  renewing = false;
  await renewals;
  const P = RunState.IN_PROGRESS;
  expect(summary(items)).toEqual([
    [1, P, "started"],
    [2, P, "statementFinished"],
    [3, P, "statementFinished"],
    [4, P, "statementFinished"],
    [5, RunState.COMPLETED, "finished"],
  ]);

  const m2 = (
    await api.migrations.createMigration({
      fileName: "20260101000001_again.sql",
      content: THREE_STATEMENTS,
      engine: Engine.POSTGRESQL,
    })
  ).migration!;
  const [run2] = (await api.migrations.runMigration({ migrationId: m2.id, environment: "dev" })).runs;
  await inbox.next();
  expect((await a1.lease(run2!.id, 1)).granted).toBe(true);
  const end = await watch(api, run2!.id);
  expect(summary(end)).toEqual([[1, RunState.FAILED, "finished"]]);
  const failed = (await api.migrations.getRun({ runId: run2!.id })).run!;
  expect([failed.state, failed.failedStatement, failed.error?.message]).toEqual([
    RunState.FAILED,
    1,
    "agent a1 stopped responding during statement 1",
  ]);
  expect(await verifyChain(store.db, h.workspaceId)).toBeNull();
  await inbox.stop();
}, 30_000);
