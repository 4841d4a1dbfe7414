// Checkpoints live in the target, in migratrix_transfer_checkpoint, written in the same transaction
// as each chunk's rows: a chunk is either committed with its checkpoint or not at all, so a killed
// transfer resumes after the last committed key without duplicates and without re-copying
// (a local state file could not commit atomically with the target's rows).
import { keyFromJson } from "./keys.ts";
import type { Checkpoint } from "./types.ts";

export const CHECKPOINT_TABLE = "migratrix_transfer_checkpoint";

/** The row per job that holds what the job was started with (JobMeta JSON) and whether it finished. */
export const JOB_ROW = "*job";

/**
 * A table's checkpoint as read back from its row (table_name, last_key, chunks, rows, bytes); counts
 * arrive as numbers or numeric strings, and `done` is read by the caller, as its engine stores booleans.
 */
export function checkpointFromRow(jobId: string, r: Record<string, unknown>, done: boolean): Checkpoint {
  return {
    jobId,
    table: String(r.table_name),
    lastKey: keyFromJson((r.last_key as string | null) ?? null, String(r.table_name)),
    chunks: Number(r.chunks),
    rows: Number(r.rows),
    bytes: Number(r.bytes),
    done,
  };
}
