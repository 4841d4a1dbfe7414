// Transfer jobs in the control plane on PGlite and the in-process bus, with explicit times (no
// sleeps): the job published to the serving agent (names, never URLs), its lease and fencing token,
// stale and replayed events dropped, and the auto-retry: a lapsed lease or a failed attempt goes
// back to Pending at attempt n+1 after base × 2^(n-1), published once the back-off is over; a
// rejected job or a verification mismatch is not retried, and neither is the last attempt.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { LeaseRequestSchema } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { JobEventSchema, RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { TransferService } from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { clientsFor, type Harness, jobInbox, simulatedAgent, startHarness } from "../test-harness.ts";
import {
  applyTransferEvent,
  checkOptions,
  decideTransferLease,
  getTransferJob,
  publishDueRetries,
  reapTransferLeases,
  startTransfer,
  transferScheduleHandler,
} from "./index.ts";

let store: Store;
let h: Harness;
const AGENT = "agent-xfer-unit";
const settings = { ttlMs: 1000, renewEveryMs: 300 };
const T0 = new Date("2026-05-01T08:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({
    store,
    bus: createMemoryBus(),
    reaperIntervalMs: 3_600_000,
    passwordCost: { memoryCost: 1024, timeCost: 1 },
  });
  await simulatedAgent(h, AGENT).announce([
    { name: "src", environment: "qa" },
    { name: "dst", environment: "dev" },
  ]);
}, 30_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

const start = (maxAttempts = 3) =>
  startTransfer(store.db, h.bus, {
    workspaceId: h.workspaceId,
    from: "qa/src",
    to: "dev/dst",
    options: checkOptions({ tables: ["items"], batchRows: 100 }),
    trigger: "manual",
    actor: "user:test",
    requestedBy: "user:test",
    correlationId: "corr-unit",
    maxAttempts,
  });

const lease = (id: string, attempt: number, fencingToken: bigint, now: Date) =>
  decideTransferLease(store.db, {
    workspaceId: h.workspaceId,
    req: create(LeaseRequestSchema, { runId: id, attempt, agentId: AGENT, fencingToken, correlationId: "c" }),
    settings,
    actor: `agent:${AGENT}`,
    now,
  });

const event = (
  id: string,
  attempt: number,
  token: bigint,
  seq: bigint,
  kind: MessageInitShape<typeof JobEventSchema>["kind"],
) =>
  applyTransferEvent(store.db, {
    workspaceId: h.workspaceId,
    subjectAgent: AGENT,
    event: create(JobEventSchema, { runId: id, attempt, seq, fencingToken: token, agentId: AGENT, kind }),
    retryBaseMs: 1000,
  });

const state = async (id: string) => {
  const j = await getTransferJob(store.db, h.workspaceId, id);
  return { state: j.state, attempt: j.attempt, retryAt: j.retryAt?.toISOString() ?? null, rows: j.rows };
};

