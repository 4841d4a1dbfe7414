// Chat identities against the real control plane (PGlite store, port-0 HTTP server): a bot token
// acts only as the Migratrix user linked to the chat account in its mx-chat-user header, with that
// user's roles; unlinked accounts get nothing but how to link, audited; bots cannot mint
// credentials; one person linked from Slack and Discord is one voter.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { IdentityService, TokenKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";

let store: Store;
let h: Harness;
let url = "";
let botSecret = "";
let anaSecret = "";

function transport(token: string, chatUser?: string): Transport {
  return createConnectTransport({
    baseUrl: url,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        if (chatUser !== undefined) req.header.set("mx-chat-user", chatUser);
        return next(req);
      },
    ],
  });
}

const identityAs = (token: string, chatUser?: string) => createClient(IdentityService, transport(token, chatUser));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code] ?? String(e.code), message: e.rawMessage };
  }
  throw new Error("the call was expected to fail");
}

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), passwordCost: { memoryCost: 1024, timeCost: 1 } });
  url = (await h.control.start(0)).url;
  const admin = createClient(AccessService, transport(h.adminToken));
  const { code } = await admin.invite({ email: "ana@example.com", grants: [{ environment: "dev", role: "viewer" }] });
  anaSecret = (
    await createClient(IdentityService, createConnectTransport({ baseUrl: url })).acceptInvite({
      code,
      password: "correct horse battery",
    })
  ).secret;
  botSecret = (await identityAs(h.adminToken).createToken({ name: "slack-bot", kind: TokenKind.BOT })).secret;
});

afterAll(async () => {
  await h?.control.stop();
  await store?.close();
});

describe("chat identities", () => {
  test("an unlinked chat user gets only how to link, and the attempt is audited", async () => {
    const bot = identityAs(botSecret, "slack:T01:U_ANA");
    expect(await refusal(bot.whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message:
        'slack:T01:U_ANA is not linked to a Migratrix user: run `mx link` and send the code to the bot ("/migratrix link CODE")',
    });
    const denied = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).filter(
      (r) => r.action === "auth.denied" && r.detail.reason === "unlinked",
    );
    expect(denied.map((r) => ({ actor: r.actor, chatUser: r.detail.chatUser }))).toEqual([
      { actor: "bot:slack-bot", chatUser: "slack:T01:U_ANA" },
    ]);
  });

  test("a bot without the chat user header, or with a malformed one, is refused", async () => {
    expect(await refusal(identityAs(botSecret).whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message: "bot token slack-bot must name the acting chat user in the mx-chat-user header",
    });
    expect(await refusal(identityAs(botSecret, "irc:x:y").whoAmI({}))).toEqual({
      code: "Unauthenticated",
      message: 'mx-chat-user must be "slack|discord:<tenant>:<user>", got "irc:x:y"',
    });
  });

  test("mx link's code links the chat account once; the bot then acts as that user with their roles", async () => {
    const { code } = await identityAs(anaSecret).createChatLinkCode({});
    expect(code).toMatch(/^mxl-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const bot = identityAs(botSecret, "slack:T01:U_ANA");
    const linked = await bot.linkChatIdentity({ code: code.toLowerCase(), displayName: "@ana" });
    expect({ email: linked.email, platform: linked.identity?.platform, user: linked.identity?.chatUserId }).toEqual({
      email: "ana@example.com",
      platform: "slack",
      user: "U_ANA",
    });
    // Used once: the same code cannot link another account.
    expect(await refusal(identityAs(botSecret, "discord:G1:D_EVE").linkChatIdentity({ code }))).toEqual({
      code: "FailedPrecondition",
      message: "this link code is unknown, used or expired; run `mx link` for a new one (it is valid for 10 minutes)",
    });
    const me = await bot.whoAmI({});
    expect({ email: me.email, role: me.workspaceRole, grants: me.grants.map((g) => [g.environment, g.role]) }).toEqual({
      email: "ana@example.com",
      role: "member",
      grants: [["dev", "viewer"]],
    });
    // Ana is a viewer: through the bot she cannot do what she could not do herself.
    const access = createClient(AccessService, transport(botSecret, "slack:T01:U_ANA"));
    expect((await refusal(access.grant({ email: "ana@example.com", environment: "dev", role: "admin" }))).code).toBe(
      "PermissionDenied",
    );
  });

  test("a bot cannot mint credentials or link codes, even for a linked user", async () => {
    const bot = identityAs(botSecret, "slack:T01:U_ANA");
    for (const call of [bot.createToken({ name: "escape" }), bot.createChatLinkCode({}), bot.listTokens({})]) {
      expect(await refusal(call)).toEqual({
        code: "PermissionDenied",
        message:
          "self.credentials needs your own token, not a chat bot; ana@example.com calls through bot slack-bot (workspace default)",
      });
    }
  });

  test("a chat account linked to someone cannot be taken over by another person's code", async () => {
    const { code } = await identityAs(h.adminToken).createChatLinkCode({});
    expect(await refusal(identityAs(botSecret, "slack:T01:U_ANA").linkChatIdentity({ code }))).toEqual({
      code: "FailedPrecondition",
      message: "slack:T01:U_ANA is linked to another Migratrix user; that link must be removed first (mx chat unlink)",
    });
  });

  test("one person linked in Slack and Discord is one identity; people list their own links, admins all", async () => {
    const { code } = await identityAs(anaSecret).createChatLinkCode({});
    await identityAs(botSecret, "discord:G1:D_ANA").linkChatIdentity({ code, displayName: "ana#1" });
    const slack = await identityAs(botSecret, "slack:T01:U_ANA").whoAmI({});
    const discord = await identityAs(botSecret, "discord:G1:D_ANA").whoAmI({});
    expect(discord.userId).toBe(slack.userId);
    const own = await identityAs(anaSecret).listChatIdentities({});
    expect(own.identities.map((i) => `${i.platform}:${i.tenant}:${i.chatUserId} ${i.email}`)).toEqual([
      "discord:G1:D_ANA ana@example.com",
      "slack:T01:U_ANA ana@example.com",
    ]);
    expect((await identityAs(h.adminToken).listChatIdentities({})).identities.length).toBe(2);
    // Unlinking ends the bot's access for that account at once.
    const slackId = own.identities.find((i) => i.platform === "slack")?.id ?? "";
    await identityAs(anaSecret).unlinkChatIdentity({ id: slackId });
    expect((await refusal(identityAs(botSecret, "slack:T01:U_ANA").whoAmI({}))).code).toBe("Unauthenticated");
    const actions = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).map((r) => r.action);
    expect(actions.filter((a) => a.startsWith("chat."))).toEqual([
      "chat.link_code",
      "chat.link",
      "chat.link_code",
      "chat.link_code",
      "chat.link",
      "chat.unlink",
    ]);
  });
});
