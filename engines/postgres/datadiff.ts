// PostgreSQL facts for the row-level data diff (engines/datadiff/): canonical text in SQL, the row
// hash pushed into the server (hash_record_extended over the values when both sides are the same
// engine with the same types, else md5 of the canonical text), "C" ordering for text keys.
import { canonicalLiteral } from "../datadiff/literal.ts";
import type { DataDiffFacts, DiffColumn, TableName, ValueClass } from "../datadiff/types.ts";
import type { Session } from "../types.ts";
import { postgresDialect } from "./dialect.ts";

const q = postgresDialect.quoteIdent;

const CLASSES: Record<string, ValueClass> = {
  int2: "int",
  int4: "int",
  int8: "int",
  oid: "int",
  numeric: "decimal",
  float4: "float",
  float8: "float",
  bool: "bool",
  text: "text",
  varchar: "text",
  bpchar: "text",
  name: "text",
  citext: "text",
  bytea: "bytes",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  uuid: "uuid",
  json: "json",
  jsonb: "json",
};

export function postgresValueClass(baseType: string): ValueClass {
  return CLASSES[baseType] ?? "other";
}

function canonical(col: DiffColumn, v: string): string {
  switch (col.cls) {
    case "decimal":
      return `trim_scale(${v})::text`;
    case "bool":
      return `CASE WHEN ${v} THEN '1' WHEN NOT ${v} THEN '0' END`;
    case "bytes":
      return `encode(${v}, 'hex')`;
    case "date":
      return `to_char(${v}, 'YYYY-MM-DD')`;
    case "timestamp":
      return `to_char(${v}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
    case "timestamptz":
      return `to_char(${v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
    default:
      return `(${v})::text`;
  }
}

const lit = postgresDialect.quoteLiteral;

function literal(col: DiffColumn, text: string | null): string {
  return canonicalLiteral(col, text, {
    quote: lit,
    own: {
      bool: (t) => (t === "0" ? "false" : "true"),
      bytes: (t) => `decode(${lit(t)}, 'hex')`,
      timestamptz: (t) => lit(`${t}Z`),
    },
  });
}

// Classes whose PostgreSQL types all have a default hash operator class with extended hashing.
const HASHABLE = new Set<ValueClass>([
  "int",
  "decimal",
  "float",
  "bool",
  "bytes",
  "date",
  "timestamp",
  "timestamptz",
  "uuid",
]);

function typeHashable(col: DiffColumn): boolean {
  if (col.cls === "text") return /^(text|character varying|character|name)\b/.test(col.type);
  return HASHABLE.has(col.cls) || col.type === "jsonb";
}

async function describe(session: Session, table: TableName) {
  const name = table.schema === undefined ? q(table.name) : `${q(table.schema)}.${q(table.name)}`;
  const cols = await session.query<{ name: string; type: string; base: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            coalesce(bt.typname, t.typname) AS base
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [name],
  );
  if (cols.length === 0) return null;
  const pk = await session.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary
      ORDER BY k.ord`,
    [name],
  );
  return {
    columns: cols.map((c) => ({ name: c.name, type: c.type, cls: postgresValueClass(c.base) })),
    primaryKey: pk.map((r) => r.name),
  };
}

export const postgresDataDiff = {
  quoteIdent: q,
  quoteLiteral: postgresDialect.quoteLiteral,
  async prepare(session) {
    // The native hash reads the row's own text: make it independent of session settings.
    await session.exec("SET TimeZone = 'UTC'");
    await session.exec("SET DateStyle = 'ISO, YMD'");
    await session.exec("SET extra_float_digits = 1");
    await session.exec("SET bytea_output = 'hex'");
    // A bucket CASE tree over hundreds of boundaries is one big expression: LLVM would spend
    // seconds compiling it for a pass that takes a fraction of that.
    await session.exec("SET jit = off");
    // With the buckets as a generate_series join (bucketSeries), a hash join lets each parallel
    // worker aggregate its share; a merge join would sort the whole table first.
    await session.exec("SET enable_mergejoin = off");
  },
  describe,
  canonical,
  hash: {
    row(cols, mode) {
      const row = `ROW(${cols.map((c) => c.operand).join(", ")})`;
      // Same engine, same types: hash the values themselves (no text output, the costly part);
      // the type hash functions are stable across versions (hash partitioning relies on it).
      if (mode === "native" && cols.every((c) => typeHashable(c.col))) return `hash_record_extended(${row}, 0)`;
      if (mode === "native") return `hashtextextended(${row}::text, 0)`;
      const parts = cols.map(({ col, operand }) => {
        const v = canonical(col, operand);
        return `coalesce(octet_length(${v})::text || ':' || ${v}, 'N')`;
      });
      return `('x' || left(md5(${parts.join(" || ")}), 16))::bit(64)::bigint`;
    },
    combine: (h) => `bit_xor(${h})`,
  },
  bucketSeries: (count) => `generate_series(0, ${count - 1})`,
  keyOperand: (col, operand) => (col.cls === "text" ? `${operand} COLLATE "C"` : operand),
  parallelScans: true,
  intBucket: (operand, lo, width) => `((${operand})::bigint - ${lo}) / ${width}`,
  literal,
} satisfies DataDiffFacts;
