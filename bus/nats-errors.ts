// Mapping nats.js errors and headers onto the bus's own types.

import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { type MsgHdrs, NoRespondersError, RequestError, TimeoutError } from "@nats-io/nats-core";
import { type ErrorCode, MigratrixError, redactSecrets } from "../common/errors.ts";
import type { Headers } from "./types.ts";

// JetStream API error codes (nats-server errors.json) that mean the request cannot succeed as asked.
const PRECONDITION_CODES = new Set([
  10058, // stream name already in use with a different configuration
  10065, // subjects overlap with an existing stream
  10099, // multiple non-filtered consumers not allowed on workqueue stream
  10100, // filtered consumer not unique on workqueue stream
  10148, // consumer already exists (different configuration)
]);

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = err;
  while (e !== undefined && e !== null && chain.length < 8) {
    chain.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return chain;
}

export function isNoResponders(err: unknown): boolean {
  return causes(err).some((e) => e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders()));
}

export function isNotFound(err: unknown): boolean {
  return causes(err).some(
    (e) =>
      e instanceof JetStreamApiError &&
      (e.code === JetStreamApiCodes.StreamNotFound || e.code === JetStreamApiCodes.ConsumerNotFound),
  );
}

function codeFor(err: unknown): ErrorCode {
  for (const e of causes(err)) {
    if (e instanceof MigratrixError) return e.code;
    if (e instanceof JetStreamApiError) {
      if (e.code === JetStreamApiCodes.StreamNotFound || e.code === JetStreamApiCodes.ConsumerNotFound) {
        return "not_found";
      }
      if (PRECONDITION_CODES.has(e.code)) return "failed_precondition";
      if (e.status === 400) return "invalid_argument";
      return "internal";
    }
    if (e instanceof TimeoutError) return "deadline_exceeded";
    if (e instanceof NoRespondersError) return "unavailable";
  }
  return "unavailable";
}

/** A MigratrixError saying what failed (`context`) and why, without secrets. */
export function fromNats(err: unknown, context: string): MigratrixError {
  if (err instanceof MigratrixError) return err;
  const why = err instanceof Error ? err.message : String(err);
  return new MigratrixError(codeFor(err), redactSecrets(`${context}: ${why}`), {}, { cause: err });
}

/** First value of each header, without the ones JetStream adds itself (Nats-Msg-Id, …). */
export function plainHeaders(h: MsgHdrs | undefined): Headers {
  const out: Headers = {};
  if (!h) return out;
  for (const [k, values] of h) {
    if (k.toLowerCase().startsWith("nats-")) continue;
    const v = values[0];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
