// PostgreSQL introspection from pg_catalog (exact types via format_type, index keys in key order).
// Needs PostgreSQL 12+ (attgenerated, indnkeyatts).
import type { InspectOptions, Inspector } from "../adapter.ts";
import { BACKUP_SCHEMA } from "../rollback/backup-names.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import { normalizeSnapshot, type SchemaInfo, SNAPSHOT_VERSION, type TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { fetchObjects, INDEX_KEYS } from "./inspect-objects.ts";
import { inspectExtensions, schemaComments } from "./inspect-types.ts";

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

// Generation expressions also live in pg_attrdef; they are not defaults. With `objects: true` the
// same pass reads identity, generation, a collation other than the type's, and the comment.
const columnsSql = (objects: boolean) => `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
       a.attnum AS ordinal${
         objects
           ? `, a.attidentity AS identity,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END AS collation,
       ds.description AS comment`
           : ""
       }
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum${
  objects
    ? `
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum`
    : ""
}
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
       ${INDEX_KEYS} AS columns
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${TABLE_FILTER}`;

type Located = { schema: string; table: string };
// The catalog queries' correlated subqueries look costly to the planner, and JIT-compiling them
// costs far more than running them (0.9 s of a 1 s query on 6,000 indexes), so JIT is off for the
// inspection and the session's own setting comes back afterwards (inside a caller's transaction too).
async function inspect(session: Session, opts?: InspectOptions) {
  const [saved] = await session.query<{ jit: string }>(
    "SELECT current_setting('jit') AS jit, set_config('jit', 'off', false)",
  );
  try {
    return await inspectCatalog(session, opts);
  } finally {
    await session.query("SELECT set_config('jit', $1, false)", [saved?.jit ?? "on"]);
  }
}

type ColumnRow = Located & {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  ordinal: number;
  // With `objects: true` only:
  identity?: string;
  generated?: string | null;
  collation?: string | null;
  comment?: string | null;
};
type IndexRow = Located & { name: string; unique: boolean; primary: boolean; columns: string[] };

async function inspectCatalog(session: Session, opts?: InspectOptions) {
  const schemaRows = await session.query<{ name: string }>(SCHEMAS, [opts?.schemas ?? null]);
  const names = schemaRows.map((r) => r.name);
  const p = [names];
  // Every query goes out at once; the driver pipelines them on the session. With `objects: true`
  // indexes and primary keys come from fetchObjects' fuller queries, so they are not read twice.
  const [tableRows, columns, primaryKeys, indexes, objectsOf, extensions, comments] = await Promise.all([
    session.query<{ schema: string; name: string }>(TABLES, p),
    session.query<ColumnRow>(columnsSql(Boolean(opts?.objects)), p),
    opts?.objects ? [] : session.query<Located & { name: string; columns: string[] }>(PRIMARY_KEYS, p),
    opts?.objects ? [] : session.query<IndexRow>(INDEXES, p),
    opts?.objects ? fetchObjects(session, names) : null,
    opts?.objects ? inspectExtensions(session, names) : null,
    opts?.objects ? schemaComments(session, names) : null,
  ]);
  const tables = new Map<string, TableSnapshot>();
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  for (const t of tableRows) {
    tables.set(key(t.schema, t.name), { schema: t.schema, name: t.name, columns: [], primaryKey: null, indexes: [] });
  }
  const tableOf = (r: Located) => tables.get(key(r.schema, r.table));
  for (const r of columns) {
    tableOf(r)?.columns.push({
      name: r.name,
      type: r.type,
      nullable: r.nullable,
      default: r.default,
      ordinal: Number(r.ordinal),
      ...(r.identity ? { identity: r.identity === "a" ? ("always" as const) : ("by default" as const) } : {}),
      ...(r.generated != null ? { generated: r.generated } : {}),
      ...(r.collation != null ? { collation: r.collation } : {}),
      ...(r.comment != null ? { comment: r.comment } : {}),
    });
  }
  for (const r of primaryKeys) {
    const t = tableOf(r);
    if (t) t.primaryKey = { name: r.name, columns: r.columns };
  }
  for (const r of indexes) {
    tableOf(r)?.indexes.push({
      name: r.name,
      columns: r.columns,
      unique: r.unique,
      ...(r.primary ? { primary: true as const } : {}),
    });
  }
  const objects = objectsOf ? { objects: objectsOf(tableOf) } : {};
  const schemas: SchemaInfo[] = names.map((name) => {
    const comment = comments?.get(name);
    return comment !== undefined ? { name, comment } : { name };
  });
  return normalizeSnapshot({
    version: SNAPSHOT_VERSION,
    engine: "postgresql",
    serverVersion: await session.serverVersion(),
    schemas,
    tables: [...tables.values()],
    ...objects,
    ...(extensions ? { extensions } : {}),
  });
}

export const postgresInspector = { inspect } satisfies Inspector;
