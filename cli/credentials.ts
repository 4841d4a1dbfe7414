// Where `mx login` keeps its tokens: $MIGRATRIX_HOME/credentials.json, else
// ~/.migratrix/credentials.json, one entry per server URL, readable by the owner only. Kept out of
// the project's data dir (.migratrix/ beside a checkout) so a login never lands in a repository.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { MigratrixError } from "../common/errors.ts";

type Env = Record<string, string | undefined>;

export interface Credential {
  token: string;
  email: string;
  workspace: string;
}

export function credentialsPath(env: Env): string {
  const home = env.MIGRATRIX_HOME || join(env.HOME || homedir(), ".migratrix");
  return join(home, "credentials.json");
}

function readAll(path: string): Record<string, Credential> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, Credential>) : {};
  } catch (err) {
    throw new MigratrixError("failed_precondition", `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function writeAll(path: string, all: Record<string, Credential>): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readCredential(env: Env, server: string): Credential | undefined {
  const found = readAll(credentialsPath(env))[server];
  return typeof found?.token === "string" && found.token !== "" ? found : undefined;
}

export function saveCredential(env: Env, server: string, credential: Credential): string {
  const path = credentialsPath(env);
  writeAll(path, { ...readAll(path), [server]: credential });
  return path;
}

/** Returns whether there was one to remove. */
export function removeCredential(env: Env, server: string): boolean {
  const path = credentialsPath(env);
  const all = readAll(path);
  if (!(server in all)) return false;
  delete all[server];
  writeAll(path, all);
  return true;
}
