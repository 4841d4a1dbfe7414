// Columnar JS values ⇄ Arrow RecordBatches (one Arrow type per carried kind, the kind kept in the
// field metadata), and the order-independent row checksum compared at the end of a transfer.

import { isAscii } from "node:buffer";
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type { ArrowTypeName, CarriedKind, ColumnMapping } from "../engines/schema/typemap.ts";
import type { BatchLimits } from "./types.ts";

export const KIND_METADATA = "migratrix.kind";

/** A value as readers produce it before it goes into Arrow. */
export type Cell = string | number | bigint | boolean | Uint8Array | null;

function arrowType(name: ArrowTypeName): DataType {
  switch (name) {
    case "Bool":
      return new Bool();
    case "Int16":
      return new Int16();
    case "Int32":
      return new Int32();
    case "Int64":
      return new Int64();
    case "Float32":
      return new Float32();
    case "Float64":
      return new Float64();
    case "Binary":
      return new Binary();
    case "Utf8":
      return new Utf8();
  }
}

export function arrowSchema(mappings: readonly ColumnMapping[]): Schema {
  return new Schema(
    mappings.map((m) => new Field(m.column, arrowType(m.arrow), true, new Map([[KIND_METADATA, m.kind]]))),
  );
}

/**
 * The JS arrays a batch was built from, so a writer in the same process reads the values without
 * decoding them back out of Arrow buffers (a batch that came over the wire has none).
 */
const sourceColumns = new WeakMap<RecordBatch, Cell[][]>();

/**
 * Utf8 and Binary columns built in one pass: offsets from each value's byte length, the values
 * encoded at once (apache-arrow's builders encode value by value, several times slower).
 */
function variableWidth(type: DataType, values: Cell[], length: number) {
  const offsets = new Int32Array(length + 1);
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  let total = 0;
  const isText = type instanceof Utf8;
  const parts: (string | Uint8Array)[] = [];
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
      offsets[i + 1] = total;
      continue;
    }
    bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
    if (isText) {
      const s = String(v);
      total += Buffer.byteLength(s, "utf8");
      parts.push(s);
    } else {
      const b = v as Uint8Array;
      total += b.byteLength;
      parts.push(b);
    }
    offsets[i + 1] = total;
  }
  const data = isText
    ? new Uint8Array(Buffer.from((parts as string[]).join(""), "utf8"))
    : new Uint8Array(Buffer.concat(parts as Uint8Array[], total));
  return makeData({
    type: type as Utf8,
    length,
    nullCount: nulls,
    ...(nulls > 0 ? { nullBitmap: bitmap } : {}),
    valueOffsets: offsets,
    data,
  });
}

/** One RecordBatch from column arrays of equal length. */
export function makeBatch(schema: Schema, columns: Cell[][], length: number): RecordBatch {
  const children = schema.fields.map((f, i) =>
    f.type instanceof Utf8 || f.type instanceof Binary
      ? variableWidth(f.type, columns[i] ?? [], length)
      : vectorFromArray(columns[i] ?? [], f.type).data[0],
  );
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: children as never });
  const batch = new RecordBatch(schema, data);
  sourceColumns.set(batch, columns);
  return batch;
}

/** Cuts a reader's rows into batches within its limits. */
export interface BatchBuilder {
  /**
   * Adds one row, column i's cell from `cellAt(i)`; `rowBytes` is its size when the reader knows it
   * (else the cells' sizes). Returns the batch this row filled, or undefined.
   */
  row(cellAt: (i: number) => Cell, rowBytes?: number): RecordBatch | undefined;
  /** The rows not yet in a batch, or undefined when there are none. */
  rest(): RecordBatch | undefined;
}

export function batchBuilder(schema: Schema, limits: BatchLimits): BatchBuilder {
  const width = schema.fields.length;
  const empty = () => Array.from({ length: width }, (): Cell[] => []);
  let cols = empty();
  let n = 0;
  let bytes = 0;
  const cut = (): RecordBatch => {
    const batch = makeBatch(schema, cols, n);
    cols = empty();
    n = 0;
    bytes = 0;
    return batch;
  };
  return {
    row(cellAt, rowBytes) {
      let size = 0;
      for (let i = 0; i < width; i++) {
        const cell = cellAt(i);
        (cols[i] as Cell[]).push(cell);
        if (rowBytes === undefined) size += cellBytes(cell);
      }
      bytes += rowBytes ?? size;
      n++;
      return n >= limits.rows || bytes >= limits.bytes ? cut() : undefined;
    },
    rest: () => (n > 0 ? cut() : undefined),
  };
}

