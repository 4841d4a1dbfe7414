// Request/reply half of the bus contract: streamed replies with credit-based flow control.

import { expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import type { ContractContext } from "./contract.ts";
import { bytes, counter, deferred, errorOf, text, until, work } from "./contract-helpers.ts";
import type { ReplyStream } from "./types.ts";

const num = (i: number) => bytes(String(i));

/** Sends frames until the requester stops it; reports how the responder's side ended. */
async function sendUntilStopped(reply: ReplyStream, max: number): Promise<{ cancelled: boolean; code: string }> {
  try {
    for (let i = 0; i < max; i++) await reply.send(num(i));
    return { cancelled: reply.cancelled, code: "none" };
  } catch (err) {
    return { cancelled: reply.cancelled, code: MigratrixError.from(err).code };
  }
}

export function rpcCases(ctx: ContractContext): void {
  test("requestOne: one frame back; the handler sees subject, data and the caller's headers", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("rpc");
    const seenReq = deferred<object>();
    ctx.track(
      await bus.serve(subject, async (req, reply) => {
        seenReq.resolve({ subject: req.subject, data: text(req.data), headers: req.headers });
        await reply.send(bytes(`echo:${text(req.data)}`));
      }),
    );
    const headers = { "X-Who": "test", "mx-correlation-id": "c-2", authorization: "Bearer t" };
    // The reply protocol's own headers cannot be forged by a caller; everything else passes.
    const answer = await bus.requestOne(subject, bytes("ping"), { headers: { ...headers, "Mx-End": "1" } });
    expect({ answer: text(answer), req: await seenReq.promise }).toEqual({
      answer: "echo:ping",
      req: { subject, data: "ping", headers },
    });
  });

  test("a streamed reply of 1000 frames arrives complete and in order, never more than credit ahead", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("stream");
    const credit = 4;
    let consumed = 0;
    let maxAhead = 0;
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        for (let i = 0; i < 1000; i++) {
          await reply.send(num(i));
          maxAhead = Math.max(maxAhead, i + 1 - consumed);
        }
        await reply.end();
      }),
    );
    const frames: number[] = [];
    for await (const f of bus.request(subject, bytes("go"), { credit })) {
      consumed++;
      frames.push(Number(text(f)));
      // Now and then the consumer is busy for a moment, which a responder ignoring credit would use.
      if (frames.length % 100 === 0) await work(2);
    }
    expect({ frames, withinCredit: maxAhead <= credit }).toEqual({
      frames: Array.from({ length: 1000 }, (_, i) => i),
      withinCredit: true,
    });
  });

  test("a slow consumer holds the responder back", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("slow");
    const ping = ctx.freshSubject("ping");
    const credit = 4;
    const total = 50;
    const attempted = counter();
    let sent = 0;
    ctx.track(await bus.serve(ping, async (_req, reply) => reply.send(bytes("pong"))));
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        for (let i = 0; i < total; i++) {
          attempted.hit();
          await reply.send(num(i));
          sent++;
        }
      }),
    );
    const frames: number[] = [];
    let snapshot: object | undefined;
    for await (const f of bus.request(subject, bytes("go"), { credit })) {
      frames.push(Number(text(f)));
      if (frames.length === 2) {
        // Paused inside the loop: the responder can use its window and must then block.
        await attempted.reached(credit + 1);
        await bus.requestOne(ping, bytes("barrier"));
        snapshot = { blockedInSend: attempted.count - sent, withinCredit: sent <= frames.length + credit };
      }
    }
    expect({ snapshot, frames }).toEqual({
      snapshot: { blockedInSend: 1, withinCredit: true },
      frames: Array.from({ length: total }, (_, i) => i),
    });
  });

  test("a requester that breaks out of its loop cancels the responder", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("cancel");
    const outcome = deferred<{ cancelled: boolean; code: string }>();
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        outcome.resolve(await sendUntilStopped(reply, 1_000_000));
      }),
    );
    const frames: string[] = [];
    for await (const f of bus.request(subject, bytes("go"), { credit: 2 })) {
      frames.push(text(f));
      break;
    }
    expect({ frames, responder: await outcome.promise }).toEqual({
      frames: ["0"],
      responder: { cancelled: true, code: "canceled" },
    });
  });

  test("nobody serving the subject: unavailable", async () => {
    const subject = ctx.freshSubject("nobody");
    expect(await errorOf(ctx.bus().requestOne(subject, bytes("x")))).toEqual({
      code: "unavailable",
      message: `no agent serves ${subject}`,
    });
  });

  test("the whole-call timeout: deadline_exceeded, and the responder sees cancelled", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("silent");
    const responderSaw = deferred<boolean>();
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        // ReplyStream.cancelled has no event to wait on.
        await until(() => reply.cancelled, "the requester's cancel");
        responderSaw.resolve(reply.cancelled);
      }),
    );
    const err = await errorOf(bus.requestOne(subject, bytes("x"), { timeoutMs: 150 }));
    expect({ err, responderSawCancel: await responderSaw.promise }).toEqual({
      err: { code: "deadline_exceeded", message: `request to ${subject} got no complete reply in 150 ms` },
      responderSawCancel: true,
    });
  });

  test("the idle timeout between frames: deadline_exceeded after the frames that came", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("stalls");
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        await reply.send(bytes("first"));
        await until(() => reply.cancelled, "the requester's cancel");
      }),
    );
    const frames: string[] = [];
    const err = await errorOf(
      (async () => {
        for await (const f of bus.request(subject, bytes("x"), { timeoutMs: 10_000, idleTimeoutMs: 150 })) {
          frames.push(text(f));
        }
      })(),
    );
    expect({ frames, err }).toEqual({
      frames: ["first"],
      err: { code: "deadline_exceeded", message: `request to ${subject} got no reply frame for 150 ms` },
    });
  });

  test("a responder's fail(), MigratrixError or plain error reaches the requester with code and message", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("fails");
    ctx.track(
      await bus.serve(subject, async (req, reply) => {
        await reply.send(bytes("partial"));
        const how = text(req.data);
        if (how === "fail") await reply.fail("permission_denied", "role viewer cannot run DDL on prod");
        else if (how === "throw") throw new MigratrixError("not_found", "connection prod/main not found");
        else throw new Error("cannot connect to postgres://bob:hunter2@db.internal/app");
      }),
    );
    const outcome = async (how: string) => {
      const frames: string[] = [];
      const err = await errorOf(
        (async () => {
          for await (const f of bus.request(subject, bytes(how))) frames.push(text(f));
        })(),
      );
      return { frames, err };
    };
    expect([await outcome("fail"), await outcome("throw"), await outcome("crash")]).toEqual([
      { frames: ["partial"], err: { code: "permission_denied", message: "role viewer cannot run DDL on prod" } },
      { frames: ["partial"], err: { code: "not_found", message: "connection prod/main not found" } },
      {
        frames: ["partial"],
        err: { code: "internal", message: "cannot connect to postgres://bob:***@db.internal/app" },
      },
    ]);
  });

  test("a frame or request over maxPayload is refused with invalid_argument", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("big");
    const refused = deferred<{ code: string; message: string }>();
    ctx.track(
      await bus.serve(subject, async (_req, reply) => {
        refused.resolve(await errorOf(reply.send(new Uint8Array(bus.maxPayload))));
        await reply.send(bytes("small is fine"));
      }),
    );
    const answer = await bus.requestOne(subject, bytes("x"));
    const tooBigRequest = await errorOf(bus.requestOne(subject, new Uint8Array(bus.maxPayload)));
    expect({ answer: text(answer), refused: await refused.promise, tooBigRequest }).toEqual({
      answer: "small is fine",
      refused: {
        code: "invalid_argument",
        message: expect.stringMatching(
          new RegExp(`^reply frame to ${subject} is \\d+ bytes, over the bus max payload of ${bus.maxPayload} bytes$`),
        ),
      },
      tooBigRequest: {
        code: "invalid_argument",
        message: expect.stringMatching(
          new RegExp(`^request to ${subject} is \\d+ bytes, over the bus max payload of ${bus.maxPayload} bytes$`),
        ),
      },
    });
  });

  test("a queue group shares requests: each is answered by exactly one server", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("group");
    const serveAs = (id: string) =>
      bus.serve(subject, async (_req, reply) => reply.send(bytes(id)), { queueGroup: "agents" });
    ctx.track(await serveAs("a"));
    ctx.track(await serveAs("b"));
    const answers: string[] = [];
    for (let i = 0; i < 20; i++) answers.push(text(await bus.requestOne(subject, bytes(String(i)))));
    // With random choice both servers answer some of 20 requests except with probability 2^-19.
    expect({ count: answers.length, servers: [...new Set(answers)].sort() }).toEqual({
      count: 20,
      servers: ["a", "b"],
    });
  });

  test("after serve().stop() nobody answers", async () => {
    const bus = ctx.bus();
    const subject = ctx.freshSubject("stopped");
    const sub = ctx.track(await bus.serve(subject, async (_req, reply) => reply.send(bytes("here"))));
    const before = text(await bus.requestOne(subject, bytes("x")));
    await sub.stop();
    expect({ before, after: await errorOf(bus.requestOne(subject, bytes("x"))) }).toEqual({
      before: "here",
      after: { code: "unavailable", message: `no agent serves ${subject}` },
    });
  });
}
