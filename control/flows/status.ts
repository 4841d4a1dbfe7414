// What a migration looks like on each stage of a flow: lifecycle state, votes and runs.
import { and, eq } from "drizzle-orm";
import { getMigration } from "../domain/migrations.ts";
import { listRunsOfMigration, type RunView } from "../runs/queries.ts";
import type { Db, RunDirection, RunStateName } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { FlowView, StageView } from "./definitions.ts";
import { type Tally, tally } from "./votes.ts";

export interface StageStatusView {
  stage: StageView;
  state: RunStateName;
  operation: RunDirection;
  tally: Tally;
  runs: RunView[];
}

export async function stageStatuses(
  db: Db,
  workspaceId: string,
  flow: FlowView,
  migrationId: string,
): Promise<StageStatusView[]> {
  const migration = await getMigration(db, workspaceId, migrationId);
  const rows = await db
    .select()
    .from(tables.migrationStages)
    .where(and(eq(tables.migrationStages.flowId, flow.id), eq(tables.migrationStages.migrationId, migration.id)));
  const runs = await listRunsOfMigration(db, workspaceId, migration.id);
  const out: StageStatusView[] = [];
  for (const stage of flow.stages) {
    const row = rows.find((r) => r.position === stage.position);
    const key = { workspaceId, flowId: flow.id, migrationId: migration.id, position: stage.position };
    out.push({
      stage,
      // Before its first promotion or vote a migration has no rows: it would enter the flow so.
      state: row?.state ?? (stage.position === 1 ? "pending" : "queued"),
      operation: row?.operation ?? "apply",
      tally: await tally(db, key, migration.checksum),
      runs: runs.filter((r) => stage.connectionIds.includes(r.connectionId)),
    });
  }
  return out;
}
