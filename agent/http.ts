// /healthz and /metrics for the agent (MIGRATRIX_AGENT_PORT, default 4002) on Bun.serve.
import type { AgentMetrics } from "./metrics.ts";

export interface Health {
  ok: boolean;
  agentId: string;
  version: string;
  bus: "connected" | "disconnected";
  jobsInFlight: number;
}

export interface AgentHttpServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

export function startAgentHttp(opts: {
  port: number;
  hostname?: string;
  metrics: AgentMetrics;
  health: () => Health;
}): AgentHttpServer {
  const server = Bun.serve({
    port: opts.port,
    hostname: opts.hostname ?? "0.0.0.0",
    async fetch(req) {
      const { pathname } = new URL(req.url);
      if (req.method !== "GET") return new Response("method not allowed\n", { status: 405 });
      if (pathname === "/healthz") {
        const h = opts.health();
        return Response.json(h, { status: h.ok ? 200 : 503 });
      }
      if (pathname === "/metrics") {
        return new Response(await opts.metrics.registry.metrics(), {
          headers: { "content-type": opts.metrics.registry.contentType },
        });
      }
      return new Response("not found\n", { status: 404 });
    },
  });
  const port = server.port ?? opts.port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () => server.stop(true),
  };
}
