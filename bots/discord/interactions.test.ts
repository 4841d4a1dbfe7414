// Discord's HTTP interactions endpoint with real Ed25519 keys generated here: PING → PONG, signed
// slash commands answered as the linked user (or told how to link), and forged, stale, unsigned
// or wrong-key requests refused with 401. A real control plane answers (port 0).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { silentLogger } from "../../common/log.ts";
import { startControl, type TestControl } from "../testing/control.ts";
import { GUILD } from "../testing/discord-api.ts";
import { keyPair, publicKeyHex, signInteraction } from "../testing/ed25519.ts";
import { type InteractionsEndpoint, importPublicKey, startInteractions } from "./interactions.ts";

let c: TestControl;
let endpoint: InteractionsEndpoint;
let keys: CryptoKeyPair;
let otherKeys: CryptoKeyPair;
const ANA = { id: "400000000000000001", username: "ana" };

const now = () => Math.floor(Date.now() / 1000);

const sign = signInteraction;

async function post(
  body: unknown,
  opts: { key?: CryptoKey; timestamp?: number; signature?: string; bodyOverride?: string } = {},
) {
  const raw = JSON.stringify(body);
  const timestamp = String(opts.timestamp ?? now());
  const signature = opts.signature ?? (await sign(opts.key ?? keys.privateKey, timestamp, raw));
  return fetch(endpoint.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-signature-ed25519": signature,
      "x-signature-timestamp": timestamp,
    },
    body: opts.bodyOverride ?? raw,
  });
}

const command = (text: string, user = ANA) => ({
  type: 2,
  id: "500000000000000001",
  application_id: "100000000000000004",
  guild_id: GUILD,
  channel_id: "100000000000000002",
  member: { user: { ...user, discriminator: "0" }, roles: [] },
  token: "interaction-token",
  data: { name: "migratrix", type: 1, options: [{ name: "command", type: 3, value: text }] },
});

beforeAll(async () => {
  c = await startControl();
  keys = await keyPair();
  otherKeys = await keyPair();
  endpoint = await startInteractions({
    api: { baseUrl: c.url, token: c.discordBotToken },
    publicKey: await publicKeyHex(keys),
    port: 0,
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await endpoint?.stop();
  await c?.close();
});

describe("signature verification", () => {
  test("a signed PING gets PONG; forged, stale, unsigned and other-key requests get 401", async () => {
    const ping = { type: 1, id: "1", application_id: "100000000000000004", token: "t" };
    const results: [string, number][] = [];
    const cases: [string, () => Promise<Response>][] = [
      ["signed", () => post(ping)],
      ["signed by another key", () => post(ping, { key: otherKeys.privateKey })],
      ["body changed after signing", () => post(ping, { bodyOverride: JSON.stringify({ ...ping, type: 2 }) })],
      ["timestamp 6 minutes old", () => post(ping, { timestamp: now() - 360 })],
      ["signature not hex", () => post(ping, { signature: "zz" })],
      ["signature all zeros", () => post(ping, { signature: "0".repeat(128) })],
    ];
    for (const [what, send] of cases) results.push([what, (await send()).status]);
    expect(results).toEqual([
      ["signed", 200],
      ["signed by another key", 401],
      ["body changed after signing", 401],
      ["timestamp 6 minutes old", 401],
      ["signature not hex", 401],
      ["signature all zeros", 401],
    ]);
    expect(await (await post(ping)).json()).toEqual({ type: 1 });
  });

  test("a public key that is not 32 bytes of hex is refused at start", async () => {
    await expect(importPublicKey("abcd")).rejects.toThrow(
      "DISCORD_PUBLIC_KEY must be 32 bytes (64 hex digits), got 2 bytes",
    );
    await expect(importPublicKey("xyz")).rejects.toThrow("DISCORD_PUBLIC_KEY must be hex");
  });
});

describe("slash commands", () => {
  test("an unlinked user is told how to link, privately; after /migratrix link they act as their user", async () => {
    const refused = await (await post(command("status"))).json();
    expect(refused).toEqual({
      type: 4,
      data: {
        flags: 64,
        embeds: [
          {
            title: "Not linked",
            color: 0xecb22e,
            description: `discord:${GUILD}:${ANA.id} is not linked to a Migratrix user: run \`mx link\` and send the code to the bot ("/migratrix link CODE")`,
          },
        ],
      },
    });
    const ana = await c.addPerson("ana@example.com", { dev: "viewer" });
    const linked = await (await post(command(`link ${await c.linkCode(ana)}`))).json();
    expect(linked).toEqual({
      type: 4,
      data: {
        flags: 64,
        embeds: [
          {
            title: "Linked",
            color: 0x2eb67d,
            description: "This discord account now acts as ana@example.com in Migratrix, with that user's roles.",
          },
        ],
      },
    });
    const status = await (await post(command("status"))).json();
    expect(status).toEqual({
      type: 4,
      data: {
        embeds: [
          {
            title: "Flow chat",
            color: 0x4a90e2,
            description: "No migrations yet.",
            fields: [{ name: "Stages", value: "dev → prod", inline: true }],
          },
        ],
      },
    });
  });
});
