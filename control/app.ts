// The control plane as one object: Elysia app with the Connect services, /healthz and /metrics,
// plus the bus side (agent requests, job events, lease reaper).
import { Elysia } from "elysia";
import { DEFAULT_STREAM_PREFIX, queueSpecs, streamNames } from "../bus/streams.ts";
import type { Bus } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import { createLogger, type Logger } from "../common/log.ts";
import { BACKUP_RETENTION_KIND, backupRetentionHandler } from "./backups/index.ts";
import { type BusSide, startBusSide } from "./bus-side/serve.ts";
import { driftScheduleHandler } from "./drift/index.ts";
import type { ExplorerControlHooks } from "./explorer/index.ts";
import {
  createGitOpsRuntime,
  GITOPS_SCHEDULE_KIND,
  type GitOpsOptions,
  gitopsScheduleHandler,
  handleWebhook,
} from "./gitops/index.ts";
import type { PasswordCost } from "./identity/index.ts";
import { createControlMetrics } from "./metrics.ts";
import { createRpcHandler } from "./rpc/router.ts";
import { createRunNotifier } from "./runs/notifier.ts";
import { type Clock, createScheduler, type Scheduler, systemClock } from "./schedules/index.ts";
import type { Store } from "./store/index.ts";
import { TRANSFER_KIND, transferScheduleHandler } from "./transfers/index.ts";

export interface ControlAppOptions {
  store: Store;
  bus: Bus;
  /** Prefix of the JetStream stream names (jobs, events); tests use a unique one. Default "MX". */
  streamPrefix?: string;
  /** Lease length granted to agents (default 30 s). */
  leaseTtlMs?: number;
  /** How often agents renew (default a third of the TTL). */
  leaseRenewMs?: number;
  /** How often lapsed leases are looked for (default 5 s). */
  reaperIntervalMs?: number;
  /** WatchRun re-read interval without an in-process wake-up (default 1 s). */
  watchPollMs?: number;
  /** argon2id cost of account passwords (default Bun's: 64 MiB, 2 passes); tests set it low. */
  passwordCost?: PasswordCost;
  /** Deadline of interactive agent calls (default 30 s). */
  agentRequestTimeoutMs?: number;
  /** An agent seen (announce, lease) within this window is online (default 2 min). */
  agentOnlineMs?: number;
  /** Redelivery wait of an unacked job event (default 30 s). */
  eventsAckWaitMs?: number;
  /** Back-off before a failed transfer attempt is retried: base × 2^(attempt-1) (default 5 s). */
  transferRetryBaseMs?: number;
  /** The shared scheduler's time source (tests pass a manual clock); default the system clock. */
  clock?: Clock;
  /** GitOps: secret key (default env MIGRATRIX_SECRET_KEY), git cache dir, provider HTTP client. */
  gitops?: GitOpsOptions;
  /** Test hook: switches the explorer's classifier off (control/explorer/query.ts). */
  explorerHooks?: ExplorerControlHooks;
  log?: Logger;
}

function buildHttp(routes: {
  health: () => Promise<Response>;
  metrics: () => Promise<Response>;
  rpc: (req: Request) => Promise<Response>;
  webhook: (params: { provider: string; linkId: string }, req: Request) => Promise<Response>;
  slack: (req: Request) => Promise<Response>;
  discord: (req: Request) => Promise<Response>;
}) {
  return (
    new Elysia()
      .get("/healthz", routes.health)
      .get("/metrics", routes.metrics)
      // The raw body is what the provider signed: Elysia must not parse it.
      .post("/webhooks/:provider/:linkId", ({ params, request }) => routes.webhook(params, request), { parse: "none" })
      // The Slack app's Request URL when its receiver is mounted here (bun start); raw body: it is signed.
      .post("/slack/events", ({ request }) => routes.slack(request), { parse: "none" })
      // Discord's Interactions Endpoint URL when mounted here (bun start); raw body: it is signed.
      .post("/discord/interactions", ({ request }) => routes.discord(request), { parse: "none" })
      .mount(routes.rpc)
  );
}

export interface ControlApp {
  app: ReturnType<typeof buildHttp>;
  /** The whole HTTP surface as a fetch function (tests call it without a port). */
  fetch: (req: Request) => Promise<Response>;
  /** Listens on 127.0.0.1 unless hostname says otherwise; port 0 picks a free port. */
  start(port: number, hostname?: string): Promise<{ port: number; url: string }>;
  /** Stops HTTP and the bus side; the store and bus stay open (the caller owns them). */
  stop(): Promise<void>;
  /** The one scheduler loop (drift checks, transfers), running from createControlApp on. */
  scheduler: Scheduler;
  /**
   * Serves /slack/events with this handler (the Slack bot's verifying receiver, composed by the
   * launcher: control never imports bots); 404 until mounted.
   */
  mountSlackEvents(handler: ((req: Request) => Promise<Response>) | undefined): void;
  /** Serves /discord/interactions with this handler (the bot's Ed25519-verifying one); 404 until mounted. */
  mountDiscordInteractions(handler: ((req: Request) => Promise<Response>) | undefined): void;
}

