// PostgreSQL objects beyond tables and columns, read only with `objects: true`: what a generated
// down script needs to re-create what a migration dropped or changed (engines/rollback).
import type { ConstraintKind, IndexSnapshot, SchemaObjectSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { postgresDialect } from "./dialect.ts";
import { IN_SCHEMAS, inspectTypes, NOT_EXTENSION } from "./inspect-types.ts";

// Table comments and partitioning: only the tables that have one of them.
const TABLE_EXTRAS = `
SELECT n.nspname AS schema, c.relname AS table, ds.description AS comment,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition THEN
         (SELECT pn.nspname || '.' || p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid) END AS parent,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p') AND ${IN_SCHEMAS} AND (ds.description IS NOT NULL OR c.relkind = 'p' OR c.relispartition)`;

/** Key columns of index `ix` in key order; an expression key is the expression's text. */
export const INDEX_KEYS = `array(SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true)
                         ELSE (SELECT attname FROM pg_attribute WHERE attrelid = ix.indrelid AND attnum = ix.indkey[k - 1])
                    END
             FROM generate_series(1, ix.indnkeyatts) AS k ORDER BY k)::text[]`;

// Index parts beside the whole definition: method (when not btree), predicate, INCLUDE columns,
// descending keys (indoption bit 0), comment. Indexes of materialized views come too. Key and
// INCLUDE columns are attribute numbers ("1 3"), named from the table's columns by the caller;
// only expression keys and materialized views' indexes (whose columns the caller has not read)
// are named here: the per-key subqueries cost a quarter of this query's time.
const INDEX_DEFS = `
SELECT n.nspname AS schema, c.relname AS table, c.relkind = 'm' AS on_view, i.relname AS name, ix.indisunique AS unique,
       ix.indisprimary AS primary, pg_get_indexdef(ix.indexrelid) AS definition,
       k.conindid IS NOT NULL AS constraint, ix.indkey::text AS keys, ix.indnkeyatts AS nkeys,
       ix.indoption::text AS options,
       CASE WHEN c.relkind = 'm' OR 0 = ANY(ix.indkey::int2[]) THEN ${INDEX_KEYS} END AS key_names,
       CASE WHEN c.relkind = 'm' THEN
         array(SELECT a.attname FROM generate_series(ix.indnkeyatts + 1, ix.indnatts) AS k
               JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k - 1] ORDER BY k)::text[]
       END AS include_names,
       am.amname AS method, pg_get_expr(ix.indpred, ix.indrelid, true) AS "where", ds.description AS comment
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam
-- pg_constraint has no index on conindid: one hash join, not a scan per index.
LEFT JOIN (SELECT DISTINCT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x')) k ON k.conindid = ix.indexrelid
LEFT JOIN pg_description ds ON ds.objoid = i.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
WHERE ${IN_SCHEMAS}`;

// Key columns come as attribute numbers ("1 2"), named by the caller from the tables it read; only
// foreign keys to a table outside the inspected schemas have their referenced columns named here.
const CONSTRAINTS = `
SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype AS type,
       pg_get_constraintdef(k.oid) AS definition, rn.nspname AS ref_schema, r.relname AS ref_table,
       array_to_string(k.conkey, ' ') AS keys, array_to_string(k.confkey, ' ') AS ref_keys,
       CASE WHEN k.contype = 'f' AND NOT (rn.nspname = ANY($1::text[])) THEN
         array(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY AS u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)::text[]
       END AS ref_names,
       k.confdeltype AS on_delete, k.confupdtype AS on_update
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class r ON r.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND ${IN_SCHEMAS}`;

const VIEWS = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition, obj_description(c.oid, 'pg_class') AS comment,
       array(SELECT DISTINCT dn.nspname || '.' || dc.relname
             FROM pg_rewrite rw
             JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
             JOIN pg_class dc ON dc.oid = d.refobjid JOIN pg_namespace dn ON dn.oid = dc.relnamespace
             WHERE rw.ev_class = c.oid AND d.refobjid <> c.oid ORDER BY 1)::text[] AS depends_on
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_class", "c.oid")}`;

// Identity sequences belong to their column; serial sequences are kept, with their owner.
const SEQUENCES = `
SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
       s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
       s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       obj_description(c.oid, 'pg_class') AS comment,
       (SELECT t.relname || '.' || a.attname FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a') AS owned_by
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_class", "c.oid")}
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')`;

const ROUTINES = `
SELECT n.nspname AS schema, p.proname AS name, p.prokind = 'p' AS procedure,
       pg_get_function_identity_arguments(p.oid) AS signature, pg_get_functiondef(p.oid) AS definition,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_proc", "p.oid")}
  -- Constructors of range types belong to the type (an internal dependency).
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`;

const TRIGGERS = `
SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ${IN_SCHEMAS}`;

const KINDS: Record<string, ConstraintKind> = {
  p: "primary",
  u: "unique",
  c: "check",
  f: "foreign",
  x: "exclusion",
};

const q = postgresDialect.quoteIdent;

type Located = { schema: string; table: string };
const withComment = (comment: string | null) => (comment !== null ? { comment } : {});

type TableRow = Located & {
  comment: string | null;
  partition_key: string | null;
  parent: string | null;
  bound: string | null;
};
type IndexRow = Located & {
  on_view: boolean;
  name: string;
  unique: boolean;
  primary: boolean;
  definition: string;
  constraint: boolean;
  keys: string;
  nkeys: number;
  options: string;
  key_names: string[] | null;
  include_names: string[] | null;
  method: string;
  where: string | null;
  comment: string | null;
};
type ConstraintRow = Located & {
  name: string;
  type: string;
  definition: string;
  ref_schema: string | null;
  ref_table: string | null;
  keys: string | null;
  ref_keys: string | null;
  ref_names: string[] | null;
  on_delete: string;
  on_update: string;
};
// pg_constraint.confdeltype / confupdtype; "a" (no action) is the default and left out.
const FK_ACTIONS: Record<string, string> = { r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };
type ViewRow = {
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
  depends_on: string[];
  comment: string | null;
};
type SeqRow = Record<"schema" | "name" | "type" | "start" | "increment" | "min" | "max" | "cache", string> & {
  cycle: boolean;
  owned_by: string | null;
  comment: string | null;
};
type RoutineRow = {
  schema: string;
  name: string;
  procedure: boolean;
  signature: string;
  definition: string;
  comment: string | null;
};
type TriggerRow = Located & { name: string; definition: string };

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Column names by attribute number: before normalisation a column's ordinal is its attnum. */
const attnames = new WeakMap<TableSnapshot, Map<number, string>>();
function attname(t: TableSnapshot | undefined, attnum: number): string {
  if (!t) return "";
  let names = attnames.get(t);
  if (!names) {
    names = new Map(t.columns.map((c) => [c.ordinal, c.name]));
    attnames.set(t, names);
  }
  return names.get(attnum) ?? "";
}

function indexOf(r: IndexRow, t: TableSnapshot | undefined): IndexSnapshot {
  const keys = r.keys.split(" ").map(Number);
  const nkeys = Number(r.nkeys);
  const include = r.include_names ?? keys.slice(nkeys).map((k) => attname(t, k));
  const descending = r.options
    .split(" ")
    .slice(0, nkeys)
    .map((o) => (Number(o) & 1) === 1);
  return {
    name: r.name,
    columns: r.key_names ?? keys.slice(0, nkeys).map((k) => attname(t, k)),
    unique: r.unique,
    ...(r.primary ? { primary: true as const } : {}),
    definition: r.definition,
    ...(r.constraint ? { constraint: true as const } : {}),
    ...(r.method !== "btree" ? { method: r.method } : {}),
    ...(r.where !== null ? { where: r.where } : {}),
    ...(include.length > 0 ? { include } : {}),
    ...(descending.some((d) => d) ? { descending } : {}),
    ...withComment(r.comment),
  };
}

/**
 * Sends every query for `objects: true` at once (the driver pipelines them on the one session, so
 * the server never waits for the client between them) and returns what fills the tables in: the
 * complete indexes (replacing the plain ones), constraints, table extras, and the objects beside
 * the tables, and the primary keys. Call the result before the snapshot is normalised (it names
 * columns by attnum).
 */
export async function fetchObjects(
  session: Session,
  schemas: string[],
): Promise<(tableOf: (r: Located) => TableSnapshot | undefined) => SchemaObjectSnapshot[]> {
  const p = [schemas];
  const [tableRows, indexes, constraints, views, sequences, routines, triggers, types] = await Promise.all([
    session.query<TableRow>(TABLE_EXTRAS, p),
    session.query<IndexRow>(INDEX_DEFS, p),
    session.query<ConstraintRow>(CONSTRAINTS, p),
    session.query<ViewRow>(VIEWS, p),
    session.query<SeqRow>(SEQUENCES, p),
    session.query<RoutineRow>(ROUTINES, p),
    session.query<TriggerRow>(TRIGGERS, p),
    inspectTypes(session, schemas),
  ]);
  return (tableOf) => {
    for (const r of tableRows) {
      const t = tableOf(r);
      if (!t) continue;
      if (r.comment !== null) t.comment = r.comment;
      if (r.partition_key !== null) t.partitionKey = r.partition_key;
      if (r.parent !== null && r.bound !== null) t.partitionOf = { parent: r.parent, bound: r.bound };
    }
    const matviewIndexes = new Map<string, IndexSnapshot[]>();
    for (const r of indexes) {
      if (r.on_view) {
        const key = `${r.schema}.${r.table}`;
        matviewIndexes.set(key, [...(matviewIndexes.get(key) ?? []), indexOf(r, undefined)]);
        continue;
      }
      const t = tableOf(r);
      t?.indexes.push(indexOf(r, t));
    }
    const numbers = (text: string | null) => (text ? text.split(" ").map(Number) : []);
    for (const r of constraints) {
      const t = tableOf(r);
      const kind = KINDS[r.type];
      if (!t || !kind) continue;
      const columns = numbers(r.keys).map((k) => attname(t, k));
      if (kind === "primary") t.primaryKey = { name: r.name, columns };
      t.constraints ??= [];
      if (kind !== "foreign" || r.ref_schema === null || r.ref_table === null) {
        t.constraints.push({ name: r.name, kind, definition: r.definition });
        continue;
      }
      const target = tableOf({ schema: r.ref_schema, table: r.ref_table });
      const onDelete = FK_ACTIONS[r.on_delete];
      const onUpdate = FK_ACTIONS[r.on_update];
      t.constraints.push({
        name: r.name,
        kind,
        definition: r.definition,
        references: `${r.ref_schema}.${r.ref_table}`,
        columns,
        referencedColumns: r.ref_names ?? numbers(r.ref_keys).map((k) => attname(target, k)),
        ...(onDelete ? { onDelete } : {}),
        ...(onUpdate ? { onUpdate } : {}),
      });
    }
    const objects: SchemaObjectSnapshot[] = [];
    for (const r of views) {
      const body = r.definition.trim().replace(/;$/, "");
      const ix = matviewIndexes.get(`${r.schema}.${r.name}`);
      objects.push({
        kind: r.materialized ? "materialized_view" : "view",
        schema: r.schema,
        name: r.name,
        dependsOn: r.depends_on,
        definition: `CREATE ${r.materialized ? "MATERIALIZED " : ""}VIEW ${q(r.schema)}.${q(r.name)} AS\n${body}`,
        ...(ix ? { indexes: ix.sort(byName) } : {}),
        ...withComment(r.comment),
      });
    }
    for (const r of sequences) {
      objects.push({
        kind: "sequence",
        schema: r.schema,
        name: r.name,
        ...(r.owned_by ? { ownedBy: r.owned_by } : {}),
        definition:
          `CREATE SEQUENCE ${q(r.schema)}.${q(r.name)} AS ${r.type} INCREMENT BY ${r.increment} MINVALUE ${r.min}` +
          ` MAXVALUE ${r.max} START WITH ${r.start} CACHE ${r.cache}${r.cycle ? " CYCLE" : " NO CYCLE"}`,
        ...withComment(r.comment),
      });
    }
    for (const r of routines) {
      objects.push({
        kind: r.procedure ? "procedure" : "function",
        schema: r.schema,
        name: r.name,
        signature: r.signature,
        definition: r.definition.trim(),
        ...withComment(r.comment),
      });
    }
    for (const r of triggers) {
      objects.push({ kind: "trigger", schema: r.schema, name: r.name, table: r.table, definition: r.definition });
    }
    objects.push(...types);
    return objects;
  };
}
