// The JetStream path's pieces without servers: the per-job key both agents derive, frame
// authentication, cutting batches into frames and reassembling them out of order and twice.
import { describe, expect, test } from "bun:test";
import { type RecordBatch, tableFromIPC } from "apache-arrow";
import { createMemoryBus } from "../bus/index.ts";
import { generateKeyPair } from "../common/sealedbox.ts";
import type { ColumnMapping } from "../engines/schema/typemap.ts";
import { arrowSchema, columnValues, makeBatch } from "./batch.ts";
import { jobKey } from "./jetstream-crypto.ts";
import {
  batchFrames,
  ChunkAssembler,
  type FrameHeaders,
  frameAd,
  frameStream,
  fromHeaders,
  toHeaders,
} from "./jetstream-frames.ts";
import { serveTransferSource } from "./jetstream-send.ts";

const a = generateKeyPair();
const b = generateKeyPair();
const sender = jobKey({ privateKey: a.privateKey, peerPublicKey: b.publicKey }, "ws", "job1");
const receiver = jobKey({ privateKey: b.privateKey, peerPublicKey: a.publicKey }, "ws", "job1");

describe("job key", () => {
  const plain = new TextEncoder().encode("customer row");
  test("both agents derive the same key from their own private key and the other's public key", () => {
    expect(new TextDecoder().decode(receiver.open(sender.seal(plain, "frame|x"), "frame|x"))).toBe("customer row");
  });
  test("a frame moved to another place (associated data) or another job does not open", () => {
    const box = sender.seal(plain, "frame|job1|s|t|1|0|0|0|0");
    expect(() => receiver.open(box, "frame|job1|s|t|1|1|0|0|0")).toThrow("failed authentication");
    const otherJob = jobKey({ privateKey: b.privateKey, peerPublicKey: a.publicKey }, "ws", "job2");
    expect(() => otherJob.open(box, "frame|job1|s|t|1|0|0|0|0")).toThrow("failed authentication");
    const tampered = box.slice();
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    expect(() => receiver.open(tampered, "frame|job1|s|t|1|0|0|0|0")).toThrow("failed authentication");
  });
  test("a third key pair (e.g. a relay substituting keys) cannot read it", () => {
    const c = generateKeyPair();
    const eve = jobKey({ privateKey: c.privateKey, peerPublicKey: a.publicKey }, "ws", "job1");
    expect(() => eve.open(sender.seal(plain, "ad"), "ad")).toThrow("failed authentication");
  });
});

describe("frames", () => {
  const mappings = [
    { column: "id", arrow: "Int64", kind: "int64" },
    { column: "note", arrow: "Utf8", kind: "text" },
  ] as unknown as ColumnMapping[];
  const schema = arrowSchema(mappings);
  const batch = (from: number, n: number) =>
    makeBatch(
      schema,
      [
        Array.from({ length: n }, (_, i) => BigInt(from + i)),
        Array.from({ length: n }, (_, i) => `row ${from + i} ${"é".repeat(300)}`),
      ],
      n,
    );
  const head = (frame: number, extra: Partial<FrameHeaders>): FrameHeaders => ({
    job: "j",
    session: "s",
    table: "t ü",
    chunk: 3,
    frame,
    batchEnd: false,
    last: false,
    rows: 0,
    ...extra,
  });

  test("headers round-trip, table names included", () => {
    const h = head(7, { batchEnd: true, rows: 12 });
    expect(fromHeaders(toHeaders(h))).toEqual(h);
    expect(frameAd(h)).not.toBe(frameAd({ ...h, frame: 8 }));
  });

  test("batches cut into frames come back whole, out of order and with duplicates", async () => {
    const b1 = batch(0, 40);
    const b2 = batch(40, 3);
    const f1 = batchFrames(b1, 1000);
    const f2 = batchFrames(b2, 1000);
    expect(f1.length).toBeGreaterThan(10);
    const frames: [FrameHeaders, Uint8Array][] = [];
    f1.forEach((body, i) => {
      frames.push([head(i, { batchEnd: i === f1.length - 1, rows: i === f1.length - 1 ? 40 : 0 }), body]);
    });
    f2.forEach((body, i) => {
      const n = f1.length + i;
      frames.push([head(n, { batchEnd: i === f2.length - 1, rows: i === f2.length - 1 ? 3 : 0 }), body]);
    });
    const trailer = new TextEncoder().encode(JSON.stringify({ rows: 43, lastKey: ["42"], warnings: [] }));
    frames.push([head(frames.length, { last: true, rows: 43 }), trailer]);
    const asm = new ChunkAssembler({ job: "j", session: "s", table: "t ü", chunk: 3 });
    // Reverse order, and every other frame twice.
    for (const [i, [h, body]] of [...frames.entries()].reverse()) {
      asm.accept(h, body);
      if (i % 2 === 0) asm.accept(h, body);
    }
    const ids: bigint[] = [];
    for await (const got of asm.batches) ids.push(...(columnValues(got, 0) as bigint[]));
    expect(ids).toEqual(Array.from({ length: 43 }, (_, i) => BigInt(i)));
    expect(asm.trailer).toEqual({ rows: 43, lastKey: ["42"], warnings: [] });
  });

  test("a batch decoded from frames reads back the values it was built from: ASCII, other text, NULLs", () => {
    const ids = [1n, null, 3n, 4n];
    for (const text of [
      ["plain", null, "", "x"],
      ["ünï ✓ 😀", null, "a", ""],
    ]) {
      const ipc = Buffer.concat(batchFrames(makeBatch(schema, [ids, text], 4), 16));
      const wire = tableFromIPC(ipc).batches[0] as RecordBatch;
      expect([columnValues(wire, 0), columnValues(wire, 1)]).toEqual([ids, text]);
    }
  });

  test("a batch whose row count differs from its frame's is data loss", async () => {
    const body = batchFrames(batch(0, 2), 1 << 20)[0] as Uint8Array;
    const asm = new ChunkAssembler({ job: "j", session: "s", table: "t ü", chunk: 3 });
    asm.accept(head(0, { batchEnd: true, rows: 3 }), body);
    await expect(
      (async () => {
        for await (const _ of asm.batches);
      })(),
    ).rejects.toThrow("2 rows, its frame says 3");
  });
});

test("a sender nobody asks stops serving after lingerMs and says so", async () => {
  const bus = createMemoryBus({ logger: { warn() {}, error() {} } });
  try {
    // Frames an abandoned receiver left behind go with the stream.
    await bus.ensureQueue({
      name: frameStream("ws", "lonely"),
      subjects: ["mx.ws.transfer.lonely"],
      storage: "memory",
    });
    await bus.publish("mx.ws.transfer.lonely", new Uint8Array(1));
    const sender = await serveTransferSource({
      bus,
      workspace: "ws",
      jobId: "lonely",
      from: "postgres://nobody@127.0.0.1:1/none",
      keys: { privateKey: a.privateKey, peerPublicKey: b.publicKey },
      lingerMs: 20,
    });
    expect(await sender.done).toEqual({ finished: false, ok: false, error: "no request from the receiver" });
    await expect(bus.requestOne("mx.ws.transfer.lonely.rpc", new Uint8Array(1), { timeoutMs: 1_000 })).rejects.toThrow(
      "no agent serves mx.ws.transfer.lonely.rpc",
    );
    await expect(bus.publish("mx.ws.transfer.lonely", new Uint8Array(1))).rejects.toThrow("no queue captures");
  } finally {
    await bus.close();
  }
});
