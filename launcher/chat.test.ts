// `bun start` with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: the control plane's own HTTP server
// answers the Slack app's Request URL (/slack/events) through the bot's verifying receiver; the
// bot's Web API calls go to a local Slack stand-in; its Migratrix bot token is made once and kept.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postSigned, type SlackApiStandIn, signSlack, slashForm, startSlackApi } from "../bots/testing/slack-api.ts";
import { silentLogger } from "../control/index.ts";
import { SLACK_BOT_TOKEN_FILE } from "./chat.ts";
import { type Embedded, startEmbedded } from "./embedded.ts";

const SECRET = "launcher-signing-secret";
let dir: string;
let slackApi: SlackApiStandIn;
let mx: Embedded;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mx-launcher-chat-"));
  slackApi = startSlackApi();
  mx = await startEmbedded({
    dir,
    port: 0,
    agentPort: null,
    vaultIterations: 200_000,
    env: {
      SLACK_BOT_TOKEN: "xoxb-launcher",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slackApi.url,
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
  await mx.chat?.slack.settled();
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
