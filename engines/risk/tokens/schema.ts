// Schema-aware checks for the token-level engines: tables and columns that neither the given schema
// nor the script has made. Without a schema nothing is known to be missing, so these stay silent.

import { key, type TokenCtx } from "./context.ts";
import { type Expr, walkExpr } from "./expr.ts";
import type { SelectFacts, Stmt } from "./model.ts";

const SYSTEM_SCHEMAS = new Set(["information_schema", "mysql", "performance_schema", "sys", "main", "temp"]);
const SYSTEM_TABLES = /^(sqlite_(master|schema|sequence|stat\d)|pragma_\w+)$/i;

function knownTable(ctx: TokenCtx, name: string): boolean {
  const s = ctx.script;
  const k = key(name);
  return s.columns.has(k) || s.created.has(k) || s.views.has(k) || k === "dual" || SYSTEM_TABLES.test(k);
}

function unknownTable(ctx: TokenCtx, n: { name: string; parts: string[]; start: number }, ctes: Set<string>): void {
  if (n.name === "" || ctes.has(key(n.name)) || (SYSTEM_SCHEMAS.has(key(n.parts[0] ?? "")) && n.parts.length > 1))
    return;
  if (knownTable(ctx, n.name)) return;
  ctx.report("unknown-table", {
    message: `table ${n.name} is not in the schema and not created earlier in this script`,
    hint: "check the name (and the schema given with --schema); create the table first",
    at: n.start,
  });
}

function unknownColumn(ctx: TokenCtx, table: string, column: string, at: number): void {
  const cols = ctx.script.columns.get(key(table));
  if (cols === undefined || column === "" || cols.has(key(column))) return;
  ctx.report("unknown-column", {
    message: `column ${column} is not in table ${table}`,
    hint: `check the name; ${table} has ${[...cols.keys()].slice(0, 8).join(", ")}${cols.size > 8 ? ", ..." : ""}`,
    at,
  });
}

function cteNames(ctx: TokenCtx): Set<string> {
  // WITH x AS (…): any "name [ (cols) ] AS (" is a CTE name; over-collecting only makes the check quieter.
  const out = new Set<string>();
  const m = ctx.text.matchAll(/[`"]?(\w+)[`"]?\s*(?:\([^()]*\)\s*)?AS\s*\(/gi);
  for (const x of m) out.add(key(x[1] ?? ""));
  return out;
}

export function schemaChecks(ctx: TokenCtx, st: Stmt): void {
  if (ctx.script.schema === undefined) return;
  const ctes = /\bWITH\b/i.test(ctx.text) ? cteNames(ctx) : new Set<string>();
  const tables = (
    from: { items: Array<{ tables: Array<{ name: { name: string; parts: string[]; start: number } }> }> } | undefined,
  ) => (from?.items ?? []).flatMap((i) => i.tables.map((t) => t.name));
  const selectTables = (sel: SelectFacts | undefined): Array<{ name: string; parts: string[]; start: number }> =>
    sel === undefined ? [] : [...tables(sel.from), ...sel.nested.flatMap(selectTables)];
  switch (st.kind) {
    case "alter-table": {
      unknownTable(ctx, st.table, ctes);
      const table = st.table.name;
      if (!knownTable(ctx, table)) return;
      const added = new Set<string>();
      for (const a of st.actions) {
        if (a.op === "add-column") added.add(key(a.col.name));
        else if (a.op === "drop-column" && !a.ifExists) unknownColumn(ctx, table, a.name, a.pos);
        else if (a.op === "modify") unknownColumn(ctx, table, a.col.name, a.col.pos);
        else if (a.op === "change") unknownColumn(ctx, table, a.from, a.pos);
        else if (a.op === "rename-column") unknownColumn(ctx, table, a.from, a.pos);
        else if (a.op === "column-default") unknownColumn(ctx, table, a.name, a.pos);
        else if (a.op === "add-key") {
          for (const col of a.key.columns)
            if (col !== "(expr)" && !added.has(key(col))) unknownColumn(ctx, table, col, a.pos);
          if (a.key.references !== undefined) unknownTable(ctx, a.key.references.table, ctes);
        }
      }
      return;
    }
    case "create-table":
      for (const r of [...st.columns.map((c) => c.references), ...st.keys.map((k) => k.references)]) {
        if (r !== undefined && key(r.table.name) !== key(st.table.name)) unknownTable(ctx, r.table, ctes);
      }
      for (const t of selectTables(st.select)) unknownTable(ctx, t, ctes);
      return;
    case "create-index":
      unknownTable(ctx, st.table, ctes);
      if (knownTable(ctx, st.table.name))
        for (const col of st.key.columns) if (col !== "(expr)") unknownColumn(ctx, st.table.name, col, st.key.pos);
      return;
    case "drop":
      if (st.what === "TABLE" && !st.ifExists && !st.temporary) for (const n of st.names) unknownTable(ctx, n, ctes);
      return;
    case "truncate":
      for (const n of st.tables) unknownTable(ctx, n, ctes);
      return;
    case "rename-table":
      for (const p of st.pairs) unknownTable(ctx, p.from, ctes);
      return;
    case "insert":
      unknownTable(ctx, st.table, ctes);
      for (const c of st.columns) unknownColumn(ctx, st.table.name, c.name, c.pos);
      for (const t of selectTables(st.select)) unknownTable(ctx, t, ctes);
      return;
    case "update":
    case "delete": {
      const all = tables(st.from);
      for (const t of [...all, ...(st.kind === "delete" ? st.targets.map((x) => x.name) : [])])
        unknownTable(ctx, t, ctes);
      if (all.length !== 1) return;
      const only = all[0]?.name ?? "";
      if (st.kind === "update") for (const s of st.sets) unknownColumn(ctx, only, s.column.at(-1) ?? "", s.pos);
      if (st.where !== undefined) {
        const alias = st.from?.items[0]?.tables[0]?.alias;
        walkCols(st.where, (parts, pos) => {
          if (parts.length === 1 || (parts.length === 2 && (key(parts[0] ?? "") === key(only) || parts[0] === alias))) {
            unknownColumn(ctx, only, parts.at(-1) ?? "", pos);
          }
        });
      }
      return;
    }
    case "select":
      for (const t of selectTables(st.select)) unknownTable(ctx, t, ctes);
      return;
    default:
      return;
  }
}

function walkCols(e: Expr, visit: (parts: string[], pos: number) => void): void {
  walkExpr(e, (x) => {
    if (x.t === "col") visit(x.parts, x.pos);
  });
}
