// The real discord.js Client against a local stand-in for Discord's REST API and gateway, and a
// real control plane (port 0): `!migratrix` messages, approval requests with ✅ / ❌ reactions,
// an unlinked user's reaction (nothing changes, audited), removing a reaction (no un-vote), a
// restarted bot voting from an old message, and run progress as message edits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger, silentLogger } from "../../common/log.ts";
import type { Person } from "../../control/flows/testing.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { startControl, type TestControl } from "../testing/control.ts";
import {
  CHANNEL,
  type DiscordMessage,
  type DiscordStandIn,
  GUILD,
  type RestCall,
  startDiscord,
} from "../testing/discord-api.ts";
import { keyPair, publicKeyHex, signInteraction } from "../testing/ed25519.ts";
import { type DiscordBot, startDiscordBot } from "./bot.ts";
import { startInteractions } from "./interactions.ts";

let c: TestControl;
let discord: DiscordStandIn;
let bot: DiscordBot;
let alice: Person;
let bob: Person;
const ALICE = { id: "300000000000000001", username: "alice" };
const BOB = { id: "300000000000000002", username: "bob" };
const EVE = { id: "300000000000000003", username: "eve" };

function startBot() {
  return startDiscordBot({
    api: { baseUrl: c.url, token: c.discordBotToken },
    token: "discord-test-token",
    restApi: discord.restApi,
    log: process.env.DEBUG_BOTS ? createLogger({ level: "debug" }) : silentLogger,
  });
}

const isPost = (x: RestCall) => x.method === "POST" && /^\/channels\/\d+\/messages$/.test(x.path);
type Embed = DiscordMessage["embeds"][number];
const embedOf = (x: RestCall | undefined) => ((x?.body as { embeds?: Embed[] } | undefined)?.embeds ?? [])[0];
/** The comparable text of an embed: title, description, fields, footer. */
function show(e: Embed | undefined) {
  return {
    title: e?.title,
    description: e?.description,
    fields: (e?.fields ?? []).map((f) => `${f.name}: ${f.value}`),
    footer: e?.footer?.text,
  };
}

/**
 * Sends a message as the user and returns the bot's reply. It does not wait for the bot to settle:
 * a promotion's follow-up ends only when the run does.
 */
async function say(who: { id: string; username: string }, text: string): Promise<RestCall> {
  const before = discord.calls.length;
  const id = discord.messageCreate(who, text);
  const reply = await discord.waitFor(
    (x) =>
      discord.calls.indexOf(x) >= before &&
      isPost(x) &&
      (x.body as { message_reference?: { message_id: string } }).message_reference?.message_id === id,
    `reply to "${text}"`,
  );
  return reply;
}

beforeAll(async () => {
  c = await startControl();
  discord = startDiscord();
  alice = await c.addPerson("alice@example.com", { dev: "editor", prod: "approver" });
  bob = await c.addPerson("bob@example.com", { dev: "editor", prod: "approver" });
  await c.link(bob, { platform: "discord", tenant: GUILD, user: BOB.id }, c.discordBotToken);
  bot = await startBot();
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  await discord?.stop();
  await c?.close();
});

describe("!migratrix messages", () => {
  test("help, and linking with a code", async () => {
    const help = embedOf(await say(ALICE, "!migratrix help"));
    expect(help?.title).toBe("Migratrix commands");
    expect(help?.description?.split("\n")[0]).toBe("`help` — this list");
    const linked = embedOf(await say(ALICE, `!migratrix link ${await c.linkCode(alice)}`));
    expect(show(linked)).toEqual({
      title: "Linked",
      description: "This discord account now acts as alice@example.com in Migratrix, with that user's roles.",
      fields: [],
      footer: undefined,
    });
  });
});

