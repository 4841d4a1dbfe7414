// The state a SQLite round trip compares: our introspection (objects: true, column order included)
// and sqlite_schema, both without the backup area and the runner's history, and per table a row
// count and a hash over the sorted rows. Normalisation: double quotes around a plain identifier in
// stored text are dropped (SQLite's ALTER TABLE … RENAME writes renamed names back quoted), and
// sqlite_sequence is not compared (AUTOINCREMENT counters are never moved back).
import { createHash } from "node:crypto";
import type { EngineAdapter } from "../../adapter.ts";
import { HISTORY_TABLE } from "../../runner/history.ts";
import { normalizeSnapshot, type SchemaSnapshot } from "../../schema/snapshot.ts";
import type { Session } from "../../types.ts";
import { SQLITE_BACKUP_PREFIX } from "../backup/area.ts";

export interface SqliteState {
  schema: SchemaSnapshot;
  stored: Array<{ type: string; name: string; tbl_name: string; sql: string }>;
  data: Record<string, { rows: number; hash: string }>;
}

const ours = (name: string) =>
  name === HISTORY_TABLE || name.startsWith(SQLITE_BACKUP_PREFIX) || name.startsWith("sqlite_");

/** Drops "…" around plain identifiers, outside string literals. */
export function unquotePlain(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"([A-Za-z_][A-Za-z0-9_]*)"/g, (m, id: string | undefined) => id ?? m);
}

export async function captureSqliteState(engine: EngineAdapter, session: Session): Promise<SqliteState> {
  const snap = normalizeSnapshot(await engine.inspector.inspect(session, { objects: true }));
  const tables = snap.tables
    .filter((t) => !ours(t.name))
    .map((t) => ({ ...t, ...(t.definition ? { definition: unquotePlain(t.definition) } : {}) }));
  const objects = (snap.objects ?? []).map((o) => ({ ...o, definition: unquotePlain(o.definition) }));
  const schema = { ...snap, tables, objects, serverVersion: "" } as SchemaSnapshot;
  for (const t of schema.tables)
    for (const ix of t.indexes) if (ix.definition) ix.definition = unquotePlain(ix.definition);
  const rows = await session.query<{ type: string; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name",
  );
  const stored = rows
    .filter((r) => !ours(r.tbl_name))
    .map((r) => ({ ...r, sql: unquotePlain(r.sql ?? ""), tbl_name: r.tbl_name }));
  const q = engine.dialect.quoteIdent;
  const data: Record<string, { rows: number; hash: string }> = {};
  for (const t of tables) {
    const all = await session.query<Record<string, unknown>>(`SELECT * FROM ${q(t.name)}`);
    const texts = all.map((r) => JSON.stringify(r)).sort();
    data[t.name] = { rows: all.length, hash: createHash("sha256").update(texts.join("\n")).digest("hex").slice(0, 16) };
  }
  return { schema, stored, data };
}
