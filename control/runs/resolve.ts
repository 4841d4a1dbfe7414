// ResolveRun: the operator's answer for a run its target left in doubt (a statement that may have
// committed without its history write). Either a new attempt of the same run carries the answer to
// the runner (resume: it did not take effect, so run it again; or it did, so continue after it), or
// the migration is rolled back on that database (the flow stage's Rollback with its approval rules,
// or a revert run outside flows) and the answer, when given, says whether the revert undoes the
// statement in doubt. The runner uses the answer only when introspection cannot decide by itself.
import { and, eq } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { type EngineId, generatesRollback, getEngine } from "../../engines/index.ts";
import type { InDoubtResolution } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { getMigration, type MigrationRow } from "../domain/migrations.ts";
import { reopenStagesOfRun } from "../flows/lifecycle.ts";
import { rollback as rollbackStage } from "../flows/stages.ts";
import type { Db, InDoubtAnswer, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { inDoubtFromProto, prepareRun, publishRunJob } from "./prepare.ts";
import { getRun, type RunView } from "./queries.ts";
import { runStateLabel } from "./state.ts";

export interface ResolveRunInput {
  workspaceId: string;
  runId: string;
  resolution: InDoubtResolution;
  /** Roll the migration back on the run's database instead of resuming it. */
  rollback?: boolean;
  actor: string;
  requestedBy: string;
  correlationId: string;
}

export interface ResolveRunResult {
  /** The resumed run, the revert run started, or (rollback awaiting approvals) the run resolved. */
  run: RunView;
  /** What happened, for people. */
  message: string;
}

const ANSWER_TEXT: Record<InDoubtAnswer, string> = {
  not_applied: "the statement in doubt did not take effect",
  took_effect: "the statement in doubt took effect",
  undecided: "the runner decides the statement in doubt by introspection",
};

/** The run, locked, refused unless it is a Failed or Rejected apply (or, to resume, revert) run. */
async function lockResolvable(tx: Tx, run: RunView, rollback: boolean) {
  const [row] = await tx.select().from(tables.runs).where(eq(tables.runs.id, run.id)).for("update");
  if (row?.state !== "failed" && row?.state !== "rejected") {
    throw new MigratrixError(
      "failed_precondition",
      `cannot resolve run ${run.id}: it is ${runStateLabel(row?.state ?? run.state)}; only a Failed or Rejected run is resolved`,
    );
  }
  if (rollback && row.direction !== "apply") {
    throw new MigratrixError(
      "failed_precondition",
      `cannot roll back run ${run.id}: it is itself a rollback; resolve it with --resume or --skip to finish it`,
    );
  }
  return row;
}

export async function resolveRun(db: Db, bus: Bus, input: ResolveRunInput): Promise<ResolveRunResult> {
  const answer = inDoubtFromProto(input.resolution);
  if (!input.rollback && answer === undefined) {
    throw new MigratrixError(
      "invalid_argument",
      "resolution must be rerun (it did not take effect) or skip (it did), or ask for a rollback",
    );
  }
  const run = await getRun(db, input.workspaceId, input.runId);
  const migration = await getMigration(db, input.workspaceId, run.migrationId);
  if (input.rollback) return resolveByRollback(db, bus, input, run, migration, answer);
  return resume(db, bus, input, run, migration, answer as InDoubtAnswer);
}

async function resume(
  db: Db,
  bus: Bus,
  input: ResolveRunInput,
  run: RunView,
  migration: MigrationRow,
  answer: InDoubtAnswer,
): Promise<ResolveRunResult> {
  await db.transaction(async (tx) => {
    const row = await lockResolvable(tx, run, false);
    await prepareRun(tx, {
      workspaceId: input.workspaceId,
      migration,
      environment: { id: run.environmentId, name: run.environment },
      connection: { id: run.connectionId, name: run.connection },
      direction: run.direction,
      restartFrom: ["failed", "rejected"],
      actor: input.actor,
      requestedBy: input.requestedBy,
      correlationId: input.correlationId,
      inDoubt: answer,
    });
    await auditResolve(tx, run, input, {
      resolution: answer === "not_applied" ? "rerun" : "skip",
      attempt: row.attempt + 1,
      inDoubt: row.error?.message ?? null,
    });
    await reopenStagesOfRun(tx, { ...run, correlationId: input.correlationId }, input.actor);
  });
  const resumed = await getRun(db, input.workspaceId, run.id);
  await publishRunJob(bus, resumed, migration);
  return { run: resumed, message: `run ${run.id} resumes as attempt ${resumed.attempt}: ${ANSWER_TEXT[answer]}` };
}

/** The flow (by name) whose stage on the run's environment this migration travels through, if any. */
/** The audit record of a resolution, whichever way it went. */
function auditResolve(tx: Tx, run: RunView, input: ResolveRunInput, detail: Record<string, unknown>) {
  return appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "run.resolve",
    environment: run.environment,
    target: `run:${run.id}`,
    correlationId: input.correlationId,
    detail,
  });
}

