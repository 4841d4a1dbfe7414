// Slack Socket Mode: the real bolt App with socketMode and an app token opens its WebSocket through
// apps.connections.open on the local Slack stand-in (bolt hands installerOptions.clientOptions to
// its SocketModeClient), receives slash commands and button clicks as envelopes, acknowledges them,
// and acts as the linked chat user like the HTTP receiver does. No HTTP endpoint exists.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../../common/log.ts";
import { flowClient, type Person } from "../../control/flows/testing.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { FLOW, startControl, type TestControl } from "../testing/control.ts";
import { buttonForm, type SlackApiStandIn, slashForm, startSlackApi } from "../testing/slack-api.ts";
import { type SlackBot, startSlackBot } from "./app.ts";

let c: TestControl;
let slackApi: SlackApiStandIn;
let bot: SlackBot;
let alice: Person;
const ALICE = { team: "T1", user: "U_ALICE" };

beforeAll(async () => {
  c = await startControl();
  slackApi = startSlackApi();
  alice = await c.addPerson("alice@example.com", { dev: "editor", prod: "approver" });
  bot = await startSlackBot({
    api: { baseUrl: c.url, token: c.slackBotToken },
    appToken: "xapp-socket-test",
    botToken: "xoxb-socket-test",
    slackApiUrl: slackApi.url,
    log: silentLogger,
  });
  await slackApi.socket.connected();
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await slackApi?.stop();
  await c?.close();
});

test("connects outbound with the app token; no HTTP endpoint is served", async () => {
  const open = slackApi.calls.filter((x) => x.method === "apps.connections.open");
  expect(open.map((x) => x.token)).toEqual(["xapp-socket-test"]);
  expect(bot.url).toBe("");
  expect((await bot.fetch(new Request("http://localhost/slack/events", { method: "POST" }))).status).toBe(404);
}, 20_000);

test("slash commands and buttons arrive as envelopes, are acknowledged, and act as the linked user", async () => {
  const code = await c.linkCode(alice);
  const ack = await slackApi.socket.send("slash_commands", slashForm(`link ${code}`, ALICE));
  await bot.settled();
  expect(ack).toEqual({});
  const linked = slackApi.calls.filter((x) => x.method === "chat.postEphemeral").at(-1);
  expect(String(linked?.args.text)).toStartWith("Linked");

  // DEV done through the API; PROD waits for 2 approvals; alice's click counts as alice.
  const id = await c.newMigration("20260601000000_socket");
  await flowClient(c.h, alice.token).promote({ flow: FLOW, migrationId: id, stage: "dev" });
  expect(await c.runNextJob()).toBe("completed");
  await slackApi.socket.send("slash_commands", slashForm(`promote ${id} prod`, ALICE));
  await bot.settled();
  const request = slackApi.calls.filter((x) => x.method === "chat.postMessage").at(-1);
  expect(String(request?.args.text)).toStartWith("Approval needed: socket → prod");
  const click = JSON.parse(
    buttonForm("mx_approve", `mx:${FLOW}/${id}/prod`, ALICE, { channel: "C1", ts: String(request?.result.ts) }).payload,
  );
  await slackApi.socket.send("interactive", click);
  await bot.settled();
  expect(await c.stage(id, "prod")).toEqual({
    state: RunState.PENDING,
    approvals: "1/2",
    votes: ["alice@example.com:approve via bot:slack-bot"],
  });
  const update = slackApi.calls.filter((x) => x.method === "chat.update").at(-1);
  expect(update?.args.ts).toBe(request?.result.ts);
}, 20_000);
