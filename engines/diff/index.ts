// Schema compare & sync: diff two snapshots (of one engine or two), render it readable, plan a verified sync script.
export { changePath, diffSchemas } from "./compare.ts";
export { engineFacts, syncRenderer } from "./engines.ts";
export {
  CHANGE_KINDS,
  type Change,
  type ChangeAction,
  type ChangeKind,
  type DiffOptions,
  type FieldChange,
  NOISE_FILTERS,
  type NoiseFilter,
  type RenameHint,
  type SchemaDiff,
  type SyncOptions,
  type SyncPlan,
  type SyncRenderer,
  type VerifyResult,
} from "./model.ts";
export { parseRenames } from "./renames.ts";
export { diffToJson, renderDiffText } from "./render.ts";
export { copySchemaWithPgDump, createScratch, runScript, type Scratch, withDatabase } from "./scratch.ts";
export { DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, planSync, renderSync } from "./sync.ts";
export { type Translation, type TranslationNote, translateSnapshot } from "./translate.ts";
export { type VerifyOptions, verifyPlan } from "./verify.ts";
