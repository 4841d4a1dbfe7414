// The per-database lock must not deadlock with a CREATE INDEX CONCURRENTLY of the migration that
// holds it: a session waiting inside pg_advisory_lock would hold a snapshot that the concurrent
// index build waits for. Waiting by polling pg_try_advisory_lock holds nothing between tries.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { lockKey, runMigration } from "../runner/index.ts";
import { postgresTarget } from "../test/targets/postgres.ts";
import type { Session } from "../types.ts";
import { createPostgresEngine } from "./index.ts";

const engine = createPostgresEngine();
let db: { url: string; database: string; drop(): Promise<void> };
let a: Session;
let b: Session;
let watcher: Session;

beforeAll(async () => {
  db = await postgresTarget().create();
  a = await engine.driver.connect(db.url);
  b = await engine.driver.connect(db.url);
  watcher = await engine.driver.connect(db.url);
  await a.exec("CREATE TABLE items (id int PRIMARY KEY, name text)");
});
afterAll(async () => {
  await Promise.all([a, b, watcher].map((s) => s?.close()));
  await db?.drop();
});

test("a session waiting for the lock does not block the holder's CREATE INDEX CONCURRENTLY", async () => {
  const [{ pid } = { pid: 0 }] = await b.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const key = lockKey({ database: db.database, historySchema: "public" });
  let waiter: Promise<boolean> | undefined;
  const result = await runMigration({
    engine,
    session: a,
    migration: {
      id: "001_concurrent_index",
      name: "concurrent index",
      checksum: "c1",
      sql: "INSERT INTO items VALUES (1, 'a');\nCREATE INDEX CONCURRENTLY items_name_idx ON items (name);",
    },
    direction: "apply",
    runId: "run-1",
    attempt: 1,
    appliedBy: "test",
    correlationId: "corr-1",
    onEvent: () => {},
    hooks: {
      async beforeStatement(s) {
        if (s.index !== 2) return;
        // Another runner on the same database starts waiting for the lock, and has tried once.
        waiter = engine.migrate.lock(b, { key, timeoutMs: 30_000 });
        for (;;) {
          const [row] = await watcher.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%advisory_lock%'",
            [pid],
          );
          if ((row?.n ?? 0) > 0) break;
          await Bun.sleep(5);
        }
      },
    },
  });
  expect({ outcome: result.outcome, statementsDone: result.statementsDone }).toEqual({
    outcome: "completed",
    statementsDone: 2,
  });
  // The holder released the lock at the end of its run; the waiter gets it.
  expect(await waiter).toBe(true);
  await engine.migrate.unlock(b, { key });
});
