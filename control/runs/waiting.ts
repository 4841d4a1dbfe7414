// Runs that wait on a dirty target. The runner refuses to start a migration while another one
// stopped part-way on the same database (engines/runner/plan.ts dirtyBy); the agent reports that
// refusal with the culprit's id, and instead of ending, the run goes back to Pending with the
// reason on show. When the culprit's run on that connection completes (finished, resumed after
// `resolve`, or rolled back), every run waiting for it starts a new attempt.
import { and, eq, sql } from "drizzle-orm";
import type { DirtyTarget } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { appendAudit } from "../audit/index.ts";
import type { RunErrorJson, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { RunRow } from "./queries.ts";

export function waitingError(dirty: DirtyTarget, message: string): RunErrorJson {
  return { code: "failed_precondition", message: `waiting: ${message}`, waitingFor: dirty.migrationId };
}

/**
 * Starts a new attempt of every Pending run on `run`'s connection that waits for `run`'s migration.
 * Called in the transaction that records `run` as completed; returns the runs whose jobs the
 * caller publishes after commit.
 */
export async function wakeWaitingRuns(
  tx: Tx,
  run: Pick<RunRow, "workspaceId" | "connectionId" | "migrationId" | "correlationId" | "id">,
  environment: string,
  actor: string,
): Promise<string[]> {
  const waiting = await tx
    .select()
    .from(tables.runs)
    .where(
      and(
        eq(tables.runs.workspaceId, run.workspaceId),
        eq(tables.runs.connectionId, run.connectionId),
        eq(tables.runs.state, "pending"),
        sql`${tables.runs.error}->>'waitingFor' = ${run.migrationId}`,
      ),
    )
    .for("update");
  const woken: string[] = [];
  for (const w of waiting) {
    const attempt = w.attempt + 1;
    await tx
      .update(tables.runs)
      .set({ attempt, error: null, failedStatement: 0, leaseExpiresAt: null, updatedAt: new Date() })
      .where(eq(tables.runs.id, w.id));
    await appendAudit(tx, {
      workspaceId: w.workspaceId,
      actor,
      action: "run.retry",
      environment,
      target: `run:${w.id}`,
      correlationId: w.correlationId,
      detail: {
        from: "Pending",
        to: "Pending",
        attempt,
        reason: `migration ${run.migrationId} completed on the target (run ${run.id}); it is no longer dirty`,
      },
    });
    woken.push(w.id);
  }
  return woken;
}
