// Flows: stages, promotion, approvals, rollback, and the per-stage lifecycle of migrations.
export { voteRefusal } from "./access.ts";
export { type AutoAdvanceOptions, autoAdvance, FLOW_ACTOR } from "./auto.ts";
export {
  type CreateFlowInput,
  createFlow,
  DEFAULT_APPROVER_ROLES,
  type FlowView,
  getFlow,
  getFlowById,
  listFlows,
  type StageSpec,
  type StageView,
  stageOf,
} from "./definitions.ts";
export { deriveStageState, isLegal, type StageKey, stateLabel, syncStagesOfRun } from "./lifecycle.ts";
export {
  approvalChecksum,
  type EntryOptions,
  migrationRollbackScripts,
  type RollbackScriptRow,
} from "./rollback-scripts.ts";
export { enterFlow, type PromoteOptions, promote, rollback, type StageCall, vote } from "./stages.ts";
export { type StageStatusView, stageStatuses } from "./status.ts";
export { type Tally, tally } from "./votes.ts";
