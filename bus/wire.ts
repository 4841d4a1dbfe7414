// Core (non-persisted) publish/subscribe that request/reply runs on. NATS core and the
// in-process bus each provide one, so the reply protocol in rpc.ts exists once.

import type { Headers } from "./types.ts";

export interface WireMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Headers;
  readonly reply?: string;
  /** The server reported that nobody subscribes to the subject a request went to. */
  readonly noResponders?: boolean;
}

export interface WireSubscription {
  unsubscribe(): void;
}

export interface Wire {
  readonly maxPayload: number;
  /** Fire-and-forget; throws only when the message cannot be sent at all (closed, too big). */
  publish(subject: string, data: Uint8Array, opts?: { headers?: Headers; reply?: string }): void;
  subscribe(subject: string, onMsg: (msg: WireMsg) => void, opts?: { queue?: string }): WireSubscription;
  createInbox(): string;
}

export interface BusLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: BusLogger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/** Protocol headers of the reply stream: only these names are reserved (callers use others, e.g. mx-correlation-id). */
export const H = {
  credit: "Mx-Credit",
  timeout: "Mx-Timeout",
  flow: "Mx-Flow",
  seq: "Mx-Seq",
  end: "Mx-End",
  errorCode: "Mx-Error-Code",
  error: "Mx-Error",
  cancel: "Mx-Cancel",
} as const;

const PROTOCOL_HEADERS = new Set(Object.values(H).map((h) => h.toLowerCase()));

const encoder = new TextEncoder();

/**
 * Bytes the headers take on the wire in the NATS encoding ("NATS/1.0\r\n", "k: v\r\n" each, "\r\n"),
 * so a size check gives the same answer on both buses.
 */
export function headerBytes(headers: Headers | undefined): number {
  if (!headers) return 0;
  const entries = Object.entries(headers);
  if (entries.length === 0) return 0;
  let size = "NATS/1.0\r\n\r\n".length;
  for (const [k, v] of entries) size += encoder.encode(k).length + encoder.encode(v).length + 4;
  return size;
}

/** Headers a caller may see or set: the reply protocol's own headers removed. */
export function userHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!PROTOCOL_HEADERS.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

/** Header values travel on one line: line breaks would corrupt the frame. */
export function headerValue(text: string, max = 2000): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
