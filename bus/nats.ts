// The production bus on NATS JetStream (nats.js v3): work-queue streams with explicit acks and
// publish dedup for jobs and events; core NATS request/reply for interactive calls.

import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { createInbox, type MsgHdrs, type NatsConnection, nanos, headers as natsHeaders } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { MigratrixError, redactSecrets } from "../common/errors.ts";
import { natsConsume } from "./nats-consume.ts";
import { fromNats, isNoResponders, isNotFound, plainHeaders } from "./nats-errors.ts";
import { busClosed, checkPublish, resolveQueueSpec } from "./options.ts";
import { createRpc } from "./rpc.ts";
import type { Bus, Headers, Subscription } from "./types.ts";
import { type BusLogger, consoleLogger, headerBytes, type Wire } from "./wire.ts";

export interface NatsBusOptions {
  /** nats://host:port; user:pass@ or token@ in the URL work too. */
  url: string;
  /** Connection name shown by the server (monitoring). */
  name?: string;
  token?: string;
  user?: string;
  pass?: string;
  logger?: BusLogger;
  /** How long a pull waits at the server before being renewed (default 30 s, minimum 1 s). */
  pullExpiresMs?: number;
  /** Give up connecting after this long (default 5 s); later disconnects reconnect forever. */
  connectTimeoutMs?: number;
  /** Pause between reconnect attempts (default 2 s). */
  reconnectWaitMs?: number;
  /** Longest wait for a JetStream API reply or a publish ack (default 5 s, nats.js's). */
  apiTimeoutMs?: number;
}

function toNatsHeaders(h: Headers | undefined): MsgHdrs | undefined {
  if (!h) return undefined;
  const entries = Object.entries(h);
  if (entries.length === 0) return undefined;
  const out = natsHeaders();
  for (const [k, v] of entries) out.set(k, v);
  return out;
}

function parseUrl(opts: NatsBusOptions): { servers: string; user?: string; pass?: string; token?: string } {
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch {
    throw new MigratrixError(
      "invalid_argument",
      `NATS URL "${redactSecrets(opts.url)}" is not a URL (nats://host:4222)`,
    );
  }
  const fromUrl = {
    user: u.username ? decodeURIComponent(u.username) : undefined,
    pass: u.password ? decodeURIComponent(u.password) : undefined,
  };
  const servers = `${u.protocol}//${u.host}`;
  // nats://secret@host means a token, nats://user:pass@host a user and password.
  const token = opts.token ?? (fromUrl.user !== undefined && fromUrl.pass === undefined ? fromUrl.user : undefined);
  const user = opts.user ?? (fromUrl.pass !== undefined ? fromUrl.user : undefined);
  const pass = opts.pass ?? fromUrl.pass;
  return { servers, user, pass, token };
}

function watchStatus(nc: NatsConnection, logger: BusLogger): void {
  (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case "disconnect":
          logger.warn(`bus: disconnected from NATS ${s.server}; reconnecting`);
          break;
        case "reconnect":
          logger.warn(`bus: reconnected to NATS ${s.server}`);
          break;
        case "error":
          logger.error(`bus: NATS error: ${redactSecrets(s.error.message)}`);
          break;
        case "slowConsumer":
          logger.error(`bus: slow consumer on ${s.sub.getSubject()} (${s.pending} pending)`);
          break;
        default:
          break;
      }
    }
  })().catch((err: unknown) => logger.error(`bus: NATS status watch ended: ${String(err)}`));
}

