// `bun run bots/main.ts` (bun run bots): starts the chat front ends configured in the environment
// (see bots/README.md), logs JSON lines without secrets, and stops cleanly on SIGINT / SIGTERM.
import { MigratrixError } from "../common/errors.ts";
import { createLogger } from "../common/log.ts";
import { configFromEnv } from "./config.ts";
import { startBots } from "./start.ts";

const log = createLogger({ fields: { service: "bots" } });
try {
  const config = configFromEnv(process.env);
  const running = await startBots(config, log);
  const stop = async (signal: string) => {
    log.info("stopping", { signal });
    await running.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
} catch (err) {
  const e = MigratrixError.from(err);
  log.error(e.message, { code: e.code });
  process.exit(2);
}
