// The chat front ends inside `bun start`. Slack: with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set,
// the control plane itself serves the Slack app's Request URL (/slack/events, verified by the bot's
// receiver); with SLACK_APP_TOKEN instead, the bot connects out in Socket Mode. Discord: with
// DISCORD_PUBLIC_KEY set, the control plane serves the Interactions Endpoint URL
// (/discord/interactions, Ed25519-verified by the bot's handler); DISCORD_TOKEN adds the gateway bot
// (reactions, progress edits, notifications). Each bot is still a client of the control API with a
// bot token: MIGRATRIX_<PLATFORM>_BOT_TOKEN / MIGRATRIX_BOT_TOKEN, else one made once for this data
// directory and kept in <dir>/<platform>-bot-token (0600).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import {
  configFromEnv,
  createInteractionsHandler,
  type DiscordBot,
  type InteractionsHandler,
  type SlackBot,
  startDiscordBot,
  startSlackBot,
} from "../bots/index.ts";
import { writeSecretFile } from "../control/identity/index.ts";
import type { ControlApp, Logger } from "../control/index.ts";
import { IdentityService, TokenKind } from "../proto/gen/migratrix/control/v1/identity_pb.ts";

export const SLACK_BOT_TOKEN_FILE = "slack-bot-token";
export const DISCORD_BOT_TOKEN_FILE = "discord-bot-token";

type Env = Record<string, string | undefined>;

export interface ChatOnControl {
  slack?: SlackBot;
  /** Slack's: "http": /slack/events on the control plane; "socket": Socket Mode. */
  mode?: "http" | "socket";
  /** Discord: /discord/interactions on the control plane, and the gateway bot with DISCORD_TOKEN. */
  discord?: { interactions?: InteractionsHandler; gateway?: DiscordBot };
  stop(): Promise<void>;
}

interface ChatOptions {
  env: Env;
  dir: string;
  url: string;
  adminToken: string;
  control: Pick<ControlApp, "mountSlackEvents" | "mountDiscordInteractions">;
  log: Logger;
}

async function botToken(opts: ChatOptions, platform: "slack" | "discord"): Promise<string> {
  const given = opts.env[`MIGRATRIX_${platform.toUpperCase()}_BOT_TOKEN`] || opts.env.MIGRATRIX_BOT_TOKEN;
  if (given) return given;
  const path = join(opts.dir, platform === "slack" ? SLACK_BOT_TOKEN_FILE : DISCORD_BOT_TOKEN_FILE);
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
  const { secret } = await identity.createToken({ name: `${platform}-bot`, kind: TokenKind.BOT });
  writeSecretFile(path, secret);
  return secret;
}

/** The same settings and checks as `bun run bots`, for one platform, aimed at this control plane. */
async function platformConfig(opts: ChatOptions, platform: "slack" | "discord") {
  const prefix = platform === "slack" ? "SLACK_" : "DISCORD_";
  const own = Object.fromEntries(
    Object.entries(opts.env).filter(
      ([k]) => k.startsWith(prefix) || k === "MIGRATRIX_DEFAULT_FLOW" || k === "MIGRATRIX_NOTIFICATIONS",
    ),
  );
  return configFromEnv({ ...own, MIGRATRIX_URL: opts.url, MIGRATRIX_BOT_TOKEN: await botToken(opts, platform) });
}

async function startSlack(opts: ChatOptions, out: ChatOnControl): Promise<void> {
  const config = await platformConfig(opts, "slack");
  const s = config.slack;
  if (!s) return;
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
  out.slack = slack;
  out.mode = socket ? "socket" : "http";
  if (!socket) opts.control.mountSlackEvents((req) => slack.fetch(req));
}

async function startDiscord(opts: ChatOptions, out: ChatOnControl): Promise<void> {
  const config = await platformConfig(opts, "discord");
  const d = config.discord;
  if (!d) return;
  const api = {
    baseUrl: opts.url,
    token: d.migratrixToken,
    ...(config.defaultFlow ? { defaultFlow: config.defaultFlow } : {}),
  };
  out.discord = {};
  if (d.token) {
    out.discord.gateway = await startDiscordBot({
      api,
      token: d.token,
      log: opts.log,
      ...(d.apiUrl ? { restApi: d.apiUrl } : {}),
      ...(config.notifications === false ? {} : { notifications: {} }),
    });
  }
  if (d.publicKey) {
    const gateway = out.discord.gateway;
    const interactions = await createInteractionsHandler({
      api,
      publicKey: d.publicKey,
      log: opts.log,
      ...(gateway ? { follow: (channel, f, actor) => gateway.follow(channel, f, actor) } : {}),
    });
    out.discord.interactions = interactions;
    opts.control.mountDiscordInteractions((req) => interactions.fetch(req));
  }
}

/** Starts the chat front ends on the control plane the environment asks for; undefined for none. */
export async function startChatOnControl(opts: ChatOptions): Promise<ChatOnControl | undefined> {
  const { env } = opts;
  const slack = Boolean(env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN);
  const discord = Boolean(env.DISCORD_PUBLIC_KEY || env.DISCORD_TOKEN);
  if (!slack && !discord) return undefined;
  const out: ChatOnControl = {
    async stop() {
      opts.control.mountSlackEvents(undefined);
      opts.control.mountDiscordInteractions(undefined);
      await Promise.all([out.slack?.stop(), out.discord?.gateway?.stop(), out.discord?.interactions?.settled()]);
    },
  };
  try {
    if (slack) await startSlack(opts, out);
    if (discord) await startDiscord(opts, out);
  } catch (err) {
    await out.stop();
    throw err;
  }
  return out.slack || out.discord ? out : undefined;
}
