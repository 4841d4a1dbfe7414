// Notification routes and the feed's derivation and positions against a real store (PGlite): route
// validation, drift records routed by environment and flow, the diff cut for a phone, and the
// delivery position that never moves back nor past the chain's head; transfers starting and ending,
// and the chat messages bots keep editing for them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { MigratrixError } from "../../common/errors.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { appendAudit, listAudit } from "../audit/index.ts";
import { createFlow } from "../flows/definitions.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { type Harness, simulatedAgent, startHarness } from "../test-harness.ts";
import { checkOptions, startTransfer } from "../transfers/index.ts";
import { ackDelivery, deliveriesOf, ensureCursor, listChatMessages, setChatMessage, setRoute } from "./index.ts";

let store: Store;
let h: Harness;

const base = { actor: "user:test", createdBy: "admin@example.com", correlationId: "notify-test" };
const route = (over: Partial<Parameters<typeof setRoute>[1]>) =>
  setRoute(store.db, {
    workspaceId: h.workspaceId,
    name: "r",
    platform: "slack",
    channel: "C1",
    flow: "",
    environment: "",
    kinds: [],
    ...base,
    ...over,
  });

const problem = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof MigratrixError ? `${e.code}: ${e.message}` : String(e)),
  );

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus() });
  await simulatedAgent(h, "n1").announce([
    { name: "main", environment: "dev" },
    { name: "main", environment: "prod" },
  ]);
  for (const [name, envs] of [
    ["release", ["dev", "prod"]],
    ["devonly", ["dev"]],
    ["prodfirst", ["prod"]],
  ] as const) {
    await createFlow(store.db, {
      workspaceId: h.workspaceId,
      name,
      stages: envs.map((environment) => ({
        environment,
        connections: [],
        policy: "manual" as const,
        requiredApprovals: 0,
        approverRoles: [],
        approverEmails: [],
        allowSelfApproval: false,
      })),
      ...base,
    });
  }
}, 60_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

describe("routes", () => {
  test("a route names an existing flow and environment, a platform and a channel id", async () => {
    expect(
      await Promise.all([
        problem(route({ platform: "teams" })),
        problem(route({ channel: "#deploys channel" })),
        problem(route({ flow: "nosuch" })),
        problem(route({ environment: "nosuch" })),
      ]),
    ).toEqual([
      'invalid_argument: platform must be slack or discord, got "teams"',
      'invalid_argument: channel must be the slack channel id (1-80 of A-Z a-z 0-9 _ . -), got "#deploys channel"',
      "not_found: flow nosuch not found",
      "not_found: environment nosuch not found",
    ]);
  }, 20_000);
});

