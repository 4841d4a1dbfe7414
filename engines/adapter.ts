// The engine adapter: what one database engine offers the runner, the agent and the analyses,
// composed from narrow interfaces (CONVENTIONS.md "Small interfaces, composed").
import type { MigratrixError } from "../common/errors.ts";
import type { SchemaSnapshot } from "./schema/snapshot.ts";
import type { Capabilities, Dialect, Driver, EngineId, Session } from "./types.ts";

export interface InspectOptions {
  /** Schemas (PostgreSQL), databases (MySQL) or attached databases (SQLite) to read; default: the connection's own. */
  schemas?: string[];
  /**
   * Also read what re-creating objects needs: constraints, index definitions, identity columns,
   * views, sequences, routines, triggers and types (engines that have them). Off by default so
   * snapshots stay as small as compare needs.
   */
  objects?: boolean;
}

export interface Inspector {
  inspect(session: Session, opts?: InspectOptions): Promise<SchemaSnapshot>;
}

/** Which database a session is on, resolved once per run so a migration's `SET search_path`/`USE` cannot move it. */
export interface Target {
  /** Database name as the server reports it, used in messages and the lock key. */
  database: string;
  /** Namespace that holds migratrix_history (PostgreSQL current_schema(), MySQL the database, SQLite "main"). */
  historySchema: string;
}

export type RunDirection = "apply" | "revert";
export type HistoryStatus = "applied" | "failed" | "in_progress" | "reverted";

/** One row of migratrix_history; the layout is documented in engines/runner/README.md. */
export interface HistoryRow {
  migrationId: string;
  name: string;
  checksum: string;
  /** Which script status and statementsDone describe: the up script (apply) or the down script (revert). */
  direction: RunDirection;
  status: HistoryStatus;
  attempt: number;
  statementsTotal: number;
  /** Statements of `direction`'s script that really committed. */
  statementsDone: number;
  runId: string;
  correlationId: string;
  appliedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  executionMs: number | null;
  migratrixVersion: string;
}

/** migratrix_history bound to one session and target. */
export interface HistoryTable {
  read(migrationId: string): Promise<HistoryRow | null>;
  /** Every row, ordered by started_at then migration_id. */
  list(): Promise<HistoryRow[]>;
  insert(row: HistoryRow): Promise<void>;
  update(row: HistoryRow): Promise<void>;
}

export interface HistorySupport {
  /** Creates the table when `create` (default true); with `create: false` a missing table gives null. */
  open(session: Session, target: Target, opts?: { create?: boolean }): Promise<HistoryTable | null>;
}

/** What the runner needs from an engine beyond executing statements. */
export interface MigrateSupport {
  target(session: Session): Promise<Target>;
  /**
   * Takes the per-target lock, waiting up to timeoutMs (0: do not wait). Resolves false when another
   * session holds it; throws a MigratrixError for anything else.
   */
  lock(session: Session, opts: { key: string; timeoutMs: number }): Promise<boolean>;
  unlock(session: Session, opts: { key: string }): Promise<void>;
  /**
   * True where the lock is itself an open write transaction (SQLite BEGIN IMMEDIATE): the runner then
   * nests segments as savepoints and must release and retake the lock around own-segment statements.
   */
  lockIsTransaction: boolean;
  transaction: {
    begin(session: Session): Promise<void>;
    commit(session: Session): Promise<void>;
    rollback(session: Session): Promise<void>;
  };
  history: HistorySupport;
}

export interface EngineErrors {
  /** Native driver error → MigratrixError keeping the native code; `sql` lets it place a position. */
  toMigratrixError(e: unknown, ctx?: { sql?: string }): MigratrixError;
}

export interface EngineAdapter {
  id: EngineId;
  capabilities: Capabilities;
  dialect: Dialect;
  driver: Driver;
  inspector: Inspector;
  migrate: MigrateSupport;
  errors: EngineErrors;
}
