// MySQL/MariaDB text-protocol rows straight into Arrow columns: each row packet's length-coded
// fields are parsed off mysql2's packet buffer and appended as bytes (text) or typed values
// (integers, booleans, floats), never turned into JS strings and arrays first. Used by the MySQL
// reader when every column's carried kind has a byte form equal to what mysql2 would have given
// (compatibleFields); else the reader converts mysql2's values (mysql.ts).
import type { RecordBatch, Schema } from "apache-arrow";
import { MigratrixError } from "../common/errors.ts";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import { boolColumn, bytesColumn, type Column, cutBatch, latin1, numberColumn } from "./byte-columns.ts";
import type { BatchLimits } from "./types.ts";

/** What mysql2 tells of a result column (its ColumnDefinition). */
export interface RawField {
  columnType: number;
  characterSet: number;
  encoding?: string;
}

const T = {
  DECIMAL: 0x00,
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  TIMESTAMP: 0x07,
  LONGLONG: 0x08,
  INT24: 0x09,
  DATE: 0x0a,
  TIME: 0x0b,
  DATETIME: 0x0c,
  YEAR: 0x0d,
  VARCHAR: 0x0f,
  JSON: 0xf5,
  NEWDECIMAL: 0xf6,
  ENUM: 0xf7,
  SET: 0xf8,
  TINY_BLOB: 0xf9,
  MEDIUM_BLOB: 0xfa,
  LONG_BLOB: 0xfb,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
} as const;
const BINARY_CHARSET = 63;
const STRINGS = new Set<number>([
  T.VARCHAR,
  T.ENUM,
  T.SET,
  T.TINY_BLOB,
  T.MEDIUM_BLOB,
  T.LONG_BLOB,
  T.BLOB,
  T.VAR_STRING,
  T.STRING,
]);
const INTEGERS = new Set<number>([T.TINY, T.SHORT, T.LONG, T.INT24, T.YEAR]);

/** The text kinds: bytes carried as they came (valid UTF-8 checked per batch). */
const TEXT_KINDS = new Set<CarriedKind>(["text", "json", "enum", "uuid", "interval", "array"]);

/**
 * Whether the field's bytes, as carried by `kind`, give exactly the cell mysql2's value would have
 * given (dateStrings, bigNumberStrings, jsonStrings, utf8mb4): the raw path is taken only then.
 */
function compatible(kind: CarriedKind, f: RawField): boolean {
  const t = f.columnType;
  const text = f.characterSet !== BINARY_CHARSET && f.encoding === "utf8";
  switch (kind) {
    case "boolean":
    case "int16":
    case "int32":
      return INTEGERS.has(t);
    case "int64":
      return INTEGERS.has(t) || t === T.LONGLONG;
    case "float32":
    case "float64":
      return t === T.FLOAT || t === T.DOUBLE;
    case "decimal":
      return t === T.DECIMAL || t === T.NEWDECIMAL || t === T.LONGLONG;
    case "binary":
      return f.characterSet === BINARY_CHARSET && STRINGS.has(t);
    case "date":
      return t === T.DATE;
    case "timestamp":
    case "timestamptz":
      return t === T.DATETIME || t === T.TIMESTAMP || t === T.DATE;
    case "time":
      return t === T.TIME;
    default:
      return TEXT_KINDS.has(kind) && (t === T.JSON || (text && STRINGS.has(t)));
  }
}

export function compatibleFields(kinds: readonly CarriedKind[], fields: readonly RawField[]): boolean {
  return fields.length === kinds.length && kinds.every((k, i) => compatible(k, fields[i] as RawField));
}

/** Booleans (tinyint(1)); anything but 0 or 1 stops the transfer, as in mysql.ts. */
function mysqlBool(where: () => string): (buf: Uint8Array, start: number, end: number) => boolean {
  return (buf, start, end) => {
    const n = end - start === 1 ? (buf[start] as number) - 48 : Number(latin1(buf, start, end));
    if (n !== 0 && n !== 1) {
      throw new MigratrixError(
        "data_loss",
        `${where()} holds ${String(Number(latin1(buf, start, end)))}, not a boolean 0/1 (override the column to keep it)`,
      );
    }
    return n === 1;
  };
}

const ZERO_DATE = /^0000-00-00|^\d{4}-00-|^\d{4}-\d{2}-00/;

