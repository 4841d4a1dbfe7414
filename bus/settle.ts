// One delivered work-queue message as handlers see it, for both buses: the first of ack, nak and
// term decides its fate; a handler that returns (or throws) without deciding gets a nak, so the
// message goes straight to the next consumer instead of waiting out the ack wait.

import { MigratrixError } from "../common/errors.ts";
import type { BusMessage, Headers } from "./types.ts";
import type { BusLogger } from "./wire.ts";

export interface DeliveryOps {
  ack(): Promise<void>;
  nak(delayMs: number): Promise<void>;
  term(reason: string | undefined): Promise<void>;
  working(): void;
}

export interface DeliveredMessage extends BusMessage {
  readonly settled: boolean;
}

export function deliveredMessage(
  fields: { subject: string; data: Uint8Array; headers: Headers; deliveryCount: number },
  ops: DeliveryOps,
  log: { logger: BusLogger; where: string },
): DeliveredMessage {
  let settled = false;
  const once = async (op: () => Promise<void>) => {
    if (settled) return;
    settled = true;
    await op();
  };
  return {
    ...fields,
    get settled() {
      return settled;
    },
    ack: () => once(() => ops.ack()),
    nak: (delayMs = 0) => once(() => ops.nak(Math.max(0, delayMs))),
    term: (reason?: string) =>
      once(() => {
        // A terminated job is never retried: the reason must survive somewhere.
        if (reason) log.logger.warn(`bus: terminated ${log.where}: ${reason}`);
        return ops.term(reason);
      }),
    working() {
      if (!settled) ops.working();
    },
  };
}

export async function runHandler(
  msg: DeliveredMessage,
  handler: (msg: BusMessage) => Promise<void>,
  logger: BusLogger,
  where: string,
): Promise<void> {
  try {
    await handler(msg);
  } catch (err) {
    logger.error(
      `bus: handler for ${where} failed (delivery ${msg.deliveryCount}): ${MigratrixError.from(err).message}`,
    );
  }
  if (msg.settled) return;
  try {
    await msg.nak();
  } catch (err) {
    // The ack wait brings it back anyway; worth a line because that takes longer.
    logger.error(`bus: could not nak ${where}: ${MigratrixError.from(err).message}`);
  }
}
