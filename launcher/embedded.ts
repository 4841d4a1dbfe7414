// The embedded start behind `bun start` and `bun run demo`: control plane + bus + (with the
// in-process bus) a local agent serving sample SQLite environments, all in this one process.
// Control and agent never import each other; this file is where they meet (DESIGN.md).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Agent, createAgent, defaultVaultPath, openVault } from "../agent/index.ts";
import { type Bus, createBusFromEnv } from "../bus/index.ts";
import { runCli } from "../cli/index.ts";
import { MigratrixError } from "../common/errors.ts";
import { writeSecretFile } from "../control/identity/index.ts";
import {
  ADMIN_TOKEN_FILE,
  AGENT_TOKEN_FILE,
  bootstrap,
  type ControlApp,
  createControlApp,
  DEFAULT_ENVIRONMENTS,
  type Logger,
  openStore,
  type Store,
  writeBootstrapTokens,
} from "../control/index.ts";
import { type ChatOnControl, startChatOnControl } from "./chat.ts";

export type Env = Record<string, string | undefined>;

export interface EmbeddedOptions {
  /** Data directory (store, tokens, vault, sample databases). */
  dir: string;
  /** HTTP port of the control plane; 0 picks a free one. */
  port: number;
  host?: string;
  /** Agent /healthz and /metrics port; 0 picks a free one, null serves none. */
  agentPort: number | null;
  env: Env;
  log: Logger;
  /** PBKDF2 iterations for a new local vault (default: the agent's default, 600,000). */
  vaultIterations?: number;
}

export interface Embedded {
  url: string;
  dir: string;
  workspaceId: string;
  adminToken: string;
  store: Store;
  bus: Bus;
  control: ControlApp;
  /** The local agent; absent when NATS_URL is set (the agent then runs on its own). */
  agent?: Agent;
  /** The Slack bot when SLACK_* are set: /slack/events on the control plane, or Socket Mode. */
  chat?: ChatOnControl;
  /** Environments given a sample SQLite connection on this start. */
  samples: { environment: string; connection: string; path: string }[];
  stop(): Promise<void>;
}

export const SAMPLE_CONNECTION = "app";

function readToken(dir: string, file: string): string {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new MigratrixError(
      "failed_precondition",
      `${path} is missing: the store was bootstrapped from another data directory; remove ${join(dir, "store")} to start afresh or restore the file`,
    );
  }
  return readFileSync(path, "utf8").trim();
}

/** The local vault's passphrase: MIGRATRIX_VAULT_KEY, else a random key kept beside the vault (0600). */
function localVaultKey(dir: string, env: Env): string {
  if (env.MIGRATRIX_VAULT_KEY) return env.MIGRATRIX_VAULT_KEY;
  const path = join(dir, "agent", "vault-key");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(join(dir, "agent"), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64url");
  writeSecretFile(path, key);
  return key;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const dir = resolve(opts.dir);
  const { env, log } = opts;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) {
      await close().catch((err: unknown) =>
        log.warn("shutdown step failed", { error: MigratrixError.from(err).message }),
      );
    }
  };
  try {
    const store = await openStore(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dir, "store") });
    closers.push(() => store.close());
    const bus = await createBusFromEnv(env, { name: "migratrix-embedded" });
    closers.push(() => bus.close());
    const boot = await bootstrap(store.db, { environments: DEFAULT_ENVIRONMENTS });
    writeBootstrapTokens(dir, boot);
    const adminToken = readToken(dir, ADMIN_TOKEN_FILE);

    const control = await createControlApp({ store, bus, streamPrefix: env.MIGRATRIX_STREAM_PREFIX, log });
    const { url } = await control.start(opts.port, opts.host ?? "127.0.0.1");
    closers.push(() => control.stop());
    // Slack / Discord on the control plane itself when SLACK_* / DISCORD_* are set (launcher/chat.ts).
    const chat = await startChatOnControl({ env, dir, url, adminToken, control, log });
    if (chat) closers.push(() => chat.stop());

    let agent: Agent | undefined;
    const samples: Embedded["samples"] = [];
    if (bus.kind === "memory") {
      const vault = await openVault({
        path: defaultVaultPath(dir),
        passphrase: localVaultKey(dir, env),
        iterations: opts.vaultIterations,
      });
      const localAgent = createAgent({
        bus,
        workspaceId: boot.workspaceId,
        token: readToken(dir, AGENT_TOKEN_FILE),
        vault,
        streamPrefix: env.MIGRATRIX_STREAM_PREFIX,
        httpPort: opts.agentPort ?? undefined,
        log,
      });
      await localAgent.start();
      closers.push(() => localAgent.stop());
      agent = localAgent;
      samples.push(...(await addSampleConnections({ dir, url, adminToken, agentId: localAgent.agentId, log })));
    }
    return {
      url,
      dir,
      workspaceId: boot.workspaceId,
      adminToken,
      store,
      bus,
      control,
      agent,
      samples,
      ...(chat ? { chat } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Gives dev, qa and prod a SQLite database under <dir>/dbs through the same path a user takes
 * (`mx connection add`: the URL sealed to the agent's key, relayed by the control plane).
 */
async function addSampleConnections(opts: {
  dir: string;
  url: string;
  adminToken: string;
  agentId: string;
  log: Logger;
}): Promise<Embedded["samples"]> {
  const dbs = join(opts.dir, "dbs");
  mkdirSync(dbs, { recursive: true });
  const added: Embedded["samples"] = [];
  const existing = await cliJson<{ connections?: { name: string; environment: string }[] }>(opts, [
    "connection",
    "list",
  ]);
  for (const { name: environment } of DEFAULT_ENVIRONMENTS) {
    const taken = (existing.connections ?? []).some((c) => c.environment === environment);
    if (taken) continue;
    const path = join(dbs, `${environment}.db`);
    await cliJson(opts, [
      "connection",
      "add",
      SAMPLE_CONNECTION,
      "--env",
      environment,
      "--url",
      `sqlite://${path}`,
      "--agent",
      opts.agentId,
    ]);
    added.push({ environment, connection: SAMPLE_CONNECTION, path });
  }
  return added;
}

async function cliJson<T = unknown>(opts: { url: string; adminToken: string }, args: string[]): Promise<T> {
  let out = "";
  let err = "";
  const code = await runCli([...args, "--json"], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: { MIGRATRIX_SERVER: opts.url, MIGRATRIX_TOKEN: opts.adminToken },
    cwd: process.cwd(),
  });
  if (code !== 0) throw new MigratrixError("internal", `mx ${args.slice(0, 2).join(" ")} failed: ${err.trim()}`);
  return (out.trim() ? JSON.parse(out) : {}) as T;
}
