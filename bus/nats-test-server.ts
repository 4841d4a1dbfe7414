// A nats-server of a test's own (JetStream on, its own store directory), for restart and fault
// tests that must never disturb the shared server. Port -1 picks a free port; pass the port back in
// to restart on the same one.

export interface TestNatsServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts nats-server and resolves once it reports it is ready (its own log line is the event). */
export async function startNatsServer(port: number, storeDir: string): Promise<TestNatsServer> {
  const proc = Bun.spawn(["nats-server", "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let log = "";
  let listening: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`nats-server exited before it was ready:\n${log}`);
    log += decoder.decode(value);
    listening ??= Number(/Listening for client connections on [\d.]+:(\d+)/.exec(log)?.[1] ?? Number.NaN) || undefined;
    if (listening !== undefined && log.includes("Server is ready")) break;
  }
  reader.releaseLock();
  const boundPort = listening;
  // Keep draining its log so a full pipe can never stall the server.
  void proc.stderr.pipeTo(new WritableStream());
  return {
    port: boundPort,
    url: `nats://127.0.0.1:${boundPort}`,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
