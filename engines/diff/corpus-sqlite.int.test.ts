// The SQLite round trips: for every corpus pair (two in-memory databases), sync(A → B) applied to B
// leaves diff(A, B) empty and the stored schema (sqlite_schema) equal after normalisation, keeps
// the rows of kept columns, a second run changes nothing, the down script brings B back, and the
// plan verifies on a scratch database file.
import { beforeAll, describe, expect, test } from "bun:test";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { createSqliteEngine } from "../sqlite/index.ts";
import type { Session } from "../types.ts";
import { diffSchemas } from "./compare.ts";
import { syncRoundTrip } from "./corpus/pool.ts";
import type { SyncCase } from "./corpus/postgres.ts";
import { SQLITE_CASES, SQLITE_KINDS } from "./corpus/sqlite.ts";
import type { SchemaDiff, SyncPlan, VerifyResult } from "./model.ts";
import { runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";
import { verifyPlan } from "./verify.ts";

const engine = createSqliteEngine();

interface Run {
  plan: SyncPlan & { diff: SchemaDiff };
  unfiltered?: SchemaDiff;
  remaining?: SchemaDiff;
  second?: SchemaDiff;
  stored?: { a: string[]; b: string[] };
  rows?: number;
  verified?: VerifyResult;
  afterDown?: SchemaDiff;
}
const runs = new Map<string, Run | Error>();

/** sqlite_schema's statements with identifier quotes and runs of whitespace normalised. */
async function stored(s: Session): Promise<string[]> {
  const rows = await s.query<{ sql: string }>(
    "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name",
  );
  return rows.map((r) => r.sql.replaceAll('"', "").replace(/\s+/g, " "));
}

const inspect = (s: Session): Promise<SchemaSnapshot> => engine.inspector.inspect(s, { objects: true });

async function runCase(c: SyncCase): Promise<Run> {
  const sa = await engine.driver.connect("sqlite::memory:");
  const sb = await engine.driver.connect("sqlite::memory:");
  try {
    if (c.a) await runScript(engine, sa, c.a);
    if (c.b) await runScript(engine, sb, c.b);
    const A = await inspect(sa);
    const B = await inspect(sb);
    const opts = { allowDrop: c.allowDrop ?? false };
    const plan = await planSync(A, B, opts);
    const run: Run = { plan };
    if (c.expect === "noise" && c.filter) {
      run.unfiltered = diffSchemas(A, B, { noFilter: [c.filter] });
      return run;
    }
    run.verified = await verifyPlan(plan, { ...opts, source: A, target: B, adapter: engine, scratchUrl: "" });
    const trip = await syncRoundTrip({
      A,
      B,
      plan,
      run: (sql) => runScript(engine, sb, sql),
      read: () => inspect(sb),
      afterUp: async () => {
        run.stored = { a: await stored(sa), b: await stored(sb) };
        if (B.tables.some((t) => t.name === "users")) {
          run.rows = Number(
            (await sb.query<{ n: number }>("SELECT count(*) AS n FROM users").catch(() => [{ n: -1 }]))[0]?.n,
          );
        }
      },
    });
    return { ...run, remaining: trip.remaining, second: trip.second, afterDown: trip.afterDown };
  } finally {
    await sa.close();
    await sb.close();
  }
}

beforeAll(async () => {
  for (const c of SQLITE_CASES) runs.set(c.name, await runCase(c).catch((e: unknown) => e as Error));
});

test("the SQLite corpus covers every kind of change SQLite has", () => {
  const covered = new Set(SQLITE_CASES.flatMap((c) => c.covers));
  expect(SQLITE_KINDS.filter((k) => !covered.has(k))).toEqual([]);
});

const kinds = (d: SchemaDiff | undefined) => (d?.changes ?? []).map((ch) => `${ch.action} ${ch.kind} ${ch.name}`);

describe("SQLite round trips", () => {
  for (const c of SQLITE_CASES) {
    test(c.name, () => {
      const run = runs.get(c.name);
      if (run instanceof Error) throw run;
      if (!run) throw new Error(`case ${c.name} did not run`);
      const reported = new Set((run.unfiltered ?? run.plan.diff).changes.map((ch) => ch.kind));
      expect(c.covers.filter((k) => !reported.has(k))).toEqual([]);
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
      expect(run.stored?.b).toEqual(run.stored?.a);
      // The rebuild copies the rows of the columns both sides have.
      if (c.name === "column-rebuild-keeps-rows-and-view") expect(run.rows).toBe(1);
    });
  }
});
