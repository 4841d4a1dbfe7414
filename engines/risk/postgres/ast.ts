// Small typed helpers over libpg-query's JSON parse tree (nodes are { TypeName: value } wrappers).
import type { A_Const, Node, RangeVar, TypeName } from "libpg-query";

export type NodeKey = Node extends infer U ? (U extends unknown ? keyof U : never) : never;
export type NodeOf<K extends NodeKey> = Extract<Node, Record<K, unknown>>[K];

export function get<K extends NodeKey>(node: Node | undefined, key: K): NodeOf<K> | undefined {
  if (node === undefined || node === null) return undefined;
  return (node as Record<string, unknown>)[key] as NodeOf<K> | undefined;
}

/** The wrapper's key: "SelectStmt", "A_Expr", … */
export function nodeType(node: Node): string {
  for (const k in node) return k;
  return "";
}

export function nodeValue(node: Node): unknown {
  for (const k in node) return (node as Record<string, unknown>)[k];
  return undefined;
}

/** String nodes of a name list: ["public", "users"]. */
export function names(list: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of list ?? []) {
    const s = get(n, "String")?.sval;
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** Last part of a type's name, pg_catalog prefix dropped: "int4", "varchar", "timestamptz". */
export function typeName(tn: TypeName | undefined): string {
  return names(tn?.names).at(-1) ?? "";
}

export function qualifiedName(rv: RangeVar | undefined): string {
  if (rv === undefined) return "";
  return rv.schemaname ? `${rv.schemaname}.${rv.relname ?? ""}` : (rv.relname ?? "");
}

/** Tables are matched by name: schemas are rarely spelled in migrations and search_path is unknown here. */
export function tableKey(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? name : name.slice(dot + 1);
}

export function constOf(node: Node | undefined): A_Const | undefined {
  return get(node, "A_Const");
}

/** A constant's value as text, for tautology checks ("1", "t", "abc"); undefined when not a constant. */
function constText(c: A_Const): string | undefined {
  if (c.isnull) return undefined;
  if (c.ival !== undefined) return String(c.ival.ival ?? 0);
  if (c.fval !== undefined) return String(Number(c.fval.fval));
  if (c.sval !== undefined) return `s:${c.sval.sval ?? ""}`;
  if (c.boolval !== undefined) return c.boolval.boolval ? "true" : "false";
  return undefined;
}

function sameColumn(a: Node | undefined, b: Node | undefined): boolean {
  const ca = get(a, "ColumnRef");
  const cb = get(b, "ColumnRef");
  if (ca === undefined || cb === undefined) return false;
  const na = names(ca.fields);
  return na.length > 0 && na.join(".") === names(cb.fields).join(".");
}

/** Whether a WHERE clause is true for every row: TRUE, 1=1, 'a'='a', x=x, t OR …, NOT FALSE, 1 <> 2. */
export function isTautology(expr: Node | undefined, depth = 0): boolean {
  if (expr === undefined || depth > 50) return false;
  const c = constOf(expr);
  if (c !== undefined) return c.boolval?.boolval === true || (c.ival !== undefined && (c.ival.ival ?? 0) !== 0);
  const cast = get(expr, "TypeCast");
  if (cast !== undefined) {
    const inner = constOf(cast.arg);
    const t = inner?.sval?.sval?.toLowerCase();
    return isTautology(cast.arg, depth + 1) || (t !== undefined && ["t", "true", "yes", "on", "1", "y"].includes(t));
  }
  const bool = get(expr, "BoolExpr");
  if (bool !== undefined) {
    const args = bool.args ?? [];
    if (bool.boolop === "OR_EXPR") return args.some((a) => isTautology(a, depth + 1));
    if (bool.boolop === "AND_EXPR") return args.length > 0 && args.every((a) => isTautology(a, depth + 1));
    if (bool.boolop === "NOT_EXPR") return isContradiction(args[0]);
    return false;
  }
  const a = get(expr, "A_Expr");
  if (a !== undefined && a.kind === "AEXPR_OP") {
    const op = names(a.name)[0] ?? "";
    const l = constOf(a.lexpr);
    const r = constOf(a.rexpr);
    if (l !== undefined && r !== undefined) {
      const lv = constText(l);
      const rv = constText(r);
      if (lv === undefined || rv === undefined) return false;
      if (op === "=") return lv === rv;
      if (op === "<>" || op === "!=") return lv !== rv;
      return false;
    }
    return op === "=" && sameColumn(a.lexpr, a.rexpr);
  }
  return false;
}

function isContradiction(expr: Node | undefined): boolean {
  const c = constOf(expr);
  if (c !== undefined) return c.boolval?.boolval === false || (c.ival !== undefined && (c.ival.ival ?? 0) === 0);
  const a = get(expr, "A_Expr");
  if (a !== undefined && a.kind === "AEXPR_OP" && (names(a.name)[0] ?? "") === "=") {
    const l = constOf(a.lexpr);
    const r = constOf(a.rexpr);
    return l !== undefined && r !== undefined && constText(l) !== constText(r);
  }
  return false;
}

const MAX_DEPTH = 400;

export type Visit = (type: string, value: unknown, parentType: string, parent: unknown) => void;

/**
 * Calls visit for every wrapped node under root (root included), depth-first, with the nearest
 * wrapped ancestor. Unwrapped structs (a RangeVar in `relation`) are walked through but not
 * reported. Deep trees stop at MAX_DEPTH.
 */
export function walk(root: Node | undefined, visit: Visit, skip: ReadonlySet<string> = NO_SKIP): void {
  if (root !== undefined) walkValue(root, visit, skip, "", undefined, 0);
}

const NO_SKIP: ReadonlySet<string> = new Set();

/**
 * Node types that hold only names and constants: no statement, expression or definition can sit
 * under them, so a walk looking for those need not enter them (a third of a typical tree).
 */
export const LEAF_TYPES: ReadonlySet<string> = new Set([
  "String",
  "Integer",
  "Float",
  "Boolean",
  "BitString",
  "A_Const",
  "ColumnRef",
  "ParamRef",
  "A_Star",
  "TypeName",
  "RangeVar",
]);

function walkValue(
  v: unknown,
  visit: Visit,
  skip: ReadonlySet<string>,
  parentType: string,
  parent: unknown,
  depth: number,
): void {
  if (depth > MAX_DEPTH || typeof v !== "object" || v === null) return;
  if (Array.isArray(v)) {
    // An index loop: the walk runs on every statement, mostly before the JIT has optimised it.
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item === "object" && item !== null) walkValue(item, visit, skip, parentType, parent, depth + 1);
    }
    return;
  }
  // One enumeration per object (most of a cold walk's time): a wrapper's one key is the node type
  // (capitalised); struct fields are lower-case, so the first key decides.
  let first = true;
  for (const k in v) {
    const child = (v as Record<string, unknown>)[k];
    if (typeof child !== "object" || child === null) {
      first = false;
      continue;
    }
    if (first && isUpper(k) && !Array.isArray(child)) {
      if (skip.has(k)) return;
      visit(k, child, parentType, parent);
      walkValue(child, visit, skip, k, child, depth + 1);
      return;
    }
    first = false;
    walkValue(child, visit, skip, parentType, parent, depth + 1);
  }
}

function isUpper(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90;
}
