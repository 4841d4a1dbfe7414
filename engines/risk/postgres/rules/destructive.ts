// Data loss: statements that delete rows, tables or columns.
import type { Node, RangeVar } from "libpg-query";
import { get, isTautology, names, walk } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { alterCmds, relName } from "../facts.ts";

function unboundedWrite(verb: "DELETE" | "UPDATE", rel: RangeVar | undefined, where: Node | undefined, ctx: StmtCtx) {
  const table = relName(rel);
  if (!ctx.existing(table)) return;
  const check = verb === "DELETE" ? "delete-without-where" : "update-without-where";
  const what = verb === "DELETE" ? "deletes" : "changes";
  if (where === undefined) {
    ctx.report(check, {
      message: `${verb} on ${table} has no WHERE: it ${what} every row`,
      hint: `add a WHERE clause selecting the rows; if every row is meant, say so in a reviewed data migration${verb === "DELETE" ? " (or TRUNCATE)" : ""}`,
      location: rel?.location,
    });
  } else if (isTautology(where)) {
    ctx.report(check, {
      message: `${verb} on ${table} has a WHERE that is always true: it ${what} every row`,
      hint: "write the condition that selects the rows meant; a constant condition selects them all",
      location: rel?.location,
    });
  }
}

const FK_NAME = /(_fkey|_fk|^fk_|_fk_)/i;

/** A WHERE that compares something to a value narrows the rows; only IS NULL tests or column-to-column ones do not. */
function narrows(where: Node): boolean {
  let found = false;
  walk(where, (type, value) => {
    if (found) return;
    if (type === "A_Expr") {
      const a = value as { kind?: string; lexpr?: Node; rexpr?: Node };
      if (!hasColumn(a.lexpr) || !hasColumn(a.rexpr)) found = true;
    } else if (type === "SubLink" || type === "ParamRef") {
      found = true;
    }
  });
  return found;
}

function hasColumn(n: Node | undefined): boolean {
  let col = false;
  walk(n, (type) => {
    if (type === "ColumnRef") col = true;
  });
  return col;
}

