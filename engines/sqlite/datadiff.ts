// SQLite facts for the row-level data diff (engines/datadiff/). SQLite has no MD5 and its values
// are dynamically typed, so this engine returns raw values and the analysis normalises and hashes
// them in JS (engines/datadiff/canonical.ts, the same md5-64 the other engines compute in SQL).
// Pushing the hash down would buy nothing here: SQLite runs in this process, so its rows never
// cross a network, and a JS user function would see the very same values one call per row.
import { canonicalLiteral } from "../datadiff/literal.ts";
import type { DataDiffFacts, DiffColumn, TableName, ValueClass } from "../datadiff/types.ts";
import type { Session } from "../types.ts";
import { sqliteDialect } from "./dialect.ts";

const q = sqliteDialect.quoteIdent;

/** Declared type → class, after SQLite's own affinity rules, with the common date and bool names. */
export function sqliteValueClass(declared: string): ValueClass {
  const t = declared.toUpperCase();
  if (/BOOL/.test(t)) return "bool";
  if (/INT/.test(t)) return "int";
  if (/CHAR|CLOB|TEXT/.test(t)) return /UUID/.test(t) ? "uuid" : "text";
  if (t === "" || /BLOB/.test(t)) return t === "" ? "other" : "bytes";
  if (/REAL|FLOA|DOUB/.test(t)) return "float";
  if (/TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE/.test(t)) return "timestamptz";
  if (/DATETIME|TIMESTAMP/.test(t)) return "timestamp";
  if (/^DATE$/.test(t)) return "date";
  if (/JSON/.test(t)) return "json";
  if (/UUID/.test(t)) return "uuid";
  if (/DEC|NUM/.test(t)) return "decimal";
  return "other";
}

// Stored the way SQLite's own datetime() writes it; the fraction only when there is one.
function timestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.(\d{6})$/.exec(text);
  if (!m) return sqliteDialect.quoteLiteral(text);
  const frac = (m[3] ?? "").replace(/0+$/, "");
  return sqliteDialect.quoteLiteral(`${m[1]} ${m[2]}${frac ? `.${frac}` : ""}`);
}

function literal(col: DiffColumn, text: string | null): string {
  return canonicalLiteral(col, text, { quote: sqliteDialect.quoteLiteral, own: { timestamp, timestamptz: timestamp } });
}

async function describe(session: Session, table: TableName) {
  const cols = await session.query<{ name: string; type: string; pk: number }>(
    "SELECT name, type, pk FROM pragma_table_info(?, ?) ORDER BY cid",
    [table.name, table.schema ?? "main"],
  );
  if (cols.length === 0) return null;
  return {
    columns: cols.map((c) => ({ name: c.name, type: c.type, cls: sqliteValueClass(c.type) })),
    primaryKey: cols
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => c.name),
  };
}

export const sqliteDataDiff = {
  quoteIdent: q,
  quoteLiteral: sqliteDialect.quoteLiteral,
  async prepare() {},
  describe,
  keyOperand: (col, operand) => (col.cls === "text" || col.cls === "uuid" ? `${operand} COLLATE BINARY` : operand),
  parallelScans: false,
  intBucket: (operand, lo, width) => `(${operand} - ${lo}) / ${width}`,
  literal,
} satisfies DataDiffFacts;
