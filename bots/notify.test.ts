// Notifications end to end: routes set through the API, a real control plane (PGlite, port 0), the
// real bolt App and discord.js Client consuming WatchNotifications as themselves. The Slack bot is
// stopped while a delivery is in flight and more are waiting; transitions happen while both bots
// are down; new bot processes post exactly the rest: nothing lost, nothing posted twice.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { silentLogger } from "../common/log.ts";
import { flowClient, type Person } from "../control/flows/testing.ts";
import { tables } from "../control/store/index.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { NotificationKind } from "../proto/gen/migratrix/control/v1/notification_pb.ts";
import { type DiscordBot, startDiscordBot } from "./discord/bot.ts";
import { type SlackBot, startSlackBot } from "./slack/app.ts";
import { FLOW, startControl, type TestControl } from "./testing/control.ts";
import { CHANNEL, type DiscordStandIn, GUILD, startDiscord } from "./testing/discord-api.ts";
import { type SlackApiStandIn, type SlackCall, startSlackApi } from "./testing/slack-api.ts";

let c: TestControl;
let slackApi: SlackApiStandIn;
let discord: DiscordStandIn;
let alice: Person;
let bob: Person;
const running: { stop(): Promise<void> }[] = [];
const ALICE_SLACK = { platform: "slack", tenant: "T1", user: "U_ALICE" } as const;
const BOB_SLACK = { platform: "slack", tenant: "T1", user: "U_BOB" } as const;
const BOB_DISCORD = { platform: "discord", tenant: GUILD, user: "300000000000000002" } as const;

beforeAll(async () => {
  c = await startControl();
  slackApi = startSlackApi();
  discord = startDiscord();
  alice = await c.addPerson("alice@example.com", { dev: "editor", prod: "approver" });
  bob = await c.addPerson("bob@example.com", { prod: "approver" });
  await c.link(alice, ALICE_SLACK, c.slackBotToken);
  await c.link(bob, BOB_SLACK, c.slackBotToken);
  await c.link(bob, BOB_DISCORD, c.discordBotToken);
  const all = { flow: "", environment: "", kinds: [] };
  await c.notifications.setNotificationRoute({ name: "slack-all", platform: "slack", channel: "CDEPLOY", ...all });
  await c.notifications.setNotificationRoute({
    name: "slack-prod-approvals",
    platform: "slack",
    channel: "CAPPROVE",
    flow: FLOW,
    environment: "prod",
    kinds: [NotificationKind.APPROVAL_NEEDED],
  });
  await c.notifications.setNotificationRoute({ name: "discord-all", platform: "discord", channel: CHANNEL, ...all });
}, 60_000);

afterAll(async () => {
  for (const r of running) await r.stop();
  await slackApi?.stop();
  await discord?.stop();
  await c?.close();
});

async function slackBot(): Promise<SlackBot> {
  const bot = await startSlackBot({
    api: { baseUrl: c.url, token: c.slackBotToken },
    signingSecret: "notify-secret",
    botToken: "xoxb-notify",
    slackApiUrl: slackApi.url,
    port: 0,
    log: silentLogger,
    notifications: { retryMs: 20 },
  });
  running.push(bot);
  return bot;
}

async function discordBot(): Promise<DiscordBot> {
  const bot = await startDiscordBot({
    api: { baseUrl: c.url, token: c.discordBotToken },
    token: "discord-notify",
    restApi: discord.restApi,
    log: silentLogger,
    notifications: { retryMs: 20 },
  });
  running.push(bot);
  return bot;
}

const posts = () =>
  slackApi.calls.filter((x) => x.method === "chat.postMessage").map((x) => [x.args.channel, String(x.args.text)]);
const isPost = (channel: string, title: string) => (x: SlackCall) =>
  x.method === "chat.postMessage" && x.args.channel === channel && String(x.args.text).startsWith(title);
const discordTitles = () =>
  [...discord.messages.values()].map((m) => [m.embeds[0]?.title ?? "", m.content, m.reactions.join("")]);

/** Waits for the bot's post of a message with this embed title (the stand-in stores it in the same tick). */
async function untilDiscord(title: string) {
  await discord.waitFor(
    (x) =>
      x.method === "POST" && (x.body as { embeds?: { title?: string }[] } | undefined)?.embeds?.[0]?.title === title,
    `Discord message "${title}"`,
  );
}

