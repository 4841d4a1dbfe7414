// Email + password → a user token for one workspace. Every failure gives the same message, so the
// answer does not tell whether the email has an account; failures are audited where they can be.
import { eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { AuthDenied, auditDenied } from "./auth.ts";
import { normaliseEmail } from "./grants.ts";
import { type PasswordCost, verifyPassword } from "./passwords.ts";
import { type ApiTokenRow, createApiToken } from "./tokens.ts";
import { getWorkspaceByName, type MembershipView, type WorkspaceRow, workspacesOf } from "./workspaces.ts";

export const DEFAULT_LOGIN_TTL_MS = 30 * 24 * 3600 * 1000;
const BAD_CREDENTIALS = "email or password is wrong";

export interface LoginInput {
  email: string;
  password: string;
  /** Workspace name; empty picks the only organisation workspace, else the personal one. */
  workspace?: string;
  ttlMs?: number;
  tokenName?: string;
  correlationId: string;
  passwordCost?: PasswordCost;
}

export interface LoginResult {
  token: ApiTokenRow;
  secret: string;
  workspace: WorkspaceRow;
}

function pickWorkspace(memberships: MembershipView[], wanted: string | undefined): WorkspaceRow | undefined {
  if (wanted) return memberships.find((m) => m.workspace.name === wanted)?.workspace;
  const orgs = memberships.filter((m) => m.workspace.kind === "organisation");
  if (orgs.length === 1) return orgs[0]?.workspace;
  if (orgs.length > 1) {
    throw new MigratrixError(
      "invalid_argument",
      `you belong to several workspaces (${orgs.map((o) => o.workspace.name).join(", ")}): name one`,
    );
  }
  return memberships.find((m) => m.workspace.kind === "personal")?.workspace;
}

export async function login(db: Db, input: LoginInput): Promise<LoginResult> {
  const email = normaliseEmail(input.email);
  const [user] = await db.select().from(tables.users).where(eq(tables.users.email, email));
  const ok = await verifyPassword(input.password, user?.passwordHash, input.passwordCost);
  const memberships = user ? await workspacesOf(db, user.id) : [];
  if (!user || !ok) {
    // Audited in the named workspace, or in every workspace of the account the attempt was on.
    const named = input.workspace ? await getWorkspaceByName(db, input.workspace) : undefined;
    const targets = named ? [named.id] : memberships.map((m) => m.workspace.id);
    for (const workspaceId of targets) {
      await auditDenied(db, {
        workspaceId,
        actor: user ? `user:${user.id}` : `login:${email.slice(0, 120)}`,
        correlationId: input.correlationId,
        detail: { reason: "bad_credentials", via: "rpc Login", email: email.slice(0, 120) },
      });
    }
    throw new AuthDenied("bad_credentials", BAD_CREDENTIALS);
  }
  const workspace = pickWorkspace(memberships, input.workspace);
  if (!workspace) {
    const named = input.workspace ? await getWorkspaceByName(db, input.workspace) : undefined;
    if (named) {
      await auditDenied(db, {
        workspaceId: named.id,
        actor: `user:${user.id}`,
        correlationId: input.correlationId,
        detail: { reason: "no_membership", via: "rpc Login", email },
      });
    }
    const where = input.workspace ? `workspace ${input.workspace}` : "any workspace";
    throw new AuthDenied("no_membership", `${email} is no member of ${where}`);
  }
  const { token, secret } = await db.transaction(async (tx) => {
    await appendAudit(tx, {
      workspaceId: workspace.id,
      actor: `user:${user.id}`,
      action: "auth.login",
      target: `user:${user.id}`,
      correlationId: input.correlationId,
      detail: { email },
    });
    return createApiToken(tx, {
      workspaceId: workspace.id,
      userId: user.id,
      name: input.tokenName?.trim() || "login",
      kind: "user",
      ttlMs: input.ttlMs || DEFAULT_LOGIN_TTL_MS,
      actor: `user:${user.id}`,
      correlationId: input.correlationId,
    });
  });
  return { token, secret, workspace };
}
