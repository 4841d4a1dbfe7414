// The single type-mapping table between engines: source engine type → carried (Arrow) kind → target
// engine type. Data transfer creates and checks target columns from it; schema compare uses it for
// cross-engine type equivalence. A plain exported table plus small pure functions.
//
// Decisions:
// - Exact decimals, 64-bit unsigned integers, dates and times travel as exact text (Arrow Utf8 with
//   the kind in the field metadata), never as floats: PostgreSQL's ±infinity and BC dates and
//   numerics of any precision have no lossless Arrow Decimal/Timestamp form in apache-arrow's JS builders.
// - Integers are widened where the target lacks the unsigned type (int unsigned → bigint,
//   bigint unsigned → numeric(20,0)).
// - Temporal canonical text is ISO: "YYYY-MM-DD", "HH:MM:SS[.ffffff]", timestamps with a space and,
//   for timestamptz, a UTC offset "+00" (readers run in UTC).
// - Same-engine PostgreSQL columns of types without a row here (inet, xml, ranges, domains…) travel
//   as their text I/O form and keep their type: exact for PostgreSQL → PostgreSQL. Across engines
//   such a column is reported unless a per-column override names the target type.
import { clickHouseDialect } from "../clickhouse/dialect.ts";
import type { EngineId } from "../types.ts";

/** What a value is while it travels: one Arrow type per kind. */
export type CarriedKind =
  | "boolean"
  | "int16"
  | "int32"
  | "int64"
  | "decimal"
  | "float32"
  | "float64"
  | "text"
  | "binary"
  | "date"
  | "time"
  | "timestamp"
  | "timestamptz"
  | "interval"
  | "json"
  | "uuid"
  | "enum"
  | "array";

export type ArrowTypeName = "Bool" | "Int16" | "Int32" | "Int64" | "Float32" | "Float64" | "Utf8" | "Binary";

/** The Arrow type of each carried kind (exact kinds are Utf8 with `migratrix.kind` in the field metadata). */
export const ARROW_TYPE: Readonly<Record<CarriedKind, ArrowTypeName>> = {
  boolean: "Bool",
  int16: "Int16",
  int32: "Int32",
  int64: "Int64",
  decimal: "Utf8",
  float32: "Float32",
  float64: "Float64",
  text: "Utf8",
  binary: "Binary",
  date: "Utf8",
  time: "Utf8",
  timestamp: "Utf8",
  timestamptz: "Utf8",
  interval: "Utf8",
  json: "Utf8",
  uuid: "Utf8",
  enum: "Utf8",
  array: "Utf8",
};

/** Source engines with readers (transfer) or schema translation (SQLite), target engines with writers or DDL. */
export type TypeMapSource = "postgresql" | "mysql" | "sqlite";
export type TypeMapTarget = "postgresql" | "mysql" | "sqlite" | "clickhouse";

/** A native type parsed: base name, arguments, unsigned, array, enum/set labels. */
export interface NativeType {
  base: string;
  args: number[];
  unsigned: boolean;
  /** PostgreSQL "integer[]": the element type is `base`. */
  array: boolean;
  /** enum('a','b') / set('a','b') labels, or a PostgreSQL enum type's labels. */
  labels?: string[];
}

/** One row of the source side: which native types become which kind. */
export interface SourceTypeRule {
  /** Stable id used by coverage tests and reports: "postgresql:integer". */
  id: string;
  engine: TypeMapSource;
  /** Base names as the engine prints them (format_type / COLUMN_TYPE without arguments). */
  names: readonly string[];
  /** Further condition on the parsed type (tinyint(1), unsigned, arrays, json check). */
  when?: (t: NativeType, ctx: SourceContext) => boolean;
  kind: CarriedKind;
  /** Arguments the target type takes (length, precision/scale, fractional seconds). */
  params?: (t: NativeType) => TypeParams;
  /** Said before any row moves, per target engine ("*" for all). */
  notes?: Partial<Record<TypeMapTarget | "*", string>>;
  /** Values that cannot be carried exactly into that target: the column is reported as lossy. */
  lossy?: Partial<Record<TypeMapTarget, string>>;
}

export interface SourceContext {
  /** MariaDB: JSON is LONGTEXT with a json_valid(col) check. */
  jsonCheck?: boolean;
  /** PostgreSQL: the type is a user enum. */
  pgEnum?: boolean;
  /** PostgreSQL enum labels (MySQL's are in the type text). */
  labels?: string[];
}

export interface TypeParams {
  length?: number;
  precision?: number;
  scale?: number;
  fsp?: number;
  labels?: string[];
  /** Element type for arrays (PostgreSQL → PostgreSQL keeps it). */
  element?: string;
  /** Fixed-length text (char(n)): kept fixed in schema translation (MapOptions.fixedChar). */
  fixed?: boolean;
}

