// A transfer in chat (issue 7 "a message updated in chat"): routed to Slack and Discord, announced
// by one message per channel that the real bolt App (chat.update) and discord.js Client (message
// edit) edit as the job progresses and when it ends. The Slack bot is restarted mid-transfer: the
// new process finds the message in the control plane (ListChatMessages) and edits the same one.
// The agent's side is driven through the control plane's transfer lifecycle (lease and events).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { silentLogger } from "../common/log.ts";
import { checkOptions, decideTransferLease, startTransfer } from "../control/transfers/index.ts";
import { applyTransferEvent } from "../control/transfers/lifecycle.ts";
import { LeaseRequestSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { JobEventSchema, RunOutcome } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { NotificationKind } from "../proto/gen/migratrix/control/v1/notification_pb.ts";
import { botNotifications } from "./core/api.ts";
import { type DiscordBot, startDiscordBot } from "./discord/bot.ts";
import { type SlackBot, startSlackBot } from "./slack/app.ts";
import { startControl, type TestControl } from "./testing/control.ts";
import { CHANNEL, type DiscordStandIn, startDiscord } from "./testing/discord-api.ts";
import { type SlackApiStandIn, type SlackCall, startSlackApi } from "./testing/slack-api.ts";

let c: TestControl;
let slackApi: SlackApiStandIn;
let discord: DiscordStandIn;
const running: { stop(): Promise<void> }[] = [];
const TITLE = "Transfer dev/main → prod/main";

beforeAll(async () => {
  c = await startControl();
  slackApi = startSlackApi();
  discord = startDiscord();
  const transfers = { flow: "", environment: "", kinds: [NotificationKind.TRANSFER] };
  await c.notifications.setNotificationRoute({ name: "slack-xfer", platform: "slack", channel: "CXFER", ...transfers });
  await c.notifications.setNotificationRoute({
    name: "discord-xfer",
    platform: "discord",
    channel: CHANNEL,
    ...transfers,
  });
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
    signingSecret: "transfer-secret",
    botToken: "xoxb-transfer",
    slackApiUrl: slackApi.url,
    port: 0,
    log: silentLogger,
    notifications: { retryMs: 20, minEditMs: 0 },
  });
  running.push(bot);
  return bot;
}

async function discordBot(): Promise<DiscordBot> {
  const bot = await startDiscordBot({
    api: { baseUrl: c.url, token: c.discordBotToken },
    token: "discord-transfer",
    restApi: discord.restApi,
    log: silentLogger,
    notifications: { retryMs: 20, minEditMs: 0 },
  });
  running.push(bot);
  return bot;
}

/** The agent's side of one attempt: its lease, then events in order. */
async function agentSide(id: string) {
  const lease = await decideTransferLease(c.store.db, {
    workspaceId: c.h.workspaceId,
    req: create(LeaseRequestSchema, { runId: id, attempt: 1, agentId: "a1", fencingToken: 0n, correlationId: "t" }),
    settings: { ttlMs: 60_000, renewEveryMs: 20_000 },
    actor: "agent:a1",
  });
  expect(lease.granted).toBe(true);
  let seq = 0n;
  return async (kind: MessageInitShape<typeof JobEventSchema>["kind"]) => {
    const res = await applyTransferEvent(c.store.db, {
      workspaceId: c.h.workspaceId,
      subjectAgent: "a1",
      event: create(JobEventSchema, {
        runId: id,
        attempt: 1,
        seq: ++seq,
        fencingToken: lease.fencingToken,
        agentId: "a1",
        kind,
      }),
      retryBaseMs: 1000,
    });
    expect(res.outcome).toBe("stored");
  };
}

const progress = (rows: bigint) =>
  ({
    case: "transferProgress",
    value: {
      table: "items",
      rows,
      totalRows: rows,
      totalBytes: rows * 100n,
      estimatedRows: 1000n,
      rowsPerSecond: 200,
      etaSeconds: Number(1000n - rows) / 200,
    },
  }) as const;

const slackOf = (x: SlackCall) => [x.method, x.args.channel, x.args.ts ?? "", String(x.args.text)];
const untilSlack = (method: string, text: string) =>
  slackApi.waitFor((x) => x.method === method && String(x.args.text).includes(text), `${method} "${text}"`);
