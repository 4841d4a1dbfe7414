// Public surface of the bus: the contract, subject names, and the two implementations.

import { createMemoryBus } from "./memory.ts";
import { createNatsBus } from "./nats.ts";
import type { Bus } from "./types.ts";
import type { BusLogger } from "./wire.ts";

export { DEFAULT_MAX_PAYLOAD, type MemoryBusOptions } from "./memory.ts";
export type { NatsBusOptions } from "./nats.ts";
export { DEFAULT_STREAM_PREFIX, queueSpecs, streamNames } from "./streams.ts";
export { subjects, subjectToken } from "./subjects.ts";
export type * from "./types.ts";
export type { BusLogger } from "./wire.ts";
export { createMemoryBus, createNatsBus };

/**
 * NATS JetStream when NATS_URL is set (NATS_TOKEN, NATS_USER, NATS_PASSWORD optional, or
 * credentials in the URL), the in-process bus otherwise (the embedded default).
 */
export async function createBusFromEnv(
  env: Record<string, string | undefined> = process.env,
  opts: { name?: string; logger?: BusLogger } = {},
): Promise<Bus> {
  const url = env.NATS_URL?.trim();
  if (!url) return createMemoryBus({ logger: opts.logger });
  return createNatsBus({
    url,
    name: opts.name,
    token: env.NATS_TOKEN || undefined,
    user: env.NATS_USER || undefined,
    pass: env.NATS_PASSWORD || undefined,
    logger: opts.logger,
  });
}
