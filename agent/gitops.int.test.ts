// GitOps through the real agent, control plane, NATS JetStream and databases, on a local bare
// repository. mx import DIR --env (PostgreSQL and MariaDB): the agent reads flyway_schema_history
// (V1, V2 applied) and marks those in migratrix_history; the platform records them Completed on the
// flow's stage, so promoting V1..V3 runs only V3; the import is audited and in the changes log.
// Push to apply (PostgreSQL): a pushed file arrives by a signed GitHub webhook, becomes a migration
// and runs on dev through the flow's auto stage; editing the applied file is refused with the whole
// push and the database is left alone; deleting it archives the migration.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { runCli } from "../cli/main.ts";
import { captureIo } from "../cli/testing.ts";
import { githubSignature } from "../control/gitops/signature.ts";
import { createTestRepo, githubPushPayload, type TestRepo } from "../control/gitops/testing.ts";
import { getEngine } from "../engines/index.ts";
import { FLYWAY_TABLE, flywayRow } from "../engines/migration/import/testing.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { StagePolicy } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitProvider } from "../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, type E2ETarget, startE2E, startLocalAgent } from "./int-support.ts";

const FILES = {
  "V1__t1.sql": "CREATE TABLE imp_t1 (id INT);\n",
  "V2__t2.sql": "CREATE TABLE imp_t2 (id INT);\n",
  "V3__t3.sql": "CREATE TABLE imp_t3 (id INT);\n",
};
const IDS = ["V1__t1", "V2__t2", "V3__t3"];
const SECRET = "webhook-secret-for-the-e2e";
const ALICE = { name: "Alice", email: "alice@example.com" };
const FILE = "db/20260801000001_accounts.sql";
const CONTENT = "-- UP\ncreate table git_accounts (id int primary key);\n-- DOWN\ndrop table git_accounts;\n";

