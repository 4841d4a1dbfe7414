// Query hygiene for the token-level engines: statements that read or change more than meant, or cannot use an index.

import type { TokenCtx, TokenRule } from "./context.ts";
import { constValue, type Expr, isTautology, qualifiers, relatesTables, walkExpr } from "./expr.ts";
import type { FromClause, SelectFacts, Stmt } from "./model.ts";

function cartesian(ctx: TokenCtx, from: FromClause | undefined, where: Expr | undefined): void {
  if (from === undefined) return;
  for (const item of from.items) {
    for (const j of item.joins) {
      if (j.on !== undefined && isTautology(j.on)) {
        ctx.report("cartesian-join", {
          message: "a join condition that is always true pairs every row with every row",
          hint: "join on the columns that relate the tables (or write CROSS JOIN if that is really meant)",
          at: j.pos,
        });
      } else if (j.on === undefined && !j.using && !j.natural && !j.cross) {
        ctx.report("cartesian-join", {
          message: "JOIN without ON or USING is a cross join, every row with every row",
          hint: "add ON with the columns that relate the tables (or write CROSS JOIN if that is really meant)",
          at: j.pos,
        });
      }
    }
  }
  if (from.items.length < 2 || relatesTables(where)) return;
  const tables = from.items.map((i) => (i.subquery ? "a subquery" : (i.tables[0]?.name.name ?? "?")));
  ctx.report("cartesian-join", {
    message: `${tables.join(", ")} are listed with commas and no condition relates them: every row pairs with every row`,
    hint: "use JOIN ... ON with the columns that relate them",
  });
}

function predicates(ctx: TokenCtx, where: Expr | undefined): void {
  if (where === undefined) return;
  walkExpr(where, (x) => {
    if (x.t !== "bin") return;
    if ((x.op === "=" || x.op === "<>" || x.op === "!=") && x.r.t === "lit" && x.r.v === null) {
      ctx.report("non-sargable", {
        level: "Medium",
        message: `${x.op} NULL is never true: the condition matches no row`,
        hint: `use IS ${x.op === "=" ? "" : "NOT "}NULL`,
        at: x.pos,
      });
    } else if (x.op === "LIKE" && x.r.t === "lit" && typeof x.r.v === "string" && x.r.v.startsWith("%")) {
      ctx.report("non-sargable", {
        message: "LIKE with a leading % cannot use an index: it reads every row",
        hint: "anchor the pattern at the start, or use a FULLTEXT index",
        at: x.pos,
      });
    } else if (
      ["=", "<", ">", "<=", ">=", "<>", "!="].includes(x.op) &&
      x.l.t === "func" &&
      qualifiers(x.l).size > 0 &&
      constValue(x.r) !== undefined
    ) {
      ctx.report("non-sargable", {
        message: `${x.l.name}() applied to a column in WHERE cannot use the column's index`,
        hint: "compare the bare column (move the function to the value side) or index the expression",
        at: x.pos,
      });
    }
  });
}

function select(ctx: TokenCtx, s: SelectFacts, top: boolean): void {
  if (s.star !== undefined && !s.inExists) {
    ctx.report("select-star", {
      message: "SELECT * returns whatever columns the table has today: adding or dropping one changes the result",
      hint: "list the columns you need",
      at: s.star,
    });
  }
  // FROM dual (MySQL, Oracle) is one row.
  const dual = s.from?.items.every((i) => !i.subquery && i.tables.every((t) => t.name.name.toLowerCase() === "dual"));
  if (
    top &&
    s.from !== undefined &&
    !dual &&
    s.where === undefined &&
    !s.limit &&
    !s.into &&
    !s.group &&
    !s.aggregatesOnly
  ) {
    ctx.report("missing-limit", {
      message: "SELECT without WHERE or LIMIT reads and returns the whole table",
      hint: "add a WHERE clause or a LIMIT",
      at: s.pos,
    });
  }
  cartesian(ctx, s.from, s.where);
  predicates(ctx, s.where);
  if (s.orderByRand !== undefined) {
    ctx.report("non-sargable", {
      message: "ORDER BY RAND() sorts the whole result to pick rows",
      hint: "pick random keys in the application, or sample by key range",
      at: s.orderByRand,
    });
  }
  for (const n of s.nested) select(ctx, n, false);
}

function statement(ctx: TokenCtx, st: Stmt): void {
  switch (st.kind) {
    case "select":
      select(ctx, st.select, true);
      return;
    case "insert":
      if (st.select !== undefined) select(ctx, st.select, false);
      if (!st.hasColumnList) {
        ctx.report("insert-without-columns", {
          message: `INSERT INTO ${st.table.name} without a column list depends on the table's column order`,
          hint: "name the columns: INSERT INTO t (a, b) ...",
          at: st.table.start,
        });
      }
      return;
    case "update":
    case "delete":
      if (st.from !== undefined && st.from.items.length + st.from.items.reduce((n, i) => n + i.joins.length, 0) > 1)
        cartesian(ctx, st.from, st.where);
      predicates(ctx, st.where);
      return;
    case "create-table":
    case "view":
      if (st.select !== undefined) select(ctx, st.select, false);
      return;
    case "prepare":
    case "execute":
      ctx.report("raw-sql-unchecked", {
        message: `${st.kind.toUpperCase()} runs SQL built at run time: it is not analysed here`,
        hint: "write the statement out so it can be checked",
        at: st.pos,
      });
      return;
    case "routine":
      ctx.report("raw-sql-unchecked", {
        level: "Low",
        message: `the body of ${st.what} ${st.name?.name ?? ""} is not analysed${st.dynamic !== undefined ? ", and it builds SQL at run time (PREPARE/EXECUTE)" : ""}`,
        hint: "review the body by hand; prefer plain statements in migrations",
        at: st.dynamic,
      });
      return;
    default:
      return;
  }
}

export const queryRules: TokenRule[] = [{ statement: (ctx) => statement(ctx, ctx.stmt) }];
