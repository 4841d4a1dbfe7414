// Facts read off statements that several rules and the script state need.
import type { AlterTableCmd, ColumnDef, Constraint, CreateStmt, Node, RangeVar } from "libpg-query";
import { get, names, tableKey, walk } from "./ast.ts";

export function columnDefs(elts: readonly Node[] | undefined): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const e of elts ?? []) {
    const c = get(e, "ColumnDef");
    if (c !== undefined) out.push(c);
  }
  return out;
}

export function constraints(list: readonly Node[] | undefined): Constraint[] {
  const out: Constraint[] = [];
  for (const e of list ?? []) {
    const c = get(e, "Constraint");
    if (c !== undefined) out.push(c);
  }
  return out;
}

export function hasConstraint(col: ColumnDef, type: Constraint["contype"]): boolean {
  // No list is made: this runs several times on every column a statement adds or creates.
  const list = col.constraints ?? [];
  for (let i = 0; i < list.length; i++) if (get(list[i], "Constraint")?.contype === type) return true;
  return false;
}

/**
 * Whether the new table has (or may have) a primary key. Partitions and children inherit theirs,
 * LIKE … INCLUDING copies one we cannot see, and temporary tables are scratch space: all count as
 * having one, so missing-primary-key speaks only about tables it can judge.
 */
export function createHasPk(s: CreateStmt): boolean {
  if (s.partbound !== undefined || (s.inhRelations ?? []).length > 0) return true;
  if (s.relation?.relpersistence === "t") return true;
  if ((s.tableElts ?? []).some((e) => get(e, "TableLikeClause") !== undefined)) return true;
  return (
    constraints(s.tableElts).some((c) => c.contype === "CONSTR_PRIMARY") ||
    columnDefs(s.tableElts).some((c) => hasConstraint(c, "CONSTR_PRIMARY"))
  );
}

export function relName(rv: RangeVar | undefined): string {
  return tableKey(rv?.relname ?? "");
}

export function alterCmds(cmds: readonly Node[] | undefined): AlterTableCmd[] {
  const out: AlterTableCmd[] = [];
  for (const n of cmds ?? []) {
    const c = get(n, "AlterTableCmd");
    if (c !== undefined) out.push(c);
  }
  return out;
}

/** Tables a query reads or writes (RangeVars anywhere under it), CTE names excluded. */
export function relationsIn(node: Node | undefined): Set<string> {
  const out = new Set<string>();
  const ctes = new Set<string>();
  walk(node, (type, value) => {
    if (type === "RangeVar") out.add(relName(value as RangeVar));
    else if (type === "CommonTableExpr") ctes.add((value as { ctename?: string }).ctename ?? "");
  });
  for (const c of ctes) out.delete(c);
  return out;
}

/** Column names of an index or key list (IndexElem or String nodes); expressions as "(expr)". */
export function keyColumns(list: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    const s = get(n, "String")?.sval;
    if (s !== undefined) {
      out.push(s);
      continue;
    }
    const ie = get(n, "IndexElem");
    if (ie !== undefined) out.push(ie.name ?? "(expr)");
  }
  return out;
}

/** The column a CHECK (col IS NOT NULL) constraint covers, if that is all it says. */
export function notNullCheckColumn(c: Constraint): string | undefined {
  if (c.contype !== "CONSTR_CHECK") return undefined;
  const t = get(c.raw_expr, "NullTest");
  if (t === undefined || t.nulltesttype !== "IS_NOT_NULL") return undefined;
  const col = get(t.arg, "ColumnRef");
  return names(col?.fields).at(-1);
}