describe("transfer jobs", () => {
  test("the serving agent gets the job by names, with its options; no URL anywhere", async () => {
    const inbox = await jobInbox(h, AGENT);
    try {
      const job = await start();
      const { job: got } = await inbox.next();
      expect({
        runId: got.runId,
        attempt: got.attempt,
        connection: got.connection,
        kind: got.kind.case,
        source: got.kind.case === "transfer" ? got.kind.value.sourceConnection : "",
        tables: got.kind.case === "transfer" ? got.kind.value.tables : [],
        batchRows: got.kind.case === "transfer" ? got.kind.value.batchRows : 0,
        via: got.kind.case === "transfer" ? got.kind.value.via : "",
      }).toEqual({
        runId: job.id,
        attempt: 1,
        connection: "dev/dst",
        kind: "transfer",
        source: "qa/src",
        tables: ["items"],
        batchRows: 100,
        via: "local",
      });
    } finally {
      await inbox.stop();
    }
  });

  test("options are checked before anything is stored", () => {
    expect(() => checkOptions({ onConflict: "truncate" })).toThrow(/confirm/);
    expect(() => checkOptions({ onConflict: "merge" })).toThrow(/on_conflict/);
    expect(() => checkOptions({ tables: ["a;drop"] })).toThrow(/not a table name/);
    expect(checkOptions({ onConflict: "truncate", confirmTruncate: true }).onConflict).toBe("truncate");
  });

  test("lease, progress, replay and stale token dropped, completed", async () => {
    const job = await start();
    const first = await lease(job.id, 1, 0n, at(0));
    expect({ granted: first.granted, token: first.fencingToken }).toEqual({ granted: true, token: 1n });
    // The same agent taking the job again (a redelivery) gets a new token: the first one is stale.
    expect((await lease(job.id, 1, 0n, at(100))).fencingToken).toBe(2n);
    const progress = { table: "items", totalRows: 100n, totalBytes: 1000n, rows: 100n };
    expect((await event(job.id, 1, 2n, 1n, { case: "transferProgress", value: progress })).outcome).toBe("stored");
    expect((await event(job.id, 1, 2n, 1n, { case: "transferProgress", value: progress })).outcome).toBe("duplicate");
    expect((await event(job.id, 1, 1n, 2n, { case: "transferProgress", value: progress })).outcome).toBe("stale");
    const done = await event(job.id, 1, 2n, 2n, {
      case: "finished",
      value: { outcome: RunOutcome.COMPLETED },
    });
    expect(done).toEqual({ outcome: "stored", reason: "", ended: true });
    expect(await state(job.id)).toEqual({ state: "completed", attempt: 1, retryAt: null, rows: 100 });
    expect((await lease(job.id, 1, 0n, at(200))).reason).toBe("job is Completed");
  });

  test("a lapsed lease fails the attempt; the retry waits for its back-off, then is published once", async () => {
    const job = await start();
    await lease(job.id, 1, 0n, at(0));
    // Still live at 500 ms: nothing to reap.
    expect(await reapTransferLeases(store.db, at(500), 1000)).toEqual([]);
    expect(await reapTransferLeases(store.db, at(1500), 1000)).toEqual([job.id]);
    expect(await state(job.id)).toEqual({
      state: "pending",
      attempt: 2,
      retryAt: at(2500).toISOString(),
      rows: 0,
    });
    // Not leasable before its retry is published.
    expect((await lease(job.id, 2, 0n, at(1600))).granted).toBe(false);
    const inbox = await jobInbox(h, AGENT);
    try {
      expect(await publishDueRetries(store.db, h.bus, at(2000))).toEqual([]);
      expect(await publishDueRetries(store.db, h.bus, at(2500))).toEqual([job.id]);
      expect(await publishDueRetries(store.db, h.bus, at(2600))).toEqual([]);
      // The queue still holds the jobs of the earlier tests' starts (nothing consumed them).
      const published: { runId: string; attempt: number }[] = [];
      for (let got = (await inbox.next()).job; ; got = (await inbox.next()).job) {
        if (got.runId !== job.id) continue;
        published.push({ runId: got.runId, attempt: got.attempt });
        if (got.attempt === 2) break;
      }
      expect(published).toEqual([
        { runId: job.id, attempt: 1 },
        { runId: job.id, attempt: 2 },
      ]);
    } finally {
      await inbox.stop();
    }
    // Attempt 2 fails in the agent: attempt 3 after 2 × base; attempt 3 failing is the end.
    const second = await lease(job.id, 2, 0n, at(3000));
    await event(job.id, 2, second.fencingToken, 1n, {
      case: "finished",
      value: { outcome: RunOutcome.FAILED, error: { code: "unavailable", message: "target went away" } },
    });
    expect(await state(job.id)).toMatchObject({ state: "pending", attempt: 3 });
    const retryAt = (await getTransferJob(store.db, h.workspaceId, job.id)).retryAt?.getTime() ?? 0;
    expect(retryAt - Date.now()).toBeGreaterThan(1000);
    await publishDueRetries(store.db, h.bus, new Date(retryAt));
    const third = await lease(job.id, 3, 0n, new Date(retryAt + 1));
    await event(job.id, 3, third.fencingToken, 1n, {
      case: "finished",
      value: { outcome: RunOutcome.FAILED, error: { code: "unavailable", message: "again" } },
    });
    expect(await state(job.id)).toEqual({ state: "failed", attempt: 3, retryAt: null, rows: 0 });
  });

  test("a scheduled slot is skipped while the job of an earlier slot still runs", async () => {
    const scheduleId = crypto.randomUUID();
    const options = checkOptions({ tables: ["items"] });
    const earlier = await startTransfer(store.db, h.bus, {
      workspaceId: h.workspaceId,
      from: "qa/src",
      to: "dev/dst",
      options,
      trigger: "schedule",
      scheduleId,
      actor: "control:scheduler",
      requestedBy: "user:test",
      correlationId: "corr-sched",
    });
    const handler = transferScheduleHandler({ db: store.db, bus: h.bus });
    const schedule = {
      id: crypto.randomUUID(),
      workspaceId: h.workspaceId,
      kind: "transfer",
      target: scheduleId,
      cron: "0 * * * *",
      params: { from: "qa/src", to: "dev/dst", options, requestedBy: "user:test" },
      lastSlot: null,
      lastFiredAt: null,
      createdBy: "user:test",
      createdAt: T0,
      updatedAt: T0,
    };
    const skipped = await handler
      .run({ schedule, slot: T0, correlationId: "c" })
      .then(() => "started")
      .catch((e: unknown) => (e as Error).message);
    expect(skipped).toBe(
      `transfer schedule ${scheduleId}: job ${earlier.id} of an earlier slot is still running; this slot is skipped`,
    );
  });

  test("a rejected job and a verification mismatch are not retried", async () => {
    const rejected = await start();
    // Refused before leasing (token 0), e.g. a connection missing from the vault.
    await event(rejected.id, 1, 0n, 1n, {
      case: "rejected",
      value: { error: { code: "not_found", message: "connection qa/src is not in the vault" } },
    });
    expect(await state(rejected.id)).toEqual({ state: "rejected", attempt: 1, retryAt: null, rows: 0 });
    const mismatch = await start();
    const l = await lease(mismatch.id, 1, 0n, at(0));
    await event(mismatch.id, 1, l.fencingToken, 1n, {
      case: "finished",
      value: { outcome: RunOutcome.FAILED, error: { code: "data_loss", message: "source and target differ" } },
    });
    expect(await state(mismatch.id)).toEqual({ state: "failed", attempt: 1, retryAt: null, rows: 0 });
  });
});

