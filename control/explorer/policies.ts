// Explorer settings per environment: column masking policies, "explorer writes allowed" on a
// protected environment, and the workspace's masking key. Every change is audited in its transaction.
import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import type { EnvironmentRow } from "../domain/environments.ts";
import type { Db, Role } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type MaskPolicyRow = typeof tables.explorerMaskPolicies.$inferSelect;
export type MaskKind = MaskPolicyRow["kind"];

const KINDS: readonly string[] = tables.MASK_KINDS;
const ROLES: readonly string[] = tables.ROLES;
const PATTERN = /^[A-Za-z0-9_$*]{1,64}(\.[A-Za-z0-9_$*]{1,64}){0,2}$/;

export interface NewMaskPolicy {
  workspaceId: string;
  environment: EnvironmentRow;
  pattern: string;
  kind: string;
  keepLast: number;
  exemptRoles: readonly string[];
  actor: string;
  correlationId: string;
}

export function checkPolicy(p: Pick<NewMaskPolicy, "pattern" | "kind" | "keepLast" | "exemptRoles">): void {
  if (!PATTERN.test(p.pattern)) {
    throw new MigratrixError(
      "invalid_argument",
      `mask pattern "${p.pattern}" must be [schema.]table.column or a column, with * globs (e.g. "*.email", "users.ssn")`,
    );
  }
  if (!KINDS.includes(p.kind)) {
    throw new MigratrixError("invalid_argument", `mask kind "${p.kind}" must be one of ${KINDS.join(", ")}`);
  }
  if (p.kind === "partial" && (p.keepLast < 1 || p.keepLast > 64)) {
    throw new MigratrixError("invalid_argument", "partial masking needs keep_last between 1 and 64");
  }
  if (p.kind !== "partial" && p.keepLast !== 0) {
    throw new MigratrixError("invalid_argument", `keep_last applies to partial masking only, not ${p.kind}`);
  }
  const bad = p.exemptRoles.find((r) => !ROLES.includes(r));
  if (bad !== undefined) {
    throw new MigratrixError("invalid_argument", `exempt role "${bad}" must be one of ${ROLES.join(", ")}`);
  }
}

export async function addMaskPolicy(db: Db, p: NewMaskPolicy): Promise<MaskPolicyRow> {
  checkPolicy(p);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(tables.explorerMaskPolicies)
      .values({
        workspaceId: p.workspaceId,
        environmentId: p.environment.id,
        pattern: p.pattern,
        kind: p.kind as MaskKind,
        keepLast: p.keepLast,
        exemptRoles: [...new Set(p.exemptRoles)],
        createdBy: p.actor,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      throw new MigratrixError(
        "already_exists",
        `environment ${p.environment.name} already has a mask policy for "${p.pattern}"`,
      );
    }
    await appendAudit(tx, {
      workspaceId: p.workspaceId,
      actor: p.actor,
      action: "explorer.mask.add",
      environment: p.environment.name,
      target: row.id,
      correlationId: p.correlationId,
      detail: { pattern: row.pattern, kind: row.kind, keepLast: row.keepLast, exemptRoles: row.exemptRoles },
    });
    return row;
  });
}

export function listMaskPolicies(db: Db, workspaceId: string, environmentId: string): Promise<MaskPolicyRow[]> {
  return db
    .select()
    .from(tables.explorerMaskPolicies)
    .where(
      and(
        eq(tables.explorerMaskPolicies.workspaceId, workspaceId),
        eq(tables.explorerMaskPolicies.environmentId, environmentId),
      ),
    )
    .orderBy(asc(tables.explorerMaskPolicies.pattern));
}

export async function removeMaskPolicy(
  db: Db,
  p: { workspaceId: string; environment: EnvironmentRow; id: string; actor: string; correlationId: string },
): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(p.id))
    throw new MigratrixError("invalid_argument", `mask policy id "${p.id}" is not a uuid`);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(tables.explorerMaskPolicies)
      .where(
        and(
          eq(tables.explorerMaskPolicies.id, p.id),
          eq(tables.explorerMaskPolicies.workspaceId, p.workspaceId),
          eq(tables.explorerMaskPolicies.environmentId, p.environment.id),
        ),
      )
      .returning();
    if (!row)
      throw new MigratrixError("not_found", `mask policy ${p.id} not found on environment ${p.environment.name}`);
    await appendAudit(tx, {
      workspaceId: p.workspaceId,
      actor: p.actor,
      action: "explorer.mask.remove",
      environment: p.environment.name,
      target: row.id,
      correlationId: p.correlationId,
      detail: { pattern: row.pattern, kind: row.kind },
    });
  });
}

/** The policies that apply to a caller holding `role` (exempt roles see the column unmasked). */
export function policiesFor(rows: readonly MaskPolicyRow[], role: Role | undefined): MaskPolicyRow[] {
  return rows.filter((r) => !(role && r.exemptRoles.includes(role)));
}

export async function writesAllowed(db: Db, workspaceId: string, environmentId: string): Promise<boolean> {
  const [row] = await db
    .select({ w: tables.explorerSettings.writesAllowed })
    .from(tables.explorerSettings)
    .where(
      and(
        eq(tables.explorerSettings.workspaceId, workspaceId),
        eq(tables.explorerSettings.environmentId, environmentId),
      ),
    );
  return row?.w ?? false;
}

export async function setWritesAllowed(
  db: Db,
  p: { workspaceId: string; environment: EnvironmentRow; allowed: boolean; actor: string; correlationId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(tables.explorerSettings)
      .values({
        workspaceId: p.workspaceId,
        environmentId: p.environment.id,
        writesAllowed: p.allowed,
        updatedBy: p.actor,
      })
      .onConflictDoUpdate({
        target: [tables.explorerSettings.workspaceId, tables.explorerSettings.environmentId],
        set: { writesAllowed: p.allowed, updatedBy: p.actor, updatedAt: new Date() },
      });
    await appendAudit(tx, {
      workspaceId: p.workspaceId,
      actor: p.actor,
      action: "explorer.settings",
      environment: p.environment.name,
      correlationId: p.correlationId,
      detail: { writesAllowed: p.allowed },
    });
  });
}

/** The workspace's HMAC key for hash masking, created on first use. */
export async function maskKey(db: Db, workspaceId: string): Promise<Uint8Array> {
  await db
    .insert(tables.explorerKeys)
    .values({ workspaceId, maskKey: randomBytes(32).toString("base64") })
    .onConflictDoNothing();
  const [row] = await db
    .select({ k: tables.explorerKeys.maskKey })
    .from(tables.explorerKeys)
    .where(eq(tables.explorerKeys.workspaceId, workspaceId));
  if (!row) throw new MigratrixError("internal", `the masking key of workspace ${workspaceId} could not be created`);
  return new Uint8Array(Buffer.from(row.k, "base64"));
}
