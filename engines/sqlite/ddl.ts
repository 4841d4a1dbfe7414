// SQLite DDL from a schema snapshot. SQLite keeps each object's CREATE statement as written, and
// so does the snapshot (`definition`, read with `objects: true`): that text is rendered as is,
// which is what `sqlite3 .schema` prints. Where a snapshot has no definition (it was built or
// changed by a diff), the statement is built from the structured fields instead.

import { inDependencyOrder } from "../schema/index.ts";
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  IndexSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import { sqliteDialect } from "./dialect.ts";

const q = sqliteDialect.quoteIdent;

function columnDef(c: ColumnSnapshot, t: TableSnapshot, inlinePk: boolean): string {
  const parts = [q(c.name)];
  if (c.type !== "") parts.push(c.type);
  if (inlinePk) parts.push(`PRIMARY KEY${c.autoIncrement ? " AUTOINCREMENT" : ""}`);
  if (!c.nullable && !inlinePk) parts.push("NOT NULL");
  if (c.default !== null) parts.push(`DEFAULT ${c.default}`);
  if (c.collation !== undefined) parts.push(`COLLATE ${c.collation}`);
  if (c.generated !== undefined) parts.push(`GENERATED ALWAYS AS (${c.generated}) ${c.virtual ? "VIRTUAL" : "STORED"}`);
  for (const k of t.constraints ?? []) {
    if (k.kind === "check" && k.column === c.name) parts.push(`CONSTRAINT ${q(k.name)} ${k.definition}`);
  }
  return parts.join(" ");
}

