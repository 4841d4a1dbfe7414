import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { TokenKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { clientsFor, type Harness, startHarness } from "../test-harness.ts";
import { bootstrap, createApiToken, setGrant } from "./index.ts";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus() });
});
afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

/** The Connect code and message an RPC fails with. */
async function failure(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

describe("bootstrap", () => {
  test("creates workspace, admin and tokens once", async () => {
    const again = await bootstrap(store.db);
    expect(again).toEqual({ created: false, workspaceId: h.workspaceId });
    expect(h.adminToken).toMatch(/^mxt_[A-Za-z0-9_-]{43}$/);
    const stored = await store.db.select({ hash: tables.apiTokens.tokenHash }).from(tables.apiTokens);
    // Only hashes are stored, never the secrets.
    expect(stored.some((t) => t.hash.includes(h.adminToken) || t.hash.includes(h.agentToken))).toBe(false);
  });
});

describe("authentication", () => {
  test("WhoAmI resolves the bootstrap admin", async () => {
    const me = await h.api.identity.whoAmI({});
    const [ws] = await store.db.select().from(tables.workspaces);
    expect({ email: me.email, workspaceId: me.workspaceId, workspaceName: me.workspaceName }).toEqual({
      email: "admin@localhost",
      workspaceId: ws!.id,
      workspaceName: "default",
    });
  });

  test("missing, malformed and unknown tokens are unauthenticated", async () => {
    expect(await failure(clientsFor(h.control).identity.whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message: "missing Authorization: Bearer token",
    });
    expect(await failure(clientsFor(h.control, "abc").identity.whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message: "malformed bearer token: Migratrix tokens start with mxt_",
    });
    expect(await failure(clientsFor(h.control, `mxt_${"x".repeat(43)}`).environments.listEnvironments({}))).toEqual({
      code: "Unauthenticated",
      message: "unknown bearer token",
    });
  });

  test("an expired token is unauthenticated and the attempt is audited without the secret", async () => {
    const { token, secret } = await h.api.identity.createToken({ name: "short", ttlSeconds: 3600 });
    const me = await clientsFor(h.control, secret).identity.whoAmI({});
    expect(me.tokenId).toBe(token!.id);
    await store.db
      .update(tables.apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(tables.apiTokens.id, token!.id));
    const f = await failure(clientsFor(h.control, secret).identity.whoAmI({}));
    expect(f.code).toBe("Unauthenticated");
    expect(f.message).toStartWith("token short expired at ");
    const last = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).at(-1)!;
    expect({ actor: last.actor, action: last.action, detail: last.detail }).toEqual({
      actor: `token:${token!.id}`,
      action: "auth.denied",
      detail: { reason: "expired", via: "rpc migratrix.control.v1.IdentityService/WhoAmI", tokenName: "short" },
    });
    expect(JSON.stringify(last)).not.toContain(secret);
  });

  test("a revoked token is unauthenticated", async () => {
    const { token, secret } = await h.api.identity.createToken({ name: "to-revoke" });
    const client = clientsFor(h.control, secret);
    await client.identity.whoAmI({});
    await h.api.identity.revokeToken({ tokenId: token!.id });
    expect(await failure(client.identity.whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message: "token to-revoke was revoked",
    });
    const listed = (await h.api.identity.listTokens({})).tokens.find((t) => t.id === token!.id);
    expect(listed?.revokedAt).toBeDefined();
    expect(listed?.lastUsedAt).toBeDefined();
  });

  test("agent tokens cannot call the API", async () => {
    expect(await failure(clientsFor(h.control, h.agentToken).identity.whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message:
        "token local-agent is an agent token and cannot be used for rpc migratrix.control.v1.IdentityService/WhoAmI",
    });
  });

  test("an agent token made through the API is listed with its kind", async () => {
    const { token, secret } = await h.api.identity.createToken({ name: "agent-2", kind: TokenKind.AGENT });
    expect(secret).toStartWith("mxt_");
    expect({ name: token!.name, kind: token!.kind }).toEqual({ name: "agent-2", kind: TokenKind.AGENT });
  });

  test("errors in handlers keep their code; unknown ids are not_found", async () => {
    expect(await failure(h.api.identity.revokeToken({ tokenId: "nope" }))).toEqual({
      code: "NotFound",
      message: 'token "nope" not found',
    });
    expect(await failure(h.api.identity.revokeToken({ tokenId: crypto.randomUUID() }))).toMatchObject({
      code: "NotFound",
    });
  });
});

