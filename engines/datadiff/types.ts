// The contracts of the row-level data diff: what each engine folder tells the analysis (its
// DataDiffFacts: canonical text, hashing, key comparison, literals) and what the analysis returns.
import type { Session } from "../types.ts";

/**
 * How a column's values are brought to one canonical text on every engine. The class decides the
 * normalisation (engines/datadiff/README.md has the table): numbers without trailing zeros,
 * booleans as 1/0, timestamps as UTC microseconds, bytes as lower-case hex, text as UTF-8.
 */
export type ValueClass =
  | "int"
  | "decimal"
  | "float"
  | "bool"
  | "text"
  | "bytes"
  | "date"
  | "timestamp"
  | "timestamptz"
  | "uuid"
  | "json"
  | "other";

export interface DiffColumn {
  name: string;
  /** The declared type as the engine names it (e.g. "numeric(10,2)", "tinyint(1)"). */
  type: string;
  cls: ValueClass;
}

export interface TableShape {
  columns: DiffColumn[];
  /** Primary key column names in key order; empty when the table has none. */
  primaryKey: string[];
}

export interface TableName {
  /** PostgreSQL schema, MySQL database, SQLite attached database; undefined: the connection's own. */
  schema?: string;
  name: string;
}

/** Canonical text of each key column, in key order; a range bound may be a prefix of the key. */
export type KeyTuple = readonly string[];

/** Keys k with lo <= k < hi in key order (binary order for text); null: unbounded on that side. */
export interface KeyRange {
  lo: KeyTuple | null;
  hi: KeyTuple | null;
}

/** How one range is cut into buckets in one pass over it. */
export type Bucketing =
  /** Leading key column is an integer: bucket = (k0 - lo) / width, buckets 0..count-1. */
  | { kind: "int"; lo: bigint; width: bigint; count: number }
  /** Sorted boundaries (full key tuples): bucket i holds bounds[i-1] <= k < bounds[i]. */
  | { kind: "bounds"; bounds: KeyTuple[] };

export interface Summary {
  count: number;
  /** Combined 64-bit hash of the range's rows (XOR of row hashes), unsigned. */
  hash: bigint;
}

/**
 * "native": both sides are the same engine with identical column types, so the engine's fastest
 * row hash may be used; "canonical": the hash is over the canonical text, identical on every engine.
 */
export type HashMode = "native" | "canonical";

/** One side's scan: the table, the key and compared columns of this side, the filter. */
export interface Scan {
  table: TableName;
  key: DiffColumn[];
  columns: DiffColumn[];
  where?: string;
  mode: HashMode;
}

/** A row as canonical texts: key columns first, then compared columns; null is SQL NULL. */
export type CanonicalRow = (string | null)[];

/**
 * Dialect facts an engine folder gives the data diff (engines/<engine>/datadiff.ts). Expressions
 * take SQL text of an operand (a quoted column or an aggregate over one) and return SQL text.
 */
export interface DataDiffFacts {
  quoteIdent(name: string): string;
  quoteLiteral(value: string): string;
  /** Session settings the canonical text depends on (time zone UTC and the like). */
  prepare(session: Session): Promise<void>;
  /** Columns and primary key of a table; null when it does not exist. */
  describe(session: Session, table: TableName): Promise<TableShape | null>;
  /**
   * SQL yielding the value's canonical text (NULL stays NULL). Absent: the engine returns raw values
   * and the analysis normalises them in JS (engines/datadiff/canonical.ts).
   */
  canonical?(col: DiffColumn, operand: string): string;
  /**
   * Row hash pushed into the database: an expression giving a 64-bit integer per row and the
   * aggregate combining them. Absent: rows are fetched and hashed in JS (the same md5-64).
   */
  hash?: {
    row(cols: { col: DiffColumn; operand: string }[], mode: HashMode): string;
    combine(rowHash: string): string;
  };
  /**
   * A relation of the bucket numbers 0..count-1, joined on the bucket expression instead of
   * grouping by it, where that lets the engine plan the pass in parallel (PostgreSQL: it estimates
   * the groups of a join column, not of an expression over the key). Absent: GROUP BY the expression.
   */
  bucketSeries?(count: number): string;
  /** Operand used in key comparisons and ordering: binary (code point) order for text. */
  keyOperand(col: DiffColumn, operand: string): string;
  /** Scans run in a server process per connection, so several sessions make a pass faster. */
  parallelScans: boolean;
  /** Integer bucket number (a - lo) / width, rounding down; a >= lo. */
  intBucket(operand: string, lo: bigint, width: bigint): string;
  /** A literal for the column from its canonical text (null: NULL), for predicates and sync scripts. */
  literal(col: DiffColumn, text: string | null): string;
}

export interface DiffSide {
  session: Session;
  /**
   * More sessions on the same database: a checksum pass over many buckets is split into contiguous
   * parts run at once, one per session (where the engine's scans run in its server).
   */
  extraSessions?: Session[];
  facts: DataDiffFacts;
  /** Engine id, used only to decide whether the native hash may be used (same engine both sides). */
  engine: string;
  table: TableName;
  where?: string;
}

export interface DataDiffOptions {
  source: DiffSide;
  target: DiffSide;
  /** Key columns; default the source's primary key. */
  key?: string[];
  /** Compare only these columns (key columns always included). */
  include?: string[];
  exclude?: string[];
  /** Ranges with at most this many rows on both sides are fetched and compared row by row (default 1000). */
  fetchThreshold?: number;
  /** Most buckets one pass over an integer-keyed range cuts it into (default 4096). */
  maxIntBuckets?: number;
  /** Most buckets one pass over a range with a non-integer leading key cuts it into (default 1024). */
  maxSampledBuckets?: number;
  /** Force the canonical hash even when both sides are the same engine and types (tests). */
  forceCanonical?: boolean;
}

export interface ColumnChange {
  column: string;
  before: string | null;
  after: string | null;
}

/** What the target needs to become the source: insert a source row, update, or delete a target row. */
export type RowDiff =
  | { kind: "insert"; key: KeyTuple; row: Record<string, string | null> }
  | { kind: "update"; key: KeyTuple; changes: ColumnChange[] }
  | { kind: "delete"; key: KeyTuple };

export interface DataDiffStats {
  /** Summary passes (one per range per side pair). */
  passes: number;
  /** Ranges fetched row by row. */
  leafRanges: number;
  rowsFetched: { source: number; target: number };
  hashMode: HashMode;
}

export interface DataDiffResult {
  sourceTable: string;
  targetTable: string;
  key: string[];
  columns: string[];
  counts: { inserted: number; updated: number; deleted: number };
  /** Sorted by key. */
  rows: RowDiff[];
  /** INSERT/UPDATE/DELETE in the target's dialect that make the target's rows equal the source's. */
  script: string;
  stats: DataDiffStats;
}
