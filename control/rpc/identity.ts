import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import { type IdentityService, TokenKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { createApiToken, hasRole, listApiTokens, requireRole, revokeApiToken } from "../identity/index.ts";
import { requireUuid } from "../ids.ts";
import type { TokenKind as StoredKind } from "../store/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import { tokenMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";

const KINDS: Record<TokenKind, StoredKind> = {
  [TokenKind.UNSPECIFIED]: "user",
  [TokenKind.USER]: "user",
  [TokenKind.AGENT]: "agent",
  [TokenKind.SERVICE]: "service",
};

const TO_PROTO: Record<StoredKind, TokenKind> = {
  user: TokenKind.USER,
  agent: TokenKind.AGENT,
  service: TokenKind.SERVICE,
};

const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

export function identityService(deps: ServiceDeps): Partial<ServiceImpl<typeof IdentityService>> {
  return {
    whoAmI(_req, ctx) {
      const c = callerOf(ctx);
      return {
        userId: c.userId,
        email: c.email,
        workspaceId: c.workspaceId,
        workspaceName: c.workspaceName,
        tokenId: c.tokenId,
      };
    },
    async createToken(req, ctx) {
      const c = callerOf(ctx);
      const kind = KINDS[req.kind] ?? "user";
      if (kind !== "user") requireRole(c, "admin", `creating an ${kind} token`);
      if (req.ttlSeconds > MAX_TTL_SECONDS) {
        throw new MigratrixError(
          "invalid_argument",
          `ttl_seconds ${req.ttlSeconds} is over the limit of ${MAX_TTL_SECONDS}`,
        );
      }
      const { token, secret } = await deps.db.transaction((tx) =>
        createApiToken(tx, {
          workspaceId: c.workspaceId,
          userId: c.userId,
          name: req.name,
          kind,
          ttlMs: req.ttlSeconds * 1000,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { token: { ...tokenMsg(token), kind: TO_PROTO[token.kind] }, secret };
    },
    async listTokens(_req, ctx) {
      const c = callerOf(ctx);
      const all = await listApiTokens(deps.db, c.workspaceId);
      const visible = hasRole(c, "admin") ? all : all.filter((t) => t.userId === c.userId);
      return { tokens: visible.map((t) => ({ ...tokenMsg(t), kind: TO_PROTO[t.kind] })) };
    },
    async revokeToken(req, ctx) {
      const c = callerOf(ctx);
      requireUuid("token", req.tokenId);
      if (!hasRole(c, "admin")) {
        const own = (await listApiTokens(deps.db, c.workspaceId)).some(
          (t) => t.id === req.tokenId && t.userId === c.userId,
        );
        if (!own) throw new MigratrixError("permission_denied", "revoking another user's token needs the admin role");
      }
      await deps.db.transaction((tx) =>
        revokeApiToken(tx, {
          workspaceId: c.workspaceId,
          tokenId: req.tokenId,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return {};
    },
  };
}