test("a flow's transitions reach the routed channels; a bot restarted mid-way loses and repeats nothing", async () => {
  const slack1 = await slackBot();
  const disco1 = await discordBot();
  const aliceFlows = flowClient(c.h, alice.token);
  const bobFlows = flowClient(c.h, bob.token);

  const id = await c.newMigration("20260401000000_orders");
  await aliceFlows.promote({ flow: FLOW, migrationId: id, stage: "dev" });
  // The Slack bot stops while it posts the first approval request (more are waiting behind it).
  const held = slackApi.hold(
    (method, args) =>
      method === "chat.postMessage" && args.channel === "CDEPLOY" && String(args.text).startsWith("Approval needed"),
  );
  expect(await c.runNextJob()).toBe("completed");
  await held.reached;
  const stopping = slack1.stop();
  held.release();
  await stopping;
  await untilDiscord("Approval needed: orders → prod");
  await disco1.stop();
  expect(posts()).toEqual([
    ["CDEPLOY", "orders completed on dev"],
    [
      "CDEPLOY",
      "Approval needed: orders → prod — 0 of 2 approvals so far; approve or reject here. — Approvers: <@U_ALICE> <@U_BOB>",
    ],
  ]);
  expect(slack1.delivered()).toBe(2);

  // The approval request carries the vote (buttons) and mentions the eligible approvers.
  const request = slackApi.calls.find(isPost("CDEPLOY", "Approval needed"));
  const blocks = JSON.stringify(request?.args.blocks);
  expect(blocks).toContain(`"action_id":"mx_approve","style":"primary","value":"mx:${FLOW}/${id}/prod"`);
  expect(blocks).toContain("Approvers: <@U_ALICE> <@U_BOB>");

  // While both bots are down: approvals, the prod apply, its rollback, and a failed apply.
  await aliceFlows.approve({ flow: FLOW, migrationId: id, stage: "prod", comment: "" });
  await bobFlows.approve({ flow: FLOW, migrationId: id, stage: "prod", comment: "" });
  await aliceFlows.promote({ flow: FLOW, migrationId: id, stage: "prod" });
  expect(await c.runNextJob()).toBe("completed");
  await c.admin.rollback({ flow: FLOW, migrationId: id, stage: "prod" });
  expect(await c.runNextJob()).toBe("completed");
  expect((await c.stage(id, "prod")).state).toBe(RunState.PENDING);
  const broken = await c.newMigration("20260401000001_broken");
  await aliceFlows.promote({ flow: FLOW, migrationId: broken, stage: "dev" });
  expect(await c.runNextJob({ failAt: 2 })).toBe("failed");

  // New processes: exactly what was not delivered yet, in order.
  const slack2 = await slackBot();
  const disco2 = await discordBot();
  await slackApi.waitFor(isPost("CDEPLOY", "broken failed on dev"), "the failure");
  await untilDiscord("broken failed on dev");
  await slack2.stop();
  await disco2.stop();
  expect(posts().slice(2)).toEqual([
    [
      "CAPPROVE",
      "Approval needed: orders → prod — 2 of 2 approvals so far; approve or reject here. — Approvers: <@U_ALICE> <@U_BOB>",
    ],
    ["CDEPLOY", "orders completed on prod"],
    [
      "CDEPLOY",
      "orders rolled back on prod — The down script completed on every database of the stage; the stage is Pending again.",
    ],
    ["CDEPLOY", "broken failed on dev — On dev/main — Failed statement: `statement 2`"],
  ]);
  const failure = slackApi.calls.find(isPost("CDEPLOY", "broken failed"));
  expect(JSON.stringify(failure?.args.blocks)).toContain("syntax error (42601)");
  expect(JSON.stringify(failure?.args.blocks)).toContain(
    `"action_id":"mx_rollback","style":"danger","value":"mx:${FLOW}/${broken}/dev"`,
  );
  expect([slack2.delivered(), disco2.delivered()]).toEqual([4, 3]);

  // Discord: one message per notification, the request with ✅ / ❌ and the eligible approver pinged.
  expect(discordTitles()).toEqual([
    ["orders completed on dev", "", ""],
    ["Approval needed: orders → prod", `<@${BOB_DISCORD.user}>`, "✅❌"],
    ["orders completed on prod", "", ""],
    ["orders rolled back on prod", "", ""],
    ["broken failed on dev", "", ""],
  ]);

  // A ✅ on the posted request acts on the stage its footer names (the reaction handler's reference).
  const discordRequest = [...discord.messages.values()].find((m) => m.embeds[0]?.title?.startsWith("Approval needed"));
  expect(discordRequest?.embeds[0]?.footer?.text).toEndWith(`mx:${FLOW}/${id}/prod`);

  // The control plane holds each platform's position: the last delivery of the failure's record.
  const cursors = await c.store.db
    .select({ platform: tables.notificationCursors.platform, part: tables.notificationCursors.part })
    .from(tables.notificationCursors)
    .where(and(eq(tables.notificationCursors.workspaceId, c.h.workspaceId)))
    .orderBy(tables.notificationCursors.platform);
  expect(cursors).toEqual([
    { platform: "discord", part: 0 },
    { platform: "slack", part: 0 },
  ]);
}, 60_000);

test("the feed answers bot tokens only, for their own workspace", async () => {
  const denied = await c.notifications.ackNotification({ platform: "slack", seq: 1n, part: 0 }).then(
    () => "allowed",
    (err: unknown) => String(err),
  );
  expect(denied).toContain("notifications.consume needs a chat bot's token");
});
