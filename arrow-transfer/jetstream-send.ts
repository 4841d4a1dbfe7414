// The sending agent's side of the JetStream path (protocol: jetstream.ts): answers the receiver's
// requests from its own source and publishes each requested chunk as encrypted Arrow IPC frames,
// at most `window` publishes awaiting their stream ack.
import { type BusRequest, type ReplyStream, subjects } from "../bus/index.ts";
import { MigratrixError, redactSecrets } from "../common/errors.ts";
import { ARROW_TYPE } from "../engines/schema/typemap.ts";
import type { EngineId } from "../engines/types.ts";
import { engineOfUrl, openSource } from "./endpoints.ts";
import type { SendOptions, TransferSender } from "./jetstream.ts";
import { jobKey, openJson, sealJson } from "./jetstream-crypto.ts";
import {
  batchFrames,
  type ChunkTrailer,
  type FrameHeaders,
  frameAd,
  frameBytesFor,
  frameStream,
  msgIdOf,
  toHeaders,
} from "./jetstream-frames.ts";
import { describedEnums } from "./postgres.ts";
import { chunkCollector } from "./readahead.ts";
import { checksumOf, transformedSource } from "./transfer.ts";
import type { BatchLimits, KeyRange, KeyValue, SourceEndpoint, SourceTable, TablePlan } from "./types.ts";

/** Request bodies by method (all sealed under the job key). */
export interface SendRequests {
  hello: { targetEngine: EngineId };
  describe: { tables: string[] | undefined };
  nextUpper: { plan: TablePlan; after: KeyValue | null; rows: number };
  count: { plan: TablePlan };
  checksum: { plan: TablePlan; limits: BatchLimits & { batchRows: number }; canonicalJson: boolean };
  send: { plan: TablePlan; chunk: number; range: KeyRange; limits: BatchLimits };
  finish: { ok: boolean; error?: string };
}
export type SendMethod = keyof SendRequests;

export const rpcSubject = (workspace: string, jobId: string) => `${subjects.transfer(workspace, jobId)}.rpc`;
export const rpcAd = (method: string, session: string, req: string) => `rpc|${method}|${session}|${req}`;
export const replyAd = (method: string, session: string, req: string) => `reply|${method}|${session}|${req}`;

interface Sending {
  session: string;
  cancelled: boolean;
  done: Promise<unknown>;
}

