// The proof for SQLite: every corpus case runs up → generated down on a real database file of its
// own, and must come back equal (our introspection with column order, sqlite_schema's stored text,
// row hashes), or be reported as not reversible with its reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEngine } from "../../index.ts";
import { runMigration } from "../../runner/index.ts";
import type { Session } from "../../types.ts";
import { createBackupHooks } from "../backup/hooks.ts";
import { listBackups, purgeBackups } from "../backup/store.ts";
import { type CorpusCase, loadCorpus, loadCoverage, REQUIRED_KINDS } from "../corpus/corpus.ts";
import { captureSqliteState, type SqliteState } from "../corpus/sqlite-state.ts";
import { generateDown } from "../generate.ts";

const engine = getEngine("sqlite");
const dir = realpathSync(mkdtempSync(join(tmpdir(), "mx_rbsq_")));
const cases = loadCorpus("sqlite");
const SESSIONS = 4;

interface Outcome {
  problems: unknown[];
  reversibility: string;
  apply: { outcome: string; error: string | undefined };
  changed: boolean;
  backupsListed: boolean;
  revert?: { outcome: string; error: string | undefined };
  before?: SqliteState;
  after?: SqliteState;
}
const outcomes = new Map<string, Outcome | Error>();

async function run(
  session: Session,
  c: CorpusCase,
  direction: "apply" | "revert",
  sql: string,
  hooks?: ReturnType<typeof createBackupHooks>,
) {
  const r = await runMigration({
    engine,
    session,
    migration: { id: c.name, name: c.name, checksum: `sha256:${c.name}`, sql },
    direction,
    runId: `${c.name}-${direction}`,
    attempt: 1,
    appliedBy: "roundtrip-test",
    correlationId: c.name,
    lockTimeoutMs: 60_000,
    onEvent: () => {},
    ...(hooks ? { hooks } : {}),
  });
  return { outcome: r.outcome, error: r.error?.message };
}

async function roundTrip(c: CorpusCase): Promise<Outcome> {
  const session = await engine.driver.connect(`sqlite://${join(dir, `${c.name}.db`)}`);
  try {
    for (const st of engine.dialect.split(c.setup).statements) await session.exec(st.text);
    const before = await captureSqliteState(engine, session);
    const down = await generateDown(c.up, {
      engine: "sqlite",
      schemaBefore: await engine.inspector.inspect(session, { objects: true }),
      migrationId: c.name,
      firstLine: c.upLine,
    });
    const hooks = createBackupHooks({
      engine,
      session,
      migrationId: c.name,
      down,
      allowWithoutBackup: c.allowNoBackup,
    });
    const apply = await run(session, c, "apply", c.up, hooks);
    const applied = await captureSqliteState(engine, session);
    const listed = await listBackups(engine, session, { migrationId: c.name });
    const o: Outcome = {
      problems: down.problems,
      reversibility: down.reversibility,
      apply,
      changed: !Bun.deepEquals(applied, before),
      backupsListed: listed.length === down.backups.length,
    };
    if (down.reversibility === "irreversible") {
      const reasons = down.steps.filter((x) => x.reversibility === "irreversible").map((x) => x.reason ?? "");
      if (!reasons.every((r) => r.length > 0)) throw new Error(`${c.name}: an irreversible step gives no reason`);
      return o;
    }
    o.revert = await run(session, c, "revert", down.sql);
    return { ...o, before, after: await captureSqliteState(engine, session) };
  } finally {
    await purgeBackups(engine, session, { all: true });
    await session.close();
  }
}

beforeAll(async () => {
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const name = c.name;
        outcomes.set(name, await roundTrip(c).catch((e: unknown) => e as Error));
      }
    }),
  );
}, 180_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

test("COVERAGE.md lists every SQLite case as its file says, and covers every required kind", () => {
  const fromFiles = cases.map((c) => ({ name: c.name, engine: "sqlite", covers: c.covers, expect: c.expect }));
  expect(loadCoverage().filter((r) => r.engine === "sqlite")).toEqual(fromFiles);
  const covered = new Set(cases.flatMap((c) => c.covers));
  expect((REQUIRED_KINDS.sqlite ?? []).filter((k) => !covered.has(k))).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(25);
});

describe("sqlite round trips", () => {
  for (const c of cases) {
    test(`${c.name} (${c.expect})`, () => {
      const o = outcomes.get(c.name);
      if (o instanceof Error || o === undefined) throw o ?? new Error(`case ${c.name} did not run`);
      const done = { outcome: "completed", error: undefined };
      const { before, after, ...rest } = o;
      expect(rest).toEqual({
        problems: [],
        reversibility: c.expect,
        apply: done,
        changed: true,
        backupsListed: true,
        ...(c.expect === "irreversible" ? {} : { revert: done }),
      });
      if (c.expect !== "irreversible") expect(after).toEqual(before as SqliteState);
    });
  }
});