const one = (t: NativeType): TypeParams => (t.args[0] !== undefined ? { length: t.args[0] } : {});
const fixedLength = (t: NativeType): TypeParams => ({ length: t.args[0] ?? 1, fixed: true });
const fsp = (t: NativeType): TypeParams => (t.args[0] !== undefined ? { fsp: t.args[0] } : {});
const decimalParams = (t: NativeType): TypeParams =>
  t.args[0] !== undefined ? { precision: t.args[0], scale: t.args[1] ?? 0 } : {};
const isUnsigned = (t: NativeType) => t.unsigned;
const signed = (t: NativeType) => !t.unsigned;

export const SOURCE_TYPES: readonly SourceTypeRule[] = [
  // PostgreSQL
  {
    id: "postgresql:array",
    engine: "postgresql",
    names: ["*"],
    when: (t) => t.array,
    kind: "array",
    params: (t) => ({ element: t.base }),
    notes: { mysql: "array carried as JSON text", sqlite: "array carried as JSON text" },
  },
  {
    id: "postgresql:enum",
    engine: "postgresql",
    names: ["*"],
    when: (_t, c) => c.pgEnum === true,
    kind: "enum",
    params: (t) => (t.labels ? { labels: t.labels } : {}),
  },
  { id: "postgresql:boolean", engine: "postgresql", names: ["boolean"], kind: "boolean" },
  { id: "postgresql:smallint", engine: "postgresql", names: ["smallint"], kind: "int16" },
  { id: "postgresql:integer", engine: "postgresql", names: ["integer"], kind: "int32" },
  { id: "postgresql:bigint", engine: "postgresql", names: ["bigint"], kind: "int64" },
  {
    id: "postgresql:numeric",
    engine: "postgresql",
    names: ["numeric"],
    kind: "decimal",
    params: decimalParams,
    lossy: { mysql: "numeric without precision: MySQL decimal holds at most 65 digits, 30 after the point" },
  },
  { id: "postgresql:real", engine: "postgresql", names: ["real"], kind: "float32" },
  { id: "postgresql:double", engine: "postgresql", names: ["double precision"], kind: "float64" },
  { id: "postgresql:text", engine: "postgresql", names: ["text"], kind: "text" },
  { id: "postgresql:varchar", engine: "postgresql", names: ["character varying"], kind: "text", params: one },
  {
    id: "postgresql:char",
    engine: "postgresql",
    names: ["character"],
    kind: "text",
    params: fixedLength,
  },
  { id: "postgresql:bytea", engine: "postgresql", names: ["bytea"], kind: "binary" },
  {
    id: "postgresql:date",
    engine: "postgresql",
    names: ["date"],
    kind: "date",
    notes: { mysql: "infinity and BC dates fail when written" },
  },
  { id: "postgresql:time", engine: "postgresql", names: ["time without time zone"], kind: "time", params: fsp },
  {
    id: "postgresql:timestamp",
    engine: "postgresql",
    names: ["timestamp without time zone"],
    kind: "timestamp",
    params: fsp,
    notes: { mysql: "infinity and dates outside 1000–9999 fail when written" },
  },
  {
    id: "postgresql:timestamptz",
    engine: "postgresql",
    names: ["timestamp with time zone"],
    kind: "timestamptz",
    params: fsp,
    notes: { mysql: "stored as UTC DATETIME", sqlite: "stored as UTC text" },
  },
  {
    id: "postgresql:interval",
    engine: "postgresql",
    names: ["interval"],
    kind: "interval",
    notes: { mysql: "interval carried as text", sqlite: "interval carried as text" },
  },
  {
    id: "postgresql:json",
    engine: "postgresql",
    names: ["json"],
    kind: "json",
    notes: { mysql: "MySQL normalises JSON text (key order, duplicate keys); MariaDB keeps it" },
  },
  { id: "postgresql:jsonb", engine: "postgresql", names: ["jsonb"], kind: "json" },
  { id: "postgresql:uuid", engine: "postgresql", names: ["uuid"], kind: "uuid" },
  // MySQL / MariaDB
  {
    id: "mysql:tinyint(1)",
    engine: "mysql",
    names: ["tinyint"],
    when: (t) => !t.unsigned && t.args[0] === 1,
    kind: "boolean",
    notes: { "*": "tinyint(1) read as boolean: a value other than 0 or 1 stops the transfer (override to keep it)" },
  },
  { id: "mysql:tinyint", engine: "mysql", names: ["tinyint"], kind: "int16" },
  { id: "mysql:smallint", engine: "mysql", names: ["smallint"], when: signed, kind: "int16" },
  { id: "mysql:smallint unsigned", engine: "mysql", names: ["smallint"], when: isUnsigned, kind: "int32" },
  { id: "mysql:mediumint", engine: "mysql", names: ["mediumint"], kind: "int32" },
  { id: "mysql:int", engine: "mysql", names: ["int", "integer"], when: signed, kind: "int32" },
  { id: "mysql:int unsigned", engine: "mysql", names: ["int", "integer"], when: isUnsigned, kind: "int64" },
  { id: "mysql:bigint", engine: "mysql", names: ["bigint"], when: signed, kind: "int64" },
  {
    id: "mysql:bigint unsigned",
    engine: "mysql",
    names: ["bigint"],
    when: isUnsigned,
    kind: "decimal",
    params: () => ({ precision: 20, scale: 0 }),
  },
  { id: "mysql:decimal", engine: "mysql", names: ["decimal", "numeric"], kind: "decimal", params: decimalParams },
  { id: "mysql:float", engine: "mysql", names: ["float"], kind: "float32" },
  { id: "mysql:double", engine: "mysql", names: ["double", "real"], kind: "float64" },
  { id: "mysql:year", engine: "mysql", names: ["year"], kind: "int16" },
  { id: "mysql:varchar", engine: "mysql", names: ["varchar"], kind: "text", params: one },
  { id: "mysql:char", engine: "mysql", names: ["char"], kind: "text", params: fixedLength },
  {
    id: "mysql:json",
    engine: "mysql",
    names: ["json", "longtext"],
    when: (t, c) => t.base === "json" || c.jsonCheck === true,
    kind: "json",
  },
  { id: "mysql:text", engine: "mysql", names: ["tinytext", "text", "mediumtext", "longtext"], kind: "text" },
  { id: "mysql:binary", engine: "mysql", names: ["binary", "varbinary"], kind: "binary", params: one },
  { id: "mysql:blob", engine: "mysql", names: ["tinyblob", "blob", "mediumblob", "longblob"], kind: "binary" },
  {
    id: "mysql:date",
    engine: "mysql",
    names: ["date"],
    kind: "date",
    notes: { "*": "zero dates (0000-00-00) become NULL, each counted in a warning" },
  },
  {
    id: "mysql:time",
    engine: "mysql",
    names: ["time"],
    kind: "time",
    params: fsp,
    notes: { postgresql: "values outside 00:00–24:00 fail when written" },
  },
  {
    id: "mysql:datetime",
    engine: "mysql",
    names: ["datetime"],
    kind: "timestamp",
    params: fsp,
    notes: { "*": "zero dates become NULL, each counted in a warning" },
  },
  {
    id: "mysql:timestamp",
    engine: "mysql",
    names: ["timestamp"],
    kind: "timestamptz",
    params: fsp,
    notes: { "*": "zero timestamps become NULL, each counted in a warning" },
  },
  { id: "mysql:uuid", engine: "mysql", names: ["uuid"], kind: "uuid" },
  {
    id: "mysql:enum",
    engine: "mysql",
    names: ["enum"],
    kind: "enum",
    params: (t) => (t.labels ? { labels: t.labels } : {}),
  },
  {
    id: "mysql:set",
    engine: "mysql",
    names: ["set"],
    kind: "text",
    notes: { postgresql: "set carried as its comma-separated text", sqlite: "set carried as its comma-separated text" },
  },
  // SQLite (schema translation): declared names first, then SQLite's own affinity rules (datatype3.html §3.1).
  { id: "sqlite:boolean", engine: "sqlite", names: ["boolean", "bool"], kind: "boolean" },
  { id: "sqlite:date", engine: "sqlite", names: ["date"], kind: "date" },
  { id: "sqlite:datetime", engine: "sqlite", names: ["datetime", "timestamp"], kind: "timestamp" },
  { id: "sqlite:time", engine: "sqlite", names: ["time"], kind: "time" },
  { id: "sqlite:json", engine: "sqlite", names: ["json", "jsonb"], kind: "json" },
  { id: "sqlite:uuid", engine: "sqlite", names: ["uuid"], kind: "uuid" },
  { id: "sqlite:decimal", engine: "sqlite", names: ["decimal", "numeric"], kind: "decimal", params: decimalParams },
  {
    id: "sqlite:char",
    engine: "sqlite",
    names: ["char", "character", "nchar"],
    when: (t) => t.args[0] !== undefined,
    kind: "text",
    params: fixedLength,
  },
  {
    id: "sqlite:varchar",
    engine: "sqlite",
    names: ["varchar", "character varying", "nvarchar", "varying character", "native character"],
    when: (t) => t.args[0] !== undefined,
    kind: "text",
    params: one,
  },
  {
    id: "sqlite:integer",
    engine: "sqlite",
    names: ["*"],
    when: (t) => sqliteAffinity(t.base) === "INTEGER",
    kind: "int64",
  },
  { id: "sqlite:text", engine: "sqlite", names: ["*"], when: (t) => sqliteAffinity(t.base) === "TEXT", kind: "text" },
  { id: "sqlite:blob", engine: "sqlite", names: ["*"], when: (t) => sqliteAffinity(t.base) === "BLOB", kind: "binary" },
  {
    id: "sqlite:real",
    engine: "sqlite",
    names: ["*"],
    when: (t) => sqliteAffinity(t.base) === "REAL",
    kind: "float64",
  },
  { id: "sqlite:numeric", engine: "sqlite", names: ["*"], kind: "decimal" },
];

