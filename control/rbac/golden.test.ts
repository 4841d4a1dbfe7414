// Walks golden.tsv against the real control plane on a port-0 HTTP server: for every RPC of every
// generated control/v1 service, a caller holding exactly one role on one environment (or none, or
// workspace admin) gets either an answer or permission_denied, as the file says.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { and, eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { IdentityService } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { listAudit } from "../audit/index.ts";
import type { EnvironmentKind } from "../identity/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { type Harness, simulatedAgent, startHarness, THREE_STATEMENTS } from "../test-harness.ts";

const GEN = join(import.meta.dir, "../../proto/gen/migratrix/control/v1");
const PACKAGE = "migratrix.control.v1.";
const ROLES = ["workspace_admin", "admin", "approver", "editor", "viewer", "none"] as const;
type Principal = (typeof ROLES)[number];
const KINDS: readonly EnvironmentKind[] = ["open", "protected"];
/** The environment of each kind in the harness's pipeline. */
const ENV: Record<EnvironmentKind, string> = { open: "dev", protected: "prod" };
type Outcome = "allowed" | "permission_denied";

interface Fixture {
  env: string;
  runId: string;
  migrationId: string;
  transferId: string;
}

/**
 * Requests that reach each RPC's access check and, when allowed, end without changing much (an
 * invalid or unknown argument). An RPC not listed gets an empty request; one whose rule needs an
 * environment must be listed here (flows: the stage is the environment's name).
 */
const REQUESTS: Record<string, (f: Fixture) => object> = {
  "IdentityService/RevokeToken": () => ({ tokenId: crypto.randomUUID() }),
  "IdentityService/Login": () => ({ email: "nobody@example.com", password: "wrong-password" }),
  "IdentityService/AcceptInvite": () => ({ code: "mxi_unknown", password: "whatever-password" }),
  "IdentityService/CreateToken": () => ({ name: "" }),
  "IdentityService/CreateWorkspace": () => ({ name: "not a valid name" }),
  "IdentityService/LinkChatIdentity": () => ({ code: "mxl-AAAA-AAAA" }),
  "IdentityService/UnlinkChatIdentity": () => ({ id: crypto.randomUUID() }),
  "AccessService/Invite": () => ({ email: "not-an-email" }),
  "AccessService/Grant": (f) => ({ email: "nobody@example.com", environment: f.env, role: "bogus" }),
  "AccessService/RevokeGrant": (f) => ({ email: "nobody@example.com", environment: f.env }),
  "EnvironmentService/CreateEnvironment": () => ({ name: "not a valid name", position: 99 }),
  "ConnectionService/AddConnection": (f) => ({ name: "nope", environment: f.env, agentId: "no-such-agent" }),
  "ConnectionService/ListConnections": (f) => ({ environment: f.env }),
  "MigrationService/CreateMigration": () => ({ fileName: "", content: "" }),
  "MigrationService/GetMigration": () => ({ id: "no-such-migration" }),
  "MigrationService/RunMigration": (f) => ({ migrationId: "no-such-migration", environment: f.env }),
  "MigrationService/GetRun": (f) => ({ runId: f.runId }),
  "MigrationService/WatchRun": (f) => ({ runId: f.runId }),
  "MigrationService/ListHistory": (f) => ({ environment: f.env }),
  "MigrationService/ResolveRun": (f) => ({ runId: f.runId }),
  "SchemaService/Introspect": (f) => ({ connection: `${f.env}/no-such-connection` }),
  "DriftService/CheckDrift": (f) => ({ environment: f.env, connection: "no-such-connection" }),
  "DriftService/ListDrift": (f) => ({ environment: f.env }),
  "DriftService/SetDriftSchedule": (f) => ({ environment: f.env, cron: "not a cron" }),
  "BackupService/ListBackups": (f) => ({ environment: f.env, connection: "no-such-connection" }),
  "BackupService/PurgeBackups": (f) => ({ environment: f.env, connection: "no-such-connection", migrationId: "m" }),
  "BackupService/SetBackupRetention": (f) => ({ environment: f.env, keepDays: 99_999 }),
  "ExplorerService/Query": (f) => ({ connection: `${f.env}/no-such-connection`, sql: "select 1" }),
  "ExplorerService/AskSql": (f) => ({ environment: f.env, question: "" }),
  "ExplorerService/AddMaskPolicy": (f) => ({ environment: f.env, pattern: "not a pattern", kind: "full" }),
  "ExplorerService/ListMaskPolicies": (f) => ({ environment: f.env }),
  "ExplorerService/RemoveMaskPolicy": (f) => ({ environment: f.env, id: "not-a-uuid" }),
  "ExplorerService/SetExplorerSettings": (f) => ({ environment: f.env, writesAllowed: false }),
  "ExplorerService/ListQueryHistory": (f) => ({ environment: f.env }),
  "ExplorerService/BrowseTable": (f) => ({ connection: `${f.env}/no-such-connection`, table: "t" }),
  "ExplorerService/EditRow": (f) => ({ connection: `${f.env}/no-such-connection`, table: "t", op: "delete" }),
  "ExplorerService/SetWriteGrant": (f) => ({ environment: f.env, email: "nobody@example.com", granted: true }),
  "ExplorerService/ListWriteGrants": (f) => ({ environment: f.env }),
  "AuditService/ExportAudit": () => ({ format: 99 }),
  "GitOpsService/ImportMigrations": (f) => ({ environment: f.env, format: "bogus" }),
  "FlowService/GetFlow": () => ({ name: "no-such-flow" }),
  "TransferService/StartTransfer": (f) => ({ from: `${f.env}/no-such-connection`, to: `${f.env}/no-such-connection` }),
  "TransferService/GetTransfer": (f) => ({ id: f.transferId }),
  "TransferService/WatchTransfer": (f) => ({ id: f.transferId }),
  "TransferService/ListTransfers": (f) => ({ environment: f.env }),
  "TransferService/RemoveTransferSchedule": (f) => ({ environment: f.env, id: crypto.randomUUID() }),
  "FlowService/Promote": (f) => ({ flow: "no-such-flow", migrationId: f.migrationId, stage: f.env }),
  "FlowService/Approve": (f) => ({ flow: "no-such-flow", migrationId: f.migrationId, stage: f.env }),
  "FlowService/Reject": (f) => ({ flow: "no-such-flow", migrationId: f.migrationId, stage: f.env }),
  "FlowService/Rollback": (f) => ({ flow: "no-such-flow", migrationId: f.migrationId, stage: f.env }),
};

