// Explorer (issue 10): guarded SQL through the agents, column masking policies, AI SQL.

export {
  checkExplorerWrite,
  hasReadCredential,
  listWriteGrants,
  readCredentialFor,
  readCredentialIds,
  registerReadCredential,
  setWriteGrant,
} from "./access.ts";
export { type AiConfig, type AskResult, aiConfigFromEnv, askSql, DEFAULT_MODEL, schemaContext } from "./ai.ts";
export { type Classification, classify, classifyAll, type StatementKind, singleStatement } from "./classify.ts";
export { type BrowsePage, browseTable, editRow } from "./crud.ts";
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
export {
  DEFAULT_LIMIT,
  DEFAULT_TIMEOUT_MS,
  type ExplorerControlHooks,
  MAX_LIMIT,
  type QueryInput,
  runQuery,
} from "./query.ts";
