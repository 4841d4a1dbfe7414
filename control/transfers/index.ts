// Data transfer jobs between connections (issue 7): start, lease, events, retries, schedules, watch.
export {
  checkOptions,
  DEFAULT_RETRY_BASE_MS,
  getTransferJob,
  isTransferJob,
  listTransferJobs,
  publishTransferJob,
  resolvePair,
  startTransfer,
  type TransferJobView,
  transferEnvironment,
} from "./jobs.ts";
export {
  applyTransferEvent,
  decideTransferLease,
  publishDueRetries,
  reapTransferLeases,
  type TransferEventOutcome,
} from "./lifecycle.ts";
export {
  createTransferSchedule,
  listTransferSchedules,
  removeTransferSchedule,
  TRANSFER_KIND,
  type TransferScheduleView,
  transferScheduleHandler,
} from "./schedule.ts";
export { watchTransfer } from "./watch.ts";
