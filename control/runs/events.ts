// Applies one JobEvent from an agent to its run: drops what is stale (wrong attempt or fencing
// token) or a replay (same agent seq), stores the rest under the next control seq, and moves the
// run's counters and state, auditing the end of the run in the same transaction.
import { toJson } from "@bufbuild/protobuf";
import { and, eq } from "drizzle-orm";
import { BACKUP_SKIPPED, ROLLBACK_CHANGED } from "../../engines/index.ts";
import {
  type DirtyTarget,
  type GeneratedRollback,
  type JobEvent,
  JobEventSchema,
  RunOutcome,
} from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { recordExpectedSchema, withoutSnapshot } from "../drift/expected.ts";
import { type StageKey, syncStagesOfRun } from "../flows/lifecycle.ts";
import { recordRegeneratedRollback } from "../flows/rollback-scripts.ts";
import { isUuid } from "../ids.ts";
import type { Db, RunErrorJson, RunStateName, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { RunRow } from "./queries.ts";
import { errorFromDb, runStateLabel } from "./state.ts";
import { waitingError, wakeWaitingRuns } from "./waiting.ts";

export type EventOutcome =
  | { outcome: "stored"; seq: number; state: RunStateName; opened: StageKey[]; woken: string[] }
  | { outcome: "duplicate" | "stale" | "unknown_run"; reason: string };

type RunPatch = Partial<typeof tables.runs.$inferInsert>;

export async function applyJobEvent(
  db: Db,
  input: { workspaceId: string; subjectAgent: string; event: JobEvent },
): Promise<EventOutcome> {
  const { event } = input;
  if (!isUuid(event.runId)) return { outcome: "unknown_run", reason: `run ${event.runId.slice(0, 80)} not found` };
  if (event.agentId !== input.subjectAgent) {
    return { outcome: "stale", reason: `event names agent ${event.agentId} but came from ${input.subjectAgent}` };
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        run: tables.runs,
        servingAgent: tables.connections.agentId,
        environment: tables.environments.name,
        connection: tables.connections.name,
      })
      .from(tables.runs)
      .innerJoin(tables.connections, eq(tables.connections.id, tables.runs.connectionId))
      .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
      .where(and(eq(tables.runs.id, event.runId), eq(tables.runs.workspaceId, input.workspaceId)))
      .for("update", { of: tables.runs });
    if (!row) return { outcome: "unknown_run", reason: `run ${event.runId} not found` };
    const { run } = row;
    const why = staleReason(run, row.servingAgent, event);
    if (why) return { outcome: "stale", reason: why };

    const now = new Date();
    const { patch, finalState, waiting, rollbackChanged } = transition(run, event, now);
    const state = patch.state ?? run.state;
    const seq = run.eventSeq + 1;
    const [stored] = await tx
      .insert(tables.runEvents)
      .values({
        runId: run.id,
        seq,
        workspaceId: input.workspaceId,
        attempt: event.attempt,
        agentSeq: Number(event.seq),
        kind: event.kind.case ?? "unknown",
        runState: state,
        // The after-snapshot of a schema impact goes to expected_schemas, not the run's log.
        event: toJson(JobEventSchema, withoutSnapshot(event)),
      })
      .onConflictDoNothing()
      .returning({ seq: tables.runEvents.seq });
    if (!stored)
      return { outcome: "duplicate", reason: `event ${event.seq} of attempt ${event.attempt} already stored` };
    await tx
      .update(tables.runs)
      .set({ ...patch, eventSeq: seq, updatedAt: now })
      .where(eq(tables.runs.id, run.id));
    if (event.kind.case === "schemaImpact" && event.kind.value.direction !== "") {
      await recordExpectedSchema(tx, { workspaceId: input.workspaceId, run, impact: event.kind.value, at: now });
    }
    let opened: StageKey[] = [];
    let woken: string[] = [];
    const actor = `agent:${event.agentId}`;
    if (finalState) {
      await auditEnd(tx, { ...run, ...patch }, row.environment, input.workspaceId, event);
      opened = await syncStagesOfRun(tx, run, actor);
      if (state === "completed") woken = await wakeWaitingRuns(tx, run, row.environment, actor);
    }
    if (rollbackChanged) {
      await recordRegeneratedRollback(tx, {
        run,
        environment: row.environment,
        connection: row.connection,
        changed: rollbackChanged,
        actor,
      });
    }
    if (event.kind.case === "log" && event.kind.value.code === BACKUP_SKIPPED) {
      // The stage's policy let the run go on without a backup: the choice is on the audit trail.
      await appendAudit(tx, {
        workspaceId: input.workspaceId,
        actor,
        action: "run.backup_skipped",
        environment: row.environment,
        target: `run:${run.id}`,
        correlationId: event.correlationId || run.correlationId,
        detail: { migrationId: run.migrationId, attempt: run.attempt, reason: event.kind.value.message },
      });
    }
    if (waiting) {
      await appendAudit(tx, {
        workspaceId: input.workspaceId,
        actor,
        action: "run.wait",
        environment: row.environment,
        target: `run:${run.id}`,
        correlationId: event.correlationId || run.correlationId,
        detail: {
          from: "InProgress",
          to: "Pending",
          attempt: run.attempt,
          waitingFor: waiting.migrationId,
          error: patch.error,
        },
      });
    }
    return { outcome: "stored", seq, state, opened, woken };
  });
}

