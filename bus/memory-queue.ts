// In-process work-queue streams with JetStream's semantics: a message lives until acked or
// termed, durable consumers share the work, un-acked deliveries come back after the ack wait
// with a higher delivery count, and publishes repeating a msgId inside the window are dropped.

import { MigratrixError } from "../common/errors.ts";
import {
  busClosed,
  checkPublish,
  type ResolvedConsumeOptions,
  type ResolvedQueueSpec,
  resolveConsumeOptions,
  resolveQueueSpec,
} from "./options.ts";
import { deliveredMessage, runHandler } from "./settle.ts";
import { subjectMatches, subjectsOverlap } from "./subject-match.ts";
import type {
  BusMessage,
  ConsumeOptions,
  Headers,
  PublishAck,
  PublishOptions,
  QueueSpec,
  Subscription,
} from "./types.ts";
import { type BusLogger, headerBytes } from "./wire.ts";

type Timer = ReturnType<typeof setTimeout>;

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: Headers;
}

interface Stream {
  spec: ResolvedQueueSpec;
  msgs: Map<number, Stored>;
  lastSeq: number;
  /** msgId → seq and publish time; insertion order is time order. */
  dedup: Map<string, { seq: number; at: number }>;
  consumers: Map<string, Consumer>;
}

interface Consumer {
  stream: Stream;
  config: ResolvedConsumeOptions;
  deliveries: Map<number, number>;
  inFlight: Map<number, { timer: Timer }>;
  delayed: Map<number, Timer>;
  subs: ConsumerSub[];
  turn: number;
}

interface ConsumerSub {
  concurrency: number;
  active: number;
  stopping: boolean;
  handler: (msg: BusMessage) => Promise<void>;
  running: Set<Promise<void>>;
}

export interface MemoryQueues {
  ensureQueue(spec: QueueSpec): void;
  deleteQueue(name: string): void;
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): PublishAck;
  consume(opts: ConsumeOptions, handler: (msg: BusMessage) => Promise<void>): Subscription;
  close(): Promise<void>;
}

