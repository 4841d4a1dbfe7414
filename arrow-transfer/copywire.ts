// The fast path's bytes on the wire: PostgreSQL's CopyData messages are the same in both directions
// (type 'd', length, bytes), so a COPY … TO STDOUT's messages can be written to a COPY … FROM STDIN
// as they arrived, without taking each row apart (one JS object per row was most of the cost).
import { MigratrixError } from "../common/errors.ts";

export const CopyDataType = 0x64; // 'd'
const CopyOutResponseType = 0x48; // 'H'
const CopyDoneType = 0x63; // 'c'
const ErrorType = 0x45; // 'E'

/**
 * Splits the bytes of a connection with no query in flight, for one COPY … TO STDOUT: the CopyData
 * messages after CopyOutResponse go to `take` as they are (whole runs of them, never one object per
 * row; a CopyData message is the same in both directions, so they can be written to a target as
 * is), every other message to postgres.js. Ends after CopyDone or an error (postgres.js sees those).
 */
export function copyOutSplitter(take: (frames: Buffer) => void): {
  tap: (chunk: Buffer, pass: (b: Buffer) => void) => void;
  done: () => boolean;
} {
  let carry: Buffer | null = null;
  let left = 0;
  let diverting = false;
  let started = false;
  let ended = false;
  return {
    done: () => ended,
    tap(input, pass) {
      const chunk = carry ? Buffer.concat([carry, input]) : input;
      carry = null;
      const n = chunk.length;
      let pos = Math.min(left, n);
      left -= pos;
      let runStart = 0;
      let runDivert = diverting;
      const flush = (end: number) => {
        if (end > runStart) {
          if (runDivert) take(chunk.subarray(runStart, end));
          else pass(chunk.subarray(runStart, end));
        }
        runStart = end;
      };
      while (pos < n && !ended) {
        if (n - pos < 5) {
          flush(pos);
          carry = Buffer.from(chunk.subarray(pos));
          return;
        }
        const type = chunk[pos];
        const size = chunk.readUInt32BE(pos + 1) + 1;
        const divert = started && type === CopyDataType;
        if (divert !== runDivert) {
          flush(pos);
          runDivert = divert;
        }
        if (type === CopyOutResponseType) started = true;
        if (type === CopyDoneType || type === ErrorType) ended = true;
        const k = Math.min(size, n - pos);
        pos += k;
        left = size - k;
        diverting = divert;
      }
      flush(pos);
      // After the copy: the rest is postgres.js's (it frames it itself).
      if (pos < n) pass(chunk.subarray(pos));
    },
  };
}

export async function* mapItems<T, U>(items: AsyncIterable<T>, f: (t: T) => U): AsyncGenerator<U> {
  for await (const t of items) yield f(t);
}

/** The header of a CopyData message carrying `length` bytes. */
export function copyDataHeader(length: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h[0] = CopyDataType;
  h.writeUInt32BE(length + 4, 1);
  return h;
}

/** Bytes of a COPY as one CopyData message. */
export function copyDataFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(payload.length + 5);
  frame[0] = CopyDataType;
  frame.writeUInt32BE(payload.length + 4, 1);
  payload.copy(frame, 5);
  return frame;
}

/** CopyData messages (cut anywhere) back to the bytes they carry, one buffer per buffer read. */
export async function* copyDataPayloads(frames: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const header = Buffer.alloc(5);
  let have = 0;
  let left = 0;
  for await (const f of frames) {
    const b = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    // The payload is at most the input: copied into one buffer, no object per message.
    const out = Buffer.allocUnsafe(b.length);
    let o = 0;
    let pos = 0;
    while (pos < b.length) {
      if (left > 0) {
        const k = Math.min(left, b.length - pos);
        o += b.copy(out, o, pos, pos + k);
        pos += k;
        left -= k;
        continue;
      }
      let type: number | undefined;
      let size: number;
      if (have === 0 && b.length - pos >= 5) {
        type = b[pos];
        size = b.readUInt32BE(pos + 1);
        pos += 5;
      } else {
        // A header cut between two reads.
        const k = Math.min(5 - have, b.length - pos);
        b.copy(header, have, pos, pos + k);
        have += k;
        pos += k;
        if (have < 5) break;
        type = header[0];
        size = header.readUInt32BE(1);
        have = 0;
      }
      if (type !== CopyDataType || size < 4) {
        throw new MigratrixError("data_loss", "the COPY's bytes are not CopyData messages");
      }
      left = size - 4;
    }
    if (o > 0) yield out.subarray(0, o);
  }
  if (left > 0 || have > 0) throw new MigratrixError("data_loss", "the COPY's bytes ended inside a row");
}
