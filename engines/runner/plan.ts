// Pure decisions of the runner: what a history row means for this run, and how statements group
// into segments (transactions). No I/O here, so every case is a table-driven unit test.
import { MigratrixError } from "../../common/errors.ts";
import type { HistoryRow, RunDirection } from "../adapter.ts";
import type { Statement } from "../types.ts";

export type RunPlan =
  | {
      kind: "run";
      resumeFrom: number;
      warnings: string[];
      /**
       * Revert of a partly applied migration: run only the last `keepLast` statements of the down
       * script, the inverses of the up statements that committed (a down script undoes the last up
       * statement first, so they are its tail).
       */
      keepLast?: number;
    }
  | { kind: "already_applied"; message: string }
  | { kind: "rejected"; error: MigratrixError };

/** What the target's history says about a migration, whatever the last run's direction was. */
type State =
  | { kind: "absent" }
  | { kind: "applied" }
  | { kind: "reverted" }
  | { kind: "partial"; direction: RunDirection; done: number };

function stateOf(row: HistoryRow | null): State {
  if (!row) return { kind: "absent" };
  if (row.status === "applied") return { kind: "applied" };
  if (row.status === "reverted") return { kind: "reverted" };
  // failed or in_progress: only statements that really committed count. A run that committed
  // nothing left the database as it was before that run.
  if (row.statementsDone === 0) return { kind: row.direction === "apply" ? "absent" : "applied" };
  return { kind: "partial", direction: row.direction, done: row.statementsDone };
}

export interface PlanInput {
  row: HistoryRow | null;
  migrationId: string;
  checksum: string;
  direction: RunDirection;
  statementsTotal: number;
  /** Target database name for messages. */
  database: string;
  /**
   * Revert only: per statement of the down script, the 1-based up statement it undoes (from the
   * generated script's step markers, see downStepMap); absent for a hand-written down script.
   */
  stepMap?: readonly number[];
}

/** The line a generated down script puts before the statements that undo up statement N. */
export const STEP_MARKER = "-- migratrix:undoes";

/**
 * Per statement of a down script, the up statement it undoes, read from the step marker lines a
 * generated script carries; null when any statement has none (a hand-written script).
 */
export function downStepMap(sql: string, statements: readonly Statement[]): number[] | null {
  const markers: Array<{ offset: number; upIndex: number }> = [];
  const re = new RegExp(`^${STEP_MARKER} (\\d+)[ \\t]*$`, "gm");
  for (let m = re.exec(sql); m; m = re.exec(sql)) markers.push({ offset: m.index, upIndex: Number(m[1]) });
  if (markers.length === 0 || statements.length === 0) return null;
  const out: number[] = [];
  for (const st of statements) {
    const before = markers.filter((m) => m.offset < st.endOffset).at(-1);
    if (!before) return null;
    out.push(before.upIndex);
  }
  return out;
}

const precondition = (message: string, detail: Record<string, unknown> = {}) => ({
  kind: "rejected" as const,
  error: new MigratrixError("failed_precondition", message, detail),
});

export function planRun(p: PlanInput): RunPlan {
  const state = stateOf(p.row);
  const id = `migration ${p.migrationId}`;
  const edited = p.row !== null && p.row.checksum !== p.checksum;
  const editedRejection = () =>
    precondition(
      `${id} was edited after it was applied to ${p.database} (applied checksum ${p.row?.checksum}, file checksum ${p.checksum})`,
      { appliedChecksum: p.row?.checksum, checksum: p.checksum },
    );

  if (state.kind === "partial" && state.direction === "apply" && p.direction === "revert")
    return partialRevert(p, state.done);
  // A revert of a partly applied migration that stopped itself (even before its first statement
  // committed): again only its tail of the down script, the length it recorded.
  const r = p.row;
  if (
    p.direction === "revert" &&
    p.stepMap &&
    r?.direction === "revert" &&
    (r.status === "failed" || r.status === "in_progress") &&
    r.statementsTotal < p.statementsTotal
  ) {
    return { kind: "run", resumeFrom: r.statementsDone, keepLast: r.statementsTotal, warnings: [] };
  }
  if (state.kind === "partial") {
    if (state.direction !== p.direction) {
      const verb = state.direction === "apply" ? "apply" : "revert";
      return precondition(
        `${id} has ${verb === "apply" ? "an" : "a"} ${verb} that stopped after ${state.done} of ${p.row?.statementsTotal} statements on ${p.database}; run the ${verb} again to finish it first`,
        { statementsDone: state.done },
      );
    }
    if (state.done > p.statementsTotal) {
      return precondition(
        `${id}: history on ${p.database} records ${state.done} statements done but the script has ${p.statementsTotal}`,
        { statementsDone: state.done },
      );
    }
    // Resuming after an edit is the usual fix for a statement that failed on an engine without
    // transactional DDL; refusing would leave no way forward, so it proceeds with a warning.
    const warnings = edited
      ? [
          `${id} changed since the attempt that stopped (checksum ${p.row?.checksum} → ${p.checksum}); resuming at statement ${state.done + 1}, assuming statements 1..${state.done} are unchanged`,
        ]
      : [];
    return { kind: "run", resumeFrom: state.done, warnings };
  }

  if (p.direction === "apply") {
    if (state.kind === "applied") {
      return edited
        ? editedRejection()
        : { kind: "already_applied", message: `${id} is already applied to ${p.database}` };
    }
    return { kind: "run", resumeFrom: 0, warnings: [] };
  }

  if (state.kind === "reverted")
    return { kind: "already_applied", message: `${id} is already reverted on ${p.database}` };
  if (state.kind === "absent") return precondition(`${id} is not applied to ${p.database}; nothing to revert`);
  return edited ? editedRejection() : { kind: "run", resumeFrom: 0, warnings: [] };
}

