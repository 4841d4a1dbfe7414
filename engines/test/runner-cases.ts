// The runner cases of the conformance suite, against the engine's real server.
import { describe, expect, test } from "bun:test";
import type { RunResult } from "../runner/index.ts";
import { runMigration } from "../runner/index.ts";
import { normalizeSnapshot } from "../schema/snapshot.ts";
import type { Harness } from "./harness.ts";

export function defineRunnerCases(h: Harness): void {
  const { t, snapshot, historyRow, expectLockFree, migration, run, table, historyOf, lockKey } = h;
  const any = { durationMs: expect.any(Number) };

  describe(`${h.engine.id}: runner`, () => {
    test("happy path: events in order, history applied, lock free", async () => {
      const m = migration("001_happy", `${table("r_happy")};\nINSERT INTO r_happy (id, v) VALUES (1, 'a');\n`);
      const { result, events } = await run(m);
      const at = (index: number, line: number, excerpt: string) => ({
        index,
        position: { line, column: 1 },
        excerpt,
        ownSegment: false,
      });
      const s1 = at(1, 1, table("r_happy"));
      const s2 = at(2, 2, "INSERT INTO r_happy (id, v) VALUES (1, 'a')");
      expect({ result, events, row: await historyRow(m.id) }).toEqual({
        result: { outcome: "completed", statementsDone: 2, statementsTotal: 2, ...any },
        events: [
          { kind: "started", statementsTotal: 2, statementsDone: 0 },
          { kind: "statementStarted", statement: s1 },
          { kind: "statementFinished", statement: s1, rowsAffected: 0, ...any },
          { kind: "statementStarted", statement: s2 },
          { kind: "statementFinished", statement: s2, rowsAffected: 1, ...any },
        ],
        row: historyOf(m, { status: "applied", statementsTotal: 2, statementsDone: 2 }),
      });
    });

    test("a second run of an applied migration is already_applied and runs nothing", async () => {
      const m = migration("002_twice", `${table("r_twice")};`);
      await run(m);
      const before = await snapshot();
      const { result, events } = await run({ ...m, sql: `${table("r_twice_again")};` });
      expect({ result, events, after: await snapshot() }).toEqual({
        result: { outcome: "already_applied", statementsDone: 1, statementsTotal: 1, ...any },
        events: [{ kind: "log", level: "info", message: `migration 002_twice is already applied to ${h.db.database}` }],
        after: before,
      });
    });

    test("an edited migration is rejected before any SQL runs", async () => {
      const m = migration("003_edited", `${table("r_edited")};`);
      await run(m);
      const before = { schema: await snapshot(), row: await historyRow(m.id) };
      const { result, events } = await run({ ...m, checksum: "sha256:changed", sql: `${table("r_never")};` });
      expect({ code: result.error?.code, message: result.error?.message }).toEqual({
        code: "failed_precondition",
        message: `migration 003_edited was edited after it was applied to ${h.db.database} (applied checksum sha256:003_edited, file checksum sha256:changed)`,
      });
      expect({ outcome: result.outcome, events, schema: await snapshot(), row: await historyRow(m.id) }).toEqual({
        outcome: "rejected",
        events: [],
        ...before,
      });
    });

    test("a failing statement fails the run at that statement and records it", async () => {
      const m = migration(
        "004_failing",
        `${table("r_fail")};\nINSERT INTO r_fail (id, v) VALUES (1, 'a');\n\n\n${t.failingStatement.sql};\n${table("r_fail_after")};`,
      );
      const before = await snapshot();
      const { result, events } = await run(m);
      const committed = t.ddlRollsBack ? 0 : 2;
      const e = {
        ...t.failingStatement.error,
        message: t.failingStatement.error.message.replace("{db}", h.db.database),
      };
      expect({
        outcome: result.outcome,
        statementsDone: result.statementsDone,
        error: { code: result.error?.code, message: result.error?.message, detail: result.error?.detail },
        lastEvent: events.at(-1),
        row: await historyRow(m.id),
        schema: await snapshot(),
      }).toEqual({
        outcome: "failed",
        statementsDone: committed,
        error: {
          code: e.code,
          message: e.message,
          detail: expect.objectContaining({ nativeCode: e.nativeCode, statement: 3, line: e.line, column: e.column }),
        },
        lastEvent: {
          kind: "statementFailed",
          statement: { index: 3, position: { line: 5, column: 1 }, excerpt: t.failingStatement.sql, ownSegment: false },
          durationMs: expect.any(Number),
          error: {
            code: e.code,
            nativeCode: e.nativeCode,
            message: e.message,
            position: { line: e.line, column: e.column },
          },
        },
        row: historyOf(m, { status: "failed", statementsTotal: 4, statementsDone: committed }),
        schema: t.ddlRollsBack
          ? before
          : normalizeSnapshot({ ...before, tables: [...before.tables, t.runnerTable("r_fail", h.db.database)] }),
      });
    });

    test("a retry after fixing the statement resumes where the committed statements end", async () => {
      const fixed = migration(
        "004_failing",
        `${table("r_fail")};\nINSERT INTO r_fail (id, v) VALUES (1, 'a');\n\n\nSELECT 1;\n${table("r_fail_after")};`,
        {
          checksum: "sha256:004_fixed",
        },
      );
      const { result, events } = await run(fixed, { attempt: 2 });
      const resumed = t.ddlRollsBack ? 0 : 2;
      expect({
        result,
        started: events[0],
        warnings: events.filter((e) => e.kind === "log"),
        ran: events.filter((e) => e.kind === "statementFinished").map((e) => e.statement.index),
      }).toEqual({
        result: { outcome: "completed", statementsDone: 4, statementsTotal: 4, ...any },
        started: { kind: "started", statementsTotal: 4, statementsDone: resumed },
        warnings: t.ddlRollsBack
          ? []
          : [
              {
                kind: "log",
                level: "warn",
                message:
                  "migration 004_failing changed since the attempt that stopped (checksum sha256:004_failing → sha256:004_fixed); resuming at statement 3, assuming statements 1..2 are unchanged",
              },
            ],
        ran: t.ddlRollsBack ? [1, 2, 3, 4] : [3, 4],
      });
    });

    test("a lock held by another session rejects the run with failed_precondition", async () => {
      expect(await h.engine.migrate.lock(h.other, { key: lockKey(), timeoutMs: 0 })).toBe(true);
      let outcome: RunResult;
      try {
        outcome = await runMigration({
          engine: h.engine,
          session: h.session,
          migration: migration("005_locked", `${table("r_locked")};`),
          direction: "apply",
          runId: "run-locked",
          attempt: 1,
          appliedBy: "conformance",
          correlationId: "corr-locked",
          lockTimeoutMs: 50,
          onEvent: () => {},
        });
      } finally {
        await h.engine.migrate.unlock(h.other, { key: lockKey() });
      }
      expect({ outcome: outcome.outcome, code: outcome.error?.code, message: outcome.error?.message }).toEqual({
        outcome: "rejected",
        code: "failed_precondition",
        message: `another migration holds the lock on ${h.db.database}`,
      });
      await expectLockFree();
      expect(await historyRow("005_locked")).toBeNull();
    });

    const own = t.ownSegment;
    if ("sql" in own) {
      test("an own-segment statement runs outside the migration's transaction", async () => {
        const m = migration("006_own", `${table("r_own")};\n${own.sql};\nINSERT INTO r_own (id, v) VALUES (1, 'a');`);
        const { result, events } = await run(m);
        const flags = events.flatMap((e) => (e.kind === "statementStarted" ? [e.statement.ownSegment] : []));
        const [check] = await h.session.query(own.check(h.db.database));
        expect({ result, flags, check, row: await historyRow(m.id) }).toEqual({
          result: { outcome: "completed", statementsDone: 3, statementsTotal: 3, ...any },
          flags: [false, true, false],
          check: { ok: 1 },
          row: historyOf(m, { status: "applied", statementsTotal: 3, statementsDone: 3 }),
        });
      });
    } else {
      // No statement of this engine needs its own segment (the reason is in the target data): the
      // runner must flag none, even for statements that need one on other engines.
      test(`no statement is flagged as an own segment: ${own.none}`, async () => {
        const m = migration(
          "006_own",
          `${table("r_own")};\nCREATE INDEX r_own_v ON r_own (v);\nINSERT INTO r_own (id, v) VALUES (1, 'a');`,
        );
        const { result, events } = await run(m);
        const flags = events.flatMap((e) => (e.kind === "statementStarted" ? [e.statement.ownSegment] : []));
        expect({ outcome: result.outcome, flags }).toEqual({ outcome: "completed", flags: [false, false, false] });
      });
    }

    test("revert runs the down script and marks the migration reverted", async () => {
      const m = migration("007_revert", `${table("r_revert")};`);
      await run(m);
      const withTable = await snapshot();
      const down = { ...m, sql: "DROP TABLE r_revert;" };
      const first = await run(down, { direction: "revert", runId: "run-007-down" });
      const second = await run(down, { direction: "revert", runId: "run-007-down-2" });
      expect({
        first: first.result,
        second: second.result,
        secondEvents: second.events,
        row: await historyRow(m.id),
        schema: await snapshot(),
      }).toEqual({
        first: { outcome: "completed", statementsDone: 1, statementsTotal: 1, ...any },
        second: { outcome: "already_applied", statementsDone: 1, statementsTotal: 1, ...any },
        secondEvents: [
          { kind: "log", level: "info", message: `migration 007_revert is already reverted on ${h.db.database}` },
        ],
        row: historyOf(m, {
          direction: "revert",
          status: "reverted",
          statementsTotal: 1,
          statementsDone: 1,
          runId: "run-007-down",
        }),
        schema: { ...withTable, tables: withTable.tables.filter((x) => x.name !== "r_revert") },
      });
    });

    test("aborting stops before the next statement and rolls back", async () => {
      const m = migration("008_abort", `${table("r_abort")};\nINSERT INTO r_abort (id, v) VALUES (1, 'a');`);
      const before = await snapshot();
      const ac = new AbortController();
      const { result } = await run(m, {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.kind === "statementFinished" && e.statement.index === 1) ac.abort();
        },
      });
      const committed = t.ddlRollsBack ? 0 : 1;
      expect({
        outcome: result.outcome,
        statementsDone: result.statementsDone,
        code: result.error?.code,
        message: result.error?.message,
        row: await historyRow(m.id),
        schema: await snapshot(),
      }).toEqual({
        outcome: "failed",
        statementsDone: committed,
        code: "aborted",
        message: "run aborted before statement 2 (line 2:1)",
        row: historyOf(m, { status: "failed", statementsTotal: 2, statementsDone: committed }),
        schema: t.ddlRollsBack
          ? before
          : normalizeSnapshot({ ...before, tables: [...before.tables, t.runnerTable("r_abort", h.db.database)] }),
      });
      // Run again, it finishes from where the committed statements end, so the database is clean
      // (not dirty) for the cases after this one.
      const again = await run(m, { attempt: 2 });
      expect({ outcome: again.result.outcome, done: again.result.statementsDone }).toEqual({
        outcome: "completed",
        done: 2,
      });
    });

    test("hooks and events interleave in order", async () => {
      const m = migration("009_hooks", `${table("r_hooks")};\nINSERT INTO r_hooks (id, v) VALUES (1, 'a');`);
      const seen: string[] = [];
      const { result } = await run(m, {
        onEvent: (e) => {
          seen.push(`event:${e.kind}${"statement" in e ? `:${e.statement.index}` : ""}`);
        },
        hooks: {
          beforeRun: (ctx) => {
            seen.push(`beforeRun:${ctx.target.database === h.db.database}:${ctx.resumeFrom}`);
          },
          beforeStatement: (s) => {
            seen.push(`beforeStatement:${s.index}`);
          },
          afterStatement: (s, r) => {
            seen.push(`afterStatement:${s.index}:${r.rowsAffected}`);
          },
          afterRun: (r) => {
            seen.push(`afterRun:${r.outcome}`);
          },
        },
      });
      expect({ outcome: result.outcome, seen }).toEqual({
        outcome: "completed",
        seen: [
          "event:started",
          "beforeRun:true:0",
          "beforeStatement:1",
          "event:statementStarted:1",
          "event:statementFinished:1",
          "afterStatement:1:0",
          "beforeStatement:2",
          "event:statementStarted:2",
          "event:statementFinished:2",
          "afterStatement:2:1",
          "afterRun:completed",
        ],
      });
    });

    test("no-transaction: every statement commits by itself", async () => {
      const m = migration("010_notx", `${table("r_notx")};\n${t.failingStatement.sql};`, { noTransaction: true });
      const { result } = await run(m);
      expect({ outcome: result.outcome, statementsDone: result.statementsDone, row: await historyRow(m.id) }).toEqual({
        outcome: "failed",
        statementsDone: 1,
        row: historyOf(m, { status: "failed", statementsTotal: 2, statementsDone: 1 }),
      });
      expect((await snapshot()).tables.map((x) => x.name)).toContain("r_notx");
    });

    test("a migration stopped part-way leaves the database dirty: others are refused until it is finished", async () => {
      const other = migration("010b_after", `${table("r_after_dirty")};`);
      const before = await snapshot();
      const refused = await run(other);
      expect({
        outcome: refused.result.outcome,
        code: refused.result.error?.code,
        message: refused.result.error?.message,
        detail: refused.result.error?.detail,
        events: refused.events,
        row: await historyRow(other.id),
        schema: await snapshot(),
      }).toEqual({
        outcome: "rejected",
        code: "failed_precondition",
        message: `${h.db.database} is dirty: the apply of migration 010_notx failed after committing 1 of 2 statements; run it again, resolve it (mx migration resolve) or roll it back before other migrations run there`,
        detail: { dirty: { migrationId: "010_notx", direction: "apply", statementsDone: 1, statementsTotal: 2 } },
        events: [],
        row: null,
        schema: before,
      });
      const fixed = migration("010_notx", `${table("r_notx")};\nSELECT 1;`, {
        noTransaction: true,
        checksum: "sha256:010_fixed",
      });
      expect((await run(fixed, { attempt: 2 })).result.outcome).toBe("completed");
      expect((await run(other)).result.outcome).toBe("completed");
    });

    test("a script the splitter cannot read is rejected with line:column before touching the database", async () => {
      const m = migration("011_unclosed", "SELECT 1;\nSELECT 'never closed;", { lineOffset: 10 });
      const { result } = await run(m);
      expect({
        outcome: result.outcome,
        code: result.error?.code,
        line: result.error?.detail.line,
        column: result.error?.detail.column,
        row: await historyRow(m.id),
      }).toEqual({ outcome: "rejected", code: "invalid_argument", line: 11, column: 8, row: null });
    });

    test("a partly applied migration reverts only its committed statements with a generated (mapped) down script", async () => {
      const before = await snapshot();
      const m = migration("012_partial", `${table("r_pa_a")};\n${table("r_pa_b")};\n${t.failingStatement.sql};`, {
        noTransaction: true,
      });
      expect((await run(m)).result.statementsDone).toBe(2);
      const handWritten = { ...m, sql: "DROP TABLE r_pa_b;\nDROP TABLE r_pa_a;" };
      const refused = await run(handWritten, { direction: "revert", runId: "run-012-hand" });
      expect({ outcome: refused.result.outcome, message: refused.result.error?.message }).toEqual({
        outcome: "rejected",
        message: `migration 012_partial has an apply that stopped after 2 of 3 statements on ${h.db.database}; its down script is not a generated one mapped to the up statements (a hand-written -- DOWN section cannot be split by statement), so it cannot undo only the 2 committed statement(s): run the apply again to finish it first, or resolve it`,
      });
      // The step of statement 3 would fail if it ran: it undoes what never committed.
      const generated = {
        ...m,
        sql: "-- migratrix:undoes 3\nDROP TABLE r_pa_never;\n-- migratrix:undoes 2\nDROP TABLE r_pa_b;\n-- migratrix:undoes 1\nDROP TABLE r_pa_a;\n",
      };
      const reverted = await run(generated, { direction: "revert", runId: "run-012-down" });
      expect({ result: reverted.result, row: await historyRow(m.id), schema: await snapshot() }).toEqual({
        result: { outcome: "completed", statementsDone: 2, statementsTotal: 2, ...any },
        row: historyOf(m, {
          direction: "revert",
          status: "reverted",
          statementsTotal: 2,
          statementsDone: 2,
          runId: "run-012-down",
        }),
        schema: before,
      });
    });
  });
}
