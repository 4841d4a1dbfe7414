// RunMigration: one run per connection of the environment, idempotent per (migration, target),
// moved to Pending and announced to the serving agent as a Job on its work queue.
import { create, toBinary } from "@bufbuild/protobuf";
import { and, eq } from "drizzle-orm";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { JobSchema } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { listConnections } from "../domain/connections.ts";
import { engineToProto } from "../domain/engines.ts";
import { getEnvironment } from "../domain/environments.ts";
import { getMigration } from "../domain/migrations.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { getRun, type RunView } from "./queries.ts";
import { isRetryable, runStateLabel } from "./state.ts";

export interface StartRunsInput {
  workspaceId: string;
  migrationId: string;
  environment: string;
  actor: string;
  /** Recorded in the target's history table as applied_by. */
  requestedBy: string;
  correlationId: string;
}

export async function startRuns(db: Db, bus: Bus, input: StartRunsInput): Promise<RunView[]> {
  const env = await getEnvironment(db, input.workspaceId, input.environment);
  const migration = await getMigration(db, input.workspaceId, input.migrationId);
  if (env.requiredApprovals > 0) {
    const n = env.requiredApprovals;
    throw new MigratrixError(
      "failed_precondition",
      `environment ${env.name} requires ${n} approval${n === 1 ? "" : "s"}; use promote to run ${migration.id} there`,
    );
  }
  const conns = await listConnections(db, input.workspaceId, env.name);
  if (conns.length === 0) {
    throw new MigratrixError(
      "failed_precondition",
      `environment ${env.name} has no connection to run ${migration.id} on; add one with mx connection add`,
    );
  }
  const runs: RunView[] = [];
  for (const conn of conns) {
    const runId = await db.transaction(async (tx) => {
      const target = and(
        eq(tables.runs.workspaceId, input.workspaceId),
        eq(tables.runs.migrationId, migration.id),
        eq(tables.runs.connectionId, conn.id),
        eq(tables.runs.direction, "apply"),
      );
      const audit = (action: string, detail: Record<string, unknown>, id: string) =>
        appendAudit(tx, {
          workspaceId: input.workspaceId,
          actor: input.actor,
          action,
          environment: env.name,
          target: `run:${id}`,
          correlationId: input.correlationId,
          detail: { migrationId: migration.id, connection: `${env.name}/${conn.name}`, ...detail },
          sql: migration.upSql,
        });
      const [created] = await tx
        .insert(tables.runs)
        .values({
          workspaceId: input.workspaceId,
          migrationId: migration.id,
          environmentId: env.id,
          connectionId: conn.id,
          direction: "apply",
          state: "pending",
          statementsTotal: migration.statements,
          correlationId: input.correlationId,
          requestedBy: input.requestedBy,
        })
        .onConflictDoNothing()
        .returning();
      if (created) {
        await audit("run.pending", { from: "Queued", to: "Pending", attempt: 1 }, created.id);
        return created.id;
      }
      const [existing] = await tx.select().from(tables.runs).where(target).for("update");
      if (!existing) throw new Error(`run of ${migration.id} on ${conn.name} vanished`);
      if (isRetryable(existing.state)) {
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
            correlationId: input.correlationId,
            requestedBy: input.requestedBy,
            updatedAt: new Date(),
          })
          .where(eq(tables.runs.id, existing.id));
        await audit("run.retry", { from: runStateLabel(existing.state), to: "Pending", attempt }, existing.id);
      }
      return existing.id;
    });
    runs.push(await getRun(db, input.workspaceId, runId));
  }
  // Publishing after commit: a crash in between leaves a Pending run whose job is re-published by
  // the next RunMigration of the same target (same msgId, so the stream drops true duplicates).
  for (const run of runs) {
    if (run.state !== "pending") continue;
    const job = create(JobSchema, {
      jobId: `${run.id}:${run.attempt}`,
      runId: run.id,
      attempt: run.attempt,
      correlationId: run.correlationId,
      workspaceId: input.workspaceId,
      connection: `${run.environment}/${run.connection}`,
      requestedBy: run.requestedBy,
      kind: {
        case: "apply",
        value: {
          script: {
            migrationId: migration.id,
            name: migration.name,
            sql: migration.upSql,
            checksum: migration.checksum,
            firstLine: migration.upFirstLine,
            noTransaction: migration.noTransaction,
          },
          engine: engineToProto(run.engine),
        },
      },
    });
    await bus.publish(subjects.jobs(input.workspaceId, run.servingAgent), toBinary(JobSchema, job), {
      msgId: `${run.id}:${run.attempt}`,
      headers: { "mx-correlation-id": run.correlationId },
    });
  }
  return runs;
}
