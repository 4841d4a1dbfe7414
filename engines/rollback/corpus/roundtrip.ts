// What the round-trip proofs (roundtrip.int.test.ts of each engine) share: a case's up or down run
// through the real runner, the round trip of the token-level engines (MariaDB, SQLite), and the
// checks of coverage and of each case's whole outcome.
import { expect } from "bun:test";
import type { EngineAdapter } from "../../adapter.ts";
import { runMigration } from "../../runner/index.ts";
import type { Session } from "../../types.ts";
import { createBackupHooks } from "../backup/hooks.ts";
import { listBackups, purgeBackups } from "../backup/store.ts";
import { generateDown } from "../generate.ts";
import type { DownScript } from "../types.ts";
import { type CorpusCase, loadCoverage, REQUIRED_KINDS } from "./corpus.ts";

export interface RunResult {
  outcome: string;
  error: string | undefined;
}

export interface Outcome<S> {
  problems: unknown[];
  reversibility: string;
  apply: RunResult;
  changed: boolean;
  /** The backup area lists as many backups as the down script asked for. */
  backupsListed?: boolean;
  revert?: RunResult;
  before?: S;
  after?: S;
}

export async function runCase(o: {
  engine: EngineAdapter;
  session: Session;
  c: CorpusCase;
  direction: "apply" | "revert";
  sql: string;
  hooks?: ReturnType<typeof createBackupHooks>;
}): Promise<RunResult> {
  const { c, direction } = o;
  const r = await runMigration({
    engine: o.engine,
    session: o.session,
    migration: { id: c.name, name: c.name, checksum: `sha256:${c.name}`, sql: o.sql },
    direction,
    runId: `${c.name}-${direction}`,
    attempt: 1,
    appliedBy: "roundtrip-test",
    correlationId: c.name,
    lockTimeoutMs: 60_000,
    onEvent: () => {},
    ...(o.hooks ? { hooks: o.hooks } : {}),
  });
  return { outcome: r.outcome, error: r.error?.message };
}

/** Never silently wrong: every irreversible step says why. */
export function assertReasons(c: CorpusCase, down: DownScript): void {
  const reasons = down.steps.filter((x) => x.reversibility === "irreversible").map((x) => x.reason ?? "");
  if (!reasons.every((r) => r.length > 0)) throw new Error(`${c.name}: an irreversible step gives no reason`);
}

/**
 * One case on a token-level engine, on a database of its own: setup, capture, generate the down
 * script from the live schema, apply with the backup hooks, and revert unless irreversible.
 */
export async function tokenRoundTrip<S>(o: {
  engine: EngineAdapter;
  c: CorpusCase;
  open: (c: CorpusCase) => Promise<Session>;
  capture: (engine: EngineAdapter, session: Session) => Promise<S>;
}): Promise<Outcome<S>> {
  const { engine, c, capture } = o;
  const session = await o.open(c);
  try {
    for (const st of engine.dialect.split(c.setup).statements) await session.exec(st.text);
    const before = await capture(engine, session);
    const down = await generateDown(c.up, {
      engine: engine.id,
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
    const apply = await runCase({ engine, session, c, direction: "apply", sql: c.up, hooks });
    const applied = await capture(engine, session);
    const listed = await listBackups(engine, session, { migrationId: c.name });
    const out: Outcome<S> = {
      problems: down.problems,
      reversibility: down.reversibility,
      apply,
      changed: !Bun.deepEquals(applied, before),
      backupsListed: listed.length === down.backups.length,
    };
    if (down.reversibility === "irreversible") {
      assertReasons(c, down);
      return out;
    }
    out.revert = await runCase({ engine, session, c, direction: "revert", sql: down.sql });
    return { ...out, before, after: await capture(engine, session) };
  } finally {
    await purgeBackups(engine, session, { all: true });
    await session.close();
  }
}

/** Runs `f` over every case, `sessions` at a time; a case that throws keeps its error. */
export async function runCases<T>(
  cases: readonly CorpusCase[],
  sessions: number,
  f: (c: CorpusCase) => Promise<T>,
): Promise<Map<string, T | Error>> {
  const outcomes = new Map<string, T | Error>();
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const name = c.name;
        outcomes.set(name, await f(c).catch((e: unknown) => e as Error));
      }
    }),
  );
  return outcomes;
}

/** COVERAGE.md lists every case of `engine` as its file says, and the cases cover every required kind. */
export function expectCoverage(engine: string, cases: readonly CorpusCase[], atLeast: number): void {
  const fromFiles = cases.map((c) => ({ name: c.name, engine, covers: c.covers, expect: c.expect }));
  expect(loadCoverage().filter((r) => r.engine === engine)).toEqual(fromFiles);
  const covered = new Set(cases.flatMap((c) => c.covers));
  expect((REQUIRED_KINDS[engine] ?? []).filter((k) => !covered.has(k))).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(atLeast);
}

/** The case's whole outcome: applied, changed something, and came back equal unless irreversible. */
export function expectRoundTrip<S>(
  c: CorpusCase,
  o: Outcome<S> | Error | undefined,
  extra: { backupsListed?: true } = {},
): void {
  if (o instanceof Error || o === undefined) throw o ?? new Error(`case ${c.name} did not run`);
  const done = { outcome: "completed", error: undefined };
  const { before, after, ...rest } = o;
  expect(rest).toEqual({
    problems: [],
    reversibility: c.expect,
    apply: done,
    changed: true,
    ...extra,
    ...(c.expect === "irreversible" ? {} : { revert: done }),
  });
  if (c.expect !== "irreversible") expect(after).toEqual(before as S);
}
