// The standalone agent: `bun run agent` or the compiled dist/migratrix-agent. Configured from the
// environment (see --help); heavy modules load only after --version/--help are ruled out.
import { MigratrixError } from "../common/errors.ts";
import { ENV_HELP, loadConfig } from "./config.ts";
import { AGENT_VERSION } from "./version.ts";

const USAGE = `migratrix-agent ${AGENT_VERSION}: runs Migratrix jobs against databases in this network.

It connects out to the control plane's NATS, announces itself with its public key, keeps database
credentials in an encrypted vault and runs migrations statement by statement, streaming events.

Usage: migratrix-agent [--vault-iterations N]
       migratrix-agent --version | --help

Options:
  --vault-iterations N   PBKDF2 iterations when creating a new vault (default 600000, min 200000)
  --version              print the version and exit
  --help                 print this help and exit

Environment:
${ENV_HELP.map(([k, v]) => `  ${k.padEnd(30)} ${v}`).join("\n")}

Health and metrics: GET /healthz and /metrics on MIGRATRIX_AGENT_PORT.
Exit codes: 0 stopped by SIGTERM/SIGINT, 1 runtime failure, 2 bad configuration.
`;

interface Flags {
  version: boolean;
  help: boolean;
  vaultIterations?: string;
}

function parseArgs(argv: string[]): Flags {
  const flags: Flags = { version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--version" || a === "-v") flags.version = true;
    else if (a === "--help" || a === "-h") flags.help = true;
    else if (a === "--vault-iterations") {
      const v = argv[++i];
      if (v === undefined) throw new MigratrixError("invalid_argument", "--vault-iterations needs a number");
      flags.vaultIterations = v;
    } else if (a.startsWith("--vault-iterations=")) flags.vaultIterations = a.slice("--vault-iterations=".length);
    else throw new MigratrixError("invalid_argument", `unknown argument "${a}" (see --help)`);
  }
  return flags;
}

function fail(message: string, code: number): never {
  process.stderr.write(`migratrix-agent: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseArgs(process.argv.slice(2));
  } catch (err) {
    fail(MigratrixError.from(err).message, 2);
  }
  if (flags.version) {
    process.stdout.write(`migratrix-agent ${AGENT_VERSION}\n`);
    return;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { vaultIterations: flags.vaultIterations });
  } catch (err) {
    fail(MigratrixError.from(err).message, 2);
  }

  const { createLogger } = await import("../common/log.ts");
  const log = createLogger({ level: config.logLevel });
  const { openVault } = await import("./vault.ts");
  let vault: Awaited<ReturnType<typeof openVault>>;
  try {
    vault = await openVault({
      path: config.vaultPath,
      passphrase: config.vaultKey,
      iterations: config.vaultIterations,
      agentId: config.agentId,
    });
  } catch (err) {
    const e = MigratrixError.from(err);
    log.error(e.message, { code: e.code });
    process.exit(e.code === "invalid_argument" ? 2 : 1);
  }

  const [{ createNatsBus }, { createAgent }, { faultHooks }] = await Promise.all([
    import("../bus/index.ts"),
    import("./agent.ts"),
    import("./faults.ts"),
  ]);
  const agentId = config.agentId ?? vault.agentId;
  if (agentId !== vault.agentId) {
    log.warn("MIGRATRIX_AGENT_ID differs from the id in the vault; announcing the vault's key under it", {
      agentId,
      vaultAgentId: vault.agentId,
    });
  }
  const bus = await createNatsBus({ url: config.natsUrl, name: `migratrix-agent-${agentId}` }).catch((err: unknown) => {
    const e = MigratrixError.from(err, "unavailable");
    log.error(`cannot connect to NATS: ${e.message}`, { code: e.code });
    process.exit(1);
  });
  const agent = createAgent({
    bus,
    workspaceId: config.workspaceId,
    agentId,
    token: config.token,
    vault,
    streamPrefix: config.streamPrefix,
    heartbeatMs: config.heartbeatMs,
    ackWaitMs: config.ackWaitMs,
    leaseRetryMs: config.leaseRetryMs,
    requestTimeoutMs: config.requestTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
    faultHooks: config.fault ? faultHooks(config.fault) : undefined,
    ...(config.transferFault ? { transferFault: config.transferFault } : {}),
    httpPort: config.port,
    httpHostname: config.host,
    log,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait for the job in flight.
      log.warn("second signal, exiting now", { signal });
      process.exit(130);
    }
    stopping = true;
    log.info("stopping", { signal });
    await agent.stop();
    await bus.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    await agent.start();
  } catch (err) {
    const e = MigratrixError.from(err);
    log.error(`agent could not start: ${e.message}`, { code: e.code });
    await bus.close();
    process.exit(1);
  }
}

await main();