export const destructiveRules: PgRule[] = [
  {
    nodes: {
      DeleteStmt: (d, ctx) => unboundedWrite("DELETE", d.relation, d.whereClause, ctx),
      UpdateStmt: (u, ctx) => unboundedWrite("UPDATE", u.relation, u.whereClause, ctx),
    },
  },
  {
    // Rows changed by a condition that does not narrow them: a whole-table backfill or copy.
    nodes: {
      UpdateStmt: (u, ctx) => {
        const table = relName(u.relation);
        if (u.whereClause === undefined || isTautology(u.whereClause) || !ctx.existing(table)) return;
        if (narrows(u.whereClause)) return;
        ctx.report("large-dml", {
          message: `UPDATE on ${table} touches every row its condition matches (no value narrows it): a whole-table backfill in one transaction`,
          hint: "backfill in batches by primary key range in a separate migration, outside the schema change",
          location: u.relation?.location,
        });
      },
      InsertStmt: (i, ctx) => {
        const sel = get(i.selectStmt, "SelectStmt");
        if (sel === undefined || (sel.fromClause ?? []).length === 0) return;
        if (sel.whereClause !== undefined || sel.limitCount !== undefined) return;
        const sources = (sel.fromClause ?? []).map((f) => relName(get(f, "RangeVar"))).filter((t) => t !== "");
        if (sources.length === 0 || sources.every((t) => !ctx.existing(t))) return;
        ctx.report("large-dml", {
          message: `INSERT ... SELECT copies every row of ${sources.join(", ")} in one statement`,
          hint: "copy in batches by primary key range, outside the schema change transaction",
          location: i.relation?.location,
        });
      },
    },
  },
  {
    statement(ctx) {
      const drop = get(ctx.node, "DropStmt");
      if (drop !== undefined) {
        for (const obj of drop.objects ?? []) {
          const parts = names(get(obj, "List")?.items);
          const name = parts.join(".");
          if (drop.removeType === "OBJECT_TABLE" && ctx.existing(parts.at(-1) ?? "")) {
            ctx.report("drop-table", {
              subject: [parts.at(-1) ?? ""],
              message: `DROP TABLE ${name} deletes the table and every row in it`,
              hint: "stop using it first, keep a backup, and drop it in a later release (or rename it to an archive name)",
            });
          } else if (drop.removeType === "OBJECT_SCHEMA") {
            ctx.report("drop-database-or-schema", {
              message: `DROP SCHEMA ${name} deletes the schema${drop.behavior === "DROP_CASCADE" ? " and everything in it" : ""}`,
              hint: "drop the objects one by one in reviewed migrations, after a backup",
            });
          }
        }
        if (drop.behavior === "DROP_CASCADE") {
          ctx.report("cascade", {
            message: "CASCADE also drops every object that depends on this one (views, foreign keys), unlisted",
            hint: "drop the dependent objects explicitly first, then drop without CASCADE",
          });
        }
      }
      const dropdb = get(ctx.node, "DropdbStmt");
      if (dropdb !== undefined) {
        ctx.report("drop-database-or-schema", {
          message: `DROP DATABASE ${dropdb.dbname ?? ""} deletes the whole database`,
          hint: "never from a migration: drop databases by hand, after a backup",
        });
      }
      const trunc = get(ctx.node, "TruncateStmt");
      if (trunc !== undefined) {
        const tables = (trunc.relations ?? []).map((r) => relName(get(r, "RangeVar")));
        if (tables.some((t) => ctx.existing(t))) {
          ctx.report("truncate", {
            level: "High",
            message: `TRUNCATE ${tables.join(", ")} deletes every row (rolled back only if the transaction fails; DELETE triggers do not fire)`,
            hint: "DELETE with a WHERE in batches if only some rows must go; otherwise take a backup first",
          });
        }
        if (trunc.behavior === "DROP_CASCADE") {
          ctx.report("cascade", {
            message: "TRUNCATE ... CASCADE also empties every table with a foreign key to these, unlisted",
            hint: "list every table to empty explicitly instead of CASCADE",
          });
        }
      }
    },
  },
  {
    nodes: {
      AlterTableStmt: (a, ctx) => {
        const table = relName(a.relation);
        for (const cmd of alterCmds(a.cmds)) {
          if (cmd.behavior === "DROP_CASCADE") {
            ctx.report("cascade", {
              message: `CASCADE on ${table} also drops what depends on ${cmd.name ?? "it"} (views, constraints), unlisted`,
              hint: "drop the dependent objects explicitly first, then drop without CASCADE",
            });
          }
          if (!ctx.existing(table)) continue;
          if (cmd.subtype === "AT_DropColumn") {
            ctx.report("drop-column", {
              subject: [cmd.name ?? ""],
              message: `DROP COLUMN ${table}.${cmd.name ?? ""} deletes the column's data; running code that reads it breaks`,
              hint: "stop reading and writing the column in the application first, release, then drop it in a later migration",
            });
          } else if (cmd.subtype === "AT_DropNotNull") {
            ctx.report("drop-not-null", {
              subject: [cmd.name ?? ""],
              message: `${table}.${cmd.name ?? ""} may become NULL: code that assumes a value breaks`,
              hint: "make every reader handle NULL before dropping NOT NULL",
            });
          } else if (
            cmd.subtype === "AT_DropConstraint" &&
            (ctx.script.fkNames.has(cmd.name ?? "") || FK_NAME.test(cmd.name ?? ""))
          ) {
            ctx.report("drop-fk-constraint", {
              message: `dropping foreign key ${cmd.name ?? ""} on ${table} lets orphaned rows in`,
              hint: "keep the foreign key unless the relation is gone; if replacing it, add the new one (NOT VALID, then VALIDATE) first",
            });
          }
        }
      },
      Constraint: (k, ctx) => {
        if (k.contype !== "CONSTR_FOREIGN" || k.fk_del_action !== "c") return;
        ctx.report("on-delete-cascade", {
          message: `ON DELETE CASCADE: deleting a row of ${relName(k.pktable)} silently deletes the rows that reference it`,
          hint: "prefer ON DELETE RESTRICT (or NO ACTION) and delete children explicitly",
          location: k.location,
        });
      },
    },
  },
];
