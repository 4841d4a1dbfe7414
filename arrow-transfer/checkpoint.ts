// Checkpoints live in the target, in migratrix_transfer_checkpoint, written in the same transaction
// as each chunk's rows: a chunk is either committed with its checkpoint or not at all, so a killed
// transfer resumes after the last committed key without duplicates and without re-copying
// (a local state file could not commit atomically with the target's rows).

export const CHECKPOINT_TABLE = "migratrix_transfer_checkpoint";

/** The row per job that holds what the job was started with (JobMeta JSON) and whether it finished. */
export const JOB_ROW = "*job";
