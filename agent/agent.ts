// The agent process: announces itself, serves interactive requests, consumes its job queue and
// runs jobs through the engines' runner. Composed from a bus and a vault the caller provides, so
// the standalone binary (agent/main.ts) and the embedded launcher build it the same way.
import { queueSpecs, streamNames } from "../bus/streams.ts";
import { subjects, subjectToken } from "../bus/subjects.ts";
import type { Bus, Subscription } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import { createLogger, type Logger } from "../common/log.ts";
import { announce, isFatalAnnounceError } from "./announce.ts";
import type { ExplorerHooks } from "./explorer.ts";
import type { FaultHooks } from "./faults.ts";
import { type AgentHttpServer, type Health, startAgentHttp } from "./http.ts";
import { createJobHandler } from "./jobs.ts";
import { createLeaseClient } from "./lease.ts";
import { type AgentMetrics, createAgentMetrics } from "./metrics.ts";
import { createRpcHandler } from "./rpc.ts";
import type { Vault } from "./vault.ts";
import { AGENT_VERSION } from "./version.ts";

export interface CreateAgentOptions {
  bus: Bus;
  workspaceId: string;
  /** Default: the id stored in the vault. */
  agentId?: string;
  /** Agent token, sent as `authorization: Bearer <token>` on announce and lease requests. */
  token: string;
  vault: Vault;
  /** Prefix of the stream names `<prefix>_JOBS`, `<prefix>_EVENTS` (default "MX"; tests isolate with it). */
  streamPrefix?: string;
  /** Re-announce interval (default 30 s). */
  heartbeatMs?: number;
  /** JetStream redelivers a job after this long without an ack or in-progress ack (default 30 s). */
  ackWaitMs?: number;
  /** Delay before a job whose run another agent holds is offered again (default 5 s). */
  leaseRetryMs?: number;
  /** Deadline of announce and lease requests (default 10 s). */
  requestTimeoutMs?: number;
  /** Deadline to connect to a target database (default 10 s). */
  connectTimeoutMs?: number;
  /** Test hook: runner hooks that stop at a fixed point (agent/faults.ts). */
  faultHooks?: FaultHooks;
  /** Test hook: a transfer job stops after its Nth chunk (arrow-transfer/faults.ts). */
  transferFault?: { afterChunk: number };
  /** Test hook: switches the explorer's session guard off (agent/explorer.ts). */
  explorerHooks?: ExplorerHooks;
  log?: Logger;
  metrics?: AgentMetrics;
  /** Serve /healthz and /metrics on this port (0 = any free port); none when undefined. */
  httpPort?: number;
  httpHostname?: string;
}

export interface Agent {
  readonly agentId: string;
  readonly workspaceId: string;
  readonly metrics: AgentMetrics;
  /** The /healthz and /metrics server, once started with httpPort. */
  readonly http: AgentHttpServer | undefined;
  start(): Promise<void>;
  /** Stops taking work, lets the job in flight finish, and closes what start() opened. */
  stop(): Promise<void>;
  health(): Health;
}

export function createAgent(opts: CreateAgentOptions): Agent {
  const agentId = subjectToken("agent", opts.agentId ?? opts.vault.agentId);
  const workspaceId = subjectToken("workspace", opts.workspaceId);
  const log = (opts.log ?? createLogger()).child({ agentId, workspaceId });
  const metrics = opts.metrics ?? createAgentMetrics();
  const streams = streamNames(opts.streamPrefix);
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const heartbeatMs = opts.heartbeatMs ?? 30_000;

  const leases = createLeaseClient({
    bus: opts.bus,
    workspaceId,
    agentId,
    token: opts.token,
    requestTimeoutMs,
    metrics,
    log,
  });
  const jobs = createJobHandler({
    bus: opts.bus,
    workspaceId,
    agentId,
    vault: opts.vault,
    leases,
    leaseRetryMs: opts.leaseRetryMs ?? 5_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    faultHooks: opts.faultHooks,
    ...(opts.transferFault ? { transferFault: opts.transferFault } : {}),
    metrics,
    log,
  });
  const rpc = createRpcHandler({
    vault: opts.vault,
    agentId,
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    metrics,
    log,
    ...(opts.explorerHooks ? { explorerHooks: opts.explorerHooks } : {}),
  });

  let subs: Subscription[] = [];
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let http: AgentHttpServer | undefined;
  let state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  let announced = false;
  let refused: string | undefined;

  const doAnnounce = () =>
    announce({
      bus: opts.bus,
      workspaceId,
      agentId,
      token: opts.token,
      vault: opts.vault,
      timeoutMs: requestTimeoutMs,
    });

  const beat = async () => {
    heartbeat = undefined;
    try {
      await doAnnounce();
      if (!announced) log.info("announced to the control plane");
      announced = true;
      refused = undefined;
    } catch (err) {
      const e = MigratrixError.from(err, "unavailable");
      if (isFatalAnnounceError(e)) refused = e.message;
      log.warn("announce failed", { code: e.code, error: e.message });
    }
    if (state === "running") heartbeat = setTimeout(beat, heartbeatMs);
  };

  const health = (): Health => ({
    ok: state === "running" && refused === undefined,
    agentId,
    version: AGENT_VERSION,
    bus: state === "running" ? "connected" : "disconnected",
    jobsInFlight: jobs.inFlight(),
  });

  return {
    agentId,
    workspaceId,
    metrics,
    get http() {
      return http;
    },
    health,
    async start() {
      if (state !== "new") throw new MigratrixError("failed_precondition", `agent ${agentId} was already started`);
      state = "starting";
      try {
        for (const spec of queueSpecs(opts.streamPrefix)) await opts.bus.ensureQueue(spec);
        // Serve requests before announcing: control may call the agent as soon as it knows it.
        subs.push(await opts.bus.serve(subjects.agentRpc(workspaceId, agentId), rpc.handle));
        try {
          await doAnnounce();
          announced = true;
        } catch (err) {
          // A refused agent must not run jobs; an unreachable control plane is retried by heartbeat.
          if (isFatalAnnounceError(err)) throw err;
          log.warn("control plane not reachable yet; will announce on the next heartbeat", {
            error: MigratrixError.from(err).message,
          });
        }
        subs.push(
          await opts.bus.consume(
            {
              queue: streams.jobs,
              consumer: `agent-${agentId}`,
              filterSubject: subjects.jobs(workspaceId, agentId),
              ackWaitMs: opts.ackWaitMs ?? 30_000,
            },
            jobs.handle,
          ),
        );
        if (opts.httpPort !== undefined) {
          http = startAgentHttp({ port: opts.httpPort, hostname: opts.httpHostname, metrics, health });
        }
        state = "running";
        metrics.busConnected.set(1);
        heartbeat = setTimeout(beat, heartbeatMs);
        log.info("agent started", {
          version: AGENT_VERSION,
          bus: opts.bus.kind,
          connections: opts.vault.connections().length,
          http: http?.url,
        });
      } catch (err) {
        state = "stopping";
        await Promise.allSettled(subs.map((s) => s.stop()));
        subs = [];
        state = "stopped";
        throw MigratrixError.from(err, "unavailable");
      }
    },
    async stop() {
      if (state === "stopped" || state === "stopping") return;
      state = "stopping";
      if (heartbeat) clearTimeout(heartbeat);
      heartbeat = undefined;
      // Stopping the consumer waits for the job in flight; un-acked work is redelivered later.
      await Promise.allSettled(subs.map((s) => s.stop()));
      subs = [];
      await http?.stop();
      metrics.busConnected.set(0);
      state = "stopped";
      log.info("agent stopped");
    },
  };
}
