// Public surface of the agent for the embedded launcher and tests (CONVENTIONS.md "Public surface").

export { createLogger, type Logger, type LogLevel, silentLogger } from "../common/log.ts";
export { type Agent, type CreateAgentOptions, createAgent } from "./agent.ts";
export { type AgentConfig, ENV_HELP, loadConfig } from "./config.ts";
export { FAULT_MARKER, type FaultHooks, type FaultSpec, faultHooks, parseFault } from "./faults.ts";
export type { Health } from "./http.ts";
export { type AgentMetrics, createAgentMetrics } from "./metrics.ts";
export {
  type ConnectionMeta,
  connectionRef,
  DEFAULT_VAULT_ITERATIONS,
  defaultVaultPath,
  MIN_VAULT_ITERATIONS,
  type OpenVaultOptions,
  openVault,
  type Vault,
  type VaultConnection,
} from "./vault.ts";
export { AGENT_VERSION } from "./version.ts";
