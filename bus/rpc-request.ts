// The requester's side of a streamed reply: one inbox per call, credit granted as the caller
// consumes frames, cancel sent to the responder when the caller stops early or times out.

import { isErrorCode, MigratrixError } from "../common/errors.ts";
import { subjectProblem } from "./subject-match.ts";
import type { Headers, RequestOptions } from "./types.ts";
import { type BusLogger, H, headerBytes, userHeaders, type Wire, type WireMsg, type WireSubscription } from "./wire.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CREDIT = 16;

const EMPTY = new Uint8Array(0);

/** What the bus tracks of an open call, to fail it when the bus closes. */
export interface OpenCall {
  abort(err: MigratrixError): void;
}

interface CallContext {
  wire: Wire;
  logger: BusLogger;
  calls: Set<OpenCall>;
}

type State = "idle" | "open" | "ended" | "failed" | "cancelled";

export function startRequest(
  ctx: CallContext,
  subject: string,
  data: Uint8Array,
  opts: RequestOptions = {},
): AsyncIterator<Uint8Array> {
  const { wire, logger } = ctx;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idleTimeoutMs = opts.idleTimeoutMs ?? timeoutMs;
  const credit = opts.credit ?? DEFAULT_CREDIT;
  // Granting in batches of half the window halves the control traffic and cannot stall: the
  // responder always has at least credit - batch + 1 frames it may still send.
  const grantBatch = Math.max(1, Math.floor(credit / 2));

  let state: State = "idle";
  let failure: MigratrixError | undefined;
  let sub: WireSubscription | undefined;
  let flow: string | undefined;
  let cancelWhenFlowKnown = false;
  let expectSeq = 1;
  let owed = 0;
  let yielded = false;
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;

  const call: OpenCall = { abort: (err) => fail(err, false) };

  function release(): void {
    clearTimeout(deadline);
    clearTimeout(idle);
    deadline = undefined;
    idle = undefined;
    sub?.unsubscribe();
    sub = undefined;
    ctx.calls.delete(call);
  }

  function notify(): void {
    const w = wake;
    wake = undefined;
    w?.();
  }

  function sendFlow(headers: Headers): void {
    if (flow === undefined) return;
    try {
      wire.publish(flow, EMPTY, { headers });
    } catch (err) {
      // The responder's own deadline ends its side when a cancel or grant cannot be sent.
      logger.warn(`bus: could not send ${Object.keys(headers).join(",")} for request to ${subject}: ${String(err)}`);
    }
  }

  function cancelResponder(reason: string): void {
    if (flow !== undefined) sendFlow({ [H.cancel]: reason });
    else cancelWhenFlowKnown = true;
  }

  function fail(err: MigratrixError, tellResponder: boolean): void {
    if (state !== "open" && state !== "idle") return;
    state = "failed";
    failure = err;
    if (tellResponder) cancelResponder(err.code);
    if (cancelWhenFlowKnown) {
      // Keep listening for the responder's first message only until the whole-call deadline.
      clearTimeout(idle);
      if (deadline === undefined) release();
    } else {
      release();
    }
    notify();
  }

  function onMsg(m: WireMsg): void {
    if (m.noResponders) {
      if (state === "open") fail(new MigratrixError("unavailable", `no agent serves ${subject}`), false);
      else release();
      return;
    }
    const h = m.headers;
    const flowSubject = h[H.flow];
    if (flowSubject !== undefined) {
      flow = flowSubject;
      if (cancelWhenFlowKnown) {
        cancelResponder("cancelled");
        release();
      }
      return;
    }
    if (state !== "open") {
      if (h[H.end] !== undefined || h[H.errorCode] !== undefined) release();
      return;
    }
    const seq = Number(h[H.seq]);
    if (seq !== expectSeq) {
      fail(
        new MigratrixError("data_loss", `reply from ${subject} lost frames: got frame ${seq}, expected ${expectSeq}`),
        true,
      );
      return;
    }
    expectSeq++;
    const code = h[H.errorCode];
    if (code !== undefined) {
      fail(new MigratrixError(isErrorCode(code) ? code : "unknown", h[H.error] ?? `${subject} failed`), false);
      return;
    }
    if (h[H.end] !== undefined) {
      state = "ended";
      release();
    } else {
      queue.push(m.data);
    }
    notify();
  }

  function open(): void {
    const problem = subjectProblem(subject, { wildcards: false });
    if (problem) throw new MigratrixError("invalid_argument", `request subject "${subject}" ${problem}`);
    if (!Number.isInteger(credit) || credit < 1) {
      throw new MigratrixError("invalid_argument", `request to ${subject}: credit must be a whole number >= 1`);
    }
    const headers: Headers = {
      ...userHeaders(opts.headers ?? {}),
      [H.credit]: String(credit),
      [H.timeout]: String(timeoutMs),
    };
    const size = data.byteLength + headerBytes(headers);
    if (size > wire.maxPayload) {
      throw new MigratrixError(
        "invalid_argument",
        `request to ${subject} is ${size} bytes, over the bus max payload of ${wire.maxPayload} bytes`,
      );
    }
    const inbox = wire.createInbox();
    sub = wire.subscribe(inbox, onMsg);
    state = "open";
    ctx.calls.add(call);
    deadline = setTimeout(() => {
      deadline = undefined;
      if (state === "open") {
        fail(
          new MigratrixError("deadline_exceeded", `request to ${subject} got no complete reply in ${timeoutMs} ms`),
          true,
        );
      } else {
        release();
      }
    }, timeoutMs);
    try {
      wire.publish(subject, data, { headers, reply: inbox });
    } catch (err) {
      release();
      state = "failed";
      throw MigratrixError.from(err, "unavailable");
    }
  }

  function grantConsumed(): void {
    if (!yielded) return;
    yielded = false;
    owed++;
    if (owed >= grantBatch && state === "open" && flow !== undefined) {
      sendFlow({ [H.credit]: String(owed) });
      owed = 0;
    }
  }

  return {
    async next(): Promise<IteratorResult<Uint8Array>> {
      if (state === "idle") open();
      // A frame counts as consumed when the caller asks for the next one, so a slow loop body
      // holds the responder back.
      grantConsumed();
      for (;;) {
        const frame = queue.shift();
        if (frame !== undefined) {
          yielded = true;
          return { value: frame, done: false };
        }
        if (state === "failed" && failure) throw failure;
        if (state !== "open") return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
          idle = setTimeout(() => {
            idle = undefined;
            fail(
              new MigratrixError(
                "deadline_exceeded",
                `request to ${subject} got no reply frame for ${idleTimeoutMs} ms`,
              ),
              true,
            );
          }, idleTimeoutMs);
        });
        clearTimeout(idle);
        idle = undefined;
      }
    },
    async return(): Promise<IteratorResult<Uint8Array>> {
      if (state === "open") {
        state = "cancelled";
        queue.length = 0;
        cancelResponder("cancelled");
        if (!cancelWhenFlowKnown) release();
        else clearTimeout(idle);
      }
      return { value: undefined, done: true };
    },
  };
}
