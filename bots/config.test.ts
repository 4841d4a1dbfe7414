// Settings from the environment: what starts, and every problem named at once without values.
import { describe, expect, test } from "bun:test";
import { type BotsConfig, configFromEnv } from "./config.ts";

const KEY = "a".repeat(64);

function outcome(env: Record<string, string>): BotsConfig | string {
  try {
    return configFromEnv(env);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe("configFromEnv", () => {
  test.each([
    [
      "Slack only",
      {
        MIGRATRIX_URL: "http://cp:4000",
        MIGRATRIX_BOT_TOKEN: "mxb",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_SIGNING_SECRET: "s",
      },
      {
        migratrixUrl: "http://cp:4000",
        slack: { botToken: "xoxb-1", signingSecret: "s", migratrixToken: "mxb", port: 3000 },
      },
    ],
    [
      "Discord gateway and interactions, own token, default flow",
      {
        MIGRATRIX_URL: "https://cp",
        MIGRATRIX_DISCORD_BOT_TOKEN: "mxd",
        DISCORD_TOKEN: "dt",
        DISCORD_PUBLIC_KEY: KEY,
        DISCORD_INTERACTIONS_PORT: "8080",
        MIGRATRIX_DEFAULT_FLOW: "main",
      },
      {
        migratrixUrl: "https://cp",
        defaultFlow: "main",
        discord: { migratrixToken: "mxd", interactionsPort: 8080, token: "dt", publicKey: KEY },
      },
    ],
    [
      "Slack in Socket Mode, notifications off",
      {
        MIGRATRIX_URL: "http://cp:4000",
        MIGRATRIX_BOT_TOKEN: "mxb",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_APP_TOKEN: "xapp-1",
        MIGRATRIX_NOTIFICATIONS: "off",
      },
      {
        migratrixUrl: "http://cp:4000",
        notifications: false,
        slack: { botToken: "xoxb-1", appToken: "xapp-1", migratrixToken: "mxb", port: 3000 },
      },
    ],
    [
      "a bot token where the app token belongs",
      { MIGRATRIX_URL: "http://cp", MIGRATRIX_BOT_TOKEN: "mxb", SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-2" },
      "bots: 1 setting problem(s):\n- SLACK_APP_TOKEN must be an app-level token (xapp-…, Basic Information → App-Level Tokens)",
    ],
    [
      "nothing configured",
      { MIGRATRIX_URL: "http://cp" },
      "bots: 1 setting problem(s):\n- nothing to start: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, DISCORD_TOKEN and/or DISCORD_PUBLIC_KEY for Discord",
    ],
    [
      "every problem at once, no secret echoed",
      { SLACK_BOT_TOKEN: "xoxb-secret", SLACK_PORT: "99999", DISCORD_PUBLIC_KEY: "nothex" },
      [
        "bots: 6 setting problem(s):",
        "- MIGRATRIX_URL is not set (the control plane, e.g. http://127.0.0.1:4000)",
        "- SLACK_SIGNING_SECRET is not set (Basic Information → App Credentials) but SLACK_BOT_TOKEN is; or set SLACK_APP_TOKEN for Socket Mode",
        "- MIGRATRIX_BOT_TOKEN (or MIGRATRIX_SLACK_BOT_TOKEN) is not set: `mx token create slack-bot --kind bot`",
        '- SLACK_PORT must be a port number 0-65535, got "99999"',
        "- MIGRATRIX_BOT_TOKEN (or MIGRATRIX_DISCORD_BOT_TOKEN) is not set: `mx token create discord-bot --kind bot`",
        "- DISCORD_PUBLIC_KEY must be 64 hex digits (Developer Portal → General Information → Public Key)",
      ].join("\n"),
    ],
  ] as const)("%s", (_what, env, expected) => {
    expect(outcome({ ...env })).toEqual(expected);
  });
});