describe("approval by reactions", () => {
  let id = "";
  let request = "";

  test("promote to DEV shows progress as edits of one message; promote to PROD asks for approval with ✅ ❌", async () => {
    id = await c.newMigration("20260302000000_orders");
    const started = embedOf(await say(ALICE, `!migratrix promote ${id} dev`));
    expect(started?.title).toBe(`Promoting ${id} to dev`);
    const progress = await discord.waitFor(
      (x) => isPost(x) && embedOf(x)?.title === "dev/main apply: ⏳ Pending",
      "progress message",
    );
    expect(progress).toBeDefined();
    expect(await c.runNextJob()).toBe("completed");
    await bot.settled();
    if (process.env.DEBUG_BOTS)
      console.error(JSON.stringify(discord.calls.map((x) => [x.method, x.path, embedOf(x)?.title])));
    const edits = discord.calls.filter((x) => x.method === "PATCH").map((x) => embedOf(x)?.title);
    expect(edits.at(-1)).toBe("dev/main apply: ✅ Completed");

    const asked = await say(ALICE, `!migratrix promote ${id} prod`);
    const card = show(embedOf(asked));
    expect([card.title, card.fields, card.footer]).toEqual([
      "Approval needed: orders → prod",
      [`Migration: ${id}`, "Flow / stage: chat / prod (⏳ Pending)", "Approvals: 0 of 2", "Author: admin@localhost"],
      `React ✅ to approve, ❌ to reject · mx:chat/${id}/prod`,
    ]);
    request =
      [...discord.messages.values()].find((m) => m.embeds[0]?.title === "Approval needed: orders → prod")?.id ?? "";
    await discord.waitFor(
      (x) =>
        x.method === "PUT" &&
        x.path.includes(`/messages/${request}/reactions/`) &&
        x.path.includes(encodeURIComponent("❌")),
      "❌ reaction",
    );
    expect(discord.messages.get(request)?.reactions).toEqual(["✅", "❌"]);
  });

  test("an unlinked user's ✅ changes nothing, is answered with how to link, and is audited", async () => {
    const before = discord.calls.length;
    discord.reactionAdd(EVE, request, "✅");
    const refusal = await discord.waitFor((x) => discord.calls.indexOf(x) >= before && isPost(x), "refusal");
    await bot.settled();
    expect([(refusal.body as { content: string }).content, show(embedOf(refusal))]).toEqual([
      `<@${EVE.id}>`,
      {
        title: "Not linked",
        description: `discord:${GUILD}:${EVE.id} is not linked to a Migratrix user: run \`mx link\` and send the code to the bot ("/migratrix link CODE")`,
        fields: [],
        footer: undefined,
      },
    ]);
    expect(await c.stage(id, "prod")).toEqual({ state: RunState.PENDING, approvals: "0/2", votes: [] });
    const denied = await c.auditActions((a) => a.action === "auth.denied" && a.detail.includes(EVE.id));
    expect(denied.map((a) => [a.actor, JSON.parse(a.detail).chatUser])).toEqual([
      ["bot:discord-bot", `discord:${GUILD}:${EVE.id}`],
    ]);
  });

  test("a linked approver's ✅ votes and edits the request; removing the reaction does not un-vote", async () => {
    const before = discord.calls.length;
    discord.reactionAdd(BOB, request, "✅");
    const edit = await discord.waitFor(
      (x) => discord.calls.indexOf(x) >= before && x.method === "PATCH",
      "request edit",
    );
    await bot.settled();
    expect(show(embedOf(edit)).fields).toEqual([
      `Migration: ${id}`,
      "Flow / stage: chat / prod (⏳ Pending)",
      "Approvals: 1 of 2",
      "Author: admin@localhost",
    ]);
    discord.reactionRemove(BOB, request, "✅");
    // The gateway delivers in order: once a later message is answered, the removal was seen.
    await say(BOB, "!migratrix help");
    expect(await c.stage(id, "prod")).toEqual({
      state: RunState.PENDING,
      approvals: "1/2",
      votes: ["bob@example.com:approve via bot:discord-bot"],
    });
  });

  test("a restarted bot takes a ✅ on the old message (fetched, not cached): approvals met", async () => {
    await bot.stop();
    bot = await startBot();
    const before = discord.calls.length;
    discord.reactionAdd(ALICE, request, "✅");
    const edit = await discord.waitFor(
      (x) => discord.calls.indexOf(x) >= before && x.method === "PATCH",
      "request edit",
    );
    await bot.settled();
    expect(discord.calls.slice(before).some((x) => x.method === "GET" && x.path.endsWith(`/messages/${request}`))).toBe(
      true,
    );
    const card = show(embedOf(edit));
    expect([card.title, card.fields[2], card.footer, card.description?.split("\n").slice(0, 2)]).toEqual([
      "orders on prod: ⏳ Pending",
      "Approvals: 2 of 2",
      undefined,
      ["✅ bob@example.com", "✅ alice@example.com"],
    ]);
    expect(await c.stage(id, "prod")).toEqual({
      state: RunState.PENDING,
      approvals: "2/2",
      votes: ["bob@example.com:approve via bot:discord-bot", "alice@example.com:approve via bot:discord-bot"],
    });
  });

  test("❌ rejects", async () => {
    const other = await c.newMigration("20260302000001_rejected");
    await say(ALICE, `!migratrix promote ${other} dev`);
    expect(await c.runNextJob()).toBe("completed");
    await bot.settled();
    await say(ALICE, `!migratrix promote ${other} prod`);
    const msg = [...discord.messages.values()].find((m) => m.embeds[0]?.footer?.text?.includes(other))?.id ?? "";
    const before = discord.calls.length;
    discord.reactionAdd(BOB, msg, "❌");
    const edit = await discord.waitFor(
      (x) => discord.calls.indexOf(x) >= before && x.method === "PATCH",
      "request edit",
    );
    await bot.settled();
    expect([show(embedOf(edit)).title, (await c.stage(other, "prod")).state]).toEqual([
      "rejected on prod: ⛔ Rejected",
      RunState.REJECTED,
    ]);
  });
});

