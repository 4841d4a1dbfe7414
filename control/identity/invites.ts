// Invites: a one-time code for one email. Redeeming it creates the account (with its personal
// workspace) or adds the existing one, in one transaction with the membership and grants.
import { and, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit, sha256Hex } from "../audit/index.ts";
import type { Db, Role, Tx, WorkspaceRole } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { AuthDenied, auditDenied } from "./auth.ts";
import { normaliseEmail, setGrant } from "./grants.ts";
import { checkPasswordRules, hashPassword, type PasswordCost, verifyPassword } from "./passwords.ts";
import { type ApiTokenRow, createApiToken } from "./tokens.ts";
import { addMember, createWorkspace } from "./workspaces.ts";

export const INVITE_PREFIX = "mxi_";
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function checkEmail(email: string): string {
  const e = normaliseEmail(email);
  if (!EMAIL.test(e)) throw new MigratrixError("invalid_argument", `"${email.slice(0, 120)}" is not an email address`);
  return e;
}

export interface InviteInput {
  workspaceId: string;
  email: string;
  role: WorkspaceRole;
  grants: { environmentId: string; environment: string; role: Role }[];
  ttlMs?: number;
  actor: string;
  correlationId: string;
}

export async function createInvite(tx: Tx, input: InviteInput): Promise<{ id: string; code: string; expiresAt: Date }> {
  const email = checkEmail(input.email);
  const code = INVITE_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  const expiresAt = new Date(Date.now() + (input.ttlMs || DEFAULT_INVITE_TTL_MS));
  const [row] = await tx
    .insert(tables.invites)
    .values({
      workspaceId: input.workspaceId,
      email,
      role: input.role,
      grants: input.grants.map((g) => ({ environmentId: g.environmentId, role: g.role })),
      codeHash: sha256Hex(code),
      createdBy: input.actor,
      expiresAt,
    })
    .returning({ id: tables.invites.id });
  if (!row) throw new Error("insert into invites returned no row");
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "invite.create",
    target: `invite:${row.id}`,
    correlationId: input.correlationId,
    detail: {
      email,
      role: input.role,
      grants: input.grants.map((g) => ({ environment: g.environment, role: g.role })),
      expiresAt: expiresAt.toISOString(),
    },
  });
  return { id: row.id, code, expiresAt };
}

export interface AcceptInviteInput {
  code: string;
  password: string;
  name?: string;
  correlationId: string;
  /** Lifetime of the returned token (default 30 days). */
  tokenTtlMs?: number;
  passwordCost?: PasswordCost;
}

export interface AcceptedInvite {
  userId: string;
  email: string;
  workspaceId: string;
  workspaceName: string;
  token: ApiTokenRow;
  secret: string;
}

