// GitOps through the real control plane (PGlite store, in-process bus, HTTP webhook route) with
// real git repositories on disk and a local stand-in for the GitHub REST API: signatures, redelivery,
// push → migrations (all or nothing), edits of applied files, parse errors, pull requests, and one
// end-to-end push → webhook → migration → auto promotion → Completed on a simulated agent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { migrationChecksum } from "../../engines/migration/checksum.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { FileOutcome, GitOpsService, GitProvider } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { listAudit, verifyChain } from "../audit/index.ts";
import { addPerson, execute, flowClient } from "../flows/testing.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { type Harness, jobInbox, type SimulatedAgent, simulatedAgent, startHarness } from "../test-harness.ts";
import { githubSignature } from "./signature.ts";
import { createTestRepo, githubPushPayload, startGitHubStandIn, type TestRepo } from "./testing.ts";

const KEY = "42".repeat(32);
const SECRET = "webhook-secret-for-tests";
const TOKEN = "ghp_testtoken0123456789";
let store: Store;
let h: Harness;
let cacheDir: string;
let agent: SimulatedAgent;
let inbox: Awaited<ReturnType<typeof jobInbox>>;
const repos: TestRepo[] = [];

function gitopsClient(token: string) {
  return createClient(
    GitOpsService,
    createConnectTransport({
      baseUrl: "http://localhost",
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ],
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        h.control.fetch(
          input instanceof Request ? new Request(input, init) : new Request(String(input), init),
        )) as typeof globalThis.fetch,
    }),
  );
}

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

let n = 0;
/** A new repository and a GitHub link to it; returns both and the link's webhook path. */
async function linked(opts: { autoPromoteFlow?: string } = {}) {
  const repo = createTestRepo();
  repos.push(repo);
  const name = `repo${++n}`;
  const res = await gitopsClient(h.adminToken).linkRepository({
    name,
    provider: GitProvider.GITHUB,
    cloneUrl: repo.url,
    repository: "acme/db",
    branch: "main",
    directory: "db/migrations",
    engine: Engine.POSTGRESQL,
    webhookSecret: SECRET,
    providerToken: TOKEN,
    autoPromoteFlow: opts.autoPromoteFlow ?? "",
  });
  return { repo, name, path: res.link?.webhookPath ?? "", link: res.link };
}

let deliveries = 0;
async function deliver(
  path: string,
  body: string,
  opts: { signature?: string | null; delivery?: string; event?: string } = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": opts.event ?? "push",
    "x-github-delivery": opts.delivery ?? `d-${++deliveries}`,
  };
  const sig = opts.signature === undefined ? githubSignature(SECRET, new TextEncoder().encode(body)) : opts.signature;
  if (sig !== null) headers["x-hub-signature-256"] = sig;
  const res = await h.control.fetch(new Request(`http://localhost${path}`, { method: "POST", headers, body }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function migrationsOf(ids: readonly string[]) {
  const rows = await store.db.select().from(tables.migrations).where(eq(tables.migrations.workspaceId, h.workspaceId));
  return rows
    .filter((m) => ids.includes(m.id))
    .map((m) => ({ id: m.id, checksum: m.checksum, createdBy: m.createdBy, statements: m.statements }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

async function auditActions(since: number) {
  const rows = await listAudit(store.db, h.workspaceId, { afterSeq: since, limit: 1000 });
  return rows.map((r) => r.action);
}

async function lastSeq() {
  const rows = await listAudit(store.db, h.workspaceId, { limit: 100_000 });
  return rows.at(-1)?.seq ?? 0;
}

const UP1 = "-- UP\ncreate table accounts (id int primary key);\n-- DOWN\ndrop table accounts;\n";
const UP2 =
  "create table orders (id int primary key, account int);\ncreate index orders_account on orders (account);\n";
const ALICE = { name: "Alice", email: "alice@example.com" };
const STRANGER = { name: "Someone", email: "someone@elsewhere.org" };

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), "mx-gitops-cache-"));
  store = await openStore({});
  h = await startHarness({
    store,
    bus: createMemoryBus(),
    gitops: { secretKey: KEY, cacheDir, allowFileRemotes: true },
    reaperIntervalMs: 60_000,
  });
  agent = simulatedAgent(h, "g1");
  await agent.announce([{ name: "main", environment: "dev" }]);
  inbox = await jobInbox(h, "g1");
  await addPerson(h, ALICE.email, { dev: "editor" });
}, 30_000);

