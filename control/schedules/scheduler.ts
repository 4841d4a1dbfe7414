// The one scheduler loop of the control plane, shared by every kind of scheduled work (drift checks,
// transfers). Each tick reads the schedules, and for each whose latest slot is newer than the one
// fired last, claims that slot in the store (at most once, audited) and runs the kind's handler.
// After downtime only the latest missed slot fires, once. Time comes from an injectable clock.

import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import type { Db } from "../store/index.ts";
import { type Clock, systemClock } from "./clock.ts";
import { parseCron } from "./cron.ts";
import { claimSlot, listSchedules, type ScheduleRow } from "./store.ts";

export const SCHEDULER_ACTOR = "control:scheduler";

export interface Firing {
  schedule: ScheduleRow;
  slot: Date;
  correlationId: string;
}

export interface ScheduleHandler {
  /** The environment a schedule is about, for its audit records; undefined when none. */
  environmentOf?(schedule: ScheduleRow): Promise<string | undefined>;
  run(firing: Firing): Promise<void>;
}

export interface FiredSlot {
  kind: string;
  target: string;
  slot: string;
  /** "ok" or the handler's error message. */
  outcome: string;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** One pass at the clock's current time; returns what fired. */
  tick(): Promise<FiredSlot[]>;
  /** Resolves with the result of the next pass the loop completes. */
  nextTick(): Promise<FiredSlot[]>;
  /** Resolves with the first firing (among the last 100, or a later one) that matches. */
  untilFired(match: (f: FiredSlot) => boolean): Promise<FiredSlot>;
  /** Re-plans the loop's sleep (a schedule was set or removed). */
  wake(): void;
}

export interface SchedulerOptions {
  db: Db;
  log: Logger;
  handlers: Readonly<Record<string, ScheduleHandler>>;
  clock?: Clock;
  /** Longest sleep between passes, so schedules set by another replica are seen (default 60 s). */
  maxSleepMs?: number;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const maxSleepMs = opts.maxSleepMs ?? 60_000;
  const kinds = Object.keys(opts.handlers);
  let stopping: AbortController | undefined;
  let sleeping: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let waiters: ((fired: FiredSlot[]) => void)[] = [];
  let woken = false;
  const recent: FiredSlot[] = [];

  async function fire(schedule: ScheduleRow, now: Date): Promise<FiredSlot | null> {
    const handler = opts.handlers[schedule.kind];
    if (!handler) return null;
    let slot: Date | null;
    try {
      slot = parseCron(schedule.cron).latest(now);
    } catch (err) {
      opts.log.warn("schedule has a bad cron expression", { id: schedule.id, error: MigratrixError.from(err).message });
      return null;
    }
    if (!slot || (schedule.lastSlot && schedule.lastSlot >= slot)) return null;
    const correlationId = `schedule-${crypto.randomUUID()}`;
    const environment = await handler.environmentOf?.(schedule);
    const claimed = await claimSlot(opts.db, {
      schedule,
      slot,
      now,
      actor: SCHEDULER_ACTOR,
      correlationId,
      environment,
    });
    if (!claimed) return null;
    let outcome = "ok";
    try {
      await handler.run({ schedule, slot, correlationId });
    } catch (err) {
      outcome = MigratrixError.from(err).message;
      opts.log.warn("scheduled work failed", { kind: schedule.kind, target: schedule.target, error: outcome });
    }
    return { kind: schedule.kind, target: schedule.target, slot: slot.toISOString(), outcome };
  }

  async function tick(now = clock.now()): Promise<FiredSlot[]> {
    const fired: FiredSlot[] = [];
    for (const schedule of await listSchedules(opts.db, kinds)) {
      const f = await fire(schedule, now);
      if (f) fired.push(f);
    }
    return fired;
  }

  /**
   * When the loop should look again: the earliest slot after the pass's time `now` (not the clock's
   * time now, which may have moved during the pass), at most maxSleepMs away.
   */
  async function wakeAt(now: Date): Promise<Date> {
    let at = now.getTime() + maxSleepMs;
    for (const s of await listSchedules(opts.db, kinds)) {
      try {
        const next = parseCron(s.cron).next(now);
        if (next) at = Math.min(at, next.getTime());
      } catch {
        // A bad expression was logged by the pass that met it; it never fires.
      }
    }
    return new Date(at);
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      woken = false;
      let fired: FiredSlot[] = [];
      let at: Date;
      const now = clock.now();
      try {
        fired = await tick(now);
        at = await wakeAt(now);
      } catch (err) {
        opts.log.error("scheduler pass failed", { error: MigratrixError.from(err).message });
        at = new Date(now.getTime() + maxSleepMs);
      }
      recent.push(...fired);
      recent.splice(0, Math.max(0, recent.length - 100));
      const done = waiters;
      waiters = [];
      for (const w of done) w(fired);
      if (signal.aborted) break;
      // Woken during the pass: the plan may be stale, look again at once.
      if (woken) continue;
      sleeping = new AbortController();
      const both = AbortSignal.any([signal, sleeping.signal]);
      await clock.sleepUntil(at, both);
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = new AbortController();
      loop = run(stopping.signal);
    },
    async stop() {
      stopping?.abort();
      sleeping?.abort();
      await loop;
      loop = undefined;
    },
    tick: () => tick(),
    nextTick() {
      return new Promise((resolve) => waiters.push(resolve));
    },
    async untilFired(match) {
      for (;;) {
        const hit = recent.find(match);
        if (hit) return hit;
        await new Promise<FiredSlot[]>((resolve) => waiters.push(resolve));
      }
    },
    wake() {
      woken = true;
      sleeping?.abort();
    },
  };
}
