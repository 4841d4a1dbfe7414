// Shared set-up of the conformance suite: a fresh database with two sessions (the second one
// checks locks from outside), and helpers to run migrations and read the results.
import { afterAll, beforeAll, expect } from "bun:test";
import type { EngineAdapter, HistoryRow } from "../adapter.ts";
import type { RunnerEvent } from "../runner/events.ts";
import {
  MIGRATRIX_VERSION,
  type MigrationInput,
  type RunOptions,
  type RunResult,
  runMigration,
} from "../runner/index.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import type { ConformanceTarget, FreshDatabase } from "./target.ts";

export interface Harness {
  t: ConformanceTarget;
  engine: EngineAdapter;
  /** Set in beforeAll. */
  db: FreshDatabase;
  session: Session;
  /** A second session, to hold or probe the lock from outside. */
  other: Session;
  lockKey(): string;
  snapshot(): Promise<SchemaSnapshot>;
  historyRow(id: string): Promise<HistoryRow | null>;
  /** Another session can take the per-target lock at once: nothing was left holding it. */
  expectLockFree(): Promise<void>;
  migration(id: string, sql: string, extra?: Partial<MigrationInput>): MigrationInput;
  /** Runs a migration on the main session and checks the lock is free afterwards. */
  run(m: MigrationInput, extra?: Partial<RunOptions>): Promise<{ result: RunResult; events: RunnerEvent[] }>;
  /** `CREATE TABLE <name> (id INTEGER PRIMARY KEY, v VARCHAR(20))`, the same on every engine. */
  table(name: string): string;
  historyOf(
    m: MigrationInput,
    fields: Pick<HistoryRow, "status" | "statementsTotal" | "statementsDone"> & Partial<HistoryRow>,
  ): HistoryRow;
}

export function harness(t: ConformanceTarget): Harness {
  const engine = t.engine;
  const h: Harness = {
    t,
    engine,
    db: undefined as unknown as FreshDatabase,
    session: undefined as unknown as Session,
    other: undefined as unknown as Session,
    lockKey: () => `migratrix:${h.db.database}`,
    snapshot: () => engine.inspector.inspect(h.session),
    async historyRow(id) {
      const table = await engine.migrate.history.open(h.session, await engine.migrate.target(h.session), {
        create: false,
      });
      return table ? table.read(id) : null;
    },
    async expectLockFree() {
      expect(await engine.migrate.lock(h.other, { key: h.lockKey(), timeoutMs: 0 })).toBe(true);
      await engine.migrate.unlock(h.other, { key: h.lockKey() });
    },
    migration: (id, sql, extra = {}) => ({
      id,
      name: id.replace(/^\d+_/, ""),
      checksum: `sha256:${id}`,
      sql,
      ...extra,
    }),
    async run(m, extra = {}) {
      const events: RunnerEvent[] = [];
      const result = await runMigration({
        engine,
        session: h.session,
        migration: m,
        direction: "apply",
        runId: `run-${m.id}`,
        attempt: 1,
        appliedBy: "conformance",
        correlationId: `corr-${m.id}`,
        lockTimeoutMs: 2000,
        onEvent: (e) => {
          events.push(e);
        },
        ...extra,
      });
      await h.expectLockFree();
      return { result, events };
    },
    table: (name) => `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, v VARCHAR(20))`,
    historyOf: (m, fields) => ({
      migrationId: m.id,
      name: m.name,
      checksum: m.checksum,
      direction: "apply",
      attempt: 1,
      runId: `run-${m.id}`,
      correlationId: `corr-${m.id}`,
      appliedBy: "conformance",
      startedAt: expect.any(Date),
      finishedAt: expect.any(Date),
      executionMs: expect.any(Number),
      migratrixVersion: MIGRATRIX_VERSION,
      ...fields,
    }),
  };
  beforeAll(async () => {
    h.db = await t.create();
    h.session = await engine.driver.connect(h.db.url);
    h.other = await engine.driver.connect(h.db.url);
  });
  afterAll(async () => {
    await h.session?.close();
    await h.other?.close();
    await h.db?.drop();
  });
  return h;
}
