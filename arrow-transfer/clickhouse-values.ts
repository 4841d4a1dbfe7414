// Values between Arrow cells and ClickHouse 18.16's TabSeparated text, and ClickHouse URLs. 18.16 has
// no server-side parameters and no Arrow format, so rows travel as TabSeparated bodies built here.
import { MigratrixError } from "../common/errors.ts";
import { clickHouseTsvBytes, clickHouseTsvField } from "../engines/clickhouse/dialect.ts";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import type { Cell } from "./batch.ts";
import { unescapeCopy } from "./copytext.ts";

export interface ClickhouseUrl {
  /** http(s)://host:port of the HTTP interface. */
  http: string;
  user: string;
  password: string;
  database: string;
  /** The URL without its password, for messages. */
  display: string;
  /** How long to wait for a DELETE mutation (resume clean-up) to finish. */
  mutationTimeoutMs: number;
}

const URL_PARAMS = ["secure", "mutation_timeout_ms"];

/** clickhouse://user:pass@host:8123/db[?secure=1&mutation_timeout_ms=N] (the HTTP interface). */
export function parseClickhouseUrl(url: string): ClickhouseUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MigratrixError("invalid_argument", "not a valid clickhouse:// URL (clickhouse://user:pass@host:8123/db)");
  }
  const user = decodeURIComponent(u.username) || "default";
  const host = u.hostname;
  const port = u.port || "8123";
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "default";
  const display = `clickhouse://${user}@${host}:${port}/${database}`;
  if (u.protocol !== "clickhouse:")
    throw new MigratrixError("invalid_argument", `not a clickhouse:// URL (${display})`);
  if (!host) throw new MigratrixError("invalid_argument", "the clickhouse:// URL names no host");
  if (database.includes("/")) throw new MigratrixError("invalid_argument", `bad database name in ${display}`);
  const unknown = [...u.searchParams.keys()].filter((k) => !URL_PARAMS.includes(k));
  if (unknown.length > 0) {
    throw new MigratrixError(
      "invalid_argument",
      `unknown clickhouse:// URL parameter ${unknown.join(", ")} (known: ${URL_PARAMS.join(", ")})`,
    );
  }
  const timeout = u.searchParams.get("mutation_timeout_ms");
  const mutationTimeoutMs = timeout === null ? 120_000 : Number(timeout);
  if (!Number.isInteger(mutationTimeoutMs) || mutationTimeoutMs < 1) {
    throw new MigratrixError("invalid_argument", `mutation_timeout_ms must be a positive integer (${display})`);
  }
  const secure = ["1", "true"].includes(u.searchParams.get("secure") ?? "");
  return {
    http: `${secure ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    user,
    password: decodeURIComponent(u.password),
    database,
    display,
    mutationTimeoutMs,
  };
}

// Date and DateTime are 16- and 32-bit counts from 1970-01-01 (UTC): the documented range ends in 2105.
const MIN_YEAR = 1970;
const MAX_YEAR = 2105;

function inRange(year: string, what: string, where: () => string, value: string): void {
  const y = Number(year);
  if (y < MIN_YEAR || y > MAX_YEAR) {
    throw new MigratrixError(
      "out_of_range",
      `${where()} holds ${what} ${value}: ClickHouse's ${what === "date" ? "Date" : "DateTime"} holds ${MIN_YEAR}…${MAX_YEAR} only (override the column to String to keep it)`,
    );
  }
}

function dateText(s: string, where: () => string): string {
  const m = /^(\d{4})-\d{2}-\d{2}$/.exec(s);
  if (!m) throw new MigratrixError("out_of_range", `${where()} holds date ${s}, which ClickHouse's Date cannot hold`);
  inRange(m[1] ?? "", "date", where, s);
  return s;
}

/** A timestamp's text at whole seconds (ClickHouse 18.16 has no DateTime64: the cut was reported before any row moved). */
function dateTimeText(s: string, where: () => string): string {
  const m = /^((\d{4})-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|[+-]00(?::?00)?)?$/.exec(s);
  if (!m) {
    throw new MigratrixError(
      "out_of_range",
      `${where()} holds timestamp ${s}, which ClickHouse's DateTime cannot hold (UTC, 1970…2105)`,
    );
  }
  inRange(m[2] ?? "", "timestamp", where, s);
  return `${m[1]} ${m[3]}`;
}

