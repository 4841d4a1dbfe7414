// What the PostgreSQL rules see: the statement being checked and what the script did before it.
import type { Node } from "libpg-query";
import type { SchemaSnapshot } from "../../schema/index.ts";
import type { CheckId } from "../catalog.ts";
import type { RiskLevel } from "../model.ts";
import type { NodeKey, NodeOf } from "./ast.ts";

export interface IndexFact {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
}

export interface FkFact {
  table: string;
  columns: string[];
  statement: number;
  offset: number;
}

/** What the script has done up to the statement being checked. Updated after all rules ran on it. */
export interface ScriptState {
  schema: SchemaSnapshot | undefined;
  /** Tables created in this script, with whether they have a primary key and where they were made. */
  created: Map<string, { pk: boolean; statement: number; offset: number }>;
  /** Columns of every table known so far (schema plus script effects). */
  columns: Map<string, Set<string>>;
  /** Old column types from the schema, for safe widenings. */
  columnTypes: Map<string, string>;
  views: Map<string, Set<string>>;
  /** Indexes by table and leading column (leadKey): the lookups ask for a prefix, so this stays linear. */
  indexes: Map<string, IndexFact[]>;
  createdIndexes: Set<string>;
  fks: FkFact[];
  fkNames: Set<string>;
  types: Set<string>;
  /** "table.column" that a validated CHECK (column IS NOT NULL) covers, so SET NOT NULL skips its scan. */
  notNullChecks: Set<string>;
  /** NOT VALID CHECK (column IS NOT NULL) constraints by name, until validated. */
  notValidNotNull: Map<string, string>;
  lockTimeout: boolean;
  statementTimeout: boolean;
  reported: Set<CheckId>;
  explicitTxn: boolean;
  /** Tables write-locked in the runner's current transaction, with what took the lock. */
  held: Map<string, string>;
  sawDdl: boolean;
  sawDml: boolean;
  alters: Map<string, number>;
}

export function createScriptState(schema: SchemaSnapshot | undefined): ScriptState {
  const columns = new Map<string, Set<string>>();
  const columnTypes = new Map<string, string>();
  const indexes = new Map<string, IndexFact[]>();
  for (const t of schema?.tables ?? []) {
    columns.set(t.name, new Set(t.columns.map((c) => c.name)));
    for (const c of t.columns) columnTypes.set(`${t.name}.${c.name}`, c.type);
    for (const i of t.indexes) {
      const fact = { name: i.name, table: t.name, columns: i.columns, unique: i.unique };
      const key = leadKey(t.name, i.columns[0] ?? "");
      indexes.set(key, [...(indexes.get(key) ?? []), fact]);
    }
  }
  return {
    schema,
    created: new Map(),
    columns,
    columnTypes,
    views: new Map(),
    indexes,
    createdIndexes: new Set(),
    fks: [],
    fkNames: new Set(),
    types: new Set(),
    notNullChecks: new Set(),
    notValidNotNull: new Map(),
    lockTimeout: false,
    statementTimeout: false,
    reported: new Set(),
    explicitTxn: false,
    held: new Map(),
    sawDdl: false,
    sawDml: false,
    alters: new Map(),
  };
}

export interface Report {
  message: string;
  hint: string;
  level?: RiskLevel;
  /** Names the application may use (dropped, renamed or changed table or column), for --app-dir. */
  subject?: string[];
  /** Byte offset in the parsed text (a node's `location`); default the statement's start. */
  location?: number | undefined;
}

export interface StmtCtx {
  /** 0-based statement index. */
  index: number;
  node: Node;
  type: string;
  text: string;
  /** The runner puts this statement alone, outside any transaction (CONCURRENTLY, VACUUM, …). */
  ownSegment: boolean;
  script: ScriptState;
  /** String offset in the file for a node location. */
  offsetOf(location: number | undefined): number;
  report(check: CheckId, r: Report): void;
  /** The table existed before this script (not created by an earlier statement of it). */
  existing(table: string): boolean;
}

export interface FinishCtx {
  script: ScriptState;
  /** Reports on an earlier statement, at a string offset in the file. */
  reportAt(statement: number, offset: number, check: CheckId, r: Omit<Report, "location">): void;
}

export function leadKey(table: string, column: string): string {
  return `${table}\u0000${column}`;
}

export function addIndex(s: ScriptState, fact: IndexFact): void {
  const key = leadKey(fact.table, fact.columns[0] ?? "");
  const list = s.indexes.get(key);
  if (list === undefined) s.indexes.set(key, [fact]);
  else list.push(fact);
}

/** Indexes of a table whose first key column is `column`. */
export function indexesLedBy(s: ScriptState, table: string, column: string): IndexFact[] {
  return s.indexes.get(leadKey(table, column)) ?? [];
}

export interface PgRule {
  statement?(ctx: StmtCtx): void;
  /** Called for every node of these types anywhere in the statement, with its nearest wrapped ancestor. */
  nodes?: { [K in NodeKey]?: (value: NodeOf<K>, ctx: StmtCtx, parentType: string, parent: unknown) => void };
  finish?(ctx: FinishCtx): void;
}