function readGolden(): Map<string, Outcome> {
  const golden = new Map<string, Outcome>();
  const text = readFileSync(join(import.meta.dir, "golden.tsv"), "utf8");
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const [rpc, role, open, prot, ...rest] = line.split("\t");
    const outcomes = [open, prot];
    if (!rpc || !ROLES.includes(role as Principal) || rest.length > 0 || outcomes.some((o) => !isOutcome(o))) {
      throw new Error(`golden.tsv:${i + 1}: malformed row "${line}"`);
    }
    for (const [k, kind] of KINDS.entries()) golden.set(`${rpc} ${role} ${kind}`, outcomes[k] as Outcome);
  }
  return golden;
}

function isOutcome(text: string | undefined): text is Outcome {
  return text === "allowed" || text === "permission_denied";
}

/** Every service of every generated control/v1 file, so a new service or RPC cannot slip by. */
async function controlServices(): Promise<DescService[]> {
  const services: DescService[] = [];
  for (const name of readdirSync(GEN).filter((n) => n.endsWith("_pb.ts"))) {
    const mod: Record<string, unknown> = await import(join(GEN, name));
    for (const value of Object.values(mod)) {
      const file = value as Partial<DescFile>;
      if (file?.kind === "file" && Array.isArray(file.services)) services.push(...file.services);
    }
  }
  return services;
}

const rpcName = (m: DescMethod) => `${m.parent.typeName.slice(PACKAGE.length)}/${m.name}`;

async function call(transport: Transport, method: DescMethod, request: object): Promise<Outcome> {
  const client = createClient(method.parent, transport) as unknown as Record<
    string,
    (req: object) => Promise<unknown> | AsyncIterable<unknown>
  >;
  const fn = client[method.localName];
  if (!fn) throw new Error(`no client method ${method.localName}`);
  try {
    const res = fn(request);
    if (method.methodKind === "server_streaming") {
      for await (const _ of res as AsyncIterable<unknown>) {
        // Drained: the access check has passed once the stream has started.
      }
    } else await res;
  } catch (err) {
    return ConnectError.from(err).code === Code.PermissionDenied ? "permission_denied" : "allowed";
  }
  return "allowed";
}

let store: Store;
let h: Harness;
let url = "";
const tokens = new Map<string, string>();
const fixtures = new Map<EnvironmentKind, Fixture>();

