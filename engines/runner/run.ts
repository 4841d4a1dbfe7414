// The runner: runs one migration script against one database on one reserved session, with the
// per-target lock, migratrix_history, segment transactions, statement events and hooks.
// Its three callers (agent jobs, the CLI's local mode, tests) share it; see README.md here.

import { MigratrixError } from "../../common/errors.ts";
import type { HistoryRow, HistoryTable, Target } from "../adapter.ts";
import { type Ctx, finish, report } from "./context.ts";
import { effectOf } from "./doubt.ts";
import { DEFAULT_LOCK_TIMEOUT_MS, MIGRATRIX_VERSION, type RunOptions, type RunResult } from "./options.ts";
import { dirtyBy, dirtyRejection, downStepMap, planRun, planSegments } from "./plan.ts";
import { Progress } from "./progress.ts";
import { commit, lockKey, runStatement } from "./statement.ts";

export async function runMigration(o: RunOptions): Promise<RunResult> {
  const split = o.engine.dialect.split(o.migration.sql, { firstLine: o.migration.lineOffset ?? 1 });
  const c: Ctx = { o, statements: split.statements, started: performance.now(), eventErrors: [] };
  const first = split.problems[0];
  if (first) {
    return finish(
      c,
      "rejected",
      0,
      new MigratrixError(
        "invalid_argument",
        `migration ${o.migration.id}: ${first.message} at line ${first.line}:${first.column}`,
        { line: first.line, column: first.column, problems: split.problems },
      ),
    );
  }
  if (o.direction === "revert" && c.statements.length === 0) {
    return finish(
      c,
      "rejected",
      0,
      new MigratrixError("invalid_argument", `migration ${o.migration.id} has no down script to revert with`),
    );
  }

  let target: Target;
  let key: string;
  try {
    target = await o.engine.migrate.target(o.session);
    key = lockKey(target);
    const locked = await o.engine.migrate.lock(o.session, {
      key,
      timeoutMs: o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    });
    if (!locked) {
      return finish(
        c,
        "rejected",
        0,
        new MigratrixError("failed_precondition", `another migration holds the lock on ${target.database}`, {
          lock: key,
        }),
      );
    }
  } catch (e) {
    return finish(c, "failed", 0, MigratrixError.from(e));
  }

  let result: RunResult;
  try {
    result = await runLocked(c, target);
  } catch (e) {
    result = finish(c, "failed", 0, MigratrixError.from(e));
  }
  try {
    await o.hooks?.afterRun?.(result);
  } catch (e) {
    await report(c, {
      kind: "log",
      level: "error",
      message: `afterRun hook failed: ${MigratrixError.from(e).message}`,
    });
  }
  try {
    await o.engine.migrate.unlock(o.session, { key });
  } catch (e) {
    // The server frees a session lock when the session ends, so a failed release is a warning.
    await report(c, {
      kind: "log",
      level: "warn",
      message: `could not release the lock on ${target.database}: ${MigratrixError.from(e).message}`,
    });
  }
  return result;
}

