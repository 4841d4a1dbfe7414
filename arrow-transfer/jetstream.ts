// The transfer path between two agents: the agent that serves the source publishes Arrow IPC frames
// on JetStream, the agent that serves the target pulls them and writes them with the usual writers
// and checkpoints. Both sides run on the Bus interface (bus/), so they work on NATS and, for tests,
// on the in-process bus.
//
// Protocol (job J in workspace W; S = the subject mx.W.transfer.J):
//   frames   S                 memory-storage work-queue stream MX_XFER_W_J, deleted at the end
//   requests S.rpc             core request/reply, receiver → sender, never persisted
// The RECEIVER drives the job: it runs transfer() (pre-flight, create, chunks with checkpoints in the
// target, keys/indexes, verification) against a source endpoint that is a proxy to the sender, so
// the orchestration exists once. Per attempt (a random session id):
//   1. hello     → sender cancels sends of older sessions; replies source engine + enum types.
//      The receiver then deletes and recreates the stream (clears stale frames and the dedupe
//      window of an earlier attempt) and starts its pull consumer.
//   2. describe / nextUpper / count / checksum: answered by the sender from its own source, so
//      verification never moves the rows a second time. The sender takes from the receiver's plans
//      only the column choice and carried kinds: table names and types (which end up in SQL) come
//      from its own describe, and with `tables` it serves no other table.
//   3. send {table, chunk, range}: the sender reads the range, encodes each RecordBatch as an Arrow
//      IPC stream, splits it into frames under the bus max_payload (a row bigger than a frame
//      spans frames), encrypts each frame and publishes it with Nats-Msg-Id J:table:chunk:frame and
//      headers (job, table, chunk, frame, batch end, last frame, rows), at most `window` publishes
//      awaiting their ack; a final frame carries the chunk's row count and last key (encrypted).
//      The reply comes once every frame is stored. The receiver asks for the next chunk only after
//      this one committed, so the stream never holds more than about one chunk.
//   4. The receiver reassembles frames (in frame order, duplicates dropped) into batches for the
//      target writer; the chunk commits with its checkpoint; then its frames are acked, which
//      deletes them from the work queue (frames are acked early only if more than maxHeldFrames
//      are waiting).
//   5. finish    → the sender stops serving; the receiver deletes the stream.
// A broken bus (NATS restart: the memory stream is gone) fails the attempt; the receiver waits for
// the bus, starts a new session and resumes the job from the checkpoints in the target: finished
// chunks are not copied again, the broken chunk's transaction was rolled back, so no duplicates.
//
// Encryption: each frame and each request/reply body is AES-256-GCM under a per-job key both agents
// derive from X25519(own private key, peer's public key) with HKDF-SHA256 (salt: workspace and job),
// so the control plane, which only relays the public keys, never learns it. The associated data
// binds job, session, table, chunk, frame and the last-frame flag, so frames cannot be replayed
// into another job/session or reordered/truncated undetected.
//
// In an agent (job id = the transfer's run id; keys: the agent's own pair and the peer's announced
// public key from the job):
//   role send:    const s = await serveTransferSource({ bus, workspace, jobId, from: sourceUrl, keys, transform });
//                 const { finished, ok } = await s.done;   // finished=false: the receiver never finished
//   role receive: const report = await receiveTransfer({ bus, workspace, jobId, to: targetUrl, keys,
//                   tables, batchRows, create, onConflict, confirmTruncate, noKeyOk, acceptLoss, onProgress });
// The receiver waits up to reconnectTimeoutMs for the sender to answer, so the two jobs may start in
// either order; a receive job delivered again resumes from the target's checkpoints by itself.
import type { Bus } from "../bus/index.ts";
import type { TransferOptions, TransferReport } from "./transfer.ts";

/** The two agents' keys: this side's private key and the other side's announced public key. */
export interface PeerKeys {
  /** Raw 32-byte X25519 private key of this agent (from its vault). */
  privateKey: Uint8Array;
  /** Raw 32-byte X25519 public key of the agent on the other side. */
  peerPublicKey: Uint8Array;
}

/** Knobs shared by both sides; every timeout can go down to milliseconds for tests. */
export interface JetStreamTuning {
  /** Publishes awaiting their stream ack at once (default 8). */
  window?: number;
  /** Bytes of Arrow IPC per frame (default: bus max_payload minus room for headers and the GCM tag). */
  frameBytes?: number;
  /** Longest wait for a reply or for the next frame (default 60 s). */
  idleTimeoutMs?: number;
  /** Sender: longest wait for the stream's ack of a frame (default: the bus's request timeout, 5 s). */
  publishTimeoutMs?: number;
  /** Receiver: frames held un-acked until their chunk commits (pull consumer concurrency, default 32). */
  maxHeldFrames?: number;
  /** Receiver: new attempts after the bus broke, resuming from the checkpoints (default 5). */
  retries?: number;
  /** Receiver: longest wait for the sender/bus to come back before an attempt (default 60 s). */
  reconnectTimeoutMs?: number;
}

export interface SendOptions extends JetStreamTuning {
  bus: Bus;
  workspace: string;
  jobId: string;
  /** Source database URL (the agent builds it from its vault; never logged). */
  from: string;
  keys: PeerKeys;
  /** Stop serving after this long without a request from the receiver (default 10 min). */
  lingerMs?: number;
  /** The job's tables: the receiving agent may read no other (default: any table of the source). */
  tables?: string[];
  /**
   * Masking: applied here, to every batch read and to the source's checksums, so masked columns
   * never leave the source's agent. (Give it to this side, not to receiveTransfer.)
   */
  transform?: TransferOptions["transform"];
  /** Test hook: after a data frame's publish was issued (fault tests restart the bus here). */
  hooks?: { afterFrame?(info: { table: string; chunk: number; frame: number }): Promise<void> | void };
}

export interface TransferSender {
  /** Resolves when the receiver said it finished (or lingerMs passed without a request). */
  readonly done: Promise<{ finished: boolean; ok: boolean; error?: string }>;
  /** Stops serving now (frames being published are abandoned). */
  stop(): Promise<void>;
}

export interface ReceiveOptions extends Omit<TransferOptions, "from" | "to" | "path" | "jobId">, JetStreamTuning {
  bus: Bus;
  workspace: string;
  /** The job id (also the stream and subject token: 1-64 of A-Z a-z 0-9 _ -). */
  jobId: string;
  /** Target database URL. */
  to: string;
  keys: PeerKeys;
  /**
   * Set by default when the target already holds this job's checkpoints (an agent restarted):
   * the job resumes. Pass `resume` explicitly to insist.
   */
  resume?: string;
}

export { transferViaJetStream } from "./jetstream-local.ts";

export { receiveTransfer } from "./jetstream-receive.ts";
export { serveTransferSource } from "./jetstream-send.ts";
export type { TransferReport };
