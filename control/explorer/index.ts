// Explorer (issue 10): guarded SQL through the agents, column masking policies, AI SQL.
export { type AiConfig, type AskResult, aiConfigFromEnv, askSql, DEFAULT_MODEL, schemaContext } from "./ai.ts";
export { type Classification, classify, type StatementKind, singleStatement } from "./classify.ts";
export { type HistoryEntry, queryHistory } from "./history.ts";
export {
  addMaskPolicy,
  checkPolicy,
  listMaskPolicies,
  type MaskPolicyRow,
  maskKey,
  policiesFor,
  removeMaskPolicy,
  setWritesAllowed,
  writesAllowed,
} from "./policies.ts";
export { DEFAULT_LIMIT, DEFAULT_TIMEOUT_MS, MAX_LIMIT, type QueryInput, runQuery } from "./query.ts";
