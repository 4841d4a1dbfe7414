// PostgreSQL types (enum, composite, domain, range), extensions and schema comments, read with
// `objects: true`: kept as DDL and, where a diff compares them in parts, as structured fields.
import type { ExtensionSnapshot, SchemaObjectSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { postgresDialect } from "./dialect.ts";

export const IN_SCHEMAS = "n.nspname = ANY($1::text[])";
/** Objects an extension created belong to the extension, not to the schema's migrations. */
export const NOT_EXTENSION = (cls: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const TYPE_BASE = `FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`;
const TYPE_FILTER = `${IN_SCHEMAS} AND ${NOT_EXTENSION("pg_type", "t.oid")}`;
const TYPE_COMMENT = `obj_description(t.oid, 'pg_type') AS comment`;

const ENUMS = `
SELECT n.nspname AS schema, t.typname AS name, ${TYPE_COMMENT},
       array(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels
${TYPE_BASE} WHERE t.typtype = 'e' AND ${TYPE_FILTER}`;

// Composite types made by CREATE TYPE … AS (…), not the row types every table has.
const COMPOSITES = `
SELECT n.nspname AS schema, t.typname AS name, ${TYPE_COMMENT},
       array(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)::text[] AS fields
${TYPE_BASE} JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND ${TYPE_FILTER}`;

const DOMAINS = `
SELECT n.nspname AS schema, t.typname AS name, ${TYPE_COMMENT}, format_type(t.typbasetype, t.typtypmod) AS base,
       t.typnotnull AS not_null, t.typdefault AS default,
       array(SELECT 'CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k
             WHERE k.contypid = t.oid ORDER BY k.conname)::text[] AS checks
${TYPE_BASE} WHERE t.typtype = 'd' AND ${TYPE_FILTER}`;

const RANGES = `
SELECT n.nspname AS schema, t.typname AS name, ${TYPE_COMMENT}, format_type(r.rngsubtype, NULL) AS base
${TYPE_BASE} JOIN pg_range r ON r.rngtypid = t.oid WHERE t.typtype = 'r' AND ${TYPE_FILTER}`;

// Extensions installed into one of the inspected schemas (plpgsql lives in pg_catalog, so not listed).
const EXTENSIONS = `
SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE ${IN_SCHEMAS}`;

const SCHEMA_COMMENTS = `
SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment
FROM pg_namespace n WHERE ${IN_SCHEMAS} AND obj_description(n.oid, 'pg_namespace') IS NOT NULL`;

const q = postgresDialect.quoteIdent;
const lit = postgresDialect.quoteLiteral;

type TypeRow = { schema: string; name: string; comment: string | null };

function typeObject(r: TypeRow, fields: Partial<SchemaObjectSnapshot> & { definition: string }): SchemaObjectSnapshot {
  return {
    kind: "type",
    schema: r.schema,
    name: r.name,
    ...fields,
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}

export async function inspectTypes(session: Session, schemas: string[]): Promise<SchemaObjectSnapshot[]> {
  const p = [schemas];
  type DomainRow = TypeRow & { base: string; not_null: boolean; default: string | null; checks: string[] };
  const [enums, composites, domains, ranges] = await Promise.all([
    session.query<TypeRow & { labels: string[] }>(ENUMS, p),
    session.query<TypeRow & { fields: string[] }>(COMPOSITES, p),
    session.query<DomainRow>(DOMAINS, p),
    session.query<TypeRow & { base: string }>(RANGES, p),
  ]);
  const qualified = (r: TypeRow) => `${q(r.schema)}.${q(r.name)}`;
  return [
    ...enums.map((r) =>
      typeObject(r, {
        typeKind: "enum",
        enumLabels: r.labels,
        definition: `CREATE TYPE ${qualified(r)} AS ENUM (${r.labels.map(lit).join(", ")})`,
      }),
    ),
    ...composites.map((r) =>
      typeObject(r, {
        typeKind: "composite",
        attributes: r.fields,
        definition: `CREATE TYPE ${qualified(r)} AS (${r.fields.join(", ")})`,
      }),
    ),
    ...domains.map((r) => {
      const extras = [
        ...(r.default !== null ? [`DEFAULT ${r.default}`] : []),
        ...(r.not_null ? ["NOT NULL"] : []),
        ...r.checks,
      ];
      return typeObject(r, {
        typeKind: "domain",
        baseType: r.base,
        definition: `CREATE DOMAIN ${qualified(r)} AS ${r.base}${extras.map((x) => ` ${x}`).join("")}`,
      });
    }),
    ...ranges.map((r) =>
      typeObject(r, {
        typeKind: "range",
        baseType: r.base,
        definition: `CREATE TYPE ${qualified(r)} AS RANGE (subtype = ${r.base})`,
      }),
    ),
  ];
}

export async function inspectExtensions(session: Session, schemas: string[]): Promise<ExtensionSnapshot[]> {
  const rows = await session.query<{ name: string; schema: string; version: string }>(EXTENSIONS, [schemas]);
  return rows.map((r) => ({ name: r.name, schema: r.schema, version: r.version }));
}

/** Schema name → comment, for the schemas that have one. */
export async function schemaComments(session: Session, schemas: string[]): Promise<Map<string, string>> {
  const rows = await session.query<{ name: string; comment: string }>(SCHEMA_COMMENTS, [schemas]);
  return new Map(rows.map((r) => [r.name, r.comment]));
}
