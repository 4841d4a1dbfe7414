// The data sync script: DELETE, UPDATE, INSERT statements in the target's dialect (identifiers
// through its quoteIdent, values through its literal rendering) that make the target equal the source.
import { tableSql } from "./scan.ts";
import type { DataDiffFacts, DataDiffResult, DiffColumn, TableName } from "./types.ts";

export interface ScriptTarget {
  facts: DataDiffFacts;
  table: TableName;
  /** Target columns, in the order of the result's key and columns. */
  key: DiffColumn[];
  columns: DiffColumn[];
}

export function renderSyncScript(r: Pick<DataDiffResult, "rows" | "counts">, t: ScriptTarget): string {
  const f = t.facts;
  const table = tableSql(f, t.table);
  const q = (c: DiffColumn) => f.quoteIdent(c.name);
  const match = (key: readonly string[]) =>
    t.key.map((c, i) => `${q(c)} = ${f.literal(c, key[i] ?? null)}`).join(" AND ");
  const byName = new Map([...t.key, ...t.columns].map((c) => [c.name.toLowerCase(), c]));
  const deletes: string[] = [];
  const updates: string[] = [];
  const inserts: string[] = [];
  for (const d of r.rows) {
    if (d.kind === "delete") deletes.push(`DELETE FROM ${table} WHERE ${match(d.key)};`);
    else if (d.kind === "update") {
      const set = d.changes.map((ch) => {
        const c = byName.get(ch.column.toLowerCase());
        return c ? `${q(c)} = ${f.literal(c, ch.after)}` : "";
      });
      updates.push(`UPDATE ${table} SET ${set.join(", ")} WHERE ${match(d.key)};`);
    } else {
      const cols = [...t.key, ...t.columns];
      const values = Object.values(d.row).map((v, i) => {
        const c = cols[i];
        return c ? f.literal(c, v) : "NULL";
      });
      inserts.push(`INSERT INTO ${table} (${cols.map(q).join(", ")}) VALUES (${values.join(", ")});`);
    }
  }
  const { inserted, updated, deleted } = r.counts;
  const head = `-- data sync for ${table}: ${deleted} delete(s), ${updated} update(s), ${inserted} insert(s)`;
  return `${[head, ...deletes, ...updates, ...inserts].join("\n")}\n`;
}
