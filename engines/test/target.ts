// What one engine brings to the shared conformance suite: how to make a fresh database, and its
// engine-specific expectations written as data (so the suite itself has no engine switch).
import type { ErrorCode } from "../../common/errors.ts";
import type { EngineAdapter } from "../adapter.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";

/** A column of an expected snapshot, in one line. */
export const col = (name: string, type: string, nullable: boolean, dflt: string | null, ordinal: number) => ({
  name,
  type,
  nullable,
  default: dflt,
  ordinal,
});

export interface FreshDatabase {
  url: string;
  /** Name as the server reports it (the runner's target.database). */
  database: string;
  drop(): Promise<void>;
}

export interface ConnectErrorCase {
  name: string;
  url: string;
  connectTimeoutMs?: number;
  code: ErrorCode;
  /** Exact text ({port}, {silentPort}, {db} filled in), or a pattern where the server's wording varies. */
  message: string | RegExp;
}

export interface StatementErrorExpectation {
  code: ErrorCode;
  nativeCode: string;
  message: string;
  line: number;
  column: number;
}

export interface ConformanceTarget {
  engine: EngineAdapter;
  create(): Promise<FreshDatabase>;
  /** A password put in the error-case URLs: it must appear in no message. */
  secret: string;
  /** Error cases; `url` may use {port} (a closed port), {silentPort} (accepts, never answers), {db}. */
  connectErrors: ConnectErrorCase[];
  /** serverVersion() must match. */
  serverVersion: RegExp;
  /** 1-based placeholder syntax of Session.query. */
  placeholder(i: number): string;
  /** A type holding 64-bit integers exactly. */
  bigintType: string;
  fixture: { sql: string; expected(serverVersion: string, database: string): SchemaSnapshot };
  /** What one table created by the runner tests looks like: `CREATE TABLE <name> (id INTEGER PRIMARY KEY, v VARCHAR(20))`. */
  runnerTable(name: string, database: string): SchemaSnapshot["tables"][number];
  /** The error the runner reports for `failingStatement` as statement 3 on line 5 of the file ({db}: the database). */
  failingStatement: { sql: string; error: StatementErrorExpectation };
  /** True where a failed migration leaves the database as it was (transactional DDL). */
  ddlRollsBack: boolean;
  /** A statement that must run outside a transaction, or null with the reason there is none. */
  ownSegment: { sql: string; check(database: string): string } | { none: string };
}
