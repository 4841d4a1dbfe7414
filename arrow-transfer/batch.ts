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
 * Utf8 and Binary columns built in one pass: the values encoded at once (apache-arrow's builders
 * encode value by value, several times slower). Text whose bytes are as many as its characters (all
 * ASCII, the common case) takes its offsets from the string lengths, else from each value's bytes.
 */
function variableWidth(type: DataType, values: Cell[], length: number) {
  const offsets = new Int32Array(length + 1);
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  let total = 0;
  let data: Uint8Array;
  if (type instanceof Utf8) {
    const parts: string[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        nulls++;
        parts[i] = "";
      } else {
        bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
        const s = typeof v === "string" ? v : String(v);
        parts[i] = s;
        total += s.length;
      }
      offsets[i + 1] = total;
    }
    const encoded = Buffer.from(parts.join(""), "utf8");
    if (encoded.length !== total) {
      total = 0;
      for (let i = 0; i < length; i++) {
        total += Buffer.byteLength(parts[i] ?? "", "utf8");
        offsets[i + 1] = total;
      }
    }
    data = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  } else {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) nulls++;
      else {
        bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
        const b = v as Uint8Array;
        total += b.byteLength;
        parts.push(b);
      }
      offsets[i + 1] = total;
    }
    data = new Uint8Array(Buffer.concat(parts, total));
  }
  return makeData({
    type: type as Utf8,
    length,
    nullCount: nulls,
    ...(nulls > 0 ? { nullBitmap: bitmap } : {}),
    valueOffsets: offsets,
    data,
  });
}

/**
 * Fixed-width columns (booleans, integers, floats) written straight into their typed arrays: the
 * values are already of the column's JS type, so apache-arrow's per-value builders are skipped.
 */
function fixedWidth(type: DataType, values: Cell[], length: number) {
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  const valid = (i: number) => {
    bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
  };
  let data: Uint8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;
  if (type instanceof Bool) {
    const bits = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) nulls++;
      else {
        valid(i);
        if (v) bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
      }
    }
    data = bits;
  } else if (type instanceof Int64) {
    const out = new BigInt64Array(length);
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) nulls++;
      else {
        valid(i);
        out[i] = typeof v === "bigint" ? v : BigInt(v as string | number);
      }
    }
    data = out;
  } else {
    const out =
      type instanceof Int16
        ? new Int16Array(length)
        : type instanceof Int32
          ? new Int32Array(length)
          : type instanceof Float32
            ? new Float32Array(length)
            : new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (v === null || v === undefined) nulls++;
      else {
        valid(i);
        out[i] = Number(v);
      }
    }
    data = out;
  }
  return makeData({
    type: type as Int32,
    length,
    nullCount: nulls,
    ...(nulls > 0 ? { nullBitmap: bitmap } : {}),
    data: data as Int32Array,
  });
}

/** One RecordBatch from column arrays of equal length. */
export function makeBatch(schema: Schema, columns: Cell[][], length: number): RecordBatch {
  const children = schema.fields.map((f, i) =>
    f.type instanceof Utf8 || f.type instanceof Binary
      ? variableWidth(f.type, columns[i] ?? [], length)
      : f.type instanceof Bool ||
          f.type instanceof Int16 ||
          f.type instanceof Int32 ||
          f.type instanceof Int64 ||
          f.type instanceof Float32 ||
          f.type instanceof Float64
        ? fixedWidth(f.type, columns[i] ?? [], length)
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
  /** Adds one row of driver values, column i's cell `convert[i](values[i])` (no callback per cell). */
  convertedRow(values: readonly unknown[], convert: readonly ((v: unknown) => Cell)[]): RecordBatch | undefined;
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
    convertedRow(values, convert) {
      let size = 0;
      for (let i = 0; i < width; i++) {
        const cell = (convert[i] as (v: unknown) => Cell)(values[i]);
        (cols[i] as Cell[]).push(cell);
        size +=
          cell === null
            ? 1
            : typeof cell === "string"
              ? cell.length + 1
              : cell instanceof Uint8Array
                ? cell.byteLength + 1
                : 8;
      }
      bytes += size;
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

/** Whether the batch was built here from JS values (a writer may read them back as they were). */
export function hasSourceColumns(batch: RecordBatch): boolean {
  return sourceColumns.has(batch) && !partial.has(batch);
}

/** Batches built from bytes that keep the JS values of some columns only (see keepColumnValues). */
const partial = new WeakSet<RecordBatch>();

/**
 * Keeps column i's values as read for a batch built from bytes: a float32 column's values stay the
 * doubles the source's text gave (1.1, not Float32's 1.100000023841858), as a batch built from JS
 * values keeps them.
 */
export function keepColumnValues(batch: RecordBatch, i: number, values: Cell[]): void {
  let cols = sourceColumns.get(batch);
  if (!cols) {
    cols = [];
    sourceColumns.set(batch, cols);
    partial.add(batch);
  }
  cols[i] = values;
}

/** Column i's values kept with the batch, if any. */
export function keptColumnValues(batch: RecordBatch, i: number): Cell[] | undefined {
  return sourceColumns.get(batch)?.[i];
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
