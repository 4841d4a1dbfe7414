// Rollback: generated down scripts, the before-hooks that back up what a migration destroys, and
// the backup area's listing and purge.

export {
  type BackupHookOptions,
  createBackupHooks,
  DEFAULT_MAX_BACKUP_ROWS,
  type NoticeKind,
  storedDownScript,
} from "./backup/hooks.ts";
export { type BackupEntry, listBackups, type PurgeOptions, purgeBackups } from "./backup/store.ts";
export { BACKUP_SCHEMA, backupTableName, DOWN_SCRIPTS_TABLE } from "./backup-names.ts";
export { generateDown, renderDownScript } from "./generate.ts";
export { type ArmRollbackOptions, armRollback, generatesRollback } from "./plan.ts";
export {
  BACKUP_SKIPPED,
  ROLLBACK_CHANGED,
  type RollbackSummary,
  rollbackChecksum,
  summarizeDown,
} from "./summary.ts";
export type {
  BackupGap,
  BackupSpec,
  DownScript,
  DownStep,
  GenerateDownOptions,
  Reversibility,
} from "./types.ts";
