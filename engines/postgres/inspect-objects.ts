// PostgreSQL objects beyond tables and columns, read only with `objects: true`: what a generated
// down script needs to re-create what a migration dropped or changed (engines/rollback).
import type { ConstraintKind, SchemaObjectSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";

const IN_SCHEMAS = "n.nspname = ANY($1::text[])";
// Objects an extension created belong to the extension, not to the schema's migrations.
const NOT_EXTENSION = (cls: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const IDENTITY = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, a.attidentity AS identity,
       CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND (a.attidentity <> '' OR a.attgenerated = 's') AND ${IN_SCHEMAS}`;

const INDEX_DEFS = `
SELECT n.nspname AS schema, c.relname AS table, i.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ix.indexrelid AND k.contype IN ('p', 'u', 'x')) AS constraint
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${IN_SCHEMAS}`;

const CONSTRAINTS = `
SELECT n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype AS type,
       pg_get_constraintdef(k.oid) AS definition,
       (SELECT rn.nspname || '.' || r.relname FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE r.oid = k.confrelid) AS "references"
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND ${IN_SCHEMAS}`;

const VIEWS = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid, true) AS definition,
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
       (SELECT t.relname || '.' || a.attname FROM pg_depend d
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a') AS owned_by
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_class", "c.oid")}
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')`;

const ROUTINES = `
SELECT n.nspname AS schema, p.proname AS name, p.prokind = 'p' AS procedure,
       pg_get_function_identity_arguments(p.oid) AS signature, pg_get_functiondef(p.oid) AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_proc", "p.oid")}`;

const TRIGGERS = `
SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND ${IN_SCHEMAS}`;

const ENUMS = `
SELECT n.nspname AS schema, t.typname AS name,
       array(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_type", "t.oid")}`;

// Composite types made by CREATE TYPE … AS (…), not the row types every table has.
const COMPOSITES = `
SELECT n.nspname AS schema, t.typname AS name,
       array(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[] AS fields
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_type", "t.oid")}`;

const DOMAINS = `
SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS base,
       t.typnotnull AS not_null, t.typdefault AS default,
       array(SELECT 'CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k
             WHERE k.contypid = t.oid ORDER BY k.conname)::text[] AS checks
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND ${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_type", "t.oid")}`;

const KINDS: Record<string, ConstraintKind> = {
  p: "primary",
  u: "unique",
  c: "check",
  f: "foreign",
  x: "exclusion",
};

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lit = (value: string) => `'${value.replaceAll("'", "''")}'`;

type Located = { schema: string; table: string };

/** Adds constraints, index definitions and identity to `tables`; returns the other objects. */
export async function inspectObjects(
  session: Session,
  schemas: string[],
  tableOf: (r: Located) => TableSnapshot | undefined,
): Promise<SchemaObjectSnapshot[]> {
  type IdentityRow = Located & { name: string; identity: string; generated: string | null };
  for (const r of await session.query<IdentityRow>(IDENTITY, [schemas])) {
    const col = tableOf(r)?.columns.find((c) => c.name === r.name);
    if (!col) continue;
    if (r.identity !== "") col.identity = r.identity === "a" ? "always" : "by default";
    if (r.generated !== null) col.generated = r.generated;
  }
  type IndexRow = Located & { name: string; definition: string; constraint: boolean };
  for (const r of await session.query<IndexRow>(INDEX_DEFS, [schemas])) {
    const ix = tableOf(r)?.indexes.find((i) => i.name === r.name);
    if (!ix) continue;
    ix.definition = r.definition;
    if (r.constraint) ix.constraint = true;
  }
  type ConstraintRow = Located & { name: string; type: string; definition: string; references: string | null };
  for (const r of await session.query<ConstraintRow>(CONSTRAINTS, [schemas])) {
    const t = tableOf(r);
    const kind = KINDS[r.type];
    if (!t || !kind) continue;
    t.constraints ??= [];
    t.constraints.push({
      name: r.name,
      kind,
      definition: r.definition,
      ...(r.references !== null ? { references: r.references } : {}),
    });
  }
  const objects: SchemaObjectSnapshot[] = [];
  type ViewRow = { schema: string; name: string; materialized: boolean; definition: string; depends_on: string[] };
  for (const r of await session.query<ViewRow>(VIEWS, [schemas])) {
    const body = r.definition.trim().replace(/;$/, "");
    objects.push({
      kind: r.materialized ? "materialized_view" : "view",
      schema: r.schema,
      name: r.name,
      dependsOn: r.depends_on,
      definition: `CREATE ${r.materialized ? "MATERIALIZED " : ""}VIEW ${q(r.schema)}.${q(r.name)} AS\n${body}`,
    });
  }
  type SeqRow = Record<"schema" | "name" | "type" | "start" | "increment" | "min" | "max" | "cache", string> & {
    cycle: boolean;
    owned_by: string | null;
  };
  for (const r of await session.query<SeqRow>(SEQUENCES, [schemas])) {
    objects.push({
      kind: "sequence",
      schema: r.schema,
      name: r.name,
      ...(r.owned_by ? { ownedBy: r.owned_by } : {}),
      definition:
        `CREATE SEQUENCE ${q(r.schema)}.${q(r.name)} AS ${r.type} INCREMENT BY ${r.increment} MINVALUE ${r.min}` +
        ` MAXVALUE ${r.max} START WITH ${r.start} CACHE ${r.cache}${r.cycle ? " CYCLE" : " NO CYCLE"}`,
    });
  }
  type RoutineRow = { schema: string; name: string; procedure: boolean; signature: string; definition: string };
  for (const r of await session.query<RoutineRow>(ROUTINES, [schemas])) {
    objects.push({
      kind: r.procedure ? "procedure" : "function",
      schema: r.schema,
      name: r.name,
      signature: r.signature,
      definition: r.definition.trim(),
    });
  }
  for (const r of await session.query<Located & { name: string; definition: string }>(TRIGGERS, [schemas])) {
    objects.push({ kind: "trigger", schema: r.schema, name: r.name, table: r.table, definition: r.definition });
  }
  for (const r of await session.query<{ schema: string; name: string; labels: string[] }>(ENUMS, [schemas])) {
    objects.push({
      kind: "type",
      schema: r.schema,
      name: r.name,
      definition: `CREATE TYPE ${q(r.schema)}.${q(r.name)} AS ENUM (${r.labels.map(lit).join(", ")})`,
    });
  }
  for (const r of await session.query<{ schema: string; name: string; fields: string[] }>(COMPOSITES, [schemas])) {
    objects.push({
      kind: "type",
      schema: r.schema,
      name: r.name,
      definition: `CREATE TYPE ${q(r.schema)}.${q(r.name)} AS (${r.fields.join(", ")})`,
    });
  }
  type DomainRow = {
    schema: string;
    name: string;
    base: string;
    not_null: boolean;
    default: string | null;
    checks: string[];
  };
  for (const r of await session.query<DomainRow>(DOMAINS, [schemas])) {
    const extras = [
      ...(r.default !== null ? [`DEFAULT ${r.default}`] : []),
      ...(r.not_null ? ["NOT NULL"] : []),
      ...r.checks,
    ];
    objects.push({
      kind: "type",
      schema: r.schema,
      name: r.name,
      definition: `CREATE DOMAIN ${q(r.schema)}.${q(r.name)} AS ${r.base}${extras.map((x) => ` ${x}`).join("")}`,
    });
  }
  return objects;
}
