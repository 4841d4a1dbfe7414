// GitOps on a real PostgreSQL control store (a database of this file's own): a push of several files
// is one transaction (savepoints per migration), concurrent copies of one delivery sync once, and a
// refused commit leaves nothing behind.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { createMemoryBus } from "../../bus/index.ts";
import { silentLogger } from "../../common/log.ts";
import { bootstrap } from "../identity/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import { linkRepository } from "./links.ts";
import { createGitOpsRuntime } from "./runtime.ts";
import { syncCommit } from "./sync.ts";
import { createTestRepo, type TestRepo } from "./testing.ts";

const ADMIN_URL = process.env.MIGRATRIX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `mx_gitops_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
let store: Store;
let repo: TestRepo;
let cacheDir: string;
let workspaceId = "";

beforeAll(async () => {
  await admin.unsafe(`create database ${dbName}`);
  store = await openStore({ url, maxConnections: 4 });
  workspaceId = (await bootstrap(store.db, { environments: [{ name: "dev", position: 1 }] })).workspaceId;
  repo = createTestRepo();
  cacheDir = mkdtempSync(join(tmpdir(), "mx-gitops-int-"));
}, 30_000);

afterAll(async () => {
  await store.close();
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  repo.cleanup();
  rmSync(cacheDir, { recursive: true, force: true });
});

test("three files in one push, the same delivery four times at once, then a refused commit", async () => {
  const runtime = createGitOpsRuntime({ secretKey: "12".repeat(32), allowFileRemotes: true, cacheDir });
  const link = await linkRepository(store.db, runtime.box(), {
    workspaceId,
    name: "pg",
    provider: "github",
    cloneUrl: repo.url,
    repository: "acme/pg",
    branch: "main",
    directory: "m",
    engine: "postgresql",
    autoPromoteFlow: "",
    apiBaseUrl: "",
    webhookSecret: "s",
    providerToken: "",
    allowFileRemotes: true,
    actor: "test",
    createdBy: "test",
    correlationId: "t",
  });
  for (const n of [1, 2, 3]) repo.write(`m/2026120100000${n}_t${n}.sql`, `create table t${n} (id int);\n`);
  const sha = repo.commitAndPush("three", { name: "A", email: "a@example.com" });
  const deps = {
    db: store.db,
    bus: createMemoryBus(),
    git: runtime.git,
    box: runtime.box(),
    log: silentLogger,
    agentOnlineMs: 1,
  };
  const reports = await Promise.all(
    [1, 2, 3, 4].map(() =>
      syncCommit(deps, { link, commit: sha, deliveryId: "same", actor: "webhook:github", correlationId: "c" }),
    ),
  );
  expect(reports.map((r) => (r.duplicate ? "duplicate" : r.files.map((f) => f.outcome).join(","))).sort()).toEqual([
    "created,created,created",
    "duplicate",
    "duplicate",
    "duplicate",
  ]);
  const ids = async () =>
    (
      await store.db
        .select({ id: tables.migrations.id })
        .from(tables.migrations)
        .where(eq(tables.migrations.workspaceId, workspaceId))
    )
      .map((m) => m.id)
      .sort();
  expect(await ids()).toEqual(["20261201000001_t1", "20261201000002_t2", "20261201000003_t3"]);

  repo.write("m/20261201000004_t4.sql", "create table t4 (id int);\n");
  repo.write("m/20261201000005_t5.sql", "create table (;\n");
  const bad = repo.commitAndPush("bad", { name: "A", email: "a@example.com" });
  const refused = await syncCommit(deps, { link, commit: bad, actor: "test", correlationId: "c" });
  expect({ applied: refused.applied, outcomes: refused.files.map((f) => f.outcome), ids: await ids() }).toEqual({
    applied: false,
    outcomes: ["unchanged", "unchanged", "unchanged", "created", "invalid"],
    ids: ["20261201000001_t1", "20261201000002_t2", "20261201000003_t3"],
  });
}, 30_000);
