// PostgreSQL COPY text format: parse a COPY … TO STDOUT stream into typed cells and render Arrow
// batches as COPY … FROM STDIN text. A raw newline byte always ends a row (newlines in values are
// escaped as \n), so rows are cut on bytes before decoding.
import type { RecordBatch } from "apache-arrow";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import { type Cell, columnValues, kindsOf } from "./batch.ts";

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
