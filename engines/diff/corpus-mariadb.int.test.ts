// The MariaDB round trips: for every corpus pair (two databases each), sync(A → B) applied to B
// leaves diff(A, B) empty and SHOW CREATE of every table and view equal, a second run changes
// nothing, the down script brings B back, and the whole plan verifies on a scratch database.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createMysqlEngine } from "../mysql/index.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { diffSchemas } from "./compare.ts";
import { MARIADB_CASES, MARIADB_KINDS } from "./corpus/mariadb.ts";
import { runPooled, syncRoundTrip } from "./corpus/pool.ts";
import type { SyncCase } from "./corpus/postgres.ts";
import type { SchemaDiff, SyncPlan, VerifyResult } from "./model.ts";
import { runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";
import { verifyPlan } from "./verify.ts";

const engine = createMysqlEngine({ flavor: "mariadb" });
const q = engine.dialect.quoteIdent;
const tag = `${process.pid}_${Date.now().toString(36)}`;
const root = "mariadb://root@127.0.0.1:3306/test";
const url = (db: string) => `mariadb://root@127.0.0.1:3306/${db}`;
const dbs = (i: number) => [`mxd_${tag}_${i}_a`, `mxd_${tag}_${i}_b`] as const;

interface Run {
  B: SchemaSnapshot;
  plan: SyncPlan & { diff: SchemaDiff };
  unfiltered?: SchemaDiff;
  remaining?: SchemaDiff;
  second?: SchemaDiff;
  shows?: { a: string[]; b: string[] };
  verified?: VerifyResult;
  afterDown?: SchemaDiff;
}
const runs = new Map<string, Run | Error>();
let admin: Session;

/** SHOW CREATE of every table and view, without the AUTO_INCREMENT counter (noise), body lines sorted. */
async function shows(s: Session): Promise<string[]> {
  const out: string[] = [];
  for (const r of await s.query<{ name: string; kind: string }>(
    "SELECT table_name AS name, table_type AS kind FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name",
  )) {
    const row =
      (await s.query<Record<string, string>>(`SHOW CREATE ${r.kind === "VIEW" ? "VIEW" : "TABLE"} ${q(r.name)}`))[0] ??
      {};
    const text = (row["Create Table"] ?? row["Create View"] ?? "").replace(/ AUTO_INCREMENT=\d+/, "");
    // Keys print in the order they were made: sort the body's lines (as the PostgreSQL dump check does).
    const lines = text.split("\n");
    const body = lines
      .slice(1, -1)
      .map((l) => l.replace(/,$/, ""))
      .sort();
    out.push([lines[0], ...body, ...lines.slice(-1)].join("\n"));
  }
  return out;
}

async function runCase(c: SyncCase, i: number): Promise<Run> {
  const [a, b] = dbs(i);
  const sa = await engine.driver.connect(url(a));
  const sb = await engine.driver.connect(url(b));
  try {
    if (c.a) await runScript(engine, sa, c.a);
    if (c.b) await runScript(engine, sb, c.b);
    const A = await engine.inspector.inspect(sa, { objects: true });
    const B = await engine.inspector.inspect(sb, { objects: true });
    const renames = (c.renames ?? []).map((r) => ({ from: `${a}.${r.from}`, to: `${a}.${r.to}` }));
    const opts = { allowDrop: c.allowDrop ?? false, renames };
    const plan = await planSync(A, B, opts);
    const run: Run = { B, plan };
    if (c.expect === "noise" && c.filter) {
      run.unfiltered = diffSchemas(A, B, { ...opts, noFilter: [c.filter] });
      return run;
    }
    run.verified = await verifyPlan(plan, { ...opts, source: A, target: B, adapter: engine, scratchUrl: root });
    const trip = await syncRoundTrip({
      A,
      B,
      plan,
      run: (sql) => runScript(engine, sb, sql),
      read: () => engine.inspector.inspect(sb, { objects: true }),
      afterUp: async () => {
        run.shows = { a: await shows(sa), b: await shows(sb) };
      },
    });
    return { ...run, remaining: trip.remaining, second: trip.second, afterDown: trip.afterDown };
  } finally {
    await sa.close();
    await sb.close();
  }
}

beforeAll(async () => {
  admin = await engine.driver.connect(root);
  for (const i of MARIADB_CASES.keys()) for (const db of dbs(i)) await admin.exec(`CREATE DATABASE ${q(db)}`);
  for (const [name, run] of await runPooled(MARIADB_CASES, 4, runCase)) runs.set(name, run);
}, 120_000);

afterAll(async () => {
  for (const i of MARIADB_CASES.keys()) for (const db of dbs(i)) await admin?.exec(`DROP DATABASE IF EXISTS ${q(db)}`);
  await admin?.close();
});

test("the MariaDB corpus covers every kind of change MariaDB has", () => {
  const covered = new Set(MARIADB_CASES.flatMap((c) => c.covers));
  expect(MARIADB_KINDS.filter((k) => !covered.has(k))).toEqual([]);
  expect(MARIADB_CASES.length).toBeGreaterThanOrEqual(25);
});

const kinds = (d: SchemaDiff | undefined) => (d?.changes ?? []).map((ch) => `${ch.action} ${ch.kind} ${ch.name}`);

describe("MariaDB round trips", () => {
  for (const c of MARIADB_CASES) {
    test(c.name, () => {
      const run = runs.get(c.name);
      if (run instanceof Error) throw run;
      if (!run) throw new Error(`case ${c.name} did not run`);
      const reported = new Set((run.unfiltered ?? run.plan.diff).changes.map((ch) => ch.kind));
      expect(c.covers.filter((k) => !reported.has(k))).toEqual([]);
      if (c.expect === "noise") {
        expect({ changes: run.plan.diff.changes, sql: run.plan.sql }).toEqual({ changes: [], sql: "" });
        expect(run.unfiltered?.changes.length ?? 0).toBeGreaterThan(0);
        return;
      }
      expect(run.plan.unsupported).toEqual([]);
      expect(run.verified).toEqual({ verified: true, remaining: [] });
      if (c.expect === "withheld") {
        expect(run.plan.withheld.length).toBeGreaterThan(0);
        expect(run.remaining?.changes.every((ch) => ch.action === "dropped")).toBe(true);
        return;
      }
      expect({ remaining: kinds(run.remaining), second: kinds(run.second), down: kinds(run.afterDown) }).toEqual({
        remaining: [],
        second: [],
        down: [],
      });
      if (!c.dumpDiffers) expect(run.shows?.b).toEqual(run.shows?.a);
    });
  }
});
