// Opening sessions on the agent's target databases: the one place the agent turns a vault entry
// into a live connection, so every caller gets the same errors and the URL never escapes.
import { MigratrixError } from "../common/errors.ts";
import { type EngineAdapter, getEngine } from "../engines/index.ts";
import type { Session } from "../engines/types.ts";
import type { Vault, VaultConnection } from "./vault.ts";

export interface OpenTarget {
  connection: VaultConnection;
  engine: EngineAdapter;
  session: Session;
}

export function lookupConnection(vault: Vault, agentId: string, ref: string): VaultConnection {
  const conn = vault.connection(ref);
  if (!conn) {
    throw new MigratrixError("not_found", `connection ${ref} is not in the vault of agent ${agentId}`);
  }
  return conn;
}

export async function openTarget(conn: VaultConnection, connectTimeoutMs: number): Promise<OpenTarget> {
  const engine = getEngine(conn.engine);
  const session = await engine.driver.connect(conn.url, { connectTimeoutMs });
  return { connection: conn, engine, session };
}

/** Runs fn on a fresh session and always closes it. */
export async function withTarget<T>(
  conn: VaultConnection,
  connectTimeoutMs: number,
  fn: (t: OpenTarget) => Promise<T>,
): Promise<T> {
  const t = await openTarget(conn, connectTimeoutMs);
  let result: T;
  try {
    result = await fn(t);
  } catch (err) {
    // The work's error is the one worth reporting; a close failing after it adds nothing.
    await t.session.close().catch(() => undefined);
    throw err;
  }
  await t.session.close();
  return result;
}
