// Schema-aware checks: tables and columns that neither the given schema nor the script has made.
// Without a schema nothing is known to be missing, so these stay silent.
import type { Node, RangeVar } from "libpg-query";
import { get, names, walk } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { alterCmds, keyColumns, relName } from "../facts.ts";

function knownTable(ctx: StmtCtx, table: string): boolean {
  const s = ctx.script;
  return s.columns.has(table) || s.created.has(table) || s.views.has(table);
}

function isCatalog(rv: RangeVar): boolean {
  return (
    rv.schemaname === "pg_catalog" || rv.schemaname === "information_schema" || (rv.relname ?? "").startsWith("pg_")
  );
}

function unknownTable(ctx: StmtCtx, rv: RangeVar | undefined, ctes: Set<string>): void {
  if (rv === undefined || isCatalog(rv)) return;
  const table = relName(rv);
  if (table === "" || ctes.has(table) || knownTable(ctx, table)) return;
  ctx.report("unknown-table", {
    message: `table ${table} is not in the schema and not created earlier in this script`,
    hint: "check the name (and the schema given with --schema); create the table first",
    location: rv.location,
  });
}

function unknownColumn(ctx: StmtCtx, table: string, column: string | undefined, location?: number): void {
  const cols = ctx.script.columns.get(table);
  if (cols === undefined || column === undefined || column === "" || cols.has(column)) return;
  ctx.report("unknown-column", {
    message: `column ${column} is not in table ${table}`,
    hint: `check the name; ${table} has ${[...cols].slice(0, 8).join(", ")}${cols.size > 8 ? ", ..." : ""}`,
    location,
  });
}

/** Column references of a single-table statement's condition ("col" or "table.col"). */
function whereColumns(ctx: StmtCtx, table: string, alias: string | undefined, where: Node | undefined): void {
  walk(where, (type, value) => {
    if (type === "SubLink") return;
    if (type !== "ColumnRef") return;
    const ref = value as { fields?: Node[]; location?: number };
    const parts = names(ref.fields);
    if (parts.length === 1 || (parts.length === 2 && (parts[0] === table || parts[0] === alias))) {
      unknownColumn(ctx, table, parts.at(-1), ref.location);
    }
  });
}

export const schemaRules: PgRule[] = [
  {
    statement(ctx) {
      if (ctx.script.schema === undefined) return;
      const ctes = new Set<string>();
      walk(ctx.node, (type, value) => {
        if (type === "CommonTableExpr") ctes.add((value as { ctename?: string }).ctename ?? "");
      });
      const n = ctx.node;
      walk(n, (type, value) => {
        if (type === "RangeVar") unknownTable(ctx, value as RangeVar, ctes);
        if (type === "Constraint") unknownTable(ctx, (value as { pktable?: RangeVar }).pktable, ctes);
      });
      const ins = get(n, "InsertStmt");
      const upd = get(n, "UpdateStmt");
      const del = get(n, "DeleteStmt");
      const alter = get(n, "AlterTableStmt");
      const index = get(n, "IndexStmt");
      const rename = get(n, "RenameStmt");
      const trig = get(n, "CreateTrigStmt");
      for (const rv of [ins?.relation, upd?.relation, del?.relation, index?.relation, trig?.relation]) {
        unknownTable(ctx, rv, ctes);
      }
      if (alter !== undefined && !alter.missing_ok) unknownTable(ctx, alter.relation, ctes);
      if (rename?.relation !== undefined && !rename.missing_ok) unknownTable(ctx, rename.relation, ctes);
      const drop = get(n, "DropStmt");
      if (drop?.removeType === "OBJECT_TABLE" && !drop.missing_ok) {
        for (const obj of drop.objects ?? []) {
          const table = names(get(obj, "List")?.items).at(-1) ?? "";
          if (!knownTable(ctx, table)) {
            ctx.report("unknown-table", {
              message: `table ${table} is not in the schema and not created earlier in this script`,
              hint: "check the name; DROP TABLE IF EXISTS if it may be absent",
            });
          }
        }
      }
      if (ins !== undefined) {
        const table = relName(ins.relation);
        for (const c of ins.cols ?? []) {
          const t = get(c, "ResTarget");
          unknownColumn(ctx, table, t?.name, t?.location);
        }
      }
      if (upd !== undefined) {
        const table = relName(upd.relation);
        for (const c of upd.targetList ?? []) {
          const t = get(c, "ResTarget");
          unknownColumn(ctx, table, t?.name, t?.location);
        }
        if ((upd.fromClause ?? []).length === 0)
          whereColumns(ctx, table, upd.relation?.alias?.aliasname, upd.whereClause);
      }
      if (del !== undefined && (del.usingClause ?? []).length === 0) {
        whereColumns(ctx, relName(del.relation), del.relation?.alias?.aliasname, del.whereClause);
      }
      if (index !== undefined) {
        const table = relName(index.relation);
        for (const col of keyColumns(index.indexParams)) if (col !== "(expr)") unknownColumn(ctx, table, col);
      }
      if (rename?.renameType === "OBJECT_COLUMN") unknownColumn(ctx, relName(rename.relation), rename.subname);
      if (alter !== undefined) {
        const table = relName(alter.relation);
        for (const cmd of alterCmds(alter.cmds)) {
          if (cmd.subtype === "AT_AddColumn" || cmd.subtype === "AT_AddConstraint") continue;
          if (cmd.subtype === "AT_DropColumn" && cmd.missing_ok) continue;
          if (cmd.name !== undefined && COLUMN_CMDS.has(cmd.subtype ?? "")) unknownColumn(ctx, table, cmd.name);
        }
      }
    },
  },
];

const COLUMN_CMDS = new Set([
  "AT_DropColumn",
  "AT_AlterColumnType",
  "AT_SetNotNull",
  "AT_DropNotNull",
  "AT_ColumnDefault",
  "AT_SetStatistics",
  "AT_SetStorage",
]);
