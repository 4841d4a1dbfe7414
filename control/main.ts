// Runs the control plane from the environment: PORT (8080), MIGRATRIX_HOST (127.0.0.1),
// DATABASE_URL (else PGlite under MIGRATRIX_DIR/store), NATS_URL (+ NATS_TOKEN/NATS_USER/
// NATS_PASSWORD; else the in-process bus, which only makes sense with an agent in this same
// process, as the embedded launcher does), MIGRATRIX_DIR (.migratrix),
// MIGRATRIX_STREAM_PREFIX (MX).
import { join } from "node:path";
import { createBusFromEnv } from "../bus/index.ts";
import { MigratrixError } from "../common/errors.ts";
import {
  bootstrap,
  createControlApp,
  createLogger,
  DEFAULT_ENVIRONMENTS,
  openStore,
  writeBootstrapTokens,
} from "./index.ts";

const log = createLogger({ fields: { component: "control" } });

async function main(): Promise<void> {
  const env = process.env;
  const dir = env.MIGRATRIX_DIR ?? ".migratrix";
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MigratrixError("invalid_argument", `PORT must be a port number, got "${env.PORT}"`);
  }
  const store = await openStore(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: join(dir, "store") });
  const bus = await createBusFromEnv(env, { name: "migratrix-control" });
  const boot = await bootstrap(store.db, { environments: DEFAULT_ENVIRONMENTS });
  for (const path of writeBootstrapTokens(dir, boot)) log.info("wrote bootstrap token", { path });
  const control = await createControlApp({ store, bus, streamPrefix: env.MIGRATRIX_STREAM_PREFIX, log });
  const { url } = await control.start(port, env.MIGRATRIX_HOST ?? "127.0.0.1");
  log.info("control plane listening", { url, store: store.kind, bus: bus.kind });

  const shutdown = async (signal: string) => {
    log.info("shutting down", { signal });
    await control.stop();
    await bus.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  const e = MigratrixError.from(err);
  log.error("control plane failed to start", { code: e.code, error: e.message });
  process.exit(1);
});
