// mx invite / join / login / grant / members / audit verify|export / logout against a real control
// plane (PGlite store, in-process bus) on a port-0 server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { sql } from "drizzle-orm";
import { type Bus, createMemoryBus } from "../../bus/index.ts";
import {
  bootstrap,
  type ControlApp,
  createControlApp,
  openStore,
  type Store,
  silentLogger,
} from "../../control/index.ts";
import { IdentityService } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";
import { parseGrants, parseSince } from "./access.ts";

const home = mkdtempSync(join(tmpdir(), "mx-access-"));
let store: Store;
let bus: Bus;
let control: ControlApp;
let server = "";
let adminToken = "";

beforeAll(async () => {
  store = await openStore({});
  bus = createMemoryBus();
  const boot = await bootstrap(store.db, {
    environments: [
      { name: "dev", position: 1 },
      { name: "prod", position: 2, requiredApprovals: 2, protected: true },
    ],
  });
  adminToken = boot.adminToken ?? "";
  control = await createControlApp({
    store,
    bus,
    streamPrefix: `ACC${Date.now()}`,
    log: silentLogger,
    passwordCost: { memoryCost: 1024, timeCost: 1 },
  });
  server = (await control.start(0)).url;
}, 30_000);

afterAll(async () => {
  await control.stop();
  await bus.close();
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

/** Runs mx as a person whose credentials live under `home`; `as` adds --token. */
async function mx(args: string[], opts: { as?: string; password?: string } = {}) {
  const io = captureIo({
    env: { MIGRATRIX_HOME: home, ...(opts.password === undefined ? {} : { MIGRATRIX_PASSWORD: opts.password }) },
  });
  const token = opts.as === undefined ? [] : ["--token", opts.as];
  const code = await runCli([...args, "--server", server, ...token], io);
  return { code, out: io.out(), err: io.err() };
}

describe("people from the command line", () => {
  test("invite → join → whoami with the saved token; the credentials file is private", async () => {
    const invited = await mx(["invite", "carol@example.com", "--grant", "dev=editor,prod=viewer"], { as: adminToken });
    expect(invited.code).toBe(0);
    const code = invited.out.trim();
    expect(code).toMatch(/^mxi_/);
    expect(invited.err).toContain(`they run 'mx join ${code}'`);

    const joined = await mx(["join", code], { password: "correct horse battery" });
    expect({ code: joined.code, out: joined.out }).toEqual({
      code: 0,
      out: "joined workspace default as carol@example.com\n  editor on dev\n  viewer on prod\n",
    });
    const file = join(home, "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(file, "utf8")))).toEqual([server]);

    const me = await mx(["whoami", "--json"]);
    const { email, workspaceRole, grants } = JSON.parse(me.out) as Record<string, unknown>;
    expect({ email, workspaceRole, grants }).toEqual({
      email: "carol@example.com",
      workspaceRole: "member",
      grants: [
        { environment: "dev", role: "editor" },
        { environment: "prod", role: "viewer" },
      ],
    });
  });

  test("a member cannot grant; an admin grants and lists", async () => {
    const refused = await mx(["grant", "carol@example.com", "approver", "--env", "prod"]);
    expect({ code: refused.code, err: refused.err }).toEqual({
      code: 1,
      err: "error: access.manage needs a workspace admin; carol@example.com is a member (workspace default) (permission_denied)\n",
    });
    const granted = await mx(["grant", "carol@example.com", "approver", "--env", "prod"], { as: adminToken });
    expect({ code: granted.code, out: granted.out }).toEqual({
      code: 0,
      out: "carol@example.com is now approver on prod\n",
    });
    const list = await mx(["grant", "list", "--json"], { as: adminToken });
    expect(
      (JSON.parse(list.out) as { grants: { email: string; environment: string; role: string }[] }).grants.map(
        (g) => `${g.environment} ${g.email} ${g.role}`,
      ),
    ).toEqual(["dev carol@example.com editor", "prod carol@example.com approver"]);
    const members = await mx(["members"], { as: adminToken });
    expect(members.out.split("\n").slice(1)).toEqual([
      "admin@localhost    admin      (all)",
      "carol@example.com  member     dev:editor prod:approver",
      "",
    ]);
  });

  test("login with a wrong password fails; the right one replaces the saved token", async () => {
    const wrong = await mx(["login", "carol@example.com"], { password: "not the password" });
    expect({ code: wrong.code, err: wrong.err }).toEqual({
      code: 1,
      err: "error: email or password is wrong (unauthenticated)\n",
    });
    const ok = await mx(["login", "carol@example.com"], { password: "correct horse battery" });
    expect({ code: ok.code, out: ok.out }).toEqual({
      code: 0,
      out: "signed in as carol@example.com to workspace default\n",
    });
  });

  test("audit verify and export; a tampered record is named and exits 1", async () => {
    const out = join(home, "audit.csv");
    const exported = await mx(["audit", "export", "--format", "csv", "--output", out], { as: adminToken });
    expect(exported.code).toBe(0);
    const lines = readFileSync(out, "utf8").split("\r\n");
    expect(lines[0]).toBe("seq,at,actor,action,environment,target,correlation_id,detail,sql_sha256,prev_hash,hash");
    expect(exported.err).toBe(`wrote ${lines.length - 2} records to ${out}\n`);
    const denied = await mx(["audit", "export"]);
    expect(denied.code).toBe(1);

    expect((await mx(["audit", "verify"])).out).toMatch(/^ok: \d+ records verified\n$/);
    await store.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await store.db.execute(sql`update audit_log set action = 'nothing.happened' where seq = 4`);
    await store.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    const broken = await mx(["audit", "verify"]);
    expect(broken).toEqual({
      code: 1,
      out: "broken at record 4: content does not match its hash (3 records before it verified)\n",
      err: "",
    });
  });

  test("logout revokes the token and forgets it", async () => {
    const saved = JSON.parse(readFileSync(join(home, "credentials.json"), "utf8"))[server].token as string;
    const res = await mx(["logout"]);
    expect(res.code).toBe(0);
    expect((await mx(["whoami"], { as: saved })).err).toMatch(/^error: token login was revoked \(unauthenticated\)\n/);
    expect(JSON.parse(readFileSync(join(home, "credentials.json"), "utf8"))).toEqual({});
  });
});

describe("chat accounts from the command line", () => {
  test("mx link → a bot links the chat account → mx chat list shows it → mx chat unlink removes it", async () => {
    const botRes = await mx(["token", "create", "slack", "--kind", "bot", "--json"], { as: adminToken });
    const botSecret = (JSON.parse(botRes.out) as { secret: string }).secret;
    const linked = await mx(["link"], { as: adminToken });
    const code = linked.out.trim();
    expect({ exit: linked.code, code, note: linked.err }).toEqual({
      exit: 0,
      code: expect.stringMatching(/^mxl-\w{4}-\w{4}$/),
      note: expect.stringContaining(`send "/migratrix link ${code}" to the Migratrix bot`),
    });
    const bot = createClient(
      IdentityService,
      createConnectTransport({
        baseUrl: server,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${botSecret}`);
            req.header.set("mx-chat-user", "slack:T9:U_ADMIN");
            return next(req);
          },
        ],
      }),
    );
    await bot.linkChatIdentity({ code, displayName: "@admin" });
    const list = await mx(["chat", "list", "--json"], { as: adminToken });
    const identities = (JSON.parse(list.out) as { identities: Record<string, string>[] }).identities;
    expect(identities.map((i) => [i.platform, i.tenant, i.chatUserId, i.displayName])).toEqual([
      ["slack", "T9", "U_ADMIN", "@admin"],
    ]);
    const id = identities[0]?.id ?? "";
    expect(await mx(["chat", "unlink", id], { as: adminToken })).toEqual({
      code: 0,
      out: `unlinked chat account ${id}\n`,
      err: "",
    });
    expect((await mx(["chat", "list"], { as: adminToken })).out).toContain("no linked chat accounts: run mx link");
  });
});

describe("argument helpers", () => {
  test("--grant and --since", () => {
    expect(parseGrants("dev=editor, prod=viewer")).toEqual([
      { environment: "dev", role: "editor" },
      { environment: "prod", role: "viewer" },
    ]);
    expect(() => parseGrants("dev:editor")).toThrow("--grant wants ENV=ROLE[,ENV=ROLE…], got 'dev:editor'");
    const now = new Date("2026-02-01T00:00:00Z");
    expect(parseSince("24h", now).seconds).toBe(BigInt(Date.parse("2026-01-31T00:00:00Z") / 1000));
    expect(parseSince("2026-01-15T12:00:00Z", now).seconds).toBe(BigInt(Date.parse("2026-01-15T12:00:00Z") / 1000));
    expect(() => parseSince("yesterday", now)).toThrow("--since must be an ISO time");
  });
});
