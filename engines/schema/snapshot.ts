// The engine-neutral schema snapshot: what introspection produces, what compare and sync consume.
// Versioned JSON: a reader refuses versions it does not know; later issues add object kinds
// (views, constraints, functions) as new optional arrays under a new version number.
import { MigratrixError } from "../../common/errors.ts";
import type { EngineId } from "../types.ts";

export const SNAPSHOT_VERSION = 1;

export interface ColumnSnapshot {
  name: string;
  /** Engine-native type as the server prints it: "character varying(20)", "int(11)", "TEXT". */
  type: string;
  nullable: boolean;
  /** Engine-native default expression, null when none. */
  default: string | null;
  /** 1-based, dense (dropped columns leave no gap) so snapshots of equal tables are equal. */
  ordinal: number;
  /** Identity column (PostgreSQL GENERATED ... AS IDENTITY); read with `objects: true`. */
  identity?: "always" | "by default";
  /** Stored generated column: its expression (PostgreSQL GENERATED ALWAYS AS); read with `objects: true`. */
  generated?: string;
  // The fields below are read with `objects: true`, and only where they differ from "nothing special".
  /** Generated column that is computed on read, not stored (MySQL/MariaDB VIRTUAL, SQLite VIRTUAL). */
  virtual?: true;
  /** Collation, only when it is not the type's (PostgreSQL) or the table's (MySQL) default: "C", "utf8mb4_bin". */
  collation?: string;
  /** Character set, only when it is not the table's (MySQL/MariaDB). */
  charset?: string;
  comment?: string;
  /** MySQL/MariaDB AUTO_INCREMENT, SQLite INTEGER PRIMARY KEY AUTOINCREMENT. */
  autoIncrement?: true;
  /** MySQL/MariaDB ON UPDATE expression, e.g. "current_timestamp()". */
  onUpdate?: string;
}

export interface PrimaryKeySnapshot {
  /** Present only where users can name it (PostgreSQL constraints). */
  name?: string;
  columns: string[];
}

export interface IndexSnapshot {
  name: string;
  /** Key columns in index order; an expression key is its text, e.g. "lower(email)". */
  columns: string[];
  unique: boolean;
  /** Set (true) only on the index that backs the primary key. */
  primary?: true;
  /** The engine's DDL that re-creates it; read with `objects: true`. */
  definition?: string;
  /** Set (true) when a constraint (primary key, unique, exclusion) owns the index. */
  constraint?: true;
  // The fields below are read with `objects: true`; they say in parts what `definition` says whole.
  /** Access method when not the engine's default: "gin", "hash" (PostgreSQL); "FULLTEXT", "SPATIAL", "HASH" (MySQL). */
  method?: string;
  /** Partial index predicate, without WHERE: "(deleted_at IS NULL)". */
  where?: string;
  /** Non-key columns carried in the index (PostgreSQL INCLUDE). */
  include?: string[];
  /** Per key column, in `columns` order: true where it sorts descending; present only when one does. */
  descending?: boolean[];
  /** Per key column, in `columns` order: the prefix length (MySQL) or null; present only when one has one. */
  lengths?: (number | null)[];
  comment?: string;
}

export type ConstraintKind = "primary" | "unique" | "check" | "foreign" | "exclusion";

/** A table constraint; read with `objects: true`. */
export interface ConstraintSnapshot {
  name: string;
  kind: ConstraintKind;
  /** What follows `ADD CONSTRAINT name`, as the engine prints it: "CHECK ((qty > 0))". */
  definition: string;
  /** Foreign keys: the referenced table, "schema.table". */
  references?: string;
  /** Foreign keys (MySQL, SQLite): the referencing columns, the referenced columns and the actions. */
  columns?: string[];
  referencedColumns?: string[];
  onDelete?: string;
  onUpdate?: string;
  /** A check declared on one column rather than on the table (MariaDB keeps the difference): that column. */
  column?: string;
}

export type SchemaObjectKind =
  | "view"
  | "materialized_view"
  | "sequence"
  | "function"
  | "procedure"
  | "trigger"
  | "type";

/** A schema object other than a table, kept as the DDL that re-creates it; read with `objects: true`. */
export interface SchemaObjectSnapshot {
  kind: SchemaObjectKind;
  schema: string;
  name: string;
  /** Routines: identity argument types, "integer, text"; tells overloads apart. */
  signature?: string;
  /** Triggers: the table they are on. */
  table?: string;
  /** Sequences: the column that owns them (serial), "table.column". */
  ownedBy?: string;
  /** Views: the tables and views they read, "schema.name", sorted. */
  dependsOn?: string[];
  /** Types: which kind of type (PostgreSQL), so a diff can compare them in parts. */
  typeKind?: "enum" | "composite" | "domain" | "range";
  /** Enum types: the labels in their sort order. */
  enumLabels?: string[];
  /** Composite types: `name type` per attribute, in order. Domains: the base type is `baseType`. */
  attributes?: string[];
  baseType?: string;
  /** Materialized views: their indexes. */
  indexes?: IndexSnapshot[];
  comment?: string;
  /** A complete statement that re-creates the object, without terminator. */
  definition: string;
}

