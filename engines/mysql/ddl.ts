// MySQL/MariaDB DDL from a schema snapshot read with `objects: true`: CREATE TABLE statements as
// SHOW CREATE TABLE prints them (so a rebuilt database shows the same), after the sequences (MariaDB)
// and before foreign keys (reference cycles need nothing special), routines, views by dependency
// and triggers.
// Objects go into the session's current database: a snapshot can be rebuilt under another name.

import { inDependencyOrder } from "../schema/index.ts";
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  IndexSnapshot,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import { mariadbDialect, mysqlDialect } from "./dialect.ts";

type Dialect = typeof mysqlDialect;

function dialectOf(s: SchemaSnapshot): Dialect {
  return s.engine === "mysql" ? mysqlDialect : mariadbDialect;
}

/** A MySQL 8 default that is SQL as it stands (a number, CURRENT_TIMESTAMP, an expression), not a string. */
const bareDefault = (v: string) =>
  /^-?\d+(\.\d+)?$/.test(v) || /^(CURRENT_TIMESTAMP|NULL)\b/i.test(v) || v.startsWith("(");

// MySQL 8 prints string defaults unquoted in information_schema; MariaDB prints SQL literals.
function defaultSql(c: ColumnSnapshot, d: Dialect, mysql: boolean): string {
  const v = c.default;
  if (v === null) return "";
  if (!mysql) return ` DEFAULT ${v}`;
  return ` DEFAULT ${bareDefault(v) ? v : d.quoteLiteral(v)}`;
}

export function columnDef(c: ColumnSnapshot, t: TableSnapshot, opts: { d: Dialect; mysql: boolean }): string {
  const { d } = opts;
  const parts = [`${d.quoteIdent(c.name)} ${c.type}`];
  if (c.charset !== undefined || c.collation !== undefined) {
    const charset = c.charset ?? t.options?.charset;
    if (charset) parts.push(`CHARACTER SET ${charset}`);
    if (c.collation) parts.push(`COLLATE ${c.collation}`);
  }
  if (c.generated !== undefined) {
    parts.push(`GENERATED ALWAYS AS (${c.generated}) ${c.virtual ? "VIRTUAL" : "STORED"}`);
  } else {
    if (!c.nullable) parts.push("NOT NULL");
    const dflt = defaultSql(c, d, opts.mysql);
    if (dflt) parts.push(dflt.trim());
    if (c.onUpdate !== undefined) parts.push(`ON UPDATE ${c.onUpdate}`);
    if (c.autoIncrement) parts.push("AUTO_INCREMENT");
  }
  if (c.comment !== undefined) parts.push(`COMMENT ${d.quoteLiteral(c.comment)}`);
  const check = (t.constraints ?? []).find((k) => k.kind === "check" && k.column === c.name);
  if (check) parts.push(check.definition);
  return parts.join(" ");
}

function keyParts(ix: IndexSnapshot, d: Dialect): string {
  return ix.columns
    .map((col, i) => {
      const name = col.startsWith("(") ? col : d.quoteIdent(col);
      const len = ix.lengths?.[i];
      return `${name}${len != null ? `(${len})` : ""}${ix.descending?.[i] ? " DESC" : ""}`;
    })
    .join(",");
}

export function indexDef(ix: IndexSnapshot, d: Dialect): string {
  if (ix.primary) return `PRIMARY KEY (${keyParts(ix, d)})`;
  const kind =
    ix.method === "FULLTEXT" ? "FULLTEXT " : ix.method === "SPATIAL" ? "SPATIAL " : ix.unique ? "UNIQUE " : "";
  const using = ix.method === "HASH" || ix.method === "RTREE" ? ` USING ${ix.method}` : "";
  const comment = ix.comment !== undefined ? ` COMMENT ${d.quoteLiteral(ix.comment)}` : "";
  return `${kind}KEY ${d.quoteIdent(ix.name)} (${keyParts(ix, d)})${using}${comment}`;
}

