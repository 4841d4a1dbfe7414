// The contracts every engine implements and every caller (runner, agent, CLI, analyses) relies on.
// Small interfaces, composed into one EngineAdapter per engine (CONVENTIONS.md "Shape").

export const ENGINE_IDS = ["postgresql", "mysql", "mariadb", "sqlserver", "oracle", "clickhouse", "sqlite"] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

export interface Capabilities {
  /** DDL can run inside a transaction and be rolled back (PostgreSQL, SQLite; not MySQL). */
  transactionalDdl: boolean;
  /** Has namespaces inside a database (PostgreSQL schemas). */
  schemas: boolean;
  /** Has session-scoped named locks (pg_advisory_lock, GET_LOCK); SQLite uses its write lock. */
  advisoryLocks: boolean;
  /** Supports transactions at all (ClickHouse does not). */
  transactions: boolean;
}

/** 1-based line and column, 0-based offset into the original text. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Statement {
  /** 1-based index in the script. */
  index: number;
  /** The statement text without its terminator, exactly as written. */
  text: string;
  start: Position;
  /** Offset just past the statement's last character. */
  endOffset: number;
  /** Cannot run inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...): own segment. */
  ownSegment: boolean;
}

export type SqlProblemCode =
  | "unclosed_quote"
  | "unclosed_identifier"
  | "unclosed_comment"
  | "unclosed_dollar_quote"
  | "unclosed_block"
  | "bad_delimiter"
  /** The engine's parser refused the statement (analyses that parse, e.g. rollback generation). */
  | "syntax_error";

/** Parsers return problems as values; they never throw on bad SQL. */
export interface SqlProblem {
  code: SqlProblemCode;
  message: string;
  line: number;
  column: number;
}

export interface SplitResult {
  statements: Statement[];
  problems: SqlProblem[];
}

/** Where the text given to split sits in its file, so positions and messages name file lines. */
export interface SplitOptions {
  /** 1-based file line of the text's first character (a migration section's start line); default 1. */
  firstLine?: number;
  /**
   * Called with each statement as soon as it is complete, before the split returns, so a consumer
   * can start on the first statements of a long script while the rest is still being split.
   */
  onStatement?(statement: Statement): void;
  /**
   * Starts at a statement boundary found earlier (`offset` in the text, just past a statement or
   * at its ";"; positions stay relative to the whole text) and numbers the statements from
   * `index` (1-based): the rest of a script whose first statements were found by other means.
   */
  resume?: { offset: number; index: number };
}

/** Dialect facts: tiny pure functions (quoting, literals, splitting). */
export interface Dialect {
  quoteIdent(name: string): string;
  /** Renders a string literal safely for this dialect. */
  quoteLiteral(value: string): string;
  /** Offsets stay relative to `sql`; lines are shifted by `opts.firstLine`. */
  split(sql: string, opts?: SplitOptions): SplitResult;
}

export type Row = Record<string, unknown>;

/** One reserved connection: session locks and transactions live on it. */
export interface Session {
  /** Runs one statement with no parameters; returns rows affected where the engine tells. */
  exec(sql: string): Promise<{ rowsAffected: number }>;
  /** Runs one parameterised query (placeholders are the dialect's: $1 or ?). */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Server version string, e.g. "PostgreSQL 15.8". */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

export interface Driver {
  /** Opens one session from a URL; a bad URL or unreachable server throws a MigratrixError. */
  connect(url: string, opts?: { connectTimeoutMs?: number }): Promise<Session>;
}
