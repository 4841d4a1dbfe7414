// Scheduled transfers: "transfer" schedules in the one shared scheduler (control/schedules), one per
// schedule id (target), params holding the connection names and options (never URLs). Each firing
// starts a new job (its own history row); retries of that job resume from its checkpoints.
import { and, eq, inArray } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { getConnectionByPath } from "../domain/connections.ts";
import { requireUuid } from "../ids.ts";
import {
  parseCron,
  putSchedule,
  removeSchedule,
  SCHEDULER_ACTOR,
  type ScheduleHandler,
  type ScheduleRow,
} from "../schedules/index.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { TransferOptionsJson } from "../store/schema.ts";
import { startTransfer } from "./jobs.ts";

export const TRANSFER_KIND = "transfer";

interface TransferParams {
  from: string;
  to: string;
  options: TransferOptionsJson;
  requestedBy: string;
}

export interface TransferScheduleView {
  id: string;
  from: string;
  to: string;
  options: TransferOptionsJson;
  cron: string;
  nextRun: Date | null;
  lastFired: Date | null;
  createdBy: string;
  /** The target's environment. */
  environment: string;
}

function paramsOf(row: ScheduleRow): TransferParams {
  return row.params as unknown as TransferParams;
}

export function scheduleView(row: ScheduleRow, now: Date): TransferScheduleView {
  const p = paramsOf(row);
  return {
    id: row.target,
    from: p.from,
    to: p.to,
    options: p.options,
    cron: row.cron,
    nextRun: parseCron(row.cron).next(now),
    lastFired: row.lastFiredAt,
    createdBy: row.createdBy,
    environment: p.to.split("/")[0] ?? "",
  };
}

export function transferScheduleHandler(deps: { db: Db; bus: Bus }): ScheduleHandler {
  return {
    environmentOf: async (s) => paramsOf(s).to.split("/")[0],
    async run({ schedule, correlationId }) {
      const p = paramsOf(schedule);
      // A slot never starts a second copy into the same tables while the previous one still runs.
      const [running] = await deps.db
        .select({ id: tables.transferJobs.id })
        .from(tables.transferJobs)
        .where(
          and(
            eq(tables.transferJobs.workspaceId, schedule.workspaceId),
            eq(tables.transferJobs.scheduleId, schedule.target),
            inArray(tables.transferJobs.state, ["queued", "pending", "in_progress"]),
          ),
        )
        .limit(1);
      if (running) {
        throw new MigratrixError(
          "failed_precondition",
          `transfer schedule ${schedule.target}: job ${running.id} of an earlier slot is still running; this slot is skipped`,
        );
      }
      await startTransfer(deps.db, deps.bus, {
        workspaceId: schedule.workspaceId,
        from: p.from,
        to: p.to,
        options: p.options,
        trigger: "schedule",
        scheduleId: schedule.target,
        actor: SCHEDULER_ACTOR,
        requestedBy: p.requestedBy,
        correlationId,
      });
    },
  };
}

export async function createTransferSchedule(
  db: Db,
  input: {
    workspaceId: string;
    from: string;
    to: string;
    options: TransferOptionsJson;
    cron: string;
    actor: string;
    requestedBy: string;
    correlationId: string;
    now: Date;
  },
): Promise<TransferScheduleView> {
  // Both names must exist now; a schedule follows the names, checked again at every firing.
  await getConnectionByPath(db, input.workspaceId, input.from);
  const tgt = await getConnectionByPath(db, input.workspaceId, input.to);
  const id = crypto.randomUUID();
  const params: TransferParams = {
    from: input.from,
    to: input.to,
    options: input.options,
    requestedBy: input.requestedBy,
  };
  return db.transaction(async (tx) => {
    const row = await putSchedule(tx, {
      workspaceId: input.workspaceId,
      kind: TRANSFER_KIND,
      target: id,
      cron: input.cron,
      params: params as unknown as Record<string, unknown>,
      actor: input.actor,
      now: input.now,
    });
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.set",
      environment: tgt.environment,
      target: `schedule:${TRANSFER_KIND}:${id}`,
      correlationId: input.correlationId,
      detail: { kind: TRANSFER_KIND, cron: row.cron, from: input.from, to: input.to, ...input.options },
    });
    return scheduleView(row, input.now);
  });
}

export async function listTransferSchedules(
  db: Db,
  workspaceId: string,
  now: Date,
  environment?: string,
): Promise<TransferScheduleView[]> {
  const rows = await db
    .select()
    .from(tables.schedules)
    .where(and(eq(tables.schedules.workspaceId, workspaceId), eq(tables.schedules.kind, TRANSFER_KIND)));
  return rows.map((r) => scheduleView(r, now)).filter((v) => !environment || v.environment === environment);
}

export async function removeTransferSchedule(
  db: Db,
  input: { workspaceId: string; environment: string; id: string; actor: string; correlationId: string },
): Promise<void> {
  requireUuid("transfer schedule", input.id);
  const key = { workspaceId: input.workspaceId, kind: TRANSFER_KIND, target: input.id };
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(tables.schedules)
      .where(
        and(
          eq(tables.schedules.workspaceId, key.workspaceId),
          eq(tables.schedules.kind, key.kind),
          eq(tables.schedules.target, key.target),
        ),
      );
    if (!row || scheduleView(row, new Date()).environment !== input.environment) {
      throw new MigratrixError(
        "not_found",
        `transfer schedule ${input.id} not found on environment ${input.environment}`,
      );
    }
    await removeSchedule(tx, key);
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "schedule.remove",
      environment: input.environment,
      target: `schedule:${TRANSFER_KIND}:${input.id}`,
      correlationId: input.correlationId,
      detail: { kind: TRANSFER_KIND, removed: true },
    });
  });
}
