// The one contract suite every Bus implementation runs (CONVENTIONS.md 7): work queues and
// request/reply. Called from bus/memory.test.ts and bus/nats.int.test.ts.

import { afterAll, afterEach, beforeAll, describe } from "bun:test";
import { closeCases } from "./contract-close.ts";
import { queueCases } from "./contract-queue.ts";
import { rpcCases } from "./contract-rpc.ts";
import type { Bus, QueueSpec, Subscription } from "./types.ts";
import type { BusLogger } from "./wire.ts";

export interface ContractContext {
  bus(): Bus;
  /** A queue of its own for one test: unique stream name and subject prefix, deleted afterwards. */
  freshQueue(over?: Partial<QueueSpec>): Promise<{ spec: QueueSpec; subject(leaf?: string): string }>;
  /** A subject no other test or run uses. */
  freshSubject(leaf: string): string;
  /** Stopped after the test (stop() is idempotent, so tests may stop it themselves too). */
  track<S extends Subscription>(sub: S): S;
  /** Runs after the test, before subscriptions stop (e.g. releasing a blocked handler). */
  onCleanup(fn: () => void): void;
  /** Another bus of the same kind (closed after the suite if the test did not close it). */
  extraBus(): Promise<Bus>;
  /** Lines the bus logged during this test ("warn: …", "error: …"); taking them clears them. */
  takeLogs(): string[];
}

/** makeBus must pass `logger` to the bus so tests can assert what it logs. */
export function busContract(name: string, makeBus: (logger: BusLogger) => Bus | Promise<Bus>): void {
  describe(`bus contract: ${name}`, () => {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    let bus: Bus | undefined;
    let n = 0;
    const queues: string[] = [];
    let subs: Subscription[] = [];
    let cleanups: (() => void)[] = [];
    let logs: string[] = [];
    const extras: Bus[] = [];
    const logger: BusLogger = {
      warn: (m) => logs.push(`warn: ${m}`),
      error: (m) => logs.push(`error: ${m}`),
    };

    const ctx: ContractContext = {
      bus() {
        if (!bus) throw new Error("bus not created yet");
        return bus;
      },
      async freshQueue(over = {}) {
        n++;
        const prefix = `mxtest.${run}.q${n}`;
        const spec: QueueSpec = { name: `MXTEST_${run}_${n}`, subjects: [`${prefix}.>`], ...over };
        queues.push(spec.name);
        await ctx.bus().ensureQueue(spec);
        return { spec, subject: (leaf = "job") => `${prefix}.${leaf}` };
      },
      freshSubject(leaf) {
        n++;
        return `mxtest.${run}.s${n}.${leaf}`;
      },
      track(sub) {
        subs.push(sub);
        return sub;
      },
      onCleanup(fn) {
        cleanups.push(fn);
      },
      async extraBus() {
        const extra = await makeBus(logger);
        extras.push(extra);
        return extra;
      },
      takeLogs() {
        const taken = logs;
        logs = [];
        return taken;
      },
    };

    beforeAll(async () => {
      bus = await makeBus(logger);
    });
    afterEach(async () => {
      for (const fn of cleanups) fn();
      cleanups = [];
      await Promise.all(subs.map((s) => s.stop()));
      subs = [];
      // Lines a test did not look at still get shown: they may explain a later failure.
      for (const line of ctx.takeLogs()) console.error(`[${name} bus] ${line}`);
    });
    afterAll(async () => {
      await Promise.all(extras.map((b) => b.close()));
      if (!bus) return;
      for (const q of queues) await bus.deleteQueue(q);
      await bus.close();
    });

    describe("work queues", () => queueCases(ctx));
    describe("request/reply", () => rpcCases(ctx));
    describe("closing", () => closeCases(ctx));
  });
}