/** SQLite's column affinity of a declared type, by its documented rules in their order. */
export function sqliteAffinity(declared: string): "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC" {
  const t = declared.toUpperCase();
  if (t.includes("INT")) return "INTEGER";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
  if (t.includes("BLOB") || t.trim() === "") return "BLOB";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
  return "NUMERIC";
}

type Render = (p: TypeParams) => string;

const withFsp =
  (name: string, suffix = ""): Render =>
  (p) =>
    p.fsp !== undefined ? `${name}(${p.fsp})${suffix}` : `${name}${suffix}`;

/** The target side: each carried kind → the target's native type. */
export const TARGET_TYPES: Readonly<Record<TypeMapTarget, Readonly<Record<CarriedKind, Render>>>> = {
  postgresql: {
    boolean: () => "boolean",
    int16: () => "smallint",
    int32: () => "integer",
    int64: () => "bigint",
    decimal: (p) => (p.precision !== undefined ? `numeric(${p.precision},${p.scale ?? 0})` : "numeric"),
    float32: () => "real",
    float64: () => "double precision",
    text: (p) => (p.length !== undefined ? `character varying(${p.length})` : "text"),
    binary: () => "bytea",
    date: () => "date",
    time: withFsp("time", " without time zone"),
    timestamp: withFsp("timestamp", " without time zone"),
    timestamptz: withFsp("timestamp", " with time zone"),
    interval: () => "interval",
    json: () => "jsonb",
    uuid: () => "uuid",
    enum: () => "text",
    array: (p) => `${p.element ?? "text"}[]`,
  },
  mysql: {
    boolean: () => "tinyint(1)",
    int16: () => "smallint",
    int32: () => "int",
    int64: () => "bigint",
    decimal: (p) => (p.precision !== undefined ? `decimal(${p.precision},${p.scale ?? 0})` : "decimal(65,30)"),
    float32: () => "float",
    float64: () => "double",
    text: (p) => (p.length !== undefined && p.length <= 16383 ? `varchar(${p.length})` : "longtext"),
    binary: () => "longblob",
    date: () => "date",
    time: (p) => `time(${p.fsp ?? 6})`,
    timestamp: (p) => `datetime(${p.fsp ?? 6})`,
    timestamptz: (p) => `datetime(${p.fsp ?? 6})`,
    interval: () => "varchar(100)",
    json: () => "json",
    uuid: () => "char(36)",
    enum: (p) => (p.labels ? `enum(${p.labels.map((l) => `'${l.replaceAll("'", "''")}'`).join(",")})` : "longtext"),
    array: () => "json",
  },
  sqlite: {
    boolean: () => "INTEGER",
    int16: () => "INTEGER",
    int32: () => "INTEGER",
    int64: () => "INTEGER",
    // NUMERIC affinity would turn 1.10 into the REAL 1.1: exact decimals stay text.
    decimal: () => "TEXT",
    float32: () => "REAL",
    float64: () => "REAL",
    text: () => "TEXT",
    binary: () => "BLOB",
    date: () => "TEXT",
    time: () => "TEXT",
    timestamp: () => "TEXT",
    timestamptz: () => "TEXT",
    interval: () => "TEXT",
    json: () => "TEXT",
    uuid: () => "TEXT",
    enum: () => "TEXT",
    array: () => "TEXT",
  },
  // ClickHouse 18.16 (no DateTime64, no Bool); the engine-specific choices (unsigned widths, Decimal
  // over 38 digits, enums, arrays, the lossy DateTime) are made in clickhouseMapping below.
  clickhouse: {
    boolean: () => "UInt8",
    int16: () => "Int16",
    int32: () => "Int32",
    int64: () => "Int64",
    decimal: (p) =>
      p.precision !== undefined && p.precision <= 38 ? `Decimal(${p.precision}, ${p.scale ?? 0})` : "String",
    float32: () => "Float32",
    float64: () => "Float64",
    text: () => "String",
    binary: () => "String",
    date: () => "Date",
    time: () => "String",
    timestamp: () => "DateTime('UTC')",
    timestamptz: () => "DateTime('UTC')",
    interval: () => "String",
    json: () => "String",
    uuid: () => "UUID",
    enum: (p) => clickhouseEnum(p.labels) ?? "String",
    array: () => "String",
  },
};

/** ClickHouse Enum8/Enum16 for labels that fit (values 1…n), else undefined (String). */
function clickhouseEnum(labels: readonly string[] | undefined): string | undefined {
  if (!labels || labels.length === 0 || labels.length > 32767 || new Set(labels).size !== labels.length)
    return undefined;
  const lit = clickHouseDialect.quoteLiteral;
  return `Enum${labels.length <= 127 ? 8 : 16}(${labels.map((l, i) => `${lit(l)} = ${i + 1}`).join(", ")})`;
}

/** PostgreSQL array elements that become ClickHouse Array(Nullable(T)); others travel as JSON text in String. */
const CLICKHOUSE_ARRAY_ELEMENTS: Readonly<Record<string, string>> = {
  smallint: "Int16",
  integer: "Int32",
  bigint: "Int64",
  real: "Float32",
  "double precision": "Float64",
  text: "String",
  "character varying": "String",
};

/** MySQL integer rules whose unsigned range ClickHouse holds in an unsigned type of the same width. */
const CLICKHOUSE_INTS: Readonly<Record<string, (t: NativeType) => string>> = {
  "mysql:tinyint": (t) => (t.unsigned ? "UInt8" : "Int8"),
  "mysql:smallint unsigned": () => "UInt16",
  "mysql:mediumint": (t) => (t.unsigned ? "UInt32" : "Int32"),
  "mysql:int unsigned": () => "UInt32",
  "mysql:bigint unsigned": () => "UInt64",
  "mysql:year": () => "UInt16",
};

/**
 * The ClickHouse column for a rule: type, notes and losses. Timestamps become DateTime (seconds):
 * lossy unless the source holds whole seconds (fsp 0; PostgreSQL's default is 6, MySQL's 0).
 */
function clickhouseMapping(
  source: TypeMapSource,
  rule: SourceTypeRule,
  t: NativeType,
  params: TypeParams,
): { targetType: string; notes: string[]; loss: string[] } {
  const notes: string[] = [];
  const loss: string[] = [];
  let targetType = CLICKHOUSE_INTS[rule.id]?.(t) ?? TARGET_TYPES.clickhouse[rule.kind](params);
  switch (rule.kind) {
    case "boolean":
      notes.push("boolean stored as UInt8 0/1");
      break;
    case "decimal":
      if (targetType === "String")
        notes.push(
          params.precision === undefined
            ? "numeric without precision stored as exact text in String (ClickHouse Decimal holds at most 38 digits)"
            : `decimal(${params.precision},${params.scale ?? 0}) stored as exact text in String (ClickHouse Decimal holds at most 38 digits)`,
        );
      break;
    case "text":
      if (params.length !== undefined) notes.push("String keeps no length limit");
      break;
    case "binary":
      notes.push("bytes stored as String");
      break;
    case "date":
      notes.push("dates outside 1970-01-01…2105-12-31 fail when written");
      break;
    case "timestamp":
    case "timestamptz": {
      const fraction = params.fsp ?? (source === "mysql" ? 0 : 6);
      notes.push("stored as UTC DateTime; values outside 1970…2105 fail when written");
      if (fraction > 0)
        loss.push("ClickHouse 18.16 DateTime holds whole seconds: fractional seconds are cut (no DateTime64)");
      break;
    }
    case "time":
    case "interval":
    case "json":
      notes.push(`${rule.kind} carried as text (String)`);
      break;
    case "enum":
      if (targetType === "String") notes.push("enum stored as its label text (String)");
      break;
    case "array": {
      const element = source === "postgresql" ? CLICKHOUSE_ARRAY_ELEMENTS[t.base] : undefined;
      if (element) {
        targetType = `Array(Nullable(${element}))`;
        notes.push("one-dimensional arrays only; a NULL array fails when written (ClickHouse arrays cannot be NULL)");
      } else notes.push("array carried as JSON text (String)");
      break;
    }
  }
  return { targetType, notes, loss };
}

/** Fixed-length text per target, for schema translation (MySQL's char holds at most 255). */
const FIXED_TEXT: Readonly<Record<TypeMapTarget, (n: number) => string>> = {
  postgresql: (n) => `character(${n})`,
  mysql: (n) => (n <= 255 ? `char(${n})` : `varchar(${n})`),
  sqlite: () => "TEXT",
  clickhouse: () => "String",
};

/** Parses a native type as introspection prints it ("character varying(20)", "int(10) unsigned", "enum('a','b')"). */
export function parseNativeType(engine: TypeMapSource, text: string): NativeType {
  let s = text.trim().toLowerCase();
  let array = false;
  if (engine === "postgresql" && s.endsWith("[]")) {
    array = true;
    s = s.replace(/(\[\])+$/, "");
  }
  let unsigned = false;
  if (engine === "mysql") {
    if (/\bunsigned\b/.test(s)) unsigned = true;
    s = s.replace(/\b(unsigned|zerofill)\b/g, "").trim();
  }
  const labelsMatch = /^(enum|set)\((.*)\)$/s.exec(text.trim());
  if (labelsMatch && engine === "mysql") {
    return {
      base: (labelsMatch[1] ?? "").toLowerCase(),
      args: [],
      unsigned,
      array,
      labels: parseLabels(labelsMatch[2] ?? ""),
    };
  }
  const args: number[] = [];
  const base = s
    .replace(/\(([^)]*)\)/, (_m, inner: string) => {
      for (const a of inner.split(",")) if (/^\s*\d+\s*$/.test(a)) args.push(Number(a));
      return "";
    })
    .replace(/\s+/g, " ")
    .trim();
  return { base, args, unsigned, array };
}

