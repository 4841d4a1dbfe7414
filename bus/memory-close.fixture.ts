// Run as its own process by memory.test.ts: leaves every kind of timer the in-process bus
// starts (nak delay, ack wait, request and responder deadlines) pending, then closes the bus.
// The process must then exit by itself.

import { createMemoryBus } from "./memory.ts";

const quiet = { warn() {}, error() {} };
const bus = createMemoryBus({ logger: quiet });
await bus.ensureQueue({ name: "FIXTURE", subjects: ["fixture.>"] });
const naked = Promise.withResolvers<void>();
const holding = Promise.withResolvers<void>();
const release = Promise.withResolvers<void>();
const serving = Promise.withResolvers<void>();
await bus.consume({ queue: "FIXTURE", consumer: "w", ackWaitMs: 600_000, concurrency: 2 }, async (m) => {
  if (new TextDecoder().decode(m.data) === "delay") {
    await m.nak(600_000);
    naked.resolve();
    return;
  }
  holding.resolve();
  await release.promise; // in flight with its ack-wait timer running when close() begins
  await m.ack();
});
await bus.publish("fixture.a", new TextEncoder().encode("delay"));
await bus.publish("fixture.b", new TextEncoder().encode("hold"));
await bus.serve("fixture.rpc", async () => {
  serving.resolve();
  await new Promise(() => {}); // never answers and ignores the cancel
});
const request = bus.requestOne("fixture.rpc", new Uint8Array(0), { timeoutMs: 600_000 }).catch((err: Error) => err);
await Promise.all([naked.promise, holding.promise, serving.promise]);
const closed = bus.close();
release.resolve();
await closed;
const outcome = await request;
console.log(`closed; request ended with: ${outcome instanceof Error ? outcome.message : "a reply"}`);
