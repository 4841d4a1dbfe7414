// The bus contract: durable work queues (jobs, events) and interactive request/reply with
// streamed replies and credit-based flow control. Implemented by NATS JetStream (production) and
// an in-process bus (embedded default); one contract suite (bus/contract.ts) runs both.
// Payloads are opaque bytes (protobuf, encoded by the callers).

export type Headers = Record<string, string>;

export interface QueueSpec {
  /** Stream name, unique per deployment (tests use unique names). */
  name: string;
  /** Subjects captured by the stream, NATS wildcards allowed ("mx.*.agent.*.jobs"). */
  subjects: string[];
  /** "file" (default) survives restarts; "memory" for data that must never rest on disk. */
  storage?: "file" | "memory";
  /** Window in which a repeated msgId is dropped as a duplicate publish (default 2 min). */
  duplicateWindowMs?: number;
}

export interface PublishOptions {
  /** Dedup key (Nats-Msg-Id): a second publish with the same id inside the window is dropped. */
  msgId?: string;
  /** "Nats-" headers are JetStream's own and are refused (invalid_argument). */
  headers?: Headers;
  /** Longest wait for the stream's ack (default: the connection's request timeout). */
  timeoutMs?: number;
}

export interface PublishAck {
  /** True when the stream dropped this publish as a duplicate of msgId. */
  duplicate: boolean;
  seq: number;
}

export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
  /** 1 on first delivery, 2+ on redelivery. */
  readonly deliveryCount: number;
  /** Done: never deliver again. */
  ack(): Promise<void>;
  /** Not done: deliver again after delayMs (default at once). */
  nak(delayMs?: number): Promise<void>;
  /** Still working (in-progress ack): restarts the ack-wait timer for long jobs. */
  working(): void;
  /** Give up on it: never deliver again, without processing. */
  term(reason?: string): Promise<void>;
}

export interface ConsumeOptions {
  queue: string;
  /** Durable consumer name; consumers sharing a name share the work. */
  consumer: string;
  /** Only messages on this subject (wildcards allowed). */
  filterSubject?: string;
  /** Redelivery after this long without ack or working() (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before giving up (default unlimited, -1). */
  maxDeliver?: number;
  /** Messages handled at once (default 1). */
  concurrency?: number;
}

export interface Subscription {
  /** Stops delivery; messages in flight finish; un-acked ones are redelivered later. */
  stop(): Promise<void>;
}

export interface RequestOptions {
  /** Whole-call deadline (default 30 s). */
  timeoutMs?: number;
  /** Longest wait between two reply frames (default = timeoutMs). */
  idleTimeoutMs?: number;
  /** Frames the responder may send ahead before waiting for more credit (default 16). */
  credit?: number;
  headers?: Headers;
}

/** A served request. */
export interface BusRequest {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
}

/** The responder's side of a streamed reply. */
export interface ReplyStream {
  /** Sends one frame; waits while the requester has granted no credit. */
  send(data: Uint8Array, headers?: Headers): Promise<void>;
  /** Ends the reply successfully. */
  end(): Promise<void>;
  /** Ends the reply with an error the requester receives as a MigratrixError. */
  fail(code: string, message: string): Promise<void>;
  /** True once the requester gave up (timeout, cancel). */
  readonly cancelled: boolean;
}

export interface ServeOptions {
  /** Queue group: one of the servers sharing it answers each request. */
  queueGroup?: string;
}

export interface Bus {
  readonly kind: "nats" | "memory";
  /**
   * Largest message the bus carries, data plus headers, in bytes (the server's max_payload).
   * Reply frames and published messages over it are refused with "invalid_argument".
   */
  readonly maxPayload: number;
  /** Creates or updates a durable work-queue stream. Idempotent. */
  ensureQueue(spec: QueueSpec): Promise<void>;
  /** Deletes a stream and its messages (tests, uninstall); no error when it does not exist. */
  deleteQueue(name: string): Promise<void>;
  /** Stores a message durably; resolves once the stream has it. */
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck>;
  /**
   * Pull-consumes a work queue with explicit acks. A handler that returns or throws without
   * ack/nak/term gets a nak: the message is delivered again at once (to any consumer).
   */
  consume(opts: ConsumeOptions, handler: (msg: BusMessage) => Promise<void>): Promise<Subscription>;
  /** Answers requests on a subject; nothing is persisted. */
  serve(
    subject: string,
    handler: (req: BusRequest, reply: ReplyStream) => Promise<void>,
    opts?: ServeOptions,
  ): Promise<Subscription>;
  /**
   * Sends a request and yields the reply frames in order. Throws MigratrixError: "unavailable"
   * when nobody serves the subject, "deadline_exceeded" on timeout, the responder's code on fail().
   */
  request(subject: string, data: Uint8Array, opts?: RequestOptions): AsyncIterable<Uint8Array>;
  /** A request answered by exactly one frame. */
  requestOne(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<Uint8Array>;
  close(): Promise<void>;
}
