// One apply/revert job through the engines' runner on one session: maps every RunnerEvent to its
// JobEvent (the stream adds seq, fencing token and correlation id) and feeds the metrics.
import { create } from "@bufbuild/protobuf";
import { MigratrixError } from "../common/errors.ts";
import {
  armRollback,
  BACKUP_SKIPPED,
  composeHooks,
  type DownScript,
  generatesRollback,
  ROLLBACK_CHANGED,
  type RunHooks,
  type RunnerEvent,
  type RunResult,
  runMigration,
  storedDownScript,
  summarizeDown,
} from "../engines/index.ts";
import {
  DbErrorSchema,
  type SourcePosition as PbPosition,
  SourcePositionSchema,
} from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import {
  LogLineSchema,
  type StatementInfo as PbStatementInfo,
  RunStartedSchema,
  StatementFailedSchema,
  StatementFinishedSchema,
  StatementInfoSchema,
  StatementStartedSchema,
} from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { InDoubtResolution, type Job, type MigrationScript } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import type { JobEventKind, RunEventStream } from "./events.ts";
import type { FaultHooks } from "./faults.ts";
import { schemaImpactHooks } from "./impact.ts";
import type { AgentMetrics } from "./metrics.ts";
import type { OpenTarget } from "./targets.ts";

type RunnerStatement = Extract<RunnerEvent, { kind: "statementStarted" }>["statement"];

function position(p: { line: number; column: number } | undefined): PbPosition | undefined {
  return p ? create(SourcePositionSchema, { line: p.line, column: p.column }) : undefined;
}

function statementInfo(s: RunnerStatement): PbStatementInfo {
  return create(StatementInfoSchema, {
    index: s.index,
    position: position(s.position),
    excerpt: s.excerpt,
    ownSegment: s.ownSegment,
  });
}

/** A runner event as the JobEvent oneof it mirrors. */
export function toJobEventKind(e: RunnerEvent): JobEventKind {
  switch (e.kind) {
    case "started":
      return {
        case: "started",
        value: create(RunStartedSchema, { statementsTotal: e.statementsTotal, statementsDone: e.statementsDone }),
      };
    case "statementStarted":
      return {
        case: "statementStarted",
        value: create(StatementStartedSchema, { statement: statementInfo(e.statement) }),
      };
    case "statementFinished":
      return {
        case: "statementFinished",
        value: create(StatementFinishedSchema, {
          statement: statementInfo(e.statement),
          durationMs: e.durationMs,
          rowsAffected: BigInt(Math.max(0, Math.trunc(e.rowsAffected))),
        }),
      };
    case "statementFailed":
      return {
        case: "statementFailed",
        value: create(StatementFailedSchema, {
          statement: statementInfo(e.statement),
          durationMs: e.durationMs,
          error: create(DbErrorSchema, {
            code: e.error.code,
            nativeCode: e.error.nativeCode ?? "",
            message: e.error.message,
            position: position(e.error.position),
          }),
        }),
      };
    case "log":
      return { case: "log", value: create(LogLineSchema, { level: e.level, message: e.message }) };
  }
}

export interface ExecuteScriptOptions {
  target: OpenTarget;
  script: MigrationScript;
  direction: "apply" | "revert";
  job: Job;
  signal: AbortSignal;
  events: RunEventStream;
  faultHooks?: FaultHooks;
  metrics: AgentMetrics;
  /**
   * Statements known to be committed, for a report when the runner throws instead of returning: only
   * the count the run started from, since a statement that finished may have been rolled back since.
   */
  progress: { statementsDone: number };
}

/**
 * What actually runs: an apply on an engine with generated rollback also stores its down script and
 * takes its backups; a revert without a script runs the down script that apply stored.
 */
async function plan(
  opts: ExecuteScriptOptions,
): Promise<{ sql: string; lineOffset: number; hooks?: RunHooks; note?: string }> {
  const { target, script } = opts;
  // 0 means the job predates first_line: the section then counts from the file's first line.
  const lineOffset = script.firstLine || 1;
  if (opts.direction === "apply") {
    if (!generatesRollback(target.engine)) {
      return { sql: script.sql, lineOffset, ...(opts.faultHooks ? { hooks: opts.faultHooks } : {}) };
    }
    const notes: Notice[] = [];
    const armed = await armRollback(target.engine, target.session, {
      migrationId: script.migrationId,
      up: script.sql,
      firstLine: lineOffset,
      allowWithoutBackup: script.allowWithoutBackup,
      ...(script.maxBackupRows > 0 ? { maxRows: script.maxBackupRows } : {}),
      onNotice: (message, kind) => {
        notes.push({ message, skipped: kind === "skipped" });
      },
    });
    // Said first in the run's log. A resumed run keeps the script stored when the run first
    // started: the one generated now sees a schema its first statements already changed.
    const say: RunHooks = {
      beforeRun: (ctx) => {
        notes.unshift({
          message:
            ctx.resumeFrom > 0
              ? `resuming at statement ${ctx.resumeFrom + 1}: the down script generated when this migration first started stays the rollback`
              : `generated down script for rollback: ${armed.down.reversibility}, ${armed.down.backups.length} backup(s) to take`,
          skipped: false,
        });
      },
    };
    return {
      sql: script.sql,
      lineOffset,
      // The approved script first, then backups: either refusal stops the run before a fault point
      // or a statement is reached.
      hooks: composeHooks(
        say,
        approvedRollback(script, armed.down),
        armed.hooks,
        noticesToLog(opts, notes),
        opts.faultHooks,
      ),
    };
  }
  if (script.sql.trim() !== "") {
    return { sql: script.sql, lineOffset, ...(opts.faultHooks ? { hooks: opts.faultHooks } : {}) };
  }
  const stored = generatesRollback(target.engine)
    ? await storedDownScript(target.engine, target.session, script.migrationId)
    : null;
  if (!stored) {
    throw new MigratrixError(
      "failed_precondition",
      `migration ${script.migrationId} has no -- DOWN section and no down script was stored in ${target.engine.id} when it was applied`,
    );
  }
  return {
    sql: stored.sql,
    lineOffset: 1,
    ...(opts.faultHooks ? { hooks: opts.faultHooks } : {}),
    note: `running the down script generated when ${script.migrationId} was applied (${stored.reversibility})`,
  };
}

