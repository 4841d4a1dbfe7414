// Names in the backup area: one schema, one table per (migration, statement, table).
import { createHash } from "node:crypto";

export const BACKUP_SCHEMA = "migratrix_backup";
/** SQLite has no schemas: its backup area is the tables of main with this prefix. */
export const SQLITE_BACKUP_PREFIX = `${BACKUP_SCHEMA}__`;
/** Down scripts generated at pre-flight, kept so a later revert undoes exactly what was applied. */
export const DOWN_SCRIPTS_TABLE = "migratrix_down_scripts";

// PostgreSQL truncates identifiers at 63 bytes; a long id keeps a readable prefix and a hash.
const MAX = 63;

export function backupTableName(migrationId: string, upIndex: number, nth: number): string {
  const suffix = `__s${upIndex}${nth > 0 ? `_${nth}` : ""}`;
  const slug = migrationId.toLowerCase().replace(/[^a-z0-9_]+/g, "_");
  if (slug.length + suffix.length <= MAX && slug === migrationId) return slug + suffix;
  const hash = createHash("sha256").update(migrationId).digest("hex").slice(0, 8);
  return `${slug.slice(0, MAX - suffix.length - 9)}_${hash}${suffix}`;
}