/** 'a','b''c' → ["a", "b'c"]. */
function parseLabels(inner: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) out.push((m[1] ?? "").replaceAll("''", "'"));
  return out;
}

export function typeMapSource(engine: EngineId): TypeMapSource | undefined {
  if (engine === "postgresql") return "postgresql";
  if (engine === "mysql" || engine === "mariadb") return "mysql";
  if (engine === "sqlite") return "sqlite";
  return undefined;
}

export function typeMapTarget(engine: EngineId): TypeMapTarget | undefined {
  if (engine === "postgresql" || engine === "sqlite" || engine === "clickhouse") return engine;
  if (engine === "mysql" || engine === "mariadb") return "mysql";
  return undefined;
}

/** The rule a native type falls under, or undefined when the table has none. */
export function findSourceRule(
  engine: TypeMapSource,
  t: NativeType,
  ctx: SourceContext = {},
): SourceTypeRule | undefined {
  return SOURCE_TYPES.find(
    (r) => r.engine === engine && (r.names.includes("*") || r.names.includes(t.base)) && (r.when?.(t, ctx) ?? true),
  );
}

export interface ColumnTypeInput {
  table: string;
  column: string;
  /** Native type as introspection prints it. */
  type: string;
  ctx?: SourceContext;
}

export interface ColumnMapping {
  table: string;
  column: string;
  sourceType: string;
  /** The rule used; "override" or "verbatim" where none applied. */
  rule: string;
  kind: CarriedKind;
  arrow: ArrowTypeName;
  targetType: string;
  /** Enum labels when the target has no enum type: the target gets CHECK (col IN (…)). */
  checkLabels?: string[];
  notes: string[];
  /** Why the values cannot be carried exactly; empty when they can. */
  loss: string[];
}

