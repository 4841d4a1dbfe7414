// MySQL/MariaDB facts for the row-level data diff (engines/datadiff/): canonical text in SQL
// (tinyint(1) as a boolean, DATETIME/TIMESTAMP in UTC microseconds), the row hash pushed into the
// server as the first 64 bits of MD5 over the canonical row text, combined with BIT_XOR; binary
// (byte) order for text keys. The same form serves same-engine and cross-engine diffs: MySQL has
// no faster built-in 64-bit string hash.
import { canonicalLiteral } from "../datadiff/literal.ts";
import type { DataDiffFacts, DiffColumn, TableName, ValueClass } from "../datadiff/types.ts";
import type { Session } from "../types.ts";
import { mysqlDialect } from "./dialect.ts";

const q = mysqlDialect.quoteIdent;

const CLASSES: Record<string, ValueClass> = {
  tinyint: "int",
  smallint: "int",
  mediumint: "int",
  int: "int",
  integer: "int",
  bigint: "int",
  year: "int",
  decimal: "decimal",
  numeric: "decimal",
  float: "float",
  double: "float",
  real: "float",
  char: "text",
  varchar: "text",
  tinytext: "text",
  text: "text",
  mediumtext: "text",
  longtext: "text",
  enum: "text",
  set: "text",
  binary: "bytes",
  varbinary: "bytes",
  tinyblob: "bytes",
  blob: "bytes",
  mediumblob: "bytes",
  longblob: "bytes",
  date: "date",
  datetime: "timestamp",
  timestamp: "timestamp",
  json: "json",
  uuid: "uuid",
};

/** DATA_TYPE + COLUMN_TYPE → class; tinyint(1) is MySQL's boolean. */
export function mysqlValueClass(dataType: string, columnType: string): ValueClass {
  if (/^tinyint\(1\)/i.test(columnType)) return "bool";
  return CLASSES[dataType.toLowerCase()] ?? "other";
}

function canonical(col: DiffColumn, v: string): string {
  switch (col.cls) {
    case "decimal":
      return `CASE WHEN LOCATE('.', CAST(${v} AS CHAR)) > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(${v} AS CHAR))) ELSE CAST(${v} AS CHAR) END`;
    case "bool":
      return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <> 0 THEN '1' ELSE '0' END`;
    case "bytes":
      return `LOWER(HEX(${v}))`;
    case "date":
      return `DATE_FORMAT(${v}, '%Y-%m-%d')`;
    case "timestamp":
    case "timestamptz":
      return `DATE_FORMAT(${v}, '%Y-%m-%dT%H:%i:%s.%f')`;
    case "text":
    case "json":
    case "uuid":
      return `CONVERT(${v} USING utf8mb4)`;
    default:
      return `CAST(${v} AS CHAR)`;
  }
}

// TIMESTAMP and DATETIME literals take a space between date and time.
const timestamp = (text: string) => mysqlDialect.quoteLiteral(text.replace("T", " "));

function literal(col: DiffColumn, text: string | null): string {
  return canonicalLiteral(col, text, { quote: mysqlDialect.quoteLiteral, own: { timestamp, timestamptz: timestamp } });
}

async function describe(session: Session, table: TableName) {
  const schema = table.schema ?? null;
  const cols = await session.query<{ name: string; type: string; base: string }>(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS base FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table.name],
  );
  if (cols.length === 0) return null;
  const pk = await session.query<{ name: string }>(
    `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY'
      ORDER BY SEQ_IN_INDEX`,
    [schema, table.name],
  );
  return {
    columns: cols.map((c) => ({ name: c.name, type: c.type, cls: mysqlValueClass(c.base, c.type) })),
    primaryKey: pk.map((r) => r.name),
  };
}

export const mysqlDataDiff = {
  quoteIdent: q,
  quoteLiteral: mysqlDialect.quoteLiteral,
  async prepare(session) {
    // TIMESTAMP columns are shown in the session time zone: UTC, like the other engines' canonical form.
    await session.exec("SET time_zone = '+00:00'");
  },
  describe,
  canonical,
  hash: {
    row(cols) {
      const parts = cols.map(({ col, operand }) => {
        const v = canonical(col, operand);
        return `IFNULL(CONCAT(LENGTH(${v}), ':', ${v}), 'N')`;
      });
      return `CAST(CONV(LEFT(MD5(CONCAT(${parts.join(", ")})), 16), 16, 10) AS UNSIGNED)`;
    },
    combine: (h) => `BIT_XOR(${h})`,
  },
  // MariaDB's UUID type sorts by its time fields; as text it sorts like everywhere else.
  keyOperand: (col, operand) =>
    col.cls === "text" ? `BINARY ${operand}` : col.cls === "uuid" ? `BINARY CAST(${operand} AS CHAR)` : operand,
  parallelScans: true,
  intBucket: (operand, lo, width) => `(CAST(${operand} AS SIGNED) - ${lo}) DIV ${width}`,
  literal,
} satisfies DataDiffFacts;