async function flowOfRun(db: Db, run: RunView): Promise<string | null> {
  const [row] = await db
    .select({ name: tables.flows.name })
    .from(tables.migrationStages)
    .innerJoin(tables.flows, eq(tables.flows.id, tables.migrationStages.flowId))
    .where(
      and(
        eq(tables.migrationStages.workspaceId, run.workspaceId),
        eq(tables.migrationStages.migrationId, run.migrationId),
        eq(tables.migrationStages.environmentId, run.environmentId),
      ),
    );
  return row?.name ?? null;
}

async function resolveByRollback(
  db: Db,
  bus: Bus,
  input: ResolveRunInput,
  run: RunView,
  migration: MigrationRow,
  answer: InDoubtAnswer | undefined,
): Promise<ResolveRunResult> {
  if (migration.downSql.trim() === "" && !generatesRollback(getEngine(migration.engine as EngineId))) {
    throw new MigratrixError(
      "failed_precondition",
      `cannot roll back migration ${migration.id}: it has no down script and ${migration.engine} gets none generated`,
    );
  }
  const flow = await flowOfRun(db, run);
  // The answer is recorded on the apply run first (its own transaction, audited): a rollback that
  // waits for approvals starts later, and its revert run takes the answer from there.
  await db.transaction(async (tx) => {
    const row = await lockResolvable(tx, run, true);
    await tx
      .update(tables.runs)
      .set({ inDoubtAnswer: answer ?? "undecided", updatedAt: new Date() })
      .where(eq(tables.runs.id, run.id));
    await auditResolve(tx, run, input, {
      resolution: "rollback",
      answer: answer ?? "introspection",
      ...(flow ? { flow } : {}),
      inDoubt: row.error?.message ?? null,
    });
  });
  const said = ANSWER_TEXT[answer ?? "undecided"];
  if (flow) {
    const started = await rollbackStage(db, bus, {
      workspaceId: input.workspaceId,
      flow,
      migrationId: migration.id,
      stage: run.environment,
      actor: input.actor,
      requestedBy: input.requestedBy,
      correlationId: input.correlationId,
    });
    const mine = started.find((r) => r.connectionId === run.connectionId);
    if (!mine) {
      return {
        run: await getRun(db, input.workspaceId, run.id),
        message: `rollback of ${migration.id} on ${run.environment} requested in flow ${flow}; it starts once its approvals are met (${said})`,
      };
    }
    return { run: mine, message: `rolling back ${migration.id} on ${run.environment}/${run.connection} (${said})` };
  }
  const prepared = await db.transaction((tx) =>
    prepareRun(tx, {
      workspaceId: input.workspaceId,
      migration,
      environment: { id: run.environmentId, name: run.environment },
      connection: { id: run.connectionId, name: run.connection },
      direction: "revert",
      restartFrom: ["failed", "rejected", "completed"],
      actor: input.actor,
      requestedBy: input.requestedBy,
      correlationId: input.correlationId,
    }),
  );
  const revert = await getRun(db, input.workspaceId, prepared.id);
  if (prepared.started) await publishRunJob(bus, revert, migration);
  return { run: revert, message: `rolling back ${migration.id} on ${run.environment}/${run.connection} (${said})` };
}