export interface MapOptions {
  /** Schema translation: char(n) stays fixed-length (transfer widens it to varchar, which trims nothing). */
  fixedChar?: boolean;
  /** "table.column" → target native type; the person decided, so the column is not reported. */
  overrides?: Readonly<Record<string, string>>;
  /** Enums into PostgreSQL: text + CHECK (default) or a CREATE TYPE … AS ENUM named after the column. */
  enumAs?: "check" | "type";
}

/** Maps one column from a source engine to a target engine. */
export function mapColumnType(
  source: TypeMapSource,
  target: TypeMapTarget,
  col: ColumnTypeInput,
  opts: MapOptions = {},
): ColumnMapping {
  const ctx = col.ctx ?? {};
  const parsed = parseNativeType(source, col.type);
  const t = ctx.labels && !parsed.labels ? { ...parsed, labels: ctx.labels } : parsed;
  const base = { table: col.table, column: col.column, sourceType: col.type };
  const override = opts.overrides?.[`${col.table}.${col.column}`];
  const rule = findSourceRule(source, t, ctx);
  if (override !== undefined) {
    // The override names a target type: values travel as that type's kind where the table knows it.
    const asTarget =
      target === "sqlite" || target === "clickhouse"
        ? undefined
        : findSourceRule(target, parseNativeType(target, override));
    const kind = asTarget?.kind ?? rule?.kind ?? "text";
    return { ...base, rule: "override", kind, arrow: ARROW_TYPE[kind], targetType: override, notes: [], loss: [] };
  }
  if ((source as string) === target) {
    // Same engine: the type is kept verbatim and its text I/O form reads back as the same value.
    const kind = rule?.kind ?? "text";
    return {
      ...base,
      rule: rule?.id ?? "verbatim",
      kind,
      arrow: ARROW_TYPE[kind],
      targetType: col.type,
      notes: [],
      loss: [],
    };
  }
  if (!rule) {
    return {
      ...base,
      rule: "none",
      kind: "text",
      arrow: "Utf8",
      targetType: TARGET_TYPES[target].text({}),
      notes: [],
      loss: [`${source} type ${col.type} has no mapping to ${target}; give an override (table.column=TYPE)`],
    };
  }
  const params = rule.params?.(t) ?? {};
  const notes = [rule.notes?.["*"], rule.notes?.[target]].filter((n): n is string => n !== undefined);
  if (target === "clickhouse") {
    const ch = clickhouseMapping(source, rule, t, params);
    const loss = [...(rule.lossy?.clickhouse ? [rule.lossy.clickhouse] : []), ...ch.loss];
    const kind = rule.kind;
    return {
      ...base,
      rule: rule.id,
      kind,
      arrow: ARROW_TYPE[kind],
      targetType: ch.targetType,
      notes: [...notes, ...ch.notes],
      loss,
    };
  }
  const loss: string[] = [];
  const lossy = rule.lossy?.[target];
  if (
    lossy &&
    !(rule.kind === "decimal" && params.precision !== undefined && params.precision <= 65 && (params.scale ?? 0) <= 30)
  ) {
    loss.push(lossy);
  }
  if (
    target === "mysql" &&
    rule.kind === "decimal" &&
    params.precision !== undefined &&
    (params.precision > 65 || (params.scale ?? 0) > 30)
  ) {
    loss.push(`decimal(${params.precision},${params.scale ?? 0}) exceeds MySQL's decimal(65,30)`);
  }
  let targetType =
    opts.fixedChar && params.fixed && params.length !== undefined
      ? FIXED_TEXT[target](params.length)
      : TARGET_TYPES[target][rule.kind](params);
  let checkLabels: string[] | undefined;
  if (rule.kind === "enum" && target !== "mysql") {
    if (target === "postgresql" && opts.enumAs === "type") targetType = enumTypeName(col.table, col.column);
    else if (params.labels) checkLabels = params.labels;
  }
  if (rule.kind === "array" && target !== "postgresql") targetType = TARGET_TYPES[target].json({});
  return {
    ...base,
    rule: rule.id,
    kind: rule.kind,
    arrow: ARROW_TYPE[rule.kind],
    targetType,
    ...(checkLabels ? { checkLabels } : {}),
    notes,
    loss,
  };
}

