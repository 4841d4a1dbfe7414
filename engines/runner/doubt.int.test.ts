// Statements left in doubt by a run that died between a statement committing by itself and its
// history write, on real MariaDB (DDL commits by itself) and PostgreSQL (CREATE INDEX
// CONCURRENTLY runs outside a transaction; a transactional segment is never in doubt).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConformanceTarget, FreshDatabase } from "../test/target.ts";
import { mariadbTarget } from "../test/targets/mariadb.ts";
import { postgresTarget } from "../test/targets/postgres.ts";
import type { Session } from "../types.ts";
import type { RunnerEvent } from "./events.ts";
import type { RunOptions } from "./options.ts";
import { runMigration } from "./run.ts";

interface Case {
  target: ConformanceTarget;
  /** Statement 2 commits by itself on this engine. */
  sql: string;
  /** Makes statement 2's effect present, as if it had committed before the kill. */
  effect: string;
  param: string;
}

const cases: [string, Case][] = [
  [
    "MariaDB",
    {
      target: mariadbTarget(),
      sql: "CREATE TABLE dt_a (id INT PRIMARY KEY);\nCREATE INDEX dt_a_id ON dt_a (id);\nCREATE TABLE dt_b (id INT);",
      effect: "CREATE INDEX dt_a_id ON dt_a (id)",
      param: "?",
    },
  ],
  [
    "PostgreSQL",
    {
      target: postgresTarget(),
      sql: "CREATE TABLE dt_a (id INT PRIMARY KEY);\nCREATE INDEX CONCURRENTLY dt_a_id ON dt_a (id);\nCREATE TABLE dt_b (id INT);",
      effect: "CREATE INDEX dt_a_id ON dt_a (id)",
      param: "$1",
    },
  ],
];

for (const [name, c] of cases) {
  describe(name, () => {
    let db: FreshDatabase;
    let session: Session;
    beforeAll(async () => {
      db = await c.target.create();
      session = await c.target.engine.driver.connect(db.url);
    });
    afterAll(async () => {
      await session?.close();
      await db?.drop();
    });

    const run = async (extra: Partial<RunOptions> = {}) => {
      const events: RunnerEvent[] = [];
      const result = await runMigration({
        engine: c.target.engine,
        session,
        migration: { id: "m1", name: "m1", checksum: "c1", sql: c.sql },
        direction: "apply",
        runId: "r1",
        attempt: 1,
        appliedBy: "test",
        correlationId: "c1",
        lockTimeoutMs: 1000,
        onEvent: (e) => {
          events.push(e);
        },
        ...extra,
      });
      const warnings = events.flatMap((e) => (e.kind === "log" && e.level === "warn" ? [e.message] : []));
      return { outcome: result.outcome, done: result.statementsDone, warnings };
    };

    test("a kill after statement 2 committed but before its history write: resumed at 3, never run twice", async () => {
      const killed = await run({
        hooks: {
          beforeStatement: (s) => {
            if (s.index === 2) throw new Error("killed");
          },
        },
      });
      expect(killed).toEqual({ outcome: "failed", done: 1, warnings: [] });
      await session.exec(c.effect);
      await session.query(`UPDATE migratrix_history SET status = 'in_progress' WHERE migration_id = ${c.param}`, [
        "m1",
      ]);
      expect(await run()).toEqual({
        outcome: "completed",
        done: 3,
        warnings: [
          `migration m1 statement 2 (line 2) on ${db.database} was in doubt after the previous run stopped: counted as done, introspection shows it took effect`,
        ],
      });
    });
  });
}

// Fault injection at fixed points of a 7-statement migration: the run is stopped before each
// statement k, and (where statements commit by themselves) between statement k and its history
// write; the next run must finish it with every statement having run exactly once (a statement
// run twice fails on the object it already made), and end at the same schema as a clean run.
const SEVEN = (dropIndex: string) =>
  [
    "CREATE TABLE f_a (id INT PRIMARY KEY)",
    "CREATE TABLE f_b (id INT)",
    "ALTER TABLE f_a ADD COLUMN note VARCHAR(20)",
    "CREATE INDEX f_b_id ON f_b (id)",
    "ALTER TABLE f_b ADD COLUMN v INT",
    dropIndex,
    "CREATE TABLE f_c (id INT)",
  ]
    .map((s) => `${s};`)
    .join("\n");

const faultCases: [string, ConformanceTarget, string, string, boolean][] = [
  ["MariaDB", mariadbTarget(), SEVEN("DROP INDEX f_b_id ON f_b"), "?", true],
  ["PostgreSQL", postgresTarget(), SEVEN("DROP INDEX f_b_id"), "$1", false],
];

for (const [name, target, sql, param, selfCommitting] of faultCases) {
  describe(`${name}: kill points of a 7-statement migration`, () => {
    let db: FreshDatabase;
    let session: Session;
    let clean: Awaited<ReturnType<typeof schema>>;
    beforeAll(async () => {
      db = await target.create();
      session = await target.engine.driver.connect(db.url);
      expect((await apply()).outcome).toBe("completed");
      clean = await schema();
    });
    afterAll(async () => {
      await session?.close();
      await db?.drop();
    });

    const schema = async () => {
      const snap = await target.engine.inspector.inspect(session);
      return snap.tables.filter((t) => t.name.startsWith("f_"));
    };
    const reset = async () => {
      for (const t of ["f_c", "f_b", "f_a"]) await session.exec(`DROP TABLE IF EXISTS ${t}`);
      await session.query(`DELETE FROM migratrix_history WHERE migration_id = ${param}`, ["f7"]);
    };
    const apply = (stopBefore?: number) =>
      runMigration({
        engine: target.engine,
        session,
        migration: { id: "f7", name: "f7", checksum: "c7", sql },
        direction: "apply",
        runId: "r7",
        attempt: 1,
        appliedBy: "test",
        correlationId: "c7",
        lockTimeoutMs: 1000,
        onEvent: () => {},
        hooks: {
          beforeStatement: (s) => {
            if (s.index === stopBefore) throw new Error("killed");
          },
        },
      });
    /** What the history row says after the kill; a kill, unlike a failure, leaves it in_progress. */
    const died = (done: number) =>
      session.query(
        `UPDATE migratrix_history SET status = 'in_progress', statements_done = ${done} WHERE migration_id = ${param}`,
        ["f7"],
      );

    const points = [1, 2, 3, 4, 5, 6, 7].flatMap((k) => [
      { k, between: false },
      ...(selfCommitting ? [{ k, between: true }] : []),
    ]);
    test.each(points)("k=$k between statement and history write: $between", async ({ k, between }) => {
      await reset();
      // Between k and its history write: statement k committed, only k-1 are counted.
      const stopped = await apply(between ? (k < 7 ? k + 1 : undefined) : k);
      const committed = selfCommitting ? (between ? k : k - 1) : 0;
      expect(stopped.statementsDone).toBe(between && k === 7 ? 7 : committed);
      await died(between ? k - 1 : committed);
      const resumed = await apply();
      expect({ outcome: resumed.outcome, done: resumed.statementsDone, schema: await schema() }).toEqual({
        outcome: "completed",
        done: 7,
        schema: clean,
      });
    });
  });
}
