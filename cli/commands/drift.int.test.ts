// mx drift, and mx snapshot / mx diff with ENV/CONNECTION sides, against a real control plane, a
// real agent on NATS JetStream and a real PostgreSQL target (agent/int-support.ts).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "../../agent/agent.ts";
import { type E2E, startE2E, startLocalAgent } from "../../agent/int-support.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-cli-drift-"));
  e2e = await startE2E("CLIDRIFT", { ttlMs: 5_000, renewMs: 200 });
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "cli-drift",
    agentId: `agent-cli-drift-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId, "dev");
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

async function mx(...args: string[]) {
  const io = captureIo({ cwd: dir, env: { MIGRATRIX_HOME: dir } });
  const code = await runCli([...args, "--server", e2e.url, "--token", e2e.adminToken], io);
  return { code, out: io.out(), err: io.err() };
}

/** The report's lines without the line of check times, which change from run to run. */
const stable = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("checked "))
    .join("\n");

test("mx drift --check: no baseline before any migration, then clean, then drifted (exit 1)", async () => {
  const none = await mx("drift", "--env", "dev", "--check");
  expect({ code: none.code, out: stable(none.out) }).toEqual({
    code: 0,
    out: "dev/app  no baseline\n  no baseline: no migration has completed here through Migratrix\n",
  });

  await e2e.migrations.createMigration({
    fileName: "20260502000000_items.sql",
    content: "create table cd_items (id bigint primary key, label text);\n",
    engine: Engine.POSTGRESQL,
  });
  const [run] = (await e2e.migrations.runMigration({ migrationId: "20260502000000_items", environment: "dev" })).runs;
  for await (const _ of e2e.migrations.watchRun({ runId: run?.id ?? "", afterSeq: 0n })) {
    // Until the run ends.
  }
  const clean = await mx("drift", "--env", "dev", "--check");
  expect({ code: clean.code, out: stable(clean.out) }).toEqual({ code: 0, out: "dev/app  clean\n" });

  await e2e.withTarget((s) => s.exec("create index cd_items_label on cd_items (label)"));
  const drifted = await mx("drift", "--env", "dev", "--check");
  expect({ code: drifted.code, out: stable(drifted.out) }).toEqual({
    code: 1,
    out: [
      "dev/app  drifted  1 change",
      "  changed outside Migratrix (live vs expected):",
      "    ~ table public.cd_items",
      "        + index cd_items_label",
      "    1 difference (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
      "",
    ].join("\n"),
  });
  expect(drifted.out).toContain("expected: the schema after 20260502000000_items");
}, 60_000);

test("mx drift lists the latest reports and sets and removes the schedule", async () => {
  const set = await mx("drift", "--env", "dev", "--schedule", "15 3 * * *");
  expect({ code: set.code, out: set.out }).toEqual({
    code: 0,
    out: expect.stringMatching(/^scheduled: 15 3 \* \* \* UTC \(next \d{4}-\d\d-\d\d 03:15:00Z\)\n$/),
  });
  const listed = await mx("drift", "--env", "dev");
  expect({ code: listed.code, head: listed.out.split("\n")[0], tail: listed.out.trimEnd().split("\n").at(-1) }).toEqual(
    {
      code: 1,
      head: "dev/app  drifted  1 change",
      tail: expect.stringMatching(/^scheduled: 15 3 \* \* \* UTC/),
    },
  );
  const bad = await mx("drift", "--env", "dev", "--schedule", "sometimes");
  expect({ code: bad.code, err: bad.err.split("\n")[0] }).toEqual({
    code: 1,
    err: expect.stringContaining('cron expression "sometimes" is not valid'),
  });
  const off = await mx("drift", "--env", "dev", "--schedule", "off");
  expect({ code: off.code, out: off.out }).toEqual({ code: 0, out: "scheduled drift check of dev removed\n" });
  const json = await mx("drift", "--env", "dev", "--json");
  const doc = JSON.parse(json.out) as { reports: { connection: string; status: string }[]; schedule?: unknown };
  expect({ reports: doc.reports.map((r) => [r.connection, r.status]), schedule: doc.schedule }).toEqual({
    reports: [["dev/app", "DRIFT_STATUS_DRIFTED"]],
    schedule: undefined,
  });
}, 60_000);

test("mx snapshot ENV/CONNECTION and mx diff ENV/CONNECTION URL go through the agent, audited", async () => {
  const snap = await mx("snapshot", "dev/app", "--objects");
  const doc = JSON.parse(snap.out) as { engine: string; tables: { name: string }[]; objects?: unknown[] };
  expect({
    code: snap.code,
    engine: doc.engine,
    tables: doc.tables.map((t) => t.name),
    objects: Array.isArray(doc.objects),
  }).toEqual({ code: 0, engine: "postgresql", tables: ["cd_items"], objects: true });

  // The same database both ways: no differences.
  const same = await mx("diff", "dev/app", e2e.targetUrl);
  expect({ code: same.code, out: same.out }).toEqual({ code: 0, out: "No differences.\n" });

  const reads = (await e2e.audit.listAudit({ limit: 1000 })).records
    .filter((r) => r.action === "schema.introspect")
    .map((r) => [r.environment, r.target, JSON.parse(r.detailJson).objects]);
  expect(reads).toEqual([
    ["dev", "dev/app", true],
    ["dev", "dev/app", true],
  ]);
}, 60_000);
