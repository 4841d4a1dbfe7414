// Arrow columns filled from field bytes as a reader parses them off the wire (MySQL row packets,
// PostgreSQL COPY text): text and bytes appended to one buffer, integers and floats into typed
// arrays, so no JS value is made per cell; cut into RecordBatches within a reader's limits.
import { isUtf8 } from "node:buffer";
import {
  type Bool,
  type DataType,
  type Int32,
  type Int64,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  type Utf8,
} from "apache-arrow";
import { type Cell, keepColumnValues } from "./batch.ts";

/** One Arrow column being filled from field bytes. */
export interface Column {
  /** The JS values of the rows the last finish() took, where the column keeps them (float32). */
  kept?: Cell[];
  /** Appends the field at buf[start, end) as row `row`. */
  add(buf: Uint8Array, start: number, end: number, row: number): void;
  addNull(row: number): void;
  /** The column's Arrow data for its `length` rows; the column starts empty again. */
  finish(type: DataType, length: number): ReturnType<typeof makeData>;
}

/** Validity bits of one column, grown as rows come. */
export class Validity {
  bits = new Uint8Array(1024);
  nulls = 0;
  set(row: number): void {
    const i = row >> 3;
    if (i >= this.bits.length) {
      const next = new Uint8Array(this.bits.length * 2);
      next.set(this.bits);
      this.bits = next;
    }
    this.bits[i] = (this.bits[i] as number) | (1 << (row & 7));
  }
  take(length: number): { nullCount: number; nullBitmap?: Uint8Array } {
    const n = (length + 7) >> 3;
    const out = this.nulls > 0 ? { nullCount: this.nulls, nullBitmap: this.bits.slice(0, n) } : { nullCount: 0 };
    this.bits.fill(0, 0, n);
    this.nulls = 0;
    return out;
  }
}

export const latin1 = (buf: Uint8Array, start: number, end: number) =>
  Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1", start, end);

/**
 * Field bytes appended to one growing buffer (Utf8 and Binary columns). `edit` gives the end of the
 * bytes to keep, or null for a null (a zero date); `suffix` is appended to every value.
 */
export function bytesColumn(o: {
  edit?: (buf: Uint8Array, start: number, end: number) => number | null;
  suffix?: number[];
  text?: boolean;
}): Column {
  let data = new Uint8Array(1 << 16);
  let offsets = new Int32Array(1025);
  let used = 0;
  const valid = new Validity();
  const suffix = o.suffix ?? [];
  const room = (row: number, more: number) => {
    if (used + more > data.length) {
      let size = data.length * 2;
      while (size < used + more) size *= 2;
      const next = new Uint8Array(size);
      next.set(data.subarray(0, used));
      data = next;
    }
    if (row + 2 > offsets.length) {
      const next = new Int32Array(offsets.length * 2);
      next.set(offsets);
      offsets = next;
    }
  };
  const col: Column = {
    add(buf, start, end, row) {
      const stop = o.edit ? o.edit(buf, start, end) : end;
      if (stop === null) {
        col.addNull(row);
        return;
      }
      room(row, stop - start + suffix.length);
      if (stop - start < 48) for (let i = start; i < stop; i++) data[used++] = buf[i] as number;
      else {
        data.set(buf.subarray(start, stop), used);
        used += stop - start;
      }
      for (const b of suffix) data[used++] = b;
      valid.set(row);
      offsets[row + 1] = used;
    },
    addNull(row) {
      room(row, 0);
      valid.nulls++;
      offsets[row + 1] = used;
    },
    finish(type, length) {
      let bytes = data.slice(0, used);
      let valueOffsets = offsets.slice(0, length + 1);
      if (o.text && !isUtf8(bytes)) {
        // Invalid UTF-8 (a corrupt value): decoded as mysql2 decodes it, U+FFFD for each bad sequence.
        const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const parts: Buffer[] = [];
        const fixed = new Int32Array(length + 1);
        let total = 0;
        for (let r = 0; r < length; r++) {
          const part = Buffer.from(buf.toString("utf8", valueOffsets[r], valueOffsets[r + 1]), "utf8");
          parts.push(part);
          total += part.length;
          fixed[r + 1] = total;
        }
        bytes = new Uint8Array(Buffer.concat(parts, total));
        valueOffsets = fixed;
      }
      const out = makeData({ type: type as Utf8, length, ...valid.take(length), valueOffsets, data: bytes });
      used = 0;
      return out;
    },
  };
  return col;
}

