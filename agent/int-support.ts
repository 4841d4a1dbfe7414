// Set-up shared by the agent's end-to-end tests: the real control plane (PGlite store) on the real
// NATS JetStream with a unique stream prefix, a unique PostgreSQL target database, and Connect
// clients with the bootstrap admin token. Everything is dropped again by close().
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { createNatsBus } from "../bus/index.ts";
import type { Bus } from "../bus/types.ts";
import { createLogger, type Logger } from "../common/log.ts";
import { seal } from "../common/sealedbox.ts";
import {
  bootstrap,
  type ControlApp,
  type ControlAppOptions,
  createControlApp,
  type EnvironmentSpec,
  openStore,
  type Store,
  silentLogger,
} from "../control/index.ts";
import { getEngine } from "../engines/index.ts";
import type { Session } from "../engines/types.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { ConnectionService } from "../proto/gen/migratrix/control/v1/environment_pb.ts";
import { FlowService } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitOpsService } from "../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { AuditService, MigrationService, type Run, RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { type Agent, createAgent } from "./agent.ts";
import type { ExplorerHooks } from "./explorer.ts";
import { Collector } from "./test-support.ts";
import { MIN_VAULT_ITERATIONS, openVault } from "./vault.ts";

export const NATS_URL = "nats://127.0.0.1:4222";
const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/** A Connect transport to the control plane at `baseUrl` that sends `token` as the bearer. */
export function bearerTransport(baseUrl: string, token: string): Transport {
  return createConnectTransport({
    baseUrl,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
}

export interface E2E {
  suffix: string;
  prefix: string;
  targetUrl: string;
  bus: Bus;
  store: Store;
  control: ControlApp;
  workspaceId: string;
  agentToken: string;
  adminToken: string;
  /** The control plane's base URL. */
  url: string;
  connections: ReturnType<typeof createClient<typeof ConnectionService>>;
  migrations: ReturnType<typeof createClient<typeof MigrationService>>;
  flows: ReturnType<typeof createClient<typeof FlowService>>;
  audit: ReturnType<typeof createClient<typeof AuditService>>;
  gitops: ReturnType<typeof createClient<typeof GitOpsService>>;
  /** A client of any service, as the bootstrap admin (or as the holder of `token`). */
  client<S extends DescService>(service: S, token?: string): Client<S>;
  /** Seals the target URL to the announced agent and adds it as <environment>/app through the API. */
  addTargetConnection(agentId: string, environment?: string): Promise<void>;
  /** Seals any URL to the announced agent and adds it as <environment>/<name> through the API (readOnly: the connection's read credential). */
  addConnection(
    agentId: string,
    c: { name: string; environment: string; url: string; engine: Engine; readOnly?: boolean },
  ): Promise<void>;
  withTarget<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /** The target's schema snapshot without its capture time. */
  snapshot(): Promise<unknown>;
  /** True when another session can take the runner's per-target lock right now. */
  lockIsFree(): Promise<boolean>;
  /** Follows a run's event stream until the run ends (the stream closes), then reads the run. */
  untilRunEnds(runId: string): Promise<Run | undefined>;
  /** Follows every Pending or InProgress run of a stage status to its end. */
  settleRuns(runs: readonly { id: string; state: RunState }[] | undefined): Promise<void>;
  close(): Promise<void>;
}

/** The target database server: PostgreSQL (default) or MariaDB. */
export type E2ETarget = "postgresql" | "mariadb" | "sqlite";

/** Creates the unique target database; returns its URL and how to drop it again. */
async function createTarget(kind: E2ETarget, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), `${name}-`));
    return {
      url: `sqlite://${join(dir, `${name}.db`)}`,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (kind === "mariadb") {
    const admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
    await admin.query(`CREATE DATABASE ${name}`);
    return {
      url: `mariadb://root@127.0.0.1:3306/${name}`,
      async drop() {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.end();
      },
    };
  }
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export async function startE2E(
  tag: string,
  lease: { ttlMs: number; renewMs: number },
  kind: E2ETarget = "postgresql",
  environments: EnvironmentSpec[] = [{ name: "dev", position: 1 }],
  /** More control plane options (the scheduler's clock, GitOps settings). */
  controlOptions: Pick<ControlAppOptions, "clock" | "gitops" | "transferRetryBaseMs" | "explorerHooks"> = {},
): Promise<E2E> {
  const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
  const prefix = `${tag}${suffix}`;
  const targetDb = `mx_${tag.toLowerCase()}_${suffix}`;
  const created = await createTarget(kind, targetDb);
  const targetUrl = created.url;
  const store = await openStore({});
  const bus = await createNatsBus({ url: NATS_URL, name: `${tag}-control` });
  const boot = await bootstrap(store.db, { environments });
  if (!boot.adminToken || !boot.agentToken) throw new Error("bootstrap gave no tokens on a fresh store");
  const control = await createControlApp({
    store,
    bus,
    streamPrefix: prefix,
    leaseTtlMs: lease.ttlMs,
    leaseRenewMs: lease.renewMs,
    reaperIntervalMs: 50,
    watchPollMs: 50,
    agentRequestTimeoutMs: 10_000,
    log: silentLogger,
    ...controlOptions,
  });
  const { url } = await control.start(0);
  const transport = bearerTransport(url, boot.adminToken);
  const connections = createClient(ConnectionService, transport);
  const migrations = createClient(MigrationService, transport);
  const flows = createClient(FlowService, transport);
  const audit = createClient(AuditService, transport);
  const gitops = createClient(GitOpsService, transport);
  const engine = getEngine(kind);

  const untilRunEnds = async (runId: string) => {
    for await (const _ of migrations.watchRun({ runId, afterSeq: 0n })) {
      // The stream ends when the run is over; the store then holds its final state.
    }
    return (await migrations.getRun({ runId })).run;
  };

  const addConnection: E2E["addConnection"] = async (agentId, c) => {
    const me = (await connections.listAgents({})).agents.find((a) => a.id === agentId);
    if (!me) throw new Error(`agent ${agentId} did not announce itself`);
    const box = seal(new TextEncoder().encode(c.url), me.publicKey);
    await connections.addConnection({
      name: c.name,
      environment: c.environment,
      engine: c.engine,
      agentId,
      sealedUrl: { ephemeralPublicKey: box.ephemeralPublicKey, nonce: box.nonce, ciphertext: box.ciphertext },
      readOnly: c.readOnly ?? false,
    });
  };

  const withTarget = async <T>(fn: (s: Session) => Promise<T>): Promise<T> => {
    const session = await engine.driver.connect(targetUrl);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  };

  return {
    suffix,
    prefix,
    targetUrl,
    bus,
    store,
    control,
    workspaceId: boot.workspaceId,
    agentToken: boot.agentToken,
    adminToken: boot.adminToken,
    url,
    connections,
    migrations,
    flows,
    audit,
    gitops,
    client: (service, token) => createClient(service, token ? bearerTransport(url, token) : transport),
    async addTargetConnection(agentId, environment = "dev") {
      await addConnection(agentId, {
        name: "app",
        environment,
        url: targetUrl,
        engine: kind === "mariadb" ? Engine.MARIADB : kind === "sqlite" ? Engine.SQLITE : Engine.POSTGRESQL,
      });
    },
    addConnection,
    withTarget,
    snapshot: () =>
      withTarget(async (s) => {
        const { capturedAt: _capturedAt, ...rest } = await engine.inspector.inspect(s);
        return rest;
      }),
    lockIsFree: () =>
      withTarget(async (s) => {
        const target = await engine.migrate.target(s);
        const key = `migratrix:${target.database}`;
        const ok = await engine.migrate.lock(s, { key, timeoutMs: 0 });
        if (ok) await engine.migrate.unlock(s, { key });
        return ok;
      }),
    untilRunEnds,
    async settleRuns(runs) {
      for (const run of runs ?? []) {
        if (run.state === RunState.PENDING || run.state === RunState.IN_PROGRESS) await untilRunEnds(run.id);
      }
    },
    async close() {
      await control.stop();
      // Best effort: a failed set-up may not have created the streams at all.
      for (const name of [`${prefix}_JOBS`, `${prefix}_EVENTS`]) await bus.deleteQueue(name).catch(() => undefined);
      await bus.close();
      await store.close();
      await created.drop();
    },
  };
}

/** An in-process agent on the E2E's bus and streams, with its vault at vaultPath (created if new). */
export async function startLocalAgent(
  e2e: E2E,
  opts: { vaultPath: string; passphrase: string; agentId: string; log?: Logger; explorerHooks?: ExplorerHooks },
): Promise<Agent> {
  const vault = await openVault({
    path: opts.vaultPath,
    passphrase: opts.passphrase,
    iterations: MIN_VAULT_ITERATIONS,
    agentId: opts.agentId,
  });
  const agent = createAgent({
    bus: e2e.bus,
    workspaceId: e2e.workspaceId,
    token: e2e.agentToken,
    vault,
    streamPrefix: e2e.prefix,
    ackWaitMs: 2_000,
    log: opts.log ?? createLogger({ level: "error" }),
    ...(opts.explorerHooks ? { explorerHooks: opts.explorerHooks } : {}),
  });
  await agent.start();
  return agent;
}

/**
 * startE2E plus a local agent whose vault lives in a fresh temp dir (the caller removes it), with
 * the target added as <environment>/app on each of `targets` in that order (default: dev).
 */
export async function startE2EWithAgent(input: {
  tag: string;
  lease?: { ttlMs: number; renewMs: number };
  kind?: E2ETarget;
  environments?: EnvironmentSpec[];
  controlOptions?: Parameters<typeof startE2E>[4];
  agentHooks?: ExplorerHooks;
  targets?: string[];
}): Promise<{ dir: string; e2e: E2E; agent: Agent }> {
  const name = input.tag.toLowerCase();
  const dir = await mkdtemp(join(tmpdir(), `mx-${name}-`));
  const e2e = await startE2E(
    input.tag,
    input.lease ?? { ttlMs: 5_000, renewMs: 200 },
    input.kind,
    input.environments,
    input.controlOptions,
  );
  const agent = await startLocalAgent(e2e, {
    vaultPath: join(dir, "vault.json"),
    passphrase: name,
    agentId: `agent-${name}-${e2e.suffix}`,
    ...(input.agentHooks ? { explorerHooks: input.agentHooks } : {}),
  });
  for (const environment of input.targets ?? ["dev"]) await e2e.addTargetConnection(agent.agentId, environment);
  return { dir, e2e, agent };
}

/** The compiled agent running as a child process on the E2E's bus, with its output collected. */
export interface AgentProcess {
  proc: ReturnType<typeof Bun.spawn>;
  stdout: Collector<string>;
  stderr: Collector<string>;
  /** The "agent started" log line, parsed (it carries the health/metrics URL as `http`). */
  started: Record<string, unknown>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

/** Lines of a child's output stream, pushed to a collector as they arrive. */
function collectLines(stream: ReadableStream<Uint8Array>, into: Collector<string>): void {
  void (async () => {
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of stream) {
      buffered += decoder.decode(chunk, { stream: true });
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        into.push(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
  })();
}

/**
 * Starts the compiled agent (buildAgentBinary) with its state under `stateDir`; `fault` is a
 * MIGRATRIX_FAULT point (agent/faults.ts). Resolves once the agent has logged that it started.
 */
export async function spawnAgentBinary(
  e2e: E2E,
  opts: { binary: string; cwd: string; stateDir: string; agentId: string; passphrase: string; fault?: string },
): Promise<AgentProcess> {
  const stdout = new Collector<string>();
  const stderr = new Collector<string>();
  const proc = Bun.spawn([opts.binary], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NATS_URL,
      MIGRATRIX_TOKEN: e2e.agentToken,
      MIGRATRIX_WORKSPACE: e2e.workspaceId,
      MIGRATRIX_AGENT_ID: opts.agentId,
      MIGRATRIX_DIR: opts.stateDir,
      MIGRATRIX_VAULT_KEY: opts.passphrase,
      MIGRATRIX_VAULT_ITERATIONS: String(MIN_VAULT_ITERATIONS),
      MIGRATRIX_AGENT_PORT: "0",
      MIGRATRIX_AGENT_HOST: "127.0.0.1",
      MIGRATRIX_STREAM_PREFIX: e2e.prefix,
      MIGRATRIX_LOG_LEVEL: "debug",
      ...(opts.fault ? { MIGRATRIX_FAULT: opts.fault } : {}),
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  collectLines(proc.stdout as ReadableStream<Uint8Array>, stdout);
  collectLines(proc.stderr as ReadableStream<Uint8Array>, stderr);
  const isStarted = (x: string) => x.includes('"msg":"agent started"');
  const line = (await stderr.until((l) => l.some(isStarted), "the agent to start", 30_000)).find(isStarted);
  return {
    proc,
    stdout,
    stderr,
    started: JSON.parse(line ?? "{}") as Record<string, unknown>,
    async kill() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}
