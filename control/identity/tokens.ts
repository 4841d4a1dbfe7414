// API tokens: a bearer secret "mxt_<random>" shown once; the store keeps only its SHA-256.
import { and, eq, isNull } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit, sha256Hex } from "../audit/index.ts";
import type { Db, TokenKind, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export const TOKEN_PREFIX = "mxt_";

export function newTokenSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return TOKEN_PREFIX + Buffer.from(bytes).toString("base64url");
}

export function hashTokenSecret(secret: string): string {
  return sha256Hex(secret);
}

export type ApiTokenRow = typeof tables.apiTokens.$inferSelect;

export interface CreateTokenInput {
  workspaceId: string;
  userId: string;
  name: string;
  kind: TokenKind;
  /** Lifetime; omitted or 0 = never expires. */
  ttlMs?: number;
  actor: string;
  correlationId: string;
}

/** Creates a token and audits it in the caller's transaction; the secret is returned once. */
export async function createApiToken(tx: Tx, input: CreateTokenInput): Promise<{ token: ApiTokenRow; secret: string }> {
  const name = input.name.trim();
  if (!name) throw new MigratrixError("invalid_argument", "token name is empty");
  const secret = newTokenSecret();
  const now = new Date();
  const [token] = await tx
    .insert(tables.apiTokens)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId,
      name,
      kind: input.kind,
      tokenHash: hashTokenSecret(secret),
      createdAt: now,
      expiresAt: input.ttlMs ? new Date(now.getTime() + input.ttlMs) : null,
    })
    .returning();
  if (!token) throw new Error("insert into api_tokens returned no row");
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "token.create",
    target: `token:${token.id}`,
    correlationId: input.correlationId,
    detail: { name, kind: input.kind, userId: input.userId, expiresAt: token.expiresAt?.toISOString() ?? null },
  });
  return { token, secret };
}

export async function revokeApiToken(
  tx: Tx,
  input: { workspaceId: string; tokenId: string; actor: string; correlationId: string },
): Promise<void> {
  const [row] = await tx
    .update(tables.apiTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(tables.apiTokens.id, input.tokenId),
        eq(tables.apiTokens.workspaceId, input.workspaceId),
        isNull(tables.apiTokens.revokedAt),
      ),
    )
    .returning({ id: tables.apiTokens.id });
  if (!row) {
    const [exists] = await tx
      .select({ id: tables.apiTokens.id })
      .from(tables.apiTokens)
      .where(and(eq(tables.apiTokens.id, input.tokenId), eq(tables.apiTokens.workspaceId, input.workspaceId)));
    if (!exists) throw new MigratrixError("not_found", `token ${input.tokenId} not found in this workspace`);
    return;
  }
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "token.revoke",
    target: `token:${input.tokenId}`,
    correlationId: input.correlationId,
  });
}

export async function listApiTokens(db: Db, workspaceId: string): Promise<ApiTokenRow[]> {
  return db.select().from(tables.apiTokens).where(eq(tables.apiTokens.workspaceId, workspaceId));
}
