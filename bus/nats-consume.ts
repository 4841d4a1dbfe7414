// Pull-consuming a JetStream work queue with a durable consumer. Each of `concurrency` workers
// pulls one message at a time, so nothing waits in a client buffer while its ack wait runs out,
// and stop() can close idle pulls at once (the server drops a pull nobody listens to).

import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/nats-core";
import { MigratrixError } from "../common/errors.ts";
import { fromNats, isNotFound, plainHeaders } from "./nats-errors.ts";
import { type ResolvedConsumeOptions, resolveConsumeOptions } from "./options.ts";
import { deliveredMessage, runHandler } from "./settle.ts";
import type { BusMessage, ConsumeOptions, Subscription } from "./types.ts";
import type { BusLogger } from "./wire.ts";

export interface ConsumeDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  logger: BusLogger;
  /** How long one pull waits at the server before it is renewed (>= 1000 ms). */
  pullExpiresMs: number;
}

async function ensureConsumer(deps: ConsumeDeps, c: ResolvedConsumeOptions): Promise<Consumer> {
  const { jsm, js } = deps;
  const wanted = {
    ack_wait: nanos(c.ackWaitMs),
    max_deliver: c.maxDeliver,
    ...(c.filterSubject === undefined ? {} : { filter_subject: c.filterSubject }),
  };
  const where = `consumer ${c.consumer} on queue ${c.queue}`;
  try {
    const info = await jsm.consumers.info(c.queue, c.consumer);
    const cur = info.config;
    if (
      cur.ack_wait !== wanted.ack_wait ||
      cur.max_deliver !== wanted.max_deliver ||
      (cur.filter_subject ?? undefined) !== c.filterSubject
    ) {
      await jsm.consumers.update(c.queue, c.consumer, wanted);
    }
  } catch (err) {
    if (!isNotFound(err)) throw fromNats(err, `cannot set up ${where}`);
    try {
      await jsm.consumers.add(c.queue, {
        durable_name: c.consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ...wanted,
      });
    } catch (addErr) {
      if (isNotFound(addErr)) throw new MigratrixError("not_found", `queue ${c.queue} does not exist`);
      throw fromNats(addErr, `cannot create ${where}`);
    }
  }
  try {
    return await js.consumers.get(c.queue, c.consumer);
  } catch (err) {
    throw fromNats(err, `cannot open ${where}`);
  }
}

export async function natsConsume(
  deps: ConsumeDeps,
  opts: ConsumeOptions,
  handler: (msg: BusMessage) => Promise<void>,
): Promise<Subscription> {
  const config = resolveConsumeOptions(opts);
  const consumer = await ensureConsumer(deps, config);
  const { nc, logger } = deps;
  const pulls = new Set<ConsumerMessages>();
  const pauses = new Set<() => void>();
  let stopping = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pauses.add(done);
    });

  async function handle(m: JsMsg): Promise<void> {
    const where = `${m.subject} (queue ${config.queue}, consumer ${config.consumer}, seq ${m.seq})`;
    const msg = deliveredMessage(
      { subject: m.subject, data: m.data, headers: plainHeaders(m.headers), deliveryCount: m.info.deliveryCount },
      {
        ack: async () => {
          try {
            await m.ackAck();
          } catch (err) {
            throw fromNats(err, `ack of ${where} not confirmed (it may be delivered again)`);
          }
        },
        nak: async (delayMs) => {
          m.nak(delayMs > 0 ? delayMs : undefined);
          await nc.flush();
        },
        term: async () => {
          // Servers before 2.11 do not take a reason with +TERM; deliveredMessage logs it.
          m.term();
          await nc.flush();
        },
        working: () => m.working(),
      },
      { logger, where },
    );
    await runHandler(msg, handler, logger, where);
  }

  async function worker(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let pull: ConsumerMessages | undefined;
      try {
        pull = await consumer.fetch({ max_messages: 1, expires: deps.pullExpiresMs });
        pulls.add(pull);
        if (stopping) closePull(pull);
        for await (const m of pull) {
          if (stopping) {
            // Arrived while stopping: hand it straight back for the next consumer.
            m.nak();
            continue;
          }
          failures = 0;
          await handle(m);
        }
      } catch (err) {
        if (stopping) break;
        failures++;
        logger.warn(
          `bus: pulling from queue ${config.queue} (consumer ${config.consumer}) failed, retry ${failures}: ${
            fromNats(err, "pull").message
          }`,
        );
        await pause(Math.min(250 * 2 ** (failures - 1), 5_000));
      } finally {
        if (pull) pulls.delete(pull);
      }
    }
  }

  function closePull(p: ConsumerMessages): void {
    p.close().catch((err: unknown) => logger.warn(`bus: closing a pull on ${config.queue} failed: ${String(err)}`));
  }

  const workers = Array.from({ length: config.concurrency }, () => worker());
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        // close() resolves only once the iterator is drained, which the worker does: do not await it.
        for (const p of pulls) closePull(p);
        for (const wake of [...pauses]) wake();
        await Promise.allSettled(workers);
        if (!nc.isClosed()) await nc.flush();
      })();
      return stopped;
    },
  };
}