/**
 * A revert of an apply that failed after committing `done` statements: the inverses of statements
 * 1..done only, which needs a generated down script mapped step by step to the up statements.
 */
function partialRevert(p: PlanInput, done: number): RunPlan {
  const id = `migration ${p.migrationId}`;
  const stopped = `${id} has an apply that stopped after ${done} of ${p.row?.statementsTotal} statements on ${p.database}`;
  if (p.row?.status !== "failed") {
    // A run that died (in_progress) may have committed its next statement without counting it.
    return precondition(`${stopped}; run the apply again to finish it first`, { statementsDone: done });
  }
  if (p.row && done >= p.row.statementsTotal) {
    // Every up statement committed (the run stopped before recording its end): the whole down script.
    return {
      kind: "run",
      resumeFrom: 0,
      warnings: [`${stopped}: all of them committed, so the whole down script runs`],
    };
  }
  if (!p.stepMap) {
    return precondition(
      `${stopped}; its down script is not a generated one mapped to the up statements (a hand-written -- DOWN section cannot be split by statement), so it cannot undo only the ${done} committed statement(s): run the apply again to finish it first, or resolve it`,
      { statementsDone: done },
    );
  }
  const keepLast = p.stepMap.filter((upIndex) => upIndex <= done).length;
  if (!p.stepMap.slice(p.stepMap.length - keepLast).every((upIndex) => upIndex <= done)) {
    return precondition(`${stopped}; its down script does not undo the up statements last first`, {
      statementsDone: done,
    });
  }
  return {
    kind: "run",
    resumeFrom: 0,
    keepLast,
    warnings: [
      `${stopped}: reverting only the ${done} committed statement(s) with the ${keepLast} matching statement(s) of the generated down script`,
    ],
  };
}

export interface Segment {
  /** Runs inside one transaction, committed with its history update. */
  transactional: boolean;
  statements: Statement[];
}

/**
 * Groups statements into segments: consecutive statements share one transaction where the engine
 * can roll DDL back; an ownSegment statement (CREATE INDEX CONCURRENTLY, VACUUM), every statement of
 * a no-transaction migration, and every statement on an engine without transactional DDL runs alone.
 */
export function planSegments(statements: Statement[], opts: { transactional: boolean }): Segment[] {
  const segments: Segment[] = [];
  for (const s of statements) {
    const alone = !opts.transactional || s.ownSegment;
    const last = segments.at(-1);
    if (!alone && last?.transactional) last.statements.push(s);
    else segments.push({ transactional: !alone, statements: [s] });
  }
  return segments;
}

/**
 * The migration, other than `migrationId`, that stopped part-way on the target: a run that died
 * (in_progress under a free lock, possibly in doubt) or failed after committing some statements.
 * Until it is finished, resolved or rolled back the database is dirty and other migrations wait:
 * running them on a half-applied schema could build on what is not there, or on what should not be.
 */
export function dirtyBy(rows: readonly HistoryRow[], migrationId: string): HistoryRow | null {
  return (
    rows.find(
      (r) =>
        r.migrationId !== migrationId &&
        (r.status === "in_progress" || (r.status === "failed" && r.statementsDone > 0)),
    ) ?? null
  );
}

/** The refusal for a run on a dirty database; `detail.dirty` tells the control plane whom to wait for. */
export function dirtyRejection(row: HistoryRow, database: string): MigratrixError {
  const what =
    row.status === "in_progress"
      ? `stopped without finishing after ${row.statementsDone} of ${row.statementsTotal} statements`
      : `failed after committing ${row.statementsDone} of ${row.statementsTotal} statements`;
  return new MigratrixError(
    "failed_precondition",
    `${database} is dirty: the ${row.direction} of migration ${row.migrationId} ${what}; run it again, resolve it (mx migration resolve) or roll it back before other migrations run there`,
    {
      dirty: {
        migrationId: row.migrationId,
        direction: row.direction,
        statementsDone: row.statementsDone,
        statementsTotal: row.statementsTotal,
      },
    },
  );
}
