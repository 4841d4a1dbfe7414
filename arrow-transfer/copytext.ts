// PostgreSQL COPY text format: parse a COPY … TO STDOUT stream into typed cells and render Arrow
// batches as COPY … FROM STDIN text. A raw newline byte always ends a row (newlines in values are
// escaped as \n), so rows are cut on bytes before decoding.
import { isUtf8 } from "node:buffer";
import { Binary, Bool, type Data, DataType, Precision, type RecordBatch, Utf8 } from "apache-arrow";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import { type Cell, columnValues, hasSourceColumns, keptColumnValues, kindsOf } from "./batch.ts";

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };

export function unescapeCopy(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === "x" && e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}

export function decodeCopyField(kind: CarriedKind, raw: string): Cell {
  if (raw === "\\N") return null;
  const s = raw.includes("\\") ? unescapeCopy(raw) : raw;
  switch (kind) {
    case "boolean":
      return s === "t";
    case "int16":
    case "int32":
    case "float32":
    case "float64":
      return Number(s);
    case "int64":
      return BigInt(s);
    case "binary":
      return new Uint8Array(Buffer.from(s.slice(2), "hex"));
    default:
      return s;
  }
}

/** Splits a byte stream into complete COPY text lines. */
export class LineSplitter {
  private rest: Buffer | null = null;
  private readonly decoder = new TextDecoder();

  /** Complete lines in this chunk (without their newline). */
  push(chunk: Uint8Array): string[] {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : Buffer.from(chunk);
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      this.rest = buf;
      return [];
    }
    this.rest = last + 1 < buf.length ? buf.subarray(last + 1) : null;
    return this.decoder.decode(buf.subarray(0, last)).split("\n");
  }

  /** Bytes left without a newline at the end of the stream (a protocol error if not empty). */
  leftover(): number {
    return this.rest?.length ?? 0;
  }
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;

export function escapeCopy(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r").replaceAll("\t", "\\t");
}

function encodeCell(c: Cell): string {
  if (c === null) return "\\N";
  if (typeof c === "string") return escapeCopy(c);
  if (typeof c === "boolean") return c ? "t" : "f";
  if (typeof c === "number") {
    if (Number.isNaN(c)) return "NaN";
    if (c === Number.POSITIVE_INFINITY) return "Infinity";
    if (c === Number.NEGATIVE_INFINITY) return "-Infinity";
    return String(c);
  }
  if (typeof c === "bigint") return String(c);
  return `\\\\x${Buffer.from(c).toString("hex")}`;
}

