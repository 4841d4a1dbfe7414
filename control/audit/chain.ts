// The one audit append API: every change in the control plane goes through appendAudit inside the
// store transaction of the change itself, so a change and its audit record commit or fail together.
import { and, asc, desc, eq, gt, gte } from "drizzle-orm";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { canonicalJson, sha256Hex } from "./canonical.ts";

/** prev_hash of a workspace's first record. */
export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  workspaceId: string;
  /** "user:<id>", "agent:<id>", "token:<id>", "control:reaper" … */
  actor: string;
  /** Dotted verb: "migration.create", "run.lease", "auth.denied" … */
  action: string;
  environment?: string;
  /** What the action touched: a migration id, run id, connection "env/name" … */
  target?: string;
  correlationId: string;
  /** Machine-readable facts; never secrets. */
  detail?: Record<string, unknown>;
  /** SQL the action concerns; only its SHA-256 is recorded. */
  sql?: string;
}

export interface AuditRow {
  workspaceId: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  environment: string | null;
  target: string | null;
  correlationId: string;
  detail: Record<string, unknown>;
  sqlSha256: string | null;
  prevHash: string;
  hash: string;
}

/** The hashed part of a record: everything except the hash itself. */
export function recordHash(row: Omit<AuditRow, "hash">): string {
  const body = canonicalJson({
    workspaceId: row.workspaceId,
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    environment: row.environment,
    target: row.target,
    correlationId: row.correlationId,
    detail: row.detail,
    sqlSha256: row.sqlSha256,
  });
  return sha256Hex(row.prevHash + body);
}

export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<AuditRow> {
  // The head row is the per-workspace lock: FOR UPDATE makes appends in one workspace queue up
  // while other workspaces' heads stay free.
  await tx
    .insert(tables.auditHeads)
    .values({ workspaceId: entry.workspaceId, seq: 0, hash: GENESIS_HASH })
    .onConflictDoNothing();
  const [head] = await tx
    .select()
    .from(tables.auditHeads)
    .where(eq(tables.auditHeads.workspaceId, entry.workspaceId))
    .for("update");
  if (!head) throw new Error(`audit head of workspace ${entry.workspaceId} vanished`);
  const base: Omit<AuditRow, "hash"> = {
    workspaceId: entry.workspaceId,
    seq: head.seq + 1,
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    environment: entry.environment ?? null,
    target: entry.target ?? null,
    correlationId: entry.correlationId,
    // A JSON round trip drops undefined and class instances the same way jsonb storage will.
    detail: JSON.parse(JSON.stringify(entry.detail ?? {})) as Record<string, unknown>,
    sqlSha256: entry.sql === undefined ? null : sha256Hex(entry.sql),
    prevHash: head.hash,
  };
  const row: AuditRow = { ...base, hash: recordHash(base) };
  await tx.insert(tables.auditLog).values(row);
  await tx
    .update(tables.auditHeads)
    .set({ seq: row.seq, hash: row.hash })
    .where(eq(tables.auditHeads.workspaceId, entry.workspaceId));
  return row;
}

export interface ChainCheck {
  ok: boolean;
  /** Records that verified before the first broken one. */
  verified: number;
  /** Seq of the first record that is altered, missing or out of order. */
  firstBrokenSeq: number | null;
  reason: string | null;
}

/**
 * Walks a workspace's chain from the start and names the first seq that does not verify
 * (altered, removed or out of order), with what is wrong with it.
 */
export async function checkChain(db: Db, workspaceId: string, batchSize = 1000): Promise<ChainCheck> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const broken = (reason: string): ChainCheck => ({
    ok: false,
    verified: expectedSeq - 1,
    firstBrokenSeq: expectedSeq,
    reason,
  });
  for (;;) {
    const rows = await db
      .select()
      .from(tables.auditLog)
      .where(and(eq(tables.auditLog.workspaceId, workspaceId), gt(tables.auditLog.seq, expectedSeq - 1)))
      .orderBy(asc(tables.auditLog.seq))
      .limit(batchSize);
    for (const row of rows) {
      if (row.seq !== expectedSeq) return broken(`record ${expectedSeq} is missing (next is ${row.seq})`);
      if (row.prevHash !== prevHash) return broken("prev_hash does not match the previous record's hash");
      if (recordHash(row) !== row.hash) return broken("content does not match its hash");
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < batchSize) break;
  }
  // A removed tail leaves no gap in the rows, only a head that points further.
  const [head] = await db.select().from(tables.auditHeads).where(eq(tables.auditHeads.workspaceId, workspaceId));
  if (head && (head.seq !== expectedSeq - 1 || head.hash !== prevHash)) {
    return broken(`record ${expectedSeq} is missing (the chain head is at ${head.seq})`);
  }
  return { ok: true, verified: expectedSeq - 1, firstBrokenSeq: null, reason: null };
}

/** The first seq that does not verify, or null when the whole chain holds. */
export async function verifyChain(db: Db, workspaceId: string, batchSize = 1000): Promise<number | null> {
  return (await checkChain(db, workspaceId, batchSize)).firstBrokenSeq;
}

export async function listAudit(
  db: Db,
  workspaceId: string,
  opts: { afterSeq?: number; limit?: number; newest?: boolean; since?: Date } = {},
): Promise<AuditRow[]> {
  const rows = await db
    .select()
    .from(tables.auditLog)
    .where(
      and(
        eq(tables.auditLog.workspaceId, workspaceId),
        gt(tables.auditLog.seq, opts.afterSeq ?? 0),
        opts.since ? gte(tables.auditLog.at, opts.since) : undefined,
      ),
    )
    .orderBy(opts.newest ? desc(tables.auditLog.seq) : asc(tables.auditLog.seq))
    .limit(Math.min(Math.max(opts.limit ?? 100, 1), 1000));
  // The newest page is still returned oldest first, like every other page.
  return opts.newest ? rows.reverse() : rows;
}