function transportFor(token: string): Transport {
  return createConnectTransport({
    baseUrl: url,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
}

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({
    store,
    bus: createMemoryBus(),
    watchPollMs: 10,
    passwordCost: { memoryCost: 1024, timeCost: 1 },
  });
  url = (await h.control.start(0)).url;
  const admin = createClient(AccessService, transportFor(h.adminToken));
  const identity = createClient(IdentityService, createConnectTransport({ baseUrl: url }));
  // Principals made the way people are: an invite with grants, redeemed with a password.
  for (const kind of KINDS) {
    for (const role of ["admin", "approver", "editor", "viewer"] as const) {
      const email = `${role}-${kind}@example.com`;
      const { code } = await admin.invite({ email, grants: [{ environment: ENV[kind], role }] });
      const { secret } = await identity.acceptInvite({ code, password: "correct horse battery" });
      tokens.set(`${role} ${kind}`, secret);
    }
  }
  const { code } = await admin.invite({ email: "none@example.com" });
  const none = (await identity.acceptInvite({ code, password: "correct horse battery" })).secret;
  for (const kind of KINDS) {
    tokens.set(`none ${kind}`, none);
    tokens.set(`workspace_admin ${kind}`, h.adminToken);
  }

  await simulatedAgent(h, "agent-rbac").announce([
    { name: "db", environment: "dev" },
    { name: "db", environment: "prod" },
  ]);
  const migration = (
    await h.api.migrations.createMigration({
      fileName: "1_rbac.sql",
      content: THREE_STATEMENTS,
      engine: Engine.POSTGRESQL,
    })
  ).migration!;
  for (const kind of KINDS) {
    const [conn] = await store.db
      .select({ id: tables.connections.id, environmentId: tables.connections.environmentId })
      .from(tables.connections)
      .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
      .where(and(eq(tables.environments.name, ENV[kind]), eq(tables.connections.workspaceId, h.workspaceId)));
    const [run] = await store.db
      .insert(tables.runs)
      .values({
        workspaceId: h.workspaceId,
        migrationId: migration.id,
        environmentId: conn!.environmentId,
        connectionId: conn!.id,
        direction: "apply",
        state: "completed",
        correlationId: "golden",
        requestedBy: "golden",
      })
      .returning();
    const [transfer] = await store.db
      .insert(tables.transferJobs)
      .values({
        workspaceId: h.workspaceId,
        sourceConnectionId: conn!.id,
        targetConnectionId: conn!.id,
        environmentId: conn!.environmentId,
        options: {
          tables: [],
          batchRows: 0,
          create: false,
          onConflict: "fail",
          confirmTruncate: false,
          noKeyOk: false,
          acceptLoss: false,
          via: "",
        },
        state: "completed",
        trigger: "manual",
        correlationId: "golden",
        requestedBy: "golden",
      })
      .returning();
    fixtures.set(kind, { env: ENV[kind], runId: run!.id, migrationId: migration.id, transferId: transfer!.id });
  }
}, 60_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

describe("RBAC golden matrix", () => {
  test("golden.tsv has a row for every RPC × role × environment kind, and no other", async () => {
    const golden = readGolden();
    const expected = (await controlServices()).flatMap((s) =>
      s.methods.flatMap((m) => ROLES.flatMap((r) => KINDS.map((k) => `${rpcName(m)} ${r} ${k}`))),
    );
    const missing = expected.filter((key) => !golden.has(key));
    const unknown = [...golden.keys()].filter((key) => !expected.includes(key));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  test("every row holds against the real server, and every refusal is audited", async () => {
    const golden = readGolden();
    const before = (await listAudit(store.db, h.workspaceId, { limit: 1000, newest: true })).at(-1)?.seq ?? 0;
    const mismatches: string[] = [];
    let denied = 0;
    for (const service of await controlServices()) {
      for (const method of service.methods) {
        // One RPC's twelve cases at once: they are independent callers.
        const cases = ROLES.flatMap((role) => KINDS.map((kind) => ({ role, kind })));
        const results = await Promise.all(
          cases.map(async ({ role, kind }) => {
            const key = `${rpcName(method)} ${role} ${kind}`;
            const want = golden.get(key);
            const fixture = fixtures.get(kind);
            if (!want || !fixture) return undefined; // the row check above reports these
            const request = REQUESTS[rpcName(method)]?.(fixture) ?? {};
            const got = await call(transportFor(tokens.get(`${role} ${kind}`) ?? ""), method, request);
            return { key, want, got };
          }),
        );
        for (const r of results) {
          if (r === undefined) continue;
          if (r.got !== r.want) mismatches.push(`${r.key}: golden says ${r.want}, server says ${r.got}`);
          if (r.got === "permission_denied") denied++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    const records = [];
    for (let after = before; ; ) {
      const page = await listAudit(store.db, h.workspaceId, { afterSeq: after, limit: 1000 });
      records.push(...page);
      if (page.length < 1000) break;
      after = page.at(-1)?.seq ?? after;
    }
    expect(records.filter((r) => r.action === "access.denied").length).toBe(denied);
  }, 60_000);
});
