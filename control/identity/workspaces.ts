// Workspaces: a personal one per account (named after its email) and organisations that invite.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { checkName } from "../domain/environments.ts";
import type { Db, Tx, WorkspaceKind, WorkspaceRole } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type WorkspaceRow = typeof tables.workspaces.$inferSelect;

export interface CreateWorkspaceInput {
  name: string;
  kind: WorkspaceKind;
  /** Becomes the workspace's admin. */
  ownerUserId: string;
  ownerEmail: string;
  actor: string;
  correlationId: string;
}

export async function createWorkspace(tx: Tx, input: CreateWorkspaceInput): Promise<WorkspaceRow> {
  // Organisation names appear in commands; personal ones are the owner's email.
  if (input.kind === "organisation") checkName("workspace", input.name);
  const [ws] = await tx
    .insert(tables.workspaces)
    .values({ name: input.name, kind: input.kind })
    .onConflictDoNothing()
    .returning();
  if (!ws) throw new MigratrixError("already_exists", `workspace ${input.name} already exists`);
  await appendAudit(tx, {
    workspaceId: ws.id,
    actor: input.actor,
    action: "workspace.create",
    target: `workspace:${ws.id}`,
    correlationId: input.correlationId,
    detail: { name: ws.name, kind: ws.kind },
  });
  await addMember(tx, {
    workspaceId: ws.id,
    userId: input.ownerUserId,
    email: input.ownerEmail,
    role: "admin",
    actor: input.actor,
    correlationId: input.correlationId,
  });
  return ws;
}

export async function addMember(
  tx: Tx,
  input: {
    workspaceId: string;
    userId: string;
    email: string;
    role: WorkspaceRole;
    actor: string;
    correlationId: string;
  },
): Promise<void> {
  const [added] = await tx
    .insert(tables.memberships)
    .values({ workspaceId: input.workspaceId, userId: input.userId, role: input.role })
    .onConflictDoNothing()
    .returning();
  if (!added) return;
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "member.add",
    target: `user:${input.userId}`,
    correlationId: input.correlationId,
    detail: { email: input.email, role: input.role },
  });
}

export interface MembershipView {
  workspace: WorkspaceRow;
  role: WorkspaceRole;
}

export async function workspacesOf(db: Db | Tx, userId: string): Promise<MembershipView[]> {
  const rows = await db
    .select({ workspace: tables.workspaces, role: tables.memberships.role })
    .from(tables.memberships)
    .innerJoin(tables.workspaces, eq(tables.workspaces.id, tables.memberships.workspaceId))
    .where(eq(tables.memberships.userId, userId))
    .orderBy(asc(tables.workspaces.createdAt));
  return rows;
}

export async function getWorkspaceByName(db: Db | Tx, name: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db.select().from(tables.workspaces).where(eq(tables.workspaces.name, name));
  return row;
}

export async function membershipRole(
  db: Db | Tx,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceRole | undefined> {
  const [row] = await db
    .select({ role: tables.memberships.role })
    .from(tables.memberships)
    .where(and(eq(tables.memberships.workspaceId, workspaceId), eq(tables.memberships.userId, userId)));
  return row?.role;
}
