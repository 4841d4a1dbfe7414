// PostgreSQL COPY text (bytes) straight into Arrow columns: lines cut on newline bytes, fields on
// tabs, each field's bytes appended to its column (text as it came, numbers parsed from ASCII);
// only a field with a backslash escape is decoded as a JS string first (decodeCopyField's rules).
import type { RecordBatch, Schema } from "apache-arrow";
import { MigratrixError } from "../common/errors.ts";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import { boolColumn, bytesColumn, type Column, cutBatch, numberColumn } from "./byte-columns.ts";
import { unescapeCopy } from "./copytext.ts";
import type { BatchLimits } from "./types.ts";

/** decodeCopyField's boolean: "t" is true, anything else false. */
const copyBool = (buf: Uint8Array, start: number, end: number): boolean => end - start === 1 && buf[start] === 116;

/** bytea's text form "\\x0102…" (the backslash doubled by COPY's escaping) → the bytes. */
function hexColumn(): Column {
  const bytes = bytesColumn({});
  return {
    add(buf, start, end, row) {
      // decodeCopyField: unescape, then the hex after "\x" (Buffer.from stops at a bad digit).
      const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("utf8", start, end);
      const raw = Buffer.from(unescapeCopy(text).slice(2), "hex");
      bytes.add(raw, 0, raw.length, row);
    },
    addNull: (row) => bytes.addNull(row),
    finish: (type, length) => bytes.finish(type, length),
  };
}

function columnFor(kind: CarriedKind): Column {
  switch (kind) {
    case "boolean":
      return boolColumn(copyBool);
    case "int16":
    case "int32":
    case "int64":
    case "float32":
    case "float64":
      return numberColumn(kind);
    case "binary":
      return hexColumn();
    default:
      return bytesColumn({ text: true });
  }
}

export interface CopyTextRows {
  /** Complete lines of this piece of the COPY stream, as the batches they filled. */
  push(chunk: Uint8Array): RecordBatch[];
  /** Bytes left after the last newline (a protocol error if not zero at the end). */
  leftover(): number;
  rest(): RecordBatch | undefined;
}

export function copyTextRows(
  schema: Schema,
  kinds: readonly CarriedKind[],
  limits: BatchLimits,
  table: string,
): CopyTextRows {
  const width = kinds.length;
  const cols = kinds.map(columnFor);
  const escaped = kinds.map((k) => k !== "binary");
  let rest: Buffer | null = null;
  let n = 0;
  let bytes = 0;
  const cut = () => {
    const b = cutBatch(schema, cols, n);
    n = 0;
    bytes = 0;
    return b;
  };
  const line = (buf: Buffer, start: number, end: number) => {
    let pos = start;
    for (let i = 0; i < width; i++) {
      if (pos > end) throw new MigratrixError("data_loss", `COPY from ${table} gave ${i} fields, expected ${width}`);
      let stop = pos;
      let backslash = false;
      while (stop < end && buf[stop] !== 9) {
        if (buf[stop] === 92) backslash = true;
        stop++;
      }
      if (stop < end && i === width - 1) {
        let more = 1;
        for (let j = stop + 1; j < end; j++) if (buf[j] === 9) more++;
        throw new MigratrixError("data_loss", `COPY from ${table} gave ${width + more} fields, expected ${width}`);
      }
      const col = cols[i] as Column;
      if (stop - pos === 2 && buf[pos] === 92 && buf[pos + 1] === 78) col.addNull(n);
      else if (backslash && escaped[i]) {
        const value = Buffer.from(unescapeCopy(buf.toString("utf8", pos, stop)), "utf8");
        col.add(value, 0, value.length, n);
      } else col.add(buf, pos, stop, n);
      pos = stop + 1;
    }
    n++;
    bytes += end - start + 1;
  };
  return {
    push(chunk) {
      const buf = rest ? Buffer.concat([rest, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const out: RecordBatch[] = [];
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        line(buf, start, nl);
        start = nl + 1;
        if (n >= limits.rows || bytes >= limits.bytes) out.push(cut());
      }
      // Kept as a copy: the chunk's memory may be reused by the socket's reader.
      rest = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
      return out;
    },
    leftover: () => rest?.length ?? 0,
    rest: () => (n > 0 ? cut() : undefined),
  };
}
