// The cross-engine round trips on the real servers: for every pair (A on one engine, B on another,
// each in its own database), sync(A → B) in B's dialect applied to B leaves the cross-engine
// diff(A, B) empty, a second run changes nothing, the down script brings B back, and the plan
// verifies on a scratch database of B's engine. "equal" pairs differ only in spelling and must not differ at all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineAdapter } from "../adapter.ts";
import { getEngine } from "../index.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { CROSS_CASES, CROSS_KINDS, type CrossCase, type CrossEngine } from "./corpus/cross.ts";
import { syncRoundTrip } from "./corpus/pool.ts";
import type { SchemaDiff, SyncPlan, VerifyResult } from "./model.ts";
import { renderDiffText } from "./render.ts";
import { runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";
import { verifyPlan } from "./verify.ts";

const tag = `${process.pid}_${Date.now().toString(36)}`;
const SERVER: Record<Exclude<CrossEngine, "sqlite">, string> = {
  mariadb: "mariadb://root@127.0.0.1:3306/test",
  postgresql: "postgres://postgres@127.0.0.1:5432/test",
};
const adapters: Record<CrossEngine, EngineAdapter> = {
  mariadb: getEngine("mariadb"),
  postgresql: getEngine("postgresql"),
  sqlite: getEngine("sqlite"),
};
const admins = new Map<CrossEngine, Session>();
const made: Array<() => Promise<void>> = [];

const reusable = new Set<string>();

/**
 * An empty database of `engine`, dropped after all. PostgreSQL's are made once per worker and side
 * and emptied between cases (a new public schema): DROP DATABASE waits for a checkpoint.
 */
async function database(engine: CrossEngine, name: string): Promise<{ url: string; session: Session }> {
  const adapter = adapters[engine];
  if (engine === "postgresql" && reusable.has(name)) {
    const u = new URL(SERVER[engine]);
    u.pathname = `/${name}`;
    const session = await adapter.driver.connect(u.toString());
    await session.exec("DROP SCHEMA public CASCADE");
    await session.exec("CREATE SCHEMA public");
    return { url: u.toString(), session };
  }
  if (engine === "postgresql") reusable.add(name);
  if (engine === "sqlite") {
    const path = join(tmpdir(), `${name}.db`);
    made.push(async () => rmSync(path, { force: true }));
    const url = `sqlite://${path}`;
    return { url, session: await adapter.driver.connect(url) };
  }
  const admin = admins.get(engine) as Session;
  const q = adapter.dialect.quoteIdent;
  await admin.exec(`CREATE DATABASE ${q(name)}`);
  made.push(async () => {
    await admin.exec(`DROP DATABASE IF EXISTS ${q(name)}${engine === "postgresql" ? " WITH (FORCE)" : ""}`);
  });
  const u = new URL(SERVER[engine]);
  u.pathname = `/${name}`;
  return { url: u.toString(), session: await adapter.driver.connect(u.toString()) };
}

interface Run {
  plan: SyncPlan & { diff: SchemaDiff };
  text: string;
  verified?: VerifyResult;
  remaining?: SchemaDiff;
  second?: SchemaDiff;
  again?: string;
  afterDown?: SchemaDiff;
}
const runs = new Map<string, Run | Error>();

async function runCase(c: CrossCase, i: number, worker: number): Promise<Run> {
  const name = (side: string, engine: CrossEngine) =>
    engine === "postgresql" ? `mxx_${tag}_w${worker}_${side}` : `mxx_${tag}_${i}_${side}`;
  const a = await database(c.from, name("a", c.from));
  const b = await database(c.to, name("b", c.to));
  const inspect = (engine: CrossEngine, s: Session): Promise<SchemaSnapshot> =>
    adapters[engine].inspector.inspect(s, { objects: true });
  try {
    if (c.a) await runScript(adapters[c.from], a.session, c.a);
    if (c.b) await runScript(adapters[c.to], b.session, c.b);
    const A = await inspect(c.from, a.session);
    const B = await inspect(c.to, b.session);
    const opts = { allowDrop: c.allowDrop ?? false };
    const plan = await planSync(A, B, opts);
    const run: Run = { plan, text: renderDiffText(plan.diff) };
    if (c.expect === "equal") return run;
    const scratchUrl = c.to === "sqlite" ? "" : SERVER[c.to];
    run.verified = await verifyPlan(plan, { ...opts, source: A, target: B, adapter: adapters[c.to], scratchUrl });
    // The down script (B's dialect too) brings B back to what it was.
    const trip = await syncRoundTrip({
      A,
      B,
      plan,
      run: (sql) => runScript(adapters[c.to], b.session, sql),
      read: () => inspect(c.to, b.session),
      beforeDown: async () => {
        run.again = (await planSync(A, await inspect(c.to, b.session), opts)).sql;
      },
    });
    return { ...run, remaining: trip.remaining, second: trip.second, afterDown: trip.afterDown };
  } finally {
    await a.session.close();
    await b.session.close();
  }
}

beforeAll(async () => {
  for (const e of ["mariadb", "postgresql"] as const) admins.set(e, await adapters[e].driver.connect(SERVER[e]));
  const queue = [...CROSS_CASES.entries()];
  await Promise.all(
    Array.from({ length: 3 }, async (_, worker) => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, c] = next;
        runs.set(c.name, await runCase(c, i, worker).catch((e: unknown) => e as Error));
      }
    }),
  );
}, 180_000);

