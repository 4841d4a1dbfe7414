// MySQL 8 sync scripts: the statements MariaDB's renderer makes (ddl.ts), in forms MySQL 8.0 runs.
// MySQL 8.0 has IF [NOT] EXISTS only for CREATE/DROP TABLE, DROP VIEW/FUNCTION/PROCEDURE/TRIGGER and
// (8.0.29+) CREATE FUNCTION/PROCEDURE/TRIGGER, and CREATE OR REPLACE only for views; columns, keys,
// indexes, checks and renames have no such forms. Each of those runs behind a guard the server
// evaluates against information_schema of the current database:
//   SET @mx := IF(<condition>, '<statement>', 'DO 0'); PREPARE mx_stmt FROM @mx; EXECUTE mx_stmt;
//   DEALLOCATE PREPARE mx_stmt
// (ALTER TABLE, RENAME TABLE, DROP INDEX and DO may be prepared). Routines and triggers, which
// MySQL 8 cannot replace, are dropped IF EXISTS and made again. Checks are table checks (MySQL 8
// keeps no column level) and are dropped with DROP CONSTRAINT (8.0.19+). MySQL 8 has no statement
// timeout for DDL (max_execution_time covers read-only SELECTs only): the header sets
// lock_wait_timeout, which bounds the wait for the metadata lock every ALTER takes.
import type { SyncRenderer } from "../diff/model.ts";
import { createMysqlSyncRenderer, type IdempotentDdl, seconds } from "./ddl.ts";
import { mysqlDialect } from "./dialect.ts";

const d = mysqlDialect;
const q = d.quoteIdent;
const lit = d.quoteLiteral;

/** The plain MySQL 8 statements, without guards: what the guards run, and what risk assessment reads. */
export const mysql8Statements: IdempotentDdl = {
  renameTable: (from, to) => `ALTER TABLE ${q(from)} RENAME TO ${q(to)}`,
  addColumn: (t, _c, def) => `ALTER TABLE ${q(t)} ADD COLUMN ${def}`,
  dropColumn: (t, c) => `ALTER TABLE ${q(t)} DROP COLUMN ${q(c)}`,
  changeColumn: (t, from, _c, def) => `ALTER TABLE ${q(t)} CHANGE COLUMN ${q(from)} ${def}`,
  modifyColumn: (t, _c, def) => `ALTER TABLE ${q(t)} MODIFY COLUMN ${def}`,
  dropForeignKey: (t, n) => `ALTER TABLE ${q(t)} DROP FOREIGN KEY ${q(n)}`,
  dropCheck: (t, n) => `ALTER TABLE ${q(t)} DROP CONSTRAINT ${q(n)}`,
  dropKey: (t, n) =>
    n === "PRIMARY" ? `ALTER TABLE ${q(t)} DROP PRIMARY KEY` : `ALTER TABLE ${q(t)} DROP INDEX ${q(n)}`,
  dropIndex: (t, n) => `DROP INDEX ${q(n)} ON ${q(t)}`,
  setPrimaryKey: (t, _cols, parts) => `ALTER TABLE ${q(t)} DROP PRIMARY KEY, ADD PRIMARY KEY (${parts})`,
  addUnique: (t, n, cols) => `ALTER TABLE ${q(t)} ADD UNIQUE KEY ${q(n)} (${cols})`,
  addForeignKey: (t, n, def) => `ALTER TABLE ${q(t)} ADD CONSTRAINT ${q(n)} ${def}`,
  addCheck: (t, n, def) => `ALTER TABLE ${q(t)} ADD CONSTRAINT ${q(n)} ${def}`,
  addIndex: (t, _n, def, suffix) => `ALTER TABLE ${q(t)} ADD ${def}${suffix}`,
  replaceObject: (kind, name, def) => {
    const create = def.replace(/^CREATE OR REPLACE /i, "CREATE ");
    if (kind === "view") return [create.replace(/^CREATE /i, "CREATE OR REPLACE ")];
    return [`DROP ${kind.toUpperCase()} IF EXISTS ${q(name)}`, create];
  },
};

/** Rows of information_schema.<view> in the current database matching `where` (column → value). */
function count(view: string, where: Record<string, string>): string {
  const terms = Object.entries(where).map(([col, value]) => ` AND ${col} = ${lit(value)}`);
  return `(SELECT COUNT(*) FROM information_schema.${view} WHERE TABLE_SCHEMA = DATABASE()${terms.join("")})`;
}

