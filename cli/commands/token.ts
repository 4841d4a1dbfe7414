// mx token: API tokens (bearer, stored hashed by the server, revocable, expiring).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type ApiToken,
  CreateTokenResponseSchema,
  ListTokensResponseSchema,
  TokenKind,
} from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { parseDuration } from "../args.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

function status(out: Output, t: ApiToken, now: Date): string {
  if (t.revokedAt !== undefined) return out.paint("red", "revoked");
  if (t.expiresAt !== undefined && timestampDate(t.expiresAt) <= now) return out.paint("yellow", "expired");
  return out.paint("green", "active");
}

const KINDS: Record<string, TokenKind> = {
  user: TokenKind.USER,
  agent: TokenKind.AGENT,
  service: TokenKind.SERVICE,
  bot: TokenKind.BOT,
};

function tokenKind(value: string): TokenKind {
  const kind = KINDS[value];
  if (kind === undefined)
    throw new UsageError(`--kind must be one of ${Object.keys(KINDS).join(", ")}, got "${value}"`);
  return kind;
}

export const tokenCreate = defineCommand({
  path: ["token", "create"],
  summary: "create an API token for scripts and bots (the secret is shown once)",
  args: ["NAME"],
  options: {
    ttl: { type: "string", value: "DURATION", description: "lifetime: 30d, 12h, 90m, 3600s or never (default 30d)" },
    kind: {
      type: "string",
      value: "KIND",
      description:
        "user (default), agent (for `migratrix-agent`: MIGRATRIX_TOKEN), service (CI) or bot (Slack/Discord bots: acts only for linked chat users); admins only for agent/service/bot",
    },
  },
  async run({ out, input, clients }) {
    const ttlSeconds = parseDuration(input.string("ttl") ?? "30d", "--ttl");
    const kind = tokenKind(input.string("kind") ?? "user");
    const res = await clients().identity.createToken({ name: input.positionals[0] ?? "", ttlSeconds, kind });
    if (out.json) {
      out.document(protoJson(CreateTokenResponseSchema, res));
      return 0;
    }
    const t = res.token;
    out.line(
      `created token ${out.paint("bold", t?.name ?? "")} (${t?.id ?? ""}), expires ${t?.expiresAt ? formatTime(t.expiresAt) : "never"}`,
    );
    out.line(res.secret);
    out.note("store the secret now: it is shown only once (use it as MIGRATRIX_TOKEN or --token)");
    return 0;
  },
});

export const tokenList = defineCommand({
  path: ["token", "list"],
  summary: "list API tokens (never their secrets)",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().identity.listTokens({});
    if (out.json) {
      out.document(protoJson(ListTokensResponseSchema, res));
      return 0;
    }
    const now = new Date();
    out.table(
      ["ID", "NAME", "USER", "STATUS", "CREATED", "EXPIRES", "LAST USED"],
      res.tokens.map((t) => [
        t.id,
        t.name,
        t.userId,
        status(out, t, now),
        formatTime(t.createdAt),
        t.expiresAt === undefined ? "never" : formatTime(t.expiresAt),
        formatTime(t.lastUsedAt),
      ]),
      { empty: "no tokens" },
    );
    return 0;
  },
});

export const tokenRevoke = defineCommand({
  path: ["token", "revoke"],
  summary: "revoke an API token at once",
  args: ["ID"],
  options: {},
  async run({ out, input, clients }) {
    const tokenId = input.positionals[0] ?? "";
    await clients().identity.revokeToken({ tokenId });
    if (out.json) out.document({ revoked: tokenId });
    else out.line(`revoked token ${tokenId}`);
    return 0;
  },
});
