// The standalone agent's configuration from its environment and command line. Every problem is
// reported at once, by name, before anything connects.
import { parseTransferFault } from "../arrow-transfer/faults.ts";
import { subjectToken } from "../bus/subjects.ts";
import { MigratrixError } from "../common/errors.ts";
import type { LogLevel } from "../common/log.ts";
import { type FaultSpec, parseFault } from "./faults.ts";
import { DEFAULT_VAULT_ITERATIONS, defaultVaultPath } from "./vault.ts";

export interface AgentConfig {
  natsUrl: string;
  token: string;
  workspaceId: string;
  /** Only used when the vault is created; an existing vault keeps its agent id. */
  agentId?: string;
  dir: string;
  vaultPath: string;
  vaultKey: string;
  vaultIterations: number;
  port: number;
  host: string;
  streamPrefix: string;
  heartbeatMs: number;
  ackWaitMs: number;
  leaseRetryMs: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  logLevel: LogLevel;
  fault?: FaultSpec;
  /** Test hook MIGRATRIX_FAULT=transfer-after-chunk:N: a transfer job stops after its Nth chunk. */
  transferFault?: { afterChunk: number };
}

export type Env = Record<string, string | undefined>;

export const ENV_HELP: ReadonlyArray<[string, string]> = [
  ["NATS_URL", "NATS server of the control plane (required), e.g. nats://nats.internal:4222"],
  ["MIGRATRIX_TOKEN", "agent token issued by the control plane (required)"],
  ["MIGRATRIX_WORKSPACE", "workspace id the agent serves (required)"],
  ["MIGRATRIX_VAULT_KEY", "passphrase of the credential vault (required)"],
  ["MIGRATRIX_AGENT_ID", "agent id for a new vault (default: agent-<random>; an existing vault keeps its id)"],
  ["MIGRATRIX_DIR", "state directory (default .migratrix); the vault is <dir>/agent/vault.json"],
  ["MIGRATRIX_VAULT_PATH", "vault file, overrides the default under MIGRATRIX_DIR"],
  ["MIGRATRIX_VAULT_ITERATIONS", "PBKDF2 iterations for a new vault (default 600000, never below 200000)"],
  ["MIGRATRIX_AGENT_PORT", "port of /healthz and /metrics (default 4002; 0 picks a free port)"],
  ["MIGRATRIX_AGENT_HOST", "address /healthz and /metrics listen on (default 0.0.0.0)"],
  ["MIGRATRIX_STREAM_PREFIX", "streams are <prefix>_JOBS and <prefix>_EVENTS (default MX; same as control)"],
  ["MIGRATRIX_HEARTBEAT_MS", "how often the agent re-announces itself (default 30000)"],
  ["MIGRATRIX_ACK_WAIT_MS", "job redelivery after this long without progress (default 30000)"],
  ["MIGRATRIX_LEASE_RETRY_MS", "retry delay for a job whose run another agent holds (default 5000)"],
  ["MIGRATRIX_REQUEST_TIMEOUT_MS", "deadline of announce and lease requests (default 10000)"],
  ["MIGRATRIX_CONNECT_TIMEOUT_MS", "deadline to connect to a target database (default 10000)"],
  ["MIGRATRIX_LOG_LEVEL", "debug, info, warn or error (default info)"],
  ["MIGRATRIX_FAULT", "test hook: before-statement:N, after-statement:N or before-history:N (see agent/README.md)"],
];

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export function loadConfig(env: Env, flags: { vaultIterations?: string } = {}): AgentConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is not set`);
    return v ?? "";
  };
  const int = (name: string, fallback: number, min: number, raw = env[name]): number => {
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      problems.push(`${name}="${raw}" must be a whole number of at least ${min}`);
      return fallback;
    }
    return n;
  };
  const token = (kind: string, name: string, value: string | undefined): void => {
    if (!value) return;
    try {
      subjectToken(kind, value);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  };

  const natsUrl = required("NATS_URL");
  if (natsUrl && !/^(nats|tls|wss?):\/\//.test(natsUrl)) {
    problems.push("NATS_URL must start with nats://, tls://, ws:// or wss://");
  }
  const workspaceId = required("MIGRATRIX_WORKSPACE");
  token("workspace", "MIGRATRIX_WORKSPACE", workspaceId);
  token("agent", "MIGRATRIX_AGENT_ID", env.MIGRATRIX_AGENT_ID);
  const prefix = env.MIGRATRIX_STREAM_PREFIX || "MX";
  if (prefix && !/^[A-Za-z0-9_-]{1,32}$/.test(prefix)) {
    problems.push("MIGRATRIX_STREAM_PREFIX may hold only A-Z a-z 0-9 _ - (at most 32)");
  }
  const level = (env.MIGRATRIX_LOG_LEVEL ?? "info") as LogLevel;
  if (!LEVELS.includes(level)) problems.push(`MIGRATRIX_LOG_LEVEL must be one of ${LEVELS.join(", ")}`);
  let fault: FaultSpec | undefined;
  let transferFault: { afterChunk: number } | undefined;
  try {
    // transfer-after-chunk:N stops a transfer job (arrow-transfer/faults.ts); the rest stop migrations.
    if (env.MIGRATRIX_FAULT?.trim().startsWith("transfer-")) transferFault = parseTransferFault(env.MIGRATRIX_FAULT);
    else fault = parseFault(env.MIGRATRIX_FAULT);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const dir = env.MIGRATRIX_DIR || ".migratrix";

  const config: AgentConfig = {
    natsUrl,
    token: required("MIGRATRIX_TOKEN"),
    workspaceId,
    agentId: env.MIGRATRIX_AGENT_ID || undefined,
    dir,
    vaultPath: env.MIGRATRIX_VAULT_PATH || defaultVaultPath(dir),
    vaultKey: required("MIGRATRIX_VAULT_KEY"),
    // The vault itself refuses counts under its floor with the precise message; only shape here.
    vaultIterations: int(
      flags.vaultIterations !== undefined ? "--vault-iterations" : "MIGRATRIX_VAULT_ITERATIONS",
      DEFAULT_VAULT_ITERATIONS,
      1,
      flags.vaultIterations ?? env.MIGRATRIX_VAULT_ITERATIONS,
    ),
    port: int("MIGRATRIX_AGENT_PORT", 4002, 0),
    host: env.MIGRATRIX_AGENT_HOST || "0.0.0.0",
    streamPrefix: prefix,
    heartbeatMs: int("MIGRATRIX_HEARTBEAT_MS", 30_000, 1),
    ackWaitMs: int("MIGRATRIX_ACK_WAIT_MS", 30_000, 1),
    leaseRetryMs: int("MIGRATRIX_LEASE_RETRY_MS", 5_000, 0),
    requestTimeoutMs: int("MIGRATRIX_REQUEST_TIMEOUT_MS", 10_000, 1),
    connectTimeoutMs: int("MIGRATRIX_CONNECT_TIMEOUT_MS", 10_000, 1),
    logLevel: level,
    fault,
    ...(transferFault ? { transferFault } : {}),
  };
  if (config.port > 65535) problems.push(`MIGRATRIX_AGENT_PORT=${config.port} is not a port`);
  if (problems.length > 0) {
    throw new MigratrixError("invalid_argument", `agent configuration: ${problems.join("; ")}`);
  }
  return config;
}
