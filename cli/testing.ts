// Helpers for the cli tests: capture an in-process mx run, and serve hand-written Connect service
// implementations over real HTTP (port 0) for client-side behaviour the real control plane cannot
// be made to show on demand (a watch stream breaking mid-run, several agents online).
import { type ConnectRouter, createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import type { CliIo } from "./commands/types.ts";

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(opts: Partial<CliIo> & { tty?: boolean } = {}): CapturedIo {
  let stdout = "";
  let stderr = "";
  return {
    stdout: { write: (t: string) => (stdout += t), isTTY: opts.tty ?? false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: opts.env ?? {},
    cwd: opts.cwd ?? "/",
    ...(opts.watch === undefined ? {} : { watch: opts.watch }),
    out: () => stdout,
    err: () => stderr,
  };
}

export interface FakeControl {
  url: string;
  port: number;
  /** Authorization headers received, in order. */
  authorizations: string[];
  /** Drops every open connection at once, as a crashed server would. */
  crash(): void;
  /** Serves again on the same port after a crash. */
  restart(): void;
  stop(): Promise<void>;
}

export function startFakeControl(routes: (router: ConnectRouter) => void): FakeControl {
  const router = createConnectRouter();
  routes(router);
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
  const authorizations: string[] = [];
  const fetch = (req: Request): Promise<Response> | Response => {
    authorizations.push(req.headers.get("authorization") ?? "");
    const handler = handlers.get(new URL(req.url).pathname);
    return handler === undefined ? new Response("not found", { status: 404 }) : handler(req);
  };
  let server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch });
  const port = server.port ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    authorizations,
    crash: () => {
      void server.stop(true);
    },
    restart: () => {
      server = Bun.serve({ hostname: "127.0.0.1", port, fetch });
    },
    stop: async () => {
      await server.stop(true);
    },
  };
}
