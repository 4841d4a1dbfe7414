// Local TCP endpoints for connect-error cases, all on 127.0.0.1: a port nothing listens on, and a
// server that accepts connections and never answers (to exercise connectTimeoutMs).

/** A port that was free a moment ago: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

export function silentServer(): { port: number; [Symbol.asyncDispose](): Promise<void> } {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  return {
    port: server.port,
    async [Symbol.asyncDispose]() {
      server.stop(true);
    },
  };
}
