// The receiving agent's side of the JetStream path (protocol: jetstream.ts): runs transfer() against
// a source that is a proxy to the sending agent, pulls the frames of each chunk, and starts a new
// session resuming from the target's checkpoints when the bus breaks.
import { randomUUID } from "node:crypto";
import { type BusMessage, subjects } from "../bus/index.ts";
import { MigratrixError } from "../common/errors.ts";
import type { EngineId } from "../engines/types.ts";
import { type Endpoints, engineOfUrl, openTargetSide, type TargetSide } from "./endpoints.ts";
import type { JetStreamTuning, ReceiveOptions } from "./jetstream.ts";
import { type JobKey, jobKey, openJson, sealJson } from "./jetstream-crypto.ts";
import { ChunkAssembler, frameAd, frameStream, fromHeaders } from "./jetstream-frames.ts";
import { replyAd, rpcAd, rpcSubject, type SendMethod, type SendRequests } from "./jetstream-send.ts";
import { type TransferReport, transfer } from "./transfer.ts";
import type { BatchLimits, KeyRange, SourceEndpoint, SourceTable, TablePlan } from "./types.ts";

/** Codes that mean the bus or the other agent went away: the job resumes in a new session. */
const TRANSIENT = new Set(["unavailable", "deadline_exceeded"]);
/**
 * Never retried, even after the bus broke: a lost lease or a newer session (aborted: another
 * receiver holds the job now; retrying would fight it), tampering, refusal.
 */
const FINAL = new Set(["aborted", "data_loss", "permission_denied"]);
/** A whole-call bound for requests whose liveness the heartbeats prove (setTimeout's maximum). */
const NO_DEADLINE = 2 ** 31 - 1;

/** Requests to the sender in one session, sealed both ways; notes when the bus broke. */
class Link {
  broke = false;
  constructor(
    private readonly o: ReceiveOptions,
    private readonly key: JobKey,
    readonly session: string,
    private readonly idleMs: number,
  ) {}

  /** The reply, after heartbeats every idleMs/3 while the sender works (a silent sender is a broken one). */
  async call<M extends SendMethod, R>(
    method: M,
    body: SendRequests[M],
    opts: { beat?: () => void; timeoutMs?: number } = {},
  ): Promise<R> {
    const id = randomUUID();
    const headers = {
      "Mx-Method": method,
      "Mx-Session": this.session,
      "Mx-Req": id,
      "Mx-Heartbeat": String(Math.max(1, Math.floor(this.idleMs / 3))),
    };
    let reply: Uint8Array | undefined;
    try {
      for await (const f of this.o.bus.request(
        rpcSubject(this.o.workspace, this.o.jobId),
        sealJson(this.key, body, rpcAd(method, this.session, id)),
        { timeoutMs: opts.timeoutMs ?? NO_DEADLINE, idleTimeoutMs: this.idleMs, headers },
      )) {
        opts.beat?.();
        if (f.byteLength > 0) reply = f;
      }
    } catch (e) {
      const m = MigratrixError.from(e, "unavailable");
      if (TRANSIENT.has(m.code)) this.broke = true;
      throw m;
    }
    if (!reply) throw new MigratrixError("internal", `transfer source ended ${method} without a reply`);
    return openJson<R>(this.key, reply, replyAd(method, this.session, id));
  }

  /** hello until the sender answers (it may start later, or the bus may be reconnecting). */
  async hello(targetEngine: EngineId, waitMs: number): Promise<{ engine: EngineId }> {
    const until = Date.now() + waitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 1_000)) {
      try {
        return await this.call(
          "hello",
          { targetEngine },
          { timeoutMs: Math.min(this.idleMs, Math.max(1, until - Date.now())) },
        );
      } catch (e) {
        const m = MigratrixError.from(e);
        if (!TRANSIENT.has(m.code)) throw m;
        if (Date.now() + pause >= until) {
          throw new MigratrixError(
            m.code,
            `the agent serving the transfer source did not answer in ${waitMs} ms: ${m.message}`,
          );
        }
        await Bun.sleep(pause);
      }
    }
  }
}

