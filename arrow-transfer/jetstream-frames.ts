// Frames of the JetStream path: RecordBatches as Arrow IPC streams cut into frames under the bus's
// max_payload, their headers and associated data, and the receiver's reassembly (frame order,
// duplicates dropped, batches handed on as soon as their last frame arrives).
import { type RecordBatch, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { subjectToken } from "../bus/index.ts";
import { MigratrixError } from "../common/errors.ts";
import { BOX_OVERHEAD } from "./jetstream-crypto.ts";
import type { KeyValue } from "./types.ts";

/** The memory-storage stream of one job's frames. */
export const frameStream = (workspace: string, jobId: string) =>
  `MX_XFER_${subjectToken("workspace", workspace)}_${subjectToken("job", jobId)}`;

/** Room kept for headers (job, table, chunk, frame, flags, Nats-Msg-Id) inside max_payload. */
const HEADER_ROOM = 2048;

export interface FrameId {
  job: string;
  session: string;
  table: string;
  chunk: number;
  frame: number;
}

export interface FrameHeaders extends FrameId {
  /** This frame completes a RecordBatch. */
  batchEnd: boolean;
  /** The chunk's final frame: its body is the trailer, no rows. */
  last: boolean;
  /** Rows of the batch this frame completes (batch end) or of the whole chunk (last frame). */
  rows: number;
}

/** What the final frame of a chunk carries (sealed: the last key is customer data). */
export interface ChunkTrailer {
  rows: number;
  lastKey: KeyValue | null;
  warnings: string[];
}

export function frameBytesFor(maxPayload: number, wanted: number | undefined): number {
  const limit = maxPayload - HEADER_ROOM - BOX_OVERHEAD;
  if (limit < 1024)
    throw new MigratrixError("failed_precondition", `bus max_payload ${maxPayload} is too small for frames`);
  if (wanted === undefined) return limit;
  if (!(wanted >= 64) || wanted > limit) {
    throw new MigratrixError(
      "invalid_argument",
      `frame bytes must be between 64 and ${limit} (max_payload ${maxPayload})`,
    );
  }
  return Math.floor(wanted);
}

export function msgIdOf(f: FrameId): string {
  return `${f.job}:${encodeURIComponent(f.table)}:${f.chunk}:${f.frame}`;
}

/** Associated data of a frame: everything that places it, so a moved or replayed frame fails to open. */
export function frameAd(h: FrameHeaders): string {
  return `frame|${h.job}|${h.session}|${encodeURIComponent(h.table)}|${h.chunk}|${h.frame}|${h.batchEnd ? 1 : 0}|${h.last ? 1 : 0}|${h.rows}`;
}

export function toHeaders(h: FrameHeaders): Record<string, string> {
  return {
    "Mx-Job": h.job,
    "Mx-Session": h.session,
    "Mx-Table": encodeURIComponent(h.table),
    "Mx-Chunk": String(h.chunk),
    "Mx-Frame": String(h.frame),
    "Mx-Batch-End": h.batchEnd ? "1" : "0",
    "Mx-Last": h.last ? "1" : "0",
    "Mx-Rows": String(h.rows),
  };
}

export function fromHeaders(h: Record<string, string>): FrameHeaders | null {
  const chunk = Number(h["Mx-Chunk"]);
  const frame = Number(h["Mx-Frame"]);
  const rows = Number(h["Mx-Rows"]);
  if (!h["Mx-Job"] || !h["Mx-Session"] || h["Mx-Table"] === undefined) return null;
  if (!Number.isInteger(chunk) || !Number.isInteger(frame) || !Number.isInteger(rows)) return null;
  return {
    job: h["Mx-Job"],
    session: h["Mx-Session"],
    table: decodeURIComponent(h["Mx-Table"]),
    chunk,
    frame,
    batchEnd: h["Mx-Batch-End"] === "1",
    last: h["Mx-Last"] === "1",
    rows,
  };
}

/** One batch as an Arrow IPC stream (schema with the carried kinds, then the batch), cut into frames. */
export function batchFrames(batch: RecordBatch, frameBytes: number): Uint8Array[] {
  const ipc = tableToIPC(new Table([batch]), "stream");
  const out: Uint8Array[] = [];
  for (let at = 0; at < ipc.byteLength; at += frameBytes) out.push(ipc.subarray(at, at + frameBytes));
  return out;
}

/** A single-consumer async queue: push/close/fail on one side, iterate on the other. */
export class Channel<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private error: unknown;

  push(v: T): void {
    this.items.push(v);
    this.notify();
  }
  close(): void {
    this.ended = true;
    this.notify();
  }
  fail(e: unknown): void {
    this.error ??= e;
    this.ended = true;
    this.notify();
  }
  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      const v = this.items.shift();
      if (v !== undefined) {
        yield v;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => {
        this.wake = r;
      });
    }
  }
}

/**
 * Reassembles one chunk's frames: frames may arrive out of order (several pulls at once) or twice
 * (redelivery); batches go out in frame order as soon as complete; the trailer ends the chunk.
 */
export class ChunkAssembler {
  readonly batches = new Channel<RecordBatch>();
  trailer: ChunkTrailer | null = null;
  private next = 0;
  private pending = new Map<number, { h: FrameHeaders; body: Uint8Array }>();
  private parts: Uint8Array[] = [];

  constructor(readonly expect: Omit<FrameId, "frame">) {}

  matches(h: FrameHeaders): boolean {
    const e = this.expect;
    return h.job === e.job && h.session === e.session && h.table === e.table && h.chunk === e.chunk;
  }

  /** `body` is the opened frame: IPC bytes, or the trailer's JSON for the last frame. */
  accept(h: FrameHeaders, body: Uint8Array): void {
    if (h.frame < this.next || this.pending.has(h.frame) || this.trailer) return;
    this.pending.set(h.frame, { h, body });
    for (let f = this.pending.get(this.next); f; f = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.next++;
      if (f.h.last) {
        this.trailer = JSON.parse(new TextDecoder().decode(f.body)) as ChunkTrailer;
        this.batches.close();
        return;
      }
      this.parts.push(f.body);
      if (!f.h.batchEnd) continue;
      const ipc = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : Buffer.concat(this.parts);
      this.parts = [];
      const table = tableFromIPC(ipc);
      if (table.numRows !== f.h.rows) {
        this.batches.fail(
          new MigratrixError(
            "data_loss",
            `table ${h.table} chunk ${h.chunk}: a batch arrived with ${table.numRows} rows, its frame says ${f.h.rows}`,
          ),
        );
        return;
      }
      for (const b of table.batches) this.batches.push(b);
    }
  }
}
