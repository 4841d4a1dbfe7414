// The lifecycle of a migration on a flow stage: Queued → Pending → InProgress → Completed | Failed,
// or Rejected. While InProgress the state follows the stage's runs of the current operation; every
// move happens inside the caller's store transaction together with its audit record.
import { and, eq, inArray } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { RunDirection, RunStateName, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type MigrationStageRow = typeof tables.migrationStages.$inferSelect;

const LABEL: Record<RunStateName, string> = {
  queued: "Queued",
  pending: "Pending",
  in_progress: "InProgress",
  completed: "Completed",
  failed: "Failed",
  rejected: "Rejected",
};

export function stateLabel(state: RunStateName): string {
  return LABEL[state];
}

/** Which moves the lifecycle allows; anything else is failed_precondition naming the state. */
const LEGAL: Record<RunStateName, readonly RunStateName[]> = {
  queued: ["pending", "rejected"],
  pending: ["in_progress", "rejected"],
  // Pending again when a rollback completes.
  in_progress: ["completed", "failed", "pending"],
  // A rollback (or a retry after Failed) starts new runs.
  completed: ["in_progress"],
  failed: ["in_progress"],
  rejected: [],
};

export function isLegal(from: RunStateName, to: RunStateName): boolean {
  return LEGAL[from].includes(to);
}

/**
 * A stage's state from its runs of one operation, or null while they decide nothing yet.
 * `targets` is how many runs the operation started: the stage is done only when all of them are.
 * A failure stops nothing already running: the stage is Failed once no run is active any more.
 */
export function deriveStageState(input: {
  operation: RunDirection;
  runs: readonly { state: RunStateName }[];
  targets: number;
}): RunStateName | null {
  const { runs } = input;
  if (runs.length === 0) return null;
  if (runs.some((r) => r.state === "pending" || r.state === "in_progress" || r.state === "queued")) {
    return "in_progress";
  }
  if (runs.some((r) => r.state === "failed" || r.state === "rejected")) return "failed";
  if (runs.length < input.targets) return "in_progress";
  return input.operation === "apply" ? "completed" : "pending";
}

export interface StageKey {
  workspaceId: string;
  flowId: string;
  migrationId: string;
  position: number;
}

export interface TransitionInput {
  row: MigrationStageRow;
  to: RunStateName;
  environment: string;
  actor: string;
  correlationId: string;
  /** What the caller tried, for the refusal message ("promote", "approve" …). */
  doing: string;
  patch?: Partial<Pick<MigrationStageRow, "operation" | "checksum">>;
  detail?: Record<string, unknown>;
  sql?: string;
}

export function refuse(row: MigrationStageRow, environment: string, doing: string): never {
  throw new MigratrixError(
    "failed_precondition",
    `cannot ${doing} migration ${row.migrationId} on stage ${environment}: it is ${stateLabel(row.state)}`,
  );
}

export async function transition(tx: Tx, input: TransitionInput): Promise<MigrationStageRow> {
  const { row, to } = input;
  if (!isLegal(row.state, to)) refuse(row, input.environment, input.doing);
  const [updated] = await tx
    .update(tables.migrationStages)
    .set({ state: to, ...input.patch, updatedAt: new Date() })
    .where(keyOf(row))
    .returning();
  if (!updated) throw new Error(`stage row of ${row.migrationId} at ${row.position} vanished`);
  await appendAudit(tx, {
    workspaceId: row.workspaceId,
    actor: input.actor,
    action: `stage.${to}`,
    environment: input.environment,
    target: `migration:${row.migrationId}`,
    correlationId: input.correlationId,
    detail: {
      flowId: row.flowId,
      stage: row.position,
      from: stateLabel(row.state),
      to: stateLabel(to),
      operation: updated.operation,
      ...input.detail,
    },
    ...(input.sql === undefined ? {} : { sql: input.sql }),
  });
  return updated;
}

export function keyOf(k: StageKey) {
  return and(
    eq(tables.migrationStages.flowId, k.flowId),
    eq(tables.migrationStages.migrationId, k.migrationId),
    eq(tables.migrationStages.position, k.position),
  );
}

export async function lockStage(tx: Tx, k: StageKey): Promise<MigrationStageRow | undefined> {
  const [row] = await tx.select().from(tables.migrationStages).where(keyOf(k)).for("update");
  return row;
}

/**
 * Re-derives every in-progress stage that a run of (migration, environment) belongs to, inside the
 * transaction that just changed that run. Returns the stages that became Pending because their
 * previous stage completed (auto-policy stages may start by themselves).
 */
export async function syncStagesOfRun(
  tx: Tx,
  run: { workspaceId: string; migrationId: string; environmentId: string; correlationId: string },
  actor: string,
): Promise<StageKey[]> {
  const rows = await tx
    .select({ row: tables.migrationStages, stage: tables.flowStages, environment: tables.environments.name })
    .from(tables.migrationStages)
    .innerJoin(
      tables.flowStages,
      and(
        eq(tables.flowStages.flowId, tables.migrationStages.flowId),
        eq(tables.flowStages.position, tables.migrationStages.position),
      ),
    )
    .innerJoin(tables.environments, eq(tables.environments.id, tables.migrationStages.environmentId))
    .where(
      and(
        eq(tables.migrationStages.workspaceId, run.workspaceId),
        eq(tables.migrationStages.migrationId, run.migrationId),
        eq(tables.migrationStages.environmentId, run.environmentId),
      ),
    )
    .for("update", { of: tables.migrationStages });
  const opened: StageKey[] = [];
  for (const { row, stage, environment } of rows) {
    if (row.state !== "in_progress") continue;
    const runs = await stageRuns(tx, row, stage.connectionIds);
    const targets = row.operation === "apply" ? stage.connectionIds.length : runs.length;
    const to = deriveStageState({ operation: row.operation, runs, targets });
    if (to === null || to === row.state) continue;
    await transition(tx, {
      row,
      to,
      environment,
      actor,
      correlationId: run.correlationId,
      doing: "finish",
      detail: { runs: runs.map((r) => ({ connectionId: r.connectionId, state: stateLabel(r.state) })) },
    });
    if (to === "completed") {
      const next = {
        workspaceId: row.workspaceId,
        flowId: row.flowId,
        migrationId: row.migrationId,
        position: row.position + 1,
      };
      const nextRow = await lockStage(tx, next);
      if (nextRow?.state === "queued") {
        const [env] = await tx
          .select({ name: tables.environments.name })
          .from(tables.environments)
          .where(eq(tables.environments.id, nextRow.environmentId));
        await transition(tx, {
          row: nextRow,
          to: "pending",
          environment: env?.name ?? "",
          actor,
          correlationId: run.correlationId,
          doing: "open",
          detail: { because: `stage ${environment} completed` },
        });
        opened.push(next);
      }
    }
  }
  return opened;
}

/** The runs of the stage's current operation, on the stage's connections. */
export async function stageRuns(tx: Tx, row: MigrationStageRow, connectionIds: string[]) {
  if (connectionIds.length === 0) return [];
  return tx
    .select()
    .from(tables.runs)
    .where(
      and(
        eq(tables.runs.workspaceId, row.workspaceId),
        eq(tables.runs.migrationId, row.migrationId),
        eq(tables.runs.direction, row.operation),
        inArray(tables.runs.connectionId, connectionIds),
      ),
    );
}

/**
 * A new attempt of a run (an in-doubt resolution) puts the Failed stages it belongs to back in
 * progress, in the transaction that restarted it.
 */
export async function reopenStagesOfRun(
  tx: Tx,
  run: {
    workspaceId: string;
    migrationId: string;
    environmentId: string;
    direction: RunDirection;
    correlationId: string;
  },
  actor: string,
): Promise<void> {
  const rows = await tx
    .select({ row: tables.migrationStages, environment: tables.environments.name })
    .from(tables.migrationStages)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.migrationStages.environmentId))
    .where(
      and(
        eq(tables.migrationStages.workspaceId, run.workspaceId),
        eq(tables.migrationStages.migrationId, run.migrationId),
        eq(tables.migrationStages.environmentId, run.environmentId),
      ),
    )
    .for("update", { of: tables.migrationStages });
  for (const { row, environment } of rows) {
    if (row.state !== "failed" || row.operation !== run.direction) continue;
    await transition(tx, {
      row,
      to: "in_progress",
      environment,
      actor,
      correlationId: run.correlationId,
      doing: "resolve",
      detail: { because: "a run of the stage was resolved" },
    });
  }
}
