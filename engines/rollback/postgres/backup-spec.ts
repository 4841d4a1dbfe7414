// Registering what the before-hook must copy, and the restore statements that read it back.
import { BACKUP_SCHEMA, backupTableName } from "../backup-names.ts";
import type { BackupSpec } from "../types.ts";
import { keyOf, qi, qn, type Rel } from "./model.ts";
import type { StepCtx } from "./step.ts";

/** Adds a backup of `columns` (all when empty) of the rows `from` selects; returns its qualified name. */
export function addBackup(
  c: StepCtx,
  spec: { source: Rel; columns: string[]; from: string; keyColumns: string[]; reason: string },
): string {
  const nth = c.backups.filter((b) => b.upIndex === c.upIndex).length;
  const backupTable = backupTableName(c.migrationId, c.upIndex, nth);
  const b: BackupSpec = { upIndex: c.upIndex, backupTable, ...spec };
  c.backups.push(b);
  return qn(BACKUP_SCHEMA, backupTable);
}

/** Records that statement `c.upIndex` destroys data no backup can hold; the hook stops the run. */
export function addGap(c: StepCtx, reason: string): void {
  c.gaps.push({ upIndex: c.upIndex, reason });
}

/** The primary key of a table, or a gap explaining why rows cannot be keyed. */
export function requireKey(c: StepCtx, r: Rel, what: string): string[] | undefined {
  const t = c.model.table(r);
  const key = keyOf(t);
  if (key.length > 0) return key;
  addGap(
    c,
    t
      ? `${what} on ${r.schema}.${r.name}: the table has no primary key to key its backup by`
      : `${what} on ${r.schema}.${r.name}: the table ${c.model.notIn}`,
  );
  return undefined;
}

/** Puts backed-up column values back, row by row, joined on the key. */
export function restoreColumnsSql(r: Rel, backup: string, key: string[], columns: string[]): string {
  const set = columns.map((col) => `${qi(col)} = b.${qi(col)}`).join(", ");
  const on = key.map((k) => `t.${qi(k)} = b.${qi(k)}`).join(" AND ");
  return `UPDATE ${qn(r.schema, r.name)} AS t SET ${set} FROM ${backup} AS b WHERE ${on}`;
}

/** Inserts backed-up rows again, keeping identity values and without firing the table's triggers. */
export function restoreRowsSql(c: StepCtx, r: Rel, backup: string, columns: string[]): string[] {
  const cols = columns.map(qi).join(", ");
  const insert = `INSERT INTO ${qn(r.schema, r.name)} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM ${backup}`;
  const triggers = c.model.objects.some((o) => o.kind === "trigger" && o.schema === r.schema && o.table === r.name);
  if (!triggers) return [insert];
  return [
    `ALTER TABLE ${qn(r.schema, r.name)} DISABLE TRIGGER USER`,
    insert,
    `ALTER TABLE ${qn(r.schema, r.name)} ENABLE TRIGGER USER`,
  ];
}

/** Moves serial and identity sequences past the restored keys, so new rows do not collide. */
export function resyncSequencesSql(c: StepCtx, r: Rel): string[] {
  const t = c.model.table(r);
  if (!t) return [];
  const rel = ql(qn(r.schema, r.name));
  return t.columns
    .filter((col) => col.identity || col.default?.startsWith("nextval("))
    .map(
      (col) =>
        `SELECT setval(pg_get_serial_sequence(${rel}, ${ql(col.name)}), COALESCE(MAX(${qi(col.name)}), 0) + 1, false) FROM ${qn(r.schema, r.name)}`,
    );
}

function ql(v: string): string {
  return `'${v.replaceAll("'", "''")}'`;
}
