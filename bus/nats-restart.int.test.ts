// The NATS bus across a server restart: it reconnects by itself, logs it, and keeps consuming
// and serving. Runs its own nats-server (random port, temporary store) so the shared one is
// never disturbed.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytes, counter, deferred, text } from "./contract-helpers.ts";
import { createNatsBus } from "./nats.ts";
import { type TestNatsServer as Server, startNatsServer as startServer } from "./nats-test-server.ts";
import type { Bus } from "./types.ts";

const storeDir = mkdtempSync(join(tmpdir(), "mx-nats-"));
let server: Server | undefined;
let bus: Bus | undefined;

afterAll(async () => {
  await bus?.close();
  await server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

test("after a server restart the bus reconnects, logs it, and keeps consuming and serving", async () => {
  server = await startServer(-1, storeDir);
  const { port } = server;
  const logs: string[] = [];
  const disconnected = deferred();
  const reconnected = deferred();
  bus = await createNatsBus({
    url: `nats://127.0.0.1:${port}`,
    reconnectWaitMs: 50,
    pullExpiresMs: 1_000,
    logger: {
      warn(m) {
        logs.push(m);
        if (m.startsWith("bus: disconnected")) disconnected.resolve();
        if (m.startsWith("bus: reconnected")) reconnected.resolve();
      },
      error: (m) => logs.push(m),
    },
  });
  await bus.ensureQueue({ name: "RESTART", subjects: ["restart.jobs"] });
  const handled: string[] = [];
  const jobs = counter();
  await bus.consume({ queue: "RESTART", consumer: "w", ackWaitMs: 1_000 }, async (m) => {
    handled.push(text(m.data));
    await m.ack();
    jobs.hit();
  });
  await bus.serve("restart.rpc", async (req, reply) => reply.send(bytes(`pong ${text(req.data)}`)));

  await bus.publish("restart.jobs", bytes("before"));
  await jobs.reached(1);
  await server.stop();
  await disconnected.promise;
  server = await startServer(port, storeDir);
  await reconnected.promise;

  await bus.publish("restart.jobs", bytes("after"));
  await jobs.reached(2);
  const pong = text(await bus.requestOne("restart.rpc", bytes("again")));
  expect({
    handled,
    pong,
    connectionLog: logs.filter((l) => /^bus: (dis|re)connected/.test(l)),
  }).toEqual({
    handled: ["before", "after"],
    pong: "pong again",
    connectionLog: [
      `bus: disconnected from NATS 127.0.0.1:${port}; reconnecting`,
      `bus: reconnected to NATS 127.0.0.1:${port}`,
    ],
  });
}, 30_000);
