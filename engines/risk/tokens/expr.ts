// Conditions (WHERE, ON, SET values) read into a small tree: enough to tell a tautology, a
// condition that narrows rows, "= NULL", a leading-% LIKE, a function on a column, and the columns
// named. Reads any token soup without throwing; what it does not understand becomes "other".
import { Cursor } from "./cursor.ts";
import type { Tok } from "./lex.ts";

export type Expr =
  | { t: "lit"; v: number | string | boolean | null; pos: number }
  | { t: "col"; parts: string[]; pos: number }
  | { t: "func"; name: string; args: Expr[]; pos: number }
  | { t: "bin"; op: string; l: Expr; r: Expr; pos: number }
  | { t: "not"; e: Expr; pos: number }
  | { t: "is"; e: Expr; not: boolean; what: string; pos: number }
  | { t: "in"; e: Expr; not: boolean; list: Expr[]; sub: boolean; pos: number }
  | { t: "between"; e: Expr; lo: Expr; hi: Expr; not: boolean; pos: number }
  | { t: "sub"; toks: Tok[]; pos: number }
  | { t: "other"; pos: number };

export interface ExprFlavour {
  /** || is string concatenation (SQLite, ANSI) rather than OR (MySQL). */
  pipesConcat: boolean;
  /** Type names of several words ("FLOATING POINT", "UNSIGNED BIG INT"): SQLite. */
  multiWordTypes?: boolean;
}

const CMP = new Set(["=", "==", "<>", "!=", "<", ">", "<=", ">=", "<=>"]);
const ADD = new Set(["+", "-", "*", "/", "%", "DIV", "MOD", "&", "|", "^", "<<", ">>", "->", "->>", "COLLATE"]);
const LIKE = new Set(["LIKE", "REGEXP", "RLIKE", "GLOB", "MATCH", "SOUNDS"]);
const MAX_DEPTH = 200;
/** Beyond this many operators a condition is not read further ("other"): bounds time and stack. */
const MAX_NODES = 2000;

export function parseExpr(toks: readonly Tok[], f: ExprFlavour): Expr {
  const c = new Cursor(toks);
  const p = new ExprParser(c, f);
  const e = p.or(0);
  return e;
}

class ExprParser {
  nodes = 0;
  constructor(
    readonly c: Cursor,
    readonly f: ExprFlavour,
  ) {}

  /** Whether the condition is too large or deep to read further; if so, the rest is skipped. */
  tooBig(d: number): boolean {
    if (++this.nodes <= MAX_NODES && d <= MAX_DEPTH) return false;
    this.c.i = this.c.toks.length;
    return true;
  }