describe("drift notifications", () => {
  test("a drifted check reaches the routes of its environment and of flows with a stage there", async () => {
    await route({ name: "a-all", channel: "CALL" });
    await route({ name: "b-prod-drift", channel: "CPROD", environment: "prod", kinds: ["drift_detected"] });
    await route({ name: "c-release", channel: "CREL", flow: "release" });
    await route({ name: "d-devonly", channel: "CDEV", flow: "devonly" });
    await route({ name: "e-approvals", channel: "CAPP", kinds: ["approval_needed"] });
    const diffText = Array.from({ length: 20 }, (_, i) => `+ table t${i}`).join("\n");
    // What control/drift/check.ts stores for a drifted connection: the report and its audit record.
    const row = await store.db.transaction(async (tx) => {
      const [found] = await tx
        .select({ conn: tables.connections, env: tables.environments })
        .from(tables.connections)
        .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
        .where(and(eq(tables.environments.name, "prod"), eq(tables.connections.workspaceId, h.workspaceId)));
      const conn = found?.conn;
      const env = found?.env;
      await tx.insert(tables.driftReports).values({
        workspaceId: h.workspaceId,
        environmentId: conn?.environmentId ?? "",
        connectionId: conn?.id ?? "",
        status: "drifted",
        changes: 20,
        diffText,
        trigger: "schedule",
        requestedBy: "control:scheduler",
        correlationId: "drift-corr",
      });
      return appendAudit(tx, {
        workspaceId: h.workspaceId,
        actor: "control:scheduler",
        action: "drift.check",
        environment: env?.name ?? "",
        target: `${env?.name}/${conn?.name}`,
        correlationId: "drift-corr",
        detail: { status: "drifted", changes: 20, trigger: "schedule" },
      });
    });
    expect(row.target).toBe("prod/main");
    const out = await deliveriesOf(store.db, row, "slack");
    expect(out.map((d) => [d.part, d.route, d.channel, d.kind, d.connection, d.changes])).toEqual([
      [0, "a-all", "CALL", "drift_detected", "prod/main", 20],
      [1, "b-prod-drift", "CPROD", "drift_detected", "prod/main", 20],
      [2, "c-release", "CREL", "drift_detected", "prod/main", 20],
    ]);
    expect(out[0]?.diffText.split("\n")).toEqual([
      ...Array.from({ length: 15 }, (_, i) => `+ table t${i}`),
      "… 5 more lines",
    ]);
    expect(await deliveriesOf(store.db, row, "discord")).toEqual([]);
  }, 20_000);

  test("a clean check and other records notify nobody", async () => {
    const [clean, other] = await store.db.transaction(async (tx) => [
      await appendAudit(tx, {
        workspaceId: h.workspaceId,
        actor: "control:scheduler",
        action: "drift.check",
        environment: "prod",
        target: "prod/main",
        correlationId: "clean",
        detail: { status: "clean", changes: 0 },
      }),
      await appendAudit(tx, { workspaceId: h.workspaceId, actor: "user:x", action: "grant.set", correlationId: "g" }),
    ]);
    expect([await deliveriesOf(store.db, clean, "slack"), await deliveriesOf(store.db, other, "slack")]).toEqual([
      [],
      [],
    ]);
  }, 20_000);
});

describe("approval needed", () => {
  test("a migration entering a flow whose first stage needs approvals asks for them", async () => {
    await route({ name: "f-prodfirst", channel: "CGATE", flow: "prodfirst", kinds: ["approval_needed"] });
    const created = await h.api.migrations.createMigration({
      fileName: "20260701000000_gate.sql",
      content: "create table gate (id int);",
      engine: Engine.POSTGRESQL,
      flow: "prodfirst",
    });
    const records = await listAudit(store.db, h.workspaceId, { newest: true, limit: 50 });
    const entered = records.filter((r) => r.action === "flow.enter" && r.detail.flow === "prodfirst");
    const [record] = entered;
    if (!record || entered.length !== 1) throw new Error(`expected one flow.enter of prodfirst, got ${entered.length}`);
    const out = await deliveriesOf(store.db, record, "slack");
    expect(
      out
        .filter((d) => d.channel === "CGATE")
        .map((d) => [d.kind, d.flow, d.environment, d.migrationId, d.approvals, d.requiredApprovals]),
    ).toEqual([["approval_needed", "prodfirst", "prod", created.migration?.id ?? "", 0, 2]]);
    // A flow starting on dev (no approvals there) asks nothing when a migration enters it.
    await h.api.migrations.createMigration({
      fileName: "20260701000001_open.sql",
      content: "create table open (id int);",
      engine: Engine.POSTGRESQL,
      flow: "release",
    });
    const release = (await listAudit(store.db, h.workspaceId, { newest: true, limit: 50 })).find(
      (r) => r.action === "flow.enter" && r.detail.flow === "release",
    );
    expect(release && (await deliveriesOf(store.db, release, "slack"))).toEqual([]);
  }, 20_000);
});

describe("delivery position", () => {
  test("starts after the chain's head, moves forward only, never past the head", async () => {
    const head = (await listAudit(store.db, h.workspaceId, { newest: true, limit: 1 })).at(-1)?.seq ?? 0;
    // The slack position was created by the first slack route, at that time's head.
    const start = await ensureCursor(store.db, h.workspaceId, "slack");
    expect(start.part).toBe(-1);
    expect(start.seq).toBeLessThanOrEqual(head);
    await ackDelivery(store.db, { workspaceId: h.workspaceId, platform: "slack", seq: head, part: 1 });
    await ackDelivery(store.db, { workspaceId: h.workspaceId, platform: "slack", seq: head, part: 0 });
    await ackDelivery(store.db, { workspaceId: h.workspaceId, platform: "slack", seq: head - 1, part: 5 });
    expect(await ensureCursor(store.db, h.workspaceId, "slack")).toEqual({ seq: head, part: 1 });
    expect(
      await problem(ackDelivery(store.db, { workspaceId: h.workspaceId, platform: "slack", seq: head + 1, part: 0 })),
    ).toBe(`invalid_argument: ack of notification ${head + 1}.0 is beyond the workspace's audit chain (head ${head})`);
  }, 20_000);
});

