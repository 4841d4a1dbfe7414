// Workspaces, invites, login and grants through the real Connect services (PGlite store).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { IdentityService, WorkspaceKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";

let store: Store;
let h: Harness;
let url = "";

const clients = (token?: string) => {
  const transport = createConnectTransport({
    baseUrl: url,
    interceptors: [
      (next) => (req) => {
        if (token !== undefined) req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
  return { identity: createClient(IdentityService, transport), access: createClient(AccessService, transport) };
};
let admin: { identity: Client<typeof IdentityService>; access: Client<typeof AccessService> };

async function failure(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

/** The newest audit records of the default workspace, as (actor, action, environment, detail). */
async function lastAudit(n: number, workspaceId = h.workspaceId) {
  return (await listAudit(store.db, workspaceId, { limit: n, newest: true })).map((r) => ({
    actor: r.actor,
    action: r.action,
    environment: r.environment,
    detail: r.detail,
  }));
}

const PASSWORD = "correct horse battery";

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), passwordCost: { memoryCost: 1024, timeCost: 1 } });
  url = (await h.control.start(0)).url;
  admin = clients(h.adminToken);
}, 30_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

describe("invites and accounts", () => {
  test("an invite makes an account with its personal workspace, membership and grants", async () => {
    const { code } = await admin.access.invite({
      email: "Alice@Example.com",
      grants: [
        { environment: "dev", role: "editor" },
        { environment: "prod", role: "viewer" },
      ],
    });
    expect(code).toMatch(/^mxi_[A-Za-z0-9_-]{32}$/);
    const joined = await clients().identity.acceptInvite({ code, password: PASSWORD, name: "Alice" });
    const me = await clients(joined.secret).identity.whoAmI({});
    expect({ email: me.email, workspace: me.workspaceName, role: me.workspaceRole, grants: me.grants }).toEqual({
      email: "alice@example.com",
      workspace: "default",
      role: "member",
      grants: [
        { $typeName: "migratrix.control.v1.EnvironmentGrant", environment: "dev", role: "editor" },
        { $typeName: "migratrix.control.v1.EnvironmentGrant", environment: "prod", role: "viewer" },
      ],
    });
    const spaces = (await clients(joined.secret).identity.listWorkspaces({})).workspaces;
    expect(spaces.map((w) => [w.name, w.kind, w.role])).toEqual([
      ["default", WorkspaceKind.ORGANISATION, "member"],
      ["alice@example.com", WorkspaceKind.PERSONAL, "admin"],
    ]);
    expect(await failure(clients().identity.acceptInvite({ code, password: PASSWORD }))).toEqual({
      code: "Unauthenticated",
      message: "invite code was already used",
    });
    expect((await lastAudit(1))[0]).toEqual({
      actor: "invitee:alice@example.com",
      action: "auth.denied",
      environment: null,
      detail: { reason: "bad_invite", via: "rpc AcceptInvite", message: "invite code was already used" },
    });
  });

  test("a short password and an unknown code are refused", async () => {
    const { code } = await admin.access.invite({ email: "short@example.com" });
    expect(await failure(clients().identity.acceptInvite({ code, password: "short" }))).toEqual({
      code: "InvalidArgument",
      message: "password is too short: at least 10 characters",
    });
    expect(await failure(clients().identity.acceptInvite({ code: "mxi_nope", password: PASSWORD }))).toEqual({
      code: "Unauthenticated",
      message: "invite code is unknown",
    });
  });

  test("an existing account joins with its own password; a wrong one and a passwordless account are refused", async () => {
    const again = await admin.access.invite({
      email: "alice@example.com",
      grants: [{ environment: "qa", role: "viewer" }],
    });
    expect(await failure(clients().identity.acceptInvite({ code: again.code, password: "not her password" }))).toEqual({
      code: "Unauthenticated",
      message: "the password does not match the account alice@example.com",
    });
    expect((await lastAudit(1)).map((r) => [r.action, r.detail])).toEqual([
      ["auth.denied", { reason: "bad_credentials", via: "rpc AcceptInvite", email: "alice@example.com" }],
    ]);
    const joined = await clients().identity.acceptInvite({ code: again.code, password: PASSWORD });
    const me = await clients(joined.secret).identity.whoAmI({});
    expect(me.grants.map((g) => `${g.environment}:${g.role}`)).toEqual(["dev:editor", "qa:viewer", "prod:viewer"]);
    await admin.access.revokeGrant({ email: "alice@example.com", environment: "qa" });

    const takeover = await admin.access.invite({ email: "admin@localhost" });
    expect(await failure(clients().identity.acceptInvite({ code: takeover.code, password: PASSWORD }))).toEqual({
      code: "FailedPrecondition",
      message: "the account admin@localhost exists without a password: it cannot join by invite code",
    });
  });

  test("only workspace admins invite; the refusal is audited", async () => {
    const { secret } = await clients().identity.login({ email: "alice@example.com", password: PASSWORD });
    expect(await failure(clients(secret).access.invite({ email: "x@example.com" }))).toEqual({
      code: "PermissionDenied",
      message: "access.manage needs a workspace admin; alice@example.com is a member (workspace default)",
    });
    const me = await clients(secret).identity.whoAmI({});
    expect(await lastAudit(1)).toEqual([
      {
        actor: `user:${me.userId}`,
        action: "access.denied",
        environment: null,
        detail: { action: "access.manage", needs: "a workspace admin", has: "is a member", token: me.tokenId },
      },
    ]);
  });
});

describe("login", () => {
  test("email + password gives a token for the organisation workspace; a named one may be chosen", async () => {
    const res = await clients().identity.login({ email: "ALICE@example.com", password: PASSWORD, ttlSeconds: 3600 });
    expect([res.workspaceName, res.token?.name, res.secret.startsWith("mxt_")]).toEqual(["default", "login", true]);
    const personal = await clients().identity.login({
      email: "alice@example.com",
      password: PASSWORD,
      workspace: "alice@example.com",
    });
    expect(personal.workspaceName).toBe("alice@example.com");
    expect((await lastAudit(2, personal.workspaceId)).map((r) => r.action)).toEqual(["auth.login", "token.create"]);
  });

  test("a wrong password is refused with the same words as an unknown email, and audited", async () => {
    const wrong = await failure(clients().identity.login({ email: "alice@example.com", password: "nope-nope-nope" }));
    const unknown = await failure(clients().identity.login({ email: "ghost@example.com", password: PASSWORD }));
    expect([wrong, unknown]).toEqual([
      { code: "Unauthenticated", message: "email or password is wrong" },
      { code: "Unauthenticated", message: "email or password is wrong" },
    ]);
    const records = await listAudit(store.db, h.workspaceId, { limit: 1000 });
    const failed = records.filter((r) => r.action === "auth.denied" && r.detail.via === "rpc Login");
    expect(failed.map((r) => r.detail)).toEqual([
      { reason: "bad_credentials", via: "rpc Login", email: "alice@example.com" },
    ]);
  });

  test("a workspace the account is not in is refused", async () => {
    expect(
      await failure(clients().identity.login({ email: "alice@example.com", password: PASSWORD, workspace: "other" })),
    ).toEqual({ code: "Unauthenticated", message: "alice@example.com is no member of workspace other" });
  });
});

describe("grants", () => {
  test("admins set, replace and revoke roles per environment; each change is audited", async () => {
    const set = await admin.access.grant({ email: "alice@example.com", environment: "qa", role: "approver" });
    expect(set.member?.grants.map((g) => `${g.environment}:${g.role}`)).toEqual([
      "dev:editor",
      "qa:approver",
      "prod:viewer",
    ]);
    await admin.access.grant({ email: "alice@example.com", environment: "qa", role: "editor" });
    const after = await admin.access.revokeGrant({ email: "alice@example.com", environment: "qa" });
    expect(after.member?.grants.map((g) => `${g.environment}:${g.role}`)).toEqual(["dev:editor", "prod:viewer"]);
    expect((await lastAudit(3)).map((r) => [r.action, r.environment, r.detail])).toEqual([
      ["grant.set", "qa", { email: "alice@example.com", role: "approver", previous: null }],
      ["grant.set", "qa", { email: "alice@example.com", role: "editor", previous: "approver" }],
      ["grant.revoke", "qa", { email: "alice@example.com", role: "editor" }],
    ]);
    const listed = (await admin.access.listGrants({ environment: "prod" })).grants;
    expect(listed.map((g) => [g.email, g.environment, g.role])).toEqual([["alice@example.com", "prod", "viewer"]]);
  });

  test("unknown roles, members and environments are named", async () => {
    expect(
      await failure(admin.access.grant({ email: "alice@example.com", environment: "dev", role: "owner" })),
    ).toEqual({ code: "InvalidArgument", message: 'role "owner" is unknown: use admin, approver, editor, viewer' });
    expect(await failure(admin.access.grant({ email: "bob@example.com", environment: "dev", role: "viewer" }))).toEqual(
      {
        code: "NotFound",
        message: "bob@example.com is no member of this workspace",
      },
    );
    expect(
      await failure(admin.access.grant({ email: "alice@example.com", environment: "uat", role: "viewer" })),
    ).toEqual({ code: "NotFound", message: "environment uat not found" });
  });

  test("the bootstrap admin is admin everywhere without a grant; members list with their roles", async () => {
    const list = (await admin.access.listMembers({})).members.map((m) => [
      m.email,
      m.workspaceRole,
      m.grants.map((g) => `${g.environment}:${g.role}`),
    ]);
    expect(list).toEqual([
      ["admin@localhost", "admin", []],
      ["alice@example.com", "member", ["dev:editor", "prod:viewer"]],
    ]);
  });

  test("a new organisation workspace makes its creator admin there", async () => {
    const { secret } = await clients().identity.login({ email: "alice@example.com", password: PASSWORD });
    const created = await clients(secret).identity.createWorkspace({ name: "acme" });
    expect([created.workspace?.name, created.workspace?.kind, created.workspace?.role]).toEqual([
      "acme",
      WorkspaceKind.ORGANISATION,
      "admin",
    ]);
    expect(await failure(clients(secret).identity.createWorkspace({ name: "acme" }))).toEqual({
      code: "AlreadyExists",
      message: "workspace acme already exists",
    });
    const acme = await clients().identity.login({ email: "alice@example.com", password: PASSWORD, workspace: "acme" });
    const me = await clients(acme.secret).identity.whoAmI({});
    expect([me.workspaceName, me.workspaceRole]).toEqual(["acme", "admin"]);
  });
});
