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

// MySQL 8 prints string defaults unquoted in information_schema; MariaDB prints SQL literals.
function defaultSql(c: ColumnSnapshot, d: Dialect, mysql: boolean): string {
  const v = c.default;
  if (v === null) return "";
  if (!mysql) return ` DEFAULT ${v}`;
  const literal = /^-?\d+(\.\d+)?$/.test(v) || /^(CURRENT_TIMESTAMP|NULL)\b/i.test(v) || v.startsWith("(");
  return ` DEFAULT ${literal ? v : d.quoteLiteral(v)}`;
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

// ---- sync (MariaDB): the statements one change needs, idempotent through MariaDB's IF [NOT] EXISTS
// forms and CREATE OR REPLACE; objects go into the session's current database. ----

/** "5s", "500ms", "30min", "2h" or plain seconds → whole seconds (MariaDB's timeouts take seconds). */
function seconds(text: string): number {
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

const mCreate = (sql: string): SyncStatement => ({ sql, phase: "create" });
const mDrop = (sql: string): SyncStatement => ({ sql, phase: "drop" });

function findTable(s: SchemaSnapshot, schema: string, name: string): TableSnapshot | undefined {
  return s.tables.find((t) => t.schema === schema && t.name === name);
}

/** The column list of a key definition "UNIQUE (`a`,`b`)" or "PRIMARY KEY (`a`)". */
function keyColumns(definition: string): string {
  return /\((.*)\)\s*$/.exec(definition)?.[1] ?? "";
}

function tableStatementsMy(
  ch: SyncChange & { source?: TableSnapshot; target?: TableSnapshot },
  d: Dialect,
  mysql: boolean,
) {
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [mDrop(`DROP TABLE IF EXISTS ${d.quoteIdent(t.name)}`)] : [];
  if (!s) return [];
  if (ch.action === "added")
    return [mCreate(createTableSql(s, d, mysql).replace(/^CREATE TABLE /, "CREATE TABLE IF NOT EXISTS "))];
  const out: SyncStatement[] = [];
  if (ch.action === "renamed" && ch.from) {
    out.push({
      sql: `ALTER TABLE IF EXISTS ${d.quoteIdent(ch.from)} RENAME TO ${d.quoteIdent(s.name)}`,
      phase: "rename",
    });
  }
  const options: string[] = [];
  for (const f of ch.fields) {
    if (f.field === "comment") options.push(`COMMENT = ${d.quoteLiteral(s.comment ?? "")}`);
    if (f.field === "options") {
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

function columnStatementsMy(
  ch: SyncChange & { source?: ColumnSnapshot; target?: ColumnSnapshot },
  ctx: SyncContext,
  d: Dialect,
  mysql: boolean,
) {
  const T = d.quoteIdent(ch.table ?? "");
  const { source: s, target: t } = ch;
  if (ch.action === "dropped")
    return t ? [mDrop(`ALTER TABLE ${T} DROP COLUMN IF EXISTS ${d.quoteIdent(t.name)}`)] : [];
  const table = findTable(ctx.source, ch.schema, ch.table ?? "");
  if (!s || !table) return [];
  // A column-level check is part of the column's definition in MariaDB.
  const def = columnDef(s, table, { d, mysql });
  if (ch.action === "added") return [mCreate(`ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${def}`)];
  if (ch.action === "renamed" && ch.from) {
    return [
      { sql: `ALTER TABLE ${T} CHANGE COLUMN IF EXISTS ${d.quoteIdent(ch.from)} ${def}`, phase: "rename" as const },
    ];
  }
  return [mCreate(`ALTER TABLE ${T} MODIFY COLUMN IF EXISTS ${def}`)];
}

function constraintStatementsMy(
  ch: SyncChange & { source?: ConstraintSnapshot; target?: ConstraintSnapshot },
  ctx: SyncContext,
  d: Dialect,
) {
  const T = d.quoteIdent(ch.table ?? "");
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  if (t && ch.action !== "added") {
    const name = d.quoteIdent(t.name);
    const dropSql =
      t.kind === "foreign"
        ? `ALTER TABLE IF EXISTS ${T} DROP FOREIGN KEY IF EXISTS ${name}`
        : t.kind === "check"
          ? `ALTER TABLE IF EXISTS ${T} DROP CONSTRAINT IF EXISTS ${name}`
          : `ALTER TABLE IF EXISTS ${T} DROP INDEX IF EXISTS ${t.kind === "primary" ? "`PRIMARY`" : name}`;
    // A column's check goes with the column's definition as the other side has it.
    const table = findTable(ctx.source, ch.schema, ch.table ?? "");
    const column = table?.columns.find((c) => c.name === t.column);
    if (t.kind === "check" && t.column !== undefined && table && column && ch.action === "dropped") {
      out.push(mDrop(`ALTER TABLE ${T} MODIFY COLUMN IF EXISTS ${columnDef(column, table, { d, mysql: false })}`));
      return out;
    }
    // A primary key is dropped and added in one statement (a table keeps it while it is re-made).
    if (!(t.kind === "primary" && s)) out.push(mDrop(dropSql));
    // The index MySQL made for the foreign key stays behind it: it goes too unless the source has it.
    if (t.kind === "foreign" && !s && table && !table.indexes.some((ix) => ix.name === t.name)) {
      out.push(mDrop(`DROP INDEX IF EXISTS ${name} ON ${T}`));
    }
  }
  if (!s || ch.action === "dropped") return out;
  // A new table has its keys and checks in its CREATE TABLE; only foreign keys come apart.
  if (!findTable(ctx.target, ch.schema, ch.table ?? "") && s.kind !== "foreign") return out;
  const name = d.quoteIdent(s.name);
  const table = findTable(ctx.source, ch.schema, ch.table ?? "");
  const column = table?.columns.find((c) => c.name === s.column);
  if (s.kind === "check" && table && column) {
    out.push(mCreate(`ALTER TABLE ${T} MODIFY COLUMN IF EXISTS ${columnDef(column, table, { d, mysql: false })}`));
  } else if (s.kind === "primary") {
    out.push(
      mCreate(`ALTER TABLE ${T} DROP INDEX IF EXISTS \`PRIMARY\`, ADD PRIMARY KEY (${keyColumns(s.definition)})`),
    );
  } else if (s.kind === "unique") {
    out.push(mCreate(`ALTER TABLE ${T} ADD UNIQUE KEY IF NOT EXISTS ${name} (${keyColumns(s.definition)})`));
  } else if (s.kind === "foreign") {
    out.push(
      mCreate(
        `ALTER TABLE ${T} ADD CONSTRAINT ${name} ${s.definition.replace(/^FOREIGN KEY /, "FOREIGN KEY IF NOT EXISTS ")}`,
      ),
    );
  } else {
    out.push(mCreate(`ALTER TABLE ${T} ADD CONSTRAINT IF NOT EXISTS ${name} ${s.definition}`));
  }
  return out;
}

function indexStatementsMy(
  ch: SyncChange & { source?: IndexSnapshot; target?: IndexSnapshot },
  ctx: SyncContext,
  d: Dialect,
) {
  const T = d.quoteIdent(ch.table ?? "");
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  if (t && ch.action !== "added") out.push(mDrop(`DROP INDEX IF EXISTS ${d.quoteIdent(t.name)} ON ${T}`));
  if (!s || ch.action === "dropped") return out;
  if (!findTable(ctx.target, ch.schema, ch.table ?? "")) return out; // in the new table's CREATE TABLE
  const def = indexDef(s, d).replace(/KEY /, "KEY IF NOT EXISTS ");
  // Online: a B-tree index builds in place without blocking writes.
  const online = s.method === undefined ? ", ALGORITHM=INPLACE, LOCK=NONE" : "";
  out.push(mCreate(`ALTER TABLE ${T} ADD ${def}${online}`));
  return out;
}

function objectStatementsMy(
  ch: SyncChange & { source?: SchemaObjectSnapshot; target?: SchemaObjectSnapshot },
  d: Dialect,
) {
  const { source: s, target: t } = ch;
  const word = { view: "VIEW", function: "FUNCTION", procedure: "PROCEDURE", trigger: "TRIGGER" } as Record<
    string,
    string
  >;
  if (ch.action === "dropped") {
    return t && word[t.kind] ? [mDrop(`DROP ${word[t.kind]} IF EXISTS ${d.quoteIdent(t.name)}`)] : [];
  }
  if (!s) return [];
  return [mCreate(s.definition.replace(/^CREATE (OR REPLACE )?/i, "CREATE OR REPLACE "))];
}

/** The sync renderer for MariaDB (MySQL 8 lacks the IF [NOT] EXISTS forms it relies on). */
export const mariadbSyncRenderer: import("../diff/model.ts").SyncRenderer = {
  engine: "mariadb",
  header(opts: { lockTimeout: string; statementTimeout: string }): string[] {
    return [
      `SET SESSION lock_wait_timeout = ${seconds(opts.lockTimeout)}`,
      `SET SESSION max_statement_time = ${seconds(opts.statementTimeout)}`,
    ];
  },
  script(statements: string[]): string {
    return `DELIMITER $$\n${statements.map((s) => `${s}$$`).join("\n")}\nDELIMITER ;\n`;
  },
  unsupported(ch: SyncChange): string | null {
    if (ch.kind === "sequence" || ch.kind === "type" || ch.kind === "materialized_view" || ch.kind === "extension") {
      return `${ch.kind} ${ch.schema}.${ch.name}: not a MariaDB object this version syncs`;
    }
    return null;
  },
  statements(ch: SyncChange, ctx: SyncContext): SyncStatement[] {
    const d = mariadbDialect;
    switch (ch.kind) {
      case "schema":
        return [];
      case "table":
        return tableStatementsMy(ch, d, false);
      case "column":
        return columnStatementsMy(ch, ctx, d, false);
      case "constraint":
        return constraintStatementsMy(ch, ctx, d);
      case "index":
        return indexStatementsMy(ch, ctx, d);
      case "primary_key": {
        const T = d.quoteIdent(ch.table ?? "");
        if (!ch.source) return [mDrop(`ALTER TABLE IF EXISTS ${T} DROP INDEX IF EXISTS \`PRIMARY\``)];
        const cols = ch.source.columns.map((c) => d.quoteIdent(c)).join(",");
        return [mCreate(`ALTER TABLE ${T} DROP INDEX IF EXISTS \`PRIMARY\`, ADD PRIMARY KEY (${cols})`)];
      }
      case "view":
      case "function":
      case "procedure":
      case "trigger":
        return objectStatementsMy(ch, d);
      default:
        return [];
    }
  },
};
