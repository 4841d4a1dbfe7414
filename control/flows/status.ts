// What a migration looks like on each stage of a flow: lifecycle state, votes and runs.
import { and, desc, eq, inArray } from "drizzle-orm";
import { getMigration } from "../domain/migrations.ts";
import { listRunsOfMigration, type RunView } from "../runs/queries.ts";
import type { Db, RunDirection, RunStateName } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { approvalsNeeded, type FlowView, type StageView } from "./definitions.ts";
import { approvalChecksum, type RollbackScriptRow, stageRollbackScripts } from "./rollback-scripts.ts";
import { type Tally, tally } from "./votes.ts";

export interface StageStatusView {
  stage: StageView;
  state: RunStateName;
  operation: RunDirection;
  tally: Tally;
  /** Votes on the open rollback request (none when there is no request). */
  rollbackTally: Tally;
  /** Who asked for the open rollback request; "" when there is none. */
  rollbackRequestedBy: string;
  runs: RunView[];
  /** What the migration changed on the previous stage's databases; "" when unknown. */
  schemaImpact: string;
  /** Generated down scripts a vote on the stage signs (issue 5), and what the vote signs. */
  rollbackScripts: RollbackScriptRow[];
  approvalChecksum: string;
  /** Approvals the migration needs here: the stage's, plus its risk policy's (approvalsNeeded). */
  requiredApprovals: number;
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
  let previous: RunView[] = [];
  for (const stage of flow.stages) {
    const row = rows.find((r) => r.position === stage.position);
    const key = { workspaceId, flowId: flow.id, migrationId: migration.id, position: stage.position };
    const scripts = await stageRollbackScripts(db, key);
    const signed = approvalChecksum(migration.checksum, scripts);
    out.push({
      stage,
      // Before its first promotion or vote a migration has no rows: it would enter the flow so.
      state: row?.state ?? (stage.position === 1 ? "pending" : "queued"),
      operation: row?.operation ?? "apply",
      tally: await tally(db, key, signed),
      rollbackTally: await tally(db, key, migration.checksum, "revert"),
      rollbackRequestedBy: row?.rollbackRequestedBy ?? "",
      runs: runs.filter((r) => stage.connectionIds.includes(r.connectionId)),
      schemaImpact: await impactOf(db, previous),
      rollbackScripts: scripts,
      approvalChecksum: signed,
      requiredApprovals: approvalsNeeded(stage, migration.riskLevel),
    });
    previous = runs.filter((r) => stage.connectionIds.includes(r.connectionId));
  }
  return out;
}

/**
 * The schema impact the agents reported for the completed applies among `runs` (engines/diff text),
 * one text when every database changed alike, else one block per connection.
 */
async function impactOf(db: Db, runs: RunView[]): Promise<string> {
  const applied = runs.filter((r) => r.direction === "apply" && r.state === "completed");
  if (applied.length === 0) return "";
  const events = await db
    .select({ runId: tables.runEvents.runId, event: tables.runEvents.event })
    .from(tables.runEvents)
    .where(
      and(
        inArray(
          tables.runEvents.runId,
          applied.map((r) => r.id),
        ),
        eq(tables.runEvents.kind, "schemaImpact"),
      ),
    )
    .orderBy(desc(tables.runEvents.seq));
  const texts = new Map<string, string>();
  for (const r of applied) {
    const e = events.find((x) => x.runId === r.id)?.event as { schemaImpact?: { text?: string } } | undefined;
    const text = e?.schemaImpact?.text;
    if (text) texts.set(r.connection, text);
  }
  const distinct = new Set(texts.values());
  if (distinct.size <= 1) return [...distinct][0] ?? "";
  return [...texts].map(([connection, text]) => `on ${connection}:\n${text}`).join("\n\n");
}
