// The shared scheduler: cron schedules in the store, one loop in the control plane.
export { type Clock, type ManualClock, manualClock, systemClock } from "./clock.ts";
export { type CronSchedule, parseCron } from "./cron.ts";
export {
  createScheduler,
  type FiredSlot,
  type Firing,
  SCHEDULER_ACTOR,
  type ScheduleHandler,
  type Scheduler,
  type SchedulerOptions,
} from "./scheduler.ts";
export {
  claimSlot,
  getSchedule,
  listSchedules,
  putSchedule,
  removeSchedule,
  type ScheduleKey,
  type ScheduleRow,
  setEnvironmentSchedule,
} from "./store.ts";
