// A dirty target makes later migrations wait (real control plane, NATS JetStream, MariaDB). On
// MariaDB each DDL statement commits by itself, so a migration whose statement 2 fails leaves
// statement 1 applied: the database is dirty. A second migration started meanwhile is refused by
// the runner before any SQL and waits, Pending, with the reason on show; once the first migration
// is fixed and finishes, the waiting run starts again by itself and completes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Agent } from "./agent.ts";
import { type E2E, startE2E, startLocalAgent } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-dirty-"));
  e2e = await startE2E("DIRTY", { ttlMs: 5_000, renewMs: 200 }, "mariadb");
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "dirty",
    agentId: `agent-dirty-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Follows a run's event stream until `stop` says so (or the run ends); returns the kinds seen. */
async function follow(runId: string, stop: (kind: string) => boolean): Promise<string[]> {
  const kinds: string[] = [];
  for await (const item of e2e.migrations.watchRun({ runId, afterSeq: 0n })) {
    const kind = item.event?.kind.case;
    if (!kind) continue;
    kinds.push(kind);
    if (stop(kind)) break;
  }
  return kinds;
}

async function tables(): Promise<string[]> {
  const rows = await e2e.withTarget((s) =>
    s.query<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = database() and table_name like 'dt\\_%' order by table_name",
    ),
  );
  return rows.map((r) => r.name);
}

test("a migration stopped part-way on MariaDB makes the next one wait until it is finished", async () => {
  const first = await e2e.migrations.createMigration({
    fileName: "20260301000000_first.sql",
    content: "-- UP\ncreate table dt_a (id int);\ninsert into dt_fix values (1);\n-- DOWN\ndrop table dt_a;\n",
    engine: Engine.MARIADB,
  });
  const second = await e2e.migrations.createMigration({
    fileName: "20260301000100_second.sql",
    content: "-- UP\ncreate table dt_b (id int);\n-- DOWN\ndrop table dt_b;\n",
    engine: Engine.MARIADB,
  });
  const firstId = first.migration?.id ?? "";
  const secondId = second.migration?.id ?? "";

  const run1 = (await e2e.migrations.runMigration({ migrationId: firstId, environment: "dev" })).runs[0]?.id ?? "";
  await follow(run1, (k) => k === "finished");
  const failed = (await e2e.migrations.getRun({ runId: run1 })).run;
  expect({ state: failed?.state, done: failed?.statementsDone, tables: await tables() }).toEqual({
    state: RunState.FAILED,
    done: 1,
    tables: ["dt_a"],
  });

  // The second migration is refused before any SQL and waits, Pending, saying for what.
  const run2 = (await e2e.migrations.runMigration({ migrationId: secondId, environment: "dev" })).runs[0]?.id ?? "";
  expect(await follow(run2, (k) => k === "rejected")).toEqual(["rejected"]);
  const waiting = (await e2e.migrations.getRun({ runId: run2 })).run;
  const database = e2e.targetUrl.split("/").at(-1);
  expect({
    state: waiting?.state,
    attempt: waiting?.attempt,
    code: waiting?.error?.code,
    message: waiting?.error?.message,
    tables: await tables(),
  }).toEqual({
    state: RunState.PENDING,
    attempt: 1,
    code: "failed_precondition",
    message: `waiting: ${database} is dirty: the apply of migration ${firstId} failed after committing 1 of 2 statements; run it again, resolve it (mx migration resolve) or roll it back before other migrations run there`,
    tables: ["dt_a"],
  });

  // Fix what statement 2 needs and run the first migration again: it resumes at statement 2 and
  // completes; the waiting run starts a new attempt by itself and completes too.
  await e2e.withTarget((s) => s.exec("create table dt_fix (id int)"));
  await e2e.migrations.runMigration({ migrationId: firstId, environment: "dev" });
  await follow(run1, (k) => k === "finished");
  await follow(run2, (k) => k === "finished");
  const [done1, done2] = await Promise.all([
    e2e.migrations.getRun({ runId: run1 }),
    e2e.migrations.getRun({ runId: run2 }),
  ]);
  const audit = await e2e.audit.listAudit({ limit: 1000 });
  const actionsOf = (runId: string) => audit.records.filter((r) => r.target === `run:${runId}`).map((r) => r.action);
  expect({
    first: { state: done1.run?.state, attempt: done1.run?.attempt },
    second: { state: done2.run?.state, attempt: done2.run?.attempt, error: done2.run?.error },
    tables: await tables(),
    secondAudit: actionsOf(run2),
  }).toEqual({
    first: { state: RunState.COMPLETED, attempt: 2 },
    second: { state: RunState.COMPLETED, attempt: 2, error: undefined },
    tables: ["dt_a", "dt_b", "dt_fix"],
    secondAudit: ["run.pending", "run.lease", "run.wait", "run.retry", "run.lease", "run.complete"],
  });
}, 60_000);
