// The bots' settings from environment variables: which front ends to start and with what. All
// problems are reported at once, naming the variable; values are never echoed (they are secrets).
import { MigratrixError } from "../common/errors.ts";

export interface BotsConfig {
  migratrixUrl: string;
  defaultFlow?: string;
  slack?: {
    botToken: string;
    /** HTTP receiver (SLACK_PORT, /slack/events). */
    signingSecret?: string;
    /** Socket Mode instead of HTTP: the app-level token (xapp-…). */
    appToken?: string;
    migratrixToken: string;
    port: number;
    apiUrl?: string;
  };
  /** Off (MIGRATRIX_NOTIFICATIONS=off): the bots post no notifications; default on. */
  notifications?: false;
  discord?: {
    migratrixToken: string;
    /** Gateway bot (messages and reactions). */
    token?: string;
    /** HTTP interactions endpoint (slash commands). */
    publicKey?: string;
    interactionsPort: number;
    apiUrl?: string;
  };
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number, problems: string[]): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`${name} must be a port number 0-65535, got "${text}"`);
    return fallback;
  }
  return n;
}

export function configFromEnv(env: Env): BotsConfig {
  const problems: string[] = [];
  const get = (name: string) => (env[name] === "" ? undefined : env[name]);
  const migratrixUrl = get("MIGRATRIX_URL");
  if (!migratrixUrl) problems.push("MIGRATRIX_URL is not set (the control plane, e.g. http://127.0.0.1:4000)");
  else if (!/^https?:\/\//.test(migratrixUrl)) problems.push("MIGRATRIX_URL must start with http:// or https://");
  const shared = get("MIGRATRIX_BOT_TOKEN");

  let slack: BotsConfig["slack"];
  const slackToken = get("SLACK_BOT_TOKEN");
  const signingSecret = get("SLACK_SIGNING_SECRET");
  const appToken = get("SLACK_APP_TOKEN");
  if (slackToken || signingSecret || appToken) {
    const migratrixToken = get("MIGRATRIX_SLACK_BOT_TOKEN") ?? shared;
    if (!slackToken)
      problems.push(
        `SLACK_BOT_TOKEN is not set (xoxb-…, OAuth & Permissions) but ${signingSecret ? "SLACK_SIGNING_SECRET" : "SLACK_APP_TOKEN"} is`,
      );
    if (!signingSecret && !appToken)
      problems.push(
        "SLACK_SIGNING_SECRET is not set (Basic Information → App Credentials) but SLACK_BOT_TOKEN is; or set SLACK_APP_TOKEN for Socket Mode",
      );
    if (appToken && !appToken.startsWith("xapp-"))
      problems.push("SLACK_APP_TOKEN must be an app-level token (xapp-…, Basic Information → App-Level Tokens)");
    if (!migratrixToken)
      problems.push(
        "MIGRATRIX_BOT_TOKEN (or MIGRATRIX_SLACK_BOT_TOKEN) is not set: `mx token create slack-bot --kind bot`",
      );
    const p = port(env, "SLACK_PORT", 3000, problems);
    if (slackToken && (signingSecret || appToken) && migratrixToken) {
      const apiUrl = get("SLACK_API_URL");
      slack = {
        botToken: slackToken,
        ...(signingSecret ? { signingSecret } : {}),
        ...(appToken ? { appToken } : {}),
        migratrixToken,
        port: p,
        ...(apiUrl ? { apiUrl } : {}),
      };
    }
  }

  let discord: BotsConfig["discord"];
  const discordToken = get("DISCORD_TOKEN");
  const publicKey = get("DISCORD_PUBLIC_KEY");
  if (discordToken || publicKey) {
    const migratrixToken = get("MIGRATRIX_DISCORD_BOT_TOKEN") ?? shared;
    if (!migratrixToken)
      problems.push(
        "MIGRATRIX_BOT_TOKEN (or MIGRATRIX_DISCORD_BOT_TOKEN) is not set: `mx token create discord-bot --kind bot`",
      );
    if (publicKey !== undefined && !/^[0-9a-f]{64}$/i.test(publicKey)) {
      problems.push("DISCORD_PUBLIC_KEY must be 64 hex digits (Developer Portal → General Information → Public Key)");
    }
    const p = port(env, "DISCORD_INTERACTIONS_PORT", 3001, problems);
    if (migratrixToken) {
      const apiUrl = get("DISCORD_API_URL");
      discord = {
        migratrixToken,
        interactionsPort: p,
        ...(discordToken ? { token: discordToken } : {}),
        ...(publicKey ? { publicKey } : {}),
        ...(apiUrl ? { apiUrl } : {}),
      };
    }
  }

  if (problems.length === 0 && !slack && !discord) {
    problems.push(
      "nothing to start: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) for Slack, DISCORD_TOKEN and/or DISCORD_PUBLIC_KEY for Discord",
    );
  }
  if (problems.length > 0) {
    throw new MigratrixError(
      "invalid_argument",
      `bots: ${problems.length} setting problem(s):\n- ${problems.join("\n- ")}`,
    );
  }
  const defaultFlow = get("MIGRATRIX_DEFAULT_FLOW");
  const notificationsOff = /^(off|0|false|no)$/i.test(get("MIGRATRIX_NOTIFICATIONS") ?? "");
  return {
    migratrixUrl: migratrixUrl ?? "",
    ...(defaultFlow ? { defaultFlow } : {}),
    ...(notificationsOff ? { notifications: false as const } : {}),
    ...(slack ? { slack } : {}),
    ...(discord ? { discord } : {}),
  };
}
