// RunMigration: one run per connection of the environment, idempotent per (migration, target),
// moved to Pending and announced to the serving agent as a Job on its work queue.

import { and, eq, gt } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { listConnections } from "../domain/connections.ts";
import { getEnvironment } from "../domain/environments.ts";
import { getMigration } from "../domain/migrations.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { prepareRun, publishRunJob } from "./prepare.ts";
import { getRun, type RunView } from "./queries.ts";

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
  // A flow stage may require approvals the environment itself does not: a direct run would skip them.
  const [guarded] = await db
    .select({ flow: tables.flows.name, required: tables.flowStages.requiredApprovals })
    .from(tables.flowStages)
    .innerJoin(tables.flows, eq(tables.flows.id, tables.flowStages.flowId))
    .where(and(eq(tables.flowStages.environmentId, env.id), gt(tables.flowStages.requiredApprovals, 0)))
    .limit(1);
  if (guarded) {
    const n = guarded.required;
    throw new MigratrixError(
      "failed_precondition",
      `environment ${env.name} is a stage of flow ${guarded.flow} that requires ${n} approval${n === 1 ? "" : "s"}; use promote to run ${migration.id} there`,
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
    const { id } = await db.transaction((tx) =>
      prepareRun(tx, {
        workspaceId: input.workspaceId,
        migration,
        environment: env,
        connection: conn,
        direction: "apply",
        restartFrom: ["failed", "rejected"],
        actor: input.actor,
        requestedBy: input.requestedBy,
        correlationId: input.correlationId,
      }),
    );
    runs.push(await getRun(db, input.workspaceId, id));
  }
  // A Pending run that was not (re)started here is re-published too: its first publish may have
  // been lost to a crash after commit, and the msgId makes a true duplicate a no-op.
  for (const run of runs) {
    if (run.state === "pending") await publishRunJob(bus, run, migration);
  }
  return runs;
}