export async function createNatsBus(opts: NatsBusOptions): Promise<Bus> {
  const logger = opts.logger ?? consoleLogger;
  const { servers, user, pass, token } = parseUrl(opts);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: opts.name ?? "migratrix",
      user,
      pass,
      token,
      timeout: opts.connectTimeoutMs ?? 5_000,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: opts.reconnectWaitMs ?? 2_000,
    });
  } catch (err) {
    throw fromNats(err, `cannot connect to NATS at ${servers}`);
  }
  watchStatus(nc, logger);
  const conn = nc;
  const api = opts.apiTimeoutMs === undefined ? {} : { timeout: opts.apiTimeoutMs };
  const jsm = await jetstreamManager(conn, api).catch((err: unknown) => {
    void conn.close();
    throw fromNats(err, `NATS at ${servers} has no JetStream (start nats-server with -js)`);
  });
  const js = jetstream(conn, api);
  const maxPayload = conn.info?.max_payload ?? 1024 * 1024;

  const wire: Wire = {
    maxPayload,
    publish(subject, data, o = {}) {
      try {
        conn.publish(subject, data, { headers: toNatsHeaders(o.headers), reply: o.reply });
      } catch (err) {
        throw fromNats(err, `cannot publish to ${subject}`);
      }
    },
    subscribe(subject, onMsg, o = {}) {
      const sub = conn.subscribe(subject, {
        queue: o.queue,
        callback: (err, m) => {
          if (err) {
            logger.error(`bus: subscription ${subject} failed: ${redactSecrets(err.message)}`);
            return;
          }
          onMsg({
            subject: m.subject,
            data: m.data,
            headers: plainHeaders(m.headers),
            reply: m.reply,
            noResponders: m.headers?.code === 503 && m.data.length === 0,
          });
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },
    createInbox: () => createInbox(),
  };
  const rpc = createRpc(wire, logger);
  const consumers = new Set<Subscription>();
  const deps = { nc: conn, js, jsm, logger, pullExpiresMs: Math.max(1_000, opts.pullExpiresMs ?? 30_000) };
  let closing: Promise<void> | undefined;
  const ensureOpen = (what: string) => {
    if (closing || conn.isClosed()) throw busClosed(what);
  };

  return {
    kind: "nats",
    maxPayload,
    async ensureQueue(spec) {
      ensureOpen(`create queue ${spec.name}`);
      const s = resolveQueueSpec(spec);
      const storage = s.storage === "memory" ? StorageType.Memory : StorageType.File;
      const settings = { subjects: s.subjects, duplicate_window: nanos(s.duplicateWindowMs) };
      try {
        const info = await jsm.streams.info(s.name);
        if (info.config.retention !== RetentionPolicy.Workqueue) {
          throw new MigratrixError(
            "failed_precondition",
            `queue ${s.name} exists and is not a work queue (retention ${info.config.retention})`,
          );
        }
        if (info.config.storage !== storage) {
          throw new MigratrixError(
            "failed_precondition",
            `queue ${s.name} exists with ${info.config.storage} storage and cannot change to ${storage}`,
          );
        }
        await jsm.streams.update(s.name, settings);
      } catch (err) {
        if (!isNotFound(err)) throw fromNats(err, `cannot update queue ${s.name}`);
        try {
          await jsm.streams.add({ name: s.name, retention: RetentionPolicy.Workqueue, storage, ...settings });
        } catch (addErr) {
          throw fromNats(addErr, `cannot create queue ${s.name}`);
        }
      }
    },
    async deleteQueue(name) {
      ensureOpen(`delete queue ${name}`);
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        if (!isNotFound(err)) throw fromNats(err, `cannot delete queue ${name}`);
      }
    },
    async publish(subject, data, o = {}) {
      ensureOpen(`publish to ${subject}`);
      checkPublish(subject, o.headers);
      const size =
        data.byteLength + headerBytes(o.msgId === undefined ? o.headers : { ...o.headers, "Nats-Msg-Id": o.msgId });
      if (size > maxPayload) {
        throw new MigratrixError(
          "invalid_argument",
          `message to ${subject} is ${size} bytes, over the bus max payload of ${maxPayload} bytes`,
        );
      }
      try {
        const ack = await js.publish(subject, data, {
          msgID: o.msgId,
          headers: toNatsHeaders(o.headers),
          ...(o.timeoutMs === undefined ? {} : { timeout: o.timeoutMs }),
        });
        return { duplicate: ack.duplicate, seq: ack.seq };
      } catch (err) {
        if (isNoResponders(err)) throw new MigratrixError("not_found", `no queue captures subject ${subject}`);
        throw fromNats(err, `cannot publish to ${subject}`);
      }
    },
    async consume(o, handler) {
      ensureOpen(`consume ${o.queue}`);
      const sub = await natsConsume(deps, o, handler);
      const tracked: Subscription = {
        async stop() {
          await sub.stop();
          consumers.delete(tracked);
        },
      };
      consumers.add(tracked);
      return tracked;
    },
    serve: rpc.serve,
    request: rpc.request,
    requestOne: rpc.requestOne,
    close() {
      closing ??= (async () => {
        rpc.close();
        await Promise.allSettled([...consumers].map((c) => c.stop()));
        if (!conn.isClosed()) await conn.drain();
      })();
      return closing;
    },
  } satisfies Bus;
}
