import { expect, test } from "bun:test";
import { busContract } from "./contract.ts";
import { createMemoryBus } from "./memory.ts";

busContract("memory", (logger) => createMemoryBus({ logger }));

test("memory bus: close() clears its timers, so the process exits with work still pending", async () => {
  const child = Bun.spawn([process.execPath, "run", `${import.meta.dir}/memory-close.fixture.ts`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  // The exit is the event; the deadline only turns "never exits" into a failure.
  const deadline = setTimeout(() => child.kill(), 10_000);
  const exitCode = await child.exited;
  clearTimeout(deadline);
  expect({
    exitCode,
    signal: child.signalCode,
    stdout: await new Response(child.stdout).text(),
    stderr: await new Response(child.stderr).text(),
  }).toEqual({
    exitCode: 0,
    signal: null,
    stdout: "closed; request ended with: the bus was closed\n",
    stderr: "",
  });
}, 15_000);
