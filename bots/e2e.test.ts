// The proof, end to end: one real control plane (PGlite, port 0) with a DEV → PROD flow
// whose PROD stage needs 2 approvals; the real bolt App (signed requests) and the real discord.js
// Client (gateway stand-in) as its only clients. One PROD approval is a Slack button click, the
// other a Discord ✅ from another linked person; an unlinked user's ✅ changes nothing and is
// audited; the same person voting in Slack and then Discord counts once; the run's progress ends
// Completed in the Slack thread.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../common/log.ts";
import type { Person } from "../control/flows/testing.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { type DiscordBot, startDiscordBot } from "./discord/bot.ts";
import { type SlackBot, startSlackBot } from "./slack/app.ts";
import { startControl, type TestControl } from "./testing/control.ts";
import { type DiscordStandIn, GUILD, type RestCall, startDiscord } from "./testing/discord-api.ts";
import {
  buttonForm,
  postSigned,
  type SlackApiStandIn,
  type SlackCall,
  slashForm,
  startSlackApi,
} from "./testing/slack-api.ts";

const SECRET = "e2e-signing-secret";
let c: TestControl;
let slackApi: SlackApiStandIn;
let discord: DiscordStandIn;
let slack: SlackBot;
let disco: DiscordBot;
let alice: Person;
let bob: Person;
const ALICE_SLACK = { team: "T1", user: "U_ALICE" };
const ALICE_DISCORD = { id: "300000000000000001", username: "alice" };
const BOB_DISCORD = { id: "300000000000000002", username: "bob" };
const EVE_DISCORD = { id: "300000000000000003", username: "eve" };

const blocksText = (x: SlackCall) => JSON.stringify(x.args.blocks ?? []);
const embedTitle = (x: RestCall) => ((x.body as { embeds?: { title?: string }[] } | undefined)?.embeds ?? [])[0]?.title;

