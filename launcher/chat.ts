// The Slack front end inside `bun start`: with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set, the
// control plane itself serves the Slack app's Request URL (/slack/events, verified by the bot's
// receiver); with SLACK_APP_TOKEN instead, the bot connects out in Socket Mode. The bot is still a
// client of the control API with a bot token: MIGRATRIX_SLACK_BOT_TOKEN / MIGRATRIX_BOT_TOKEN, else
// one made once for this data directory and kept in <dir>/slack-bot-token (0600).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { configFromEnv, type SlackBot, startSlackBot } from "../bots/index.ts";
import { writeSecretFile } from "../control/identity/index.ts";
import type { ControlApp, Logger } from "../control/index.ts";
import { IdentityService, TokenKind } from "../proto/gen/migratrix/control/v1/identity_pb.ts";

export const SLACK_BOT_TOKEN_FILE = "slack-bot-token";

type Env = Record<string, string | undefined>;

export interface ChatOnControl {
  slack: SlackBot;
  /** "http": /slack/events on the control plane; "socket": Socket Mode. */
  mode: "http" | "socket";
  stop(): Promise<void>;
}

async function botToken(opts: { env: Env; dir: string; url: string; adminToken: string }): Promise<string> {
  const given = opts.env.MIGRATRIX_SLACK_BOT_TOKEN || opts.env.MIGRATRIX_BOT_TOKEN;
  if (given) return given;
  const path = join(opts.dir, SLACK_BOT_TOKEN_FILE);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const identity = createClient(
    IdentityService,
    createConnectTransport({
      baseUrl: opts.url,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${opts.adminToken}`);
          return next(req);
        },
      ],
    }),
  );
  const { secret } = await identity.createToken({ name: "slack-bot", kind: TokenKind.BOT });
  writeSecretFile(path, secret);
  return secret;
}

/** Starts the Slack bot on the control plane when the environment asks for it; undefined otherwise. */
export async function startChatOnControl(opts: {
  env: Env;
  dir: string;
  url: string;
  adminToken: string;
  control: Pick<ControlApp, "mountSlackEvents">;
  log: Logger;
}): Promise<ChatOnControl | undefined> {
  const { env } = opts;
  if (!env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) return undefined;
  // The same settings and checks as `bun run bots`, for Slack only, aimed at this control plane.
  const slackEnv = Object.fromEntries(
    Object.entries(env).filter(
      ([k]) => k.startsWith("SLACK_") || k === "MIGRATRIX_DEFAULT_FLOW" || k === "MIGRATRIX_NOTIFICATIONS",
    ),
  );
  const config = configFromEnv({
    ...slackEnv,
    MIGRATRIX_URL: opts.url,
    MIGRATRIX_BOT_TOKEN: await botToken(opts),
  });
  const s = config.slack;
  if (!s) return undefined;
  const socket = s.appToken !== undefined;
  const slack = await startSlackBot({
    api: {
      baseUrl: opts.url,
      token: s.migratrixToken,
      ...(config.defaultFlow ? { defaultFlow: config.defaultFlow } : {}),
    },
    botToken: s.botToken,
    ...(s.appToken ? { appToken: s.appToken } : {}),
    ...(s.signingSecret && !socket ? { signingSecret: s.signingSecret, mounted: true } : {}),
    ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}),
    ...(config.notifications === false ? {} : { notifications: {} }),
    log: opts.log,
  });
  if (!socket) opts.control.mountSlackEvents((req) => slack.fetch(req));
  return {
    slack,
    mode: socket ? "socket" : "http",
    async stop() {
      opts.control.mountSlackEvents(undefined);
      await slack.stop();
    },
  };
}
