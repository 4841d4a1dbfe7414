// The schema diff's data model: changes grouped by object, the noise filters, and what an engine
// supplies to turn changes into a sync script (SyncRenderer, in engines/<engine>/ddl.ts).
import type { RiskReport } from "../risk/model.ts";
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  ExtensionSnapshot,
  IndexSnapshot,
  PrimaryKeySnapshot,
  SchemaInfo,
  SchemaObjectKind,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import type { EngineId } from "../types.ts";
import type { TranslationNote } from "./translate.ts";

/** Noise filters, all on by default; each can be switched off by name. */
export const NOISE_FILTERS = [
  /** Constraints and indexes are matched by definition, not by (often generated) name. */
  "generated-names",
  /** Whitespace and comments inside view, routine and trigger bodies do not count. */
  "whitespace",
  /** Column order does not count. */
  "column-order",
  /** Column collations do not count. */
  "collation",
  /** Sequence start values (auto-increment counters) do not count. */
  "auto-increment",
] as const;
export type NoiseFilter = (typeof NOISE_FILTERS)[number];

export type ChangeAction = "added" | "dropped" | "changed" | "renamed";

export interface FieldChange {
  field: string;
  /** The target's value (what is there now); null when absent. */
  before: unknown;
  /** The source's value (what the sync makes it); null when absent. */
  after: unknown;
}

interface ChangeOf<K extends string, T> {
  kind: K;
  action: ChangeAction;
  schema: string;
  /** Table parts and triggers: the table they belong to. */
  table?: string;
  name: string;
  /** Routines: identity argument types. */
  signature?: string;
  /** Renamed: the name in the target. */
  from?: string;
  /** Changed or renamed: what differs, target value → source value. */
  fields: FieldChange[];
  /** The object as the source has it (added, changed, renamed). */
  source?: T;
  /** The object as the target has it (dropped, changed, renamed). */
  target?: T;
}

export type Change =
  | ChangeOf<"schema", SchemaInfo>
  | ChangeOf<"extension", ExtensionSnapshot>
  | ChangeOf<"table", TableSnapshot>
  | ChangeOf<"column", ColumnSnapshot>
  | ChangeOf<"primary_key", PrimaryKeySnapshot>
  | ChangeOf<"index", IndexSnapshot>
  | ChangeOf<"constraint", ConstraintSnapshot>
  | ChangeOf<SchemaObjectKind, SchemaObjectSnapshot>;

export type ChangeKind = Change["kind"];

/** Every kind of object a diff reports; the round-trip corpus must cover each. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  "schema",
  "extension",
  "table",
  "column",
  "primary_key",
  "index",
  "constraint",
  "view",
  "materialized_view",
  "sequence",
  "function",
  "procedure",
  "trigger",
  "type",
];

/** An explicit rename: the target's object `from` is the source's `to` (schema.table or schema.table.column). */
export interface RenameHint {
  from: string;
  to: string;
}

export interface DiffOptions {
  /** Filters to switch off (all are on by default). */
  noFilter?: NoiseFilter[];
  /** Globs on "schema.name" (tables, views, routines …; "*" and "?"); when given, only matches count. */
  include?: string[];
  exclude?: string[];
  renames?: RenameHint[];
}

export interface SchemaDiff {
  sourceEngine: EngineId;
  targetEngine: EngineId;
  /** Filters that were on. */
  filters: NoiseFilter[];
  changes: Change[];
  /** Cross-engine: what the target engine cannot hold as the source has it, and what was done instead. */
  notes?: TranslationNote[];
}

/** One statement of a sync script and where it sits. */
export interface SyncStatement {
  sql: string;
  /** Drops first (dependents before what they depend on), then creates and alters, then validations. */
  phase: "rename" | "drop" | "create" | "validate";
}

/** What the engine knows about one change's SQL; the planner orders the statements. */
export interface RenderContext {
  source: SchemaSnapshot;
  target: SchemaSnapshot;
  /** The change is a re-create the planner added (a view over a changed table), not part of the diff. */
  recreate?: boolean;
  /** Drops are allowed (engines that rebuild tables must not lose withheld columns). */
  allowDrop?: boolean;
}

export interface TimeoutOptions {
  /** SET lock_timeout; default "5s". */
  lockTimeout?: string;
  /** SET statement_timeout; default "0" (none) for scripts that build indexes, else as given. */
  statementTimeout?: string;
}

/** Dialect facts a sync script needs, one per engine (engines/<engine>/ddl.ts). */
export interface SyncRenderer {
  engine: EngineId;
  header(opts: Required<TimeoutOptions>): string[];
  statements(change: Change, ctx: RenderContext): SyncStatement[];
  /** Joins statements into a script; default: each ended by ";" (MySQL bodies need DELIMITER). */
  script?(statements: string[]): string;
  /** Changes this engine cannot express as DDL (the plan lists them instead of guessing). */
  unsupported?(change: Change, ctx: RenderContext): string | null;
  /**
   * Where this renderer wraps statements in guards the risk analyser cannot see into (MySQL 8's
   * prepared statements), the renderer of the same plan without them, which risk assessment reads.
   */
  analysed?: SyncRenderer;
}

export interface SyncOptions extends TimeoutOptions {
  /** Emit drops for what only the target has; without it they are listed as withheld. */
  allowDrop?: boolean;
}

export interface SyncPlan {
  engine: EngineId;
  /** The up script: statements joined with ";\n", header first. */
  sql: string;
  statements: string[];
  /** The reverse sync (source ← target), with drops of what the up script creates. */
  down: string;
  /** Drops left out because allowDrop was off, as "kind schema.name". */
  withheld: string[];
  /** Changes the engine cannot express, with the reason; the script leaves them out. */
  unsupported: string[];
  /** The same for the down script. */
  downUnsupported: string[];
  risk?: RiskReport;
}

export interface VerifyResult {
  verified: boolean;
  /** What still differs between the source and the target after the script ran on a scratch copy. */
  remaining: Change[];
  /** The scratch database's error, when the script failed there. */
  error?: string;
}
