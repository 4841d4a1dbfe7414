// Closing a bus: nothing in flight is lost or left hanging, and nothing new starts.

import { expect, test } from "bun:test";
import type { ContractContext } from "./contract.ts";
import { bytes, deferred, errorOf, text, until, work } from "./contract-helpers.ts";

export function closeCases(ctx: ContractContext): void {
  test("close() fails open requests, cancels served ones, and lets in-flight handlers finish", async () => {
    const bus = await ctx.extraBus();
    const q = await ctx.freshQueue();
    await bus.ensureQueue(q.spec);
    const subject = ctx.freshSubject("closing");
    const serving = deferred();
    const responderSaw = deferred<boolean>();
    await bus.serve(subject, async (_req, reply) => {
      serving.resolve();
      await until(() => reply.cancelled, "the cancel from close()");
      responderSaw.resolve(reply.cancelled);
    });
    const handling = deferred();
    const handled: string[] = [];
    await bus.consume({ queue: q.spec.name, consumer: "w" }, async (m) => {
      handling.resolve();
      await work(50);
      await m.ack();
      handled.push(`${text(m.data)} acked`);
    });
    await bus.publish(q.subject(), bytes("job"));
    const request = errorOf(bus.requestOne(subject, bytes("x")));
    await Promise.all([serving.promise, handling.promise]);
    await bus.close();
    expect({
      request: await request,
      responderSawCancel: await responderSaw.promise,
      handledBeforeCloseReturned: [...handled],
      afterClose: await errorOf(bus.publish(q.subject(), bytes("late"))),
      serveAfterClose: await errorOf(bus.serve(subject, async () => {})),
    }).toEqual({
      request: { code: "unavailable", message: "the bus was closed" },
      responderSawCancel: true,
      handledBeforeCloseReturned: ["job acked"],
      afterClose: { code: "unavailable", message: `cannot publish to ${q.subject()}: the bus is closed` },
      serveAfterClose: { code: "unavailable", message: `cannot serve ${subject}: the bus is closed` },
    });
  });
}
