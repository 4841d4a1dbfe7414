// Migrations of a workspace: the file is parsed and split for its engine when created, so a bad
// file is refused up front with line:column, and runs only ever carry a checked script.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { parseForEngine } from "./migration-file.ts";
import { assessMigration } from "./migration-risk.ts";

export type MigrationRow = typeof tables.migrations.$inferSelect;

export interface CreateMigrationInput {
  workspaceId: string;
  fileName: string;
  content: string;
  engine: string;
  actor: string;
  createdBy: string;
  correlationId: string;
}

/**
 * Creates a migration. Creating the same file again (same checksum) returns the stored one;
 * a different file under an existing id is already_exists, since ids are applied history.
 */
export async function createMigration(db: Db, input: CreateMigrationInput): Promise<MigrationRow> {
  const parsed = parseForEngine(input.fileName, input.content, input.engine);
  const id = parsed.id;
  const risk = await assessMigration(parsed, input.engine);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(tables.migrations)
      .values({
        workspaceId: input.workspaceId,
        id,
        name: parsed.name,
        upSql: parsed.up,
        downSql: parsed.down,
        checksum: parsed.checksum,
        statements: parsed.statements,
        upFirstLine: parsed.upFirstLine,
        downFirstLine: parsed.downFirstLine,
        noTransaction: parsed.noTransaction,
        engine: input.engine,
        riskLevel: risk.level,
        riskReport: risk,
        createdBy: input.createdBy,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [existing] = await tx
        .select()
        .from(tables.migrations)
        .where(and(eq(tables.migrations.workspaceId, input.workspaceId), eq(tables.migrations.id, id)));
      if (existing && existing.checksum === parsed.checksum) return existing;
      throw new MigratrixError(
        "already_exists",
        `migration ${id} already exists with a different checksum; give a changed migration a new file name`,
      );
    }
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "migration.create",
      target: `migration:${id}`,
      correlationId: input.correlationId,
      detail: {
        fileName: input.fileName,
        engine: input.engine,
        checksum: parsed.checksum,
        statements: parsed.statements,
        riskLevel: risk.level,
      },
      sql: input.content,
    });
    return row;
  });
}

export async function getMigration(db: Db, workspaceId: string, id: string): Promise<MigrationRow> {
  const [row] = await db
    .select()
    .from(tables.migrations)
    .where(and(eq(tables.migrations.workspaceId, workspaceId), eq(tables.migrations.id, id)));
  if (!row) throw new MigratrixError("not_found", `migration ${id} not found`);
  return row;
}

export async function listMigrations(db: Db, workspaceId: string): Promise<MigrationRow[]> {
  return db
    .select()
    .from(tables.migrations)
    .where(eq(tables.migrations.workspaceId, workspaceId))
    .orderBy(asc(tables.migrations.id));
}