/**
 * A Utf8 column of a batch that came over the wire, decoded in one pass: ASCII text (the common
 * case) as slices of one string, other text value by value (2-3× the vector iterator's speed).
 */
function utf8Values(d: Data<Utf8>): Cell[] {
  const offsets = d.valueOffsets;
  const bytes = Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength);
  const start = offsets[0] ?? 0;
  const end = offsets[d.length] ?? start;
  const ascii = isAscii(bytes.subarray(start, end));
  const all = ascii ? bytes.toString("latin1", start, end) : "";
  const out: Cell[] = new Array(d.length);
  for (let r = 0; r < d.length; r++) {
    const a = offsets[r] ?? 0;
    const b = offsets[r + 1] ?? 0;
    if (d.nullCount > 0 && !d.getValid(r)) out[r] = null;
    else out[r] = ascii ? all.slice(a - start, b - start) : bytes.toString("utf8", a, b);
  }
  return out;
}

/** Column i of a batch as plain JS values (null for nulls). */
export function columnValues(batch: RecordBatch, i: number): Cell[] {
  const cached = sourceColumns.get(batch)?.[i];
  if (cached) return cached;
  const v = batch.getChildAt(i);
  if (!v) return [];
  const only = v.data.length === 1 ? v.data[0] : undefined;
  if (only && only.type instanceof Utf8) return utf8Values(only as Data<Utf8>);
  const out: Cell[] = new Array(batch.numRows);
  let j = 0;
  for (const x of v) out[j++] = (x ?? null) as Cell;
  return out;
}

export function kindsOf(batch: RecordBatch): CarriedKind[] {
  return batch.schema.fields.map((f) => (f.metadata.get(KIND_METADATA) ?? "text") as CarriedKind);
}

/** Rough encoded size of a cell, for byte-bounded batches and progress. */
export function cellBytes(c: Cell): number {
  if (c === null) return 1;
  if (typeof c === "string") return c.length + 1;
  if (c instanceof Uint8Array) return c.byteLength + 1;
  return 8;
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The text a value is hashed as: equal values of one kind give equal text whatever engine read them. */
export function canonical(kind: CarriedKind, c: Cell): string {
  if (c === null) return "\u0000";
  if (c instanceof Uint8Array) return Buffer.from(c).toString("hex");
  if (typeof c === "boolean") return c ? "t" : "f";
  if (typeof c !== "string") return String(c);
  if (kind === "json") {
    try {
      return sortedJson(JSON.parse(c));
    } catch {
      return c;
    }
  }
  if (kind === "uuid") return c.toLowerCase();
  return c;
}

/**
 * Order-independent checksum of rows: two 32-bit sums (mod 2^32) of two independent 32-bit hashes
 * of each row's canonical text, shown as 16 hex digits. Equal multisets of rows give equal sums.
 */
export class RowChecksum {
  private a = 0;
  private b = 0;
  rows = 0;

  constructor(private readonly opts: { canonicalJson?: boolean } = {}) {}

  addBatch(batch: RecordBatch): void {
    const kinds = kindsOf(batch);
    const cols = kinds.map((_k, i) => columnValues(batch, i));
    const json = this.opts.canonicalJson !== false;
    const n = batch.numRows;
    const parts: string[] = new Array(kinds.length);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[i] ?? "text";
        const c = cols[i]?.[r] ?? null;
        parts[i] = typeof c === "string" && (kind !== "json" || !json) && kind !== "uuid" ? c : canonical(kind, c);
      }
      const row = parts.join("\u001f");
      this.a = (this.a + Bun.hash.cityHash32(row)) >>> 0;
      this.b = (this.b + Bun.hash.murmur32v3(row, 0x9e3779b9)) >>> 0;
    }
    this.rows += n;
  }

  hex(): string {
    return this.a.toString(16).padStart(8, "0") + this.b.toString(16).padStart(8, "0");
  }
}