describe("who may start a transfer (checked on the server, refusals audited)", () => {
  const bearer = (url: string, token: string): Transport =>
    createConnectTransport({
      baseUrl: url,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ],
    });
  const outcome = (call: Promise<unknown>) =>
    call.then(
      () => "ok",
      (err: unknown) => Code[ConnectError.from(err).code],
    );

  test("reading the source needs a role on its environment; a schedule needs its admins", async () => {
    const url = (await h.control.start(0)).url;
    const access = createClient(AccessService, bearer(url, h.adminToken));
    const person = async (email: string, grants: { environment: string; role: string }[]) => {
      const { code } = await access.invite({ email, grants });
      const { secret } = await clientsFor(url).identity.acceptInvite({ code, password: "correct horse battery" });
      return createClient(TransferService, bearer(url, secret));
    };
    const devOnly = await person("dev-editor@example.com", [{ environment: "dev", role: "editor" }]);
    const both = await person("both@example.com", [
      { environment: "dev", role: "editor" },
      { environment: "qa", role: "viewer" },
    ]);
    const req = { from: "qa/src", to: "dev/dst", options: { tables: ["items"] } };
    expect(await outcome(devOnly.startTransfer(req))).toBe("PermissionDenied");
    const [denied] = await listAudit(store.db, h.workspaceId, { limit: 1, newest: true });
    expect({ action: denied?.action, environment: denied?.environment, needs: denied?.detail.action }).toEqual({
      action: "access.denied",
      environment: "qa",
      needs: "transfer.read",
    });
    expect(await outcome(both.startTransfer(req))).toBe("ok");
    expect(await outcome(both.startTransfer({ ...req, schedule: "0 3 * * *" }))).toBe("PermissionDenied");
    // Writing into a protected environment (prod) needs its admins, whatever the source.
    expect(await outcome(both.startTransfer({ ...req, to: "prod/dst" }))).toBe("PermissionDenied");
  });
});
