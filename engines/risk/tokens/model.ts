// What the token-level reader makes of a statement: the facts the rules ask about, with positions.

import type { Name } from "./cursor.ts";
import type { Expr } from "./expr.ts";

export interface ColumnDef {
  name: string;
  pos: number;
  /** Lower-case base type as written ("int", "varchar", "double precision"); "" when missing. */
  type: string;
  typePos: number;
  /** Raw arguments of the type: ["255"], ["10", "2"], enum values unquoted. */
  typeArgs: string[];
  /** The type as written, normalised: "varchar(255)", "enum('a','b')", "int unsigned". */
  typeText: string;
  unsigned: boolean;
  notNull: boolean;
  /** NULL written explicitly. */
  nullable: boolean;
  default?: { kind: "literal" | "null" | "function" | "expression"; text: string; pos: number };
  autoIncrement: boolean;
  primary: boolean;
  unique: boolean;
  generated?: "virtual" | "stored";
  references?: { table: Name; onDeleteCascade: boolean; pos: number };
  check: boolean;
  charset?: { value: string; pos: number };
  collate?: { value: string; pos: number };
  position?: { kind: "FIRST" | "AFTER"; pos: number };
}

export interface KeyDef {
  kind: "primary" | "unique" | "index" | "fulltext" | "spatial" | "foreign" | "check";
  name?: string;
  columns: string[];
  /** Column parts with a prefix length or expression: (name(10)), ((lower(x))). */
  prefixed: boolean;
  pos: number;
  references?: { table: Name; onDeleteCascade: boolean; pos: number };
  notEnforced?: boolean;
  /** A partial index (… WHERE condition): it covers only some rows. */
  partial?: boolean;
}

export type AlterAction =
  | { op: "add-column"; col: ColumnDef; ifNotExists: boolean; pos: number }
  | { op: "add-key"; key: KeyDef; ifNotExists: boolean; pos: number }
  | { op: "drop-column"; name: string; ifExists: boolean; pos: number }
  | { op: "drop-key"; kind: "index" | "primary" | "foreign" | "check" | "constraint"; name: string; pos: number }
  | { op: "modify"; col: ColumnDef; pos: number }
  | { op: "change"; from: string; col: ColumnDef; pos: number }
  | { op: "rename-column"; from: string; to: string; pos: number }
  | { op: "rename-index"; pos: number }
  | { op: "rename-table"; to: Name; pos: number }
  | { op: "column-default"; name: string; pos: number }
  | { op: "algorithm"; value: string; pos: number }
  | { op: "lock"; value: string; pos: number }
  | { op: "engine"; value: string; pos: number }
  | { op: "convert-charset"; value: string; pos: number }
  | { op: "table-charset"; value: string; pos: number }
  | { op: "partition"; what: string; pos: number }
  | { op: "force"; pos: number }
  | { op: "option"; name: string; pos: number }
  | { op: "unknown"; word: string; pos: number };

export interface TableRef {
  name: Name;
  alias?: string;
}

export interface FromClause {
  /** Comma-separated items, each with its joined tables. */
  items: Array<{
    tables: TableRef[];
    subquery: boolean;
    joins: Array<{ on?: Expr; using: boolean; natural: boolean; cross: boolean; pos: number }>;
  }>;
}

export interface SelectFacts {
  pos: number;
  star?: number;
  /** Only aggregate calls in the select list (count(*), max(x)). */
  aggregatesOnly: boolean;
  from?: FromClause;
  where?: Expr;
  group: boolean;
  limit: boolean;
  into: boolean;
  orderByRand?: number;
  /** Nested SELECTs (subqueries, UNION branches, CTE bodies), each read the same way. */
  nested: SelectFacts[];
  /** Inside EXISTS (…): SELECT * reads no column there. */
  inExists: boolean;
}

export type Stmt =
  | {
      kind: "alter-table";
      table: Name;
      actions: AlterAction[];
      online: boolean;
      /** ALTER IGNORE TABLE (MariaDB): rows that break a new unique key are deleted. */
      ignore: boolean;
    }
  | {
      kind: "create-table";
      table: Name;
      temporary: boolean;
      ifNotExists: boolean;
      orReplace: boolean;
      columns: ColumnDef[];
      keys: KeyDef[];
      options: Array<{ name: string; value: string; pos: number }>;
      /** CREATE TABLE … LIKE / AS SELECT: columns come from elsewhere. */
      copied: boolean;
      select?: SelectFacts;
    }
  | {
      kind: "create-index";
      name: string;
      table: Name;
      key: KeyDef;
      algorithm?: { value: string; pos: number };
      lock?: { value: string; pos: number };
      ifNotExists: boolean;
    }
  | { kind: "drop"; what: string; names: Name[]; ifExists: boolean; cascade: boolean; on?: Name; temporary: boolean }
  | { kind: "rename-table"; pairs: Array<{ from: Name; to: Name }> }
  | { kind: "truncate"; tables: Name[] }
  | {
      kind: "delete";
      /** Tables rows are deleted from. */
      targets: TableRef[];
      from?: FromClause;
      where?: Expr;
      orderBy: boolean;
      limit?: number;
      returning: boolean;
    }
  | {
      kind: "update";
      from: FromClause;
      targets: TableRef[];
      sets: Array<{ column: string[]; pos: number; value?: Expr }>;
      where?: Expr;
      orderBy: boolean;
      limit?: number;
    }
  | {
      kind: "insert";
      table: Name;
      columns: Array<{ name: string; pos: number }>;
      hasColumnList: boolean;
      select?: SelectFacts;
      replace: boolean;
    }
  | { kind: "select"; select: SelectFacts }
  | { kind: "set"; vars: Array<{ name: string; value: string; pos: number }> }
  | { kind: "txn"; verb: "begin" | "commit" | "rollback" | "savepoint"; pos: number }
  | { kind: "lock-tables"; write: Name[] }
  | { kind: "unlock-tables" }
  | { kind: "routine"; what: string; name?: Name; dynamic: number | undefined }
  | { kind: "view"; name: Name; select?: SelectFacts }
  | { kind: "prepare" | "execute"; pos: number }
  | { kind: "rebuild"; verb: string; tables: Name[] }
  | { kind: "other"; first: string };
