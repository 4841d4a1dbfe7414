// The shapes arrow-transfer works with: described source tables, plans, checkpoints, progress and
// the narrow reader/writer interfaces each engine implements.
import type { RecordBatch } from "apache-arrow";
import type { ColumnMapping, SourceContext } from "../engines/schema/typemap.ts";
import type { EngineId } from "../engines/types.ts";
import type { ChunkRead } from "./readahead.ts";

export type ConflictPolicy = "fail" | "skip" | "upsert" | "truncate";
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ["fail", "skip", "upsert", "truncate"];

/** A key value as text (binary keys as \x… hex), exactly what the source printed. */
export type KeyValue = (string | null)[];

export interface SourceColumn {
  name: string;
  /** Native type as the engine prints it. */
  type: string;
  nullable: boolean;
  default: string | null;
  ctx: SourceContext;
  /** PostgreSQL identity column. */
  identity?: "always" | "by default";
  /** MySQL AUTO_INCREMENT. */
  autoIncrement?: boolean;
  /** Stored generated column: computed by the target, never copied. */
  generated?: string;
}

export interface SourceIndex {
  name: string;
  columns: string[];
  unique: boolean;
  /** Same-engine DDL (PostgreSQL pg_get_indexdef). */
  definition?: string;
}

export interface SourceForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  /** Same-engine text after ADD CONSTRAINT name (PostgreSQL pg_get_constraintdef). */
  definition?: string;
}

export interface SourceTable {
  /** PostgreSQL schema or MySQL database. */
  schema: string;
  name: string;
  columns: SourceColumn[];
  primaryKey: string[] | null;
  indexes: SourceIndex[];
  foreignKeys: SourceForeignKey[];
  /** Same-engine CHECK / UNIQUE constraints: name → definition. */
  constraints: { name: string; definition: string }[];
  /** Next value of each column's sequence / AUTO_INCREMENT (what the target's identity must continue from). */
  sequences: { column: string; sequence?: string; nextValue: string }[];
  rowEstimate: number;
  /** On-disk size where the engine tells (bytes). */
  bytesEstimate: number | null;
}

/** A half-open key range (after, upTo]; null ends mean unbounded. */
export interface KeyRange {
  after: KeyValue | null;
  upTo: KeyValue | null;
}

export interface BatchLimits {
  rows: number;
  bytes: number;
}

export interface TablePlan {
  source: SourceTable;
  /** Target table name (same name, in the target's default schema unless qualified). */
  target: { schema: string | null; name: string };
  /** Copied columns in order (generated columns left out). */
  mappings: ColumnMapping[];
  /** Keyset columns; null for a table without a primary key (copied in one chunk). */
  key: string[] | null;
}

export interface Checkpoint {
  jobId: string;
  table: string;
  lastKey: KeyValue | null;
  chunks: number;
  rows: number;
  bytes: number;
  done: boolean;
}

/** Engine → Arrow RecordBatches for one key range. */
export interface BatchReader {
  read(plan: TablePlan, range: KeyRange, limits: BatchLimits): AsyncIterable<RecordBatch>;
}

/** The next chunk's upper key, by keyset (never OFFSET). */
export interface KeyPager {
  /** The chunk after `after`: its last key and its row count; null when no row is left. */
  nextUpper(plan: TablePlan, after: KeyValue | null, rows: number): Promise<{ key: KeyValue; rows: number } | null>;
}

export interface ChunkWrite {
  plan: TablePlan;
  policy: ConflictPolicy;
  /** Committed with the rows, in the same transaction. */
  checkpoint: Checkpoint;
}

/** A chunk whose checkpoint is asked for once its rows are in (writeBinary). */
export type OrderedChunkWrite =
  NonNullable<TargetEndpoint["writeBinary"]> extends (w: infer W, ...rest: never[]) => unknown ? W : never;

/** Arrow RecordBatches → engine, one transaction per chunk with its checkpoint. */
export interface BatchWriter {
  writeChunk(w: ChunkWrite, batches: AsyncIterable<RecordBatch>): Promise<{ rows: number; bytes: number }>;
}