/** The end of the value without a fraction's trailing zeros (and a bare point): "10.500" → "10.5". */
function trimmedEnd(buf: Uint8Array, start: number, end: number): number {
  let point = -1;
  for (let i = start; i < end; i++) {
    if (buf[i] === 46) {
      point = i;
      break;
    }
  }
  if (point < 0) return end;
  let stop = end;
  while (stop > start && buf[stop - 1] === 48) stop--;
  if (stop === end) return end;
  return buf[stop - 1] === 46 ? stop - 1 : stop;
}

export interface RawRowHooks {
  /** A zero date in column i became NULL. */
  onZero(i: number): void;
  /** Column i's name for errors ("table.column"). */
  where(i: number): string;
}

function columnFor(kind: CarriedKind, i: number, hooks: RawRowHooks): Column {
  switch (kind) {
    case "boolean":
      return boolColumn(mysqlBool(() => hooks.where(i)));
    case "int16":
    case "int32":
    case "int64":
    case "float32":
    case "float64":
      return numberColumn(kind);
    case "binary":
      return bytesColumn({});
    case "date":
    case "timestamp":
    case "timestamptz":
      return bytesColumn({
        ...(kind === "timestamptz" ? { suffix: [43, 48, 48] } : {}),
        edit(b, s, e) {
          const zeroAt = (k: number) => b[s + k] === 48 && b[s + k + 1] === 48;
          if (b[s + 4] === 45 && (zeroAt(5) || (b[s + 7] === 45 && zeroAt(8))) && ZERO_DATE.test(latin1(b, s, e))) {
            hooks.onZero(i);
            return null;
          }
          return trimmedEnd(b, s, e);
        },
      });
    case "time":
      return bytesColumn({ edit: trimmedEnd });
    case "decimal":
      return bytesColumn({});
    default:
      return bytesColumn({ text: true });
  }
}

/** Cuts parsed rows into RecordBatches of the schema within the reader's limits. */
export interface RawRows {
  /** Parses one row packet's fields (buf[start, end)); returns the batch it filled, or undefined. */
  row(buf: Uint8Array, start: number, end: number): RecordBatch | undefined;
  rest(): RecordBatch | undefined;
}

export function rawRows(
  schema: Schema,
  kinds: readonly CarriedKind[],
  limits: BatchLimits,
  hooks: RawRowHooks,
): RawRows {
  const width = kinds.length;
  const cols = kinds.map((k, i) => columnFor(k, i, hooks));
  const fixed = kinds.map((k) => k === "boolean" || k.startsWith("int") || k.startsWith("float"));
  let n = 0;
  let bytes = 0;
  const cut = (): RecordBatch => {
    const batch = cutBatch(schema, cols, n);
    n = 0;
    bytes = 0;
    return batch;
  };
  return {
    row(buf, start, end) {
      let pos = start;
      for (let i = 0; i < width; i++) {
        const b = buf[pos] as number;
        const col = cols[i] as Column;
        if (b === 0xfb) {
          pos++;
          col.addNull(n);
          bytes += 1;
          continue;
        }
        let len: number;
        if (b < 0xfb) {
          len = b;
          pos++;
        } else if (b === 0xfc) {
          len = (buf[pos + 1] as number) | ((buf[pos + 2] as number) << 8);
          pos += 3;
        } else if (b === 0xfd) {
          len = (buf[pos + 1] as number) | ((buf[pos + 2] as number) << 8) | ((buf[pos + 3] as number) << 16);
          pos += 4;
        } else {
          const lo =
            ((buf[pos + 1] as number) |
              ((buf[pos + 2] as number) << 8) |
              ((buf[pos + 3] as number) << 16) |
              ((buf[pos + 4] as number) << 24)) >>>
            0;
          const hi = (buf[pos + 5] as number) | ((buf[pos + 6] as number) << 8);
          len = lo + hi * 4294967296;
          pos += 9;
        }
        if (pos + len > end) {
          throw new MigratrixError("data_loss", `a row packet of ${hooks.where(i)} ends inside its field`);
        }
        col.add(buf, pos, pos + len, n);
        pos += len;
        bytes += fixed[i] ? 8 : len + 1;
      }
      n++;
      return n >= limits.rows || bytes >= limits.bytes ? cut() : undefined;
    },
    rest: () => (n > 0 ? cut() : undefined),
  };
}
