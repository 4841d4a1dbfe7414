import { afterAll, describe, expect, test } from "bun:test";
import { busContract } from "./contract.ts";
import { bytes, deferred, errorOf, text } from "./contract-helpers.ts";
import { createBusFromEnv } from "./index.ts";
import { createNatsBus } from "./nats.ts";
import type { Bus } from "./types.ts";
import type { BusLogger } from "./wire.ts";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

busContract("nats", (logger) => createNatsBus({ url, name: "migratrix-bus-contract", logger, pullExpiresMs: 2_000 }));

describe("nats bus specifics", () => {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const logs: string[] = [];
  const logger: BusLogger = { warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) };
  const buses: Bus[] = [];
  const open = async () => {
    const bus = await createNatsBus({ url, logger, pullExpiresMs: 2_000 });
    buses.push(bus);
    return bus;
  };
  const queue = `MXTEST_${run}_x`;

  afterAll(async () => {
    await buses[0]?.deleteQueue(queue);
    await Promise.all(buses.map((b) => b.close()));
  });

  test("two connections: a job published on one is consumed on the other, a request served across", async () => {
    const [control, agent] = [await open(), await open()];
    const subject = `mxtest.${run}.x.jobs`;
    await control.ensureQueue({ name: queue, subjects: [subject], storage: "memory" });
    const job = deferred<object>();
    const jobs = await agent.consume({ queue, consumer: "agent" }, async (m) => {
      await m.ack();
      job.resolve({ data: text(m.data), deliveryCount: m.deliveryCount });
    });
    const rpc = await agent.serve(`mxtest.${run}.x.rpc`, async (req, reply) => {
      for (const part of text(req.data).split(",")) await reply.send(bytes(part.toUpperCase()));
    });
    const ack = await control.publish(subject, bytes("apply m1"), { msgId: "run-1" });
    const frames: string[] = [];
    for await (const f of control.request(`mxtest.${run}.x.rpc`, bytes("a,b,c"), { credit: 1 })) frames.push(text(f));
    expect({ ack, job: await job.promise, frames, logs }).toEqual({
      ack: { duplicate: false, seq: 1 },
      job: { data: "apply m1", deliveryCount: 1 },
      frames: ["A", "B", "C"],
      logs: [],
    });
    await Promise.all([jobs.stop(), rpc.stop()]);
  });

  test("an unreachable server is unavailable, and the message keeps the password out", async () => {
    const err = await errorOf(createNatsBus({ url: "nats://bob:hunter2@127.0.0.1:1", connectTimeoutMs: 500 }));
    expect({ ...err, leaksPassword: err.message.includes("hunter2") }).toEqual({
      code: "unavailable",
      message: expect.stringMatching(/^cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /),
      leaksPassword: false,
    });
  });

  test("a URL that is not one is invalid_argument", async () => {
    expect(await errorOf(createNatsBus({ url: "not a url" }))).toEqual({
      code: "invalid_argument",
      message: 'NATS URL "not a url" is not a URL (nats://host:4222)',
    });
  });

  test("createBusFromEnv: NATS when NATS_URL is set, in-process otherwise", async () => {
    const nats = await createBusFromEnv({ NATS_URL: url }, { logger });
    const memory = await createBusFromEnv({}, { logger });
    buses.push(nats, memory);
    expect({ nats: [nats.kind, nats.maxPayload], memory: [memory.kind, memory.maxPayload] }).toEqual({
      nats: ["nats", 1024 * 1024],
      memory: ["memory", 1024 * 1024],
    });
  });
});
