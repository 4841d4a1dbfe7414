// The responder's side of a streamed reply: announces a per-request flow subject, sends frames
// only while the requester has granted credit, and stops when the requester cancels or its
// deadline passes.

import { isErrorCode, MigratrixError, redactSecrets } from "../common/errors.ts";
import { DEFAULT_CREDIT } from "./rpc-request.ts";
import { subjectProblem } from "./subject-match.ts";
import type { BusRequest, Headers, ReplyStream, ServeOptions, Subscription } from "./types.ts";
import { type BusLogger, H, headerBytes, headerValue, userHeaders, type Wire, type WireMsg } from "./wire.ts";

const EMPTY = new Uint8Array(0);

/** What the bus tracks of a request being served, to cancel it when the bus closes. */
export interface ServedRequest {
  cancel(reason: string): void;
}

interface ServeContext {
  wire: Wire;
  logger: BusLogger;
  served: Set<ServedRequest>;
}

type Handler = (req: BusRequest, reply: ReplyStream) => Promise<void>;

export function serveOn(ctx: ServeContext, subject: string, handler: Handler, opts: ServeOptions = {}): Subscription {
  const problem = subjectProblem(subject, { wildcards: true });
  if (problem) throw new MigratrixError("invalid_argument", `serve subject "${subject}" ${problem}`);
  const active = new Set<Promise<void>>();
  let stopping = false;
  const sub = ctx.wire.subscribe(
    subject,
    (m) => {
      if (stopping) return;
      if (m.reply === undefined) {
        ctx.logger.warn(`bus: message on ${m.subject} has no reply subject; ignored`);
        return;
      }
      const p: Promise<void> = answer(ctx, m, m.reply, handler).finally(() => active.delete(p));
      active.add(p);
    },
    opts.queueGroup === undefined ? {} : { queue: opts.queueGroup },
  );
  return {
    async stop() {
      stopping = true;
      sub.unsubscribe();
      await Promise.allSettled([...active]);
    },
  };
}

async function answer(ctx: ServeContext, m: WireMsg, replyTo: string, handler: Handler): Promise<void> {
  const { wire, logger } = ctx;
  const subject = m.subject;
  const asked = Number(m.headers[H.credit]);
  let credit = Number.isInteger(asked) && asked >= 1 ? asked : DEFAULT_CREDIT;
  let seq = 0;
  let closed = false;
  let cancelled = false;
  let cancelReason = "";
  const waiters = new Set<() => void>();
  const flowInbox = wire.createInbox();

  const wakeAll = () => {
    for (const w of waiters) w();
    waiters.clear();
  };
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const served: ServedRequest = {
    cancel(reason) {
      if (cancelled) return;
      cancelled = true;
      cancelReason = reason;
      // A handler that ignores the cancel must not keep a timer (and the process) alive.
      clearTimeout(deadline);
      wakeAll();
    },
  };
  const flowSub = wire.subscribe(flowInbox, (fm) => {
    if (fm.headers[H.cancel] !== undefined) {
      served.cancel("the requester gave up");
      return;
    }
    const grant = Number(fm.headers[H.credit]);
    if (Number.isInteger(grant) && grant > 0) {
      credit += grant;
      wakeAll();
    }
  });
  // The requester's deadline also bounds this side, so a requester that vanished without a
  // cancel cannot keep a responder waiting for credit forever.
  const requesterTimeout = Number(m.headers[H.timeout]);
  if (Number.isFinite(requesterTimeout) && requesterTimeout > 0) {
    deadline = setTimeout(() => served.cancel("the requester's deadline passed"), requesterTimeout);
  }
  ctx.served.add(served);

  const publish = (data: Uint8Array, headers: Headers) => {
    try {
      wire.publish(replyTo, data, { headers });
    } catch (err) {
      throw MigratrixError.from(err, "unavailable");
    }
  };
  const finish = (headers: Headers) => {
    if (closed) return;
    closed = true;
    if (cancelled) return;
    seq++;
    publish(EMPTY, { ...headers, [H.seq]: String(seq) });
  };

  const reply: ReplyStream = {
    get cancelled() {
      return cancelled;
    },
    async send(data, headers) {
      if (closed) throw new MigratrixError("failed_precondition", `reply to ${subject} already ended`);
      const frameHeaders: Headers = { ...userHeaders(headers ?? {}), [H.seq]: String(seq + 1) };
      const size = data.byteLength + headerBytes(frameHeaders);
      if (size > wire.maxPayload) {
        throw new MigratrixError(
          "invalid_argument",
          `reply frame to ${subject} is ${size} bytes, over the bus max payload of ${wire.maxPayload} bytes`,
        );
      }
      while (credit <= 0 && !cancelled && !closed) {
        await new Promise<void>((resolve) => waiters.add(resolve));
      }
      if (cancelled) throw new MigratrixError("canceled", `request on ${subject} was cancelled: ${cancelReason}`);
      if (closed) throw new MigratrixError("failed_precondition", `reply to ${subject} already ended`);
      credit--;
      seq++;
      publish(data, { ...frameHeaders, [H.seq]: String(seq) });
    },
    async end() {
      finish({ [H.end]: "1" });
    },
    async fail(code, message) {
      finish({
        [H.errorCode]: isErrorCode(code) ? code : "unknown",
        [H.error]: headerValue(redactSecrets(message)),
      });
    },
  };

  try {
    publish(EMPTY, { [H.flow]: flowInbox });
    await handler({ subject, data: m.data, headers: userHeaders(m.headers) }, reply);
    await reply.end();
  } catch (err) {
    const e = MigratrixError.from(err);
    if (cancelled) {
      if (e.code !== "canceled") logger.warn(`bus: handler for ${subject} failed after cancel: ${e.message}`);
    } else if (!closed) {
      try {
        await reply.fail(e.code, e.message);
      } catch (sendErr) {
        logger.error(`bus: could not send the error reply on ${subject}: ${MigratrixError.from(sendErr).message}`);
      }
    } else {
      logger.error(`bus: handler for ${subject} failed after its reply ended: ${e.message}`);
    }
  } finally {
    closed = true;
    wakeAll();
    clearTimeout(deadline);
    flowSub.unsubscribe();
    ctx.served.delete(served);
  }
}
