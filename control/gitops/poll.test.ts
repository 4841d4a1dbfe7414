// Polling: a link with a poll cron is a "gitops" schedule of the shared scheduler; a firing syncs
// the branch head of any git remote (no webhook). Time is a manual clock: nothing sleeps.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { GitOpsService, GitProvider } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { type ManualClock, manualClock } from "../schedules/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";
import { createTestRepo, type TestRepo } from "./testing.ts";

const START = new Date("2026-11-01T10:00:00.000Z");
let store: Store;
let h: Harness;
let clock: ManualClock;
let cacheDir: string;
let repo: TestRepo;

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
  cacheDir = mkdtempSync(join(tmpdir(), "mx-gitops-poll-"));
  clock = manualClock(START);
  store = await openStore({});
  h = await startHarness({
    store,
    bus: createMemoryBus(),
    clock,
    gitops: { secretKey: "ef".repeat(32), cacheDir, allowFileRemotes: true },
  });
  repo = createTestRepo();
}, 30_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

test("a plain git remote polled every 5 minutes: the next slot syncs the head; unlink removes the schedule", async () => {
  const res = await api().linkRepository({
    name: "polled",
    provider: GitProvider.GIT,
    cloneUrl: repo.url,
    directory: "migrations",
    engine: Engine.POSTGRESQL,
    pollCron: "*/5 * * * *",
  });
  expect({ cron: res.link?.pollCron, webhook: res.link?.webhookPath }).toEqual({ cron: "*/5 * * * *", webhook: "" });
  repo.write("migrations/20261101100100_polled.sql", "create table polled (id int);\n");
  const sha = repo.commitAndPush("polled", { name: "P", email: "p@example.com" });

  const fired = h.control.scheduler.untilFired((f) => f.kind === "gitops");
  clock.set(new Date("2026-11-01T10:05:00.000Z"));
  expect(await fired).toEqual({
    kind: "gitops",
    target: res.link?.id ?? "",
    slot: "2026-11-01T10:05:00.000Z",
    outcome: "ok",
  });

  const m = await h.api.migrations.getMigration({ id: "20261101100100_polled" });
  const log = await api().listGitOpsEvents({ name: "polled" });
  expect({
    createdBy: m.migration?.createdBy,
    log: log.events.map((e) => [e.kind, e.commit, e.actor]),
    synced: (await api().listRepositories({})).links.map((l) => l.lastCommit),
  }).toEqual({
    createdBy: "gitops:polled",
    log: [
      ["sync", sha, "control:scheduler"],
      ["link", "", `user:${await adminUserId()}`],
    ],
    synced: [sha],
  });

  await api().unlinkRepository({ name: "polled" });
  clock.set(new Date("2026-11-01T10:10:00.000Z"));
  expect(await h.control.scheduler.tick()).toEqual([]);
});

async function adminUserId(): Promise<string> {
  const who = await h.api.identity.whoAmI({});
  return who.userId;
}
