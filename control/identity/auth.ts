// Resolves "Authorization: Bearer mxt_…" into the caller and its workspace. A token that exists but
// is expired or revoked is audited in its workspace as a denied attempt; an unknown token has no
// workspace to be audited in, so it only counts in metrics.
import { and, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db, Role, TokenKind, WorkspaceKind, WorkspaceRole } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { type ChatUser, chatUserLabel, linkedUserOf, parseChatUser } from "./chat.ts";
import { grantsOf } from "./grants.ts";
import { hashTokenSecret, TOKEN_PREFIX } from "./tokens.ts";

export interface Caller {
  userId: string;
  email: string;
  workspaceId: string;
  workspaceName: string;
  workspaceKind: WorkspaceKind;
  /** Workspace admins manage people and grants and count as admin on every environment. */
  workspaceRole: WorkspaceRole;
  /** Role per environment id, as granted (workspace admins need none). */
  grants: ReadonlyMap<string, Role>;
  tokenId: string;
  tokenName: string;
  tokenKind: TokenKind;
  /** How the audit log names this caller. */
  actor: string;
  /**
   * Set for bot tokens: the chat account the bot acts for. `linked` false only where the call
   * allows unlinked chat users (LinkChatIdentity); the caller is then the bot with no role at all.
   */
  chat?: ChatUser & { linked: boolean };
}

export type DenyReason =
  | "missing"
  | "malformed"
  | "unknown"
  | "expired"
  | "revoked"
  | "wrong_kind"
  | "no_membership"
  | "bad_credentials"
  | "bad_invite"
  /** A bot token without, or with a malformed, mx-chat-user header. */
  | "no_chat_user"
  /** A bot acted for a chat account that is linked to nobody. */
  | "unlinked";

export class AuthDenied extends MigratrixError {
  readonly reason: DenyReason;
  constructor(reason: DenyReason, message: string) {
    super("unauthenticated", message, { reason });
    this.reason = reason;
  }
}

export interface AuthenticateOptions {
  /** Token kinds accepted here: RPCs take user/service tokens, bus requests agent tokens. */
  kinds: readonly TokenKind[];
  correlationId: string;
  /** Where the attempt came from, for the denied-attempt audit ("rpc IdentityService.WhoAmI"). */
  via: string;
  /** Bot tokens: the "mx-chat-user" header naming the chat account the bot acts for. */
  chatUser?: string | null;
  /** Bot tokens: let an unlinked chat account through (only for linking it). */
  allowUnlinkedChat?: boolean;
  /** Bot tokens: without an mx-chat-user header the caller is the bot itself, with no role (the notification feed). */
  botAsItself?: boolean;
  /** last_used_at is rewritten at most this often (default 60 s) to spare a write per call. */
  lastUsedGranularityMs?: number;
  now?: Date;
}

/** Records a failed authentication in its own transaction (the request itself goes no further). */
export async function auditDenied(
  db: Db,
  entry: { workspaceId: string; actor: string; correlationId: string; detail: Record<string, unknown> },
): Promise<void> {
  await db.transaction((tx) => appendAudit(tx, { ...entry, action: "auth.denied" }));
}

/**
 * How runs, history rows and rollback requests name who asked: the person (user tokens, and bots,
 * which always act as the linked person), or the service token's name.
 */
export function requesterOf(caller: Caller): string {
  return caller.tokenKind === "user" || caller.tokenKind === "bot"
    ? caller.email
    : `${caller.tokenKind}:${caller.tokenName}`;
}

export function isWorkspaceAdmin(caller: Caller): boolean {
  return caller.workspaceRole === "admin";
}

export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? "";
}

