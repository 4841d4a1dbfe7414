// Query hygiene: statements that read or change more than meant, or cannot use an index.
import type { Node, SelectStmt } from "libpg-query";
import { constOf, get, isTautology, names, walk } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { relName } from "../facts.ts";

function starLocation(sel: SelectStmt): number | undefined {
  for (const t of sel.targetList ?? []) {
    const ref = get(get(t, "ResTarget")?.val, "ColumnRef");
    if (ref !== undefined && (ref.fields ?? []).some((f) => get(f, "A_Star") !== undefined)) return ref.location ?? -1;
  }
  return undefined;
}

const AGGREGATES = new Set(["count", "sum", "min", "max", "avg", "bool_and", "bool_or", "string_agg", "array_agg"]);

function onlyAggregates(sel: SelectStmt): boolean {
  const list = sel.targetList ?? [];
  return (
    list.length > 0 &&
    list.every((t) => {
      const f = get(get(t, "ResTarget")?.val, "FuncCall");
      return f !== undefined && AGGREGATES.has(names(f.funcname).at(-1) ?? "");
    })
  );
}

/** Whether a condition compares columns of two different relations (or unqualified ones: cannot tell). */
function relatesTables(cond: Node | undefined): boolean {
  let relates = false;
  walk(cond, (type, value) => {
    if (relates || type !== "A_Expr") return;
    const a = value as { lexpr?: Node; rexpr?: Node };
    const l = qualifiers(a.lexpr);
    const r = qualifiers(a.rexpr);
    if (l.size === 0 || r.size === 0) return;
    if (l.has("") || r.has("") || [...l].some((q) => !r.has(q)) || [...r].some((q) => !l.has(q))) relates = true;
  });
  return relates;
}

function qualifiers(n: Node | undefined): Set<string> {
  const out = new Set<string>();
  walk(n, (type, value) => {
    if (type !== "ColumnRef") return;
    const parts = names((value as { fields?: Node[] }).fields);
    out.add(parts.length > 1 ? (parts.at(-2) ?? "") : "");
  });
  return out;
}

function cartesian(from: readonly Node[] | undefined, where: Node | undefined, ctx: StmtCtx): void {
  const items = from ?? [];
  for (const item of items) {
    walk(item, (type, value) => {
      if (type !== "JoinExpr") return;
      const j = value as { quals?: Node; isNatural?: boolean; usingClause?: Node[] };
      if (j.quals !== undefined && isTautology(j.quals)) {
        ctx.report("cartesian-join", {
          message: "a join condition that is always true pairs every row with every row",
          hint: "join on the columns that relate the tables (or write CROSS JOIN if that is really meant)",
        });
      }
    });
  }
  if (items.length < 2 || relatesTables(where)) return;
  const tables = items.map((i) => relName(get(i, "RangeVar")) || "a subquery");
  ctx.report("cartesian-join", {
    message: `${tables.join(", ")} are listed with commas and no condition relates them: every row pairs with every row`,
    hint: "use JOIN ... ON with the columns that relate them",
  });
}

function wherePredicates(where: Node | undefined, ctx: StmtCtx): void {
  walk(where, (type, value) => {
    if (type === "A_Expr") {
      const a = value as { kind?: string; name?: Node[]; lexpr?: Node; rexpr?: Node; location?: number };
      const op = names(a.name)[0] ?? "";
      if (a.kind === "AEXPR_OP" && (op === "=" || op === "<>" || op === "!=") && constOf(a.rexpr)?.isnull) {
        ctx.report("non-sargable", {
          level: "Medium",
          message: `${op} NULL is never true: the condition matches no row`,
          hint: `use IS ${op === "=" ? "" : "NOT "}NULL`,
          location: a.location,
        });
      } else if (
        (a.kind === "AEXPR_LIKE" || a.kind === "AEXPR_ILIKE") &&
        constOf(a.rexpr)?.sval?.sval?.startsWith("%")
      ) {
        ctx.report("non-sargable", {
          message: "LIKE with a leading % cannot use a b-tree index: it reads every row",
          hint: "anchor the pattern at the start, or use a trigram (pg_trgm) index",
          location: a.location,
        });
      } else if (a.kind === "AEXPR_OP" && get(a.lexpr, "FuncCall") !== undefined && qualifiers(a.lexpr).size > 0) {
        ctx.report("non-sargable", {
          message: "a function applied to a column in WHERE cannot use the column's index",
          hint: "compare the bare column (move the function to the other side) or index the expression",
          location: a.location,
        });
      }
    }
  });
}