beforeAll(async () => {
  c = await startControl();
  slackApi = startSlackApi();
  discord = startDiscord();
  alice = await c.addPerson("alice@example.com", { dev: "editor", prod: "approver" });
  bob = await c.addPerson("bob@example.com", { prod: "approver" });
  slack = await startSlackBot({
    api: { baseUrl: c.url, token: c.slackBotToken },
    signingSecret: SECRET,
    botToken: "xoxb-e2e",
    slackApiUrl: slackApi.url,
    port: 0,
    log: silentLogger,
  });
  disco = await startDiscordBot({
    api: { baseUrl: c.url, token: c.discordBotToken },
    token: "discord-e2e",
    restApi: discord.restApi,
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await slack?.stop();
  await disco?.stop();
  await slackApi?.stop();
  await discord?.stop();
  await c?.close();
});

/** Sends a Discord event and waits for the bot's first REST call after it that matches. */
async function onDiscord(send: () => void, match: (x: RestCall) => boolean, what: string) {
  const before = discord.calls.length;
  send();
  const call = await discord.waitFor((x) => discord.calls.indexOf(x) >= before && match(x), what);
  await disco.settled();
  return call;
}

test("DEV → PROD with one approval by Slack button and one by Discord reaction", async () => {
  // Linking happens in chat, with codes from `mx link` (CreateChatLinkCode).
  await postSigned(slack.url, SECRET, slashForm(`link ${await c.linkCode(alice)}`, ALICE_SLACK));
  const aliceCode = await c.linkCode(alice);
  await onDiscord(
    () => discord.messageCreate(ALICE_DISCORD, `!migratrix link ${aliceCode}`),
    (x) => embedTitle(x) === "Linked",
    "alice linked",
  );
  const bobCode = await c.linkCode(bob);
  await onDiscord(
    () => discord.messageCreate(BOB_DISCORD, `!migratrix link ${bobCode}`),
    (x) => embedTitle(x) === "Linked",
    "bob linked",
  );
  await slack.settled();

  // DEV: promoted from Slack, run by the agent, progress in the thread.
  const id = await c.newMigration("20260303000000_accounts");
  await postSigned(slack.url, SECRET, slashForm(`promote ${id} dev`, ALICE_SLACK));
  await slackApi.waitFor((x) => x.method === "chat.postMessage" && x.args.thread_ts !== undefined, "dev progress");
  expect(await c.runNextJob()).toBe("completed");
  await slack.settled();

  // PROD asks for approval in both places.
  const asked = postSigned(slack.url, SECRET, slashForm(`promote ${id} prod`, ALICE_SLACK));
  const slackRequest = await slackApi.waitFor(
    (x) => x.method === "chat.postMessage" && String(x.args.text).startsWith("Approval needed"),
    "slack request",
  );
  await asked;
  const discordRequest = await onDiscord(
    () => discord.messageCreate(BOB_DISCORD, `!migratrix promote ${id} prod`),
    (x) => x.method === "PUT" && x.path.includes(encodeURIComponent("❌")),
    "discord request reactions",
  );
  const discordMessage = /messages\/(\d+)\//.exec(discordRequest.path)?.[1] ?? "";

  // An unlinked Discord user's ✅: answered with how to link, nothing counted, audited.
  const refusal = await onDiscord(
    () => discord.reactionAdd(EVE_DISCORD, discordMessage, "✅"),
    (x) => x.method === "POST",
    "refusal",
  );
  expect(embedTitle(refusal)).toBe("Not linked");
  expect(await c.stage(id, "prod")).toEqual({ state: RunState.PENDING, approvals: "0/2", votes: [] });
  const audited = await c.auditActions((a) => a.action === "auth.denied" && a.detail.includes(EVE_DISCORD.id));
  expect(audited.map((a) => [a.actor, JSON.parse(a.detail).reason, JSON.parse(a.detail).chatUser])).toEqual([
    ["bot:discord-bot", "unlinked", `discord:${GUILD}:${EVE_DISCORD.id}`],
  ]);

  // Alice approves with the Slack button.
  const value = /"value":"(mx:[^"]+)"/.exec(blocksText(slackRequest))?.[1] ?? "";
  await postSigned(
    slack.url,
    SECRET,
    buttonForm("mx_approve", value, ALICE_SLACK, { channel: "C1", ts: String(slackRequest.result.ts) }),
  );
  await slack.settled();
  expect(await c.stage(id, "prod")).toEqual({
    state: RunState.PENDING,
    approvals: "1/2",
    votes: ["alice@example.com:approve via bot:slack-bot"],
  });

  // The same person again through Discord: one vote per person, said in plain words.
  const again = await onDiscord(
    () => discord.reactionAdd(ALICE_DISCORD, discordMessage, "✅"),
    (x) => x.method === "POST",
    "already voted",
  );
  expect([(again.body as { content: string }).content, (again.body as { embeds: unknown[] }).embeds]).toEqual([
    `<@${ALICE_DISCORD.id}>`,
    [
      {
        title: "Already done",
        color: 0xe01e5a,
        description: `alice@example.com already voted approve on ${id} at prod (via bot:slack-bot); one vote per person`,
      },
    ],
  ]);
  expect((await c.stage(id, "prod")).approvals).toBe("1/2");

  // Bob approves with ✅ in Discord: 2 of 2, the Discord request is edited.
  const edited = await onDiscord(
    () => discord.reactionAdd(BOB_DISCORD, discordMessage, "✅"),
    (x) => x.method === "PATCH",
    "request edit",
  );
  expect(embedTitle(edited)).toBe("accounts on prod: ⏳ Pending");
  expect(await c.stage(id, "prod")).toEqual({
    state: RunState.PENDING,
    approvals: "2/2",
    votes: ["alice@example.com:approve via bot:slack-bot", "bob@example.com:approve via bot:discord-bot"],
  });

  // PROD runs, promoted from Slack; its thread ends Completed.
  const started = postSigned(slack.url, SECRET, slashForm(`promote ${id} prod`, ALICE_SLACK));
  await slackApi.waitFor(
    (x) => x.method === "chat.postMessage" && String(x.args.text).startsWith("prod/main apply"),
    "prod progress",
  );
  await started;
  expect(await c.runNextJob()).toBe("completed");
  await slack.settled();
  const last = slackApi.calls.filter((x) => x.method === "chat.update").at(-1);
  expect(last && JSON.parse(blocksText(last))[0].text.text).toBe("prod/main apply: ✅ Completed");
  expect((await c.stage(id, "prod")).state).toBe(RunState.COMPLETED);
}, 30_000);