function staleReason(run: RunRow, servingAgent: string, event: JobEvent): string | null {
  if (event.attempt !== run.attempt) return `attempt ${event.attempt} is stale: run is at attempt ${run.attempt}`;
  // An agent that cannot take a job at all (unknown connection…) rejects it before leasing, with
  // token 0; that is accepted only while nobody holds the run.
  if (event.fencingToken === 0n) {
    const preLease = event.kind.case === "rejected" && run.state === "pending" && event.agentId === servingAgent;
    return preLease ? null : "event carries no fencing token";
  }
  if (run.state !== "in_progress") return `run is ${runStateLabel(run.state)}`;
  if (event.fencingToken !== BigInt(run.fencingToken) || event.agentId !== run.leaseOwner) {
    return `fencing token ${event.fencingToken} from ${event.agentId} is stale: lease is ${run.fencingToken} held by ${run.leaseOwner}`;
  }
  return null;
}

function transition(
  run: RunRow,
  event: JobEvent,
  now: Date,
): { patch: RunPatch; finalState: boolean; waiting?: DirtyTarget; rollbackChanged?: GeneratedRollback } {
  const k = event.kind;
  switch (k.case) {
    case "started":
      return {
        patch: { statementsTotal: k.value.statementsTotal, statementsDone: k.value.statementsDone },
        finalState: false,
      };
    case "statementFinished": {
      const index = k.value.statement?.index ?? 0;
      return { patch: { statementsDone: Math.max(run.statementsDone, index) }, finalState: false };
    }
    case "statementFailed":
      return {
        patch: {
          failedStatement: k.value.statement?.index ?? 0,
          error: errorFromDb(k.value.error, "statement failed"),
        },
        finalState: false,
      };
    case "finished": {
      const ok = k.value.outcome === RunOutcome.COMPLETED || k.value.outcome === RunOutcome.ALREADY_APPLIED;
      const failed: RunPatch = ok
        ? { failedStatement: 0, error: null }
        : {
            failedStatement: run.failedStatement || k.value.statementsDone + 1,
            error: k.value.error ? errorFromDb(k.value.error, "run failed") : (run.error ?? failedWithout(run)),
          };
      return {
        patch: {
          state: ok ? "completed" : "failed",
          statementsDone: k.value.statementsDone,
          ...failed,
          leaseExpiresAt: null,
          finishedAt: now,
        },
        finalState: true,
      };
    }
    case "rejected":
      if (k.value.rollbackChanged) {
        // Not an end: the run waits (Pending) for approvals of the down script its target gives.
        const changed = k.value.rollbackChanged;
        return {
          patch: {
            state: "pending",
            error: {
              code: "failed_precondition",
              message: k.value.error?.message || ROLLBACK_CHANGED,
              rollbackChanged: changed.checksum,
            },
            leaseExpiresAt: null,
          },
          finalState: false,
          rollbackChanged: changed,
        };
      }
      if (k.value.dirty) {
        // Not an end: the run waits (Pending) for the migration that left the target dirty.
        const message =
          k.value.error?.message || `the target is dirty: migration ${k.value.dirty.migrationId} stopped part-way`;
        return {
          patch: { state: "pending", error: waitingError(k.value.dirty, message), leaseExpiresAt: null },
          finalState: false,
          waiting: k.value.dirty,
        };
      }
      return {
        patch: {
          state: "rejected",
          error: errorFromDb(k.value.error, "the agent rejected the job"),
          leaseExpiresAt: null,
          finishedAt: now,
        },
        finalState: true,
      };
    default:
      // Log lines, snapshots and statement starts are stored and replayed; they change no counter.
      return { patch: {}, finalState: false };
  }
}

function failedWithout(run: RunRow): RunErrorJson {
  return { code: "unknown", message: `run ${run.id} failed without an error report` };
}

async function auditEnd(tx: Tx, run: RunRow, environment: string, workspaceId: string, event: JobEvent) {
  const action = run.state === "completed" ? "run.complete" : run.state === "failed" ? "run.fail" : "run.reject";
  await appendAudit(tx, {
    workspaceId,
    actor: `agent:${event.agentId}`,
    action,
    environment,
    target: `run:${run.id}`,
    correlationId: event.correlationId || run.correlationId,
    detail: {
      to: runStateLabel(run.state),
      attempt: run.attempt,
      statementsDone: run.statementsDone,
      statementsTotal: run.statementsTotal,
      ...(run.failedStatement ? { failedStatement: run.failedStatement } : {}),
      ...(run.error ? { error: run.error } : {}),
      ...(event.kind.case === "finished" && event.kind.value.outcome === RunOutcome.ALREADY_APPLIED
        ? { alreadyApplied: true }
        : {}),
    },
  });
}