/** A batch as COPY text, in pieces of about `pieceBytes` characters so a big batch streams. */
export function* copyTextPieces(batch: RecordBatch, pieceBytes = 1 << 20): Generator<string> {
  const width = kindsOf(batch).length;
  const cols = Array.from({ length: width }, (_, i) => columnValues(batch, i));
  const n = batch.numRows;
  let lines: string[] = [];
  let size = 0;
  const cells: string[] = new Array(width);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < width; i++) cells[i] = encodeCell(cols[i]?.[r] ?? null);
    const line = cells.join("\t");
    lines.push(line);
    size += line.length + 1;
    if (size >= pieceBytes) {
      yield `${lines.join("\n")}\n`;
      lines = [];
      size = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`;
}

/** The bytes each escaped byte of a text value becomes (\\, \n, \r, \t), else 0. */
const ESCAPED = new Uint8Array(256);
ESCAPED[92] = 92;
ESCAPED[10] = 110;
ESCAPED[13] = 114;
ESCAPED[9] = 116;
const HEX = new TextEncoder().encode("0123456789abcdef");

/** Writes one column's value of row r at out[pos…]; returns the new position. */
type ColumnWriter = (out: Buffer, pos: number, r: number) => number;

/** Room for `more` bytes after `pos`, as a (possibly new) buffer holding out[0, pos). */
function grow(out: Buffer, pos: number, more: number): Buffer {
  // Tabs and the newline are written without asking: two bytes of slack.
  if (pos + more + 2 <= out.length) return out;
  const next = Buffer.allocUnsafe(Math.max(out.length * 2, pos + more + 1024));
  out.copy(next, 0, 0, pos);
  return next;
}

/** Decimal digits of an integer below 2^53 in magnitude. */
function writeInt(out: Buffer, pos: number, n: number): number {
  let p = pos;
  let v = n;
  if (v < 0) {
    out[p++] = 45;
    v = -v;
  }
  let len = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  const end = p + len;
  for (let i = end - 1; i >= p; i--) {
    const q = Math.floor(v / 10);
    out[i] = 48 + (v - q * 10);
    v = q;
  }
  return end;
}

function writeLatin1(out: Buffer, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  return pos + s.length;
}

/**
 * A writer per column straight from its Arrow buffers, or null where this column needs the cell
 * path (sliced or chunked data, invalid UTF-8, a type not written here). A fixed-width value takes
 * at most 24 bytes (a double's shortest text, an int64's 20 digits and sign).
 */
function columnWriter(d: Data | undefined): ColumnWriter | null {
  if (d?.offset !== 0 || !d) return null;
  const t = d.type;
  if (t instanceof Utf8 || t instanceof Binary) {
    const offsets = d.valueOffsets as Int32Array;
    const values = d.values as Uint8Array;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const first = offsets[0] ?? 0;
    const last = offsets[d.length] ?? first;
    if (t instanceof Utf8) {
      if (!isUtf8(bytes.subarray(first, last))) return null;
      const escapes = [92, 10, 13, 9].some((b) => {
        const i = bytes.indexOf(b, first);
        return i >= 0 && i < last;
      });
      return (out, pos, r) => {
        const a = offsets[r] as number;
        const b = offsets[r + 1] as number;
        let p = pos;
        if (!escapes) {
          if (b - a < 64) for (let i = a; i < b; i++) out[p++] = values[i] as number;
          else {
            out.set(values.subarray(a, b), p);
            p += b - a;
          }
          return p;
        }
        for (let i = a; i < b; i++) {
          const c = values[i] as number;
          const e = ESCAPED[c] as number;
          if (e) {
            out[p++] = 92;
            out[p++] = e;
          } else out[p++] = c;
        }
        return p;
      };
    }
    return (out, pos, r) => {
      const a = offsets[r] as number;
      const b = offsets[r + 1] as number;
      let p = pos;
      out[p++] = 92;
      out[p++] = 92;
      out[p++] = 120;
      for (let i = a; i < b; i++) {
        const c = values[i] as number;
        out[p++] = HEX[c >> 4] as number;
        out[p++] = HEX[c & 15] as number;
      }
      return p;
    };
  }
  if (t instanceof Bool) {
    const bits = d.values as Uint8Array;
    return (out, pos, r) => {
      out[pos] = ((bits[r >> 3] as number) >> (r & 7)) & 1 ? 116 : 102;
      return pos + 1;
    };
  }
  // Types read back from IPC are the generic Int/Float classes: told apart by width, not by class.
  if (DataType.isInt(t) && t.isSigned && (t.bitWidth === 16 || t.bitWidth === 32)) {
    const v = d.values as Int16Array | Int32Array;
    return (out, pos, r) => writeInt(out, pos, v[r] as number);
  }
  if (DataType.isInt(t) && t.isSigned && t.bitWidth === 64) {
    const v = d.values as BigInt64Array;
    if (!(v instanceof BigInt64Array) || v.byteOffset % 4 !== 0) return null;
    const halves = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    return (out, pos, r) => {
      const hi = halves[r * 2 + (little ? 1 : 0)] as number;
      if (little && hi >= -0x200000 && hi < 0x200000) {
        return writeInt(out, pos, hi * 4294967296 + ((halves[r * 2] as number) >>> 0));
      }
      return writeLatin1(out, pos, String(v[r]));
    };
  }
  if (DataType.isFloat(t) && (t.precision === Precision.SINGLE || t.precision === Precision.DOUBLE)) {
    const v = d.values as Float32Array | Float64Array;
    return (out, pos, r) => writeLatin1(out, pos, String(v[r]));
  }
  return null;
}

/**
 * A batch as COPY text bytes, in pieces of about `pieceBytes`. A batch that came as bytes (read off
 * the MySQL wire, or Arrow IPC from another agent) is written from its Arrow buffers, without
 * making a JS value of each cell; one built here from JS values, from those values (copyTextPieces).
 */
export function* copyTextBytes(batch: RecordBatch, pieceBytes = 1 << 20): Generator<Uint8Array> {
  const width = batch.schema.fields.length;
  const data = Array.from({ length: width }, (_, i) => {
    const v = batch.getChildAt(i);
    return v && v.data.length === 1 ? v.data[0] : undefined;
  });
  const writers = hasSourceColumns(batch)
    ? null
    : data.map((d, i) => {
        // A column whose values were kept (float32 as read): written from them, as before.
        const kept = keptColumnValues(batch, i);
        return kept
          ? (out: Buffer, pos: number, r: number) => writeLatin1(out, pos, encodeCell(kept[r] ?? null))
          : columnWriter(d);
      });
  if (!writers || writers.some((w) => w === null)) {
    for (const piece of copyTextPieces(batch, pieceBytes)) yield Buffer.from(piece);
    return;
  }
  const ws = writers as ColumnWriter[];
  const valid = data.map((d) => (d && d.nullCount > 0 ? (d.nullBitmap as Uint8Array) : null));
  const sized = data.map((d) => {
    const t = d?.type;
    if (!(t instanceof Utf8 || t instanceof Binary) || !d) return null;
    const offsets = d.valueOffsets as Int32Array;
    // Escaped text at most doubles; bytes as hex take two characters each plus "\\x".
    return (r: number) => 2 * ((offsets[r + 1] as number) - (offsets[r] as number)) + 3;
  });
  let out: Buffer = Buffer.allocUnsafe(pieceBytes + (64 << 10));
  let pos = 0;
  const n = batch.numRows;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < width; i++) {
      if (i > 0) out[pos++] = 9;
      const bits = valid[i];
      if (bits && !(((bits[r >> 3] as number) >> (r & 7)) & 1)) {
        out = grow(out, pos, 3);
        out[pos++] = 92;
        out[pos++] = 78;
        continue;
      }
      const size = sized[i];
      out = grow(out, pos, size ? size(r) : 32);
      pos = (ws[i] as ColumnWriter)(out, pos, r);
    }
    out = grow(out, pos, 1);
    out[pos++] = 10;
    if (pos >= pieceBytes) {
      yield out.subarray(0, pos);
      out = Buffer.allocUnsafe(pieceBytes + (64 << 10));
      pos = 0;
    }
  }
  if (pos > 0) yield out.subarray(0, pos);
}