for (const kind of ["postgresql", "mariadb"] as const satisfies readonly E2ETarget[]) {
  describe(`GitOps through the agent on ${kind}`, () => {
    const home = mkdtempSync(join(tmpdir(), `mx-import-env-${kind}-`));
    let e2e: E2E;
    let agent: Agent;
    const repo: TestRepo = createTestRepo();

    beforeAll(async () => {
      e2e = await startE2E(kind === "mariadb" ? "IMPM" : "IMPP", { ttlMs: 5_000, renewMs: 200 }, kind, undefined, {
        gitops: { secretKey: "5a".repeat(32), cacheDir: join(home, "cache"), allowFileRemotes: true },
      });
      agent = await startLocalAgent(e2e, {
        vaultPath: join(home, "vault.json"),
        passphrase: "import-env",
        agentId: `agent-imp-${e2e.suffix}`,
      });
      await e2e.addTargetConnection(agent.agentId);
      await e2e.flows.createFlow({ name: "main", stages: [{ environment: "dev" }] });
      // Flyway ran V1 and V2 here before the switch.
      await e2e.withTarget(async (s) => {
        for (const sql of [
          "CREATE TABLE imp_t1 (id INT)",
          "CREATE TABLE imp_t2 (id INT)",
          FLYWAY_TABLE,
          flywayRow(1, "1", "V1__t1.sql", true),
          flywayRow(2, "2", "V2__t2.sql", true),
        ])
          await s.exec(sql);
      });
      mkdirSync(join(home, "db"));
      for (const [name, content] of Object.entries(FILES)) writeFileSync(join(home, "db", name), content);
    }, 60_000);

    afterAll(async () => {
      await agent?.stop();
      await e2e?.close();
      repo.cleanup();
      rmSync(home, { recursive: true, force: true });
    }, 30_000);

    async function mx(args: string[]) {
      const io = captureIo({ env: { MIGRATRIX_HOME: home } });
      const code = await runCli([...args, "--server", e2e.url, "--token", e2e.adminToken], io);
      return { code, out: io.out(), err: io.err() };
    }

    const history = () =>
      e2e.withTarget(async (s) => {
        const engine = getEngine(kind);
        const table = await engine.migrate.history.open(s, await engine.migrate.target(s), { create: false });
        return (await table?.list())?.map((h) => `${h.migrationId} ${h.status} ${h.appliedBy}`) ?? [];
      });

    const stageStates = async () =>
      Promise.all(
        IDS.map(async (id) => {
          const s = (await e2e.flows.getFlow({ name: "main", migrationId: id })).stages[0];
          return `${id} ${RunState[s?.state ?? RunState.UNSPECIFIED]}`;
        }),
      );

    test("a dry run reads the history through the agent and changes nothing", async () => {
      const r = await mx(["import", join(home, "db"), "--env", "dev", "--dry-run", "--json"]);
      expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
      const res = JSON.parse(r.out) as { connections: { connection: string; marked: string[] }[] };
      expect(res.connections.map((c) => ({ connection: c.connection, marked: c.marked }))).toEqual([
        { connection: "dev/app", marked: ["V1__t1", "V2__t2"] },
      ]);
      expect(await history()).toEqual([]);
      const stored = await e2e.migrations
        .getMigration({ id: "V1__t1" })
        .catch((err: unknown) => ConnectError.from(err).code);
      expect(stored).toBe(Code.NotFound);
    }, 60_000);

    test("V1 and V2 are marked on dev; promoting V1..V3 runs only V3", async () => {
      const dir = join(home, "db");
      const r = await mx(["import", dir, "--env", "dev"]);
      const table = kind === "mariadb" ? `mx_impm_${e2e.suffix}.flyway_schema_history` : "public.flyway_schema_history";
      expect(r).toEqual({
        code: 0,
        out: [
          `detected flyway: 3 migration(s) in ${dir}`,
          "ID      FROM        STORED   APPLIED ON",
          "V1__t1  V1__t1.sql  created  dev/app",
          "V2__t2  V2__t2.sql  created  dev/app",
          "V3__t3  V3__t3.sql  created  -",
          `dev/app: ${table}: marked 2 applied (import:flyway), 0 already marked`,
          "",
        ].join("\n"),
        err: "",
      });
      expect(await history()).toEqual(["V1__t1 applied import:flyway", "V2__t2 applied import:flyway"]);
      expect(await stageStates()).toEqual(["V1__t1 COMPLETED", "V2__t2 COMPLETED", "V3__t3 PENDING"]);

      const outcomes: string[] = [];
      for (const id of IDS) {
        try {
          const res = await e2e.flows.promote({ flow: "main", migrationId: id, stage: "dev" });
          await e2e.settleRuns(res.stage?.runs);
          outcomes.push(`${id} promoted`);
        } catch (err) {
          outcomes.push(`${id} ${ConnectError.from(err).rawMessage}`);
        }
      }
      expect(outcomes).toEqual([
        "V1__t1 cannot promote migration V1__t1 on stage dev: it is Completed",
        "V2__t2 cannot promote migration V2__t2 on stage dev: it is Completed",
        "V3__t3 promoted",
      ]);
      expect(await stageStates()).toEqual(["V1__t1 COMPLETED", "V2__t2 COMPLETED", "V3__t3 COMPLETED"]);
      const hist = await history();
      expect(hist.slice(0, 2)).toEqual(["V1__t1 applied import:flyway", "V2__t2 applied import:flyway"]);
      expect(hist[2]).toMatch(/^V3__t3 applied (?!import:)/);
      // A direct run of an imported migration finds its completed run: no second attempt, no job.
      const direct = await e2e.migrations.runMigration({ migrationId: "V1__t1", environment: "dev" });
      expect(direct.runs.map((run) => `${RunState[run.state]} attempt ${run.attempt}`)).toEqual([
        "COMPLETED attempt 1",
      ]);

      // Importing again marks nothing new and changes no state.
      const again = await mx(["import", dir, "--env", "dev", "--json"]);
      const res = JSON.parse(again.out) as { connections: { marked: string[]; present: string[] }[] };
      expect(res.connections.map((c) => ({ marked: c.marked, present: c.present }))).toEqual([
        { marked: [], present: ["V1__t1", "V2__t2"] },
      ]);

      // The audit chain and the changes log have the import, with its counts.
      const audit = (await e2e.audit.listAudit({ limit: 1000 })).records.filter((e) => e.action === "history.import");
      expect(
        audit.map((e) => JSON.parse(e.detailJson) as Record<string, unknown>).map((d) => [d.marked, d.alreadyMarked]),
      ).toEqual([
        [2, 0],
        [0, 2],
      ]);
      const events = (await e2e.gitops.listGitOpsEvents({})).events.map((e) => `${e.kind}: ${e.summary}`);
      expect(events).toEqual([
        `import.applied: dev/app: ${table} lists 2 of 3 as applied: 0 marked, 2 already marked`,
        "import: flyway db: 0 migration(s) created, 3 already stored",
        `import.applied: dev/app: ${table} lists 2 of 3 as applied: 2 marked, 0 already marked; Completed on 2 flow stage(s)`,
        "import: flyway db: 3 migration(s) created, 0 already stored",
      ]);
      const log = await mx(["gitops", "log"]);
      expect(log.out).toContain("import.applied");

      // A flow made after the import: promoting an imported migration starts nothing and the
      // stage is Completed at once from the recorded run.
      await e2e.flows.createFlow({ name: "later", stages: [{ environment: "dev" }] });
      const later = await e2e.flows.promote({ flow: "later", migrationId: "V2__t2", stage: "dev" });
      expect({
        state: RunState[later.stage?.state ?? RunState.UNSPECIFIED],
        runs: later.stage?.runs.map((run) => `${RunState[run.state]} attempt ${run.attempt}`),
      }).toEqual({ state: "COMPLETED", runs: ["COMPLETED attempt 1"] });
    }, 60_000);

    let deliveries = 0;
    let webhook = "";
    /** Commits and pushes, then delivers GitHub's push event for it, signed with the link's secret. */
    async function push(message: string) {
      const body = githubPushPayload({ after: repo.commitAndPush(message, ALICE), repo: "acme/app" });
      const res = await fetch(webhook, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-github-delivery": `e2e-${++deliveries}`,
          "x-hub-signature-256": githubSignature(SECRET, new TextEncoder().encode(body)),
        },
        body,
      });
      const report = (await res.json()) as {
        files?: { migrationId: string; outcome: string }[];
        promotions?: string[];
      };
      return {
        status: res.status,
        files: (report.files ?? []).map((f) => `${f.migrationId} ${f.outcome}`),
        promotions: report.promotions ?? [],
      };
    }

    const gitTables = () =>
      e2e.withTarget(async (s) =>
        (
          await s.query<{ name: string }>(
            "select table_name as name from information_schema.tables where table_schema = 'public' and table_name like 'git\\_%' order by 1",
          )
        ).map((r) => r.name),
      );

    // Push to apply does not depend on the target's engine past the runner (tested per engine
    // elsewhere): it runs once, on PostgreSQL.
    test.if(kind === "postgresql")(
      "push → webhook → migration runs on dev; an edited applied file is refused; a deleted one is archived",
      async () => {
        await e2e.flows.createFlow({ name: "git", stages: [{ environment: "dev", policy: StagePolicy.AUTO }] });
        const link = await e2e.gitops.linkRepository({
          name: "app",
          provider: GitProvider.GITHUB,
          cloneUrl: repo.url,
          repository: "acme/app",
          branch: "main",
          directory: "db",
          engine: Engine.POSTGRESQL,
          autoPromoteFlow: "git",
          webhookSecret: SECRET,
        });
        webhook = `${e2e.url}${link.link?.webhookPath}`;
        const id = "20260801000001_accounts";
        repo.write(FILE, CONTENT);
        expect(await push("accounts")).toEqual({
          status: 200,
          files: [`${id} created`],
          promotions: [`${id}: promoted to dev (1 run)`],
        });
        const stage = (await e2e.flows.getFlow({ name: "git", migrationId: id })).stages[0];
        await e2e.settleRuns(stage?.runs);
        const done = (await e2e.flows.getFlow({ name: "git", migrationId: id })).stages[0];
        expect({ state: RunState[done?.state ?? 0], tables: await gitTables() }).toEqual({
          state: "COMPLETED",
          tables: ["git_accounts"],
        });

        // Edited after it ran on dev: the push is refused as a whole, nothing runs, the table stays.
        repo.write(FILE, CONTENT.replace("id int", "id bigint"));
        repo.write("db/20260801000002_more.sql", "create table git_more (id int);\n");
        expect(await push("edit")).toEqual({
          status: 422,
          files: [`${id} refused`, "20260801000002_more created"],
          promotions: [],
        });
        expect(await gitTables()).toEqual(["git_accounts"]);
        expect(
          (await e2e.migrations.getMigration({ id: "20260801000002_more" }).catch(() => undefined))?.migration,
        ).toBe(undefined);

        // Delete it (and the refused new file): the migration ran, so it is archived, not removed.
        repo.remove(FILE);
        repo.remove("db/20260801000002_more.sql");
        expect(await push("delete")).toEqual({ status: 200, files: [`${id} archived`], promotions: [] });
        const archived = await e2e.migrations.getMigration({ id });
        expect({ name: archived.migration?.name, runs: archived.runs.map((r) => RunState[r.state]) }).toEqual({
          name: "[ARCHIVED] accounts",
          runs: ["COMPLETED"],
        });

        const log = (await e2e.gitops.listGitOpsEvents({ name: "app" })).events.map((e) => e.kind);
        expect(log).toEqual(["sync", "sync.refused", "sync", "link"]);
      },
      60_000,
    );
  });
}
