// Work-queue half of the bus contract: durable, explicitly acked, shared by consumers.

import { expect, test } from "bun:test";
import type { ContractContext } from "./contract.ts";
import { bytes, counter, deferred, errorOf, text, work } from "./contract-helpers.ts";
import type { BusMessage } from "./types.ts";

interface Seen {
  data: string;
  deliveryCount: number;
}

const seen = (m: BusMessage): Seen => ({ data: text(m.data), deliveryCount: m.deliveryCount });

export function queueCases(ctx: ContractContext): void {
  test("publish, consume, ack: the handler gets subject, data, headers and delivery count", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    const headers = { "X-Trace": "t-1", "mx-correlation-id": "c-1" };
    const first = await bus.publish(q.subject("a"), bytes("hello"), { headers });
    const got = deferred<object>();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
        got.resolve({ subject: m.subject, data: text(m.data), headers: m.headers, deliveryCount: m.deliveryCount });
        await m.ack();
      }),
    );
    expect(first).toEqual({ duplicate: false, seq: 1 });
    expect(await got.promise).toEqual({
      subject: q.subject("a"),
      data: "hello",
      headers,
      deliveryCount: 1,
    });
  });

  test("ensureQueue is idempotent, updates the window, and refuses a storage change", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue({ storage: "file", duplicateWindowMs: 60_000 });
    await bus.ensureQueue(q.spec);
    await bus.ensureQueue({ ...q.spec, duplicateWindowMs: 30_000 });
    expect(await errorOf(bus.ensureQueue({ ...q.spec, storage: "memory" }))).toEqual({
      code: "failed_precondition",
      message: `queue ${q.spec.name} exists with file storage and cannot change to memory`,
    });
  });

  test("a second queue over the same subjects, or a second consumer over the same messages, is refused", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    const clash = `${q.spec.name}_clash`;
    const queueErr = await errorOf(bus.ensureQueue({ name: clash, subjects: q.spec.subjects }));
    await bus.deleteQueue(clash); // in case an implementation wrongly created it
    ctx.track(await bus.consume({ queue: q.spec.name, consumer: "first" }, async (m) => m.ack()));
    const consumerErr = await errorOf(bus.consume({ queue: q.spec.name, consumer: "second" }, async (m) => m.ack()));
    expect({ queueErr, consumerErr }).toEqual({
      queueErr: { code: "failed_precondition", message: expect.stringContaining(clash) },
      consumerErr: { code: "failed_precondition", message: expect.stringContaining("consumer second") },
    });
  });

  test("publishing where no queue listens is not_found; a consumer of a missing queue too", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("nowhere");
    expect(await errorOf(bus.publish(subject, bytes("x")))).toEqual({
      code: "not_found",
      message: `no queue captures subject ${subject}`,
    });
    expect(await errorOf(bus.consume({ queue: "MXTEST_missing_queue", consumer: "w" }, async () => {}))).toEqual({
      code: "not_found",
      message: "queue MXTEST_missing_queue does not exist",
    });
  });

  test("two consumers with one durable name share the work; each message is handled once", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    const total = 10;
    const handled: { by: string; data: string }[] = [];
    const done = counter();
    const busy = counter();
    const bothBusy = busy.reached(2);
    const handler = (by: string) => async (m: BusMessage) => {
      busy.hit();
      // Hold the first two messages until both consumers have one, so both provably take work.
      if (busy.count <= 2) await bothBusy;
      handled.push({ by, data: text(m.data) });
      await m.ack();
      done.hit();
    };
    ctx.track(await bus.consume({ queue: q.spec.name, consumer: "shared" }, handler("a")));
    ctx.track(await bus.consume({ queue: q.spec.name, consumer: "shared" }, handler("b")));
    for (let i = 0; i < total; i++) await bus.publish(q.subject(), bytes(`m${i}`));
    await done.reached(total);
    const datas = handled.map((h) => h.data).sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)));
    const by = new Set(handled.map((h) => h.by));
    expect({ datas, by: [...by].sort() }).toEqual({
      datas: Array.from({ length: total }, (_, i) => `m${i}`),
      by: ["a", "b"],
    });
  });

  test("a repeated msgId inside the window is a duplicate and is delivered once", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    const acks = [
      await bus.publish(q.subject(), bytes("once"), { msgId: "job-1" }),
      await bus.publish(q.subject(), bytes("once again"), { msgId: "job-1" }),
      await bus.publish(q.subject(), bytes("sentinel"), { msgId: "job-2" }),
    ];
    const handled: Seen[] = [];
    const sentinel = deferred();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
        handled.push(seen(m));
        await m.ack();
        if (text(m.data) === "sentinel") sentinel.resolve();
      }),
    );
    await sentinel.promise;
    expect({ acks, handled }).toEqual({
      acks: [
        { duplicate: false, seq: 1 },
        { duplicate: true, seq: 1 },
        { duplicate: false, seq: 2 },
      ],
      handled: [
        { data: "once", deliveryCount: 1 },
        { data: "sentinel", deliveryCount: 1 },
      ],
    });
  });

  test("the same msgId after the window is a new message", async () => {
    const bus = ctx.bus();
    const windowMs = 200;
    const q = await ctx.freshQueue({ duplicateWindowMs: windowMs });
    const start = Date.now();
    const first = await bus.publish(q.subject(), bytes("a"), { msgId: "k" });
    // No event marks the end of a dedup window: retry until the bus takes it, with a deadline.
    let again = await bus.publish(q.subject(), bytes("b"), { msgId: "k" });
    while (again.duplicate && Date.now() - start < 5_000) {
      await work(20);
      again = await bus.publish(q.subject(), bytes("b"), { msgId: "k" });
    }
    expect({ first, again, waitedWindow: Date.now() - start >= windowMs - 20 }).toEqual({
      first: { duplicate: false, seq: 1 },
      again: { duplicate: false, seq: 2 },
      waitedWindow: true,
    });
  });

  test("a message not acked within the ack wait is delivered again with deliveryCount 2", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    await bus.publish(q.subject(), bytes("slow"));
    const release = deferred();
    ctx.onCleanup(() => release.resolve());
    const second = deferred();
    const handled: (Seen & { at: number })[] = [];
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w", ackWaitMs: 200, concurrency: 2 }, async (m) => {
        handled.push({ ...seen(m), at: Date.now() });
        if (m.deliveryCount === 1) {
          await release.promise; // neither acks nor reports progress
          return;
        }
        await m.ack();
        second.resolve();
      }),
    );
    await second.promise;
    release.resolve();
    const gap = (handled[1]?.at ?? 0) - (handled[0]?.at ?? 0);
    expect({ handled: handled.map(({ at: _, ...s }) => s), waitedAckWait: gap >= 180 }).toEqual({
      handled: [
        { data: "slow", deliveryCount: 1 },
        { data: "slow", deliveryCount: 2 },
      ],
      waitedAckWait: true,
    });
  });

  test("working() keeps a long handler's message from being delivered again", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    await bus.publish(q.subject(), bytes("long job"));
    const handled: Seen[] = [];
    const acked = deferred();
    ctx.track(
      // A second slot is free, so a redelivery would show up while the first handler runs.
      await bus.consume({ queue: q.spec.name, consumer: "w", ackWaitMs: 300, concurrency: 2 }, async (m) => {
        handled.push(seen(m));
        if (m.deliveryCount > 1) return;
        for (let i = 0; i < 6; i++) {
          await work(100);
          m.working();
        }
        await m.ack();
        acked.resolve();
      }),
    );
    await acked.promise;
    expect(handled).toEqual([{ data: "long job", deliveryCount: 1 }]);
  });

  test("nak() redelivers at once, nak(delay) after the delay", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    await bus.publish(q.subject(), bytes("retry me"));
    const handled: (Seen & { at: number })[] = [];
    const done = deferred();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
        handled.push({ ...seen(m), at: Date.now() });
        if (m.deliveryCount === 1) await m.nak();
        else if (m.deliveryCount === 2) await m.nak(250);
        else {
          await m.ack();
          done.resolve();
        }
      }),
    );
    await done.promise;
    const delayed = (handled[2]?.at ?? 0) - (handled[1]?.at ?? 0);
    expect({ counts: handled.map((h) => h.deliveryCount), delayHonoured: delayed >= 230 }).toEqual({
      counts: [1, 2, 3],
      delayHonoured: true,
    });
  });

  test("a handler that throws gets its message delivered again, and the failure is logged", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    await bus.publish(q.subject(), bytes("flaky"));
    const handled: Seen[] = [];
    const done = deferred();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
        handled.push(seen(m));
        if (m.deliveryCount === 1) throw new Error("simulated failure, password=hunter2");
        await m.ack();
        done.resolve();
      }),
    );
    await done.promise;
    expect({ handled, logs: ctx.takeLogs() }).toEqual({
      handled: [
        { data: "flaky", deliveryCount: 1 },
        { data: "flaky", deliveryCount: 2 },
      ],
      logs: [
        `error: bus: handler for ${q.subject()} (queue ${q.spec.name}, consumer w, seq 1) failed (delivery 1): simulated failure, password=***`,
      ],
    });
  });

  test("term() means never again; maxDeliver stops redelivery", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    const ackWaitMs = 150;
    const handled: Seen[] = [];
    const step = counter();
    const done = deferred();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w", maxDeliver: 2, ackWaitMs }, async (m) => {
        handled.push(seen(m));
        const data = text(m.data);
        if (data === "poison") await m.term("cannot parse");
        else if (data === "always fails") await m.nak();
        else if (m.deliveryCount === 1) await m.nak(3 * ackWaitMs);
        else {
          await m.ack();
          done.resolve();
        }
        step.hit();
      }),
    );
    // One message at a time, each published once the previous one's fate is decided. The last
    // one comes back only after several ack waits, time in which a wrongly kept message would
    // have been delivered again.
    await bus.publish(q.subject(), bytes("poison"));
    await step.reached(1);
    await bus.publish(q.subject(), bytes("always fails"));
    await step.reached(3);
    await bus.publish(q.subject(), bytes("sentinel"));
    await done.promise;
    expect({ handled, logs: ctx.takeLogs() }).toEqual({
      handled: [
        { data: "poison", deliveryCount: 1 },
        { data: "always fails", deliveryCount: 1 },
        { data: "always fails", deliveryCount: 2 },
        { data: "sentinel", deliveryCount: 1 },
        { data: "sentinel", deliveryCount: 2 },
      ],
      logs: [`warn: bus: terminated ${q.subject()} (queue ${q.spec.name}, consumer w, seq 1): cannot parse`],
    });
  });

  test("stop() lets the in-flight handler finish; its un-acked message goes to the next consumer", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    await bus.publish(q.subject(), bytes("in flight"));
    const order: string[] = [];
    const started = deferred();
    const release = deferred();
    ctx.onCleanup(() => release.resolve());
    const first = await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
      order.push(`first got delivery ${m.deliveryCount}`);
      started.resolve();
      await release.promise;
      order.push("first handler returned without ack");
    });
    ctx.track(first);
    await started.promise;
    const stopped = first.stop().then(() => order.push("stop resolved"));
    // A round trip to the bus gives a stop() that does not wait a chance to resolve too early.
    await bus.ensureQueue(q.spec);
    release.resolve();
    await stopped;
    const next = deferred<Seen>();
    ctx.track(
      await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
        next.resolve(seen(m));
        await m.ack();
      }),
    );
    expect({ order, next: await next.promise }).toEqual({
      order: ["first got delivery 1", "first handler returned without ack", "stop resolved"],
      next: { data: "in flight", deliveryCount: 2 },
    });
  });

  test("a message over maxPayload, a wildcard subject or a reserved header is refused with invalid_argument", async () => {
    const bus = ctx.bus();
    const q = await ctx.freshQueue();
    expect([
      await errorOf(bus.publish(q.subject(), new Uint8Array(bus.maxPayload + 1))),
      await errorOf(bus.publish(q.subject("*"), bytes("x"))),
      await errorOf(bus.publish(q.subject(), bytes("x"), { headers: { "Nats-Msg-Id": "k" } })),
    ]).toEqual([
      {
        code: "invalid_argument",
        message: `message to ${q.subject()} is ${bus.maxPayload + 1} bytes, over the bus max payload of ${bus.maxPayload} bytes`,
      },
      { code: "invalid_argument", message: `publish subject "${q.subject("*")}" contains a wildcard` },
      {
        code: "invalid_argument",
        message: `publish to ${q.subject()}: header "Nats-Msg-Id" is reserved to the bus (set msgId for dedup)`,
      },
    ]);
  });
}
