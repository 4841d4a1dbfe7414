// Where mx talks to (server URL) and who it is (token discovery). Light on purpose: every command
// line resolves the server before it runs; the Connect clients themselves are in client.ts.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { MigratrixError } from "../common/errors.ts";
import { credentialsPath, readCredential } from "./credentials.ts";
import { UsageError } from "./errors.ts";

export const DEFAULT_SERVER = "http://localhost:8080";
export const TOKEN_FILE = "admin-token";
export const DATA_DIR = ".migratrix";

type Env = Record<string, string | undefined>;

/** --server, else MIGRATRIX_SERVER, else the embedded default; must be an http(s) URL. */
export function resolveServer(flag: string | undefined, env: Env): string {
  const server = flag ?? (env.MIGRATRIX_SERVER || undefined) ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server must be an http(s) URL, got '${server}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--server must be an http(s) URL, got '${server}'`);
  }
  return server.replace(/\/+$/, "");
}

export interface FoundToken {
  token: string;
  /** Where it came from, for messages: "--token", "MIGRATRIX_TOKEN", or a file path. */
  source: string;
}

function readTokenFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const token = readFileSync(path, "utf8").trim();
  if (token === "") throw new MigratrixError("unauthenticated", `the token file ${path} is empty`);
  return token;
}

/**
 * --token, else MIGRATRIX_TOKEN, else the `mx login` token for the server, else .migratrix/admin-token in the cwd or the nearest parent
 * (so `bun mx` works from any folder of the checkout `bun start` ran in), else
 * $MIGRATRIX_DIR/admin-token. A missing token says every place it looked.
 */
export function discoverToken(opts: { flag: string | undefined; env: Env; cwd: string; server?: string }): FoundToken {
  if (opts.flag !== undefined && opts.flag !== "") return { token: opts.flag, source: "--token" };
  const fromEnv = opts.env.MIGRATRIX_TOKEN;
  if (fromEnv !== undefined && fromEnv !== "") return { token: fromEnv, source: "MIGRATRIX_TOKEN" };
  // A login (`mx login`) for this server comes before the local admin token.
  const login = opts.server === undefined ? undefined : readCredential(opts.env, opts.server);
  if (login !== undefined) return { token: login.token, source: `${credentialsPath(opts.env)} (mx login)` };
  const start = resolve(opts.cwd);
  let dir = start;
  for (;;) {
    const path = join(dir, DATA_DIR, TOKEN_FILE);
    const token = readTokenFile(path);
    if (token !== undefined) return { token, source: path };
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const dataDir = opts.env.MIGRATRIX_DIR;
  let alsoLooked = "MIGRATRIX_DIR is not set";
  if (dataDir !== undefined && dataDir !== "") {
    const path = join(resolve(opts.cwd, dataDir), TOKEN_FILE);
    const token = readTokenFile(path);
    if (token !== undefined) return { token, source: path };
    alsoLooked = `nor ${path} (MIGRATRIX_DIR)`;
  }
  throw new MigratrixError(
    "unauthenticated",
    `no API token: pass --token, set MIGRATRIX_TOKEN, or run 'bun start' to write the local admin token; ` +
      `no ${join(DATA_DIR, TOKEN_FILE)} in ${start} or its parents, ${alsoLooked}`,
  );
}
