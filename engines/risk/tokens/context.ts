// What the token-level rules (MySQL/MariaDB, SQLite) see: the statement read from its tokens, and what the script did before it.
import type { SchemaSnapshot } from "../../schema/index.ts";
import type { CheckId } from "../catalog.ts";
import type { RiskLevel } from "../model.ts";
import type { Tok } from "./lex.ts";
import type { Stmt } from "./model.ts";

export interface ColumnFact {
  /** Type as written, lower case ("varchar(100)", "enum('a','b')"). */
  type: string;
  notNull: boolean;
  /** Part of the primary key. */
  primary?: boolean;
}

export interface IndexFact {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
}

export interface TokenScript {
  schema: SchemaSnapshot | undefined;
  /** Tables created by this script (lower-case name), with whether they have a primary key. */
  created: Map<string, { pk: boolean; statement: number; offset: number; name: string }>;
  /** Columns per table (lower-case names), from the schema and the script so far. */
  columns: Map<string, Map<string, ColumnFact>>;
  views: Set<string>;
  indexes: IndexFact[];
  fks: Array<{ table: string; columns: string[]; statement: number; offset: number }>;
  lockTimeout: boolean;
  statementTimeout: boolean;
  reported: Set<CheckId>;
  /** START TRANSACTION / BEGIN seen and not ended. */
  explicitTxn: boolean;
  /** Where the open explicit transaction began. */
  txnStart?: { statement: number; offset: number };
  /** Tables with row locks (or LOCK TABLES … WRITE) held until COMMIT/UNLOCK, with what took them. */
  held: Map<string, string>;
  sawDdl: boolean;
  sawDml: boolean;
  alters: Map<string, number>;
  /**
   * SQLite table rebuilds (CREATE new, copy, DROP old, RENAME new TO old), found before the rules run:
   * old table name → the new table's name and whether rows are copied from the old one.
   */
  rebuilds: Map<string, { via: string; copied: boolean; renameStatement: number }>;
  /** The migration runs outside a transaction (-- migratrix:no-transaction). */
  noTransaction: boolean;
  /** Columns of a rebuilt table as they were when it was dropped, to compare with its replacement. */
  beforeRebuild: Map<string, Map<string, ColumnFact>>;
}

export interface Report {
  message: string;
  hint: string;
  level?: RiskLevel;
  subject?: string[];
  /** File offset; default the statement's start. */
  at?: number;
}

/**
 * What an engine's token preparation (SQL Server, Oracle, ClickHouse) saw and took out of the
 * statement before the shared reader read it: clauses the reader does not know.
 */
export interface DialectNotes {
  /** DELETE/UPDATE TOP (n) at this offset (SQL Server). */
  top?: number;
  /** CREATE INDEX … ONLINE / WITH (ONLINE = ON). */
  online?: boolean;
  /** DROP … PURGE (Oracle): no recycle bin. */
  purge?: boolean;
  /** CASCADE [CONSTRAINTS] at this offset (Oracle). */
  cascade?: number;
  /** Behind an existence test (IF OBJECT_ID(…) IS NULL …, IF NOT EXISTS (…) …): re-runnable. */
  guarded?: boolean;
  /** Parts rewritten in the background (ClickHouse mutations), with how heavy. */
  mutations?: Array<{ what: string; pos: number; heavy: boolean }>;
  /** CREATE TABLE … ENGINE = (ClickHouse). */
  tableEngine?: { name: string; pos: number; orderBy: boolean; emptyOrder: boolean };
  /** Code the reader does not look into (EXEC, PL/SQL blocks), and whether it builds SQL at run time. */
  opaque?: { what: string; pos: number; dynamic: boolean };
  /** DROP/TRUNCATE/DETACH PARTITION at this offset. */
  dropPartition?: { what: string; pos: number };
  /** A constraint switched off (NOCHECK CONSTRAINT, DISABLE CONSTRAINT). */
  disabledConstraint?: { name: string; pos: number };
  /** SELECT TOP n / FETCH FIRST: the result is bounded. */
  bounded?: boolean;
}

export interface TokenCtx {
  engine: "mysql" | "mariadb" | "sqlite" | "sqlserver" | "oracle" | "clickhouse";
  index: number;
  stmt: Stmt;
  toks: readonly Tok[];
  /** The migration runs outside a transaction (-- migratrix:no-transaction). */
  noTransaction: boolean;
  /** File offset of the statement's first character. */
  start: number;
  text: string;
  script: TokenScript;
  report(check: CheckId, r: Report): void;
  /** The table existed before this script (not created by an earlier statement of it). */
  existing(table: string): boolean;
  /** What the engine's token preparation took out of the statement (SQL Server, Oracle, ClickHouse). */
  notes: DialectNotes;
}

export interface FinishCtx {
  script: TokenScript;
  reportAt(statement: number, offset: number, check: CheckId, r: Report): void;
}

export interface TokenRule {
  statement?(ctx: TokenCtx): void;
  finish?(ctx: FinishCtx): void;
}

export const key = (name: string): string => name.toLowerCase();

export function createScript(schema: SchemaSnapshot | undefined, noTransaction = false): TokenScript {
  const columns = new Map<string, Map<string, ColumnFact>>();
  const indexes: IndexFact[] = [];
  for (const t of schema?.tables ?? []) {
    columns.set(
      key(t.name),
      new Map(
        t.columns.map((c) => [
          key(c.name),
          {
            type: c.type.toLowerCase(),
            notNull: !c.nullable,
            primary: t.primaryKey?.columns.includes(c.name) === true,
          },
        ]),
      ),
    );
    for (const i of t.indexes)
      indexes.push({ name: i.name, table: key(t.name), columns: i.columns.map(key), unique: i.unique });
    if (t.primaryKey !== null)
      indexes.push({ name: "PRIMARY", table: key(t.name), columns: t.primaryKey.columns.map(key), unique: true });
  }
  return {
    schema,
    created: new Map(),
    columns,
    views: new Set(),
    indexes,
    fks: [],
    lockTimeout: false,
    statementTimeout: false,
    reported: new Set(),
    explicitTxn: false,
    held: new Map(),
    sawDdl: false,
    sawDml: false,
    alters: new Map(),
    rebuilds: new Map(),
    noTransaction,
    beforeRebuild: new Map(),
  };
}
