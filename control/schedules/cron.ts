// Cron expressions for schedules, parsed once with croner and evaluated in UTC: the slot due at a
// given instant (the latest one not after it) and the next one.
import { Cron } from "croner";
import { MigratrixError } from "../../common/errors.ts";

export interface CronSchedule {
  readonly expression: string;
  /** The latest slot at or before `at`, or null when the expression has none. */
  latest(at: Date): Date | null;
  /** The first slot strictly after `at`, or null when there is none. */
  next(at: Date): Date | null;
}

/** Parses a 5-field (minute…weekday) or 6-field (with seconds) expression; throws invalid_argument. */
export function parseCron(expression: string): CronSchedule {
  const text = expression.trim().replace(/\s+/g, " ");
  if (text === "") throw new MigratrixError("invalid_argument", "cron expression is empty");
  let cron: Cron;
  try {
    // paused: croner only evaluates the pattern here; the scheduler loop does the firing.
    cron = new Cron(text, { paused: true, timezone: "UTC", mode: "5-or-6-parts" });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
    throw new MigratrixError("invalid_argument", `cron expression "${text}" is not valid: ${why}`);
  }
  return {
    expression: text,
    latest(at) {
      // previousRuns includes a slot in the same second as the reference.
      return cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
    },
    next(at) {
      return cron.nextRun(at);
    },
  };
}