export async function acceptInvite(db: Db, input: AcceptInviteInput): Promise<AcceptedInvite> {
  if (!input.code.startsWith(INVITE_PREFIX)) throw new AuthDenied("bad_invite", "invite code is malformed");
  const codeHash = sha256Hex(input.code);
  // The hash is computed outside the transaction: argon2 is slow and must not hold row locks.
  const [peek] = await db
    .select({ email: tables.invites.email, workspaceId: tables.invites.workspaceId })
    .from(tables.invites)
    .where(eq(tables.invites.codeHash, codeHash));
  if (!peek) throw new AuthDenied("bad_invite", "invite code is unknown");
  const [existing] = await db.select().from(tables.users).where(eq(tables.users.email, peek.email));
  let newHash: string | null = null;
  if (existing?.passwordHash) {
    if (!(await verifyPassword(input.password, existing.passwordHash))) {
      const denied = new AuthDenied("bad_credentials", `the password does not match the account ${peek.email}`);
      await auditDenied(db, {
        workspaceId: peek.workspaceId,
        actor: `user:${existing.id}`,
        correlationId: input.correlationId,
        detail: { reason: denied.reason, via: "rpc AcceptInvite", email: peek.email },
      });
      throw denied;
    }
  } else if (existing) {
    // Setting the first password of an existing account through an invite would let whoever holds
    // the code take over that account in every workspace it belongs to.
    throw new MigratrixError(
      "failed_precondition",
      `the account ${peek.email} exists without a password: it cannot join by invite code`,
    );
  } else {
    checkPasswordRules(input.password);
    newHash = await hashPassword(input.password, input.passwordCost);
  }

  const result = await db.transaction(async (tx) => {
    const [invite] = await tx.select().from(tables.invites).where(eq(tables.invites.codeHash, codeHash)).for("update");
    if (!invite) throw new AuthDenied("bad_invite", "invite code is unknown");
    const denial = invite.usedAt
      ? "invite code was already used"
      : invite.expiresAt.getTime() <= Date.now()
        ? `invite code expired at ${invite.expiresAt.toISOString()}`
        : null;
    if (denial) {
      return { kind: "denied" as const, denied: new AuthDenied("bad_invite", denial), workspaceId: invite.workspaceId };
    }
    const actorFor = (userId: string) => `user:${userId}`;
    let user = existing;
    if (!user) {
      const [created] = await tx
        .insert(tables.users)
        .values({ email: invite.email, name: input.name?.trim() ?? "", passwordHash: newHash })
        .returning();
      if (!created) throw new Error("insert into users returned no row");
      user = created;
      await createWorkspace(tx, {
        name: invite.email,
        kind: "personal",
        ownerUserId: created.id,
        ownerEmail: created.email,
        actor: actorFor(created.id),
        correlationId: input.correlationId,
      });
    }
    const actor = actorFor(user.id);
    await addMember(tx, {
      workspaceId: invite.workspaceId,
      userId: user.id,
      email: user.email,
      role: invite.role,
      actor,
      correlationId: input.correlationId,
    });
    const envs = await tx
      .select({ id: tables.environments.id, name: tables.environments.name })
      .from(tables.environments)
      .where(eq(tables.environments.workspaceId, invite.workspaceId));
    for (const g of invite.grants) {
      const env = envs.find((e) => e.id === g.environmentId);
      // An environment removed since the invite simply grants nothing.
      if (!env) continue;
      await setGrant(tx, {
        workspaceId: invite.workspaceId,
        userId: user.id,
        email: user.email,
        environmentId: env.id,
        environment: env.name,
        role: g.role,
        actor: invite.createdBy,
        correlationId: input.correlationId,
      });
    }
    await tx
      .update(tables.invites)
      .set({ usedAt: new Date(), usedBy: user.id })
      .where(and(eq(tables.invites.id, invite.id)));
    await appendAudit(tx, {
      workspaceId: invite.workspaceId,
      actor,
      action: "invite.accept",
      target: `invite:${invite.id}`,
      correlationId: input.correlationId,
      detail: { email: user.email, newAccount: !existing },
    });
    const { token, secret } = await createApiToken(tx, {
      workspaceId: invite.workspaceId,
      userId: user.id,
      name: "invite",
      kind: "user",
      ttlMs: input.tokenTtlMs ?? 30 * 24 * 3600 * 1000,
      actor,
      correlationId: input.correlationId,
    });
    const [ws] = await tx
      .select({ name: tables.workspaces.name })
      .from(tables.workspaces)
      .where(eq(tables.workspaces.id, invite.workspaceId));
    return {
      kind: "accepted" as const,
      accepted: {
        userId: user.id,
        email: user.email,
        workspaceId: invite.workspaceId,
        workspaceName: ws?.name ?? "",
        token,
        secret,
      },
    };
  });
  if (result.kind === "denied") {
    await auditDenied(db, {
      workspaceId: result.workspaceId,
      actor: `invitee:${peek.email}`,
      correlationId: input.correlationId,
      detail: { reason: "bad_invite", via: "rpc AcceptInvite", message: result.denied.message },
    });
    throw result.denied;
  }
  return result.accepted;
}
