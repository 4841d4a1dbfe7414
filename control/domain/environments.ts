// Environments of a workspace (dev → qa → prod): names are unique per workspace and usable in
// "<env>/<connection>" names, so they are restricted to a safe character set.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type EnvironmentRow = typeof tables.environments.$inferSelect;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) {
    throw new MigratrixError(
      "invalid_argument",
      `${kind} name "${name.slice(0, 80)}" is invalid: use 1-63 of A-Z a-z 0-9 _ - starting with a letter or digit`,
    );
  }
  return name;
}

export interface EnvironmentSpec {
  name: string;
  position: number;
  requiredApprovals?: number;
  protected?: boolean;
}

export async function createEnvironment(
  tx: Tx,
  input: EnvironmentSpec & { workspaceId: string; actor: string; correlationId: string },
): Promise<EnvironmentRow> {
  checkName("environment", input.name);
  const [row] = await tx
    .insert(tables.environments)
    .values({
      workspaceId: input.workspaceId,
      name: input.name,
      position: input.position,
      requiredApprovals: input.requiredApprovals ?? 0,
      protected: input.protected ?? false,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new MigratrixError("already_exists", `environment ${input.name} already exists`);
  await appendAudit(tx, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: "environment.create",
    environment: row.name,
    target: `environment:${row.id}`,
    correlationId: input.correlationId,
    detail: { position: row.position, requiredApprovals: row.requiredApprovals, protected: row.protected },
  });
  return row;
}

export async function listEnvironments(db: Db, workspaceId: string): Promise<EnvironmentRow[]> {
  return db
    .select()
    .from(tables.environments)
    .where(eq(tables.environments.workspaceId, workspaceId))
    .orderBy(asc(tables.environments.position), asc(tables.environments.name));
}

export async function getEnvironment(db: Db, workspaceId: string, name: string): Promise<EnvironmentRow> {
  const [row] = await db
    .select()
    .from(tables.environments)
    .where(and(eq(tables.environments.workspaceId, workspaceId), eq(tables.environments.name, name)));
  if (!row) throw new MigratrixError("not_found", `environment ${name} not found`);
  return row;
}

/** The name of the environment with this id; undefined once it is gone (schedules keep ids). */
export async function environmentNameById(db: Db, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ name: tables.environments.name })
    .from(tables.environments)
    .where(eq(tables.environments.id, id));
  return row?.name;
}
