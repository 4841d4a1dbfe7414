// The bots' public surface: start the Slack and Discord front ends (clients of the control API),
// read their settings from the environment, and the shared command core.

export type { BotsConfig } from "./config.ts";
export { configFromEnv } from "./config.ts";
export type { ApiConfig, ChatPlatform, ChatUser } from "./core/api.ts";
export { botNotifications, chatUserHeader, clientsAs, plainError } from "./core/api.ts";
export type { Command, Parsed } from "./core/commands.ts";
export { parseCommand, USAGE } from "./core/commands.ts";
export type { Feed, FeedOptions } from "./core/feed.ts";
export { notificationCard, startFeed } from "./core/feed.ts";
export type { BotContext } from "./core/handle.ts";
export { handleText, runCommand } from "./core/handle.ts";
export type { Card, StageRef } from "./core/view.ts";
export type { DiscordBot, DiscordBotOptions } from "./discord/bot.ts";
export { startDiscordBot } from "./discord/bot.ts";
export type {
  InteractionsEndpoint,
  InteractionsHandler,
  InteractionsHandlerOptions,
  InteractionsOptions,
} from "./discord/interactions.ts";
export { createInteractionsHandler, startInteractions } from "./discord/interactions.ts";
export type { SlackBot, SlackBotOptions } from "./slack/app.ts";
export { startSlackBot } from "./slack/app.ts";
export type { RunningBots } from "./start.ts";
export { startBots } from "./start.ts";
