// The compiled agent runs on its own: --version and --help from a directory with no node_modules,
// and a missing NATS_URL is a clear configuration error with exit code 2.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAgentBinary } from "./test-support.ts";
import { openVault } from "./vault.ts";
import { AGENT_VERSION } from "./version.ts";

let dir: string;
let binary: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-agent-bin-"));
  binary = join(dir, "migratrix-agent");
  // A copy outside the repository: nothing next to it or above it can supply node_modules.
  await copyFile(await buildAgentBinary(), binary);
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([binary, ...args], {
    cwd: dir,
    env: { PATH: "/usr/bin:/bin", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

test("--version prints the version", async () => {
  expect(await run(["--version"])).toEqual({ code: 0, stdout: `migratrix-agent ${AGENT_VERSION}\n`, stderr: "" });
});

test("--help lists usage and every environment variable", async () => {
  const r = await run(["--help"]);
  const missing = [
    "Usage: migratrix-agent",
    "NATS_URL",
    "MIGRATRIX_VAULT_KEY",
    "MIGRATRIX_AGENT_PORT",
    "MIGRATRIX_FAULT",
  ].filter((s) => !r.stdout.includes(s));
  expect({ code: r.code, missing, stderr: r.stderr }).toEqual({ code: 0, missing: [], stderr: "" });
});

test("missing configuration is named and exits 2", async () => {
  expect(await run([], { MIGRATRIX_TOKEN: "t", MIGRATRIX_WORKSPACE: "w", MIGRATRIX_VAULT_KEY: "k" })).toEqual({
    code: 2,
    stdout: "",
    stderr: "migratrix-agent: agent configuration: NATS_URL is not set\n",
  });
});

test("an unknown argument exits 2", async () => {
  expect(await run(["--frobnicate"])).toEqual({
    code: 2,
    stdout: "",
    stderr: 'migratrix-agent: unknown argument "--frobnicate" (see --help)\n',
  });
});

test("a wrong vault passphrase is one clear error and a non-zero exit", async () => {
  const env = {
    NATS_URL: "nats://127.0.0.1:4222",
    MIGRATRIX_TOKEN: "t",
    MIGRATRIX_WORKSPACE: "w",
    MIGRATRIX_DIR: join(dir, "state"),
    MIGRATRIX_VAULT_ITERATIONS: "200000",
  };
  const vaultPath = join(dir, "state", "agent", "vault.json");
  await openVault({ path: vaultPath, passphrase: "right", iterations: 200_000, agentId: "a1" });
  const r = await run([], { ...env, MIGRATRIX_VAULT_KEY: "wrong" });
  const line = JSON.parse(r.stderr.trim()) as Record<string, unknown>;
  expect({ code: r.code, msg: line.msg, level: line.level, errCode: line.code }).toEqual({
    code: 1,
    msg: `vault passphrase is wrong or the vault is damaged (${vaultPath})`,
    level: "error",
    errCode: "permission_denied",
  });
});
