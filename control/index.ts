// The control plane's public surface: what the launcher, demo and tests may use.

export type { LogFields, Logger, LogLevel } from "../common/log.ts";
export { createLogger, silentLogger } from "../common/log.ts";
export type { ControlApp, ControlAppOptions } from "./app.ts";
export { createControlApp } from "./app.ts";
export type { AuditEntry, AuditRow } from "./audit/index.ts";
export { appendAudit, verifyChain } from "./audit/index.ts";
export type { EnvironmentSpec } from "./domain/environments.ts";
export type { BootstrapOptions, BootstrapResult } from "./identity/index.ts";
export { ADMIN_TOKEN_FILE, AGENT_TOKEN_FILE, bootstrap, writeBootstrapTokens } from "./identity/index.ts";
export type { OpenStoreOptions, Store } from "./store/index.ts";
export { openStore } from "./store/index.ts";

/** The sample pipeline a fresh embedded start gets. */
export const DEFAULT_ENVIRONMENTS = [
  { name: "dev", position: 1 },
  { name: "qa", position: 2 },
  { name: "prod", position: 3, protected: true },
] as const;