describe("transfers", () => {
  test("a transfer's start and end reach the routes of its target environment, with what each record says", async () => {
    await route({ name: "t-transfers", platform: "discord", channel: "200000000000000001", kinds: ["transfer"] });
    const job = await startTransfer(store.db, h.bus, {
      workspaceId: h.workspaceId,
      from: "dev/main",
      to: "prod/main",
      options: checkOptions({ tables: ["items"] }),
      trigger: "manual",
      actor: "user:test",
      requestedBy: "admin@example.com",
      correlationId: "xfer-notify",
    });
    const records = (await listAudit(store.db, h.workspaceId, { newest: true, limit: 20 })).filter(
      (r) => r.target === `transfer:${job.id}` && r.action === "transfer.start",
    );
    const [started] = records;
    if (!started) throw new Error("no transfer.start record");
    // The end as lifecycle.ts records it (its rows and bytes are the record's, not the job's latest).
    const ended = await store.db.transaction((tx) =>
      appendAudit(tx, {
        workspaceId: h.workspaceId,
        actor: "agent:n1",
        action: "transfer.fail",
        environment: "prod",
        target: `transfer:${job.id}`,
        correlationId: "xfer-notify",
        detail: { to: "Failed", attempt: 3, rows: 70, bytes: 7000, error: "target went away" },
      }),
    );
    const view = async (row: typeof started) =>
      (await deliveriesOf(store.db, row, "discord")).map((d) => [
        d.route,
        d.kind,
        d.environment,
        d.transferId === job.id,
        d.transferFrom,
        d.transferTo,
        d.transferState,
        d.rows,
        d.bytes,
        d.verified,
        d.error,
      ]);
    expect([await view(started), await view(ended)]).toEqual([
      [["t-transfers", "transfer", "prod", true, "dev/main", "prod/main", "started", 0, 0, false, ""]],
      [
        [
          "t-transfers",
          "transfer",
          "prod",
          true,
          "dev/main",
          "prod/main",
          "failed",
          70,
          7000,
          false,
          "target went away",
        ],
      ],
    ]);
  }, 20_000);

  test("the chat message of a transfer is remembered per channel, moved, marked done; bad values refused", async () => {
    const subject = `transfer:${crypto.randomUUID()}`;
    const set = (over: Partial<Parameters<typeof setChatMessage>[1]>) =>
      setChatMessage(store.db, {
        workspaceId: h.workspaceId,
        platform: "slack",
        subject,
        channel: "C1",
        messageId: "1700000001.000100",
        done: false,
        ...over,
      });
    await set({});
    await set({ channel: "C2", messageId: "1700000002.000100" });
    await set({ channel: "C2", messageId: "1700000003.000100", done: true });
    const list = async (openOnly: boolean) =>
      (await listChatMessages(store.db, { workspaceId: h.workspaceId, platform: "slack", subject, openOnly })).map(
        (m) => [m.channel, m.messageId, m.done],
      );
    expect([await list(false), await list(true)]).toEqual([
      [
        ["C1", "1700000001.000100", false],
        ["C2", "1700000003.000100", true],
      ],
      [["C1", "1700000001.000100", false]],
    ]);
    expect(
      await Promise.all([
        problem(set({ subject: "run:1" })),
        problem(set({ channel: "#deploys" })),
        problem(set({ messageId: "" })),
      ]),
    ).toEqual([
      'invalid_argument: subject must be "transfer:<job id>", got "run:1"',
      'invalid_argument: channel must be a channel id (1-80 of A-Z a-z 0-9 _ . : -), got "#deploys"',
      'invalid_argument: message_id must be a message id or ts (1-80 of A-Z a-z 0-9 _ . : -), got ""',
    ]);
  }, 20_000);
});
