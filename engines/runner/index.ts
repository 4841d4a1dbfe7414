// The runner's public surface: one function, its options and events, and the history table helpers.

export { type Effect, effectOf, type InDoubtResolution } from "./doubt.ts";
export {
  type DbErrorInfo,
  dbErrorInfo,
  excerpt,
  filePosition,
  type LogLevel,
  type RunnerEvent,
  type SourcePosition,
  type StatementInfo,
  statementInfo,
} from "./events.ts";
export {
  createHistorySupport,
  HISTORY_TABLE,
  type HistoryDialectFacts,
  type HistoryTypeNames,
  historyTableDdl,
} from "./history.ts";
export { composeHooks } from "./hooks.ts";
export {
  type BeforeRunContext,
  DEFAULT_LOCK_TIMEOUT_MS,
  MIGRATRIX_VERSION,
  type MigrationInput,
  type RunHooks,
  type RunOptions,
  type RunResult,
  type StatementResult,
} from "./options.ts";
export { downStepMap, planRun, planSegments, type RunPlan, type Segment, STEP_MARKER } from "./plan.ts";
export { runMigration } from "./run.ts";
export { lockKey } from "./statement.ts";