/** The enum type created for an enum column with enumAs "type". */
export function enumTypeName(table: string, column: string): string {
  return `${table}_${column}_enum`;
}

export interface LossReport {
  table: string;
  column: string;
  sourceType: string;
  targetType: string;
  reasons: string[];
}

/** Every column that cannot be carried losslessly; run before any row moves. */
export function lossReport(mappings: readonly ColumnMapping[]): LossReport[] {
  return mappings
    .filter((m) => m.loss.length > 0)
    .map((m) => ({
      table: m.table,
      column: m.column,
      sourceType: m.sourceType,
      targetType: m.targetType,
      reasons: m.loss,
    }));
}

// ---- Cross-engine equivalence (schema compare): the same table decides when two engines' column
// types, defaults and index methods mean the same thing, so they are not reported as differences. ----

/**
 * A type's comparable form. Between PostgreSQL and MySQL/MariaDB: the carried kind with the
 * parameters that change what a value may be (lengths, precision and scale, enum labels; not the
 * fractional-second precision nor integer display widths), fixed and varying text apart, uuid as
 * char(36). With SQLite on either side the comparison is at SQLite's own level: the storage type the
 * kind becomes there (SQLite enforces no lengths), so `varchar(10)` ≈ `TEXT` only in SQLite.
 */
