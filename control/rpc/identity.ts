import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import {
  type ApiTokenSchema,
  type ChatIdentitySchema,
  type IdentityService,
  TokenKind,
  WorkspaceKind,
} from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { listEnvironments } from "../domain/environments.ts";
import {
  type ApiTokenRow,
  acceptInvite,
  type ChatIdentityView,
  createApiToken,
  createChatLinkCode,
  createWorkspace,
  isWorkspaceAdmin,
  linkChatIdentity,
  listApiTokens,
  listChatIdentities,
  login,
  revokeApiToken,
  unlinkChatIdentity,
  workspacesOf,
} from "../identity/index.ts";
import { requireUuid } from "../ids.ts";
import type { TokenKind as StoredKind } from "../store/index.ts";
import { authorizeCall, callerOf, correlationOf } from "./context.ts";
import { tokenMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";

const KINDS: Record<TokenKind, StoredKind> = {
  [TokenKind.UNSPECIFIED]: "user",
  [TokenKind.USER]: "user",
  [TokenKind.AGENT]: "agent",
  [TokenKind.SERVICE]: "service",
  [TokenKind.BOT]: "bot",
};

const TO_PROTO: Record<StoredKind, TokenKind> = {
  user: TokenKind.USER,
  agent: TokenKind.AGENT,
  service: TokenKind.SERVICE,
  bot: TokenKind.BOT,
};

const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

function checkTtl(seconds: number): void {
  if (seconds > MAX_TTL_SECONDS) {
    throw new MigratrixError("invalid_argument", `ttl_seconds ${seconds} is over the limit of ${MAX_TTL_SECONDS}`);
  }
}

function apiToken(t: ApiTokenRow): MessageInitShape<typeof ApiTokenSchema> {
  return { ...tokenMsg(t), kind: TO_PROTO[t.kind] };
}

export function identityService(deps: ServiceDeps): Partial<ServiceImpl<typeof IdentityService>> {
  return {
    async whoAmI(_req, ctx) {
      const c = callerOf(ctx);
      const envs = await listEnvironments(deps.db, c.workspaceId);
      return {
        userId: c.userId,
        email: c.email,
        workspaceId: c.workspaceId,
        workspaceName: c.workspaceName,
        tokenId: c.tokenId,
        workspaceRole: c.workspaceRole,
        grants: envs.flatMap((e) => {
          const role = c.grants.get(e.id);
          return role ? [{ environment: e.name, role }] : [];
        }),
      };
    },
    async createToken(req, ctx) {
      const c = callerOf(ctx);
      const kind = KINDS[req.kind] ?? "user";
      if (kind !== "user") await authorizeCall(deps.db, ctx, "access.manage");
      checkTtl(req.ttlSeconds);
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
      return { token: apiToken(token), secret };
    },
    async listTokens(_req, ctx) {
      const c = callerOf(ctx);
      const all = await listApiTokens(deps.db, c.workspaceId);
      const visible = isWorkspaceAdmin(c) ? all : all.filter((t) => t.userId === c.userId);
      return { tokens: visible.map(apiToken) };
    },
    async revokeToken(req, ctx) {
      const c = callerOf(ctx);
      requireUuid("token", req.tokenId);
      const token = (await listApiTokens(deps.db, c.workspaceId)).find((t) => t.id === req.tokenId);
      if (!token) throw new MigratrixError("not_found", `token ${req.tokenId} not found in this workspace`);
      if (token.userId !== c.userId) await authorizeCall(deps.db, ctx, "access.manage");
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
    async login(req, ctx) {
      checkTtl(req.ttlSeconds);
      const res = await login(deps.db, {
        email: req.email,
        password: req.password,
        workspace: req.workspace || undefined,
        ttlMs: req.ttlSeconds * 1000,
        tokenName: req.tokenName,
        correlationId: correlationOf(ctx),
        passwordCost: deps.passwordCost,
      });
      return {
        token: apiToken(res.token),
        secret: res.secret,
        workspaceId: res.workspace.id,
        workspaceName: res.workspace.name,
      };
    },
    async acceptInvite(req, ctx) {
      const res = await acceptInvite(deps.db, {
        code: req.code.trim(),
        password: req.password,
        name: req.name,
        correlationId: correlationOf(ctx),
        passwordCost: deps.passwordCost,
      });
      return {
        token: apiToken(res.token),
        secret: res.secret,
        workspaceId: res.workspaceId,
        workspaceName: res.workspaceName,
        userId: res.userId,
      };
    },
    async createWorkspace(req, ctx) {
      const c = callerOf(ctx);
      const ws = await deps.db.transaction((tx) =>
        createWorkspace(tx, {
          name: req.name,
          kind: "organisation",
          ownerUserId: c.userId,
          ownerEmail: c.email,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return {
        workspace: {
          id: ws.id,
          name: ws.name,
          kind: WorkspaceKind.ORGANISATION,
          role: "admin",
          createdAt: timestampFromDate(ws.createdAt),
        },
      };
    },
    async createChatLinkCode(_req, ctx) {
      const c = callerOf(ctx);
      const { code, expiresAt } = await deps.db.transaction((tx) =>
        createChatLinkCode(tx, {
          workspaceId: c.workspaceId,
          userId: c.userId,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { code, expiresAt: timestampFromDate(expiresAt) };
    },
    async linkChatIdentity(req, ctx) {
      const c = callerOf(ctx);
      const chat = c.chat;
      // The chat.link rule admits bot tokens only, and every bot caller carries its chat user.
      if (!chat) throw new MigratrixError("internal", "a bot caller without its chat user reached LinkChatIdentity");
      const { identity, email } = await deps.db.transaction((tx) =>
        linkChatIdentity(tx, {
          workspaceId: c.workspaceId,
          chat,
          code: req.code,
          displayName: req.displayName,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { identity: chatIdentityMsg({ ...identity, email }), email };
    },
    async listChatIdentities(_req, ctx) {
      const c = callerOf(ctx);
      const rows = await listChatIdentities(deps.db, c.workspaceId, isWorkspaceAdmin(c) ? undefined : c.userId);
      return { identities: rows.map(chatIdentityMsg) };
    },
    async unlinkChatIdentity(req, ctx) {
      const c = callerOf(ctx);
      requireUuid("chat identity", req.id);
      await deps.db.transaction((tx) =>
        unlinkChatIdentity(tx, {
          workspaceId: c.workspaceId,
          id: req.id,
          actor: c.actor,
          correlationId: correlationOf(ctx),
          ...(isWorkspaceAdmin(c) ? {} : { onlyUserId: c.userId }),
        }),
      );
      return {};
    },
    async listWorkspaces(_req, ctx) {
      const c = callerOf(ctx);
      return {
        workspaces: (await workspacesOf(deps.db, c.userId)).map((m) => ({
          id: m.workspace.id,
          name: m.workspace.name,
          kind: m.workspace.kind === "personal" ? WorkspaceKind.PERSONAL : WorkspaceKind.ORGANISATION,
          role: m.role,
          createdAt: timestampFromDate(m.workspace.createdAt),
        })),
      };
    },
  };
}

function chatIdentityMsg(r: ChatIdentityView): MessageInitShape<typeof ChatIdentitySchema> {
  return {
    id: r.id,
    platform: r.platform,
    tenant: r.tenant,
    chatUserId: r.chatUserId,
    displayName: r.displayName,
    userId: r.userId,
    email: r.email,
    linkedAt: timestampFromDate(r.linkedAt),
  };
}