interface Held {
  msg: BusMessage;
  resolve(): void;
}

/**
 * Pulls frames of the chunks being read (the chunk being written and the next one, asked for while
 * this one commits); holds them un-acked until a chunk commits.
 */
class FrameReceiver {
  private readonly active = new Map<ChunkAssembler, () => void>();
  warnings: string[] = [];
  private held: Held[] = [];
  private reads = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly o: ReceiveOptions,
    private readonly key: JobKey,
    private readonly link: Link,
    private readonly cfg: { idleMs: number; maxHeld: number; doneChunks: Map<string, number> },
  ) {}

  readonly handle = async (msg: BusMessage): Promise<void> => {
    const h = fromHeaders(msg.headers);
    const asm = h ? [...this.active.keys()].find((a) => a.matches(h)) : undefined;
    // An older session's frame, one of a chunk that was given up, or any after the session ended: drop it.
    if (!h || !asm || this.closed) return msg.ack();
    let body: Uint8Array;
    try {
      body = this.key.open(msg.data, frameAd(h));
    } catch (e) {
      asm.batches.fail(e);
      return msg.term("frame failed authentication");
    }
    asm.accept(h, body);
    this.active.get(asm)?.();
    await new Promise<void>((resolve) => {
      this.held.push({ msg, resolve });
      // Every puller would wait for the commit while the rest of the chunk waits for a puller.
      if (this.held.length >= this.cfg.maxHeld - 1) void this.release();
    });
  };

  /**
   * The session ended (a read ahead may still be under way): no frame is held any more, so stopping
   * the consumer does not wait for a commit that will not come.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const asm of this.active.keys()) asm.batches.fail(new MigratrixError("aborted", "the transfer session ended"));
    await this.release();
  }

  /** Acks (deletes) the held frames: their chunk committed, or the window is full. */
  async release(): Promise<void> {
    const list = this.held.splice(0);
    await Promise.allSettled(
      list.map(async (e) => {
        try {
          await e.msg.ack();
        } finally {
          e.resolve();
        }
      }),
    );
  }

  async *read(plan: TablePlan, range: KeyRange, limits: BatchLimits) {
    const table = plan.source.name;
    const n = (this.reads.get(table) ?? 0) + 1;
    this.reads.set(table, n);
    const chunk = (this.cfg.doneChunks.get(table) ?? 0) + n;
    const asm = new ChunkAssembler({ job: this.o.jobId, session: this.link.session, table, chunk });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(timer);
      if (asm.trailer) return;
      timer = setTimeout(() => {
        this.link.broke = true;
        asm.batches.fail(
          new MigratrixError("unavailable", `no frame of table ${table} chunk ${chunk} for ${this.cfg.idleMs} ms`),
        );
      }, this.cfg.idleMs);
    };
    this.active.set(asm, touch);
    touch();
    const sent = this.link.call<"send", { frames: number; rows: number }>(
      "send",
      { plan, chunk, range, limits },
      { beat: touch },
    );
    sent.catch((e: unknown) => asm.batches.fail(e));
    let rows = 0;
    try {
      for await (const b of asm.batches) {
        rows += b.numRows;
        yield b;
      }
      const r = await sent;
      const t = asm.trailer;
      if (!t || t.rows !== rows || r.rows !== rows) {
        throw new MigratrixError(
          "data_loss",
          `table ${table} chunk ${chunk}: ${rows} rows arrived, the source sent ${t?.rows ?? r.rows}`,
        );
      }
      this.warnings = t.warnings;
    } finally {
      clearTimeout(timer);
      this.active.delete(asm);
    }
  }
}