  or(d: number): Expr {
    let l = this.and(d);
    for (;;) {
      const u = this.c.up();
      if (u !== "OR" && u !== "XOR" && !(u === "||" && !this.f.pipesConcat)) return l;
      const pos = this.c.pos();
      this.c.next();
      l = { t: "bin", op: u === "||" ? "OR" : u, l, r: this.and(d), pos };
    }
  }
  and(d: number): Expr {
    let l = this.not(d);
    while (this.c.up() === "AND" || this.c.up() === "&&") {
      const pos = this.c.pos();
      this.c.next();
      l = { t: "bin", op: "AND", l, r: this.not(d), pos };
    }
    return l;
  }
  not(d: number): Expr {
    if (this.tooBig(d)) return { t: "other", pos: this.c.pos() };
    if (this.c.up() === "NOT" || this.c.up() === "!") {
      const pos = this.c.pos();
      this.c.next();
      return { t: "not", e: this.not(d + 1), pos };
    }
    return this.pred(d);
  }
  pred(d: number): Expr {
    const l = this.add(d);
    const pos = this.c.pos();
    const u = this.c.up();
    if (CMP.has(u)) {
      this.c.next();
      // = ANY (…) / = ALL (…)
      if (this.c.is("ANY") || this.c.is("ALL") || this.c.is("SOME")) this.c.next();
      return { t: "bin", op: u === "==" ? "=" : u, l, r: this.add(d), pos };
    }
    if (u === "IS") {
      this.c.next();
      const not = this.c.accept("NOT");
      const what = this.c.next()?.upper ?? "";
      if (what === "DISTINCT" && this.c.accept("FROM")) {
        return { t: "bin", op: not ? "<=>" : "IS DISTINCT FROM", l, r: this.add(d), pos };
      }
      return { t: "is", e: l, not, what, pos };
    }
    const not = u === "NOT" && ["LIKE", "IN", "BETWEEN", "REGEXP", "RLIKE", "GLOB"].includes(this.c.up(1));
    if (not) this.c.next();
    const v = this.c.up();
    if (LIKE.has(v)) {
      this.c.next();
      if (v === "SOUNDS") this.c.accept("LIKE");
      const r = this.add(d);
      if (this.c.accept("ESCAPE")) this.add(d);
      const e: Expr = { t: "bin", op: v, l, r, pos };
      return not ? { t: "not", e, pos } : e;
    }
    if (v === "IN") {
      this.c.next();
      const inner = this.c.parens();
      const sub = inner[0]?.upper === "SELECT" || inner[0]?.upper === "WITH";
      return { t: "in", e: l, not, list: sub ? [] : splitArgs(inner, this.f), sub, pos };
    }
    if (v === "BETWEEN") {
      this.c.next();
      const lo = this.add(d);
      this.c.accept("AND");
      return { t: "between", e: l, lo, hi: this.add(d), not, pos };
    }
    return l;
  }
  add(d: number): Expr {
    let l = this.primary(d);
    for (;;) {
      const u = this.c.up();
      const concat = u === "||" && this.f.pipesConcat;
      if (!ADD.has(u) && !concat) return l;
      const pos = this.c.pos();
      this.c.next();
      l = { t: "bin", op: concat ? "CONCAT" : u, l, r: this.primary(d), pos };
    }
  }
  primary(d: number): Expr {
    const t = this.c.peek();
    const pos = this.c.pos();
    if (t === undefined || this.tooBig(d)) return { t: "other", pos };
    if (t.kind === "number") {
      this.c.next();
      return { t: "lit", v: Number(t.text), pos };
    }
    if (t.kind === "string") {
      this.c.next();
      // 'a' 'b' is one string in MySQL.
      let v = t.text;
      while (this.c.peek()?.kind === "string") v += this.c.next()?.text ?? "";
      return { t: "lit", v, pos };
    }
    if (t.upper === "(") {
      const inner = this.c.parens();
      if (inner[0]?.upper === "SELECT" || inner[0]?.upper === "WITH") return { t: "sub", toks: inner, pos };
      const parts = splitArgs(inner, this.f, d + 1);
      return parts.length === 1 ? (parts[0] as Expr) : { t: "func", name: "ROW", args: parts, pos };
    }
    if (t.upper === "-" || t.upper === "+" || t.upper === "~" || t.upper === "BINARY") {
      this.c.next();
      const e = this.primary(d + 1);
      if (t.upper === "-" && e.t === "lit" && typeof e.v === "number") return { t: "lit", v: -e.v, pos };
      return t.upper === "+" || t.upper === "BINARY" ? e : { t: "func", name: t.upper, args: [e], pos };
    }
    if (t.upper === "EXISTS") {
      this.c.next();
      return { t: "sub", toks: this.c.parens(), pos };
    }
    if (t.upper === "CASE") {
      this.c.next();
      this.c.until((x) => x.upper === "END");
      this.c.accept("END");
      return { t: "other", pos };
    }
    if (t.upper === "INTERVAL") {
      this.c.next();
      this.primary(d + 1);
      this.c.next();
      return { t: "other", pos };
    }
    if (t.kind === "word" && (t.upper === "TRUE" || t.upper === "FALSE")) {
      this.c.next();
      return { t: "lit", v: t.upper === "TRUE", pos };
    }
    if (t.kind === "word" && t.upper === "NULL") {
      this.c.next();
      return { t: "lit", v: null, pos };
    }
    if (t.kind === "word" && (t.text.startsWith("@") || t.text.startsWith("$") || t.upper === "?")) {
      this.c.next();
      return { t: "other", pos };
    }
    if (t.kind === "word" || t.kind === "ident") {
      if (this.c.up(1) === "(" && t.kind === "word") {
        this.c.next();
        const args = splitArgs(this.c.parens(), this.f, d + 1);
        // f(…) OVER (…)
        if (this.c.accept("OVER")) this.c.parens();
        return { t: "func", name: t.upper, args, pos };
      }
      const n = this.c.name();
      if (n !== undefined) {
        // a.* in a list; a column otherwise.
        if (this.c.up() === "." && this.c.up(1) === "*") this.c.i += 2;
        return { t: "col", parts: n.parts, pos };
      }
    }
    this.c.next();
    return { t: "other", pos };
  }
}

function splitArgs(toks: readonly Tok[], f: ExprFlavour, d = 0): Expr[] {
  const out: Expr[] = [];
  let depth = 0;
  let from = 0;
  const flush = (to: number) => {
    if (to > from) {
      const c = new Cursor(toks.slice(from, to));
      out.push(new ExprParser(c, f).or(d + 1));
    }
  };
  toks.forEach((t, k) => {
    if (t.upper === "(") depth++;
    else if (t.upper === ")") depth--;
    else if (t.upper === "," && depth === 0) {
      flush(k);
      from = k + 1;
    }
  });
  flush(toks.length);
  return out;
}

type Val = number | string | boolean | null | undefined;

