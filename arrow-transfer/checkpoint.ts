// Checkpoints live in the target, in migratrix_transfer_checkpoint, written in the same transaction
// as each chunk's rows: a chunk is either committed with its checkpoint or not at all, so a killed
// transfer resumes after the last committed key without duplicates and without re-copying
// (a local state file could not commit atomically with the target's rows).
import { MigratrixError } from "../common/errors.ts";
import { keyFromJson } from "./keys.ts";
import type { Checkpoint, ChunkWrite, TargetEndpoint } from "./types.ts";

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

/**
 * The unique key a chunk write conflicts on: --on-conflict skip and upsert cannot run without one, so
 * they stop before any row is written.
 */
export function conflictKey(w: Pick<ChunkWrite, "plan" | "policy">, uniqueKey: string[] | null): string[] | null {
  if ((w.policy === "skip" || w.policy === "upsert") && !uniqueKey) {
    throw new MigratrixError(
      "failed_precondition",
      `--on-conflict ${w.policy} needs a primary key or unique index on target table ${w.plan.target.name}`,
    );
  }
  return uniqueKey;
}

/** A target whose driver binds "?" placeholders (MySQL, SQLite), as the checkpoint reads need it. */
export interface CheckpointDb {
  q(name: string): string;
  query<T>(sql: string, params: unknown[]): Promise<T[]> | T[];
  exec(sql: string, params: unknown[]): unknown;
  /** Inserts or replaces a checkpoint row (the engine's own upsert). */
  save(x: Checkpoint): unknown;
}

/** Reading and finishing checkpoints and the job row, the same on every "?" target. */
export function checkpointRows(
  db: CheckpointDb,
): Pick<TargetEndpoint, "readCheckpoints" | "markDone" | "saveJob" | "readJob"> {
  const cp = db.q(CHECKPOINT_TABLE);
  return {
    async readCheckpoints(jobId) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT table_name, last_key, chunks, ${db.q("rows")} AS r, bytes, done FROM ${cp} WHERE job_id = ? AND table_name <> ?`,
        [jobId, JOB_ROW],
      );
      return rows.map((r) => checkpointFromRow(jobId, { ...r, rows: r.r }, Number(r.done) === 1));
    },
    async markDone(x) {
      await db.save(x);
    },
    async saveJob(jobId, meta, done) {
      await db.save({ jobId, table: JOB_ROW, lastKey: null, chunks: 0, rows: 0, bytes: 0, done });
      await db.exec(`UPDATE ${cp} SET last_key = ? WHERE job_id = ? AND table_name = ?`, [
        JSON.stringify(meta),
        jobId,
        JOB_ROW,
      ]);
    },
    async readJob(jobId) {
      const [r] = await db.query<{ k: string; d: number | bigint }>(
        `SELECT last_key AS k, done AS d FROM ${cp} WHERE job_id = ? AND table_name = ?`,
        [jobId, JOB_ROW],
      );
      return r ? { meta: JSON.parse(r.k), done: Number(r.d) === 1 } : null;
    },
  };
}