export async function authenticate(
  db: Db,
  authorization: string | null | undefined,
  opts: AuthenticateOptions,
): Promise<Caller> {
  const secret = bearerFrom(authorization);
  if (secret === null) throw new AuthDenied("missing", "missing Authorization: Bearer token");
  if (!secret.startsWith(TOKEN_PREFIX)) {
    throw new AuthDenied("malformed", `malformed bearer token: Migratrix tokens start with ${TOKEN_PREFIX}`);
  }
  const [row] = await db
    .select({
      token: tables.apiTokens,
      user: tables.users,
      workspace: tables.workspaces,
      role: tables.memberships.role,
    })
    .from(tables.apiTokens)
    .innerJoin(tables.users, eq(tables.users.id, tables.apiTokens.userId))
    .innerJoin(tables.workspaces, eq(tables.workspaces.id, tables.apiTokens.workspaceId))
    .leftJoin(
      tables.memberships,
      and(
        eq(tables.memberships.userId, tables.apiTokens.userId),
        eq(tables.memberships.workspaceId, tables.apiTokens.workspaceId),
      ),
    )
    .where(eq(tables.apiTokens.tokenHash, hashTokenSecret(secret)));
  if (!row) throw new AuthDenied("unknown", "unknown bearer token");
  const now = opts.now ?? new Date();
  const { token } = row;
  let denied: AuthDenied | null = null;
  if (token.revokedAt) denied = new AuthDenied("revoked", `token ${token.name} was revoked`);
  else if (token.expiresAt && token.expiresAt.getTime() <= now.getTime())
    denied = new AuthDenied("expired", `token ${token.name} expired at ${token.expiresAt.toISOString()}`);
  else if (!opts.kinds.includes(token.kind))
    denied = new AuthDenied(
      "wrong_kind",
      `token ${token.name} is an ${token.kind} token and cannot be used for ${opts.via}`,
    );
  else if (!row.role)
    denied = new AuthDenied("no_membership", `${row.user.email} is no member of workspace ${row.workspace.name}`);
  if (denied) {
    await auditDenied(db, {
      workspaceId: token.workspaceId,
      actor: `token:${token.id}`,
      correlationId: opts.correlationId,
      detail: { reason: denied.reason, via: opts.via, tokenName: token.name },
    });
    throw denied;
  }
  const granularity = opts.lastUsedGranularityMs ?? 60_000;
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= granularity) {
    await db.update(tables.apiTokens).set({ lastUsedAt: now }).where(eq(tables.apiTokens.id, token.id));
  }
  if (token.kind === "bot") return actingFor(db, token, row.workspace, opts);
  return {
    userId: row.user.id,
    email: row.user.email,
    workspaceId: row.workspace.id,
    workspaceName: row.workspace.name,
    workspaceKind: row.workspace.kind,
    workspaceRole: row.role ?? "member",
    grants: await grantsOf(db, row.workspace.id, row.user.id),
    tokenId: token.id,
    tokenName: token.name,
    tokenKind: token.kind,
    actor: token.kind === "user" ? `user:${row.user.id}` : `${token.kind}:${token.name}`,
  };
}

type TokenRow = typeof tables.apiTokens.$inferSelect;
type WorkspaceRow = typeof tables.workspaces.$inferSelect;

/**
 * A bot token never acts as itself: the caller is the user linked to the chat account in the
 * mx-chat-user header, with exactly that user's membership and grants. Refusals are audited.
 */
async function actingFor(db: Db, token: TokenRow, workspace: WorkspaceRow, opts: AuthenticateOptions): Promise<Caller> {
  const deny = async (reason: DenyReason, message: string, detail: Record<string, unknown> = {}) => {
    await auditDenied(db, {
      workspaceId: token.workspaceId,
      actor: `bot:${token.name}`,
      correlationId: opts.correlationId,
      detail: { reason, via: opts.via, tokenName: token.name, ...detail },
    });
    return new AuthDenied(reason, message);
  };
  if (!opts.chatUser && opts.botAsItself) {
    return {
      workspaceId: workspace.id,
      workspaceName: workspace.name,
      workspaceKind: workspace.kind,
      tokenId: token.id,
      tokenName: token.name,
      tokenKind: token.kind,
      userId: "",
      email: `bot:${token.name}`,
      workspaceRole: "member",
      grants: new Map(),
      actor: `bot:${token.name}`,
    };
  }
  if (!opts.chatUser) {
    throw await deny(
      "no_chat_user",
      `bot token ${token.name} must name the acting chat user in the mx-chat-user header`,
    );
  }
  let chat: ChatUser;
  try {
    chat = parseChatUser(opts.chatUser);
  } catch (e) {
    throw await deny("no_chat_user", MigratrixError.from(e).message);
  }
  const label = chatUserLabel(chat);
  const base = {
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    workspaceKind: workspace.kind,
    tokenId: token.id,
    tokenName: token.name,
    tokenKind: token.kind,
  };
  const userId = await linkedUserOf(db, workspace.id, chat);
  if (!userId) {
    if (opts.allowUnlinkedChat) {
      return {
        ...base,
        userId: "",
        email: "",
        workspaceRole: "member",
        grants: new Map(),
        actor: `bot:${token.name}`,
        chat: { ...chat, linked: false },
      };
    }
    throw await deny(
      "unlinked",
      `${label} is not linked to a Migratrix user: run \`mx link\` and send the code to the bot ("/migratrix link CODE")`,
      { chatUser: label },
    );
  }
  const [member] = await db
    .select({ email: tables.users.email, role: tables.memberships.role })
    .from(tables.users)
    .leftJoin(
      tables.memberships,
      and(eq(tables.memberships.userId, tables.users.id), eq(tables.memberships.workspaceId, workspace.id)),
    )
    .where(eq(tables.users.id, userId));
  if (!member?.role) {
    throw await deny("no_membership", `${label} is linked to a user who is no member of workspace ${workspace.name}`, {
      chatUser: label,
    });
  }
  return {
    ...base,
    userId,
    email: member.email,
    workspaceRole: member.role,
    grants: await grantsOf(db, workspace.id, userId),
    actor: `user:${userId}`,
    chat: { ...chat, linked: true },
  };
}
