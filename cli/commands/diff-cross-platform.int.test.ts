// mx diff across engines with an ENV/CONNECTION side: a real control plane and agent serving a
// MariaDB connection (dev/app), compared with a PostgreSQL URL both ways; the agent's reads are
// audited, the script is in the target's dialect and verifies on a scratch database of its engine.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "../../agent/agent.ts";
import { type E2E, startE2E, startLocalAgent } from "../../agent/int-support.ts";
import { runScript } from "../../engines/diff/scratch.ts";
import { getEngine } from "../../engines/index.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const pg = getEngine("postgresql");
const my = getEngine("mariadb");
const pdb = `mx_clixp_${process.pid}_${Date.now().toString(36)}`;
const P = `postgres://postgres@127.0.0.1:5432/${pdb}`;
let dir: string;
let e2e: E2E;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-cli-diff-cross-"));
  e2e = await startE2E("CLIXDIFF", { ttlMs: 5_000, renewMs: 200 }, "mariadb");
  agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: "cli-diff-cross",
    agentId: `agent-cli-xdiff-${e2e.suffix}`,
  });
  await e2e.addTargetConnection(agent.agentId, "dev");
  const m = await my.driver.connect(e2e.targetUrl);
  await runScript(my, m, "CREATE TABLE items (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, label varchar(40) NOT NULL)");
  await m.close();
  const admin = await pg.driver.connect("postgres://postgres@127.0.0.1:5432/test");
  await admin.exec(`CREATE DATABASE ${pdb}`);
  await admin.close();
  const p = await pg.driver.connect(P);
  await runScript(pg, p, "CREATE TABLE items (id serial PRIMARY KEY, label text NOT NULL, price numeric(8,2))");
  await p.close();
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  const admin = await pg.driver.connect("postgres://postgres@127.0.0.1:5432/test");
  await admin.exec(`DROP DATABASE IF EXISTS ${pdb} WITH (FORCE)`);
  await admin.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

async function mx(...args: string[]) {
  const io = captureIo({ cwd: dir, env: { MIGRATRIX_HOME: dir } });
  const code = await runCli([...args, "--server", e2e.url, "--token", e2e.adminToken], io);
  return { code, out: io.out(), err: io.err() };
}

test("PostgreSQL URL → MariaDB connection: a MariaDB script, verified on a MariaDB scratch database", async () => {
  const res = await mx("diff", P, "dev/app", "--verify", "--scratch", "mariadb://root@127.0.0.1:3306/test");
  const lines = res.out.split("\n");
  expect({
    code: res.code,
    changes: lines.filter((l) => /^\s*[~+-] /.test(l)),
    verified: lines.includes("verified: on a scratch copy of the target, the script leaves no differences"),
  }).toEqual({
    code: 1,
    changes: ["~ table test.items", "    ~ items.label: varchar(40) → longtext", "    + column price decimal(8,2)"].map(
      (l) => l.replace("test.items", `${e2e.targetUrl.split("/").pop()}.items`),
    ),
    verified: true,
  });
}, 30_000);

test("MariaDB connection → PostgreSQL URL: said in PostgreSQL's terms; the agent's reads are audited", async () => {
  const res = await mx("diff", "dev/app", P, "--format", "sql");
  expect(res.code).toBe(1);
  expect(res.out).toContain(
    `ALTER TABLE "public"."items" ALTER COLUMN "label" TYPE character varying(40) USING "label"::character varying(40)`,
  );
  const reads = (await e2e.audit.listAudit({ limit: 1000 })).records
    .filter((r) => r.action === "schema.introspect")
    .map((r) => [r.environment, r.target]);
  expect(reads).toEqual([
    ["dev", "dev/app"],
    ["dev", "dev/app"],
  ]);
}, 30_000);
