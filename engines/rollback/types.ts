// What a generated down script is: SQL, a note per up statement, findings and the backups it needs.
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { EngineId, SqlProblem } from "../types.ts";

/** exact: the inverse restores schema and data; partly: restores them with a stated difference. */
export type Reversibility = "exact" | "partly" | "irreversible";

/** How one up statement is undone. */
export interface DownStep {
  /** 1-based index of the up statement. */
  upIndex: number;
  /** File line:column where the up statement starts. */
  line: number;
  column: number;
  /** Statements of the down script for this step, in the order they run. */
  sql: string[];
  /** How the inverse was derived, for a reviewer. */
  note: string;
  reversibility: Reversibility;
  /** Why it is not exact; set unless reversibility is exact. */
  reason?: string;
}

/** A table the before-hook copies, in the same transaction, just before statement `upIndex` runs. */
export interface BackupSpec {
  upIndex: number;
  /** Table in the backup area that receives the copy. */
  backupTable: string;
  /** The table the statement destroys data in. */
  source: { schema: string; name: string };
  /** Columns copied; empty means every column (`SELECT *`). */
  columns: string[];
  /** SELECT body after `FROM`: which rows, e.g. `"s"."t" AS a WHERE a.id > 3`. */
  from: string;
  /** Columns the restore joins on; empty when restoring by INSERT needs no key. */
  keyColumns: string[];
  /** What the statement is, for listings: "DELETE", "DROP TABLE". */
  reason: string;
}

/** A backup the generator knows cannot be taken; the run stops before any change unless allowed. */
export interface BackupGap {
  upIndex: number;
  reason: string;
}

export interface DownScript {
  engine: EngineId;
  /** The whole down script, statements separated by `;\n`; empty when nothing is reversible. */
  sql: string;
  /** In down-script order (last up statement first). */
  steps: DownStep[];
  /** The worst reversibility of all steps. */
  reversibility: Reversibility;
  backups: BackupSpec[];
  backupGaps: BackupGap[];
  /** Split or parse problems of the up script; with any, the script is empty. */
  problems: SqlProblem[];
}

export interface GenerateDownOptions {
  engine: EngineId;
  /** Snapshot read with `objects: true` before the migration runs; without it fewer inverses exist. */
  schemaBefore?: SchemaSnapshot;
  /** Names the backup tables; the same id must be given to the before-hook. Default "migration". */
  migrationId?: string;
  /** Schema of unqualified names (PostgreSQL search_path's first entry); default "public". */
  defaultSchema?: string;
  /** File line where the up script starts, for positions; default 1. */
  firstLine?: number;
}