async function runLocked(c: Ctx, target: Target): Promise<RunResult> {
  const { o } = c;
  const history = (await o.engine.migrate.history.open(o.session, target)) as HistoryTable;
  const existing = await history.read(o.migration.id);
  const stepMap = o.direction === "revert" ? downStepMap(o.migration.sql, c.statements) : null;
  const plan = planRun({
    row: existing,
    migrationId: o.migration.id,
    checksum: o.migration.checksum,
    direction: o.direction,
    statementsTotal: c.statements.length,
    database: target.database,
    ...(stepMap ? { stepMap } : {}),
  });
  if (plan.kind === "rejected") return finish(c, "rejected", existing?.statementsDone ?? 0, plan.error);
  if (plan.kind === "run" && plan.keepLast !== undefined) {
    // Only the inverses of the committed up statements run, numbered as this run's statements.
    c.statements = c.statements.slice(c.statements.length - plan.keepLast).map((s, i) => ({ ...s, index: i + 1 }));
  }
  if (plan.kind === "already_applied") {
    await o.onEvent({ kind: "log", level: "info", message: plan.message });
    return finish(c, "already_applied", existing?.statementsDone ?? 0);
  }
  const dirty = dirtyBy(await history.list(), o.migration.id);
  if (dirty) return finish(c, "rejected", existing?.statementsDone ?? 0, dirtyRejection(dirty, target.database));
  const resumeFrom = await settleDoubt(c, existing, plan.resumeFrom, target);
  if (resumeFrom instanceof MigratrixError) return finish(c, "rejected", plan.resumeFrom, resumeFrom);

  const progress = new Progress(c, history, {
    migrationId: o.migration.id,
    name: o.migration.name,
    checksum: o.migration.checksum,
    direction: o.direction,
    status: "in_progress",
    attempt: o.attempt,
    statementsTotal: c.statements.length,
    statementsDone: resumeFrom,
    runId: o.runId,
    correlationId: o.correlationId,
    appliedBy: o.appliedBy,
    startedAt: new Date(),
    finishedAt: null,
    executionMs: null,
    migratrixVersion: MIGRATRIX_VERSION,
  });
  await (existing ? history.update(progress.row) : history.insert(progress.row));

  let inTx = false;
  try {
    await o.onEvent({ kind: "started", statementsTotal: c.statements.length, statementsDone: resumeFrom });
    for (const message of plan.warnings) await o.onEvent({ kind: "log", level: "warn", message });
    await o.hooks?.beforeRun?.({
      session: o.session,
      target,
      direction: o.direction,
      statements: c.statements,
      resumeFrom,
    });
    const caps = o.engine.capabilities;
    const segments = planSegments(c.statements.slice(resumeFrom), {
      transactional: caps.transactionalDdl && caps.transactions && !o.migration.noTransaction,
    });
    for (const [i, seg] of segments.entries()) {
      if (seg.transactional) {
        await o.engine.migrate.transaction.begin(o.session);
        inTx = true;
      }
      for (const stmt of seg.statements) {
        const r = await runStatement(c, stmt, seg, target);
        if (!seg.transactional) {
          await o.hooks?.beforeHistoryWrite?.(stmt);
          await progress.statementCommitted();
        }
        await o.hooks?.afterStatement?.(stmt, r);
      }
      if (seg.transactional) {
        // The history write rides in the segment's transaction: both commit or neither does.
        await progress.segmentWritten(seg.statements.length, i === segments.length - 1);
        await commit(c, seg);
        inTx = false;
        progress.segmentCommitted(seg.statements.length);
      }
    }
    if (!progress.finished) await progress.finish();
    return finish(c, "completed", progress.done);
  } catch (e) {
    const error = MigratrixError.from(e);
    if (inTx) {
      try {
        await o.engine.migrate.transaction.rollback(o.session);
      } catch (re) {
        await report(c, {
          kind: "log",
          level: "error",
          message: `rollback failed: ${MigratrixError.from(re).message}`,
        });
      }
    }
    try {
      await progress.fail();
    } catch (we) {
      await report(c, {
        kind: "log",
        level: "error",
        message: `could not record the failure in migratrix_history: ${MigratrixError.from(we).message}`,
      });
    }
    return finish(c, "failed", progress.done, error);
  }
}

/**
 * An in_progress row under the lock means its run died. If the statement it was on commits by
 * itself, it may have committed without being counted: decide by introspection, else by the
 * operator's resolution, else refuse. Returns where to resume, or the refusal.
 */
async function settleDoubt(
  c: Ctx,
  existing: HistoryRow | null,
  resumeFrom: number,
  target: Target,
): Promise<number | MigratrixError> {
  const { o } = c;
  if (existing?.status !== "in_progress" || existing.direction !== o.direction) return resumeFrom;
  const next = c.statements[resumeFrom];
  if (!next) return resumeFrom;
  const caps = o.engine.capabilities;
  if (caps.transactionalDdl && caps.transactions && !o.migration.noTransaction && !next.ownSegment) return resumeFrom;
  const n = resumeFrom + 1;
  const where = `migration ${o.migration.id} statement ${n} (line ${next.start.line}) on ${target.database}`;
  const effect = effectOf(next.text, await o.engine.inspector.inspect(o.session));
  const decided = effect === "present" ? "skip" : effect === "absent" ? "rerun" : o.inDoubt;
  if (decided === undefined) {
    return new MigratrixError(
      "failed_precondition",
      `${where} is in doubt: the run that stopped there may have committed it without recording it, and introspection cannot tell; resolve it by running it again (resume) or skipping it (it took effect)`,
      { inDoubt: n, line: next.start.line, column: next.start.column },
    );
  }
  const why =
    effect === "unknown"
      ? "as the operator resolved"
      : `introspection shows it ${effect === "present" ? "took" : "did not take"} effect`;
  await o.onEvent({
    kind: "log",
    level: "warn",
    message: `${where} was in doubt after the previous run stopped: ${decided === "skip" ? "counted as done" : "running it again"}, ${why}`,
  });
  return decided === "skip" ? n : resumeFrom;
}
