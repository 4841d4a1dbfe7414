// The platform's record of an import on one connection: what the tool applied there becomes a
// completed apply run (so it never runs twice through the platform either), and a flow stage on
// that environment whose every database has it completed shows it Completed, opening the next stage
// (which the caller auto-advances after commit, as after a run).
import { and, eq, inArray } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import type { ConnectionView } from "../domain/connections.ts";
import type { ParsedMigration } from "../domain/migration-file.ts";
import { lockStage, type StageKey, stateLabel, transition } from "../flows/lifecycle.ts";
import type { Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export interface ImportedOnConnection {
  workspaceId: string;
  connection: ConnectionView;
  engine: string;
  format: string;
  /** Applied per the tool's history (marked now or already in migratrix_history), in order. */
  applied: ParsedMigration[];
  actor: string;
  requestedBy: string;
  correlationId: string;
}

export interface RecordedImport {
  /** Completed runs written now. */
  runs: string[];
  /** Migrations that already had a run on this connection: left as they are. */
  kept: string[];
  /** "<flow>/<migration>" stages shown Completed now. */
  stages: string[];
  /** Next stages opened (Queued → Pending) now: auto-advanced after commit. */
  opened: StageKey[];
}

export async function recordImportedRuns(tx: Tx, o: ImportedOnConnection): Promise<RecordedImport> {
  const { connection: conn } = o;
  const out: RecordedImport = { runs: [], kept: [], stages: [], opened: [] };
  const now = new Date();
  for (const m of o.applied) {
    const [run] = await tx
      .insert(tables.runs)
      .values({
        workspaceId: o.workspaceId,
        migrationId: m.id,
        environmentId: conn.environmentId,
        connectionId: conn.id,
        direction: "apply",
        state: "completed",
        statementsTotal: m.statements,
        statementsDone: m.statements,
        correlationId: o.correlationId,
        requestedBy: o.requestedBy,
        startedAt: now,
        finishedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: tables.runs.id });
    (run ? out.runs : out.kept).push(m.id);
  }
  const stages = await tx
    .select({ stage: tables.flowStages, flow: tables.flows })
    .from(tables.flowStages)
    .innerJoin(tables.flows, eq(tables.flows.id, tables.flowStages.flowId))
    .where(and(eq(tables.flows.workspaceId, o.workspaceId), eq(tables.flowStages.environmentId, conn.environmentId)));
  for (const { stage, flow } of stages) {
    if (flow.engine !== o.engine || stage.connectionIds.length === 0) continue;
    for (const m of o.applied) {
      const done = await tx
        .select({ id: tables.runs.id })
        .from(tables.runs)
        .where(
          and(
            eq(tables.runs.workspaceId, o.workspaceId),
            eq(tables.runs.migrationId, m.id),
            eq(tables.runs.direction, "apply"),
            eq(tables.runs.state, "completed"),
            inArray(tables.runs.connectionId, stage.connectionIds),
          ),
        );
      if (done.length < stage.connectionIds.length) continue;
      const moved = await completeStage(tx, o, { flowId: flow.id, flowName: flow.name, position: stage.position }, m);
      if (moved.completed) out.stages.push(`${flow.name}/${m.id}`);
      if (moved.opened) out.opened.push(moved.opened);
    }
  }
  return out;
}

/** The migration's stage rows of the flow (first Pending, the rest Queued), as promote makes them. */
async function enterFlow(
  tx: Tx,
  o: ImportedOnConnection,
  flow: { flowId: string; flowName: string },
  m: ParsedMigration,
) {
  const all = await tx
    .select({ position: tables.flowStages.position, environmentId: tables.flowStages.environmentId })
    .from(tables.flowStages)
    .where(eq(tables.flowStages.flowId, flow.flowId));
  const inserted = await tx
    .insert(tables.migrationStages)
    .values(
      all.map((s) => ({
        workspaceId: o.workspaceId,
        flowId: flow.flowId,
        migrationId: m.id,
        position: s.position,
        environmentId: s.environmentId,
        state: s.position === 1 ? ("pending" as const) : ("queued" as const),
      })),
    )
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0) return;
  await appendAudit(tx, {
    workspaceId: o.workspaceId,
    actor: o.actor,
    action: "flow.enter",
    target: `migration:${m.id}`,
    correlationId: o.correlationId,
    detail: { flow: flow.flowName, stages: inserted.map((r) => ({ stage: r.position, state: stateLabel(r.state) })) },
  });
}

/**
 * Queued or Pending → Completed in one move: the migration ran outside the platform, so there were
 * no runs to go through InProgress with. Not completed when the stage was past that already.
 */
async function completeStage(
  tx: Tx,
  o: ImportedOnConnection,
  s: { flowId: string; flowName: string; position: number },
  m: ParsedMigration,
): Promise<{ completed: boolean; opened?: StageKey }> {
  await enterFlow(tx, o, s, m);
  const key = { workspaceId: o.workspaceId, flowId: s.flowId, migrationId: m.id, position: s.position };
  const row = await lockStage(tx, key);
  if (!row || (row.state !== "queued" && row.state !== "pending")) return { completed: false };
  const env = o.connection.environment;
  await tx
    .update(tables.migrationStages)
    .set({ state: "completed", operation: "apply", checksum: m.checksum, updatedAt: new Date() })
    .where(
      and(
        eq(tables.migrationStages.flowId, s.flowId),
        eq(tables.migrationStages.migrationId, m.id),
        eq(tables.migrationStages.position, s.position),
      ),
    );
  await appendAudit(tx, {
    workspaceId: o.workspaceId,
    actor: o.actor,
    action: "stage.completed",
    environment: env,
    target: `migration:${m.id}`,
    correlationId: o.correlationId,
    detail: {
      flowId: s.flowId,
      stage: s.position,
      from: stateLabel(row.state),
      to: stateLabel("completed"),
      operation: "apply",
      because: `applied before the switch, per the ${o.format} history of every database of ${env}`,
    },
  });
  const next = await lockStage(tx, { ...key, position: s.position + 1 });
  if (next?.state === "queued") {
    const [nextEnv] = await tx
      .select({ name: tables.environments.name })
      .from(tables.environments)
      .where(eq(tables.environments.id, next.environmentId));
    await transition(tx, {
      row: next,
      to: "pending",
      environment: nextEnv?.name ?? "",
      actor: o.actor,
      correlationId: o.correlationId,
      doing: "open",
      detail: { because: `stage ${env} completed (imported)` },
    });
    return { completed: true, opened: { ...key, position: s.position + 1 } };
  }
  return { completed: true };
}