/** The value of a constant expression; undefined when it depends on a row (or is not understood). */
export function constValue(e: Expr): Val {
  switch (e.t) {
    case "lit":
      return e.v;
    case "not": {
      const v = constValue(e.e);
      return v === undefined || v === null ? v : !truthy(v);
    }
    case "is": {
      const v = constValue(e.e);
      if (v === undefined) return undefined;
      const r = e.what === "NULL" || e.what === "UNKNOWN" ? v === null : e.what === "TRUE" ? truthy(v) : !truthy(v);
      return e.not ? !r : r;
    }
    case "bin": {
      if (e.op === "OR") {
        const l = constValue(e.l);
        const r = constValue(e.r);
        if (isTrue(l) || isTrue(r)) return true;
        return l === undefined || r === undefined ? undefined : truthy(l) || truthy(r);
      }
      if (e.op === "AND") {
        const l = constValue(e.l);
        const r = constValue(e.r);
        if (l === undefined || r === undefined) return isFalse(l) || isFalse(r) ? false : undefined;
        return truthy(l) && truthy(r);
      }
      const l = constValue(e.l);
      const r = constValue(e.r);
      if (l === undefined || r === undefined) return undefined;
      if (l === null || r === null) return e.op === "<=>" ? l === r : null;
      const cmp = compare(l, r);
      switch (e.op) {
        case "=":
        case "<=>":
          return cmp === 0;
        case "<>":
        case "!=":
          return cmp !== 0;
        case "<":
          return cmp < 0;
        case ">":
          return cmp > 0;
        case "<=":
          return cmp <= 0;
        case ">=":
          return cmp >= 0;
        case "+":
          return Number(l) + Number(r);
        case "-":
          return Number(l) - Number(r);
        case "*":
          return Number(l) * Number(r);
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

function compare(l: Exclude<Val, undefined | null>, r: Exclude<Val, undefined | null>): number {
  if (typeof l === "string" && typeof r === "string") {
    const a = l.toLowerCase();
    const b = r.toLowerCase();
    return a === b ? 0 : a < b ? -1 : 1;
  }
  const a = Number(l);
  const b = Number(r);
  return a === b ? 0 : a < b ? -1 : 1;
}

function truthy(v: Val): boolean {
  if (typeof v === "string") return Number.parseFloat(v) !== 0 && !Number.isNaN(Number.parseFloat(v));
  return v === true || (typeof v === "number" && v !== 0);
}
const isTrue = (v: Val): boolean => v !== undefined && v !== null && truthy(v);
const isFalse = (v: Val): boolean => v !== undefined && v !== null && !truthy(v);

/** A condition that holds for every row: WHERE 1, WHERE 1=1, WHERE true OR …. */
export function isTautology(e: Expr): boolean {
  return isTrue(constValue(e));
}

/** Visits every node (subqueries are leaves). */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  switch (e.t) {
    case "func":
      for (const a of e.args) walkExpr(a, visit);
      break;
    case "bin":
      walkExpr(e.l, visit);
      walkExpr(e.r, visit);
      break;
    case "not":
    case "is":
      walkExpr(e.e, visit);
      break;
    case "in":
      walkExpr(e.e, visit);
      for (const a of e.list) walkExpr(a, visit);
      break;
    case "between":
      walkExpr(e.e, visit);
      walkExpr(e.lo, visit);
      walkExpr(e.hi, visit);
      break;
  }
}

export function hasColumn(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.t === "col") found = true;
  });
  return found;
}

/** Compares something with a value (not only IS NULL tests or column-to-column ones): it selects some rows. */
export function narrows(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (found) return;
    if (x.t === "bin" && x.op !== "AND" && x.op !== "OR" && x.op !== "XOR") {
      if (!hasColumn(x.l) || !hasColumn(x.r)) found = true;
    } else if (x.t === "in" || x.t === "between" || x.t === "sub") {
      found = true;
    } else if (x.t === "other") {
      found = true;
    }
  });
  return found;
}

/** Table qualifiers of the columns in e ("" for an unqualified column). */
export function qualifiers(e: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(e, (x) => {
    if (x.t === "col") out.add(x.parts.length > 1 ? (x.parts.at(-2) ?? "").toLowerCase() : "");
  });
  return out;
}

/** Whether some comparison relates columns of two different tables (or unqualified ones: cannot tell). */
export function relatesTables(e: Expr | undefined): boolean {
  if (e === undefined) return false;
  let relates = false;
  walkExpr(e, (x) => {
    if (relates || x.t !== "bin" || x.op === "AND" || x.op === "OR") return;
    const l = qualifiers(x.l);
    const r = qualifiers(x.r);
    if (l.size === 0 || r.size === 0) return;
    if (l.has("") || r.has("") || [...l].some((q) => !r.has(q)) || [...r].some((q) => !l.has(q))) relates = true;
  });
  return relates;
}
