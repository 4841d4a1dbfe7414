// The control plane's half of pre-flight, checked for every target inside the promotion's
// transaction: the serving agent is reachable, the connection still has the flow's engine, and no
// other run holds the target. The agent's half runs on the target itself before any SQL (the
// runner: statements split cleanly, the per-target lock is free, the history table shows the
// migration not applied and its checksum unchanged) and rejects the run otherwise.
import { and, eq, inArray, ne } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import type { MigrationRow } from "../domain/migrations.ts";
import type { Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { StageView } from "./definitions.ts";

export interface PreflightInput {
  stage: StageView;
  migration: MigrationRow;
  now: Date;
  agentOnlineMs: number;
}

export async function preflight(tx: Tx, input: PreflightInput): Promise<void> {
  const { stage, migration } = input;
  const env = stage.environment.name;
  const agentIds = [...new Set(stage.connections.map((c) => c.agentId))];
  const agents = agentIds.length
    ? await tx
        .select({ id: tables.agents.id, lastSeen: tables.agents.lastSeen })
        .from(tables.agents)
        .where(and(eq(tables.agents.workspaceId, migration.workspaceId), inArray(tables.agents.id, agentIds)))
    : [];
  for (const conn of stage.connections) {
    const where = `${env}/${conn.name}`;
    if (conn.engine !== migration.engine) {
      throw new MigratrixError(
        "failed_precondition",
        `pre-flight ${where}: the connection is ${conn.engine} but migration ${migration.id} is split for ${migration.engine}`,
      );
    }
    const agent = agents.find((a) => a.id === conn.agentId);
    const age = agent ? input.now.getTime() - agent.lastSeen.getTime() : Number.POSITIVE_INFINITY;
    if (age > input.agentOnlineMs) {
      throw new MigratrixError(
        "unavailable",
        `pre-flight ${where}: agent ${conn.agentId} serving it is not reachable${agent ? ` (last seen ${agent.lastSeen.toISOString()})` : ""}`,
      );
    }
    const [busy] = await tx
      .select({ id: tables.runs.id, migrationId: tables.runs.migrationId, state: tables.runs.state })
      .from(tables.runs)
      .where(
        and(
          eq(tables.runs.connectionId, conn.id),
          ne(tables.runs.migrationId, migration.id),
          inArray(tables.runs.state, ["pending", "in_progress"]),
        ),
      )
      .limit(1);
    if (busy) {
      throw new MigratrixError(
        "failed_precondition",
        `pre-flight ${where}: run ${busy.id} of migration ${busy.migrationId} is still ${busy.state === "pending" ? "Pending" : "InProgress"} there; wait for it to finish`,
      );
    }
  }
}