describe("slash command over the interactions endpoint", () => {
  test("a signed /migratrix promote answers at once; the gateway bot posts the run's progress and edits it", async () => {
    const pair = await keyPair();
    const gateway = bot;
    const endpoint = await startInteractions({
      api: { baseUrl: c.url, token: c.discordBotToken },
      publicKey: await publicKeyHex(pair),
      port: 0,
      log: silentLogger,
      follow: (channel, f, actor) => gateway.follow(channel, f, actor),
    });
    try {
      const id = await c.newMigration("20260302000002_slash");
      const body = JSON.stringify({
        type: 2,
        id: "500000000000000009",
        application_id: "100000000000000004",
        guild_id: GUILD,
        channel_id: CHANNEL,
        member: { user: { ...ALICE, discriminator: "0" }, roles: [] },
        token: "interaction-token",
        data: { name: "migratrix", type: 1, options: [{ name: "command", type: 3, value: `promote ${id} dev` }] },
      });
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = await signInteraction(pair.privateKey, ts, body);
      const before = discord.calls.length;
      const res = await fetch(endpoint.url, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": ts },
      });
      const answer = (await res.json()) as { type: number; data: { embeds: { title: string }[] } };
      expect([answer.type, answer.data.embeds[0]?.title]).toEqual([4, `Promoting ${id} to dev`]);
      await discord.waitFor(
        (x) => discord.calls.indexOf(x) >= before && isPost(x) && embedOf(x)?.title === "dev/main apply: ⏳ Pending",
        "progress message",
      );
      expect(await c.runNextJob()).toBe("completed");
      await endpoint.settled();
      const edits = discord.calls.slice(before).filter((x) => x.method === "PATCH");
      expect(edits.map((x) => embedOf(x)?.title).at(-1)).toBe("dev/main apply: ✅ Completed");
    } finally {
      await endpoint.stop();
    }
  });
});
