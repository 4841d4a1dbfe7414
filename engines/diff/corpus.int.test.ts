// The proof against the real PostgreSQL: for every corpus pair, sync(A → B) applied to B leaves
// diff(A, B) empty, pg_dump --schema-only of A and B agree after normalisation, a second run
// changes nothing (snapshot and dump), the down script brings B back, and the plan verifies on a
// scratch database built from B's snapshot.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { renderCreateDdl } from "../postgres/ddl.ts";
import { createPostgresEngine } from "../postgres/index.ts";
import { pgDumpSchemas } from "../rollback/corpus/pg-state.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { diffSchemas } from "./compare.ts";
import { POSTGRES_CASES, type SyncCase } from "./corpus/postgres.ts";
import { CHANGE_KINDS, type SchemaDiff, type SyncPlan } from "./model.ts";
import { runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";
import { verifyPlan } from "./verify.ts";

const engine = createPostgresEngine();
const q = engine.dialect.quoteIdent;
const quote = (n: string) => q(n);
const tag = `${process.pid}_${Date.now()}`;
const dbA = `mx_diff_a_${tag}`;
const dbB = `mx_diff_b_${tag}`;
const url = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;
const server = { host: "127.0.0.1", port: 5432, user: "postgres" };
let admin: Session;
let sa: Session;
let sb: Session;
// Cases run a few at a time, each worker on its own pair of sessions (cases live in their own schemas).
const WORKERS = 4;
const pairs: { a: Session; b: Session }[] = [];

/** Runs `f` for every case not failed yet, WORKERS at a time; a failure is kept as the case's outcome. */
async function eachCase(f: (c: SyncCase, p: { a: Session; b: Session }) => Promise<void>): Promise<void> {
  const queue = POSTGRES_CASES.filter((c) => !(runs.get(c.name) instanceof Error));
  await Promise.all(
    pairs.map(async (p) => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const name = c.name;
        await f(c, p).catch((e: unknown) => void runs.set(name, e as Error));
      }
    }),
  );
}

const schemaOf = (c: SyncCase) => `c_${c.name.replaceAll("-", "_")}`;
const schemasOf = (c: SyncCase) => [schemaOf(c), `${schemaOf(c)}_extra`];
const fill = (c: SyncCase, sql: string) => sql.replaceAll("{s}", schemaOf(c));

interface Run {
  A: SchemaSnapshot;
  B: SchemaSnapshot;
  plan: SyncPlan & { diff: SchemaDiff };
  afterUp?: SchemaSnapshot;
  afterSecond?: SchemaSnapshot;
  remaining?: SchemaDiff;
  afterDown?: SchemaDiff;
  unfiltered?: SchemaDiff;
}
const runs = new Map<string, Run | Error>();
let wholeVerified: Awaited<ReturnType<typeof verifyPlan>> | undefined;
let wholeStatements = 0;
let dumpA = new Map<string, string[]>();
let dumpB1 = new Map<string, string[]>();
let dumpB2 = new Map<string, string[]>();

async function inspect(s: Session, c: SyncCase) {
  return engine.inspector.inspect(s, { schemas: schemasOf(c), objects: c.objects !== false });
}

function opts(c: SyncCase) {
  const s = schemaOf(c);
  return {
    allowDrop: c.allowDrop ?? false,
    renames: (c.renames ?? []).map((r) => ({ from: `${s}.${r.from}`, to: `${s}.${r.to}` })),
  };
}

async function setUp(session: Session, c: SyncCase, sql: string) {
  await session.exec(`CREATE SCHEMA ${q(schemaOf(c))}`);
  await session.exec(`SET search_path = ${q(schemaOf(c))}`);
  await runScript(engine, session, fill(c, sql));
  await session.exec("RESET search_path");
}

