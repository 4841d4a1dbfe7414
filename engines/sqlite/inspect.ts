// SQLite introspection from sqlite_schema and the table_info / index_list / index_info pragmas.
import type { Inspector } from "../adapter.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import { normalizeSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { sqliteDialect } from "./dialect.ts";

type ColumnInfo = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number; cid: number };
type IndexInfo = { name: string; unique: number; origin: string };

async function inspectTable(session: Session, schema: string, name: string): Promise<TableSnapshot> {
  const cols = await session.query<ColumnInfo>("SELECT * FROM pragma_table_info(?, ?)", [name, schema]);
  const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  const table: TableSnapshot = {
    schema,
    name,
    columns: cols.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.notnull === 0,
      default: c.dflt_value,
      ordinal: c.cid + 1,
    })),
    primaryKey: pk.length > 0 ? { columns: pk.map((c) => c.name) } : null,
    indexes: [],
  };
  for (const ix of await session.query<IndexInfo>("SELECT * FROM pragma_index_list(?, ?)", [name, schema])) {
    const parts = await session.query<{ name: string | null }>(
      "SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno",
      [ix.name, schema],
    );
    table.indexes.push({
      name: ix.name,
      // An expression key has no column name; its text is not read yet.
      columns: parts.map((p) => p.name ?? "(expression)"),
      unique: ix.unique === 1,
      ...(ix.origin === "pk" ? { primary: true as const } : {}),
    });
  }
  return table;
}

async function inspect(session: Session, opts?: { schemas?: string[] }) {
  const schemas = opts?.schemas && opts.schemas.length > 0 ? opts.schemas : ["main"];
  const tables: TableSnapshot[] = [];
  for (const schema of schemas) {
    const names = await session.query<{ name: string }>(
      `SELECT name FROM ${sqliteDialect.quoteIdent(schema)}.sqlite_schema
       WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?`,
      [HISTORY_TABLE],
    );
    for (const { name } of names) tables.push(await inspectTable(session, schema, name));
  }
  return normalizeSnapshot({
    version: SNAPSHOT_VERSION,
    engine: "sqlite",
    serverVersion: await session.serverVersion(),
    schemas: schemas.map((name) => ({ name })),
    tables,
  });
}

export const sqliteInspector = { inspect } satisfies Inspector;
