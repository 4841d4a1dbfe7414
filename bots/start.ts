// Starts the configured front ends; each is a client of the control API and nothing else.
import type { Logger } from "../common/log.ts";
import type { BotsConfig } from "./config.ts";
import { type DiscordBot, startDiscordBot } from "./discord/bot.ts";
import { type InteractionsEndpoint, startInteractions } from "./discord/interactions.ts";
import { type SlackBot, startSlackBot } from "./slack/app.ts";

export interface RunningBots {
  slack?: SlackBot;
  discord?: DiscordBot;
  interactions?: InteractionsEndpoint;
  stop(): Promise<void>;
}

export async function startBots(config: BotsConfig, log: Logger): Promise<RunningBots> {
  const api = (token: string) => ({
    baseUrl: config.migratrixUrl,
    token,
    ...(config.defaultFlow ? { defaultFlow: config.defaultFlow } : {}),
  });
  // Each platform's bot follows its own feed; the control plane keeps the delivery positions.
  const notifications = config.notifications === false ? {} : { notifications: {} };
  const running: RunningBots = {
    async stop() {
      await Promise.all([running.slack?.stop(), running.discord?.stop(), running.interactions?.stop()]);
    },
  };
  try {
    if (config.slack) {
      const s = config.slack;
      running.slack = await startSlackBot({
        api: api(s.migratrixToken),
        ...(s.signingSecret ? { signingSecret: s.signingSecret } : {}),
        ...(s.appToken ? { appToken: s.appToken } : {}),
        ...notifications,
        botToken: s.botToken,
        port: s.port,
        hostname: "0.0.0.0",
        log,
        ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}),
      });
    }
    const d = config.discord;
    if (d?.token) {
      running.discord = await startDiscordBot({
        api: api(d.migratrixToken),
        ...notifications,
        token: d.token,
        log,
        ...(d.apiUrl ? { restApi: d.apiUrl } : {}),
      });
    }
    if (d?.publicKey) {
      const gateway = running.discord;
      running.interactions = await startInteractions({
        api: api(d.migratrixToken),
        publicKey: d.publicKey,
        port: d.interactionsPort,
        hostname: "0.0.0.0",
        log,
        ...(gateway ? { follow: (channel, f, actor) => gateway.follow(channel, f, actor) } : {}),
      });
    }
  } catch (err) {
    await running.stop();
    throw err;
  }
  return running;
}