const untilDiscordEdit = (title: string) =>
  discord.waitFor(
    (x) =>
      x.method === "PATCH" && (x.body as { embeds?: { title?: string }[] } | undefined)?.embeds?.[0]?.title === title,
    `Discord edit "${title}"`,
  );
/** Consecutive repeats of one text collapsed (the end may be written by the follower and by the end notification). */
const distinct = <T>(xs: T[]) => xs.filter((x, i) => i === 0 || JSON.stringify(x) !== JSON.stringify(xs[i - 1]));

test("one message per channel, edited as the transfer progresses and when it ends, across a bot restart", async () => {
  const slack1 = await slackBot();
  await discordBot();
  const job = await startTransfer(c.store.db, c.h.bus, {
    workspaceId: c.h.workspaceId,
    from: "dev/main",
    to: "prod/main",
    options: checkOptions({ tables: ["items"] }),
    trigger: "manual",
    actor: "user:test",
    requestedBy: "alice@example.com",
    correlationId: "chat-transfer",
  });
  const posted = await untilSlack("chat.postMessage", `${TITLE}: started`);
  const ts = String(posted.result.ts);
  // Each change is awaited in chat before the next, so no intermediate state can be skipped.
  const send = await agentSide(job.id);
  await untilSlack("chat.update", `${TITLE}: running — 0 rows`);
  await send(progress(400n));
  await untilSlack("chat.update", "400 of ~1,000 rows");
  await untilDiscordEdit(`${TITLE}: running`);

  // The Slack bot stops; the transfer goes on; a new process edits the same message.
  await slack1.stop();
  await send(progress(800n));
  const slack2 = await slackBot();
  await untilSlack("chat.update", "800 of ~1,000 rows");
  await send({
    case: "transferResult",
    value: { ok: true, rows: 1000n, bytes: 100_000n, seconds: 5, reportJson: "{}" },
  });
  await untilSlack("chat.update", "1,000 of ~1,000 rows");
  await send({ case: "finished", value: { outcome: RunOutcome.COMPLETED } });
  await untilSlack("chat.update", `${TITLE}: completed`);
  await untilDiscordEdit(`${TITLE}: completed`);

  const calls = slackApi.calls.filter((x) => x.args.channel === "CXFER").map(slackOf);
  // The duration is the job's own (wall clock of this run).
  const shown = distinct(calls.map((x) => x.map((v) => String(v).replace(/ in \d+\.\d s/, " in N s"))));
  expect(shown).toEqual([
    ["chat.postMessage", "CXFER", "", `${TITLE}: started — 0 rows · 0 B`],
    ["chat.update", "CXFER", ts, `${TITLE}: running — 0 rows · 0 B`],
    [
      "chat.update",
      "CXFER",
      ts,
      `${TITLE}: running — 400 of ~1,000 rows (40%) · 39.1 KiB · 200 rows/s · ETA 3 s — Table: items`,
    ],
    [
      "chat.update",
      "CXFER",
      ts,
      `${TITLE}: running — 800 of ~1,000 rows (80%) · 78.1 KiB · 200 rows/s · ETA 1 s — Table: items`,
    ],
    [
      "chat.update",
      "CXFER",
      ts,
      `${TITLE}: running — 1,000 of ~1,000 rows (100%) · 97.7 KiB · 200 rows/s · ETA 0 s — Table: items`,
    ],
    [
      "chat.update",
      "CXFER",
      ts,
      `${TITLE}: completed — 1,000 rows · 97.7 KiB · 200 rows/s · in N s — Row counts and checksums match.`,
    ],
  ]);
  // Discord: one message, edited to the end.
  const mine = [...discord.messages.values()].filter((m) => m.embeds[0]?.title?.startsWith(TITLE));
  expect(mine.map((m) => m.embeds[0]?.title)).toEqual([`${TITLE}: completed`]);
  // A clean stop lets the follower record the end; the control plane knows the message is over.
  await slack2.stop();
  const bot = botNotifications({ baseUrl: c.url, token: c.slackBotToken });
  const known = await bot.listChatMessages({ platform: "slack", subject: `transfer:${job.id}` });
  expect(known.messages.map((m) => [m.channel, m.messageId, m.done])).toEqual([["CXFER", ts, true]]);
}, 30_000);