export function comparableType(
  engine: TypeMapSource,
  type: string,
  ctx: SourceContext = {},
  opts: { coarse?: boolean } = {},
): string {
  const parsed = parseNativeType(engine, type);
  const t = ctx.labels && !parsed.labels ? { ...parsed, labels: ctx.labels } : parsed;
  const rule = findSourceRule(engine, t, ctx);
  if (!rule) return `${engine}:${type.trim().toLowerCase().replace(/\s+/g, " ")}`;
  if (opts.coarse) return TARGET_TYPES.sqlite[rule.kind]({});
  const p = rule.params?.(t) ?? {};
  switch (rule.kind) {
    case "text":
      return p.length === undefined ? "text" : `${p.fixed ? "char" : "varchar"}(${p.length})`;
    case "uuid":
      return "char(36)";
    case "decimal":
      return p.precision === undefined ? "decimal" : `decimal(${p.precision},${p.scale ?? 0})`;
    case "enum":
      return `enum(${(p.labels ?? []).join(",")})`;
    case "array":
      return `array(${p.element ?? ""})`;
    default:
      return rule.kind;
  }
}

/** Default expressions that mean the same in every engine, in each engine's spelling (first: how it is written). */
export const DEFAULT_EQUIVALENTS: readonly {
  id: string;
  /** Lower-case spellings, without a fractional-second argument. */
  spellings: readonly string[];
  render: Readonly<Record<TypeMapTarget, (fsp?: number) => string>>;
}[] = [
  {
    id: "current_timestamp",
    spellings: ["current_timestamp", "current_timestamp()", "now()", "localtimestamp", "transaction_timestamp()"],
    render: {
      postgresql: () => "CURRENT_TIMESTAMP",
      mysql: (fsp) => `current_timestamp(${fsp ?? ""})`,
      sqlite: () => "CURRENT_TIMESTAMP",
      clickhouse: () => "now()",
    },
  },
  {
    id: "current_date",
    spellings: ["current_date", "curdate()", "current_date()"],
    render: {
      postgresql: () => "CURRENT_DATE",
      mysql: () => "curdate()",
      sqlite: () => "CURRENT_DATE",
      clickhouse: () => "today()",
    },
  },
  {
    id: "uuid",
    spellings: ["gen_random_uuid()", "uuid()"],
    render: { postgresql: () => "gen_random_uuid()", mysql: () => "uuid()", sqlite: () => "", clickhouse: () => "" },
  },
];

