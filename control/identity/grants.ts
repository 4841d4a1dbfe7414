// Roles per environment: one row per (member, environment); workspace admins manage them.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db, Role, Tx, WorkspaceRole } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { ROLES_LIST } from "./roles.ts";

export function parseRole(text: string): Role {
  const role = ROLES_LIST.find((r) => r === text.toLowerCase());
  if (!role) {
    throw new MigratrixError(
      "invalid_argument",
      `role "${text.slice(0, 40)}" is unknown: use ${ROLES_LIST.join(", ")}`,
    );
  }
  return role;
}

/** The caller's role per environment id. */
export async function grantsOf(db: Db | Tx, workspaceId: string, userId: string): Promise<Map<string, Role>> {
  const rows = await db
    .select({ environmentId: tables.environmentGrants.environmentId, role: tables.environmentGrants.role })
    .from(tables.environmentGrants)
    .where(and(eq(tables.environmentGrants.workspaceId, workspaceId), eq(tables.environmentGrants.userId, userId)));
  return new Map(rows.map((r) => [r.environmentId, r.role]));
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  workspaceRole: WorkspaceRole;
}

export async function findMember(db: Db | Tx, workspaceId: string, email: string): Promise<MemberRow> {
  const [row] = await db
    .select({
      userId: tables.users.id,
      email: tables.users.email,
      name: tables.users.name,
      workspaceRole: tables.memberships.role,
    })
    .from(tables.memberships)
    .innerJoin(tables.users, eq(tables.users.id, tables.memberships.userId))
    .where(and(eq(tables.memberships.workspaceId, workspaceId), eq(tables.users.email, normaliseEmail(email))));
  if (!row) throw new MigratrixError("not_found", `${email.slice(0, 120)} is no member of this workspace`);
  return row;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface GrantChange {
  workspaceId: string;
  userId: string;
  email: string;
  environmentId: string;
  environment: string;
  actor: string;
  correlationId: string;
}

/** Sets the member's role on the environment, replacing the one they had; audited with both. */
export async function setGrant(tx: Tx, input: GrantChange & { role: Role }): Promise<void> {
  const [before] = await tx
    .select({ role: tables.environmentGrants.role })
    .from(tables.environmentGrants)
    .where(
      and(
        eq(tables.environmentGrants.userId, input.userId),
        eq(tables.environmentGrants.environmentId, input.environmentId),
      ),
    )
    .for("update");
  if (before?.role === input.role) return;
  await tx
    .insert(tables.environmentGrants)
    .values({
      workspaceId: input.workspaceId,
      userId: input.userId,
      environmentId: input.environmentId,
      role: input.role,
      grantedBy: input.actor,
    })
    .onConflictDoUpdate({
      target: [tables.environmentGrants.userId, tables.environmentGrants.environmentId],
      set: { role: input.role, grantedBy: input.actor, createdAt: new Date() },
    });
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "grant.set",
    environment: input.environment,
    target: `user:${input.userId}`,
    correlationId: input.correlationId,
    detail: { email: input.email, role: input.role, previous: before?.role ?? null },
  });
}

export async function removeGrant(tx: Tx, input: GrantChange): Promise<void> {
  const [removed] = await tx
    .delete(tables.environmentGrants)
    .where(
      and(
        eq(tables.environmentGrants.userId, input.userId),
        eq(tables.environmentGrants.environmentId, input.environmentId),
      ),
    )
    .returning({ role: tables.environmentGrants.role });
  if (!removed) {
    throw new MigratrixError("not_found", `${input.email} has no role on environment ${input.environment}`);
  }
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "grant.revoke",
    environment: input.environment,
    target: `user:${input.userId}`,
    correlationId: input.correlationId,
    detail: { email: input.email, role: removed.role },
  });
}

export interface GrantView {
  userId: string;
  email: string;
  environment: string;
  environmentId: string;
  role: Role;
  grantedBy: string;
  createdAt: Date;
}

export async function listGrants(db: Db, workspaceId: string, environmentId?: string): Promise<GrantView[]> {
  const where = environmentId
    ? and(
        eq(tables.environmentGrants.workspaceId, workspaceId),
        eq(tables.environmentGrants.environmentId, environmentId),
      )
    : eq(tables.environmentGrants.workspaceId, workspaceId);
  return db
    .select({
      userId: tables.users.id,
      email: tables.users.email,
      environment: tables.environments.name,
      environmentId: tables.environments.id,
      role: tables.environmentGrants.role,
      grantedBy: tables.environmentGrants.grantedBy,
      createdAt: tables.environmentGrants.createdAt,
    })
    .from(tables.environmentGrants)
    .innerJoin(tables.users, eq(tables.users.id, tables.environmentGrants.userId))
    .innerJoin(tables.environments, eq(tables.environments.id, tables.environmentGrants.environmentId))
    .where(where)
    .orderBy(asc(tables.environments.position), asc(tables.users.email));
}

export async function listMembers(db: Db, workspaceId: string): Promise<(MemberRow & { grants: GrantView[] })[]> {
  const members = await db
    .select({
      userId: tables.users.id,
      email: tables.users.email,
      name: tables.users.name,
      workspaceRole: tables.memberships.role,
    })
    .from(tables.memberships)
    .innerJoin(tables.users, eq(tables.users.id, tables.memberships.userId))
    .where(eq(tables.memberships.workspaceId, workspaceId))
    .orderBy(asc(tables.users.email));
  const grants = await listGrants(db, workspaceId);
  return members.map((m) => ({ ...m, grants: grants.filter((g) => g.userId === m.userId) }));
}
