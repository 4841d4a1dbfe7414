// The two halves of starting a run: inside a store transaction, create the run of (migration,
// target, direction) or start a new attempt of it; after commit, publish its job to the serving
// agent. Direct runs (start.ts) and flow promotions and rollbacks (control/flows) share them.
import { create, toBinary } from "@bufbuild/protobuf";
import { and, eq } from "drizzle-orm";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { InDoubtResolution, JobSchema } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { engineToProto } from "../domain/engines.ts";
import type { MigrationRow } from "../domain/migrations.ts";
import type { InDoubtAnswer, RunDirection, RunStateName, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { RunView } from "./queries.ts";
import { runStateLabel } from "./state.ts";

export interface PrepareRunInput {
  workspaceId: string;
  migration: MigrationRow;
  environment: { id: string; name: string };
  connection: { id: string; name: string };
  direction: RunDirection;
  /** States of an existing run from which a new attempt starts; any other leaves it as it is. */
  restartFrom: readonly RunStateName[];
  /**
   * Flow stages (issue 5): the approved generated down script's checksum the agent must regenerate
   * (null: none), and the stage's allow-without-backup policy. Carried in the run's job.
   */
  rollback?: { expectedDownChecksum: string | null; allowWithoutBackup: boolean; maxBackupRows: number };
  actor: string;
  requestedBy: string;
  correlationId: string;
  /**
   * The operator's answer for a statement in doubt (mx migration resolve). A revert without one
   * takes its apply's: what the operator said about that apply decides what the revert undoes.
   */
  inDoubt?: InDoubtAnswer;
}

export interface PreparedRun {
  id: string;
  /** True when this call created the run or started a new attempt: its job must be published. */
  started: boolean;
}

/** The answer recorded on the apply run of the same migration and connection, if any. */
async function applyAnswer(tx: Tx, input: PrepareRunInput): Promise<InDoubtAnswer | null> {
  const [row] = await tx
    .select({ answer: tables.runs.inDoubtAnswer })
    .from(tables.runs)
    .where(
      and(
        eq(tables.runs.workspaceId, input.workspaceId),
        eq(tables.runs.migrationId, input.migration.id),
        eq(tables.runs.connectionId, input.connection.id),
        eq(tables.runs.direction, "apply"),
      ),
    );
  return row?.answer ?? null;
}

export async function prepareRun(tx: Tx, input: PrepareRunInput): Promise<PreparedRun> {
  const { migration, environment: env, connection: conn, direction } = input;
  const inDoubtAnswer = input.inDoubt ?? (direction === "revert" ? await applyAnswer(tx, input) : null);
  const sql = direction === "apply" ? migration.upSql : migration.downSql;
  const policy = input.rollback
    ? {
        expectedDownChecksum: input.rollback.expectedDownChecksum,
        allowWithoutBackup: input.rollback.allowWithoutBackup,
        maxBackupRows: input.rollback.maxBackupRows,
      }
    : {};
  const audit = (action: string, detail: Record<string, unknown>, id: string) =>
    appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action,
      environment: env.name,
      target: `run:${id}`,
      correlationId: input.correlationId,
      detail: { migrationId: migration.id, connection: `${env.name}/${conn.name}`, direction, ...detail },
      sql,
    });
  const [created] = await tx
    .insert(tables.runs)
    .values({
      workspaceId: input.workspaceId,
      migrationId: migration.id,
      environmentId: env.id,
      connectionId: conn.id,
      direction,
      state: "pending",
      // The down script's count is reported by the agent when the revert starts.
      statementsTotal: direction === "apply" ? migration.statements : 0,
      correlationId: input.correlationId,
      requestedBy: input.requestedBy,
      inDoubtAnswer,
      ...policy,
    })
    .onConflictDoNothing()
    .returning();
  if (created) {
    await audit("run.pending", { from: "Queued", to: "Pending", attempt: 1 }, created.id);
    return { id: created.id, started: true };
  }
  const [existing] = await tx
    .select()
    .from(tables.runs)
    .where(
      and(
        eq(tables.runs.workspaceId, input.workspaceId),
        eq(tables.runs.migrationId, migration.id),
        eq(tables.runs.connectionId, conn.id),
        eq(tables.runs.direction, direction),
      ),
    )
    .for("update");
  if (!existing) throw new Error(`run of ${migration.id} on ${conn.name} vanished`);
  if (!input.restartFrom.includes(existing.state)) return { id: existing.id, started: false };
  const attempt = existing.attempt + 1;
  await tx
    .update(tables.runs)
    .set({
      state: "pending",
      attempt,
      leaseExpiresAt: null,
      failedStatement: 0,
      error: null,
      finishedAt: null,
      inDoubtAnswer,
      ...policy,
      correlationId: input.correlationId,
      requestedBy: input.requestedBy,
      updatedAt: new Date(),
    })
    .where(eq(tables.runs.id, existing.id));
  await audit("run.retry", { from: runStateLabel(existing.state), to: "Pending", attempt }, existing.id);
  return { id: existing.id, started: true };
}

/**
 * Publishing happens after commit: a crash in between leaves a Pending run whose job the next
 * start of the same target re-publishes (same msgId "<run>:<attempt>", so the stream drops true
 * duplicates).
 */
export async function publishRunJob(bus: Bus, run: RunView, migration: MigrationRow): Promise<void> {
  const revert = run.direction === "revert";
  const script = {
    migrationId: migration.id,
    name: migration.name,
    sql: revert ? migration.downSql : migration.upSql,
    checksum: migration.checksum,
    firstLine: revert ? (migration.downFirstLine ?? 1) : migration.upFirstLine,
    noTransaction: migration.noTransaction,
    inDoubt: inDoubtToProto(run.inDoubtAnswer),
    // A revert decides a statement its apply left in doubt from the up script.
    ...(revert ? { upSql: migration.upSql, upFirstLine: migration.upFirstLine } : {}),
    // Issue 5: the approved generated rollback the agent's pre-flight must regenerate, and the
    // stage's allow-without-backup policy.
    ...(revert
      ? {}
      : {
          expectedDownChecksum: run.expectedDownChecksum ?? "",
          allowWithoutBackup: run.allowWithoutBackup,
          maxBackupRows: run.maxBackupRows,
        }),
  };
  const engine = engineToProto(run.engine);
  const job = create(JobSchema, {
    jobId: `${run.id}:${run.attempt}`,
    runId: run.id,
    attempt: run.attempt,
    correlationId: run.correlationId,
    workspaceId: run.workspaceId,
    connection: `${run.environment}/${run.connection}`,
    requestedBy: run.requestedBy,
    kind: revert ? { case: "revert", value: { script, engine } } : { case: "apply", value: { script, engine } },
  });
  await bus.publish(subjects.jobs(run.workspaceId, run.servingAgent), toBinary(JobSchema, job), {
    msgId: `${run.id}:${run.attempt}`,
    headers: { "mx-correlation-id": run.correlationId },
  });
}

export function inDoubtToProto(answer: InDoubtAnswer | null): InDoubtResolution {
  if (answer === "not_applied") return InDoubtResolution.RERUN;
  if (answer === "took_effect") return InDoubtResolution.SKIP;
  return InDoubtResolution.UNSPECIFIED;
}

export function inDoubtFromProto(r: InDoubtResolution): InDoubtAnswer | undefined {
  if (r === InDoubtResolution.RERUN) return "not_applied";
  if (r === InDoubtResolution.SKIP) return "took_effect";
  return undefined;
}