/** ASCII decimal integer at buf[start, end), or NaN when it is anything else. */
export function asciiInt(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === 45;
  if (negative) i++;
  if (i >= end || end - i > 15) return Number.NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

type FixedArray = Int16Array | Int32Array | Float32Array | Float64Array | Uint8Array;

/** A fixed-width column: `put` stores the field's value at row `row` of `values`. */
export function fixedColumn<A extends FixedArray>(
  make: (n: number) => A,
  put: (values: A, row: number, buf: Uint8Array, start: number, end: number) => void,
): Column {
  let values = make(1024);
  const valid = new Validity();
  const room = (row: number) => {
    if (row >= values.length) {
      const next = make(values.length * 2);
      next.set(values as never);
      values = next;
    }
  };
  return {
    add(buf, start, end, row) {
      room(row);
      put(values, row, buf, start, end);
      valid.set(row);
    },
    addNull(row) {
      room(row);
      valid.nulls++;
    },
    finish(type, length) {
      const out = makeData({
        type: type as Int32,
        length,
        ...valid.take(length),
        data: values.subarray(0, length) as Int32Array,
      });
      values = make(Math.max(1024, values.length));
      return out;
    },
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Int64 values written as two 32-bit halves (exact below 2^53), else through BigInt. */
export function int64Column(): Column {
  let values = new BigInt64Array(1024);
  let halves = new Int32Array(values.buffer);
  const valid = new Validity();
  return {
    add(buf, start, end, row) {
      if (row >= values.length) {
        const next = new BigInt64Array(values.length * 2);
        next.set(values);
        values = next;
        halves = new Int32Array(values.buffer);
      }
      const n = asciiInt(buf, start, end);
      if (Number.isNaN(n) || !LITTLE_ENDIAN) values[row] = BigInt(latin1(buf, start, end));
      else {
        const hi = Math.floor(n / 4294967296);
        halves[row * 2] = (n - hi * 4294967296) | 0;
        halves[row * 2 + 1] = hi;
      }
      valid.set(row);
    },
    addNull(row) {
      if (row >= values.length) {
        const next = new BigInt64Array(values.length * 2);
        next.set(values);
        values = next;
        halves = new Int32Array(values.buffer);
      }
      values[row] = 0n;
      valid.nulls++;
    },
    finish(type, length) {
      const out = makeData({ type: type as Int64, length, ...valid.take(length), data: values.subarray(0, length) });
      values = new BigInt64Array(Math.max(1024, values.length));
      halves = new Int32Array(values.buffer);
      return out;
    },
  };
}

/** Numbers of the fixed-width kinds parsed from their text (integers without a JS string when short). */
export function numberColumn(kind: "int16" | "int32" | "int64" | "float32" | "float64"): Column {
  switch (kind) {
    case "int16":
      return fixedColumn(
        (n) => new Int16Array(n),
        (v, r, b, s, e) => {
          const n = asciiInt(b, s, e);
          v[r] = Number.isNaN(n) ? Number(latin1(b, s, e)) : n;
        },
      );
    case "int32":
      return fixedColumn(
        (n) => new Int32Array(n),
        (v, r, b, s, e) => {
          const n = asciiInt(b, s, e);
          v[r] = Number.isNaN(n) ? Number(latin1(b, s, e)) : n;
        },
      );
    case "int64":
      return int64Column();
    case "float32":
      return float32Column();
    case "float64":
      return fixedColumn(
        (n) => new Float64Array(n),
        (v, r, b, s, e) => {
          v[r] = Number(latin1(b, s, e));
        },
      );
  }
}

/** Float32 values, with the doubles their text gave kept beside them (keepColumnValues). */
function float32Column(): Column {
  let doubles: Cell[] = [];
  const inner = fixedColumn(
    (n) => new Float32Array(n),
    (v, r, b, s, e) => {
      const x = Number(latin1(b, s, e));
      v[r] = x;
      doubles[r] = x;
    },
  );
  const col: Column = {
    add: (b, s, e, r) => inner.add(b, s, e, r),
    addNull(r) {
      inner.addNull(r);
      doubles[r] = null;
    },
    finish(type, length) {
      doubles.length = length;
      col.kept = doubles;
      doubles = [];
      return inner.finish(type, length);
    },
  };
  return col;
}

/** One RecordBatch of the schema from its columns' `length` rows (the columns start empty again). */
export function cutBatch(schema: Schema, cols: readonly Column[], length: number): RecordBatch {
  const children = cols.map((c, i) => c.finish((schema.fields[i] as { type: DataType }).type, length));
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: children as never });
  const batch = new RecordBatch(schema, data);
  cols.forEach((c, i) => {
    if (c.kept) keepColumnValues(batch, i, c.kept);
  });
  return batch;
}

/**
 * Booleans packed into bits as rows come; `isTrue` reads one value's bytes (and may refuse it by
 * throwing).
 */
export function boolColumn(isTrue: (buf: Uint8Array, start: number, end: number) => boolean): Column {
  let bits = new Uint8Array(128);
  const valid = new Validity();
  const room = (row: number) => {
    if (row >> 3 >= bits.length) {
      const next = new Uint8Array(bits.length * 2);
      next.set(bits);
      bits = next;
    }
  };
  return {
    add(buf, start, end, row) {
      room(row);
      if (isTrue(buf, start, end)) bits[row >> 3] = (bits[row >> 3] as number) | (1 << (row & 7));
      valid.set(row);
    },
    addNull(row) {
      room(row);
      valid.nulls++;
    },
    finish(type, length) {
      const n = (length + 7) >> 3;
      const out = makeData({ type: type as Bool, length, ...valid.take(length), data: bits.slice(0, n) });
      bits.fill(0, 0, n);
      return out;
    },
  };
}