const LITERAL_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\0": "\\0",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** A string inside a quoted ClickHouse literal; tab and newlines escaped too, so it fits in a TSV field as is. */
function quoted(s: string): string {
  return `'${s.replace(/[\\'\0\n\r\t]/g, (ch) => LITERAL_ESCAPES[ch] ?? ch)}'`;
}

const JSON_TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(null)|([[\],]))/y;

/** A one-dimensional JSON array (as sources read arrays) → a ClickHouse array literal: [1,NULL], ['a\'b']. */
export function jsonArrayToLiteral(json: string, where: () => string): string {
  const bad = (why: string) =>
    new MigratrixError(
      "invalid_argument",
      `${where()}: ${why}; ClickHouse Array columns take one-dimensional arrays of numbers or text (override the column to String)`,
    );
  JSON_TOKEN.lastIndex = 0;
  const next = () => {
    const at = JSON_TOKEN.lastIndex;
    const m = JSON_TOKEN.exec(json);
    if (!m || m.index !== at) throw bad(`cannot read array ${json.slice(0, 40)}`);
    return m;
  };
  if (next()[4] !== "[") throw bad("not an array");
  const out: string[] = [];
  let first = true;
  for (;;) {
    let m = next();
    if (first && m[4] === "]") break;
    first = false;
    if (m[1] !== undefined) out.push(quoted(JSON.parse(m[1]) as string));
    else if (m[2] !== undefined) out.push(m[2]);
    else if (m[3] !== undefined) out.push("NULL");
    else throw bad(m[4] === "[" ? "multi-dimensional array" : "bad array element");
    m = next();
    if (m[4] === "]") break;
    if (m[4] !== ",") throw bad("bad array separator");
  }
  if (json.slice(JSON_TOKEN.lastIndex).trim() !== "") throw bad("text after the array");
  return `[${out.join(",")}]`;
}

const CH_UNESCAPE: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  "0": "\0",
  "\\": "\\",
  "'": "'",
};

/** A ClickHouse array literal as TabSeparated prints it → the JSON text sources read (array_to_json). */
export function literalArrayToJson(text: string, where: () => string): string {
  if (!text.startsWith("[") || !text.endsWith("]")) {
    throw new MigratrixError("data_loss", `${where()}: cannot read array ${text.slice(0, 40)}`);
  }
  const out: string[] = [];
  const body = text.slice(1, -1);
  let i = 0;
  while (i < body.length) {
    if (body[i] === "'") {
      let s = "";
      i++;
      while (i < body.length && body[i] !== "'") {
        if (body[i] === "\\") {
          const e = body[i + 1] ?? "";
          s += CH_UNESCAPE[e] ?? e;
          i += 2;
        } else s += body[i++];
      }
      i++;
      out.push(JSON.stringify(s));
    } else {
      const end = body.indexOf(",", i);
      const tok = body.slice(i, end < 0 ? body.length : end);
      out.push(tok === "NULL" ? "null" : tok);
      i += tok.length;
    }
    if (body[i] === ",") i++;
  }
  return `[${out.join(",")}]`;
}

/** 18.16 prints the epoch (Date 0, DateTime 0) as zeros: 0000-00-00 is 1970-01-01 here. */
export function epochText(type: string, s: string): string {
  if (!s.startsWith("0000-00-00") || !(type === "Date" || type.startsWith("DateTime"))) return s;
  return `1970-01-01${s.slice(10)}`;
}

/** The text toString() prints for a Date or DateTime value as written (the epoch as zeros). */
export function printedText(type: string, s: string): string {
  const t = baseType(type);
  if (!(t === "Date" || t.startsWith("DateTime")) || !s.startsWith("1970-01-01")) return s;
  return s === "1970-01-01" || s === "1970-01-01 00:00:00" ? `0000-00-00${s.slice(10)}` : s;
}