/** CREATE TABLE from columns and constraints (when the snapshot has no stored definition). */
export function buildCreateTable(t: TableSnapshot): string {
  const pk = t.primaryKey?.columns ?? [];
  const pkColumn = pk.length === 1 ? t.columns.find((c) => c.name === pk[0]) : undefined;
  // AUTOINCREMENT exists only on a column declared INTEGER PRIMARY KEY.
  const inline = pkColumn?.autoIncrement ? pkColumn.name : undefined;
  const lines = [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((c) => columnDef(c, t, c.name === inline));
  if (pk.length > 0 && inline === undefined) lines.push(`PRIMARY KEY (${pk.map(q).join(", ")})`);
  const constraints: ConstraintSnapshot[] = t.constraints ?? [];
  for (const k of constraints) {
    if (k.kind === "unique") lines.push(k.definition);
    else if (k.kind === "check" && k.column === undefined) lines.push(`CONSTRAINT ${q(k.name)} ${k.definition}`);
    else if (k.kind === "foreign") lines.push(`CONSTRAINT ${q(k.name)} ${k.definition}`);
  }
  const options = [
    ...(t.options?.without_rowid === "true" ? ["WITHOUT ROWID"] : []),
    ...(t.options?.strict === "true" ? ["STRICT"] : []),
  ];
  return `CREATE TABLE ${q(t.name)} (\n  ${lines.join(",\n  ")}\n)${options.length > 0 ? ` ${options.join(", ")}` : ""}`;
}

export function buildCreateIndex(t: TableSnapshot, ix: IndexSnapshot): string {
  const keys = ix.columns.map((c, i) => {
    const key = /^[A-Za-z_][A-Za-z0-9_$]*$/.test(c) || t.columns.some((k) => k.name === c) ? q(c) : c;
    return `${key}${ix.descending?.[i] ? " DESC" : ""}`;
  });
  const where = ix.where !== undefined ? ` WHERE ${ix.where}` : "";
  return `CREATE ${ix.unique ? "UNIQUE " : ""}INDEX ${q(ix.name)} ON ${q(t.name)} (${keys.join(", ")})${where}`;
}

/**
 * Statements that rebuild the snapshot in the main database, without terminators: tables (SQLite
 * checks foreign key targets only when rows change, so their order is free), the indexes that are
 * not a key's own, views by dependency, triggers.
 */
export function renderCreateStatements(s: SchemaSnapshot): string[] {
  const out: string[] = [];
  for (const t of s.tables) out.push(t.definition ?? buildCreateTable(t));
  for (const t of s.tables) {
    for (const ix of t.indexes) {
      if (ix.primary || ix.constraint || ix.name.startsWith("sqlite_autoindex_")) continue;
      out.push(ix.definition ?? buildCreateIndex(t, ix));
    }
  }
  const objects = s.objects ?? [];
  for (const v of inDependencyOrder(objects.filter((o) => o.kind === "view"))) out.push(v.definition);
  for (const o of objects) if (o.kind === "trigger") out.push(o.definition);
  return out;
}

/** The whole schema as one script, statements ended by ";". */
export function renderCreateDdl(s: SchemaSnapshot): string {
  return `${renderCreateStatements(s)
    .map((st) => `${st};`)
    .join("\n\n")}\n`;
}

// ---- sync (SQLite): what ALTER TABLE cannot do is done by rebuilding the table (create the new
// shape under a temporary name, copy the rows, drop, rename), the procedure SQLite documents.
// Every statement is safe to run twice: IF [NOT] EXISTS, and a rebuild of a table already in
// shape changes nothing. ----

type SyncChange = import("../diff/model.ts").Change;
type SyncContext = import("../diff/model.ts").RenderContext;
type SyncStatement = import("../diff/model.ts").SyncStatement;

const sCreate = (sql: string): SyncStatement => ({ sql, phase: "create" });
const sDrop = (sql: string): SyncStatement => ({ sql, phase: "drop" });
const REBUILD_PREFIX = "_mx_sync_";

function sqliteTable(s: SchemaSnapshot, name: string): TableSnapshot | undefined {
  return s.tables.find((t) => t.name === name);
}

/** The table's stored CREATE statement under another name (else built from its fields). */
function createTableAs(t: TableSnapshot, name: string): string {
  if (!t.definition) return buildCreateTable({ ...t, name });
  return t.definition.replace(
    /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|\S+?)(\s*\()/i,
    `CREATE TABLE ${q(name)}$2`,
  );
}

function ownIndexes(t: TableSnapshot): IndexSnapshot[] {
  return t.indexes.filter((ix) => !ix.primary && !ix.constraint && !ix.name.startsWith("sqlite_autoindex_"));
}

function createIndexIfMissing(t: TableSnapshot, ix: IndexSnapshot): string {
  return (ix.definition ?? buildCreateIndex(t, ix)).replace(
    /^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?/i,
    (_m, u: string | undefined) => `CREATE ${u ? "UNIQUE " : ""}INDEX IF NOT EXISTS `,
  );
}

/** Rebuilds `name` into the source's shape, keeping the rows of the columns both sides have. */
function rebuild(name: string, ctx: SyncContext): SyncStatement[] {
  const s = sqliteTable(ctx.source, name);
  const t = sqliteTable(ctx.target, name);
  if (!s || !t) return [];
  const tmp = `${REBUILD_PREFIX}${name}`;
  const kept = s.columns
    .filter((c) => c.generated === undefined && t.columns.some((x) => x.name === c.name))
    .map((c) => q(c.name));
  const out = [
    sCreate(`DROP TABLE IF EXISTS ${q(tmp)}`),
    sCreate(createTableAs(s, tmp)),
    sCreate(`INSERT INTO ${q(tmp)} (${kept.join(", ")}) SELECT ${kept.join(", ")} FROM ${q(name)}`),
    sCreate(`DROP TABLE ${q(name)}`),
    sCreate(`ALTER TABLE ${q(tmp)} RENAME TO ${q(name)}`),
  ];
  for (const ix of ownIndexes(s)) out.push(sCreate(createIndexIfMissing(s, ix)));
  for (const o of ctx.source.objects ?? []) {
    if (o.kind === "trigger" && o.table === name) out.push(sCreate(ifNotExists(o.definition)));
  }
  return out;
}

/** CREATE VIEW|TRIGGER … → CREATE VIEW|TRIGGER IF NOT EXISTS … */
function ifNotExists(definition: string): string {
  return definition.replace(
    /^CREATE\s+(TEMP\s+|TEMPORARY\s+)?(VIEW|TRIGGER)\s+(IF\s+NOT\s+EXISTS\s+)?/i,
    (_m, _t, w: string) => `CREATE ${w.toUpperCase()} IF NOT EXISTS `,
  );
}

function objectWord(kind: string): string | undefined {
  return kind === "view" ? "VIEW" : kind === "trigger" ? "TRIGGER" : undefined;
}

/** The sync renderer for SQLite. */
export const sqliteSyncRenderer: import("../diff/model.ts").SyncRenderer = {
  engine: "sqlite",
  header(): string[] {
    // A rebuild renames a table that views and triggers name: keep them as written meanwhile.
    return ["PRAGMA legacy_alter_table = ON"];
  },
  unsupported(ch: SyncChange, ctx: SyncContext): string | null {
    if (ch.action === "renamed")
      return `${ch.kind} ${ch.name}: renames are not idempotent in SQLite; not in the script`;
    if (!["schema", "table", "column", "primary_key", "constraint", "index", "view", "trigger"].includes(ch.kind)) {
      return `${ch.kind} ${ch.schema}.${ch.name}: not a SQLite object`;
    }
    // A rebuild would lose the columns only the target has: drop them (allowDrop) or keep the table.
    const t = ch.table !== undefined ? sqliteTable(ctx.target, ch.table) : undefined;
    const s = ch.table !== undefined ? sqliteTable(ctx.source, ch.table) : undefined;
    if (ch.kind !== "index" && ch.kind !== "trigger" && t && s && !ctx.allowDrop) {
      const lost = t.columns.filter((c) => !s.columns.some((x) => x.name === c.name)).map((c) => c.name);
      if (lost.length > 0 && ch.action !== "dropped") {
        return `table ${ch.table}: rebuilding it would drop columns ${lost.join(", ")}; needs --allow-drop`;
      }
    }
    return null;
  },
  statements(ch: SyncChange, ctx: SyncContext): SyncStatement[] {
    switch (ch.kind) {
      case "table":
        if (ch.action === "dropped") return ch.target ? [sDrop(`DROP TABLE IF EXISTS ${q(ch.target.name)}`)] : [];
        if (ch.action === "added" && ch.source) {
          return [
            sCreate(createTableAs(ch.source, ch.source.name).replace(/^CREATE TABLE /, "CREATE TABLE IF NOT EXISTS ")),
          ];
        }
        return [];
      case "column":
      case "primary_key":
      case "constraint":
        // A new table has them in its CREATE TABLE; an existing one is rebuilt.
        if (!sqliteTable(ctx.target, ch.table ?? "")) return [];
        if (!sqliteTable(ctx.source, ch.table ?? "")) return [];
        return rebuild(ch.table ?? "", ctx);
      case "index": {
        const { source: s, target: t } = ch;
        const out: SyncStatement[] = [];
        if (t && ch.action !== "added" && !t.name.startsWith("sqlite_autoindex_"))
          out.push(sDrop(`DROP INDEX IF EXISTS ${q(t.name)}`));
        const table = sqliteTable(ctx.source, ch.table ?? "");
        if (s && table && ch.action !== "dropped" && !s.name.startsWith("sqlite_autoindex_"))
          out.push(sCreate(createIndexIfMissing(table, s)));
        return out;
      }
      case "view":
      case "trigger": {
        const { source: s, target: t } = ch;
        const word = objectWord(ch.kind) ?? "";
        const out: SyncStatement[] = [];
        if (t || ch.action === "added") out.push(sDrop(`DROP ${word} IF EXISTS ${q(ch.name)}`));
        if (s && ch.action !== "dropped") out.push(sCreate(ifNotExists(s.definition)));
        return out;
      }
      default:
        return [];
    }
  },
};
