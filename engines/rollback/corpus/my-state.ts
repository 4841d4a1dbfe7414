// The state a MariaDB/MySQL round trip compares: our introspection (objects: true, column order
// included), SHOW CREATE TABLE per table with the AUTO_INCREMENT counter removed (the one documented
// normalisation: a down script never moves a counter back), and per table a row count and a hash
// over the sorted rows. migratrix_history is the runner's own and not compared.
import { createHash } from "node:crypto";
import type { EngineAdapter } from "../../adapter.ts";
import { HISTORY_TABLE } from "../../runner/history.ts";
import { normalizeSnapshot, type SchemaSnapshot } from "../../schema/snapshot.ts";
import type { Session } from "../../types.ts";

export interface MyState {
  schema: SchemaSnapshot;
  showCreate: Record<string, string>;
  data: Record<string, { rows: number; hash: string }>;
}

export async function captureMyState(engine: EngineAdapter, session: Session): Promise<MyState> {
  const snap = normalizeSnapshot(await engine.inspector.inspect(session, { objects: true }));
  const tables = snap.tables.filter((t) => t.name !== HISTORY_TABLE);
  const schema = { ...snap, tables, serverVersion: "", capturedAt: undefined } as SchemaSnapshot;
  delete schema.capturedAt;
  const q = engine.dialect.quoteIdent;
  const showCreate: Record<string, string> = {};
  const data: Record<string, { rows: number; hash: string }> = {};
  for (const t of tables) {
    const [row] = await session.query<Record<string, string>>(`SHOW CREATE TABLE ${q(t.name)}`);
    showCreate[t.name] = (row?.["Create Table"] ?? "").replace(/ AUTO_INCREMENT=\d+/, "");
    const rows = await session.query<Record<string, unknown>>(`SELECT * FROM ${q(t.name)}`);
    const texts = rows
      .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)))
      .sort();
    data[t.name] = {
      rows: rows.length,
      hash: createHash("sha256").update(texts.join("\n")).digest("hex").slice(0, 16),
    };
  }
  return { schema, showCreate, data };
}
