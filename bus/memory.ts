// The in-process bus, the embedded default: the same semantics as NATS JetStream for work
// queues and the same reply protocol for request/reply, with nothing leaving the process.
// "file" and "memory" storage both live in memory here.

import { createMemoryQueues } from "./memory-queue.ts";
import { createMemoryWire } from "./memory-wire.ts";
import { createRpc } from "./rpc.ts";
import type { Bus } from "./types.ts";
import { type BusLogger, consoleLogger } from "./wire.ts";

export interface MemoryBusOptions {
  /** Largest message in bytes, data plus headers (default 1 MiB, NATS's default max_payload). */
  maxPayload?: number;
  logger?: BusLogger;
}

export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export function createMemoryBus(opts: MemoryBusOptions = {}): Bus {
  const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const logger = opts.logger ?? consoleLogger;
  const wire = createMemoryWire({ maxPayload });
  const queues = createMemoryQueues({ logger, maxPayload });
  const rpc = createRpc(wire, logger);
  let closing: Promise<void> | undefined;

  return {
    kind: "memory",
    maxPayload,
    async ensureQueue(spec) {
      queues.ensureQueue(spec);
    },
    async deleteQueue(name) {
      queues.deleteQueue(name);
    },
    async publish(subject, data, o) {
      return queues.publish(subject, data, o);
    },
    async consume(o, handler) {
      return queues.consume(o, handler);
    },
    serve: rpc.serve,
    request: rpc.request,
    requestOne: rpc.requestOne,
    close() {
      closing ??= (async () => {
        rpc.close();
        await queues.close();
        wire.close();
      })();
      return closing;
    },
  } satisfies Bus;
}
