// How each statement changes what the rules of later statements know (created tables, columns,
// indexes, timeouts, transaction state). Runs after every rule has seen the statement.
import type {
  AlterTableStmt,
  ColumnDef,
  CreateStmt,
  CreateTableAsStmt,
  DropStmt,
  IndexStmt,
  RenameStmt,
  TransactionStmt,
  VariableSetStmt,
  ViewStmt,
} from "libpg-query";
import { get, type NodeKey, type NodeOf, names, nodeValue } from "./ast.ts";
import { addIndex, type ScriptState, type StmtCtx } from "./context.ts";
import {
  alterCmds,
  columnDefs,
  constraints,
  createHasPk,
  hasConstraint,
  keyColumns,
  notNullCheckColumn,
  relationsIn,
  relName,
} from "./facts.ts";

const DML = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt"]);

export function isDml(type: string): boolean {
  return DML.has(type);
}

export function isDdl(type: string): boolean {
  return (
    type.startsWith("Create") ||
    type.startsWith("Alter") ||
    type === "DropStmt" ||
    type === "RenameStmt" ||
    type === "IndexStmt" ||
    type === "ViewStmt" ||
    type === "TruncateStmt" ||
    type === "CompositeTypeStmt"
  );
}

export function applyEffects(ctx: StmtCtx): void {
  const s = ctx.script;
  // An own-segment statement runs after the runner committed what came before it.
  if (ctx.ownSegment) s.held.clear();
  if (isDml(ctx.type)) s.sawDml = true;
  if (isDdl(ctx.type)) s.sawDdl = true;
  const effect = (EFFECTS as Record<string, ((s: ScriptState, v: unknown, c: StmtCtx) => void) | undefined>)[ctx.type];
  effect?.(s, nodeValue(ctx.node), ctx);
}

const EFFECTS: { [K in NodeKey]?: (s: ScriptState, v: NodeOf<K>, ctx: StmtCtx) => void } = {
  CreateStmt: createTable,
  CreateTableAsStmt: createTableAs,
  AlterTableStmt: alterTable,
  IndexStmt: createIndex,
  DropStmt: (s, v) => dropObjects(s, v),
  RenameStmt: (s, v) => renameObject(s, v),
  ViewStmt: (s, v) => createView(s, v),
  VariableSetStmt: (s, v) => setVariable(s, v),
  TransactionStmt: (s, v) => transaction(s, v),
  SelectStmt: (s, v) => setConfig(s, v),
  CreateEnumStmt: (s, v) => {
    s.types.add(names(v.typeName).at(-1) ?? "");
  },
  CreateDomainStmt: (s, v) => {
    s.types.add(names(v.domainname).at(-1) ?? "");
  },
  CompositeTypeStmt: (s, v) => {
    s.types.add(relName(v.typevar));
  },
};

function createTable(s: ScriptState, c: CreateStmt, ctx: StmtCtx): void {
  const table = relName(c.relation);
  if (c.if_not_exists && (s.columns.has(table) || s.created.has(table))) return;
  s.created.set(table, { pk: createHasPk(c), statement: ctx.index, offset: ctx.offsetOf(c.relation?.location) });
  const cols = columnDefs(c.tableElts);
  s.columns.set(table, new Set(cols.map((d) => d.colname ?? "")));
  for (const d of cols) s.columnTypes.set(`${table}.${d.colname ?? ""}`, renderType(d));
  for (const d of cols) {
    for (const k of constraints(d.constraints)) addConstraintFacts(s, table, k, [d.colname ?? ""], ctx);
  }
  for (const k of constraints(c.tableElts)) addConstraintFacts(s, table, k, [], ctx);
}

function createTableAs(s: ScriptState, c: CreateTableAsStmt, ctx: StmtCtx): void {
  const table = relName(c.into?.rel);
  // A copy of query results is a working table more often than an entity: no primary key is asked of it.
  s.created.set(table, { pk: true, statement: ctx.index, offset: ctx.offsetOf(c.into?.rel?.location) });
  s.columns.delete(table);
}

function addConstraintFacts(
  s: ScriptState,
  table: string,
  k: import("libpg-query").Constraint,
  columnLevel: string[],
  ctx: StmtCtx,
): void {
  const cols = columnLevel.length > 0 ? columnLevel : keyColumns(k.keys);
  if (k.contype === "CONSTR_PRIMARY" || k.contype === "CONSTR_UNIQUE") {
    if (k.contype === "CONSTR_PRIMARY") {
      const entry = s.created.get(table);
      if (entry !== undefined) entry.pk = true;
    }
    addIndex(s, { name: k.conname ?? "", table, columns: cols, unique: true });
  } else if (k.contype === "CONSTR_FOREIGN") {
    const fkCols = columnLevel.length > 0 ? columnLevel : keyColumns(k.fk_attrs);
    s.fks.push({ table, columns: fkCols, statement: ctx.index, offset: ctx.offsetOf(k.location) });
    if (k.conname) s.fkNames.add(k.conname);
  } else if (k.contype === "CONSTR_CHECK" && !k.skip_validation) {
    const col = notNullCheckColumn(k);
    if (col !== undefined) s.notNullChecks.add(`${table}.${col}`);
  }
}