export async function createControlApp(opts: ControlAppOptions): Promise<ControlApp> {
  const log = opts.log ?? createLogger({ fields: { component: "control" } });
  const db = opts.store.db;
  const metrics = createControlMetrics(db);
  const notifier = createRunNotifier();
  const shutdown = new AbortController();
  // Before anything starts: a malformed MIGRATRIX_SECRET_KEY stops the control plane here.
  const gitops = createGitOpsRuntime({
    secretKey: process.env.MIGRATRIX_SECRET_KEY,
    allowFileRemotes: process.env.MIGRATRIX_GITOPS_ALLOW_FILE === "1",
    ...opts.gitops,
  });
  const gitopsDeps = { db, bus: opts.bus, log, gitops, agentOnlineMs: opts.agentOnlineMs ?? 120_000 };
  const ttlMs = opts.leaseTtlMs ?? 30_000;
  const lease = { ttlMs, renewEveryMs: opts.leaseRenewMs ?? Math.max(1, Math.floor(ttlMs / 3)) };
  if (lease.renewEveryMs >= ttlMs) {
    throw new MigratrixError(
      "invalid_argument",
      `leaseRenewMs ${lease.renewEveryMs} must be shorter than leaseTtlMs ${ttlMs}`,
    );
  }

  const streamPrefix = opts.streamPrefix ?? DEFAULT_STREAM_PREFIX;
  const eventsQueue = queueSpecs(streamPrefix).find((q) => q.name === streamNames(streamPrefix).events)!;
  const busSide: BusSide = await startBusSide({
    db,
    bus: opts.bus,
    notifier,
    metrics,
    log,
    streamPrefix,
    lease,
    reaperIntervalMs: opts.reaperIntervalMs ?? 5_000,
    eventsAckWaitMs: opts.eventsAckWaitMs,
    agentOnlineMs: opts.agentOnlineMs,
    transferRetryBaseMs: opts.transferRetryBaseMs,
  });

  const agentRequestTimeoutMs = opts.agentRequestTimeoutMs ?? 30_000;
  const clock = opts.clock ?? systemClock;
  const scheduler = createScheduler({
    db,
    log,
    clock,
    handlers: {
      drift: driftScheduleHandler({ db, bus: opts.bus, agentRequestTimeoutMs }),
      [BACKUP_RETENTION_KIND]: backupRetentionHandler({ db, bus: opts.bus, agentRequestTimeoutMs }),
      [GITOPS_SCHEDULE_KIND]: gitopsScheduleHandler(gitopsDeps),
      [TRANSFER_KIND]: transferScheduleHandler({ db, bus: opts.bus }),
    },
  });
  scheduler.start();

  const rpc = createRpcHandler({
    db,
    bus: opts.bus,
    notifier,
    log,
    metrics,
    agentRequestTimeoutMs,
    agentOnlineMs: opts.agentOnlineMs ?? 120_000,
    watchPollMs: opts.watchPollMs ?? 1_000,
    passwordCost: opts.passwordCost,
    ...(opts.explorerHooks ? { explorerHooks: opts.explorerHooks } : {}),
    shutdownSignal: shutdown.signal,
    gitops,
    scheduler,
    clock,
  });

  const health = async () => {
    const check = async (probe: () => Promise<void>) => {
      try {
        await probe();
        return "ok";
      } catch (err) {
        return `down: ${MigratrixError.from(err).message}`;
      }
    };
    const store = await check(() => opts.store.ping());
    // The bus has no ping; re-asserting the events queue is an idempotent round trip to it.
    const bus = await check(() => opts.bus.ensureQueue(eventsQueue));
    const ok = store === "ok" && bus === "ok";
    return new Response(JSON.stringify({ status: ok ? "ok" : "degraded", store, bus, busKind: opts.bus.kind }), {
      status: ok ? 200 : 503,
      headers: { "content-type": "application/json" },
    });
  };

  let slackEvents: ((req: Request) => Promise<Response>) | undefined;
  let discordInteractions: ((req: Request) => Promise<Response>) | undefined;
  const app = buildHttp({
    health,
    metrics: async () =>
      new Response(await metrics.registry.metrics(), { headers: { "content-type": metrics.registry.contentType } }),
    rpc: (req) => rpc(req) ?? Promise.resolve(new Response("not found", { status: 404 })),
    webhook: (params, req) => handleWebhook(gitopsDeps, params, req),
    slack: (req) => slackEvents?.(req) ?? Promise.resolve(new Response("not found", { status: 404 })),
    discord: (req) => discordInteractions?.(req) ?? Promise.resolve(new Response("not found", { status: 404 })),
  });

  let server: ReturnType<typeof Bun.serve> | undefined;
  return {
    app,
    fetch: (req) => Promise.resolve(app.handle(req)),
    async start(port, hostname = "127.0.0.1") {
      server = Bun.serve({ port, hostname, fetch: (req) => app.handle(req), idleTimeout: 0 });
      const bound = server.port ?? port;
      return { port: bound, url: `http://${hostname}:${bound}` };
    },
    async stop() {
      shutdown.abort(new MigratrixError("unavailable", "control plane is shutting down"));
      await scheduler.stop();
      await server?.stop(true);
      await busSide.stop();
    },
    scheduler,
    mountSlackEvents(handler) {
      slackEvents = handler;
    },
    mountDiscordInteractions(handler) {
      discordInteractions = handler;
    },
  };
}
