// `bun start`: Migratrix on embedded defaults (PGlite store, in-process bus, local agent with
// sample SQLite environments), or with DATABASE_URL / NATS_URL the real store and bus (the agent
// then runs on its own: `bun run agent` or dist/migratrix-agent).
import { MigratrixError } from "../common/errors.ts";
import { createLogger, type LogLevel } from "../control/index.ts";
import { startEmbedded } from "./embedded.ts";

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MigratrixError("invalid_argument", `${name} must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const env = process.env;
  const level = (env.MIGRATRIX_LOG_LEVEL ?? "warn") as LogLevel;
  const log = createLogger({ level, fields: { component: "embedded" } });
  const dir = env.MIGRATRIX_DIR ?? ".migratrix";
  const started = performance.now();
  const mx = await startEmbedded({
    dir,
    port: parsePort("PORT", env.PORT, 8080),
    host: env.MIGRATRIX_HOST,
    agentPort: parsePort("MIGRATRIX_AGENT_PORT", env.MIGRATRIX_AGENT_PORT, 4002),
    env,
    log,
  });
  const ms = Math.round(performance.now() - started);
  const out = (s = "") => process.stdout.write(`${s}\n`);
  out(`Migratrix is running (started in ${ms} ms)`);
  out(`  control plane   ${mx.url}   (/healthz, /metrics, Connect-RPC API)`);
  out(`  store           ${mx.store.kind === "pglite" ? `PGlite in ${mx.dir}/store` : "PostgreSQL (DATABASE_URL)"}`);
  out(`  bus             ${mx.bus.kind === "memory" ? "in-process" : "NATS JetStream (NATS_URL)"}`);
  if (mx.agent) {
    const http = mx.agent.http ? `, /metrics on port ${mx.agent.http.port}` : "";
    out(`  agent           ${mx.agent.agentId} (local${http})`);
    out(`  environments    dev → qa → prod, each with a SQLite database in ${mx.dir}/dbs`);
  } else {
    out("  agent           none in this process: start one with `bun run agent` (NATS_URL, MIGRATRIX_TOKEN)");
  }
  out(`  admin token     ${mx.dir}/admin-token (the CLI finds it)`);
  if (mx.chat?.slack) {
    out(
      mx.chat.mode === "http"
        ? `  slack           ${mx.url}/slack/events (the Slack app's Request URL)`
        : "  slack           Socket Mode (outbound WebSocket, SLACK_APP_TOKEN)",
    );
  }
  if (mx.chat?.discord?.interactions) {
    out(`  discord         ${mx.url}/discord/interactions (the application's Interactions Endpoint URL)`);
  }
  if (mx.chat?.discord?.gateway) out("  discord         gateway bot (DISCORD_TOKEN)");
  out();
  out("Try, in another terminal:");
  out("  bun mx env list");
  out("  bun mx migration create examples/migrations/20260101090000_create_customers.sql");
  out("  bun mx migration run 20260101090000_create_customers --env dev");
  out("  bun mx migration history --env dev");
  out("Or take the tour: bun run demo.  Ctrl-C stops Migratrix.");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(`\n${signal}: stopping…`);
    await mx.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  const e = MigratrixError.from(err);
  const hint = /EADDRINUSE|in use/i.test(e.message)
    ? " (is Migratrix already running? set PORT to use another port)"
    : "";
  process.stderr.write(`error: Migratrix could not start: ${e.message}${hint}\n`);
  process.exit(1);
});
