// GitLab: push and merged merge-request webhooks verified with X-Gitlab-Token (redelivery by
// Idempotency-Key is a no-op), and merge requests opened through the GitLab API stand-in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { migrationChecksum } from "../../engines/migration/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { GitOpsService, GitProvider } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";
import { createTestRepo, type GitLabStandIn, startGitLabStandIn, type TestRepo } from "./testing.ts";

const SECRET = "gitlab-hook-token";
const TOKEN = "glpat-test-token";
let store: Store;
let h: Harness;
let cacheDir: string;
let repo: TestRepo;
let gitlab: GitLabStandIn;
let path = "";

const api = () =>
  createClient(
    GitOpsService,
    createConnectTransport({
      baseUrl: "http://localhost",
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${h.adminToken}`);
          return next(req);
        },
      ],
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        h.control.fetch(
          input instanceof Request ? new Request(input, init) : new Request(String(input), init),
        )) as typeof globalThis.fetch,
    }),
  );

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), "mx-gitlab-cache-"));
  store = await openStore({});
  h = await startHarness({
    store,
    bus: createMemoryBus(),
    gitops: { secretKey: "cd".repeat(32), cacheDir, allowFileRemotes: true },
  });
  repo = createTestRepo();
  gitlab = startGitLabStandIn({ token: TOKEN, project: "acme/platform/db" });
  const res = await api().linkRepository({
    name: "lab",
    provider: GitProvider.GITLAB,
    cloneUrl: repo.url,
    repository: "acme/platform/db",
    directory: "sql",
    engine: Engine.POSTGRESQL,
    apiBaseUrl: gitlab.url,
    webhookSecret: SECRET,
    providerToken: TOKEN,
  });
  path = res.link?.webhookPath ?? "";
}, 30_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
  await gitlab.stop();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function hook(event: string, payload: object, headers: Record<string, string>) {
  const res = await h.control.fetch(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-gitlab-event": event, ...headers },
      body: JSON.stringify(payload),
    }),
  );
  const body = (await res.json()) as Record<string, unknown>;
  return {
    status: res.status,
    body:
      "files" in body
        ? {
            applied: body.applied,
            files: (body.files as { migrationId: string; outcome: string }[]).map(
              (f) => `${f.migrationId}:${f.outcome}`,
            ),
          }
        : body,
  };
}

describe("GitLab webhooks", () => {
  test("token checked, push synced, redelivery by Idempotency-Key a no-op, merged MR syncs the target", async () => {
    const content = "create table lab_one (id int);\n";
    repo.write("sql/20261001000001_lab_one.sql", content);
    const sha = repo.commitAndPush("one", { name: "Dev", email: "dev@example.com" });
    const push = { object_kind: "push", ref: "refs/heads/main", before: "0".repeat(40), after: sha, checkout_sha: sha };
    const before = (await listAudit(store.db, h.workspaceId, { limit: 100_000 })).at(-1)?.seq ?? 0;
    const results = [
      await hook("Push Hook", push, { "x-gitlab-token": "wrong", "idempotency-key": "k1" }),
      await hook("Push Hook", push, { "idempotency-key": "k1" }),
      await hook("Push Hook", push, { "x-gitlab-token": SECRET, "idempotency-key": "k1" }),
      await hook("Push Hook", push, { "x-gitlab-token": SECRET, "idempotency-key": "k1" }),
    ];
    repo.write("sql/20261001000002_lab_two.sql", "create table lab_two (id int);\n");
    const merged = repo.commitAndPush("merge", { name: "Dev", email: "dev@example.com" });
    results.push(
      await hook(
        "Merge Request Hook",
        {
          object_kind: "merge_request",
          object_attributes: { action: "merge", target_branch: "main", merge_commit_sha: merged },
        },
        { "x-gitlab-token": SECRET, "x-gitlab-event-uuid": "mr-1" },
      ),
      await hook(
        "Merge Request Hook",
        { object_kind: "merge_request", object_attributes: { action: "open", target_branch: "main" } },
        { "x-gitlab-token": SECRET, "x-gitlab-event-uuid": "mr-2" },
      ),
    );
    expect(results).toEqual([
      { status: 401, body: { error: "signature mismatch" } },
      { status: 401, body: { error: "signature missing" } },
      { status: 200, body: { applied: true, files: ["20261001000001_lab_one:created"] } },
      { status: 200, body: { duplicate: true, delivery: "k1" } },
      {
        status: 200,
        body: { applied: true, files: ["20261001000001_lab_one:unchanged", "20261001000002_lab_two:created"] },
      },
      { status: 202, body: { ignored: "merge request action open is not synced" } },
    ]);
    const actions = (await listAudit(store.db, h.workspaceId, { afterSeq: before, limit: 100 })).map((r) => r.action);
    expect(actions).toEqual([
      "gitops.webhook.rejected",
      "gitops.webhook.rejected",
      "migration.create",
      "gitops.sync",
      "migration.create",
      "gitops.sync",
    ]);
    const m = await h.api.migrations.getMigration({ id: "20261001000001_lab_one" });
    expect(m.migration?.checksum).toBe(migrationChecksum(content));
  });
});

describe("GitLab merge requests", () => {
  test("one commit call creating the branch from the base, then the merge request", async () => {
    const content = "-- UP\ncreate table lab_mr (id int);\n-- DOWN\ndrop table lab_mr;\n";
    const res = await api().openPullRequest({
      name: "lab",
      fileName: "20261001000003_lab_mr.sql",
      content,
      title: "Add lab_mr",
      body: "please review",
    });
    expect(res.branch).toMatch(/^migration-\d{14}-lab-mr$/);
    expect({ number: res.number, url: res.url, commit: res.commitSha.slice(0, 4) }).toEqual({
      number: 1n,
      url: "https://gitlab.example.com/acme/platform/db/-/merge_requests/1",
      commit: "beef",
    });
    expect(
      gitlab.calls.map((c) => ({ method: c.method, path: c.path, token: c.headers["private-token"], body: c.body })),
    ).toEqual([
      {
        method: "POST",
        path: "/api/v4/projects/acme%2Fplatform%2Fdb/repository/commits",
        token: TOKEN,
        body: {
          branch: res.branch,
          start_branch: "main",
          commit_message: "Add migration 20261001000003_lab_mr",
          actions: [{ action: "create", file_path: "sql/20261001000003_lab_mr.sql", content }],
        },
      },
      {
        method: "POST",
        path: "/api/v4/projects/acme%2Fplatform%2Fdb/merge_requests",
        token: TOKEN,
        body: {
          source_branch: res.branch,
          target_branch: "main",
          title: "Add lab_mr",
          description: "please review",
          remove_source_branch: true,
        },
      },
    ]);
  });

  test("a provider refusal is reported with the provider's message", async () => {
    gitlab.branches.delete("main");
    const res = await api()
      .openPullRequest({ name: "lab", fileName: "20261001000004_lab_x.sql", content: "select 1;\n" })
      .then(() => "ok")
      .catch((err: Error) => err.message)
      .finally(() => gitlab.branches.add("main"));
    const why =
      "GitLab API POST /projects/acme%2Fplatform%2Fdb/repository/commits answered 400: You can only create or edit files when you are on a branch";
    expect(res).toBe(`[failed_precondition] ${why}`);
    const [event] = (await api().listGitOpsEvents({ name: "lab", limit: 1 })).events;
    expect([event?.kind, event?.summary]).toEqual([
      "pull_request.failed",
      `could not open a merge request for 20261001000004_lab_x: ${why}`,
    ]);
  });
});