export const queryRules: PgRule[] = [
  {
    statement(ctx) {
      const top = get(ctx.node, "SelectStmt");
      if (
        top !== undefined &&
        (top.fromClause ?? []).length > 0 &&
        top.whereClause === undefined &&
        top.limitCount === undefined &&
        top.intoClause === undefined &&
        (top.groupClause ?? []).length > 0 === false &&
        !onlyAggregates(top)
      ) {
        ctx.report("missing-limit", {
          message: "SELECT without WHERE or LIMIT reads and returns the whole table",
          hint: "add a WHERE clause or a LIMIT",
        });
      }
    },
    nodes: {
      SelectStmt: (s, ctx, parentType, parent) => {
        // EXISTS (SELECT * …) reads no columns: the idiom is fine.
        const inExists =
          parentType === "SubLink" && (parent as { subLinkType?: string }).subLinkType === "EXISTS_SUBLINK";
        const at = inExists ? undefined : starLocation(s);
        if (at !== undefined) {
          ctx.report("select-star", {
            message: "SELECT * returns whatever columns the table has today: adding or dropping one changes the result",
            hint: "list the columns you need",
            location: at,
          });
        }
        cartesian(s.fromClause, s.whereClause, ctx);
        wherePredicates(s.whereClause, ctx);
        for (const sort of s.sortClause ?? []) {
          const f = get(get(sort, "SortBy")?.node, "FuncCall");
          if (f !== undefined && (names(f.funcname).at(-1) ?? "") === "random") {
            ctx.report("non-sargable", {
              message: "ORDER BY random() sorts the whole result to pick rows",
              hint: "use TABLESAMPLE or pick random keys",
              location: f.location,
            });
          }
        }
      },
      UpdateStmt: (u, ctx) => {
        if ((u.fromClause ?? []).length > 0)
          cartesian([{ RangeVar: u.relation ?? {} }, ...(u.fromClause ?? [])], u.whereClause, ctx);
        wherePredicates(u.whereClause, ctx);
      },
      DeleteStmt: (d, ctx) => {
        if ((d.usingClause ?? []).length > 0)
          cartesian([{ RangeVar: d.relation ?? {} }, ...(d.usingClause ?? [])], d.whereClause, ctx);
        wherePredicates(d.whereClause, ctx);
      },
      InsertStmt: (i, ctx) => {
        if ((i.cols ?? []).length > 0 || i.selectStmt === undefined) return;
        ctx.report("insert-without-columns", {
          message: `INSERT INTO ${relName(i.relation)} without a column list depends on the table's column order`,
          hint: "name the columns: INSERT INTO t (a, b) ...",
          location: i.relation?.location,
        });
      },
      DoStmt: (_d, ctx) => {
        ctx.report("raw-sql-unchecked", {
          message: "the body of a DO block is not analysed",
          hint: "prefer plain statements; review the block by hand",
        });
      },
      ExecuteStmt: (e, ctx) => {
        ctx.report("raw-sql-unchecked", {
          message: `EXECUTE ${e.name ?? ""} runs a prepared statement that is not analysed here`,
          hint: "write the statement out so it can be checked",
        });
      },
      CreateFunctionStmt: (f, ctx) => {
        const body = (f.options ?? [])
          .map((o) => get(o, "DefElem"))
          .filter((d) => d?.defname === "as")
          .flatMap((d) => names(get(d?.arg, "List")?.items));
        if (!body.some((b) => /\bEXECUTE\b/i.test(b))) return;
        ctx.report("raw-sql-unchecked", {
          message: `${f.is_procedure ? "procedure" : "function"} ${names(f.funcname).join(".")} builds SQL at run time (EXECUTE): that SQL is not analysed`,
          hint: "use format() with %I/%L for identifiers and values, and review the dynamic SQL by hand",
        });
      },
    },
  },
];
