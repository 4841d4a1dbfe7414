// What a generated down script is called and signed by across the platform: the checksum approvals
// sign (control plane, at creation) and the agent compares (pre-flight), and one note per step.
import { createHash } from "node:crypto";
import type { DownScript } from "./types.ts";

/** SHA-256 (hex) of a down script's SQL: equal scripts, equal checksums, wherever generated. */
export function rollbackChecksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

export interface RollbackSummary {
  sql: string;
  checksum: string;
  reversibility: string;
  /** One line per step (down order): where the up statement is, how it is undone, why not exactly. */
  notes: string[];
}

export function summarizeDown(d: DownScript): RollbackSummary {
  return {
    sql: d.sql,
    checksum: rollbackChecksum(d.sql),
    reversibility: d.reversibility,
    notes: [
      ...d.steps.map(
        (s) =>
          `statement ${s.upIndex} (line ${s.line}:${s.column}): ${s.note}${s.reversibility === "exact" ? "" : ` (${s.reversibility}: ${s.reason ?? ""})`}`,
      ),
      ...d.backupGaps.map((g) => `statement ${g.upIndex}: no backup can be taken: ${g.reason}`),
    ],
  };
}

/** Why a run waits when its target's generated down script is not the one approvers signed. */
export const ROLLBACK_CHANGED = "generated rollback differs from the approved one: re-approval needed";

/** LogLine.code of a backup the stage's policy let a run go on without (audited by the control plane). */
export const BACKUP_SKIPPED = "backup_skipped";
