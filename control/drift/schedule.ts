// Scheduled drift checks: one "drift" schedule per environment (target = environment id) in the
// shared scheduler; a firing checks every connection of the environment.
import { environmentNameById, getEnvironment } from "../domain/environments.ts";
import {
  getSchedule,
  parseCron,
  SCHEDULER_ACTOR,
  type ScheduleHandler,
  type ScheduleRow,
  setEnvironmentSchedule,
} from "../schedules/index.ts";
import type { Db } from "../store/index.ts";
import { checkDrift, type DriftCheckDeps } from "./check.ts";

export const DRIFT_KIND = "drift";

export interface DriftScheduleView {
  environment: string;
  cron: string;
  nextRun: Date | null;
  lastFired: Date | null;
}

export function driftScheduleHandler(deps: DriftCheckDeps): ScheduleHandler {
  return {
    environmentOf: (s) => environmentNameById(deps.db, s.target),
    async run({ schedule, correlationId }) {
      const environment = await environmentNameById(deps.db, schedule.target);
      // The environment is gone: nothing to check (schedules follow environments, never names).
      if (!environment) return;
      await checkDrift(deps, {
        workspaceId: schedule.workspaceId,
        environment,
        trigger: "schedule",
        actor: SCHEDULER_ACTOR,
        correlationId,
      });
    },
  };
}

function view(environment: string, row: ScheduleRow, now: Date): DriftScheduleView {
  return { environment, cron: row.cron, nextRun: parseCron(row.cron).next(now), lastFired: row.lastFiredAt };
}

export async function getDriftSchedule(
  db: Db,
  input: { workspaceId: string; environment: string; now: Date },
): Promise<DriftScheduleView | null> {
  const env = await getEnvironment(db, input.workspaceId, input.environment);
  const row = await getSchedule(db, { workspaceId: input.workspaceId, kind: DRIFT_KIND, target: env.id });
  return row ? view(env.name, row, input.now) : null;
}

/** Sets the environment's schedule, or removes it when cron is empty; audited either way. */
export async function setDriftSchedule(
  db: Db,
  input: { workspaceId: string; environment: string; cron: string; actor: string; correlationId: string; now: Date },
): Promise<DriftScheduleView | null> {
  const env = await getEnvironment(db, input.workspaceId, input.environment);
  const row = await setEnvironmentSchedule(db, {
    ...input,
    kind: DRIFT_KIND,
    environment: env,
    cron: input.cron.trim() === "" ? null : input.cron,
  });
  return row ? view(env.name, row, input.now) : null;
}
