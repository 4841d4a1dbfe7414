// Fails runs whose executing agent stopped renewing its lease: the run ends Failed at the
// statement it was in, with a control-written RunFinished event so watchers see the end too.
import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { and, eq, lt } from "drizzle-orm";
import { JobEventSchema, RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { syncStagesOfRun } from "../flows/lifecycle.ts";
import type { Db, RunErrorJson } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { errorToDb } from "./state.ts";

export const REAPER_ACTOR = "control:reaper";

/** Returns the ids of the runs it failed. */
export async function reapLapsedLeases(db: Db, now: Date = new Date()): Promise<string[]> {
  const lapsed = await db
    .select({ id: tables.runs.id })
    .from(tables.runs)
    .where(and(eq(tables.runs.state, "in_progress"), lt(tables.runs.leaseExpiresAt, now)));
  const reaped: string[] = [];
  for (const { id } of lapsed) {
    if (await reapOne(db, id, now)) reaped.push(id);
  }
  return reaped;
}

async function reapOne(db: Db, runId: string, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ run: tables.runs, environment: tables.environments.name })
      .from(tables.runs)
      .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
      .where(eq(tables.runs.id, runId))
      .for("update", { of: tables.runs });
    // Renewed or finished since the scan: nothing to do.
    if (row?.run.state !== "in_progress") return false;
    const expires = row.run.leaseExpiresAt;
    if (!expires || expires >= now) return false;
    const { run } = row;
    const agent = run.leaseOwner ?? "unknown";
    const finishedAll = run.statementsTotal > 0 && run.statementsDone >= run.statementsTotal;
    const k = run.statementsDone + 1;
    const error: RunErrorJson = {
      code: "unavailable",
      message: finishedAll
        ? `agent ${agent} stopped responding after statement ${run.statementsDone}, before reporting the end of the run`
        : `agent ${agent} stopped responding during statement ${k}`,
    };
    const failedStatement = finishedAll ? 0 : k;
    const event = create(JobEventSchema, {
      runId: run.id,
      attempt: run.attempt,
      seq: 0n,
      fencingToken: BigInt(run.fencingToken),
      correlationId: run.correlationId,
      agentId: agent,
      at: timestampFromDate(now),
      kind: {
        case: "finished",
        value: { outcome: RunOutcome.FAILED, statementsDone: run.statementsDone, error: errorToDb(error) },
      },
    });
    const seq = run.eventSeq + 1;
    await tx.insert(tables.runEvents).values({
      runId: run.id,
      seq,
      workspaceId: run.workspaceId,
      attempt: run.attempt,
      agentSeq: 0,
      kind: "finished",
      runState: "failed",
      event: toJson(JobEventSchema, event),
    });
    await tx
      .update(tables.runs)
      .set({
        state: "failed",
        failedStatement,
        error,
        leaseExpiresAt: null,
        finishedAt: now,
        eventSeq: seq,
        updatedAt: now,
      })
      .where(eq(tables.runs.id, run.id));
    await appendAudit(tx, {
      workspaceId: run.workspaceId,
      actor: REAPER_ACTOR,
      action: "run.fail",
      environment: row.environment,
      target: `run:${run.id}`,
      correlationId: run.correlationId,
      detail: {
        from: "InProgress",
        to: "Failed",
        attempt: run.attempt,
        agentId: agent,
        fencingToken: run.fencingToken,
        statementsDone: run.statementsDone,
        statementsTotal: run.statementsTotal,
        ...(failedStatement ? { failedStatement } : {}),
        error,
      },
    });
    // A failed run fails its flow stage; a failure never opens a next stage, so nothing to start.
    await syncStagesOfRun(tx, run, REAPER_ACTOR);
    return true;
  });
}