afterAll(async () => {
  await inbox.stop();
  await h.close();
  await h.bus.close();
  await store.close();
  for (const r of repos) r.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("repository links", () => {
  test("the secrets are stored encrypted and never returned", async () => {
    const { name, link } = await linked();
    const [row] = await store.db.select().from(tables.gitopsLinks).where(eq(tables.gitopsLinks.name, name));
    const listed = (await gitopsClient(h.adminToken).listRepositories({})).links.find((l) => l.name === name);
    expect({
      webhookSecretStored: row?.webhookSecretEnc?.includes(SECRET),
      tokenStored: row?.providerTokenEnc?.includes(TOKEN),
      sealed: [row?.webhookSecretEnc?.startsWith("v1:"), row?.providerTokenEnc?.startsWith("v1:")],
      listed: { has: [listed?.hasWebhookSecret, listed?.hasProviderToken], path: listed?.webhookPath },
      leaks: Object.values(listed ?? {}).some(
        (v) => typeof v === "string" && (v.includes(SECRET) || v.includes(TOKEN)),
      ),
    }).toEqual({
      webhookSecretStored: false,
      tokenStored: false,
      sealed: [true, true],
      listed: { has: [true, true], path: `/webhooks/github/${link?.id}` },
      leaks: false,
    });
  });

  test("only workspace admins link; editors are refused", async () => {
    const eve = await addPerson(h, "eve@example.com", { dev: "editor" });
    expect(
      await failure(
        gitopsClient(eve.token).linkRepository({
          name: "x",
          provider: GitProvider.GIT,
          cloneUrl: "file:///tmp/x",
          engine: Engine.POSTGRESQL,
        }),
      ),
    ).toEqual({ code: "PermissionDenied", message: expect.stringContaining("gitops.manage") });
  });

  test.each([
    ["an option-like clone URL", { cloneUrl: "--upload-pack=touch /tmp/x" }, /clone URL/],
    ["ext:: transport", { cloneUrl: "ext::sh -c touch% /tmp/pwned" }, /clone URL/],
    ["a bad branch", { branch: "-x" }, /branch/],
    ["a directory escaping the repository", { directory: "../etc" }, /directory/],
    ["a GitHub link without a webhook secret", { webhookSecret: "" }, /webhook secret/],
  ])("refuses %s", async (_name, change, message) => {
    const res = await failure(
      gitopsClient(h.adminToken).linkRepository({
        name: "bad",
        provider: GitProvider.GITHUB,
        cloneUrl: "file:///tmp/none.git",
        repository: "acme/db",
        engine: Engine.POSTGRESQL,
        webhookSecret: SECRET,
        ...change,
      }),
    );
    expect(res).toEqual({ code: "InvalidArgument", message: expect.stringMatching(message) });
  });
});

describe("webhook signatures", () => {
  test("valid → synced; bad, missing → 401 and audited; replayed → no-op", async () => {
    const { repo, path, name } = await linked();
    repo.write("db/migrations/20260101000001_sig.sql", UP1);
    const sha = repo.commitAndPush("sig", ALICE);
    const body = githubPushPayload({ after: sha });
    const before = await lastSeq();

    const bad = await deliver(path, body, {
      signature: githubSignature("wrong-secret", new TextEncoder().encode(body)),
    });
    const missing = await deliver(path, body, { signature: null });
    const tampered = await deliver(path, body.replace(sha, "f".repeat(40)), {
      signature: githubSignature(SECRET, new TextEncoder().encode(body)),
    });
    const ok = await deliver(path, body, { delivery: "sig-1" });
    const replay = await deliver(path, body, { delivery: "sig-1" });
    expect([bad, missing, tampered].map((r) => [r.status, r.body])).toEqual([
      [401, { error: "signature mismatch" }],
      [401, { error: "signature missing" }],
      [401, { error: "signature mismatch" }],
    ]);
    expect({ ok: ok.status, applied: ok.body.applied, replay }).toEqual({
      ok: 200,
      applied: true,
      replay: { status: 200, body: { duplicate: true, delivery: "sig-1" } },
    });
    expect(await auditActions(before)).toEqual([
      "gitops.webhook.rejected",
      "gitops.webhook.rejected",
      "gitops.webhook.rejected",
      "migration.create",
      "gitops.sync",
    ]);
    expect(await verifyChain(store.db, h.workspaceId)).toBeNull();
    const log = await gitopsClient(h.adminToken).listGitOpsEvents({ name, limit: 5 });
    expect(log.events.map((e) => [e.kind, e.summary])).toEqual([
      ["webhook.duplicate", "delivery sig-1 seen before: skipped"],
      ["sync", "1 created"],
      ["webhook.rejected", "webhook refused: signature mismatch (delivery d-3)"],
      ["webhook.rejected", "webhook refused: signature missing (delivery d-2)"],
      ["webhook.rejected", "webhook refused: signature mismatch (delivery d-1)"],
    ]);
  });

  test("an unreachable remote: the sync fails as unavailable, is logged, and nothing is stored", async () => {
    const client = gitopsClient(h.adminToken);
    await client.linkRepository({
      name: "gone",
      provider: GitProvider.GIT,
      cloneUrl: "file:///nonexistent/mx-gitops-gone.git",
      engine: Engine.POSTGRESQL,
    });
    const res = await failure(client.syncRepository({ name: "gone" }));
    const [event] = (await client.listGitOpsEvents({ name: "gone", limit: 1 })).events;
    expect({
      code: res.code,
      message: res.message.startsWith("git fetch of main from file:///nonexistent"),
      event: event?.kind,
    }).toEqual({
      code: "Unavailable",
      message: true,
      event: "sync.failed",
    });
  });

  test("the same delivery arriving twice at once is synced once", async () => {
    const { repo, path } = await linked();
    repo.write("db/migrations/20260102000001_race.sql", UP1.replace("accounts", "race"));
    const body = githubPushPayload({ after: repo.commitAndPush("race", ALICE) });
    const before = await lastSeq();
    const both = await Promise.all([
      deliver(path, body, { delivery: "race-1" }),
      deliver(path, body, { delivery: "race-1" }),
    ]);
    expect(both.map((r) => [r.status, r.body.duplicate]).sort()).toEqual([
      [200, false],
      [200, true],
    ]);
    expect(await auditActions(before)).toEqual(["migration.create", "gitops.sync"]);
  });

  test("a ping is answered, other branches and events are ignored, unknown links are 404", async () => {
    const { repo, path } = await linked();
    const sha = repo.commitAndPush("empty", ALICE);
    expect([
      await deliver(path, JSON.stringify({ zen: "hi" }), { event: "ping" }),
      await deliver(path, githubPushPayload({ after: sha, ref: "refs/heads/feature" })),
      await deliver(path, JSON.stringify({ action: "opened" }), { event: "issues" }),
      await deliver(`/webhooks/github/${crypto.randomUUID()}`, githubPushPayload({ after: sha })),
    ]).toEqual([
      { status: 200, body: { ok: true, ping: true } },
      { status: 202, body: { ignored: "refs/heads/feature is not main" } },
      { status: 202, body: { ignored: "event issues is not synced" } },
      { status: 404, body: { error: "no such repository link" } },
    ]);
  });
});

describe("push → migrations", () => {
  test("two new files (.sql, .migration) → two migrations with their checksums; the same push again → nothing new", async () => {
    const { repo, path, name } = await linked();
    repo.write("db/migrations/20260201000001_accounts.sql", UP1);
    repo.commitAndPush("accounts", ALICE);
    // Both extensions the file format allows.
    repo.write("db/migrations/20260201000002_orders.migration", UP2);
    repo.write("db/migrations/README.md", "not a migration");
    repo.write("elsewhere/20260201000003_ignored.sql", UP2);
    const sha = repo.commitAndPush("orders", STRANGER);
    const first = await deliver(path, githubPushPayload({ after: sha }));
    const ids = ["20260201000001_accounts", "20260201000002_orders", "20260201000003_ignored"] as const;
    const stored = await migrationsOf(ids);
    const before = await lastSeq();
    const again = await deliver(path, githubPushPayload({ after: sha }));
    expect(first).toEqual({
      status: 200,
      body: {
        commit: sha,
        applied: true,
        duplicate: false,
        promotions: [],
        files: [
          {
            path: "db/migrations/20260201000001_accounts.sql",
            migrationId: ids[0],
            outcome: "created",
            checksum: migrationChecksum(UP1),
            message: "",
            author: ALICE.email,
          },
          {
            path: "db/migrations/20260201000002_orders.migration",
            migrationId: ids[1],
            outcome: "created",
            checksum: migrationChecksum(UP2),
            message: "",
            author: `gitops:${name}`,
          },
        ],
      },
    });
    expect(stored).toEqual([
      { id: ids[0], checksum: migrationChecksum(UP1), createdBy: ALICE.email, statements: 1 },
      { id: ids[1], checksum: migrationChecksum(UP2), createdBy: `gitops:${name}`, statements: 2 },
    ]);
    // A new delivery of the same commit: every file unchanged, no migration record.
    expect({
      status: again.status,
      outcomes: (again.body.files as { outcome: string }[]).map((f) => f.outcome),
    }).toEqual({
      status: 200,
      outcomes: ["unchanged", "unchanged"],
    });
    expect(await auditActions(before)).toEqual(["gitops.sync"]);
  });

  test("a file that does not parse → reported at path:line:column and nothing of the push is stored", async () => {
    const { repo, path } = await linked();
    repo.write("db/migrations/20260301000001_good.sql", UP1.replace("accounts", "good"));
    repo.write(
      "db/migrations/20260301000002_broken.sql",
      "-- UP\ncreate table broken (id int);\nselect 'unterminated;\n-- DOWN\ndrop table broken;\n",
    );
    const sha = repo.commitAndPush("broken", ALICE);
    const before = await lastSeq();
    const res = await deliver(path, githubPushPayload({ after: sha }));
    const files = res.body.files as { path: string; outcome: string; message: string }[];
    expect({ status: res.status, applied: res.body.applied, outcomes: files.map((f) => [f.path, f.outcome]) }).toEqual({
      status: 422,
      applied: false,
      outcomes: [
        ["db/migrations/20260301000001_good.sql", "created"],
        ["db/migrations/20260301000002_broken.sql", "invalid"],
      ],
    });
    expect(files[1]?.message).toMatch(/^db\/migrations\/20260301000002_broken\.sql:3:8: /);
    expect(await migrationsOf(["20260301000001_good", "20260301000002_broken"])).toEqual([]);
    expect(await auditActions(before)).toEqual(["gitops.sync.refused"]);
  });

  test("a changed file of a migration that never ran → new checksum, votes on the old one void", async () => {
    const { repo, path } = await linked();
    const file = "db/migrations/20260401000001_edit.sql";
    repo.write(file, UP1.replace("accounts", "edits"));
    await deliver(path, githubPushPayload({ after: repo.commitAndPush("v1", ALICE) }));
    // A vote on the first version, on a stage that needs one.
    const flows = flowClient(h, h.adminToken);
    await flows.createFlow({
      name: "votes",
      stages: [{ environment: "dev", connections: ["main"], policy: StagePolicy.MANUAL, requiredApprovals: 1 }],
    });
    await flows.approve({ flow: "votes", migrationId: "20260401000001_edit", stage: "dev" });
    const votes = async () =>
      (await flows.getFlow({ name: "votes", migrationId: "20260401000001_edit" })).stages.map((st) => [
        st.approvals,
        st.votes.map((v) => v.valid),
      ]);
    const votedBefore = await votes();
    const edited = UP1.replace("accounts", "edits").replace("id int primary key", "id bigint primary key");
    repo.write(file, edited);
    const before = await lastSeq();
    const res = await deliver(path, githubPushPayload({ after: repo.commitAndPush("v2", ALICE) }));
    expect({
      status: res.status,
      outcome: (res.body.files as { outcome: string }[])[0]?.outcome,
      stored: await migrationsOf(["20260401000001_edit"]),
      audit: await auditActions(before),
    }).toEqual({
      status: 200,
      outcome: "updated",
      stored: [
        { id: "20260401000001_edit", checksum: migrationChecksum(edited), createdBy: ALICE.email, statements: 1 },
      ],
      audit: ["migration.update", "gitops.sync"],
    });
    expect({ before: votedBefore, after: await votes() }).toEqual({ before: [[1, [true]]], after: [[0, [false]]] });
  });

  test("a deleted file whose migration never ran → the migration is removed", async () => {
    const { repo, path } = await linked();
    repo.write("db/migrations/20260451000001_keep.sql", UP1.replace("accounts", "keep"));
    repo.write("db/migrations/20260451000002_gone.sql", UP1.replace("accounts", "gone"));
    await deliver(path, githubPushPayload({ after: repo.commitAndPush("two", ALICE) }));
    repo.remove("db/migrations/20260451000002_gone.sql");
    const before = await lastSeq();
    const res = await deliver(path, githubPushPayload({ after: repo.commitAndPush("rm", ALICE) }));
    expect({
      status: res.status,
      outcomes: (res.body.files as { migrationId: string; outcome: string }[]).map((f) => [f.migrationId, f.outcome]),
      stored: (await migrationsOf(["20260451000001_keep", "20260451000002_gone"])).map((m) => m.id),
      audit: await auditActions(before),
    }).toEqual({
      status: 200,
      outcomes: [
        ["20260451000001_keep", "unchanged"],
        ["20260451000002_gone", "removed"],
      ],
      stored: ["20260451000001_keep"],
      audit: ["migration.delete", "gitops.sync"],
    });
  });

  test("SyncRepository reads the branch head; the changes log lists the syncs", async () => {
    const { repo, name } = await linked();
    repo.write("db/migrations/20260501000001_rpc.sql", UP1.replace("accounts", "rpc_sync"));
    const sha = repo.commitAndPush("rpc", ALICE);
    const client = gitopsClient(h.adminToken);
    const res = await client.syncRepository({ name });
    const log = await client.listGitOpsEvents({ name });
    expect({
      commit: res.report?.commit,
      applied: res.report?.applied,
      files: res.report?.files.map((f) => [f.migrationId, FileOutcome[f.outcome]]),
      log: log.events.map((e) => [e.kind, e.commit, e.summary]),
    }).toEqual({
      commit: sha,
      applied: true,
      files: [["20260501000001_rpc", "CREATED"]],
      log: [
        ["sync", sha, "1 created"],
        ["link", "", `linked github ${repo.url} branch main directory db/migrations`],
      ],
    });
  });
});

describe("end to end: push → webhook → migration → flow → Completed", () => {
  test("a pushed file runs on dev through the auto stage; editing it afterwards is refused with the whole push", async () => {
    await flowClient(h, h.adminToken).createFlow({
      name: "git",
      stages: [{ environment: "dev", connections: ["main"], policy: StagePolicy.AUTO }],
    });
    const { repo, path, name } = await linked({ autoPromoteFlow: "git" });
    const file = "db/migrations/20260601000001_e2e.sql";
    const content = UP1.replace(/accounts/g, "e2e");
    repo.write(file, content);
    const res = await deliver(path, githubPushPayload({ after: repo.commitAndPush("e2e", ALICE) }));
    expect({ status: res.status, promotions: res.body.promotions }).toEqual({
      status: 200,
      promotions: ["20260601000001_e2e: promoted to dev (1 run)"],
    });
    const { job } = await inbox.next();
    expect({ connection: job.connection, requestedBy: job.requestedBy, kind: job.kind.case }).toEqual({
      connection: "dev/main",
      requestedBy: ALICE.email,
      kind: "apply",
    });
    expect(await execute(h, agent, job, { statements: 1 })).toBe("completed");
    const stage = await flowClient(h, h.adminToken).getFlow({ name: "git", migrationId: "20260601000001_e2e" });
    expect(stage.stages.map((s) => [s.environment, s.state])).toEqual([["dev", 4]]);

    // Edit the applied file and add a new one in the same push: refused as a whole, audited.
    repo.write(file, content.replace("id int", "id bigint"));
    repo.write("db/migrations/20260601000002_more.sql", UP2.replace(/orders/g, "more"));
    const before = await lastSeq();
    const refused = await deliver(path, githubPushPayload({ after: repo.commitAndPush("edit", ALICE) }));
    const files = refused.body.files as { migrationId: string; outcome: string; message: string }[];
    expect({
      status: refused.status,
      outcomes: files.map((f) => [f.migrationId, f.outcome]),
      more: await migrationsOf(["20260601000002_more"]),
      checksum: (await migrationsOf(["20260601000001_e2e"]))[0]?.checksum,
      audit: await auditActions(before),
    }).toEqual({
      status: 422,
      outcomes: [
        ["20260601000001_e2e", "refused"],
        ["20260601000002_more", "created"],
      ],
      more: [],
      checksum: migrationChecksum(content),
      audit: ["gitops.sync.refused"],
    });
    expect(files[0]?.message).toMatch(/edited after it was applied \(dev \(completed\)\)/);
    const [rec] = await listAudit(store.db, h.workspaceId, { afterSeq: before, limit: 1 });
    expect(rec?.target).toBe(`gitops:${name}`);

    // Deleting the applied file archives its migration; the new file of the same push is created.
    repo.remove(file);
    const seq = await lastSeq();
    const deleted = await deliver(path, githubPushPayload({ after: repo.commitAndPush("delete", ALICE) }));
    const [archived] = await store.db
      .select({ name: tables.migrations.name })
      .from(tables.migrations)
      .where(eq(tables.migrations.id, "20260601000001_e2e"));
    expect({
      status: deleted.status,
      outcomes: (deleted.body.files as { migrationId: string; outcome: string }[]).map((f) => [
        f.migrationId,
        f.outcome,
      ]),
      archived: archived?.name,
      audit: await auditActions(seq),
    }).toEqual({
      status: 200,
      outcomes: [
        ["20260601000002_more", "created"],
        ["20260601000001_e2e", "archived"],
      ],
      archived: "[ARCHIVED] e2e",
      // Entering the flow generates the down script of a migration without -- DOWN (issue 5).
      audit: [
        "migration.create",
        "migration.archive",
        "gitops.sync",
        "flow.enter",
        "rollback.generate",
        "run.pending",
        "stage.in_progress",
      ],
    });
  }, 30_000);
});

describe("pull requests from the platform", () => {
  test("branch, commit and PR through the GitHub API with the expected requests", async () => {
    const { name } = await linked();
    const standIn = startGitHubStandIn({ token: TOKEN, repo: "acme/db", baseSha: "a".repeat(40) });
    try {
      await gitopsClient(h.adminToken).linkRepository({
        name,
        provider: GitProvider.GITHUB,
        cloneUrl: repos.at(-1)?.url ?? "",
        repository: "acme/db",
        directory: "db/migrations",
        engine: Engine.POSTGRESQL,
        apiBaseUrl: standIn.url,
      });
      const content = "-- UP\ncreate table pr_table (id int);\n-- DOWN\ndrop table pr_table;\n";
      const res = await gitopsClient(h.adminToken).openPullRequest({
        name,
        fileName: "20260701000001_pr_table.sql",
        content,
      });
      const branch = res.branch;
      expect(branch).toMatch(/^migration-\d{14}-pr-table$/);
      expect({ number: res.number, url: res.url, path: res.path }).toEqual({
        number: 1n,
        url: "https://github.com/acme/db/pull/1",
        path: "db/migrations/20260701000001_pr_table.sql",
      });
      expect(
        standIn.calls.map((c) => ({
          method: c.method,
          path: c.path,
          auth: c.headers.authorization,
          accept: c.headers.accept,
          version: c.headers["x-github-api-version"],
          body: c.body,
        })),
      ).toEqual([
        {
          method: "GET",
          path: "/repos/acme/db/git/ref/heads/main",
          auth: `Bearer ${TOKEN}`,
          accept: "application/vnd.github+json",
          version: "2022-11-28",
          body: null,
        },
        {
          method: "POST",
          path: "/repos/acme/db/git/refs",
          auth: `Bearer ${TOKEN}`,
          accept: "application/vnd.github+json",
          version: "2022-11-28",
          body: { ref: `refs/heads/${branch}`, sha: "a".repeat(40) },
        },
        {
          method: "PUT",
          path: "/repos/acme/db/contents/db/migrations/20260701000001_pr_table.sql",
          auth: `Bearer ${TOKEN}`,
          accept: "application/vnd.github+json",
          version: "2022-11-28",
          body: {
            message: "Add migration 20260701000001_pr_table",
            content: Buffer.from(content).toString("base64"),
            branch,
          },
        },
        {
          method: "POST",
          path: "/repos/acme/db/pulls",
          auth: `Bearer ${TOKEN}`,
          accept: "application/vnd.github+json",
          version: "2022-11-28",
          body: {
            title: "Migration 20260701000001_pr_table: pr table",
            head: branch,
            base: "main",
            body: [
              "Migration `20260701000001_pr_table` (1 statement, postgresql), opened from Migratrix by admin@localhost.",
              "",
              `Checksum: \`${migrationChecksum(content)}\``,
              "",
              "When this is merged, Migratrix syncs the file and queues the migration.",
            ].join("\n"),
          },
        },
      ]);
      expect(standIn.files.get(`${branch}:db/migrations/20260701000001_pr_table.sql`)).toBe(content);
      const [audit] = (await listAudit(store.db, h.workspaceId, { limit: 100_000 })).filter(
        (r) => r.action === "gitops.pull_request",
      );
      expect(audit?.detail).toEqual({
        provider: "github",
        repository: "acme/db",
        branch,
        path: "db/migrations/20260701000001_pr_table.sql",
        number: 1,
        url: "https://github.com/acme/db/pull/1",
        commit: res.commitSha,
        checksum: migrationChecksum(content),
      });
    } finally {
      await standIn.stop();
    }
  });

  test("a plain git remote: the branch is pushed with the file as one commit on the base", async () => {
    const repo = createTestRepo();
    repos.push(repo);
    const base = repo.commitAndPush("base", ALICE);
    const client = gitopsClient(h.adminToken);
    await client.linkRepository({
      name: "plain",
      provider: GitProvider.GIT,
      cloneUrl: repo.url,
      directory: "db",
      engine: Engine.POSTGRESQL,
    });
    const content = "create table plain_pushed (id int);\n";
    const res = await client.openPullRequest({ name: "plain", fileName: "20260702000001_plain.sql", content });
    const origin = repo.url.slice("file://".length);
    const git = (...args: string[]) =>
      Bun.spawnSync(["git", `--git-dir=${origin}`, ...args])
        .stdout.toString()
        .trim();
    expect({
      number: res.number,
      url: res.url,
      head: git("rev-parse", `refs/heads/${res.branch}`),
      parent: git("rev-parse", `${res.branch}^`),
      file: git("show", `${res.branch}:db/20260702000001_plain.sql`),
      author: git("log", "-1", "--format=%an <%ae>", res.branch),
    }).toEqual({
      number: 0n,
      url: "",
      head: res.commitSha,
      parent: base,
      file: content.trim(),
      author: "admin@localhost <admin@localhost>",
    });
    // A file already on the base branch is never replaced.
    repo.write("db/20260702000002_there.sql", content);
    repo.commitAndPush("there", ALICE);
    expect(
      await failure(client.openPullRequest({ name: "plain", fileName: "20260702000002_there.sql", content })),
    ).toEqual({
      code: "AlreadyExists",
      message: "db/20260702000002_there.sql already exists on main: a migration file is never replaced",
    });
  });

  test("a file that does not parse never reaches the provider", async () => {
    const { name } = await linked();
    const res = await failure(
      gitopsClient(h.adminToken).openPullRequest({ name, fileName: "20260701000002_bad.sql", content: "select 'x;\n" }),
    );
    expect(res).toEqual({ code: "InvalidArgument", message: expect.stringMatching(/^20260701000002_bad\.sql:1:8: /) });
  });
});
