// Schedules in the control store: set, remove, read, and the claim of a due slot, which is one
// conditional update (last_slot < slot) so a slot fires at most once whoever asks and however often.
import { and, asc, eq, inArray, isNull, lt, or } from "drizzle-orm";
import { appendAudit } from "../audit/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { parseCron } from "./cron.ts";

export type ScheduleRow = typeof tables.schedules.$inferSelect;

export interface ScheduleKey {
  workspaceId: string;
  kind: string;
  target: string;
}

const keyOf = (k: ScheduleKey) =>
  and(
    eq(tables.schedules.workspaceId, k.workspaceId),
    eq(tables.schedules.kind, k.kind),
    eq(tables.schedules.target, k.target),
  );

/**
 * Creates or replaces a schedule. The slot due now counts as fired: a new schedule fires at its
 * next slot, not at one that passed before it existed.
 */
export async function putSchedule(
  tx: Tx,
  input: ScheduleKey & { cron: string; params?: Record<string, unknown>; actor: string; now: Date },
): Promise<ScheduleRow> {
  const cron = parseCron(input.cron);
  const values = {
    cron: cron.expression,
    params: input.params ?? {},
    lastSlot: cron.latest(input.now),
    updatedAt: input.now,
  };
  const [row] = await tx
    .insert(tables.schedules)
    .values({
      ...values,
      workspaceId: input.workspaceId,
      kind: input.kind,
      target: input.target,
      createdBy: input.actor,
    })
    .onConflictDoUpdate({
      target: [tables.schedules.workspaceId, tables.schedules.kind, tables.schedules.target],
      set: values,
    })
    .returning();
  if (!row) throw new Error(`schedule ${input.kind}:${input.target} was not stored`);
  return row;
}

/** Returns whether there was a schedule to remove. */
export async function removeSchedule(tx: Tx, key: ScheduleKey): Promise<boolean> {
  const gone = await tx.delete(tables.schedules).where(keyOf(key)).returning({ id: tables.schedules.id });
  return gone.length > 0;
}

export async function getSchedule(db: Db | Tx, key: ScheduleKey): Promise<ScheduleRow | undefined> {
  const [row] = await db.select().from(tables.schedules).where(keyOf(key));
  return row;
}

/** Every schedule of these kinds, in every workspace (the loop serves them all). */
export async function listSchedules(db: Db, kinds: readonly string[]): Promise<ScheduleRow[]> {
  if (kinds.length === 0) return [];
  return db
    .select()
    .from(tables.schedules)
    .where(inArray(tables.schedules.kind, [...kinds]))
    .orderBy(asc(tables.schedules.createdAt), asc(tables.schedules.id));
}

/**
 * Claims `slot` of the schedule and appends the firing's audit record in the same transaction.
 * False when the slot (or a later one) was already claimed, or the schedule is gone.
 */
export async function claimSlot(
  db: Db,
  input: {
    schedule: ScheduleRow;
    slot: Date;
    now: Date;
    actor: string;
    correlationId: string;
    environment?: string;
  },
): Promise<boolean> {
  const { schedule, slot } = input;
  return db.transaction(async (tx) => {
    const claimed = await tx
      .update(tables.schedules)
      .set({ lastSlot: slot, lastFiredAt: input.now })
      .where(
        and(
          eq(tables.schedules.id, schedule.id),
          eq(tables.schedules.cron, schedule.cron),
          or(isNull(tables.schedules.lastSlot), lt(tables.schedules.lastSlot, slot)),
        ),
      )
      .returning({ id: tables.schedules.id });
    if (claimed.length === 0) return false;
    await appendAudit(tx, {
      workspaceId: schedule.workspaceId,
      actor: input.actor,
      action: "schedule.fire",
      ...(input.environment ? { environment: input.environment } : {}),
      target: `schedule:${schedule.kind}:${schedule.target}`,
      correlationId: input.correlationId,
      detail: { kind: schedule.kind, cron: schedule.cron, slot: slot.toISOString() },
    });
    return true;
  });
}

/**
 * Sets (cron given) or removes (cron null) an environment's one schedule of a kind (target = the
 * environment's id), in one transaction with its audit record; the row set, or null once removed.
 */
export async function setEnvironmentSchedule(
  db: Db,
  input: {
    workspaceId: string;
    kind: string;
    environment: { id: string; name: string };
    cron: string | null;
    params?: Record<string, unknown>;
    actor: string;
    correlationId: string;
    now: Date;
  },
): Promise<ScheduleRow | null> {
  const { kind, environment } = input;
  const key = { workspaceId: input.workspaceId, kind, target: environment.id };
  return db.transaction(async (tx) => {
    const audit = (action: string, detail: Record<string, unknown>) =>
      appendAudit(tx, {
        workspaceId: input.workspaceId,
        actor: input.actor,
        action,
        environment: environment.name,
        target: `schedule:${kind}:${environment.name}`,
        correlationId: input.correlationId,
        detail,
      });
    if (input.cron === null) {
      const removed = await removeSchedule(tx, key);
      await audit("schedule.remove", { kind, removed });
      return null;
    }
    const row = await putSchedule(tx, {
      ...key,
      cron: input.cron,
      ...(input.params ? { params: input.params } : {}),
      actor: input.actor,
      now: input.now,
    });
    await audit("schedule.set", { kind, cron: row.cron, ...input.params });
    return row;
  });
}
