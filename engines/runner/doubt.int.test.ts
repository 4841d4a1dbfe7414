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

// A revert of an apply that died (history row still in_progress): the statement after the last
// counted one may have committed by itself. The revert decides it (introspection, else the
// operator's answer, else a refusal naming how to answer) and undoes exactly what committed.
describe("MariaDB: rolling back an apply that died with a statement in doubt", () => {
  const target = mariadbTarget();
  // Statement 2 does two things, so introspection cannot tell whether it took effect.
  const UP =
    "CREATE TABLE rv_a (id INT PRIMARY KEY);\nALTER TABLE rv_a ADD COLUMN x INT, ADD COLUMN y INT;\nCREATE TABLE rv_b (id INT);";
  const DOWN = [
    "-- migratrix:undoes 3",
    "DROP TABLE rv_b;",
    "-- migratrix:undoes 2",
    "ALTER TABLE rv_a DROP COLUMN y, DROP COLUMN x;",
    "-- migratrix:undoes 1",
    "DROP TABLE rv_a;",
  ].join("\n");
  let db: FreshDatabase;
  let session: Session;
  beforeAll(async () => {
    db = await target.create();
    session = await target.engine.driver.connect(db.url);
  });
  afterAll(async () => {
    await session?.close();
    await db?.drop();
  });

  const base = (direction: "apply" | "revert", sql: string) => ({
    engine: target.engine,
    session,
    migration: { id: "rv", name: "rv", checksum: "cv", sql, up: { sql: UP } },
    direction,
    runId: "rv1",
    attempt: 1,
    appliedBy: "test",
    correlationId: "cv",
    lockTimeoutMs: 1000,
  });
  const run = async (
    direction: "apply" | "revert",
    extra: Partial<RunOptions> = {},
    sql = direction === "apply" ? UP : DOWN,
  ) => {
    const logs: string[] = [];
    const r = await runMigration({
      ...base(direction, sql),
      onEvent: (e) => {
        if (e.kind === "log") logs.push(e.message);
      },
      ...extra,
    });
    return { outcome: r.outcome, done: r.statementsDone, error: r.error?.message, logs };
  };
  const tables = async () =>
    (
      await session.query<{ t: string; c: string }>(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name LIKE 'rv\\_%' ORDER BY 1, 2",
      )
    ).map((r) => `${r.t}.${r.c}`);
  const history = async () =>
    session.query<{ direction: string; status: string; statements_done: number }>(
      "SELECT direction, status, statements_done FROM migratrix_history WHERE migration_id = 'rv'",
    );
  const reset = async () => {
    for (const t of ["rv_b", "rv_a"]) await session.exec(`DROP TABLE IF EXISTS ${t}`);
    await session.exec("DROP TABLE IF EXISTS migratrix_history");
  };
  /** Apply stopped as a SIGKILL would leave it: statements 1..committed ran, history says `counted`. */
  const died = async (committed: number, counted: number) => {
    await reset();
    const stopped = await run("apply", {
      hooks: {
        beforeStatement: (s) => {
          if (s.index === committed + 1) throw new Error("killed");
        },
      },
    });
    expect(stopped.done).toBe(committed);
    await session.exec(
      `UPDATE migratrix_history SET status = 'in_progress', statements_done = ${counted} WHERE migration_id = 'rv'`,
    );
  };

  test("undecidable and no answer: refused before any change, saying how to answer", async () => {
    await died(2, 1);
    const r = await run("revert");
    expect(r.outcome).toBe("rejected");
    expect(r.error).toBe(
      `migration rv statement 2 (line 2) on ${db.database} is in doubt: the run that stopped there may have committed it without recording it, and introspection cannot tell; roll it back saying whether it took effect (mx migration resolve RUN --rollback --took-effect | --not-applied)`,
    );
    expect(await tables()).toEqual(["rv_a.id", "rv_a.x", "rv_a.y"]);
    expect(await history()).toEqual([{ direction: "apply", status: "in_progress", statements_done: 1 }]);
  });

  test("the operator says it took effect: statements 2 and 1 are undone", async () => {
    await died(2, 1);
    const r = await run("revert", { inDoubt: "skip" });
    expect({ outcome: r.outcome, done: r.done, tables: await tables(), history: await history() }).toEqual({
      outcome: "completed",
      done: 2,
      tables: [],
      history: [{ direction: "revert", status: "reverted", statements_done: 2 }],
    });
    expect(r.logs).toContain(
      `migration rv statement 2 (line 2) on ${db.database} was in doubt after the apply stopped: undoing it too, as the operator resolved`,
    );
  });

  test("the operator says it did not take effect: only statement 1 is undone", async () => {
    await died(1, 1);
    const r = await run("revert", { inDoubt: "rerun" });
    expect({ outcome: r.outcome, done: r.done, tables: await tables() }).toEqual({
      outcome: "completed",
      done: 1,
      tables: [],
    });
  });

  test("introspection decides a single-object statement without an answer", async () => {
    // Statement 1 (CREATE TABLE) committed, nothing counted: introspection sees rv_a.
    await died(1, 0);
    const r = await run("revert");
    expect({ outcome: r.outcome, done: r.done, tables: await tables() }).toEqual({
      outcome: "completed",
      done: 1,
      tables: [],
    });
    expect(r.logs).toContain(
      `migration rv statement 1 (line 1) on ${db.database} was in doubt after the apply stopped: undoing it too, introspection shows it took effect`,
    );
  });

  test("nothing committed: nothing to revert, and the database is no longer dirty", async () => {
    await died(0, 0);
    const r = await run("revert");
    expect({ outcome: r.outcome, done: r.done, history: await history() }).toEqual({
      outcome: "already_applied",
      done: 0,
      history: [{ direction: "apply", status: "failed", statements_done: 0 }],
    });
    // Another migration is no longer held back by this one.
    const other = await runMigration({
      ...base("apply", "CREATE TABLE rv_other (id INT);"),
      migration: { id: "rv_other", name: "rv_other", checksum: "co", sql: "CREATE TABLE rv_other (id INT);" },
      onEvent: () => {},
    });
    expect(other.outcome).toBe("completed");
    await session.exec("DROP TABLE rv_other");
  });
});
