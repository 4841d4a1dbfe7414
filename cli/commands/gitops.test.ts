// mx gitops link / show / sync / pr / log / unlink against a real control plane on a port-0 server,
// a real git repository on disk and the local GitHub API stand-in; the webhook goes over real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bus, createMemoryBus } from "../../bus/index.ts";
import { githubSignature } from "../../control/gitops/signature.ts";
import {
  createTestRepo,
  type GitHubStandIn,
  githubPushPayload,
  startGitHubStandIn,
  type TestRepo,
} from "../../control/gitops/testing.ts";
import {
  bootstrap,
  type ControlApp,
  createControlApp,
  openStore,
  type Store,
  silentLogger,
} from "../../control/index.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const home = mkdtempSync(join(tmpdir(), "mx-gitops-cli-"));
const SECRET = "cli-webhook-secret";
const TOKEN = "ghp_cli_token";
let store: Store;
let bus: Bus;
let control: ControlApp;
let server = "";
let adminToken = "";
let repo: TestRepo;
let standIn: GitHubStandIn;

beforeAll(async () => {
  store = await openStore({});
  bus = createMemoryBus();
  const boot = await bootstrap(store.db, { environments: [{ name: "dev", position: 1 }] });
  adminToken = boot.adminToken ?? "";
  control = await createControlApp({
    store,
    bus,
    streamPrefix: `GITCLI${Date.now()}`,
    log: silentLogger,
    gitops: { secretKey: "ab".repeat(32), cacheDir: join(home, "cache"), allowFileRemotes: true },
  });
  server = (await control.start(0)).url;
  repo = createTestRepo();
  standIn = startGitHubStandIn({ token: TOKEN, repo: "acme/app", baseSha: "b".repeat(40) });
  writeFileSync(join(home, "secret"), `${SECRET}\n`);
  writeFileSync(join(home, "token"), `${TOKEN}\n`);
}, 30_000);

afterAll(async () => {
  await control.stop();
  await bus.close();
  await store.close();
  await standIn.stop();
  repo.cleanup();
  rmSync(home, { recursive: true, force: true });
});

async function mx(args: string[]) {
  const io = captureIo({ env: { MIGRATRIX_HOME: home }, cwd: home });
  const code = await runCli([...args, "--server", server, "--token", adminToken], io);
  return { code, out: io.out(), err: io.err() };
}

describe("mx gitops", () => {
  test("link → webhook push → sync → log → pr → unlink", async () => {
    const linked = await mx([
      "gitops",
      "link",
      "app",
      "--url",
      repo.url,
      "--repo",
      "acme/app",
      "--dir",
      "db",
      "--api",
      standIn.url,
      "--secret-file",
      "secret",
      "--token-file",
      "token",
    ]);
    expect(linked.code).toBe(0);
    expect(linked.out).toBe(`linked app: ${repo.url} branch main directory db\n`);
    const path = /webhook path: (\S+)/.exec(linked.err)?.[1] ?? "";
    expect(path).toMatch(/^\/webhooks\/github\/[0-9a-f-]{36}$/);

    const shown = await mx(["gitops", "show", "--json"]);
    const doc = JSON.parse(shown.out) as { links: Record<string, unknown>[] };
    expect(doc.links.map((l) => [l.name, l.hasWebhookSecret, l.hasProviderToken, l.webhookPath])).toEqual([
      ["app", true, true, path],
    ]);
    expect(shown.out.includes(SECRET) || shown.out.includes(TOKEN)).toBe(false);

    // The provider's webhook, over real HTTP.
    repo.write("db/20260801000001_users.sql", "create table users (id int);\n");
    const sha = repo.commitAndPush("users", { name: "Admin", email: "admin@localhost" });
    const body = githubPushPayload({ after: sha });
    const hook = await fetch(`${server}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "cli-1",
        "x-hub-signature-256": githubSignature(SECRET, new TextEncoder().encode(body)),
      },
      body,
    });
    expect(hook.status).toBe(200);

    repo.write("db/20260801000002_teams.sql", "create table teams (id int);\n");
    repo.commitAndPush("teams", { name: "Admin", email: "admin@localhost" });
    const synced = await mx(["gitops", "sync", "app"]);
    expect({
      code: synced.code,
      rows: synced.out
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(/\s{2,}/)),
    }).toEqual({
      code: 0,
      rows: [
        ["db/20260801000001_users.sql", "20260801000001_users", "unchanged", "admin@localhost"],
        ["db/20260801000002_teams.sql", "20260801000002_teams", "created", "admin@localhost"],
      ],
    });

    const log = await mx(["gitops", "log", "app", "--json"]);
    const events = (JSON.parse(log.out) as { events: { kind: string; summary: string }[] }).events;
    expect(events.map((e) => [e.kind, e.summary])).toEqual([
      ["sync", "1 created, 1 unchanged"],
      ["sync", "1 created"],
      ["link", `linked github ${repo.url} branch main directory db`],
    ]);

    writeFileSync(join(home, "20260801000003_roles.sql"), "create table roles (id int);");
    const pr = await mx(["gitops", "pr", "app", "20260801000003_roles.sql"]);
    expect({ code: pr.code, out: pr.out }).toEqual({ code: 0, out: "https://github.com/acme/app/pull/1\n" });
    expect(standIn.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /repos/acme/app/git/ref/heads/main",
      "POST /repos/acme/app/git/refs",
      "PUT /repos/acme/app/contents/db/20260801000003_roles.sql",
      "POST /repos/acme/app/pulls",
    ]);

    expect((await mx(["gitops", "unlink", "app"])).out).toBe("unlinked app\n");
    expect((await mx(["gitops", "show"])).out).toBe("no linked repositories\n");
  }, 30_000);

  test("a sync that is refused exits 1 and says nothing was applied", async () => {
    const r2 = createTestRepo();
    try {
      await mx(["gitops", "link", "plain", "--provider", "git", "--url", r2.url, "--dir", "m"]);
      r2.write("m/20260901000001_bad.sql", "select 'oops;\n");
      r2.commitAndPush("bad", { name: "X", email: "x@example.com" });
      const res = await mx(["gitops", "sync", "plain"]);
      expect({ code: res.code, out: res.out.includes("m/20260901000001_bad.sql:1:8"), err: res.err }).toEqual({
        code: 1,
        out: true,
        err: expect.stringContaining("was applied: fix the files above and push again"),
      });
    } finally {
      r2.cleanup();
    }
  });
});