export interface SourceEndpoint extends BatchReader, KeyPager {
  engine: EngineId;
  describe(tables: string[] | undefined): Promise<SourceTable[]>;
  count(plan: TablePlan, side: "source"): Promise<number>;
  /** Row count and checksum computed where the rows are (a remote source); absent: read through `read`. */
  checksum?(
    plan: TablePlan,
    limits: { rows: number; bytes: number; batchRows: number },
    canonicalJson: boolean,
  ): Promise<{ rows: number; checksum: string }>;
  close(): Promise<void>;
  /**
   * read() takes in a chunk by itself as it arrives (a remote source's frames): the copy reads it
   * ahead whole, at no memory cost (otherwise a few batches ahead of the writer).
   */
  readsBuffered?: boolean;
  /**
   * PostgreSQL: the range as `COPY … TO STDOUT (FORMAT binary)` bytes, the query sent now (the fast
   * path reads chunk n+1 while chunk n commits).
   */
  readBinary?(plan: TablePlan, range: KeyRange): ChunkRead<Uint8Array>;
}

export interface TargetTableInfo {
  columns: { name: string; type: string }[];
  /** Columns of the primary key or a unique index usable for skip/upsert. */
  uniqueKey: string[] | null;
  /** No row yet (the fail policy needs an empty target). */
  empty: boolean;
}

export interface TargetEndpoint extends BatchWriter {
  engine: EngineId;
  /** Free space for the target's data where the engine tells; null: unknown. */
  freeBytes(): Promise<number | null>;
  table(plan: TablePlan): Promise<TargetTableInfo | null>;
  openCheckpoints(): Promise<void>;
  readCheckpoints(jobId: string): Promise<Checkpoint[]>;
  /** Marks a table's checkpoint done (no chunk left). */
  markDone(c: Checkpoint): Promise<void>;
  saveJob(jobId: string, meta: JobMeta, done: boolean): Promise<void>;
  readJob(jobId: string): Promise<{ meta: JobMeta; done: boolean } | null>;
  createTables(plans: TablePlan[]): Promise<void>;
  /** After the rows: keys and indexes, foreign keys, sequences, ANALYZE (idempotent). */
  finishTables(plans: TablePlan[]): Promise<string[]>;
  truncate(plan: TablePlan): Promise<void>;
  /** Why this target cannot run a conflict policy (checked in pre-flight); undefined: it can. */
  refusePolicy?(policy: ConflictPolicy): string | undefined;
  close(): Promise<void>;
  /**
   * PostgreSQL: binary COPY bytes of a PostgreSQL source with identical column types, written like
   * writeChunk (one transaction with the checkpoint); `rows`: the range's row count (bytes are not parsed).
   */
  writeBinary?(
    w: Omit<ChunkWrite, "checkpoint"> & {
      /** The chunk's number (its checkpoint's `chunks`), for errors before the checkpoint is known. */
      chunk: number;
      /**
       * Asked for once the rows are in, just before it is saved: the chunk before may still be
       * committing on another connection until it resolves (a rejection rolls this chunk back).
       */
      checkpoint: () => Promise<Checkpoint>;
    },
    bytes: AsyncIterable<Uint8Array>,
    o: { uniqueKey: string[] | null; rows: number },
  ): Promise<{ rows: number; bytes: number }>;
}

/** What a job was started with, stored so --resume checks it continues the same job. */
export interface JobMeta {
  tables: string[];
  create: boolean;
  policy: ConflictPolicy;
  path: "fast" | "arrow";
  /** Tables this job created (their keys, indexes and sequences are added after the rows). */
  created?: string[];
}

export interface ProgressEvent {
  table: string;
  /** Chunks of this table written in this run / taken from an earlier run's checkpoints. */
  chunksCopied: number;
  chunksSkipped: number;
  rows: number;
  bytes: number;
  /** Whole job, this run. */
  totalRows: number;
  totalBytes: number;
  estimatedRows: number;
  rowsPerSecond: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}
