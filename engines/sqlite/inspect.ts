// SQLite introspection from sqlite_schema and the table_xinfo / index_list / index_xinfo /
// foreign_key_list pragmas; with `objects: true` also what only the stored CREATE statements say
// (inspect-sql.ts), views and triggers.
import type { InspectOptions, Inspector } from "../adapter.ts";
import { SQLITE_BACKUP_PREFIX } from "../rollback/backup-names.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import {
  type IndexSnapshot,
  normalizeSnapshot,
  type SchemaObjectSnapshot,
  SNAPSHOT_VERSION,
  type TableSnapshot,
} from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { sqliteDialect } from "./dialect.ts";
import { tableDetails } from "./inspect-objects.ts";
import { parseCreateIndex } from "./inspect-sql.ts";

type ColumnInfo = {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  cid: number;
  hidden: number;
};
type IndexInfo = { name: string; unique: number; origin: string; partial: number };
type KeyInfo = { name: string | null; desc: number; key: number };

async function inspectTable(
  session: Session,
  opts: { schema: string; name: string; sql: string | null; indexSql: Map<string, string | null>; objects: boolean },
): Promise<TableSnapshot> {
  const { schema, name } = opts;
  // table_xinfo also lists generated columns (hidden 2 virtual, 3 stored); hidden 1 is a virtual table's own.
  const cols = (await session.query<ColumnInfo>("SELECT * FROM pragma_table_xinfo(?, ?)", [name, schema])).filter(
    (c) => c.hidden !== 1,
  );
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
    const keys = await session.query<KeyInfo>(
      "SELECT name, desc, key FROM pragma_index_xinfo(?, ?) WHERE key = 1 ORDER BY seqno",
      [ix.name, schema],
    );
    const index: IndexSnapshot = {
      name: ix.name,
      columns: keys.map((p) => p.name ?? "(expression)"),
      unique: ix.unique === 1,
      ...(ix.origin === "pk" ? { primary: true as const } : {}),
    };
    if (opts.objects) {
      const sql = opts.indexSql.get(ix.name) ?? null;
      if (sql !== null) {
        const parsed = parseCreateIndex(sql);
        index.definition = sql;
        index.columns = index.columns.map((c, i) => (c === "(expression)" ? (parsed.keys[i] ?? c) : c));
        if (parsed.where !== undefined) index.where = parsed.where;
      }
      if (ix.origin === "u") index.constraint = true;
      if (keys.some((k) => k.desc === 1)) index.descending = keys.map((k) => k.desc === 1);
    }
    table.indexes.push(index);
  }
  if (opts.objects) await tableDetails(session, table, opts.sql);
  return table;
}

type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null };

async function inspect(session: Session, opts?: InspectOptions) {
  const schemas = opts?.schemas && opts.schemas.length > 0 ? opts.schemas : ["main"];
  const objects = Boolean(opts?.objects);
  const tables: TableSnapshot[] = [];
  const others: SchemaObjectSnapshot[] = [];
  for (const schema of schemas) {
    const rows = await session.query<SchemaRow>(
      `SELECT type, name, tbl_name, sql FROM ${sqliteDialect.quoteIdent(schema)}.sqlite_schema
       WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name <> ? AND substr(tbl_name, 1, ?) <> ?`,
      // Migratrix's own tables (history, the backup area) are not the user's schema.
      [HISTORY_TABLE, SQLITE_BACKUP_PREFIX.length, SQLITE_BACKUP_PREFIX],
    );
    const indexSql = new Map(rows.filter((r) => r.type === "index").map((r) => [r.name, r.sql]));
    for (const r of rows) {
      if (r.type !== "table") continue;
      tables.push(await inspectTable(session, { schema, name: r.name, sql: r.sql, indexSql, objects }));
    }
    if (objects) others.push(...viewsAndTriggers(schema, rows));
  }
  return normalizeSnapshot({
    version: SNAPSHOT_VERSION,
    engine: "sqlite",
    serverVersion: await session.serverVersion(),
    schemas: schemas.map((name) => ({ name })),
    tables,
    ...(objects ? { objects: others } : {}),
  });
}

/** Views (with the tables and views their text names) and triggers, as sqlite_schema keeps them. */
function viewsAndTriggers(schema: string, rows: SchemaRow[]): SchemaObjectSnapshot[] {
  const names = new Set(rows.filter((r) => r.type === "table" || r.type === "view").map((r) => r.name));
  const out: SchemaObjectSnapshot[] = [];
  for (const r of rows) {
    if (r.sql === null) continue;
    if (r.type === "view") {
      const body = r.sql.slice(r.sql.search(/\sAS\s/i));
      const words = new Set(body.match(/"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*/g) ?? []);
      const dependsOn = [...names]
        .filter((n) => n !== r.name && [...words].some((w) => w === n || w.slice(1, -1) === n))
        .map((n) => `${schema}.${n}`)
        .sort();
      out.push({ kind: "view", schema, name: r.name, dependsOn, definition: r.sql });
    } else if (r.type === "trigger") {
      out.push({ kind: "trigger", schema, name: r.name, table: r.tbl_name, definition: r.sql });
    }
  }
  return out;
}

export const sqliteInspector = { inspect } satisfies Inspector;
