// Where the embedded start leaves the bootstrap secrets for the CLI and the local agent: files
// readable by their owner only.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BootstrapResult } from "./bootstrap.ts";

export const ADMIN_TOKEN_FILE = "admin-token";
export const AGENT_TOKEN_FILE = "agent-token";

export function writeSecretFile(path: string, secret: string): void {
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  // writeFileSync's mode only applies to a new file; an existing one is tightened too.
  chmodSync(path, 0o600);
}

/** Writes the tokens of a fresh bootstrap under dir; returns the paths written. */
export function writeBootstrapTokens(dir: string, result: BootstrapResult): string[] {
  if (!result.created) return [];
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  if (result.adminToken) {
    const path = join(dir, ADMIN_TOKEN_FILE);
    writeSecretFile(path, result.adminToken);
    written.push(path);
  }
  if (result.agentToken) {
    const path = join(dir, AGENT_TOKEN_FILE);
    writeSecretFile(path, result.agentToken);
    written.push(path);
  }
  return written;
}
