// The JetStream path between two agents on real servers: PostgreSQL → PostgreSQL and MariaDB →
// PostgreSQL through the shared JetStream, frames seen on the bus are ciphertext and under
// max_payload, big rows span frames, duplicate publishes are dropped, mismatched agent keys stop
// the job, the in-process bus works too, and a nats-server of the test's own restarted after chunk 2
// → the job resumes from the checkpoints with counts and checksums equal and no duplicates.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Msg, NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { type Bus, createMemoryBus, createNatsBus } from "../bus/index.ts";
import { startNatsServer, type TestNatsServer } from "../bus/nats-test-server.ts";
import { MigratrixError } from "../common/errors.ts";
import { generateKeyPair } from "../common/sealedbox.ts";
import { receiveTransfer, serveTransferSource, transferViaJetStream } from "./jetstream.ts";
import { jobKey, openJson, sealJson } from "./jetstream-crypto.ts";
import { frameStream, msgIdOf } from "./jetstream-frames.ts";
import { replyAd, rpcAd, rpcSubject } from "./jetstream-send.ts";
import { createMariaDb, createPgDb, type MariaDb, type PgDb } from "./test-support.ts";
import type { SourceTable } from "./types.ts";

const NATS = "nats://127.0.0.1:4222";
const MARKER = "PLAINTEXT-MARKER-7f3a9c";
const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 10);
const ws = `t${rand()}`;
const quiet = { logger: { warn() {}, error() {} }, reconnectWaitMs: 50, pullExpiresMs: 1_000, apiTimeoutMs: 1_000 };

const SOURCE = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE all_types (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  b boolean, s smallint, i integer, n numeric(30,10), r real, d double precision, tx text, by bytea,
  dt date, ts timestamp, tz timestamptz, iv interval, j json, jb jsonb, u uuid, m mood, arr integer[], tarr text[]
);
INSERT INTO all_types (b, s, i, n, r, d, tx, by, dt, ts, tz, iv, j, jb, u, m, arr, tarr)
SELECT g % 2 = 0, g, g * 1000, g / 7.0, g / 3.0, g / 9.0,
       '${MARKER} ' || g || E' tab\\t nl\\n ünïcødé ✓ 😀', decode(lpad(to_hex(g), 8, '0') || '00ff5c0a', 'hex'),
       date '2024-02-29' + g, timestamp '2024-01-01 00:00:00.123456' + g * interval '1 hour',
       timestamptz '2024-06-01 12:00:00.5+02' + g * interval '1 minute', g * interval '1 day 2 hours',
       '{"b": 1, "a": [1, 2]}', '{"z": null, "a": "${MARKER}"}', md5(g::text)::uuid,
       (ARRAY['sad','ok','happy']::mood[])[g % 3 + 1], ARRAY[g, NULL, 3], ARRAY['a,b', '"q"', NULL]
