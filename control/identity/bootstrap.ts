// First start: an empty store gets workspace "default", admin@localhost with an admin token and an
// agent token, so the embedded launcher can write them under .migratrix/ and nobody has to log in.
import { asc, sql } from "drizzle-orm";
import { appendAudit, GENESIS_HASH } from "../audit/index.ts";
import { createEnvironment, type EnvironmentSpec } from "../domain/environments.ts";
import { newCorrelationId } from "../ids.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { createApiToken } from "./tokens.ts";

export interface BootstrapOptions {
  workspaceName?: string;
  adminEmail?: string;
  /** Environments to create with the workspace (the launcher passes dev, qa, prod). */
  environments?: readonly EnvironmentSpec[];
}

export interface BootstrapResult {
  /** False when the store already had a workspace: nothing was created and no secret is returned. */
  created: boolean;
  workspaceId: string;
  /** Secrets, returned only when created: the store keeps their hashes. */
  adminToken?: string;
  agentToken?: string;
}

export async function bootstrap(db: Db, opts: BootstrapOptions = {}): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    // Two replicas starting together on an empty store must not both create "default".
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('migratrix.bootstrap'))`);
    const [existing] = await tx
      .select({ id: tables.workspaces.id })
      .from(tables.workspaces)
      .orderBy(asc(tables.workspaces.createdAt))
      .limit(1);
    if (existing) return { created: false, workspaceId: existing.id };

    const correlationId = newCorrelationId();
    const actor = "control:bootstrap";
    const [ws] = await tx
      .insert(tables.workspaces)
      .values({ name: opts.workspaceName ?? "default" })
      .returning();
    if (!ws) throw new Error("insert into workspaces returned no row");
    await tx.insert(tables.auditHeads).values({ workspaceId: ws.id, seq: 0, hash: GENESIS_HASH });
    await appendAudit(tx, {
      workspaceId: ws.id,
      actor,
      action: "workspace.create",
      target: `workspace:${ws.id}`,
      correlationId,
      detail: { name: ws.name },
    });
    const email = opts.adminEmail ?? "admin@localhost";
    const [user] = await tx
      .insert(tables.users)
      .values({ email, name: "Administrator" })
      .onConflictDoUpdate({ target: tables.users.email, set: { email } })
      .returning();
    if (!user) throw new Error("insert into users returned no row");
    await tx.insert(tables.memberships).values({ userId: user.id, workspaceId: ws.id, role: "admin" });
    await appendAudit(tx, {
      workspaceId: ws.id,
      actor,
      action: "member.add",
      target: `user:${user.id}`,
      correlationId,
      detail: { email, role: "admin" },
    });
    const admin = await createApiToken(tx, {
      workspaceId: ws.id,
      userId: user.id,
      name: "admin (bootstrap)",
      kind: "user",
      actor,
      correlationId,
    });
    const agent = await createApiToken(tx, {
      workspaceId: ws.id,
      userId: user.id,
      name: "local-agent",
      kind: "agent",
      actor,
      correlationId,
    });
    for (const env of opts.environments ?? []) {
      await createEnvironment(tx, { ...env, workspaceId: ws.id, actor, correlationId });
    }
    return { created: true, workspaceId: ws.id, adminToken: admin.secret, agentToken: agent.secret };
  });
}
