// Interactive request/reply with streamed, credit-controlled replies over a core Wire; never
// persisted. Shared by the NATS and in-process buses so both speak one protocol:
//   request  → subject, reply=<inbox>, headers Mx-Credit (window), Mx-Timeout (ms)
//   hello    ← inbox, Mx-Flow=<flow subject> (per request, chosen by the responder)
//   frames   ← inbox, Mx-Seq=1..n; at most `credit` ahead of what the requester consumed
//   grants   → flow subject, Mx-Credit=<k>;  cancel → flow subject, Mx-Cancel=<reason>
//   end      ← inbox, Mx-End;  error ← inbox, Mx-Error-Code + Mx-Error

import { MigratrixError } from "../common/errors.ts";
import { busClosed } from "./options.ts";
import { type OpenCall, startRequest } from "./rpc-request.ts";
import { type ServedRequest, serveOn } from "./rpc-serve.ts";
import type { Bus } from "./types.ts";
import type { BusLogger, Wire } from "./wire.ts";

export type Rpc = Pick<Bus, "serve" | "request" | "requestOne"> & {
  /** Fails open calls and cancels requests being served. */
  close(): void;
};

export function createRpc(wire: Wire, logger: BusLogger): Rpc {
  const calls = new Set<OpenCall>();
  const served = new Set<ServedRequest>();
  const ctx = { wire, logger, calls, served };
  let closed = false;

  const rpc: Rpc = {
    async serve(subject, handler, opts) {
      if (closed) throw busClosed(`serve ${subject}`);
      return serveOn(ctx, subject, handler, opts);
    },
    request(subject, data, opts) {
      return {
        [Symbol.asyncIterator]: () => {
          if (closed) throw busClosed(`send a request to ${subject}`);
          return startRequest(ctx, subject, data, opts);
        },
      };
    },
    async requestOne(subject, data, opts) {
      let first: Uint8Array | undefined;
      for await (const frame of rpc.request(subject, data, opts)) {
        if (first !== undefined) {
          throw new MigratrixError("internal", `${subject} replied with more than one frame where one was expected`);
        }
        first = frame;
      }
      if (first === undefined) throw new MigratrixError("internal", `${subject} ended its reply without a frame`);
      return first;
    },
    close() {
      closed = true;
      const closedErr = new MigratrixError("unavailable", "the bus was closed");
      for (const call of [...calls]) call.abort(closedErr);
      for (const req of [...served]) req.cancel("the bus was closed");
    },
  };
  return rpc;
}