function alterTable(s: ScriptState, a: AlterTableStmt, ctx: StmtCtx): void {
  const table = relName(a.relation);
  if (a.objtype === "OBJECT_TABLE" && !ctx.ownSegment && !s.created.has(table)) s.held.set(table, "ALTER TABLE");
  s.alters.set(table, (s.alters.get(table) ?? 0) + 1);
  const cols = s.columns.get(table);
  for (const cmd of alterCmds(a.cmds)) {
    const def = get(cmd.def, "ColumnDef");
    if (cmd.subtype === "AT_AddColumn" && def !== undefined) {
      cols?.add(def.colname ?? "");
      s.columnTypes.set(`${table}.${def.colname ?? ""}`, renderType(def));
      for (const k of constraints(def.constraints)) addConstraintFacts(s, table, k, [def.colname ?? ""], ctx);
      if (hasConstraint(def, "CONSTR_PRIMARY")) markPk(s, table);
    } else if (cmd.subtype === "AT_DropColumn") {
      cols?.delete(cmd.name ?? "");
    } else if (cmd.subtype === "AT_AddConstraint") {
      const k = get(cmd.def, "Constraint");
      if (k !== undefined) addConstraintFacts(s, table, k, [], ctx);
    } else if (cmd.subtype === "AT_ValidateConstraint") {
      const col = s.notValidNotNull.get(cmd.name ?? "");
      if (col !== undefined) s.notNullChecks.add(col);
    }
  }
  for (const cmd of alterCmds(a.cmds)) {
    const k = get(cmd.def, "Constraint");
    const col = k === undefined ? undefined : notNullCheckColumn(k);
    if (k?.skip_validation && col !== undefined && k.conname) s.notValidNotNull.set(k.conname, `${table}.${col}`);
  }
}

function markPk(s: ScriptState, table: string): void {
  const entry = s.created.get(table);
  if (entry !== undefined) entry.pk = true;
}

function createIndex(s: ScriptState, i: IndexStmt, ctx: StmtCtx): void {
  const table = relName(i.relation);
  if (!i.concurrent && !ctx.ownSegment && !s.created.has(table)) s.held.set(table, "CREATE INDEX");
  addIndex(s, { name: i.idxname ?? "", table, columns: keyColumns(i.indexParams), unique: i.unique === true });
  if (i.idxname) s.createdIndexes.add(i.idxname);
}

function dropObjects(s: ScriptState, d: DropStmt): void {
  for (const obj of d.objects ?? []) {
    const parts = names(get(obj, "List")?.items);
    const name = parts.at(-1) ?? "";
    if (d.removeType === "OBJECT_TABLE") {
      s.created.delete(name);
      s.columns.delete(name);
    } else if (d.removeType === "OBJECT_INDEX") {
      s.createdIndexes.delete(name);
      for (const [t, list] of s.indexes)
        s.indexes.set(
          t,
          list.filter((i) => i.name !== name),
        );
    } else if (d.removeType === "OBJECT_VIEW" || d.removeType === "OBJECT_MATVIEW") {
      s.views.delete(name);
    }
  }
}

function renameObject(s: ScriptState, r: RenameStmt): void {
  const table = relName(r.relation);
  if (r.renameType === "OBJECT_TABLE" && r.newname) {
    const cols = s.columns.get(table);
    if (cols !== undefined) s.columns.set(r.newname, cols);
    s.columns.delete(table);
    const created = s.created.get(table);
    if (created !== undefined) s.created.set(r.newname, created);
    s.created.delete(table);
  } else if (r.renameType === "OBJECT_COLUMN" && r.subname && r.newname) {
    const cols = s.columns.get(table);
    if (cols?.delete(r.subname)) cols.add(r.newname);
  }
}

function createView(s: ScriptState, v: ViewStmt): void {
  s.views.set(relName(v.view), relationsIn(v.query));
}

function setVariable(s: ScriptState, v: VariableSetStmt): void {
  if (v.kind === "VAR_RESET_ALL") {
    s.lockTimeout = false;
    s.statementTimeout = false;
    return;
  }
  const name = (v.name ?? "").toLowerCase();
  const off = v.kind === "VAR_RESET" || isZero(v);
  if (name === "lock_timeout") s.lockTimeout = !off;
  if (name === "statement_timeout") s.statementTimeout = !off;
}

/** 0 means no timeout at all. */
function isZero(v: VariableSetStmt): boolean {
  const c = get(v.args?.[0], "A_Const");
  return c?.ival !== undefined ? (c.ival.ival ?? 0) === 0 : c?.sval?.sval === "0";
}

function transaction(s: ScriptState, t: TransactionStmt): void {
  if (t.kind === "TRANS_STMT_BEGIN" || t.kind === "TRANS_STMT_START") s.explicitTxn = true;
  else if (t.kind === "TRANS_STMT_COMMIT" || t.kind === "TRANS_STMT_ROLLBACK") {
    s.explicitTxn = false;
    s.held.clear();
  }
}

/** A column's type as written ("varchar(100)", "numeric(10,2)"), for widening checks and snapshots. */
export function renderType(def: ColumnDef): string {
  const mods = (def.typeName?.typmods ?? []).map((m) => get(m, "A_Const")?.ival?.ival ?? "?");
  const name = names(def.typeName?.names).at(-1) ?? "";
  return mods.length === 0 ? name : `${name}(${mods.join(",")})`;
}

/** SELECT set_config('lock_timeout', '5s', false): the function form of SET. */
function setConfig(s: ScriptState, sel: import("libpg-query").SelectStmt): void {
  for (const t of sel.targetList ?? []) {
    const f = get(get(t, "ResTarget")?.val, "FuncCall");
    if (f === undefined || names(f.funcname).at(-1) !== "set_config") continue;
    const name = get(f.args?.[0], "A_Const")?.sval?.sval?.toLowerCase();
    const value = get(f.args?.[1], "A_Const")?.sval?.sval;
    const on = value !== undefined && value !== "0";
    if (name === "lock_timeout") s.lockTimeout = on;
    if (name === "statement_timeout") s.statementTimeout = on;
  }
}
