// `bun start` with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: the control plane's own HTTP server
// answers the Slack app's Request URL (/slack/events) through the bot's verifying receiver; the
// bot's Web API calls go to a local Slack stand-in; its Migratrix bot token is made once and kept.
// With DISCORD_PUBLIC_KEY too, the same server answers Discord's Interactions Endpoint URL
// (/discord/interactions) through the bot's Ed25519-verifying handler (real keys made here).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GUILD } from "../bots/testing/discord-api.ts";
import { keyPair, publicKeyHex, signInteraction } from "../bots/testing/ed25519.ts";
import { postSigned, type SlackApiStandIn, signSlack, slashForm, startSlackApi } from "../bots/testing/slack-api.ts";
import { silentLogger } from "../control/index.ts";
import { DISCORD_BOT_TOKEN_FILE, SLACK_BOT_TOKEN_FILE } from "./chat.ts";
import { type Embedded, startEmbedded } from "./embedded.ts";

const SECRET = "launcher-signing-secret";
let dir: string;
let slackApi: SlackApiStandIn;
let mx: Embedded;
let discordKeys: CryptoKeyPair;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mx-launcher-chat-"));
  slackApi = startSlackApi();
  discordKeys = await keyPair();
  mx = await startEmbedded({
    dir,
    port: 0,
    agentPort: null,
    vaultIterations: 200_000,
    env: {
      SLACK_BOT_TOKEN: "xoxb-launcher",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slackApi.url,
      DISCORD_PUBLIC_KEY: await publicKeyHex(discordKeys),
      MIGRATRIX_NOTIFICATIONS: "off",
    },
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await mx?.stop();
  await slackApi?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("/slack/events on the control plane: signed requests reach the bot, others get 401", async () => {
  expect(mx.chat?.mode).toBe("http");
  const events = `${mx.url}/slack/events`;
  const res = await postSigned(events, SECRET, slashForm("help", { team: "T1", user: "U1" }));
  expect(res.status).toBe(200);
  await mx.chat?.slack?.settled();
  const reply = slackApi.calls.find((x) => x.method === "chat.postEphemeral");
  expect([reply?.token, String(reply?.args.text).split(" — ")[0]]).toEqual(["xoxb-launcher", "Migratrix commands"]);

  const body = new URLSearchParams(slashForm("help", { team: "T1", user: "U1" })).toString();
  const forged = await fetch(events, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...signSlack("wrong", body, Math.floor(Date.now() / 1000)),
    },
  });
  expect(forged.status).toBe(401);
  // The Migratrix bot token was made once for this data directory, readable by its owner only.
  expect(statSync(join(dir, SLACK_BOT_TOKEN_FILE)).mode & 0o777).toBe(0o600);
}, 20_000);

test("/discord/interactions on the control plane: a signed command reaches the bot, a bad signature gets 401", async () => {
  expect([mx.chat?.discord?.interactions !== undefined, mx.chat?.discord?.gateway]).toEqual([true, undefined]);
  const url = `${mx.url}/discord/interactions`;
  const send = async (body: string, key: CryptoKey) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-signature-ed25519": await signInteraction(key, timestamp, body),
        "x-signature-timestamp": timestamp,
      },
    });
    return { status: res.status, body: res.headers.get("content-type")?.includes("json") ? await res.json() : null };
  };
  const user = "400000000000000009";
  const status = JSON.stringify({
    type: 2,
    id: "500000000000000009",
    application_id: "100000000000000004",
    guild_id: GUILD,
    channel_id: "100000000000000002",
    member: { user: { id: user, username: "zed", discriminator: "0" }, roles: [] },
    token: "interaction-token",
    data: { name: "migratrix", type: 1, options: [{ name: "command", type: 3, value: "status" }] },
  });
  // The bot asked the control plane (with its own bot token) and was told this account is unlinked.
  expect(await send(status, discordKeys.privateKey)).toEqual({
    status: 200,
    body: {
      type: 4,
      data: {
        flags: 64,
        embeds: [
          {
            title: "Not linked",
            color: 0xecb22e,
            description: `discord:${GUILD}:${user} is not linked to a Migratrix user: run \`mx link\` and send the code to the bot ("/migratrix link CODE")`,
          },
        ],
      },
    },
  });
  const other = await keyPair();
  expect(await send(status, other.privateKey)).toEqual({ status: 401, body: null });
  expect(statSync(join(dir, DISCORD_BOT_TOKEN_FILE)).mode & 0o777).toBe(0o600);
}, 20_000);