/** A ClickHouse column type without Nullable(…). */
export const baseType = (type: string): string => type.replace(/^Nullable\((.*)\)$/, "$1");

/**
 * A cell as the text ClickHouse parses and prints for a column of `type` (before TSV escaping);
 * binary as its bytes. Dates, timestamps and arrays are converted only for Date, DateTime and Array
 * columns: an override to String keeps the source's text.
 */
export function clickhouseValue(
  kind: CarriedKind,
  c: Exclude<Cell, null>,
  type: string,
  where: () => string,
): string | Uint8Array {
  if (c instanceof Uint8Array) return c;
  if (typeof c === "boolean") return c ? "1" : "0";
  if (typeof c === "number") {
    if (Number.isNaN(c)) return "nan";
    if (!Number.isFinite(c)) return c > 0 ? "inf" : "-inf";
    return String(c);
  }
  if (typeof c === "bigint") return String(c);
  const t = baseType(type);
  if (t === "Date") return dateText(c, where);
  if (t.startsWith("DateTime")) return dateTimeText(c, where);
  if (t.startsWith("Array(")) return jsonArrayToLiteral(c, where);
  return kind === "uuid" ? c.toLowerCase() : c;
}

/** Encodes one column's cells as TabSeparated fields. */
export type FieldEncoder = (c: Cell) => string | Uint8Array;

/**
 * The encoder of a column, chosen once per chunk: NULL as \N, text escaped, bytes escaped byte by
 * byte, array literals as they are (their strings are escaped inside the literal).
 */
export function fieldEncoder(kind: CarriedKind, type: string, where: () => string): FieldEncoder {
  const t = baseType(type);
  const arrayColumn = t.startsWith("Array(");
  const plain = kind === "text" || kind === "json" || kind === "enum" || kind === "decimal" || kind === "time";
  if (plain && !arrayColumn && t !== "Date" && !t.startsWith("DateTime")) {
    return (c) => (c === null ? "\\N" : typeof c === "string" ? clickHouseTsvField(c) : tsvField(kind, c, t, where));
  }
  return (c) => tsvField(kind, c, t, where);
}

/** One TabSeparated field: NULL as \N, text escaped, bytes escaped byte by byte, array literals as they are. */
export function tsvField(kind: CarriedKind, c: Cell, type: string, where: () => string): string | Uint8Array {
  const arrayColumn = baseType(type).startsWith("Array(");
  if (c === null) {
    if (arrayColumn) {
      throw new MigratrixError(
        "invalid_argument",
        `${where()} is NULL: ClickHouse arrays cannot be NULL (override the column to String to keep it)`,
      );
    }
    return "\\N";
  }
  const v = clickhouseValue(kind, c, type, where);
  if (v instanceof Uint8Array) return clickHouseTsvBytes(v);
  // An array literal is parsed as it is inside a TabSeparated field (its strings already escaped).
  return arrayColumn ? v : clickHouseTsvField(v);
}

/**
 * A TabSeparated field read back → the carried kind's cell, as the source's reader makes it (binary
 * columns are selected as hex(), timestamptz gets the "+00" offset the readers print).
 */
export function fromTsvField(kind: CarriedKind, raw: string, type: string, where: () => string): Cell {
  if (raw === "\\N") return null;
  const t = baseType(type);
  if (t.startsWith("Array(")) return literalArrayToJson(raw, where);
  const s = epochText(t, raw.includes("\\") ? unescapeCopy(raw) : raw);
  switch (kind) {
    case "boolean":
      return s === "1";
    case "int16":
    case "int32":
    case "float32":
    case "float64":
      return s === "nan" ? Number.NaN : s === "inf" ? Number.POSITIVE_INFINITY : s === "-inf" ? -Infinity : Number(s);
    case "int64":
      return BigInt(s);
    case "binary":
      return new Uint8Array(Buffer.from(s, "hex"));
    case "timestamptz":
      return t.startsWith("DateTime") ? `${s}+00` : s;
    default:
      return s;
  }
}
