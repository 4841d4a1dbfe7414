// ResolveRun: the operator's answer for a run its target left in doubt (a statement that may have
// committed without its history write). A new attempt of the same run carries the answer to the
// runner, which uses it only when introspection cannot decide by itself.
import { eq } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { InDoubtResolution } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { getMigration } from "../domain/migrations.ts";
import { reopenStagesOfRun } from "../flows/lifecycle.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { prepareRun, publishRunJob } from "./prepare.ts";
import { getRun, type RunView } from "./queries.ts";
import { runStateLabel } from "./state.ts";

export interface ResolveRunInput {
  workspaceId: string;
  runId: string;
  resolution: InDoubtResolution;
  actor: string;
  requestedBy: string;
  correlationId: string;
}

export async function resolveRun(db: Db, bus: Bus, input: ResolveRunInput): Promise<RunView> {
  if (input.resolution !== InDoubtResolution.RERUN && input.resolution !== InDoubtResolution.SKIP) {
    throw new MigratrixError("invalid_argument", "resolution must be rerun (it did not take effect) or skip (it did)");
  }
  const run = await getRun(db, input.workspaceId, input.runId);
  const migration = await getMigration(db, input.workspaceId, run.migrationId);
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(tables.runs).where(eq(tables.runs.id, run.id)).for("update");
    if (row?.state !== "failed" && row?.state !== "rejected") {
      throw new MigratrixError(
        "failed_precondition",
        `cannot resolve run ${run.id}: it is ${runStateLabel(row?.state ?? run.state)}; only a Failed or Rejected run is resolved`,
      );
    }
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
    });
    const resolution = input.resolution === InDoubtResolution.RERUN ? "rerun" : "skip";
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "run.resolve",
      environment: run.environment,
      target: `run:${run.id}`,
      correlationId: input.correlationId,
      detail: { resolution, attempt: row.attempt + 1, inDoubt: row.error?.message ?? null },
    });
    await reopenStagesOfRun(tx, { ...run, correlationId: input.correlationId }, input.actor);
  });
  const resumed = await getRun(db, input.workspaceId, run.id);
  await publishRunJob(bus, resumed, migration, { inDoubt: input.resolution });
  return resumed;
}