export function createMemoryQueues(opts: { logger: BusLogger; maxPayload: number }): MemoryQueues {
  const streams = new Map<string, Stream>();
  const allSubs = new Set<{ stop(): Promise<void> }>();
  let closed = false;

  const ensureOpen = (what: string) => {
    if (closed) throw busClosed(what);
  };

  function clearConsumerTimers(c: Consumer): void {
    for (const d of c.inFlight.values()) clearTimeout(d.timer);
    for (const t of c.delayed.values()) clearTimeout(t);
    c.inFlight.clear();
    c.delayed.clear();
  }

  function removeMessage(stream: Stream, seq: number): void {
    stream.msgs.delete(seq);
    for (const c of stream.consumers.values()) {
      const d = c.inFlight.get(seq);
      if (d) clearTimeout(d.timer);
      c.inFlight.delete(seq);
      clearTimeout(c.delayed.get(seq));
      c.delayed.delete(seq);
      c.deliveries.delete(seq);
    }
  }

  function nextSub(c: Consumer): ConsumerSub | undefined {
    for (let i = 0; i < c.subs.length; i++) {
      const sub = c.subs[(c.turn + i) % c.subs.length];
      if (sub && !sub.stopping && sub.active < sub.concurrency) {
        c.turn = (c.turn + i + 1) % c.subs.length;
        return sub;
      }
    }
    return undefined;
  }

  function nextMessage(c: Consumer): Stored | undefined {
    const { filterSubject, maxDeliver } = c.config;
    for (const m of c.stream.msgs.values()) {
      if (filterSubject !== undefined && !subjectMatches(filterSubject, m.subject)) continue;
      if (c.inFlight.has(m.seq) || c.delayed.has(m.seq)) continue;
      if (maxDeliver > 0 && (c.deliveries.get(m.seq) ?? 0) >= maxDeliver) continue;
      return m;
    }
    return undefined;
  }

  function dispatch(c: Consumer): void {
    if (closed || streams.get(c.stream.spec.name) !== c.stream) return;
    for (;;) {
      const sub = nextSub(c);
      if (!sub) return;
      const m = nextMessage(c);
      if (!m) return;
      deliver(c, sub, m);
    }
  }

  function deliver(c: Consumer, sub: ConsumerSub, m: Stored): void {
    const { seq } = m;
    const deliveryCount = (c.deliveries.get(seq) ?? 0) + 1;
    c.deliveries.set(seq, deliveryCount);
    const expire = () => {
      if (c.inFlight.get(seq) !== delivery) return;
      c.inFlight.delete(seq);
      dispatch(c);
    };
    const delivery = { timer: setTimeout(expire, c.config.ackWaitMs) };
    c.inFlight.set(seq, delivery);
    const current = () => c.inFlight.get(seq) === delivery;
    const where = `${m.subject} (queue ${c.stream.spec.name}, consumer ${c.config.consumer}, seq ${seq})`;
    const msg = deliveredMessage(
      { subject: m.subject, data: m.data.slice(), headers: { ...m.headers }, deliveryCount },
      {
        // Like JetStream, an ack settles the message even after its ack wait ran out.
        ack: async () => removeMessage(c.stream, seq),
        term: async () => removeMessage(c.stream, seq),
        nak: async (delayMs) => {
          if (!current()) return;
          clearTimeout(delivery.timer);
          c.inFlight.delete(seq);
          if (delayMs > 0) {
            c.delayed.set(
              seq,
              setTimeout(() => {
                c.delayed.delete(seq);
                dispatch(c);
              }, delayMs),
            );
          } else {
            queueMicrotask(() => dispatch(c));
          }
        },
        working: () => {
          if (!current()) return;
          clearTimeout(delivery.timer);
          delivery.timer = setTimeout(expire, c.config.ackWaitMs);
        },
      },
      { logger: opts.logger, where },
    );
    sub.active++;
    // Handlers start on a macrotask so a message nak'd or failing in a loop cannot starve the
    // event loop (on NATS the network paces it).
    const run: Promise<void> = new Promise<void>((start) => setImmediate(start))
      .then(() => runHandler(msg, sub.handler, opts.logger, where))
      .finally(() => {
        sub.active--;
        sub.running.delete(run);
        dispatch(c);
      });
    sub.running.add(run);
  }

  return {
    ensureQueue(spec) {
      ensureOpen(`create queue ${spec.name}`);
      const s = resolveQueueSpec(spec);
      for (const other of streams.values()) {
        if (other.spec.name === s.name) continue;
        const clash = s.subjects.find((a) => other.spec.subjects.some((b) => subjectsOverlap(a, b)));
        if (clash) {
          throw new MigratrixError(
            "failed_precondition",
            `queue ${s.name}: subject "${clash}" overlaps the subjects of queue ${other.spec.name}`,
          );
        }
      }
      const existing = streams.get(s.name);
      if (!existing) {
        streams.set(s.name, { spec: s, msgs: new Map(), lastSeq: 0, dedup: new Map(), consumers: new Map() });
        return;
      }
      if (existing.spec.storage !== s.storage) {
        throw new MigratrixError(
          "failed_precondition",
          `queue ${s.name} exists with ${existing.spec.storage} storage and cannot change to ${s.storage}`,
        );
      }
      existing.spec = s;
    },

    deleteQueue(name) {
      ensureOpen(`delete queue ${name}`);
      const stream = streams.get(name);
      if (!stream) return;
      for (const c of stream.consumers.values()) clearConsumerTimers(c);
      streams.delete(name);
    },

    publish(subject, data, o = {}) {
      ensureOpen(`publish to ${subject}`);
      checkPublish(subject, o.headers);
      const headers: Headers = { ...o.headers };
      const size =
        data.byteLength + headerBytes(o.msgId === undefined ? headers : { ...headers, "Nats-Msg-Id": o.msgId });
      if (size > opts.maxPayload) {
        throw new MigratrixError(
          "invalid_argument",
          `message to ${subject} is ${size} bytes, over the bus max payload of ${opts.maxPayload} bytes`,
        );
      }
      const stream = [...streams.values()].find((s) => s.spec.subjects.some((p) => subjectMatches(p, subject)));
      if (!stream) throw new MigratrixError("not_found", `no queue captures subject ${subject}`);
      const now = Date.now();
      for (const [id, entry] of stream.dedup) {
        if (now - entry.at < stream.spec.duplicateWindowMs) break;
        stream.dedup.delete(id);
      }
      if (o.msgId !== undefined) {
        const seen = stream.dedup.get(o.msgId);
        if (seen) return { duplicate: true, seq: seen.seq };
      }
      const seq = ++stream.lastSeq;
      stream.msgs.set(seq, { seq, subject, data: data.slice(), headers });
      if (o.msgId !== undefined) stream.dedup.set(o.msgId, { seq, at: now });
      for (const c of stream.consumers.values()) {
        if (c.config.filterSubject === undefined || subjectMatches(c.config.filterSubject, subject)) {
          queueMicrotask(() => dispatch(c));
        }
      }
      return { duplicate: false, seq };
    },

    consume(o, handler) {
      ensureOpen(`consume ${o.queue}`);
      const config = resolveConsumeOptions(o);
      const stream = streams.get(config.queue);
      if (!stream) throw new MigratrixError("not_found", `queue ${config.queue} does not exist`);
      let c = stream.consumers.get(config.consumer);
      if (!c) {
        for (const other of stream.consumers.values()) {
          if (subjectsOverlap(other.config.filterSubject ?? ">", config.filterSubject ?? ">")) {
            throw new MigratrixError(
              "failed_precondition",
              `consumer ${config.consumer} on work queue ${config.queue} overlaps consumer ${other.config.consumer}: each message goes to one consumer, so filters must not overlap`,
            );
          }
        }
        c = { stream, config, deliveries: new Map(), inFlight: new Map(), delayed: new Map(), subs: [], turn: 0 };
        stream.consumers.set(config.consumer, c);
      } else {
        c.config = config;
      }
      const consumer = c;
      const sub: ConsumerSub = {
        concurrency: config.concurrency,
        active: 0,
        stopping: false,
        handler,
        running: new Set(),
      };
      consumer.subs.push(sub);
      let stopped: Promise<void> | undefined;
      const subscription = {
        stop() {
          stopped ??= (async () => {
            sub.stopping = true;
            await Promise.allSettled([...sub.running]);
            consumer.subs = consumer.subs.filter((s) => s !== sub);
            allSubs.delete(subscription);
            dispatch(consumer);
          })();
          return stopped;
        },
      };
      allSubs.add(subscription);
      queueMicrotask(() => dispatch(consumer));
      return subscription;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...allSubs].map((s) => s.stop()));
      for (const stream of streams.values()) {
        for (const c of stream.consumers.values()) clearConsumerTimers(c);
      }
      streams.clear();
    },
  };
}