FROM generate_series(1, 300) g;
INSERT INTO all_types (b) VALUES (NULL);
CREATE TABLE big (id integer PRIMARY KEY, payload text);
INSERT INTO big SELECT g, repeat('${MARKER}', 12000) FROM generate_series(1, 6) g;
CREATE TABLE k (a integer, b text, v text, PRIMARY KEY (a, b));
INSERT INTO k SELECT g % 7, 'k' || g, '${MARKER}' || g FROM generate_series(1, 200) g;
CREATE TABLE empty (id integer PRIMARY KEY, v text);
`;

let src: PgDb;
const cleanup: (() => Promise<void>)[] = [];

async function pgTarget(): Promise<PgDb> {
  const t = await createPgDb("xfer_js_dst");
  cleanup.push(() => t.drop());
  return t;
}

async function rowsOf(db: PgDb, table: string, order: string): Promise<string[]> {
  const rows = await db.sql.unsafe(`SELECT t::text AS r FROM ${table} t ORDER BY ${order}`);
  return rows.map((r) => String(r.r));
}

beforeAll(async () => {
  src = await createPgDb("xfer_js_src");
  cleanup.push(() => src.drop());
  await src.sql.unsafe(SOURCE).simple();
});

// DROP DATABASE checkpoints: slow on a busy machine.
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
}, 60_000);

/** Every message published on the job's subject, as a third party on the bus sees it. */
async function watch(url: string, job: string): Promise<{ msgs: Msg[]; nc: NatsConnection }> {
  const nc = await connect({ servers: url });
  const msgs: Msg[] = [];
  nc.subscribe(`mx.${ws}.transfer.${job}`, {
    callback: (_e, m) => {
      msgs.push(m);
    },
  });
  await nc.flush();
  return { msgs, nc };
}

/** A job between two agents: its id and each side's keys (the sender is a, the receiver b). */
function agentPair() {
  const a = generateKeyPair();
  const b = generateKeyPair();
  return {
    job: `j${rand()}`,
    a,
    sendKeys: { privateKey: a.privateKey, peerPublicKey: b.publicKey },
    receiveKeys: { privateKey: b.privateKey, peerPublicKey: a.publicKey },
  };
}
type AgentPair = ReturnType<typeof agentPair>;
type Sender = Awaited<ReturnType<typeof serveTransferSource>>;

/** The sending agent of the pair serving the source database on `bus`. */
function serve(bus: Bus, p: AgentPair, extra: Partial<Parameters<typeof serveTransferSource>[0]> = {}) {
  return serveTransferSource({ bus, workspace: ws, jobId: p.job, from: src.url, keys: p.sendKeys, ...extra });
}

/** Runs `body` with the pair's sender serving on `bus`, then stops the sender and closes the bus. */
async function serving(bus: Bus, p: AgentPair, body: (sender: Sender) => Promise<void>, extra = {}): Promise<void> {
  const sender = await serve(bus, p, extra);
  try {
    await body(sender);
  } finally {
    await sender.stop();
    await bus.close();
  }
}

/** The receiving agent of the pair copying table k into `to` on `bus`. */
function receiveK(bus: Bus, p: AgentPair, to: string, extra: Partial<Parameters<typeof receiveTransfer>[0]> = {}) {
  return receiveTransfer({
    bus,
    workspace: ws,
    jobId: p.job,
    to,
    tables: ["k"],
    create: true,
    keys: p.receiveKeys,
    ...extra,
  });
}

describe("through the shared JetStream", () => {
  test("PostgreSQL → PostgreSQL: rows and checksums equal; frames ciphertext under max_payload; big rows span frames; stream gone after", async () => {
    const dst = await pgTarget();
    const job = `j${rand()}`;
    const seen = await watch(NATS, job);
    const report = await transferViaJetStream({
      from: src.url,
      to: dst.url,
      natsUrl: NATS,
      workspace: ws,
      jobId: job,
      create: true,
      batchRows: 64,
      frameBytes: 16_384,
      bus: quiet,
    });
    await seen.nc.flush();
    expect(report.tables.map((t) => [t.table, t.path, t.rowsCopied, t.sourceRows, t.targetRows, t.match])).toEqual([
      ["all_types", "arrow", 301, 301, 301, true],
      ["big", "arrow", 6, 6, 6, true],
      ["empty", "arrow", 0, 0, 0, true],
      ["k", "arrow", 200, 200, 200, true],
    ]);
    expect(report.ok).toBe(true);
    expect(await rowsOf(dst, "all_types", "id")).toEqual(await rowsOf(src, "all_types", "id"));
    expect(await rowsOf(dst, "k", "a, b")).toEqual(await rowsOf(src, "k", "a, b"));

    const { msgs } = seen;
    const maxPayload = seen.nc.info?.max_payload ?? 0;
    expect(msgs.length).toBeGreaterThan(20);
    const marker = Buffer.from(MARKER);
    for (const m of msgs) {
      expect(Buffer.from(m.data).includes(marker)).toBe(false);
      expect(JSON.stringify([...(m.headers ?? [])])).not.toContain(MARKER);
      expect(m.data.byteLength).toBeLessThanOrEqual(16_384 + 28);
      expect(m.data.byteLength + 1024).toBeLessThan(maxPayload);
      expect(m.headers?.get("Mx-Job")).toBe(job);
      expect(m.headers?.get("Nats-Msg-Id")).toBe(
        `${job}:${m.headers?.get("Mx-Table")}:${m.headers?.get("Mx-Chunk")}:${m.headers?.get("Mx-Frame")}`,
      );
    }
    // 6 rows of 276 KB in frames of 16 KiB: each row spans about 17 frames.
    const bigFrames = msgs.filter((m) => m.headers?.get("Mx-Table") === "big").length;
    expect(bigFrames).toBeGreaterThan(6 * 15);
    const jsm = await jetstreamManager(seen.nc);
    await expect(jsm.streams.info(frameStream(ws, job))).rejects.toThrow("stream not found");
    await seen.nc.close();
  });

  test("MariaDB → PostgreSQL: rows and checksums equal, the source's warnings reach the report", async () => {
    const m: MariaDb = await createMariaDb("xfer_js_msrc");
    cleanup.push(() => m.drop());
    await m.conn.query(
      `CREATE TABLE t (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, flag tinyint(1), u bigint unsigned,
       dec_ decimal(20,6), js json, tx mediumtext, bl blob, dt date, dtm datetime(3), en enum('a','b')) CHARSET utf8mb4`,
    );
    await m.conn.query("SET SESSION sql_mode = ''");
    await m.conn.query(
      `INSERT INTO t (flag, u, dec_, js, tx, bl, dt, dtm, en)
       SELECT seq % 2, 18446744073709551615 - seq, seq / 3, JSON_OBJECT('k', seq), CONCAT('${MARKER} ü ', seq),
              UNHEX('00FF5C0A'), '2024-02-29', '2024-01-01 10:00:00.123', IF(seq % 2, 'a', 'b') FROM seq_1_to_250`,
    );
    await m.conn.query("INSERT INTO t (dt) VALUES ('0000-00-00')");
    const dst = await pgTarget();
    const report = await transferViaJetStream({
      from: m.url,
      to: dst.url,
      natsUrl: NATS,
      workspace: ws,
      create: true,
      batchRows: 100,
      bus: quiet,
    });
    expect(report.tables.map((t) => [t.table, t.rowsCopied, t.sourceRows, t.targetRows, t.match])).toEqual([
      ["t", 251, 251, 251, true],
    ]);
    expect(report.warnings).toEqual(["t.dt: 1 zero date(s) became NULL"]);
    const [r] = await dst.sql.unsafe("SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM t WHERE dt IS NULL");
    expect([r?.n, r?.d]).toEqual([1, 1]);
  });

  test("a frame published twice under its Nats-Msg-Id is stored once", async () => {
    const bus = await createNatsBus({ url: NATS, ...quiet });
    const job = `j${rand()}`;
    const queue = frameStream(ws, job);
    try {
      await bus.ensureQueue({ name: queue, subjects: [`mx.${ws}.transfer.${job}`], storage: "memory" });
      const id = msgIdOf({ job, session: "s", table: "t", chunk: 1, frame: 0 });
      const first = await bus.publish(`mx.${ws}.transfer.${job}`, new Uint8Array([1]), { msgId: id });
      const again = await bus.publish(`mx.${ws}.transfer.${job}`, new Uint8Array([1]), { msgId: id });
      expect([first.duplicate, again.duplicate, again.seq]).toEqual([false, true, first.seq]);
    } finally {
      await bus.deleteQueue(queue);
      await bus.close();
    }
  });

  test("agents whose keys do not pair fail with data_loss before any row moves", async () => {
    const p = agentPair();
    const stranger = generateKeyPair();
    const dst = await pgTarget();
    const bus = await createNatsBus({ url: NATS, ...quiet });
    await serving(bus, p, async () => {
      const err = await receiveTransfer({
        bus,
        workspace: ws,
        jobId: p.job,
        to: dst.url,
        create: true,
        keys: { privateKey: stranger.privateKey, peerPublicKey: p.a.publicKey },
        idleTimeoutMs: 2_000,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigratrixError);
      expect((err as MigratrixError).code).toBe("data_loss");
      const [r] = await dst.sql.unsafe("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      expect(r?.n).toBe(0);
    });
  });
});

test("the sending agent trusts no SQL name or type from its peer, and serves only the job's tables", async () => {
  const bus: Bus = createMemoryBus({ logger: quiet.logger });
  const p = agentPair();
  // A peer holding the right key, speaking the protocol by hand.
  const peer = jobKey(p.receiveKeys, ws, p.job);
  const call = async (method: string, body: unknown): Promise<unknown> => {
    const id = rand();
    const reply = await bus.requestOne(rpcSubject(ws, p.job), sealJson(peer, body, rpcAd(method, "s1", id)), {
      headers: { "Mx-Method": method, "Mx-Session": "s1", "Mx-Req": id },
    });
    return openJson(peer, reply, replyAd(method, "s1", id));
  };
  await serving(
    bus,
    p,
    async () => {
      expect(await call("hello", { targetEngine: "postgresql" })).toEqual({ engine: "postgresql" });
      await expect(call("describe", { tables: ["all_types"] })).rejects.toThrow("does not copy all_types");
      const { tables } = (await call("describe", {})) as { tables: SourceTable[] };
      expect(tables.map((t) => t.name)).toEqual(["k"]);
      const k = tables[0] as SourceTable;
      const evil = { ...k, columns: k.columns.map((c) => ({ ...c, type: "integer); DROP TABLE k; --" })) };
      const plan = { source: evil, target: { schema: null, name: "k" }, key: ["a", "b"], mappings: [] };
      // The sender's own description of k is used: the injected type never reaches SQL.
      expect(await call("nextUpper", { plan, after: ["6", "k90"], rows: 3 })).toEqual({ key: ["6", "k97"], rows: 1 });
      await expect(
        call("nextUpper", { plan: { ...plan, source: { ...k, name: "all_types" } }, after: null, rows: 1 }),
      ).rejects.toThrow("was not described");
      await expect(call("nextUpper", { plan: { ...plan, key: ["a"] }, after: null, rows: 1 })).rejects.toThrow(
        "does not match the source",
      );
      const [n] = await src.sql.unsafe("SELECT count(*)::int AS n FROM k");
      expect(n?.n).toBe(200);
    },
    { tables: ["k"] },
  );
});

test("a lost lease (aborted, thrown by the agent's hook) ends the job at once: no new session, the sender is told", async () => {
  const bus: Bus = createMemoryBus({ logger: quiet.logger });
  const p = agentPair();
  const dst = await pgTarget();
  let chunks = 0;
  await serving(bus, p, async (sender) => {
    const err = await receiveK(bus, p, dst.url, {
      batchRows: 50,
      hooks: {
        afterChunk() {
          chunks++;
          throw new MigratrixError("aborted", "lease lost");
        },
      },
    }).catch((e: unknown) => e);
    expect([(err as MigratrixError).code, chunks]).toEqual(["aborted", 1]);
    expect(await sender.done).toEqual({ finished: true, ok: false, error: "lease lost" });
  });
});

test("the receiving agent may start first: it waits for the sender's agent to answer", async () => {
  const inner: Bus = createMemoryBus({ logger: quiet.logger });
  let asked: () => void = () => {};
  const firstHello = new Promise<void>((r) => {
    asked = r;
  });
  // The receiver's first hello, seen on the bus, is the event to start the sender on.
  const bus: Bus = {
    ...inner,
    request(subject, data, opts) {
      asked();
      return inner.request(subject, data, opts);
    },
  };
  const p = agentPair();
  const dst = await pgTarget();
  const receiving = receiveK(bus, p, dst.url);
  await firstHello;
  await serving(inner, p, async () => {
    const report = await receiving;
    expect(report.tables.map((t) => [t.table, t.targetRows, t.match])).toEqual([["k", 200, true]]);
  });
});

test("agent-style calls on the in-process bus: masked on the sending agent; the sender's done resolves once the receiver finished", async () => {
  const bus: Bus = createMemoryBus({ logger: quiet.logger });
  const p = agentPair();
  const dst = await pgTarget();
  const mask = {
    transform: (table: string, column: string) =>
      table === "k" && column === "v" ? (v: unknown) => (v === null ? null : "masked") : undefined,
  };
  await serving(
    bus,
    p,
    async (sender) => {
      const report = await receiveK(bus, p, dst.url, { batchRows: 50 });
      expect(report.tables.map((t) => [t.table, t.chunksCopied, t.targetRows, t.match])).toEqual([["k", 4, 200, true]]);
      const values = await dst.sql.unsafe("SELECT v, count(*)::int AS n FROM k GROUP BY v");
      expect(values.map((r) => [r.v, r.n])).toEqual([["masked", 200]]);
      expect(await sender.done).toEqual({ finished: true, ok: true });
    },
    mask,
  );
});

describe("fault: the test's own nats-server restarts mid-transfer", () => {
  let store = "";
  let server: TestNatsServer | undefined;
  beforeAll(() => {
    store = mkdtempSync(join(tmpdir(), "mx-xfer-nats-"));
  });
  afterAll(async () => {
    await server?.stop();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  /** Restarts the test's nats-server on the same port, once, the first time `when` holds. */
  function restartOnce<T>(when: (info: T) => boolean) {
    const port = server?.port ?? 0;
    const r = {
      done: false,
      async hook(info: T): Promise<void> {
        if (r.done || !when(info)) return;
        r.done = true;
        await server?.stop();
        server = await startNatsServer(port, store);
      },
    };
    return r;
  }

  test("restart after chunk 2 → the job resumes from the checkpoints: counts and checksums equal, no duplicates", async () => {
    server ??= await startNatsServer(-1, store);
    const dst = await pgTarget();
    const restart = restartOnce((info: { runChunk: number }) => info.runChunk === 2);
    const report = await transferViaJetStream({
      from: src.url,
      to: dst.url,
      natsUrl: server.url,
      workspace: ws,
      tables: ["all_types"],
      create: true,
      batchRows: 40,
      idleTimeoutMs: 1_500,
      publishTimeoutMs: 500,
      reconnectTimeoutMs: 10_000,
      bus: quiet,
      hooks: { afterChunk: restart.hook },
    });
    expect(restart.done).toBe(true);
    const [t] = report.tables;
    expect(report.preflight.resumed).toBe(true);
    // 301 rows in chunks of 40: 8 chunks, 2 committed before the restart, and chunk 3 too when all
    // its frames (asked for while chunk 2 committed) arrived before the server went down.
    const skipped = t?.chunksSkipped ?? 0;
    expect([
      skipped + (t?.chunksCopied ?? 0),
      skipped === 2 || skipped === 3,
      t?.sourceRows,
      t?.targetRows,
      t?.match,
    ]).toEqual([8, true, 301, 301, true]);
    expect(t?.sourceChecksum).toBe(t?.targetChecksum ?? "");
    const [r] = await dst.sql.unsafe("SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM all_types");
    expect([r?.n, r?.d]).toEqual([301, 301]);
    expect(await rowsOf(dst, "all_types", "id")).toEqual(await rowsOf(src, "all_types", "id"));
    // Chunk 3 is already asked for while chunk 2 commits: its frames are in flight at the restart,
    // which the sender notices when its publish times out (publishTimeoutMs).
  });

  test("restart while chunk 3's frames are in flight → its transaction rolls back, the job resumes, no duplicates", async () => {
    server ??= await startNatsServer(-1, store);
    const dst = await pgTarget();
    // "big": 2 rows of 276 KB per chunk, each row its own batch of 5 frames.
    const restart = restartOnce(
      (info: { table: string; chunk: number; frame: number }) =>
        info.table === "big" && info.chunk === 3 && info.frame === 6,
    );
    const report = await transferViaJetStream({
      from: src.url,
      to: dst.url,
      natsUrl: `nats://127.0.0.1:${server.port}`,
      workspace: ws,
      tables: ["big"],
      create: true,
      batchRows: 2,
      batchBytes: 1024,
      frameBytes: 65_536,
      idleTimeoutMs: 1_500,
      publishTimeoutMs: 500,
      reconnectTimeoutMs: 10_000,
      bus: quiet,
      sendHooks: { afterFrame: restart.hook },
    });
    expect(restart.done).toBe(true);
    expect(report.preflight.resumed).toBe(true);
    expect(
      report.tables.map((t) => [t.table, t.chunksSkipped, t.chunksCopied, t.sourceRows, t.targetRows, t.match]),
    ).toEqual([["big", 2, 1, 6, 6, true]]);
    const [r] = await dst.sql.unsafe("SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM big");
    expect([r?.n, r?.d]).toEqual([6, 6]);
  }, 30_000);
});
