// Approvals: per (migration, stage) one vote per person, whatever channel it came through. A vote
// signs the migration checksum, which covers the up and the down script; a vote on any other
// checksum is void and never counts.
import { and, asc, eq } from "drizzle-orm";
import type { Db, RunDirection, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { StageKey } from "./lifecycle.ts";

export type VoteRow = typeof tables.approvals.$inferSelect;

export interface Tally {
  votes: (VoteRow & { valid: boolean })[];
  /** Valid approvals. */
  approvals: number;
  approvers: string[];
}

/** The votes on running the migration ("apply") or on the stage's open rollback request ("revert"). */
export async function tally(
  db: Db | Tx,
  key: StageKey,
  checksum: string,
  operation: RunDirection = "apply",
): Promise<Tally> {
  const rows = await db
    .select()
    .from(tables.approvals)
    .where(
      and(
        eq(tables.approvals.flowId, key.flowId),
        eq(tables.approvals.migrationId, key.migrationId),
        eq(tables.approvals.position, key.position),
        eq(tables.approvals.operation, operation),
      ),
    )
    .orderBy(asc(tables.approvals.createdAt));
  const votes = rows.map((v) => ({ ...v, valid: v.checksum === checksum }));
  const approvers = votes.filter((v) => v.valid && v.vote === "approve").map((v) => v.email);
  return { votes, approvals: approvers.length, approvers };
}