/** Index access methods: the engine's default (no method written) and the ones that mean the same. */
export const INDEX_METHODS: readonly { id: string; spellings: readonly string[]; engines: readonly TypeMapTarget[] }[] =
  [
    { id: "btree", spellings: ["btree", "BTREE"], engines: ["postgresql", "mysql", "sqlite"] },
    { id: "hash", spellings: ["hash", "HASH"], engines: ["postgresql", "mysql"] },
  ];

/** The neutral id of an index method (undefined: the default B-tree), or undefined and the raw name when none applies. */
export function comparableIndexMethod(method: string | undefined): string | undefined {
  if (method === undefined) return undefined;
  const m = INDEX_METHODS.find((x) => x.spellings.includes(method));
  if (m?.id === "btree") return undefined;
  return m?.id ?? method.toLowerCase();
}

/** The method written in `target`'s DDL for a neutral id, or null when the target has no such method. */
export function indexMethodIn(target: TypeMapTarget, method: string | undefined): string | undefined | null {
  const id = comparableIndexMethod(method);
  if (id === undefined) return undefined;
  const m = INDEX_METHODS.find((x) => x.id === id);
  if (!m?.engines.includes(target)) return null;
  return target === "mysql" ? id.toUpperCase() : id;
}

/** A PostgreSQL cast ("::text", "::character varying(10)[]", '::"my type"'), for removing from expressions. */
const CAST =
  /::(?:"(?:[^"]|"")+"|character varying|double precision|(?:timestamp|time)(?:\(\d+\))? with(?:out)? time zone|bit varying|[a-z_][a-z0-9_]*)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*/gi;

/** An expression without PostgreSQL's casts (the other engines spell types differently, or not at all). */
export function stripCasts(s: string): string {
  return s.replace(CAST, "");
}

function unwrap(s: string): string {
  let out = s.trim();
  while (/^\(.*\)$/s.test(out) && balanced(out.slice(1, -1))) out = out.slice(1, -1).trim();
  return out;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

export type ComparableDefault =
  | { kind: "none" }
  | { kind: "literal"; value: string }
  | { kind: "function"; id: string }
  | { kind: "sequence" }
  | { kind: "expression"; text: string };

/**
 * A default's meaning across engines: a literal (numbers and booleans by value, strings unquoted),
 * one of DEFAULT_EQUIVALENTS, a sequence's next value (serial: an auto-generated column), or an
 * expression kept as text.
 */
export function comparableDefault(text: string | null, kind?: CarriedKind): ComparableDefault {
  if (text === null) return { kind: "none" };
  const s = unwrap(stripCasts(unwrap(text)));
  const lower = s.toLowerCase();
  if (lower === "null") return { kind: "none" };
  if (/^nextval\(/.test(lower)) return { kind: "sequence" };
  const fn = DEFAULT_EQUIVALENTS.find((e) => e.spellings.includes(lower.replace(/\(\d+\)$/, "()")));
  if (fn) return { kind: "function", id: fn.id };
  if (/^'(?:[^']|'')*'$/s.test(s)) {
    const v = s.slice(1, -1).replaceAll("''", "'");
    if (kind === "boolean" && /^(t|true|1|f|false|0)$/i.test(v))
      return { kind: "literal", value: /^(t|true|1)$/i.test(v) ? "1" : "0" };
    if (
      kind &&
      ["int16", "int32", "int64", "decimal", "float32", "float64"].includes(kind) &&
      /^-?\d+(\.\d+)?$/.test(v)
    )
      return { kind: "literal", value: String(Number(v)) };
    return { kind: "literal", value: v };
  }
  if (/^(true|false)$/.test(lower)) return { kind: "literal", value: lower === "true" ? "1" : "0" };
  if (/^[-+]?\d+(\.\d+)?(e[-+]?\d+)?$/.test(lower)) return { kind: "literal", value: String(Number(lower)) };
  return { kind: "expression", text: lower.replace(/\s+/g, " ") };
}

/** A default in `target`'s SQL, or null when it has no spelling there (the caller reports it). */
export function renderDefault(
  d: ComparableDefault,
  target: TypeMapTarget,
  opts: { kind?: CarriedKind; fsp?: number; quote: (s: string) => string },
): string | null {
  switch (d.kind) {
    case "none":
    case "sequence":
      return null;
    case "function": {
      const text = DEFAULT_EQUIVALENTS.find((e) => e.id === d.id)?.render[target](opts.fsp) ?? "";
      return text === "" ? null : text;
    }
    case "literal":
      if (opts.kind === "boolean" && target === "postgresql") return d.value === "1" ? "true" : "false";
      if (/^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(d.value) && opts.kind !== "text" && opts.kind !== "enum") return d.value;
      return opts.quote(d.value);
    case "expression":
      return null;
  }
}