describe("roles and workspace data", () => {
  test("environments list in pipeline order; creating one needs admin and a unique, safe name", async () => {
    const created = await h.api.environments.createEnvironment({ name: "staging", position: 5, requiredApprovals: 1 });
    expect([created.environment?.name, created.environment?.requiredApprovals]).toEqual(["staging", 1]);
    const names = (await h.api.environments.listEnvironments({})).environments.map((e) => e.name);
    expect(names).toEqual(["dev", "qa", "prod", "empty", "staging"]);
    expect(await failure(h.api.environments.createEnvironment({ name: "staging", position: 6 }))).toEqual({
      code: "AlreadyExists",
      message: "environment staging already exists",
    });
    expect((await failure(h.api.environments.createEnvironment({ name: "a b", position: 6 }))).code).toBe(
      "InvalidArgument",
    );
  });

  test("a viewer may read but not change", async () => {
    const [user] = await store.db.insert(tables.users).values({ email: "viewer@localhost" }).returning();
    await store.db.insert(tables.memberships).values({ userId: user!.id, workspaceId: h.workspaceId, role: "member" });
    const [dev] = await store.db.select().from(tables.environments).where(eq(tables.environments.name, "dev"));
    await store.db.transaction((tx) =>
      setGrant(tx, {
        workspaceId: h.workspaceId,
        userId: user!.id,
        email: user!.email,
        environmentId: dev!.id,
        environment: "dev",
        role: "viewer",
        actor: "test",
        correlationId: "c",
      }),
    );
    const { secret } = await store.db.transaction((tx) =>
      createApiToken(tx, {
        workspaceId: h.workspaceId,
        userId: user!.id,
        name: "viewer",
        kind: "user",
        actor: "test",
        correlationId: "c",
      }),
    );
    const viewer = clientsFor(h.control, secret);
    expect((await viewer.environments.listEnvironments({})).environments.length).toBeGreaterThan(0);
    expect(await failure(viewer.environments.createEnvironment({ name: "x", position: 9 }))).toEqual({
      code: "PermissionDenied",
      message: "environment.create needs a workspace admin; viewer@localhost is a member (workspace default)",
    });
    expect(await failure(viewer.migrations.runMigration({ migrationId: "m", environment: "dev" }))).toEqual({
      code: "PermissionDenied",
      message:
        "migration.run needs admin or editor on environment dev (open); viewer@localhost has viewer there (workspace default)",
    });
    expect(await failure(viewer.identity.createToken({ name: "svc", kind: TokenKind.SERVICE }))).toMatchObject({
      code: "PermissionDenied",
    });
  });

  test("ListAudit pages through the workspace's hash chain", async () => {
    const first = (await h.api.audit.listAudit({ limit: 2 })).records;
    expect(first.map((r) => [r.seq, r.action, r.actor])).toEqual([
      [1n, "workspace.create", "control:bootstrap"],
      [2n, "member.add", "control:bootstrap"],
    ]);
    expect(first[0]?.prevHash).toBe("0".repeat(64));
    expect(first[1]?.prevHash).toBe(first[0]?.hash);
    const next = (await h.api.audit.listAudit({ limit: 1, afterSeq: 2n })).records;
    expect(next.map((r) => [r.seq, r.action, r.prevHash])).toEqual([[3n, "token.create", first[1]!.hash]]);
  });
});

describe("http surface", () => {
  test("/healthz reports store and bus", async () => {
    const res = await h.control.fetch(new Request("http://localhost/healthz"));
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 200,
      body: { status: "ok", store: "ok", bus: "ok", busKind: "memory" },
    });
  });

  test("/metrics counts RPCs by method and code", async () => {
    const text = await (await h.control.fetch(new Request("http://localhost/metrics"))).text();
    expect(text).toContain(
      'migratrix_rpc_requests_total{method="migratrix.control.v1.IdentityService/WhoAmI",code="unauthenticated"}',
    );
    expect(text).toContain(
      'migratrix_rpc_requests_total{method="migratrix.control.v1.IdentityService/WhoAmI",code="ok"}',
    );
    expect(text).toContain('migratrix_auth_denied_total{reason="missing"} 1');
    expect(text).toContain('migratrix_runs{state="pending"} 0');
  });

  test("unknown paths are 404", async () => {
    const res = await h.control.fetch(new Request("http://localhost/nope", { method: "POST" }));
    expect(res.status).toBe(404);
  });
});
