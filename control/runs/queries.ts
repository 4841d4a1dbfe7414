// Reading runs with the names people know them by (environment, connection).
import { and, asc, desc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { requireUuid } from "../ids.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type RunRow = typeof tables.runs.$inferSelect;

export interface RunView extends RunRow {
  environment: string;
  connection: string;
  engine: string;
  /** The agent serving the connection (the lease owner may differ only historically). */
  servingAgent: string;
}

const columns = {
  run: tables.runs,
  environment: tables.environments.name,
  connection: tables.connections.name,
  engine: tables.connections.engine,
  servingAgent: tables.connections.agentId,
};

function base(db: Db) {
  return db
    .select(columns)
    .from(tables.runs)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
    .innerJoin(tables.connections, eq(tables.connections.id, tables.runs.connectionId));
}

function flatten(r: { run: RunRow; environment: string; connection: string; engine: string; servingAgent: string }) {
  return {
    ...r.run,
    environment: r.environment,
    connection: r.connection,
    engine: r.engine,
    servingAgent: r.servingAgent,
  };
}

export async function getRun(db: Db, workspaceId: string, runId: string): Promise<RunView> {
  requireUuid("run", runId);
  const [row] = await base(db).where(and(eq(tables.runs.workspaceId, workspaceId), eq(tables.runs.id, runId)));
  if (!row) throw new MigratrixError("not_found", `run ${runId} not found`);
  return flatten(row);
}

export async function listRunsOfMigration(db: Db, workspaceId: string, migrationId: string): Promise<RunView[]> {
  const rows = await base(db)
    .where(and(eq(tables.runs.workspaceId, workspaceId), eq(tables.runs.migrationId, migrationId)))
    .orderBy(asc(tables.environments.position), asc(tables.connections.name), asc(tables.runs.direction));
  return rows.map(flatten);
}

/** Runs of an environment, newest first within each connection. */
export async function listRunsOfEnvironment(db: Db, workspaceId: string, environmentId: string): Promise<RunView[]> {
  const rows = await base(db)
    .where(and(eq(tables.runs.workspaceId, workspaceId), eq(tables.runs.environmentId, environmentId)))
    .orderBy(asc(tables.connections.name), desc(tables.runs.createdAt), asc(tables.runs.migrationId));
  return rows.map(flatten);
}