export async function serveTransferSource(o: SendOptions): Promise<TransferSender> {
  const key = jobKey(o.keys, o.workspace, o.jobId);
  const subject = subjects.transfer(o.workspace, o.jobId);
  const frameBytes = frameBytesFor(o.bus.maxPayload, o.frameBytes);
  const window = Math.max(1, o.window ?? 8);
  const collect = chunkCollector();
  const sourceEngine = engineOfUrl(o.from);
  /** The source as opened (its enum types, its warnings) and as read (masked where asked). */
  let raw: SourceEndpoint | undefined;
  let source: SourceEndpoint | undefined;
  let opening: Promise<void> | undefined;
  /** Tables as this agent described them, by schema.name: the only source of SQL names and types. */
  const described = new Map<string, SourceTable>();
  let session = "";
  let sending: Sending | undefined;
  let resolveDone: (v: Awaited<TransferSender["done"]>) => void = () => {};
  const done = new Promise<Awaited<TransferSender["done"]>>((r) => {
    resolveDone = r;
  });
  let idle: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** Set by the finish request: the sender stops once its reply is out. */
  let finishing: Awaited<TransferSender["done"]> | undefined;

  const handlers: { [M in SendMethod]: (b: SendRequests[M], sess: string) => Promise<unknown> } = {
    async hello(b, sess) {
      if (sess !== session) {
        // A new attempt: whatever an older one was sending must stop before the stream is recreated.
        if (sending) {
          sending.cancelled = true;
          await sending.done.catch(() => undefined);
        }
        session = sess;
      }
      // Once, even when an abandoned hello of an earlier session is still opening it.
      opening ??= openSource(o.from, sourceEngine, b.targetEngine).then((opened) => {
        raw = opened;
        const masking = o.transform ? { transform: o.transform } : {};
        source = transformedSource(opened, { from: o.from, to: "(the receiving agent)", ...masking });
      });
      await opening;
      return { engine: sourceEngine };
    },
    async describe(b) {
      const allowed = o.tables;
      const outside = allowed && (b.tables ?? []).filter((t) => !allowed.includes(t));
      if (outside && outside.length > 0) {
        throw new MigratrixError("permission_denied", `this transfer job does not copy ${outside.join(", ")}`);
      }
      const tables = await need().describe(b.tables ?? allowed);
      for (const t of tables) described.set(`${t.schema}.${t.name}`, t);
      const s = raw;
      const enums = s && "sql" in s && sourceEngine === "postgresql" ? [...describedEnums(s.sql as never)] : [];
      return { tables, enums };
    },
    nextUpper: (b) => need().nextUpper(trusted(b.plan), b.after, positive("rows", b.rows)),
    count: (b) => need().count(trusted(b.plan), "source"),
    checksum: (b) =>
      checksumOf(
        need(),
        trusted(b.plan),
        {
          rows: positive("rows", b.limits?.rows),
          bytes: positive("bytes", b.limits?.bytes),
          batchRows: positive("batch rows", b.limits?.batchRows),
        },
        b.canonicalJson === true,
      ),
    async send(b, sess) {
      if (sess !== session) throw new MigratrixError("aborted", "a newer session of this transfer took over");
      const s: Sending = { session: sess, cancelled: false, done: Promise.resolve() };
      const limits = { rows: positive("rows", b.limits?.rows), bytes: positive("bytes", b.limits?.bytes) };
      const work = sendChunk({ ...b, plan: trusted(b.plan), limits }, s);
      s.done = work;
      sending = s;
      return await work;
    },
    async finish(b) {
      finishing = { finished: true, ok: b.ok, ...(b.error ? { error: b.error } : {}) };
      return {};
    },
  };

  /**
   * The receiver's plan with the source part this agent described itself: a plan's names and types
   * end up in SQL here, so nothing but column choice and carried kinds is taken from the peer.
   */
  function trusted(plan: TablePlan): TablePlan {
    const own = described.get(`${plan.source?.schema}.${plan.source?.name}`);
    if (!own) {
      throw new MigratrixError("permission_denied", `table ${plan.source?.name} was not described for this transfer`);
    }
    const columns = new Set(own.columns.map((c) => c.name));
    const bad = (plan.mappings ?? []).filter(
      (m) => !columns.has(m.column) || !Object.hasOwn(ARROW_TYPE, m.kind) || ARROW_TYPE[m.kind] !== m.arrow,
    );
    if (bad.length > 0 || JSON.stringify(plan.key) !== JSON.stringify(own.primaryKey)) {
      throw new MigratrixError("invalid_argument", `the plan for table ${own.name} does not match the source`);
    }
    return { ...plan, source: own, key: own.primaryKey };
  }

  function positive(what: string, n: unknown): number {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new MigratrixError("invalid_argument", `${what} must be a whole number >= 1`);
    }
    return n;
  }

  function need(): SourceEndpoint {
    if (!source) throw new MigratrixError("failed_precondition", "transfer source asked before hello");
    return source;
  }

  async function sendChunk(b: SendRequests["send"], s: Sending): Promise<{ frames: number; rows: number }> {
    const table = b.plan.source.name;
    const pending = new Set<Promise<void>>();
    let failure: unknown;
    let frame = 0;
    const publish = async (
      h: Omit<FrameHeaders, "job" | "session" | "table" | "chunk" | "frame">,
      body: Uint8Array,
    ) => {
      if (failure !== undefined) throw failure;
      if (s.cancelled || stopped) throw new MigratrixError("aborted", "the transfer session was replaced or stopped");
      const full: FrameHeaders = { job: o.jobId, session: s.session, table, chunk: b.chunk, frame: frame++, ...h };
      const p = o.bus
        .publish(subject, key.seal(body, frameAd(full)), {
          msgId: msgIdOf(full),
          headers: toHeaders(full),
          ...(o.publishTimeoutMs === undefined ? {} : { timeoutMs: o.publishTimeoutMs }),
        })
        .then(
          () => undefined,
          (e: unknown) => {
            const m = MigratrixError.from(e, "unavailable");
            // not_found: no stream captures the subject any more (the bus restarted): the receiver retries.
            failure ??= m.code === "not_found" ? new MigratrixError("unavailable", m.message) : m;
          },
        );
      const tracked = p.finally(() => pending.delete(tracked));
      pending.add(tracked);
      while (pending.size >= window) await Promise.race(pending);
    };
    let rows = 0;
    for await (const batch of need().read(b.plan, b.range, b.limits)) {
      const parts = batchFrames(batch, frameBytes);
      for (let i = 0; i < parts.length; i++) {
        const end = i === parts.length - 1;
        await publish({ batchEnd: end, last: false, rows: end ? batch.numRows : 0 }, parts[i] as Uint8Array);
        await o.hooks?.afterFrame?.({ table, chunk: b.chunk, frame: frame - 1 });
      }
      rows += batch.numRows;
    }
    const trailer: ChunkTrailer = {
      rows,
      lastKey: b.range.upTo,
      warnings: raw && "warnings" in raw ? (raw as { warnings(): string[] }).warnings() : [],
    };
    await publish({ batchEnd: false, last: true, rows }, new TextEncoder().encode(JSON.stringify(trailer)));
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    collect();
    return { frames: frame, rows };
  }

  // Linger: counted only while no request is being served (a long chunk or checksum is not idleness).
  let serving = 0;
  const resetIdle = () => {
    if (idle) clearTimeout(idle);
    idle = undefined;
    if (serving > 0 || stopped) return;
    idle = setTimeout(
      () => void finish({ finished: false, ok: false, error: "no request from the receiver" }),
      o.lingerMs ?? 600_000,
    );
  };

  const sub = await o.bus.serve(`${subject}.rpc`, async (req, reply) => {
    serving++;
    resetIdle();
    try {
      await serveOne(req, reply);
    } finally {
      serving--;
      resetIdle();
    }
  });
  resetIdle();

  async function serveOne(req: BusRequest, reply: ReplyStream): Promise<void> {
    const method = req.headers["Mx-Method"] as SendMethod | undefined;
    const sess = req.headers["Mx-Session"] ?? "";
    const id = req.headers["Mx-Req"] ?? "";
    try {
      if (!method || !Object.hasOwn(handlers, method))
        throw new MigratrixError("invalid_argument", `unknown transfer request ${method}`);
      const body = openJson<never>(key, req.data, rpcAd(method, sess, id));
      // Empty frames while working: the receiver tells a slow chunk from a dead sender by them.
      let beat = Promise.resolve();
      const every = Number(req.headers["Mx-Heartbeat"] ?? 0);
      const beats =
        every > 0
          ? setInterval(() => {
              beat = beat.then(() => reply.send(new Uint8Array(0))).catch(() => undefined);
            }, every)
          : undefined;
      let result: unknown;
      try {
        result = await (handlers[method] as (b: unknown, s: string) => Promise<unknown>)(body, sess);
      } finally {
        clearInterval(beats);
        await beat;
      }
      await reply.send(sealJson(key, result ?? null, replyAd(method, sess, id)));
      await reply.end();
      if (finishing) void finish(finishing);
    } catch (e) {
      const m = MigratrixError.from(e);
      await reply.fail(m.code, redactSecrets(m.message)).catch(() => undefined);
    }
  }

  async function finish(v: Awaited<TransferSender["done"]>): Promise<void> {
    if (stopped) return;
    stopped = true;
    if (idle) clearTimeout(idle);
    if (sending) sending.cancelled = true;
    await sub.stop().catch(() => undefined);
    await sending?.done.catch(() => undefined);
    await source?.close().catch(() => undefined);
    // The receiver normally deletes the stream; if it is gone for good, its frames must not stay.
    if (!v.finished) await o.bus.deleteQueue(frameStream(o.workspace, o.jobId)).catch(() => undefined);
    resolveDone(v);
  }

  return {
    done,
    async stop() {
      await finish({ finished: false, ok: false, error: "stopped" });
    },
  };
}