function remoteSource(link: Link, rx: FrameReceiver, engine: EngineId, enums: Map<string, string[]>): SourceEndpoint {
  return {
    engine,
    async describe(tables) {
      const r = await link.call<"describe", { tables: SourceTable[]; enums: [string, string[]][] }>("describe", {
        tables,
      });
      for (const [k, v] of r.enums) enums.set(k, v);
      return r.tables;
    },
    nextUpper: (plan, after, rows) => link.call("nextUpper", { plan, after, rows }),
    count: (plan) => link.call("count", { plan }),
    checksum: (plan, limits, canonicalJson) => link.call("checksum", { plan, limits, canonicalJson }),
    read: (plan, range, limits) => rx.read(plan, range, limits),
    // Frames are assembled as they arrive, whoever reads the batches.
    readsBuffered: true,
    async close() {},
  };
}

function tuning(o: JetStreamTuning) {
  return {
    idleMs: o.idleTimeoutMs ?? 60_000,
    maxHeld: Math.max(2, o.maxHeldFrames ?? 32),
    retries: o.retries ?? 5,
    reconnectMs: o.reconnectTimeoutMs ?? 60_000,
  };
}

export async function receiveTransfer(o: ReceiveOptions): Promise<TransferReport> {
  const key = jobKey(o.keys, o.workspace, o.jobId);
  const queue = frameStream(o.workspace, o.jobId);
  const subject = subjects.transfer(o.workspace, o.jobId);
  const t = tuning(o);
  const targetEngine = engineOfUrl(o.to);
  const enums = new Map<string, string[]>();
  let side: TargetSide | undefined;
  let link: Link | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      link = new Link(o, key, randomUUID(), t.idleMs);
      // Not retried: hello already waited reconnectTimeoutMs for the sender.
      const hello = await link.hello(targetEngine, t.reconnectMs);
      try {
        side ??= await openTargetSide(o.to, hello.engine, () => enums);
        // A fresh stream per session: no frame of an older one, and its dedupe window starts empty.
        await o.bus.deleteQueue(queue);
        await o.bus.ensureQueue({ name: queue, subjects: [subject], storage: "memory" });
        await side.target.openCheckpoints();
        const known = await side.target.readJob(o.jobId);
        const doneChunks = new Map((await side.target.readCheckpoints(o.jobId)).map((c) => [c.table, c.chunks]));
        const rx = new FrameReceiver(o, key, link, { idleMs: t.idleMs, maxHeld: t.maxHeld, doneChunks });
        const sub = await o.bus.consume(
          { queue, consumer: "receiver", ackWaitMs: Math.max(t.idleMs * 5, 1_000), concurrency: t.maxHeld },
          rx.handle,
        );
        try {
          const s = side;
          const ep: Endpoints = {
            source: remoteSource(link, rx, hello.engine, enums),
            target: s.target,
            targetReader: s.targetReader,
            warnings: () => rx.warnings,
            async close() {},
          };
          const resume = o.resume ?? (known ? o.jobId : undefined);
          const report = await transfer(
            {
              ...o,
              from: "agent",
              path: "arrow",
              ...(resume ? { resume } : { jobId: o.jobId }),
              hooks: {
                async afterChunk(info) {
                  await rx.release();
                  await o.hooks?.afterChunk?.(info);
                },
              },
            },
            async () => ep,
          );
          await link.call("finish", { ok: report.ok }).catch(() => undefined);
          return report;
        } finally {
          await rx.close();
          await sub.stop();
        }
      } catch (e) {
        const m = MigratrixError.from(e);
        const retry = TRANSIENT.has(m.code) || (link.broke && !FINAL.has(m.code));
        if (!retry || attempt >= t.retries) {
          await link.call("finish", { ok: false, error: m.message }, { timeoutMs: 1_000 }).catch(() => undefined);
          throw m;
        }
      }
    }
  } finally {
    // Customer rows never rest on the bus: whatever is left of the frames goes with the stream.
    await o.bus.deleteQueue(queue).catch(() => undefined);
    await side?.close();
  }
}