export interface TableSnapshot {
  /** PostgreSQL schema, MySQL database, SQLite "main" (or an attached database's name). */
  schema: string;
  name: string;
  columns: ColumnSnapshot[];
  primaryKey: PrimaryKeySnapshot | null;
  indexes: IndexSnapshot[];
  constraints?: ConstraintSnapshot[];
  // The fields below are read with `objects: true`.
  comment?: string;
  /** Partitioned table (PostgreSQL): the key as the server prints it, "RANGE (created_at)". */
  partitionKey?: string;
  /** A partition (PostgreSQL): its parent "schema.table" and bound "FOR VALUES FROM (…) TO (…)". */
  partitionOf?: { parent: string; bound: string };
  /**
   * Engine-specific table options: MySQL "engine", "charset", "collation" (always) and "row_format"
   * (when set); SQLite "without_rowid", "strict" ("true", only when set).
   */
  options?: Record<string, string>;
  /** SQLite: the CREATE TABLE statement as stored in sqlite_schema (the reference the engine keeps). */
  definition?: string;
}

export interface SchemaInfo {
  name: string;
  /** Read with `objects: true`. */
  comment?: string;
}

/** An installed extension (PostgreSQL); read with `objects: true`. */
export interface ExtensionSnapshot {
  name: string;
  /** The schema its objects live in. */
  schema: string;
  /** Installed version; a diff may treat it as noise. */
  version: string;
}

export interface SchemaSnapshot {
  version: typeof SNAPSHOT_VERSION;
  engine: EngineId;
  serverVersion: string;
  /** ISO-8601; optional so two captures of the same schema compare equal without it. */
  capturedAt?: string;
  schemas: SchemaInfo[];
  tables: TableSnapshot[];
  /** Views, sequences, routines, triggers and types; present only when read with `objects: true`. */
  objects?: SchemaObjectSnapshot[];
  /** Extensions (PostgreSQL); present only when read with `objects: true`. */
  extensions?: ExtensionSnapshot[];
  /** Cross-engine compare: this snapshot is another engine's schema rewritten in `engine`'s terms. */
  translatedFrom?: EngineId;
}

/** Code-unit order, not locale order: the same on every machine. */
function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Objects after the ones they name in dependsOn (views on views); a cycle is broken where it closes. */
export function inDependencyOrder(objects: readonly SchemaObjectSnapshot[]): SchemaObjectSnapshot[] {
  const byId = new Map(objects.map((o) => [`${o.schema}.${o.name}`, o]));
  const done = new Set<string>();
  const out: SchemaObjectSnapshot[] = [];
  const visit = (o: SchemaObjectSnapshot, path: Set<string>) => {
    const id = `${o.schema}.${o.name}`;
    if (done.has(id) || path.has(id)) return;
    path.add(id);
    for (const dep of o.dependsOn ?? []) {
      const next = byId.get(dep);
      if (next) visit(next, path);
    }
    done.add(id);
    out.push(o);
  };
  for (const o of objects) visit(o, new Set());
  return out;
}

/** Puts a snapshot in its canonical order and renumbers ordinals, so equal schemas serialise equally. */
export function normalizeSnapshot(s: SchemaSnapshot): SchemaSnapshot {
  const tables = s.tables
    .map((t) => ({
      ...t,
      columns: [...t.columns]
        .sort((a, b) => a.ordinal - b.ordinal || byString(a.name, b.name))
        .map((c, i) => ({ ...c, ordinal: i + 1 })),
      indexes: [...t.indexes].sort((a, b) => byString(a.name, b.name)),
      ...(t.constraints ? { constraints: [...t.constraints].sort((a, b) => byString(a.name, b.name)) } : {}),
    }))
    .sort((a, b) => byString(a.schema, b.schema) || byString(a.name, b.name));
  const schemas = [...s.schemas].sort((a, b) => byString(a.name, b.name));
  const extensions = s.extensions ? { extensions: [...s.extensions].sort((a, b) => byString(a.name, b.name)) } : {};
  if (!s.objects) return { ...s, schemas, tables, ...extensions };
  const objects = [...s.objects].sort(
    (a, b) =>
      byString(a.kind, b.kind) ||
      byString(a.schema, b.schema) ||
      byString(a.name, b.name) ||
      byString(a.signature ?? "", b.signature ?? "") ||
      byString(a.table ?? "", b.table ?? ""),
  );
  return { ...s, schemas, tables, objects, ...extensions };
}

/** Stable JSON text of a snapshot (canonical order, two-space indent). */
export function snapshotToJson(s: SchemaSnapshot): string {
  return JSON.stringify(normalizeSnapshot(s), null, 2);
}

/** Parses snapshot JSON, refusing versions this build does not understand. */
export function snapshotFromJson(text: string): SchemaSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MigratrixError("invalid_argument", `schema snapshot is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || !("version" in value)) {
    throw new MigratrixError("invalid_argument", "schema snapshot has no version field");
  }
  if (value.version !== SNAPSHOT_VERSION) {
    throw new MigratrixError(
      "unimplemented",
      `schema snapshot version ${String(value.version)} is not supported by this build (knows ${SNAPSHOT_VERSION})`,
    );
  }
  const v = value as Partial<SchemaSnapshot>;
  if (typeof v.engine !== "string" || !Array.isArray(v.schemas) || !Array.isArray(v.tables)) {
    throw new MigratrixError("invalid_argument", "schema snapshot lacks engine, schemas or tables");
  }
  return value as SchemaSnapshot;
}