interface Notice {
  message: string;
  /** A backup the stage's policy let the run go on without: a warning the control plane audits. */
  skipped: boolean;
}

/** Hooks that put the backup notices collected so far on the run's event stream, in order. */
function noticesToLog(opts: ExecuteScriptOptions, notes: Notice[]): RunHooks {
  const flush = async () => {
    for (const n of notes.splice(0)) {
      const line = n.skipped
        ? { level: "warn", message: n.message, code: BACKUP_SKIPPED }
        : { level: "info", message: n.message };
      await opts.events.emit({ case: "log", value: create(LogLineSchema, line) });
    }
  };
  return { beforeStatement: flush, afterRun: flush };
}

/**
 * Pre-flight of generated rollback: the down script generated now from the target's live schema
 * must be the one approvers signed. A different one stops the run before any change; the refusal
 * carries the new script so the control plane can show it for re-approval. A resumed run is not
 * compared: its first statements already changed the schema the script is generated from.
 */
function approvedRollback(script: MigrationScript, down: DownScript): RunHooks {
  return {
    beforeRun: (ctx) => {
      if (script.expectedDownChecksum === "" || ctx.resumeFrom > 0) return;
      const now = summarizeDown(down);
      if (now.checksum === script.expectedDownChecksum) return;
      throw new MigratrixError(
        "failed_precondition",
        `migration ${script.migrationId}: ${ROLLBACK_CHANGED} (the target's schema gives ${now.reversibility} down script ${now.checksum.slice(0, 12)}, approved ${script.expectedDownChecksum.slice(0, 12)})`,
        { rollbackChanged: { ...now, approvedChecksum: script.expectedDownChecksum } },
      );
    },
  };
}

export async function executeScript(opts: ExecuteScriptOptions): Promise<RunResult> {
  const { metrics } = opts;
  const p = await plan(opts);
  // Applies and reverts both report their schema impact (the after-snapshot is the expected schema).
  const hooks = composeHooks(p.hooks, schemaImpactHooks(opts.target, opts.events));
  let noted = p.note === undefined;
  const result = await runMigration({
    engine: opts.target.engine,
    session: opts.target.session,
    migration: {
      id: opts.script.migrationId,
      name: opts.script.name,
      checksum: opts.script.checksum,
      sql: p.sql,
      noTransaction: opts.script.noTransaction,
      lineOffset: p.lineOffset,
      ...(opts.direction === "revert" && opts.script.upSql
        ? { up: { sql: opts.script.upSql, lineOffset: opts.script.upFirstLine || 1 } }
        : {}),
    },
    direction: opts.direction,
    runId: opts.job.runId,
    attempt: opts.job.attempt,
    appliedBy: opts.job.requestedBy,
    correlationId: opts.job.correlationId,
    signal: opts.signal,
    ...(hooks ? { hooks } : {}),
    ...inDoubtOf(opts.script.inDoubt),
    // Awaited by the runner: the next statement starts only once this event is on the stream.
    onEvent: async (e) => {
      if (e.kind === "started") opts.progress.statementsDone = e.statementsDone;
      if (e.kind === "statementFinished") {
        metrics.statements.inc({ outcome: "ok" });
        metrics.statementSeconds.observe(e.durationMs / 1000);
      }
      if (e.kind === "statementFailed") {
        metrics.statements.inc({ outcome: "failed" });
        metrics.statementSeconds.observe(e.durationMs / 1000);
      }
      await opts.events.emit(toJobEventKind(e));
      // Which script runs is said right after "started", so the run's log shows it first.
      if (!noted && e.kind === "started") {
        noted = true;
        await opts.events.emit({ case: "log", value: create(LogLineSchema, { level: "info", message: p.note ?? "" }) });
      }
    },
  });
  // A changed rollback stopped the run before any statement: a refusal that waits for re-approval.
  return result.outcome === "failed" && result.error?.detail.rollbackChanged !== undefined
    ? { ...result, outcome: "rejected" }
    : result;
}

function inDoubtOf(r: InDoubtResolution): { inDoubt?: "rerun" | "skip" } {
  if (r === InDoubtResolution.RERUN) return { inDoubt: "rerun" };
  if (r === InDoubtResolution.SKIP) return { inDoubt: "skip" };
  return {};
}
