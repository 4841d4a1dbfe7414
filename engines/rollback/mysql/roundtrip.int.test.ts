// The proof for MariaDB: every corpus case runs up → generated down against the real server, each
// in its own database, and must come back equal (our introspection with column order, SHOW CREATE
// TABLE, row hashes), or be reported as not reversible with its reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getEngine } from "../../index.ts";
import { runMigration } from "../../runner/index.ts";
import type { Session } from "../../types.ts";
import { createBackupHooks } from "../backup/hooks.ts";
import { listBackups, purgeBackups } from "../backup/store.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../backup-names.ts";
import { type CorpusCase, loadCorpus, loadCoverage, REQUIRED_KINDS } from "../corpus/corpus.ts";
import { captureMyState, type MyState } from "../corpus/my-state.ts";
import { generateDown } from "../generate.ts";

const engine = getEngine("mariadb");
const q = engine.dialect.quoteIdent;
const prefix = `mx_rbmy_${process.pid}_${Date.now() % 100000}`;
const url = (db: string) => `mysql://root@127.0.0.1:3306/${db}`;
const cases = loadCorpus("mariadb");
const dbOf = (c: CorpusCase) => `${prefix}_${c.name.slice(0, 3)}`;
const SESSIONS = 4;
let admin: Session;

interface Outcome {
  problems: unknown[];
  reversibility: string;
  apply: { outcome: string; error: string | undefined };
  changed: boolean;
  backupsListed: boolean;
  revert?: { outcome: string; error: string | undefined };
  before?: MyState;
  after?: MyState;
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
  const db = dbOf(c);
  await admin.exec(`CREATE DATABASE ${q(db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  const session = await engine.driver.connect(url(db));
  try {
    for (const st of engine.dialect.split(c.setup).statements) await session.exec(st.text);
    const before = await captureMyState(engine, session);
    const down = await generateDown(c.up, {
      engine: "mariadb",
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
    const applied = await captureMyState(engine, session);
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
    return { ...o, before, after: await captureMyState(engine, session) };
  } finally {
    await purgeBackups(engine, session, { all: true });
    await session.close();
  }
}

beforeAll(async () => {
  admin = await engine.driver.connect(url("test"));
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
  for (const c of cases) await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbOf(c))}`);
  await admin
    ?.query(`DELETE FROM ${q(BACKUP_SCHEMA)}.${q(DOWN_SCRIPTS_TABLE)} WHERE database_name LIKE ?`, [`${prefix}%`])
    .catch(() => {});
  await admin?.close();
});

test("COVERAGE.md lists every MariaDB case as its file says, and covers every required kind", () => {
  const fromFiles = cases.map((c) => ({ name: c.name, engine: "mariadb", covers: c.covers, expect: c.expect }));
  expect(loadCoverage().filter((r) => r.engine === "mariadb")).toEqual(fromFiles);
  const covered = new Set(cases.flatMap((c) => c.covers));
  expect((REQUIRED_KINDS.mariadb ?? []).filter((k) => !covered.has(k))).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

describe("mariadb round trips", () => {
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
      if (c.expect !== "irreversible") expect(after).toEqual(before as MyState);
    });
  }
});