/** CREATE TABLE with columns, keys and table-level checks; foreign keys come from foreignKeySql. */
export function createTableSql(t: TableSnapshot, d: Dialect, mysql: boolean): string {
  const lines = [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((c) => columnDef(c, t, { d, mysql }));
  const primary = t.indexes.find((ix) => ix.primary);
  if (primary) lines.push(indexDef(primary, d));
  for (const ix of t.indexes) if (!ix.primary) lines.push(indexDef(ix, d));
  for (const c of t.constraints ?? []) {
    if (c.kind === "check" && c.column === undefined) lines.push(`CONSTRAINT ${d.quoteIdent(c.name)} ${c.definition}`);
  }
  const o = t.options ?? {};
  const options = [
    ...(o.engine ? [`ENGINE=${o.engine}`] : []),
    ...(o.charset ? [`DEFAULT CHARSET=${o.charset}`] : []),
    ...(o.collation ? [`COLLATE=${o.collation}`] : []),
    ...(o.row_format ? [`ROW_FORMAT=${o.row_format}`] : []),
    ...(t.comment !== undefined ? [`COMMENT=${d.quoteLiteral(t.comment)}`] : []),
  ];
  return `CREATE TABLE ${d.quoteIdent(t.name)} (\n  ${lines.join(",\n  ")}\n)${options.length > 0 ? ` ${options.join(" ")}` : ""}`;
}

export function foreignKeySql(t: TableSnapshot, fk: ConstraintSnapshot, d: Dialect): string {
  return `ALTER TABLE ${d.quoteIdent(t.name)} ADD CONSTRAINT ${d.quoteIdent(fk.name)} ${fk.definition}`;
}

/** MariaDB's string default 'a''b' (or 'a\\'b') as MySQL 8 prints it: a'b. */
function unquoted(v: string): string {
  if (!/^'.*'$/s.test(v)) return v;
  return v.slice(1, -1).replace(/''|\\(.)/gs, (m, c: string | undefined) => (m === "''" ? "'" : (c ?? "")));
}

/**
 * A snapshot of one MySQL-family engine in the other's conventions, so MariaDB compares with MySQL 8
 * by what differs: MySQL 8 prints string defaults unquoted and keeps no column level for checks;
 * MariaDB prints defaults as SQL literals.
 */
export function inMysqlFlavour(s: SchemaSnapshot, engine: "mysql" | "mariadb"): SchemaSnapshot {
  if (s.engine === engine) return s;
  const toMysql = engine === "mysql";
  const dflt = (v: string | null) =>
    v === null ? null : toMysql ? unquoted(v) : bareDefault(v) ? v : mariadbDialect.quoteLiteral(v);
  return {
    ...s,
    engine,
    tables: s.tables.map((t) => ({
      ...t,
      columns: t.columns.map((c) => ({ ...c, default: dflt(c.default) })),
      ...(t.constraints && toMysql ? { constraints: t.constraints.map(({ column: _level, ...k }) => k) } : {}),
    })),
  };
}

/** The statements that rebuild the snapshot in the current database, without terminators. */
export function renderCreateStatements(s: SchemaSnapshot): string[] {
  const d = dialectOf(s);
  const mysql = s.engine === "mysql";
  const objects = s.objects ?? [];
  const of = (kind: SchemaObjectSnapshot["kind"]) => objects.filter((o) => o.kind === kind);
  // Sequences first: a column default may take its next value.
  const out: string[] = of("sequence").map((o) => o.definition);
  for (const t of s.tables) out.push(createTableSql(t, d, mysql));
  for (const t of s.tables) {
    for (const fk of t.constraints ?? []) if (fk.kind === "foreign") out.push(foreignKeySql(t, fk, d));
  }
  for (const o of [...of("function"), ...of("procedure")]) out.push(o.definition);
  for (const v of inDependencyOrder(of("view"))) out.push(v.definition);
  for (const o of of("trigger")) out.push(o.definition);
  return out;
}

/**
 * The whole schema as one script. Routine and trigger bodies may hold ";", so the script switches
 * the terminator with DELIMITER as the mysql client and Migratrix's splitter read it.
 */
export function renderCreateDdl(s: SchemaSnapshot): string {
  return `DELIMITER $$\n${renderCreateStatements(s)
    .map((st) => `${st}$$`)
    .join("\n\n")}\nDELIMITER ;\n`;
}

// ---- sync: the statements one change needs, in the current database. The statements are shared by
// MariaDB and MySQL 8; only their idempotent forms differ (IdempotentDdl): MariaDB's IF [NOT] EXISTS
// and CREATE OR REPLACE here, MySQL 8's guards in ddl-mysql8.ts. ----

/** "5s", "500ms", "30min", "2h" or plain seconds → whole seconds (MariaDB's timeouts take seconds). */
export function seconds(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$/i.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const factor = unit === "ms" ? 0.001 : unit === "min" ? 60 : unit === "h" ? 3600 : 1;
  return Math.max(1, Math.ceil(n * factor));
}

type SyncChange = import("../diff/model.ts").Change;
type SyncContext = import("../diff/model.ts").RenderContext;
type SyncStatement = import("../diff/model.ts").SyncStatement;
type SyncRenderer = import("../diff/model.ts").SyncRenderer;

const mCreate = (sql: string): SyncStatement => ({ sql, phase: "create" });
const mDrop = (sql: string): SyncStatement => ({ sql, phase: "drop" });

/**
 * The idempotent form of each DDL operation a sync needs. Names come unquoted (the forms quote
 * them, and MySQL 8's guards also look them up in information_schema); `def` is a column definition.
 */
export interface IdempotentDdl {
  renameTable(from: string, to: string): string;
  addColumn(table: string, column: string, def: string): string;
  dropColumn(table: string, column: string): string;
  /** Renames `from` to the column `def` defines. */
  changeColumn(table: string, from: string, column: string, def: string): string;
  modifyColumn(table: string, column: string, def: string): string;
  dropForeignKey(table: string, name: string): string;
  dropCheck(table: string, name: string): string;
  /** A unique or primary ("PRIMARY") key, dropped as a key of its table. */
  dropKey(table: string, name: string): string;
  /** An index (or the index MySQL made for a foreign key), dropped on its own. */
  dropIndex(table: string, name: string): string;
  /** Makes the primary key exactly `columns` (rendered as `parts`, with any prefix lengths), dropping any other first. */
  setPrimaryKey(table: string, columns: string[], parts: string): string;
  addUnique(table: string, name: string, columns: string): string;
  /** `definition` is "FOREIGN KEY (…) REFERENCES …". */
  addForeignKey(table: string, name: string, definition: string): string;
  addCheck(table: string, name: string, definition: string): string;
  /** `def` is indexDef's text; `suffix` the online clause (", ALGORITHM=INPLACE, LOCK=NONE") or "". */
  addIndex(table: string, name: string, def: string, suffix: string): string;
  /** A view, routine or trigger made as the source has it (replacing the target's). */
  replaceObject(kind: "view" | "function" | "procedure" | "trigger", name: string, definition: string): string[];
}

export interface MysqlSyncFlavor {
  engine: "mysql" | "mariadb";
  /** "MySQL 8", "MariaDB": in the reasons the plan gives for what it leaves out. */
  label: string;
  d: Dialect;
  forms: IdempotentDdl;
  /** Checks declared on a column live in its definition (MariaDB keeps the level; MySQL 8 does not). */
  columnChecks: boolean;
  header(opts: { lockTimeout: string; statementTimeout: string }): string[];
  script(statements: string[]): string;
}

function findTable(s: SchemaSnapshot, schema: string, name: string): TableSnapshot | undefined {
  return s.tables.find((t) => t.schema === schema && t.name === name);
}

/** The column list of a key definition "UNIQUE (`a`,`b`)" or "PRIMARY KEY (`a`)". */
function keyColumns(definition: string): string {
  return /\((.*)\)\s*$/.exec(definition)?.[1] ?? "";
}

function tableStatements(ch: SyncChange & { source?: TableSnapshot; target?: TableSnapshot }, f: MysqlSyncFlavor) {
  const { d } = f;
  const mysql = f.engine === "mysql";
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [mDrop(`DROP TABLE IF EXISTS ${d.quoteIdent(t.name)}`)] : [];
  if (!s) return [];
  if (ch.action === "added")
    return [mCreate(createTableSql(s, d, mysql).replace(/^CREATE TABLE /, "CREATE TABLE IF NOT EXISTS "))];
  const out: SyncStatement[] = [];
  if (ch.action === "renamed" && ch.from) out.push({ sql: f.forms.renameTable(ch.from, s.name), phase: "rename" });
  const options: string[] = [];
  for (const fc of ch.fields) {
    if (fc.field === "comment") options.push(`COMMENT = ${d.quoteLiteral(s.comment ?? "")}`);
    if (fc.field === "options") {
      const o = s.options ?? {};
      if (o.engine) options.push(`ENGINE = ${o.engine}`);
      if (o.charset) options.push(`DEFAULT CHARSET = ${o.charset}`);
      if (o.collation) options.push(`COLLATE = ${o.collation}`);
      if (o.row_format) options.push(`ROW_FORMAT = ${o.row_format}`);
    }
  }
  if (options.length > 0) out.push(mCreate(`ALTER TABLE ${d.quoteIdent(s.name)} ${options.join(", ")}`));
  return out;
}

function columnStatements(
  ch: SyncChange & { source?: ColumnSnapshot; target?: ColumnSnapshot },
  ctx: SyncContext,
  f: MysqlSyncFlavor,
) {
  const T = ch.table ?? "";
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [mDrop(f.forms.dropColumn(T, t.name))] : [];
  const table = findTable(ctx.source, ch.schema, T);
  if (!s || !table) return [];
  // A column-level check is part of the column's definition in MariaDB.
  const def = columnDef(s, table, { d: f.d, mysql: f.engine === "mysql" });
  if (ch.action === "added") return [mCreate(f.forms.addColumn(T, s.name, def))];
  if (ch.action === "renamed" && ch.from) {
    return [{ sql: f.forms.changeColumn(T, ch.from, s.name, def), phase: "rename" as const }];
  }
  return [mCreate(f.forms.modifyColumn(T, s.name, def))];
}

function constraintStatements(
  ch: SyncChange & { source?: ConstraintSnapshot; target?: ConstraintSnapshot },
  ctx: SyncContext,
  f: MysqlSyncFlavor,
) {
  const T = ch.table ?? "";
  const { forms } = f;
  const mysql = f.engine === "mysql";
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  const table = findTable(ctx.source, ch.schema, T);
  if (t && ch.action !== "added") {
    const dropSql =
      t.kind === "foreign"
        ? forms.dropForeignKey(T, t.name)
        : t.kind === "check"
          ? forms.dropCheck(T, t.name)
          : forms.dropKey(T, t.kind === "primary" ? "PRIMARY" : t.name);
    // A column's check goes with the column's definition as the other side has it.
    const column = table?.columns.find((c) => c.name === t.column);
    if (f.columnChecks && t.kind === "check" && t.column !== undefined && table && column && ch.action === "dropped") {
      out.push(mDrop(forms.modifyColumn(T, column.name, columnDef(column, table, { d: f.d, mysql }))));
      return out;
    }
    // A primary key is dropped and added in one statement (a table keeps it while it is re-made).
    if (!(t.kind === "primary" && s)) out.push(mDrop(dropSql));
    // The index MySQL made for the foreign key stays behind it: it goes too unless the source has it.
    if (t.kind === "foreign" && !s && table && !table.indexes.some((ix) => ix.name === t.name)) {
      out.push(mDrop(forms.dropIndex(T, t.name)));
    }
  }
  if (!s || ch.action === "dropped") return out;
  // A new table has its keys and checks in its CREATE TABLE; only foreign keys come apart.
  if (!findTable(ctx.target, ch.schema, T) && s.kind !== "foreign") return out;
  const column = table?.columns.find((c) => c.name === s.column);
  if (f.columnChecks && s.kind === "check" && table && column) {
    out.push(mCreate(forms.modifyColumn(T, column.name, columnDef(column, table, { d: f.d, mysql }))));
  } else if (s.kind === "primary") {
    const columns = table?.indexes.find((ix) => ix.primary)?.columns ?? table?.primaryKey?.columns ?? [];
    out.push(mCreate(forms.setPrimaryKey(T, columns, keyColumns(s.definition))));
  } else if (s.kind === "unique") {
    out.push(mCreate(forms.addUnique(T, s.name, keyColumns(s.definition))));
  } else if (s.kind === "foreign") {
    out.push(mCreate(forms.addForeignKey(T, s.name, s.definition)));
  } else {
    out.push(mCreate(forms.addCheck(T, s.name, s.definition)));
  }
  return out;
}

function indexStatements(
  ch: SyncChange & { source?: IndexSnapshot; target?: IndexSnapshot },
  ctx: SyncContext,
  f: MysqlSyncFlavor,
) {
  const T = ch.table ?? "";
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  if (t && ch.action !== "added") out.push(mDrop(f.forms.dropIndex(T, t.name)));
  if (!s || ch.action === "dropped") return out;
  if (!findTable(ctx.target, ch.schema, T)) return out; // in the new table's CREATE TABLE
  // Online: a B-tree index on columns builds in place without blocking writes (a MySQL 8 functional
  // key part adds a hidden generated column, so it gets the server's default algorithm).
  const online =
    s.method === undefined && !s.columns.some((c) => c.startsWith("(")) ? ", ALGORITHM=INPLACE, LOCK=NONE" : "";
  out.push(mCreate(f.forms.addIndex(T, s.name, indexDef(s, f.d), online)));
  return out;
}

const OBJECT_WORDS = { view: "VIEW", function: "FUNCTION", procedure: "PROCEDURE", trigger: "TRIGGER" } as const;

function objectStatements(
  ch: SyncChange & { source?: SchemaObjectSnapshot; target?: SchemaObjectSnapshot },
  f: MysqlSyncFlavor,
) {
  const { source: s, target: t } = ch;
  const kind = ch.kind as keyof typeof OBJECT_WORDS;
  if (ch.action === "dropped") {
    return t ? [mDrop(`DROP ${OBJECT_WORDS[kind]} IF EXISTS ${f.d.quoteIdent(t.name)}`)] : [];
  }
  if (!s) return [];
  return f.forms.replaceObject(kind, s.name, s.definition).map(mCreate);
}

/** A MySQL-family sync renderer: the shared statements in the flavour's idempotent forms. */
export function createMysqlSyncRenderer(f: MysqlSyncFlavor): SyncRenderer {
  return {
    engine: f.engine,
    header: (opts) => f.header(opts),
    script: (statements) => f.script(statements),
    unsupported(ch: SyncChange): string | null {
      if (ch.kind === "sequence" || ch.kind === "type" || ch.kind === "materialized_view" || ch.kind === "extension") {
        return `${ch.kind} ${ch.schema}.${ch.name}: not a ${f.label} object this version syncs`;
      }
      return null;
    },
    statements(ch: SyncChange, ctx: SyncContext): SyncStatement[] {
      switch (ch.kind) {
        case "schema":
          return [];
        case "table":
          return tableStatements(ch, f);
        case "column":
          return columnStatements(ch, ctx, f);
        case "constraint":
          return constraintStatements(ch, ctx, f);
        case "index":
          return indexStatements(ch, ctx, f);
        case "primary_key":
          if (!ch.source) return [mDrop(f.forms.dropKey(ch.table ?? "", "PRIMARY"))];
          return [
            mCreate(
              f.forms.setPrimaryKey(ch.table ?? "", ch.source.columns, ch.source.columns.map(f.d.quoteIdent).join(",")),
            ),
          ];
        case "view":
        case "function":
        case "procedure":
        case "trigger":
          return objectStatements(ch, f);
        default:
          return [];
      }
    },
  };
}

/** MariaDB's IF [NOT] EXISTS forms and CREATE OR REPLACE. */
function mariadbForms(d: Dialect): IdempotentDdl {
  const q = d.quoteIdent;
  return {
    renameTable: (from, to) => `ALTER TABLE IF EXISTS ${q(from)} RENAME TO ${q(to)}`,
    addColumn: (t, _c, def) => `ALTER TABLE ${q(t)} ADD COLUMN IF NOT EXISTS ${def}`,
    dropColumn: (t, c) => `ALTER TABLE ${q(t)} DROP COLUMN IF EXISTS ${q(c)}`,
    changeColumn: (t, from, _c, def) => `ALTER TABLE ${q(t)} CHANGE COLUMN IF EXISTS ${q(from)} ${def}`,
    modifyColumn: (t, _c, def) => `ALTER TABLE ${q(t)} MODIFY COLUMN IF EXISTS ${def}`,
    dropForeignKey: (t, n) => `ALTER TABLE IF EXISTS ${q(t)} DROP FOREIGN KEY IF EXISTS ${q(n)}`,
    dropCheck: (t, n) => `ALTER TABLE IF EXISTS ${q(t)} DROP CONSTRAINT IF EXISTS ${q(n)}`,
    dropKey: (t, n) => `ALTER TABLE IF EXISTS ${q(t)} DROP INDEX IF EXISTS ${q(n)}`,
    dropIndex: (t, n) => `DROP INDEX IF EXISTS ${q(n)} ON ${q(t)}`,
    setPrimaryKey: (t, _cols, parts) =>
      `ALTER TABLE ${q(t)} DROP INDEX IF EXISTS ${q("PRIMARY")}, ADD PRIMARY KEY (${parts})`,
    addUnique: (t, n, cols) => `ALTER TABLE ${q(t)} ADD UNIQUE KEY IF NOT EXISTS ${q(n)} (${cols})`,
    addForeignKey: (t, n, def) =>
      `ALTER TABLE ${q(t)} ADD CONSTRAINT ${q(n)} ${def.replace(/^FOREIGN KEY /, "FOREIGN KEY IF NOT EXISTS ")}`,
    addCheck: (t, n, def) => `ALTER TABLE ${q(t)} ADD CONSTRAINT IF NOT EXISTS ${q(n)} ${def}`,
    addIndex: (t, _n, def, suffix) => `ALTER TABLE ${q(t)} ADD ${def.replace(/KEY /, "KEY IF NOT EXISTS ")}${suffix}`,
    replaceObject: (_k, _n, def) => [def.replace(/^CREATE (OR REPLACE )?/i, "CREATE OR REPLACE ")],
  };
}

/** The sync renderer for MariaDB (MySQL 8 lacks the IF [NOT] EXISTS forms it relies on: ddl-mysql8.ts). */
export const mariadbSyncRenderer: SyncRenderer = createMysqlSyncRenderer({
  engine: "mariadb",
  label: "MariaDB",
  d: mariadbDialect,
  forms: mariadbForms(mariadbDialect),
  columnChecks: true,
  header: (opts) => [
    `SET SESSION lock_wait_timeout = ${seconds(opts.lockTimeout)}`,
    `SET SESSION max_statement_time = ${seconds(opts.statementTimeout)}`,
  ],
  script: (statements) => `DELIMITER $$\n${statements.map((s) => `${s}$$`).join("\n")}\nDELIMITER ;\n`,
});
