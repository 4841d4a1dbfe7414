// The proof: every corpus case runs up → down against the real PostgreSQL and must come back equal
// (our introspection, pg_dump --schema-only, data checksums), or be reported as not reversible.
import { afterAll, beforeAll, describe, test } from "bun:test";
import { getEngine } from "../index.ts";
import type { Session } from "../types.ts";
import { createBackupHooks } from "./backup/hooks.ts";
import { type CorpusCase, loadCorpus } from "./corpus/corpus.ts";
import { captureState, type PgServer, type PgState, pgDumpSchemas } from "./corpus/pg-state.ts";
import {
  assertReasons,
  expectCoverage,
  expectRoundTrip,
  type Outcome as RoundTripOutcome,
  runCase,
} from "./corpus/roundtrip.ts";
import { generateDown } from "./generate.ts";

const engine = getEngine("postgresql");
const q = engine.dialect.quoteIdent;
const server: PgServer = {
  host: "127.0.0.1",
  port: 5432,
  user: "postgres",
  database: `mx_rollback_${process.pid}_${Date.now()}`,
};
const url = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;
const cases = loadCorpus("postgres");
// Cases run a few at a time, one session each; the runner's per-database lock orders their runs.
const SESSIONS = 4;
let admin: Session;
const idle: Session[] = [];
const waiting: Array<(s: Session) => void> = [];

async function withSession<T>(f: (s: Session) => Promise<T>): Promise<T> {
  const s = idle.pop() ?? (await new Promise<Session>((resolve) => waiting.push(resolve)));
  try {
    return await f(s);
  } finally {
    const next = waiting.shift();
    if (next) next(s);
    else idle.push(s);
  }
}

beforeAll(async () => {
  admin = await engine.driver.connect(url("postgres"));
  await admin.exec(`CREATE DATABASE ${q(server.database)}`);
  for (let i = 0; i < SESSIONS; i++) idle.push(await engine.driver.connect(url(server.database)));
});

afterAll(async () => {
  for (const s of idle) await s.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(server.database)} WITH (FORCE)`);
  await admin?.close();
});

test("COVERAGE.md lists every corpus case as its file says, and covers every required kind", () => {
  expectCoverage("postgresql", cases, 60);
});

// Runs go one at a time: a session waiting in pg_advisory_lock holds a snapshot, which a running
// CREATE INDEX CONCURRENTLY waits for, and PostgreSQL ends the wait as a deadlock.
let runs: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(f: () => Promise<T>): Promise<T> {
  const next = runs.then(f, f);
  runs = next.catch(() => {});
  return next;
}

function run(
  session: Session,
  c: CorpusCase,
  direction: "apply" | "revert",
  sql: string,
  hooks?: ReturnType<typeof createBackupHooks>,
) {
  return oneAtATime(() => runCase({ engine, session, c, direction, sql, ...(hooks ? { hooks } : {}) }));
}

type Outcome = RoundTripOutcome<PgState>;
const outcomes = new Map<string, Outcome | Error>();
const schemaOf = (c: CorpusCase) => `c_${c.name.replaceAll("-", "_")}`;

// All cases are set up, dumped by one pg_dump, run a few at a time (one session each; the runner's
// per-database lock orders their runs), and dumped again by one pg_dump; each test below then
// checks its case's whole outcome. Two dumps in all keep the suite fast.
beforeAll(async () => {
  const failed = new Map<string, Error>();
  const guard = async (c: CorpusCase, f: (s: Session) => Promise<void>) => {
    if (failed.has(c.name)) return;
    await withSession((s) => f(s).catch((e: unknown) => void failed.set(c.name, e as Error)));
  };
  await Promise.all(
    cases.map((c) =>
      guard(c, async (session) => {
        await session.exec(`CREATE SCHEMA ${q(schemaOf(c))}`);
        await session.exec(`SET search_path = ${q(schemaOf(c))}`);
        for (const st of engine.dialect.split(c.setup).statements) await session.exec(st.text);
      }),
    ),
  );
  const schemas = cases.map(schemaOf);
  const dumpsBefore = await pgDumpSchemas(server, schemas);
  const partial = new Map<string, { o: Outcome; before: Omit<PgState, "dump"> }>();
  await Promise.all(
    cases.map((c) =>
      guard(c, async (session) => {
        await session.exec(`SET search_path = ${q(schemaOf(c))}`);
        partial.set(c.name, await roundTrip(session, c, schemaOf(c)));
      }),
    ),
  );
  const dumpsAfter = await pgDumpSchemas(server, schemas);
  for (const c of cases) {
    const p = partial.get(c.name);
    const error = failed.get(c.name);
    if (error || !p) {
      outcomes.set(c.name, error ?? new Error(`case ${c.name} did not run`));
      continue;
    }
    const dump = (m: Map<string, string[]>) => m.get(schemaOf(c)) ?? [];
    outcomes.set(
      c.name,
      p.o.revert
        ? {
            ...p.o,
            before: { ...p.before, dump: dump(dumpsBefore) },
            after: { ...(p.o.after as PgState), dump: dump(dumpsAfter) },
          }
        : p.o,
    );
  }
}, 120_000);

describe("postgres round trips", () => {
  for (const c of cases) {
    test(`${c.name} (${c.expect})`, () => expectRoundTrip(c, outcomes.get(c.name)));
  }
});

async function roundTrip(
  session: Session,
  c: CorpusCase,
  schema: string,
): Promise<{ o: Outcome; before: Omit<PgState, "dump"> }> {
  const before = await captureState(engine, session, schema);
  const down = await generateDown(c.up, {
    engine: "postgresql",
    schemaBefore: await engine.inspector.inspect(session, { schemas: [schema], objects: true }),
    migrationId: c.name,
    defaultSchema: schema,
    firstLine: c.upLine,
  });
  const hooks = createBackupHooks({ engine, session, migrationId: c.name, down, allowWithoutBackup: c.allowNoBackup });
  const apply = await run(session, c, "apply", c.up, hooks);
  // The up script really changed something (our introspection sees every object kind and the
  // rows), so an equal result after the down proves the down.
  const applied = await captureState(engine, session, schema);
  const o: Outcome = {
    problems: down.problems,
    reversibility: down.reversibility,
    apply,
    changed: !Bun.deepEquals(applied, before),
  };
  if (down.reversibility === "irreversible") {
    assertReasons(c, down);
    return { o, before };
  }
  o.revert = await run(session, c, "revert", down.sql);
  return { o: { ...o, after: { ...(await captureState(engine, session, schema)), dump: [] } }, before };
}
