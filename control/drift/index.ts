// Drift detection: expected schemas from completed runs, checks against the live schema, reports,
// and the per-environment schedule in the shared scheduler.
export {
  type CheckDriftInput,
  checkDrift,
  type DriftCheckDeps,
  type DriftReportView,
  type DriftTrigger,
  latestDrift,
  NO_BASELINE,
} from "./check.ts";
export { impactSnapshot, recordExpectedSchema, withoutSnapshot } from "./expected.ts";
export {
  DRIFT_KIND,
  type DriftScheduleView,
  driftScheduleHandler,
  getDriftSchedule,
  setDriftSchedule,
} from "./schedule.ts";