afterAll(async () => {
  for (const drop of made) await drop().catch(() => undefined);
  for (const s of admins.values()) await s.close();
}, 60_000);

const count = (from: CrossEngine | "*", to: CrossEngine | "*") =>
  CROSS_CASES.filter((c) => (from === "*" || c.from === from) && (to === "*" || c.to === to)).length;

test("the cross-engine corpus covers every kind, with enough pairs each way", () => {
  const covered = new Set(CROSS_CASES.flatMap((c) => c.covers));
  expect(CROSS_KINDS.filter((k) => !covered.has(k))).toEqual([]);
  expect({
    mariadbToPostgres: count("mariadb", "postgresql") >= 15,
    postgresToMariadb: count("postgresql", "mariadb") >= 10,
    intoSqlite: count("*", "sqlite") >= 8,
    fromSqlite: count("sqlite", "*") >= 8,
  }).toEqual({ mariadbToPostgres: true, postgresToMariadb: true, intoSqlite: true, fromSqlite: true });
});

const kinds = (d: SchemaDiff | undefined) => (d?.changes ?? []).map((ch) => `${ch.action} ${ch.kind} ${ch.name}`);

describe("cross-engine round trips", () => {
  for (const c of CROSS_CASES) {
    test(`${c.name} (${c.from} → ${c.to})`, () => {
      const run = runs.get(c.name);
      if (run instanceof Error) throw run;
      if (!run) throw new Error(`case ${c.name} did not run`);
      const notes = (run.plan.diff.notes ?? []).map((n) => `${n.object}: ${n.note}`);
      for (const n of c.notes ?? []) expect(notes.filter((x) => x.includes(n))).not.toEqual([]);
      for (const line of c.diffLines ?? []) expect(run.text.split("\n").map((l) => l.trim())).toContain(line);
      if (c.expect === "equal") {
        expect({ changes: kinds(run.plan.diff), sql: run.plan.sql }).toEqual({ changes: [], sql: "" });
        return;
      }
      expect(run.plan.sql).not.toBe("");
      expect(run.plan.unsupported).toEqual([]);
      expect(run.verified).toEqual({ verified: true, remaining: [] });
      expect({
        remaining: kinds(run.remaining),
        second: kinds(run.second),
        again: run.again,
        down: kinds(run.afterDown),
      }).toEqual({ remaining: [], second: [], again: "", down: [] });
    });
  }
});
