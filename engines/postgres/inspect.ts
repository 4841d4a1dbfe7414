// PostgreSQL introspection from pg_catalog (exact types via format_type, index keys in key order).
// Needs PostgreSQL 12+ (attgenerated, indnkeyatts).
import type { InspectOptions, Inspector } from "../adapter.ts";
import { BACKUP_SCHEMA } from "../rollback/backup-names.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import { normalizeSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { inspectObjects } from "./inspect-objects.ts";

const SCHEMAS = `
SELECT nspname AS name FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema')
  AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
  AND ($1::text[] IS NULL OR nspname = ANY($1::text[]))
  -- Migratrix's backup area is not the user's schema; it is read only when named.
  AND ($1::text[] IS NOT NULL OR nspname <> '${BACKUP_SCHEMA}')`;

// Ordinary and partitioned tables of the chosen schemas, without Migratrix's own history table.
const TABLE_FILTER = `c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]) AND c.relname <> '${HISTORY_TABLE}'`;

const TABLES = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${TABLE_FILTER}`;

// Generation expressions also live in pg_attrdef; they are not defaults.
const COLUMNS = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
       a.attnum AS ordinal
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${TABLE_FILTER}`;

const PRIMARY_KEYS = `
SELECT n.nspname AS schema, c.relname AS table, con.conname AS name,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord)::text[] AS columns
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'p' AND ${TABLE_FILTER}`;

// A key column is its attribute name; an expression key is the expression's text.
const INDEXES = `
SELECT n.nspname AS schema, c.relname AS table, i.relname AS name,
       ix.indisunique AS unique, ix.indisprimary AS primary,
       array(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true)
                         ELSE (SELECT attname FROM pg_attribute WHERE attrelid = ix.indrelid AND attnum = ix.indkey[k - 1])
                    END
             FROM generate_series(1, ix.indnkeyatts) AS k ORDER BY k)::text[] AS columns
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${TABLE_FILTER}`;

type Located = { schema: string; table: string };

async function inspect(session: Session, opts?: InspectOptions) {
  const schemaRows = await session.query<{ name: string }>(SCHEMAS, [opts?.schemas ?? null]);
  const names = schemaRows.map((r) => r.name);
  const tables = new Map<string, TableSnapshot>();
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const t of await session.query<{ schema: string; name: string }>(TABLES, [names])) {
    tables.set(key(t.schema, t.name), { schema: t.schema, name: t.name, columns: [], primaryKey: null, indexes: [] });
  }
  const tableOf = (r: Located) => tables.get(key(r.schema, r.table));

  type ColumnRow = Located & { name: string; type: string; nullable: boolean; default: string | null; ordinal: number };
  for (const r of await session.query<ColumnRow>(COLUMNS, [names])) {
    tableOf(r)?.columns.push({
      name: r.name,
      type: r.type,
      nullable: r.nullable,
      default: r.default,
      ordinal: Number(r.ordinal),
    });
  }
  for (const r of await session.query<Located & { name: string; columns: string[] }>(PRIMARY_KEYS, [names])) {
    const t = tableOf(r);
    if (t) t.primaryKey = { name: r.name, columns: r.columns };
  }
  type IndexRow = Located & { name: string; unique: boolean; primary: boolean; columns: string[] };
  for (const r of await session.query<IndexRow>(INDEXES, [names])) {
    tableOf(r)?.indexes.push({
      name: r.name,
      columns: r.columns,
      unique: r.unique,
      ...(r.primary ? { primary: true as const } : {}),
    });
  }
  const objects = opts?.objects ? { objects: await inspectObjects(session, names, tableOf) } : {};
  return normalizeSnapshot({
    version: SNAPSHOT_VERSION,
    engine: "postgresql",
    serverVersion: await session.serverVersion(),
    schemas: names.map((name) => ({ name })),
    tables: [...tables.values()],
    ...objects,
  });
}

export const postgresInspector = { inspect } satisfies Inspector;
