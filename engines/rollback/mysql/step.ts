// What every MariaDB/MySQL inverse works with, and registering the backups it restores from.
import { backupTableName } from "../backup-names.ts";
import type { TokCtx } from "../token-script.ts";
import type { BackupSpec } from "../types.ts";
import type { MyModel, Rel } from "./model.ts";

export interface MyCtx extends TokCtx {
  m: MyModel;
}

/**
 * Adds a backup of `columns` (all when empty) of the rows `from` selects; returns the backup table
 * as the down script names it. The backup database is shared by every database on the server, so
 * the name carries the database.
 */
export function addBackup(
  c: MyCtx,
  spec: { source: Rel; columns: string[]; from: string; keyColumns: string[]; reason: string },
): string {
  const nth = c.backups.filter((b) => b.upIndex === c.upIndex).length;
  const backupTable = backupTableName(`${c.m.defaultSchema}__${c.migrationId}`, c.upIndex, nth);
  const b: BackupSpec = { upIndex: c.upIndex, backupTable, ...spec };
  c.backups.push(b);
  return c.m.backupName(backupTable);
}

/** Puts backed-up column values back, joined on the key; ON UPDATE columns keep their values. */
export function restoreColumnsSql(c: MyCtx, r: Rel, backup: string, key: string[], columns: string[]): string {
  const q = (x: string) => c.m.qi(x);
  const t = c.m.table(r);
  const keep = (t?.columns ?? []).filter((x) => x.onUpdate !== undefined && !columns.includes(x.name));
  const set = [
    ...columns.map((col) => `t.${q(col)} = b.${q(col)}`),
    ...keep.map((x) => `t.${q(x.name)} = t.${q(x.name)}`),
  ];
  const on = key.map((k) => `t.${q(k)} = b.${q(k)}`).join(" AND ");
  return `UPDATE ${c.m.qn(r)} AS t JOIN ${backup} AS b ON ${on} SET ${set.join(", ")}`;
}

/** The restoring UPDATE, with the table's triggers off (see withoutTriggers). */
export function restoreColumns(c: MyCtx, r: Rel, backup: string, key: string[], columns: string[]): string[] {
  return withoutTriggers(c, r, [restoreColumnsSql(c, r, backup, key, columns)]);
}

/** Inserts backed-up rows again (generated columns are computed again). */
export function restoreRowsSql(c: MyCtx, r: Rel, backup: string, columns: string[]): string[] {
  const cols = columns.map((x) => c.m.qi(x)).join(", ");
  return withoutTriggers(c, r, [`INSERT INTO ${c.m.qn(r)} (${cols}) SELECT ${cols} FROM ${backup}`]);
}

/**
 * MariaDB/MySQL cannot switch a table's triggers off: a restore that must not fire them (a BEFORE
 * INSERT that fills a default would change the restored rows) drops them and re-creates them after.
 */
export function withoutTriggers(c: MyCtx, r: Rel, sql: string[]): string[] {
  const triggers = c.m.objects.filter(
    (o) => o.kind === "trigger" && o.table === r.name && o.schema === r.schema && o.definition !== "",
  );
  if (triggers.length === 0) return sql;
  return [
    ...triggers.map((t) => `DROP TRIGGER ${c.m.qn({ schema: t.schema, name: t.name })}`),
    ...sql,
    ...triggers.map((t) => t.definition),
  ];
}
