// mx link / mx chat list|unlink: linking Slack and Discord accounts to the caller, so the chat bots
// can act for them (with exactly their roles; the control plane checks the link on every call).
import {
  CreateChatLinkCodeResponseSchema,
  ListChatIdentitiesResponseSchema,
} from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

export const link = defineCommand({
  path: ["link"],
  summary: "get a one-time code that links your Slack or Discord account to you",
  args: [],
  options: {},
  details: ["Send the code to the Migratrix bot in the chat: /migratrix link CODE (valid for 10 minutes, once)."],
  async run({ out, clients }) {
    const res = await clients().identity.createChatLinkCode({});
    if (out.json) {
      out.document(protoJson(CreateChatLinkCodeResponseSchema, res));
      return 0;
    }
    out.line(res.code);
    out.note(
      `send "/migratrix link ${res.code}" to the Migratrix bot in Slack or Discord before ${formatTime(res.expiresAt)}`,
    );
    return 0;
  },
});

export const chatList = defineCommand({
  path: ["chat", "list"],
  summary: "list linked chat accounts (yours; everyone's for workspace admins)",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().identity.listChatIdentities({});
    if (out.json) {
      out.document(protoJson(ListChatIdentitiesResponseSchema, res));
      return 0;
    }
    out.table(
      ["ID", "CHAT ACCOUNT", "NAME", "USER", "LINKED"],
      res.identities.map((i) => [
        i.id,
        `${i.platform}:${i.tenant}:${i.chatUserId}`,
        i.displayName,
        i.email,
        formatTime(i.linkedAt),
      ]),
      { empty: "no linked chat accounts: run mx link" },
    );
    return 0;
  },
});

export const chatUnlink = defineCommand({
  path: ["chat", "unlink"],
  summary: "remove a chat account's link: the bot can no longer act for it",
  args: ["ID"],
  options: {},
  async run({ out, input, clients }) {
    const id = input.positionals[0] ?? "";
    await clients().identity.unlinkChatIdentity({ id });
    if (out.json) out.document({ unlinked: id });
    else out.line(`unlinked chat account ${id}`);
    return 0;
  },
});
