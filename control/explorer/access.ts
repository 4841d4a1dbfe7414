// Who may write through the explorer where, and which connections have a read-only credential.
// A protected environment is read-only for everyone except members holding an explicit write
// grant there (or its admins once explorer writes are allowed); other environments follow the
// roles (explorer.write). Grants and credential registrations are audited in their transaction.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { ConnectionView } from "../domain/connections.ts";
import type { EnvironmentRow } from "../domain/environments.ts";
import { type Caller, environmentKind, findMember } from "../identity/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { writesAllowed } from "./policies.ts";

export async function hasReadCredential(db: Db, connectionId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: tables.explorerReadCredentials.connectionId })
    .from(tables.explorerReadCredentials)
    .where(eq(tables.explorerReadCredentials.connectionId, connectionId));
  return row !== undefined;
}

/** Ids of the workspace's connections that have a read-only credential. */
export async function readCredentialIds(db: Db, workspaceId: string): Promise<Set<string>> {
  const rows = await db
    .select({ id: tables.explorerReadCredentials.connectionId })
    .from(tables.explorerReadCredentials)
    .where(eq(tables.explorerReadCredentials.workspaceId, workspaceId));
  return new Set(rows.map((r) => r.id));
}

export async function registerReadCredential(
  tx: Tx,
  p: { workspaceId: string; connection: ConnectionView; actor: string; correlationId: string; serverVersion: string },
): Promise<void> {
  await tx
    .insert(tables.explorerReadCredentials)
    .values({ connectionId: p.connection.id, workspaceId: p.workspaceId, registeredBy: p.actor })
    .onConflictDoUpdate({
      target: tables.explorerReadCredentials.connectionId,
      set: { registeredBy: p.actor, registeredAt: new Date() },
    });
  await appendAudit(tx, {
    workspaceId: p.workspaceId,
    actor: p.actor,
    action: "connection.read_credential",
    environment: p.connection.environment,
    target: `${p.connection.environment}/${p.connection.name}`,
    correlationId: p.correlationId,
    detail: { engine: p.connection.engine, agentId: p.connection.agentId, serverVersion: p.serverVersion },
  });
}

/**
 * Whether explorer reads on this connection must use its read-only credential (protected
 * environments), refusing with how to register one when it is missing. SQLite has no roles: the
 * agent opens the file read-only instead, so nothing needs registering there.
 */
export async function readCredentialFor(db: Db, conn: ConnectionView, env: EnvironmentRow): Promise<boolean> {
  if (environmentKind(env) !== "protected") return false;
  if (conn.engine === "sqlite" || (await hasReadCredential(db, conn.id))) return true;
  throw new MigratrixError(
    "failed_precondition",
    `explorer reads on protected environment ${env.name} run on a read-only credential, and connection ${conn.environment}/${conn.name} has none: an admin registers a SELECT-only role with mx connection add ${conn.name} --env ${env.name} --read-only --url URL`,
  );
}

export async function hasWriteGrant(db: Db, caller: Caller, environmentId: string): Promise<boolean> {
  const g = tables.explorerWriteGrants;
  const [row] = await db
    .select({ u: g.userId })
    .from(g)
    .where(and(eq(g.workspaceId, caller.workspaceId), eq(g.environmentId, environmentId), eq(g.userId, caller.userId)));
  return row !== undefined;
}

/**
 * The write check of Query and EditRow. Protected: an explicit write grant, or an admin where
 * explorer writes are allowed; refused with permission_denied otherwise. Elsewhere the roles
 * decide (authorizeWrite: explorer.write, which audits its own refusals).
 */
export async function checkExplorerWrite(p: {
  db: Db;
  caller: Caller;
  environment: EnvironmentRow;
  reason: string;
  authorizeWrite(): Promise<void>;
}): Promise<void> {
  const { environment: env } = p;
  if (environmentKind(env) !== "protected") return p.authorizeWrite();
  if (await hasWriteGrant(p.db, p.caller, env.id)) return;
  if (await writesAllowed(p.db, p.caller.workspaceId, env.id)) return p.authorizeWrite();
  throw new MigratrixError(
    "permission_denied",
    `environment ${env.name} is read-only for the explorer: the statement writes (${p.reason}); writing there needs an explicit write grant (mx table grant-write)`,
  );
}

export async function setWriteGrant(
  db: Db,
  p: {
    workspaceId: string;
    environment: EnvironmentRow;
    email: string;
    granted: boolean;
    actor: string;
    correlationId: string;
  },
): Promise<void> {
  const member = await findMember(db, p.workspaceId, p.email);
  const g = tables.explorerWriteGrants;
  await db.transaction(async (tx) => {
    if (p.granted) {
      await tx
        .insert(g)
        .values({
          workspaceId: p.workspaceId,
          environmentId: p.environment.id,
          userId: member.userId,
          grantedBy: p.actor,
        })
        .onConflictDoNothing();
    } else {
      await tx
        .delete(g)
        .where(
          and(eq(g.workspaceId, p.workspaceId), eq(g.environmentId, p.environment.id), eq(g.userId, member.userId)),
        );
    }
    await appendAudit(tx, {
      workspaceId: p.workspaceId,
      actor: p.actor,
      action: p.granted ? "explorer.write_grant" : "explorer.write_revoke",
      environment: p.environment.name,
      target: member.email,
      correlationId: p.correlationId,
      detail: {},
    });
  });
}

export async function listWriteGrants(
  db: Db,
  workspaceId: string,
  environmentId: string,
): Promise<{ email: string; grantedBy: string; grantedAt: Date }[]> {
  const g = tables.explorerWriteGrants;
  return db
    .select({ email: tables.users.email, grantedBy: g.grantedBy, grantedAt: g.grantedAt })
    .from(g)
    .innerJoin(tables.users, eq(tables.users.id, g.userId))
    .where(and(eq(g.workspaceId, workspaceId), eq(g.environmentId, environmentId)))
    .orderBy(asc(tables.users.email));
}