const hasTable = (t: string) => `${count("TABLES", { TABLE_NAME: t })} > 0`;
const hasColumn = (t: string, c: string) => `${count("COLUMNS", { TABLE_NAME: t, COLUMN_NAME: c })} > 0`;
const hasIndex = (t: string, n: string) => `${count("STATISTICS", { TABLE_NAME: t, INDEX_NAME: n })} > 0`;
const hasConstraint = (t: string, n: string, type: "FOREIGN KEY" | "CHECK") =>
  `${count("TABLE_CONSTRAINTS", { TABLE_NAME: t, CONSTRAINT_NAME: n, CONSTRAINT_TYPE: type })} > 0`;
const not = (cond: string) => `NOT (${cond})`;

/** `statement` when `condition` holds on the server, else nothing: one line per statement of the guard. */
export function guarded(condition: string, statement: string, otherwise = "DO 0"): string {
  return guardedBy(`IF(${condition}, ${lit(statement)}, ${lit(otherwise)})`);
}

/** A guard whose statement text `expression` computes on the server. */
function guardedBy(expression: string): string {
  return [`SET @mx := ${expression}`, "PREPARE mx_stmt FROM @mx", "EXECUTE mx_stmt", "DEALLOCATE PREPARE mx_stmt"].join(
    ";\n",
  );
}

const p = mysql8Statements;

/** Every operation without an IF [NOT] EXISTS form in MySQL 8.0, behind its guard. */
export const mysql8Forms: IdempotentDdl = {
  renameTable: (from, to) => guarded(`${hasTable(from)} AND ${not(hasTable(to))}`, p.renameTable(from, to)),
  addColumn: (t, c, def) => guarded(not(hasColumn(t, c)), p.addColumn(t, c, def)),
  dropColumn: (t, c) => guarded(hasColumn(t, c), p.dropColumn(t, c)),
  changeColumn: (t, from, c, def) =>
    guarded(`${hasColumn(t, from)} AND ${not(hasColumn(t, c))}`, p.changeColumn(t, from, c, def)),
  modifyColumn: (t, c, def) => guarded(hasColumn(t, c), p.modifyColumn(t, c, def)),
  dropForeignKey: (t, n) => guarded(hasConstraint(t, n, "FOREIGN KEY"), p.dropForeignKey(t, n)),
  dropCheck: (t, n) => guarded(hasConstraint(t, n, "CHECK"), p.dropCheck(t, n)),
  dropKey: (t, n) => guarded(hasIndex(t, n), p.dropKey(t, n)),
  dropIndex: (t, n) => guarded(hasIndex(t, n), p.dropIndex(t, n)),
  // Nothing when the key already is these columns; a plain ADD when the table has none.
  setPrimaryKey: (t, cols, parts) => {
    const current = `(SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${lit(t)} AND INDEX_NAME = 'PRIMARY')`;
    const add = `ALTER TABLE ${q(t)} ADD PRIMARY KEY (${parts})`;
    return guardedBy(
      `IF(${current} <=> ${lit(cols.join(","))}, 'DO 0', IF(${hasIndex(t, "PRIMARY")}, ${lit(p.setPrimaryKey(t, cols, parts))}, ${lit(add)}))`,
    );
  },
  addUnique: (t, n, cols) => guarded(not(hasIndex(t, n)), p.addUnique(t, n, cols)),
  addForeignKey: (t, n, def) => guarded(not(hasConstraint(t, n, "FOREIGN KEY")), p.addForeignKey(t, n, def)),
  addCheck: (t, n, def) => guarded(not(hasConstraint(t, n, "CHECK")), p.addCheck(t, n, def)),
  addIndex: (t, n, def, suffix) => guarded(not(hasIndex(t, n)), p.addIndex(t, n, def, suffix)),
  replaceObject: p.replaceObject,
};

// Routine and trigger bodies may hold ";": those statements alone go between DELIMITER lines, so a
// guard's four statements stay four for the mysql client and for Migratrix's splitter alike.
const ROUTINE = /^CREATE\s+(?:[A-Z]+\s+)*?(?:FUNCTION|PROCEDURE|TRIGGER)\s/i;

function script(statements: string[]): string {
  return `${statements.map((s) => (ROUTINE.test(s) ? `DELIMITER $$\n${s}$$\nDELIMITER ;` : `${s};`)).join("\n")}\n`;
}

const flavor = {
  engine: "mysql" as const,
  label: "MySQL 8",
  d,
  columnChecks: false,
  header: (opts: { lockTimeout: string }) => [`SET SESSION lock_wait_timeout = ${seconds(opts.lockTimeout)}`],
  script,
};

/** The sync renderer for MySQL 8.0 (8.0.19 or later: DROP CONSTRAINT for checks). */
export const mysql8SyncRenderer: SyncRenderer = {
  ...createMysqlSyncRenderer({ ...flavor, forms: mysql8Forms }),
  // The analyser cannot see into a guard's string: it reads the same plan without guards.
  analysed: createMysqlSyncRenderer({ ...flavor, forms: mysql8Statements }),
};
