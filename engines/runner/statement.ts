// Executing one statement (events, hooks, error positions) and committing a segment.
import { MigratrixError } from "../../common/errors.ts";
import type { Target } from "../adapter.ts";
import type { Statement } from "../types.ts";
import { type Ctx, report } from "./context.ts";
import { dbErrorInfo, filePosition, statementInfo } from "./events.ts";
import { DEFAULT_LOCK_TIMEOUT_MS, type StatementResult } from "./options.ts";
import type { Segment } from "./plan.ts";

export async function commit(c: Ctx, seg: Segment): Promise<void> {
  try {
    await c.o.engine.migrate.transaction.commit(c.o.session);
  } catch (e) {
    const m = MigratrixError.from(e);
    const from = seg.statements[0]?.index;
    const to = seg.statements.at(-1)?.index;
    throw new MigratrixError(m.code, `committing statements ${from}..${to} failed: ${m.message}`, m.detail, {
      cause: m,
    });
  }
}

export async function runStatement(c: Ctx, stmt: Statement, seg: Segment, target: Target): Promise<StatementResult> {
  const { o } = c;
  const info = statementInfo(stmt);
  const at = `statement ${stmt.index} (line ${info.position.line}:${info.position.column})`;
  if (o.signal?.aborted) {
    throw new MigratrixError("aborted", `run aborted before ${at}`, {
      statement: stmt.index,
      line: info.position.line,
      column: info.position.column,
    });
  }
  await o.hooks?.beforeStatement?.(stmt);
  // Where the lock is a transaction (SQLite), a statement outside any transaction runs between
  // releasing and retaking it.
  const releases = !seg.transactional && o.engine.migrate.lockIsTransaction;
  if (releases) await o.engine.migrate.unlock(o.session, { key: lockKey(target) });
  await o.onEvent({ kind: "statementStarted", statement: info });
  const t = performance.now();
  let rowsAffected: number;
  try {
    rowsAffected = (await o.session.exec(stmt.text)).rowsAffected;
  } catch (e) {
    const error = statementError(c, stmt, at, e);
    await report(c, {
      kind: "statementFailed",
      statement: info,
      durationMs: performance.now() - t,
      error: dbErrorInfo(error),
    });
    if (releases) await relock(c, target, stmt);
    throw error;
  }
  const durationMs = performance.now() - t;
  if (releases) await relock(c, target, stmt);
  await o.onEvent({ kind: "statementFinished", statement: info, durationMs, rowsAffected });
  return { rowsAffected, durationMs };
}

/** The engine's error, placed in the file and prefixed with which statement failed. */
function statementError(c: Ctx, stmt: Statement, at: string, e: unknown): MigratrixError {
  const native = c.o.engine.errors.toMigratrixError(e, { sql: stmt.text });
  const inner =
    typeof native.detail.line === "number"
      ? { line: native.detail.line, column: native.detail.column ?? 1 }
      : undefined;
  const pos = filePosition(stmt, inner);
  return new MigratrixError(
    native.code,
    `${at} failed${inner ? ` at ${pos.line}:${pos.column}` : ""}: ${native.message}`,
    { ...native.detail, statement: stmt.index, line: pos.line, column: pos.column },
    { cause: native },
  );
}

/** The per-target lock: one migration at a time on a database. */
export const lockKey = (target: Target) => `migratrix:${target.database}`;

async function relock(c: Ctx, target: Target, stmt: Statement): Promise<void> {
  const relocked = await c.o.engine.migrate.lock(c.o.session, {
    key: lockKey(target),
    timeoutMs: c.o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
  });
  if (!relocked) {
    throw new MigratrixError(
      "aborted",
      `another migration took the lock on ${target.database} while statement ${stmt.index} ran outside a transaction`,
    );
  }
}
