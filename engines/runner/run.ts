// The runner: runs one migration script against one database on one reserved session, with the
// per-target lock, migratrix_history, segment transactions, statement events and hooks.
// Its three callers (agent jobs, the CLI's local mode, tests) share it; see README.md here.

import { MigratrixError } from "../../common/errors.ts";
import type { HistoryRow, HistoryTable, Target } from "../adapter.ts";
import type { Statement } from "../types.ts";
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
  let existing = await history.read(o.migration.id);
  if (o.direction === "revert" && existing?.direction === "apply" && existing.status === "in_progress") {
    const settled = await settleDoubtBeforeRevert(c, existing, target);
    if (settled instanceof MigratrixError) return finish(c, "rejected", 0, settled);
    if (settled.statementsDone === 0) {
      // Nothing committed: the row stops being in progress, so the database is no longer dirty.
      await history.update({ ...settled, finishedAt: new Date() });
      await o.onEvent({
        kind: "log",
        level: "info",
        message: `nothing of migration ${o.migration.id} committed on ${target.database} before its apply stopped: nothing to revert`,
      });
      return finish(c, "already_applied", 0);
    }
    existing = settled;
  }
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

/** How a statement in doubt was decided: by introspection or by the operator's answer. */
interface DoubtDecision {
  tookEffect: boolean;
  why: string;
}

/**
 * Whether `stmt` (statement `n` of the up script) may have committed by itself without being
 * counted, and if so whether it took effect: by introspection, else by the operator's answer, else
 * a refusal that says how to answer. null when it cannot be in doubt (it ran in a transaction
 * with its history write).
 */
async function decideDoubt(
  c: Ctx,
  stmt: Statement,
  n: number,
  target: Target,
  answer: string,
): Promise<DoubtDecision | MigratrixError | null> {
  const { o } = c;
  const caps = o.engine.capabilities;
  if (caps.transactionalDdl && caps.transactions && !o.migration.noTransaction && !stmt.ownSegment) return null;
  const effect = effectOf(stmt.text, await o.engine.inspector.inspect(o.session));
  if (effect !== "unknown") {
    return {
      tookEffect: effect === "present",
      why: `introspection shows it ${effect === "present" ? "took" : "did not take"} effect`,
    };
  }
  if (o.inDoubt) return { tookEffect: o.inDoubt === "skip", why: "as the operator resolved" };
  return new MigratrixError(
    "failed_precondition",
    `${doubtWhere(c, n, stmt, target)} is in doubt: the run that stopped there may have committed it without recording it, and introspection cannot tell; ${answer}`,
    { inDoubt: n, line: stmt.start.line, column: stmt.start.column },
  );
}

const doubtWhere = (c: Ctx, n: number, stmt: Statement, target: Target) =>
  `migration ${c.o.migration.id} statement ${n} (line ${stmt.start.line}) on ${target.database}`;

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
  const n = resumeFrom + 1;
  const decided = await decideDoubt(
    c,
    next,
    n,
    target,
    "resolve it by running it again (resume), skipping it (it took effect) or rolling the migration back",
  );
  if (decided === null) return resumeFrom;
  if (decided instanceof MigratrixError) return decided;
  await o.onEvent({
    kind: "log",
    level: "warn",
    message: `${doubtWhere(c, n, next, target)} was in doubt after the previous run stopped: ${decided.tookEffect ? "counted as done" : "running it again"}, ${decided.why}`,
  });
  return decided.tookEffect ? n : resumeFrom;
}

/**
 * A revert of an apply that died (its history row still in_progress): the up statement after the
 * last counted one may have committed by itself. Decide it (from the up script the caller passes)
 * so the revert undoes exactly what committed; returns the apply's row as if it had failed after
 * that many statements, or the refusal.
 */
async function settleDoubtBeforeRevert(c: Ctx, row: HistoryRow, target: Target): Promise<HistoryRow | MigratrixError> {
  const { o } = c;
  const done = row.statementsDone;
  const settled = (statementsDone: number): HistoryRow => ({ ...row, status: "failed", statementsDone });
  if (done >= row.statementsTotal) return settled(done);
  const how =
    "roll it back saying whether it took effect (mx migration resolve RUN --rollback --took-effect | --not-applied)";
  if (!o.migration.up) {
    if (o.inDoubt) return settled(done + (o.inDoubt === "skip" ? 1 : 0));
    return new MigratrixError(
      "failed_precondition",
      `migration ${o.migration.id} has an apply that stopped after ${done} of ${row.statementsTotal} statements on ${target.database} and its up script was not given to decide statement ${done + 1}; ${how}`,
      { inDoubt: done + 1 },
    );
  }
  const up = o.engine.dialect.split(o.migration.up.sql, { firstLine: o.migration.up.lineOffset ?? 1 }).statements;
  const next = up[done];
  if (!next) return settled(done);
  const n = done + 1;
  const decided = await decideDoubt(c, next, n, target, how);
  if (decided === null) return settled(done);
  if (decided instanceof MigratrixError) return decided;
  await o.onEvent({
    kind: "log",
    level: "warn",
    message: `${doubtWhere(c, n, next, target)} was in doubt after the apply stopped: ${decided.tookEffect ? "undoing it too" : "it is not undone"}, ${decided.why}`,
  });
  return settled(done + (decided.tookEffect ? 1 : 0));
}
