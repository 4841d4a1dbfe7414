// Connection metadata (name, environment, engine, serving agent); never a secret.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { checkName } from "./environments.ts";

export interface ConnectionView {
  id: string;
  name: string;
  environment: string;
  environmentId: string;
  engine: string;
  agentId: string;
}

const view = {
  id: tables.connections.id,
  name: tables.connections.name,
  environment: tables.environments.name,
  environmentId: tables.environments.id,
  engine: tables.connections.engine,
  agentId: tables.connections.agentId,
};

export async function listConnections(db: Db, workspaceId: string, environment?: string): Promise<ConnectionView[]> {
  const where = environment
    ? and(eq(tables.connections.workspaceId, workspaceId), eq(tables.environments.name, environment))
    : eq(tables.connections.workspaceId, workspaceId);
  return db
    .select(view)
    .from(tables.connections)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
    .where(where)
    .orderBy(asc(tables.environments.position), asc(tables.connections.name));
}

/** "<environment>/<connection>" → the connection. */
export async function getConnectionByPath(db: Db, workspaceId: string, path: string): Promise<ConnectionView> {
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) {
    throw new MigratrixError("invalid_argument", `connection "${path}" must be written <environment>/<connection>`);
  }
  const env = path.slice(0, slash);
  const name = path.slice(slash + 1);
  const [row] = await db
    .select(view)
    .from(tables.connections)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
    .where(
      and(
        eq(tables.connections.workspaceId, workspaceId),
        eq(tables.environments.name, env),
        eq(tables.connections.name, name),
      ),
    );
  if (!row) throw new MigratrixError("not_found", `connection ${path} not found`);
  return row;
}

export async function insertConnection(
  tx: Tx,
  input: {
    workspaceId: string;
    environmentId: string;
    environment: string;
    name: string;
    engine: string;
    agentId: string;
    actor: string;
    correlationId: string;
    serverVersion: string;
  },
): Promise<ConnectionView> {
  checkName("connection", input.name);
  const [row] = await tx
    .insert(tables.connections)
    .values({
      workspaceId: input.workspaceId,
      environmentId: input.environmentId,
      name: input.name,
      engine: input.engine,
      agentId: input.agentId,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new MigratrixError("already_exists", `connection ${input.environment}/${input.name} already exists`);
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "connection.add",
    environment: input.environment,
    target: `${input.environment}/${input.name}`,
    correlationId: input.correlationId,
    detail: { engine: input.engine, agentId: input.agentId, serverVersion: input.serverVersion },
  });
  return {
    id: row.id,
    name: row.name,
    environment: input.environment,
    environmentId: input.environmentId,
    engine: row.engine,
    agentId: row.agentId,
  };
}
