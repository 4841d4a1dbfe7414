// Chat identities: a Slack or Discord account linked once to a Migratrix user by a one-time code.
// Bots call the API with a bot token plus the acting chat user in the "mx-chat-user" header; the
// control plane (auth.ts) resolves that header through this link on every call, so a bot can act
// only as the person actually linked to the chat account that acted, with that person's roles.
import { and, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit, sha256Hex } from "../audit/index.ts";
import type { ChatPlatform, Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

/** The header a bot names the acting chat user in: "<platform>:<tenant>:<user>". */
export const CHAT_USER_HEADER = "mx-chat-user";
export const DEFAULT_LINK_CODE_TTL_MS = 10 * 60_000;

export interface ChatUser {
  platform: ChatPlatform;
  /** Slack team id or Discord guild id. */
  tenant: string;
  chatUserId: string;
}

const PART = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses the header value; says what is wrong and never echoes more than a short prefix of it. */
export function parseChatUser(value: string): ChatUser {
  const parts = value.split(":");
  const [platform, tenant, user] = parts;
  if (parts.length !== 3 || (platform !== "slack" && platform !== "discord") || !tenant || !user) {
    throw new MigratrixError(
      "invalid_argument",
      `${CHAT_USER_HEADER} must be "slack|discord:<tenant>:<user>", got "${value.slice(0, 40)}"`,
    );
  }
  if (!PART.test(tenant) || !PART.test(user)) {
    throw new MigratrixError("invalid_argument", `${CHAT_USER_HEADER}: tenant and user ids are 1-64 of [A-Za-z0-9_.-]`);
  }
  return { platform, tenant, chatUserId: user };
}

export function chatUserLabel(c: ChatUser): string {
  return `${c.platform}:${c.tenant}:${c.chatUserId}`;
}

// Crockford-style alphabet without look-alikes (0/O, 1/I/L): easy to type on a phone.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** "mxl-XXXX-XXXX": 8 symbols of 31, ~40 bits, used once within minutes; only its hash is stored. */
export function newLinkCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const symbols = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
  return `mxl-${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

function normaliseCode(code: string): string {
  return code.trim().toUpperCase().replace(/^MXL-/, "mxl-");
}

export async function createChatLinkCode(
  tx: Tx,
  input: { workspaceId: string; userId: string; actor: string; correlationId: string; ttlMs?: number; now?: Date },
): Promise<{ code: string; expiresAt: Date }> {
  const code = newLinkCode();
  const now = input.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? DEFAULT_LINK_CODE_TTL_MS));
  const [row] = await tx
    .insert(tables.chatLinkCodes)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId,
      codeHash: sha256Hex(code),
      createdAt: now,
      expiresAt,
    })
    .returning({ id: tables.chatLinkCodes.id });
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "chat.link_code",
    target: `chat-link-code:${row?.id}`,
    correlationId: input.correlationId,
    detail: { userId: input.userId, expiresAt: expiresAt.toISOString() },
  });
  return { code, expiresAt };
}

export type ChatIdentityRow = typeof tables.chatIdentities.$inferSelect;

/**
 * Redeems a code for `chat`: links that chat account to the code's owner. A used, expired or unknown
 * code is refused the same way (no oracle for guessing); a chat account linked to someone else must
 * be unlinked first, so a code can never take over another person's link.
 */
export async function linkChatIdentity(
  tx: Tx,
  input: {
    workspaceId: string;
    chat: ChatUser;
    code: string;
    displayName: string;
    actor: string;
    correlationId: string;
    now?: Date;
  },
): Promise<{ identity: ChatIdentityRow; email: string }> {
  const now = input.now ?? new Date();
  const [code] = await tx
    .select()
    .from(tables.chatLinkCodes)
    .where(
      and(
        eq(tables.chatLinkCodes.codeHash, sha256Hex(normaliseCode(input.code))),
        eq(tables.chatLinkCodes.workspaceId, input.workspaceId),
      ),
    )
    .for("update");
  if (!code || code.usedAt || code.expiresAt.getTime() <= now.getTime()) {
    throw new MigratrixError(
      "failed_precondition",
      "this link code is unknown, used or expired; run `mx link` for a new one (it is valid for 10 minutes)",
    );
  }
  const [existing] = await tx
    .select()
    .from(tables.chatIdentities)
    .where(
      and(
        eq(tables.chatIdentities.workspaceId, input.workspaceId),
        eq(tables.chatIdentities.platform, input.chat.platform),
        eq(tables.chatIdentities.tenant, input.chat.tenant),
        eq(tables.chatIdentities.chatUserId, input.chat.chatUserId),
      ),
    )
    .for("update");
  if (existing && existing.userId !== code.userId) {
    throw new MigratrixError(
      "failed_precondition",
      `${chatUserLabel(input.chat)} is linked to another Migratrix user; that link must be removed first (mx chat unlink)`,
    );
  }
  await tx.update(tables.chatLinkCodes).set({ usedAt: now }).where(eq(tables.chatLinkCodes.id, code.id));
  const displayName = input.displayName.trim().slice(0, 80);
  const [identity] = existing
    ? await tx
        .update(tables.chatIdentities)
        .set({ displayName, linkedAt: now })
        .where(eq(tables.chatIdentities.id, existing.id))
        .returning()
    : await tx
        .insert(tables.chatIdentities)
        .values({ workspaceId: input.workspaceId, ...input.chat, displayName, userId: code.userId, linkedAt: now })
        .returning();
  if (!identity) throw new Error("chat identity upsert returned no row");
  const [user] = await tx
    .select({ email: tables.users.email })
    .from(tables.users)
    .where(eq(tables.users.id, code.userId));
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "chat.link",
    target: `chat:${chatUserLabel(input.chat)}`,
    correlationId: input.correlationId,
    detail: { userId: code.userId, displayName },
  });
  return { identity, email: user?.email ?? "" };
}

/** The user a chat account is linked to in a workspace, or null. */
export async function linkedUserOf(db: Db, workspaceId: string, chat: ChatUser): Promise<string | null> {
  const [row] = await db
    .select({ userId: tables.chatIdentities.userId })
    .from(tables.chatIdentities)
    .where(
      and(
        eq(tables.chatIdentities.workspaceId, workspaceId),
        eq(tables.chatIdentities.platform, chat.platform),
        eq(tables.chatIdentities.tenant, chat.tenant),
        eq(tables.chatIdentities.chatUserId, chat.chatUserId),
      ),
    );
  return row?.userId ?? null;
}

export interface ChatIdentityView extends ChatIdentityRow {
  email: string;
}

/** Linked identities of a workspace; `userId` limits them to one person's. */
export async function listChatIdentities(db: Db, workspaceId: string, userId?: string): Promise<ChatIdentityView[]> {
  const rows = await db
    .select({ identity: tables.chatIdentities, email: tables.users.email })
    .from(tables.chatIdentities)
    .innerJoin(tables.users, eq(tables.users.id, tables.chatIdentities.userId))
    .where(
      userId === undefined
        ? eq(tables.chatIdentities.workspaceId, workspaceId)
        : and(eq(tables.chatIdentities.workspaceId, workspaceId), eq(tables.chatIdentities.userId, userId)),
    )
    .orderBy(tables.chatIdentities.platform, tables.chatIdentities.tenant, tables.chatIdentities.chatUserId);
  return rows.map((r) => ({ ...r.identity, email: r.email }));
}

export async function unlinkChatIdentity(
  tx: Tx,
  input: { workspaceId: string; id: string; actor: string; correlationId: string; onlyUserId?: string },
): Promise<void> {
  const where = and(
    eq(tables.chatIdentities.id, input.id),
    eq(tables.chatIdentities.workspaceId, input.workspaceId),
    ...(input.onlyUserId === undefined ? [] : [eq(tables.chatIdentities.userId, input.onlyUserId)]),
  );
  const [row] = await tx.delete(tables.chatIdentities).where(where).returning();
  if (!row) throw new MigratrixError("not_found", `chat identity ${input.id} not found among the ones you may unlink`);
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "chat.unlink",
    target: `chat:${chatUserLabel(row)}`,
    correlationId: input.correlationId,
    detail: { userId: row.userId },
  });
}