beforeAll(async () => {
  admin = await engine.driver.connect(url("postgres"));
  await admin.exec(`CREATE DATABASE ${q(dbA)}`);
  await admin.exec(`CREATE DATABASE ${q(dbB)}`);
  for (let i = 0; i < WORKERS; i++) {
    pairs.push({ a: await engine.driver.connect(url(dbA)), b: await engine.driver.connect(url(dbB)) });
  }
  const [first] = pairs;
  if (!first) throw new Error("no sessions");
  sa = first.a;
  sb = first.b;
  const planned = new Map<string, Run>();
  await eachCase(async (c, p) => {
    await setUp(p.a, c, c.a);
    await setUp(p.b, c, c.b);
  });
  // One plan for the whole corpus at once (every schema, drops allowed), verified on a scratch
  // database built from B's snapshot: the same proof verifyPlan gives a user, on ~60 pairs.
  const everything = { schemas: POSTGRES_CASES.flatMap(schemasOf), objects: true };
  const wholeA = await engine.inspector.inspect(sa, everything);
  const wholeB = await engine.inspector.inspect(sb, everything);
  const wholeOpts = { allowDrop: true, renames: POSTGRES_CASES.flatMap((c) => opts(c).renames) };
  const whole = await planSync(wholeA, wholeB, { ...wholeOpts, risk: false });
  wholeVerified = await verifyPlan(whole, {
    ...wholeOpts,
    source: wholeA,
    target: wholeB,
    adapter: engine,
    scratchUrl: url("postgres"),
    renderCreate: renderCreateDdl,
  });
  wholeStatements = whole.statements.length;
  await eachCase(async (c, p) => {
    const A = await inspect(p.a, c);
    const B = await inspect(p.b, c);
    const plan = await planSync(A, B, opts(c));
    const run: Run = { A, B, plan };
    if (c.expect === "noise" && c.filter) {
      run.unfiltered = diffSchemas(A, B, { ...opts(c), quote, noFilter: [c.filter] });
    } else {
      await runScript(engine, p.b, plan.sql);
      run.afterUp = await inspect(p.b, c);
      run.remaining = diffSchemas(A, run.afterUp, { quote });
    }
    planned.set(c.name, run);
  });
  const all = POSTGRES_CASES.flatMap(schemasOf);
  dumpA = await pgDumpSchemas({ ...server, database: dbA }, all);
  dumpB1 = await pgDumpSchemas({ ...server, database: dbB }, all);
  await eachCase(async (c, p) => {
    const run = planned.get(c.name);
    if (!run) return;
    if (run.afterUp) {
      await runScript(engine, p.b, run.plan.sql);
      run.afterSecond = await inspect(p.b, c);
    }
    runs.set(c.name, run);
  });
  dumpB2 = await pgDumpSchemas({ ...server, database: dbB }, all);
  await eachCase(async (c, p) => {
    const run = runs.get(c.name);
    if (!run || run instanceof Error || !run.afterUp) return;
    await runScript(engine, p.b, run.plan.down);
    run.afterDown = diffSchemas(run.B, await inspect(p.b, c), { quote });
  });
}, 120_000);

afterAll(async () => {
  for (const p of pairs) {
    await p.a.close();
    await p.b.close();
  }
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbA)} WITH (FORCE)`);
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbB)} WITH (FORCE)`);
  await admin?.close();
});

test("the corpus has at least 40 pairs and covers every kind of change", () => {
  expect(POSTGRES_CASES.length).toBeGreaterThanOrEqual(40);
  expect(new Set(POSTGRES_CASES.map((c) => c.name)).size).toBe(POSTGRES_CASES.length);
  const covered = new Set(POSTGRES_CASES.flatMap((c) => c.covers));
  expect(CHANGE_KINDS.filter((k) => !covered.has(k))).toEqual([]);
});

test("the whole corpus as one plan verifies on a scratch copy of B", () => {
  expect(wholeStatements).toBeGreaterThan(100);
  expect(wholeVerified).toEqual({ verified: true, remaining: [] });
});

const kinds = (d: SchemaDiff | undefined) => (d?.changes ?? []).map((ch) => `${ch.action} ${ch.kind} ${ch.name}`);

describe("PostgreSQL round trips", () => {
  for (const c of POSTGRES_CASES) {
    test(c.name, () => {
      const run = runs.get(c.name);
      if (run instanceof Error) throw run;
      if (!run) throw new Error(`case ${c.name} did not run`);
      // The diff itself must report what the case covers.
      const reported = new Set((run.unfiltered ?? run.plan.diff).changes.map((ch) => ch.kind));
      expect(c.covers.filter((k) => !reported.has(k) && !(k === "constraint" && c.objects === false))).toEqual([]);
      if (c.expect === "noise") {
        expect({ changes: run.plan.diff.changes, sql: run.plan.sql }).toEqual({ changes: [], sql: "" });
        expect(run.unfiltered?.changes.length ?? 0).toBeGreaterThan(0);
        return;
      }
      expect(run.plan.unsupported).toEqual([]);
      if (c.expect === "withheld") {
        expect(run.plan.withheld.length).toBeGreaterThan(0);
        expect(run.plan.sql).not.toMatch(/\bDROP (TABLE|VIEW|COLUMN|INDEX|FUNCTION|TYPE|SCHEMA)\b/);
        expect(run.remaining?.changes.every((ch) => ch.action === "dropped")).toBe(true);
        return;
      }
      expect(run.plan.sql).not.toBe("");
      // The plan carries the risk report of its own script.
      expect(run.plan.risk?.engine).toBe("postgresql");
      expect(kinds(run.remaining)).toEqual([]);
      expect(run.afterSecond).toEqual(run.afterUp);
      for (const s of schemasOf(c)) {
        expect(dumpB2.get(s)).toEqual(dumpB1.get(s));
        if (!c.dumpDiffers) expect(dumpB1.get(s)).toEqual(dumpA.get(s));
      }
      // A down script leaves out what the engine cannot undo, and says so.
      expect({ leaves: kinds(run.afterDown), listed: run.plan.downUnsupported.length }).toEqual({
        leaves: c.downLeaves ?? [],
        listed: c.downLeaves?.length ?? 0,
      });
    });
  }
});
