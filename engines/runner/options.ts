// The runner's public options and result types.
import type { MigratrixError } from "../../common/errors.ts";
import pkg from "../../package.json";
import type { EngineAdapter, RunDirection, Target } from "../adapter.ts";
import type { Session, Statement } from "../types.ts";
import type { InDoubtResolution } from "./doubt.ts";
import type { RunnerEvent } from "./events.ts";

export const MIGRATRIX_VERSION: string = pkg.version;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export interface MigrationInput {
  /** Stable id, the key in migratrix_history. */
  id: string;
  name: string;
  /** Normalised checksum of the whole migration file (computed by the caller). */
  checksum: string;
  /** The up script (apply) or the down script (revert). */
  sql: string;
  /** `-- migratrix:no-transaction`: every statement commits by itself. */
  noTransaction?: boolean;
  /** Line in the file where `sql` starts (1 when it is the whole file), for positions. */
  lineOffset?: number;
  /**
   * Revert only: the up script and its first line. An apply that died may have left its next
   * statement in doubt; the revert decides it from this before undoing what committed.
   */
  up?: { sql: string; lineOffset?: number };
}

export interface StatementResult {
  rowsAffected: number;
  durationMs: number;
}

export interface RunResult {
  outcome: "completed" | "failed" | "already_applied" | "rejected";
  /** Statements of this script that are committed on the target (history's statements_done). */
  statementsDone: number;
  statementsTotal: number;
  durationMs: number;
  /** Set for failed and rejected; detail carries nativeCode, file line/column and the statement index. */
  error?: MigratrixError;
}

export interface BeforeRunContext {
  session: Session;
  target: Target;
  direction: RunDirection;
  statements: Statement[];
  /** Statements already done (resume); the run starts at statements[resumeFrom]. */
  resumeFrom: number;
}

export interface RunHooks {
  /** Under the lock, before the first statement; throwing fails the run before any statement. */
  beforeRun?(ctx: BeforeRunContext): void | Promise<void>;
  /** Throwing fails the run at this statement without running it. */
  beforeStatement?(s: Statement): void | Promise<void>;
  afterStatement?(s: Statement, result: StatementResult): void | Promise<void>;
  /**
   * Only for a statement that commits by itself: after it committed, before the history write that
   * counts it (the window that leaves a run in doubt; fault injection stops here).
   */
  beforeHistoryWrite?(s: Statement): void | Promise<void>;
  /** Once, with the final result, still under the lock; its errors are logged, not the outcome. */
  afterRun?(result: RunResult): void | Promise<void>;
}

export interface RunOptions {
  engine: EngineAdapter;
  /** One reserved connection; the caller owns it and closes it. */
  session: Session;
  migration: MigrationInput;
  direction: RunDirection;
  runId: string;
  attempt: number;
  appliedBy: string;
  correlationId: string;
  lockTimeoutMs?: number;
  /** Aborting stops before the next statement and rolls back the open transaction. */
  signal?: AbortSignal;
  /** Awaited, for back-pressure and order; throwing stops the run as failed. */
  onEvent: (e: RunnerEvent) => void | Promise<void>;
  hooks?: RunHooks;
  /**
   * What to do with a statement left in doubt by a run that died (see doubt.ts) when introspection
   * cannot tell whether it took effect; without it such a run is rejected. For a revert of that
   * apply the same answer says whether the revert undoes the statement ("skip": it took effect).
   */
  inDoubt?: InDoubtResolution;
}
